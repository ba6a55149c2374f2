//! cue/defaults/defaults.cue repeats facts of the schema and of this tool
//! for CUE's sake; these tests keep the copies equal.

use capos_schema::interface_id;

const DEFAULTS: &str = include_str!("../../../cue/defaults/defaults.cue");

/// The body of the CUE definition starting with `head`, up to its closing
/// brace at the start of a line.
fn definition(head: &str) -> &'static str {
    let start = DEFAULTS.find(head).expect("the definition exists") + head.len();
    let len = DEFAULTS[start..].find("\n}").expect("the definition ends");
    &DEFAULTS[start..start + len]
}

#[test]
fn interface_ids_are_the_schemas() {
    let expected = [
        ("console", interface_id::CONSOLE),
        ("timer", interface_id::TIMER),
        ("virtualMemory", interface_id::VIRTUAL_MEMORY),
        ("memoryObject", interface_id::MEMORY_OBJECT),
        ("endpointFactory", interface_id::ENDPOINT_FACTORY),
        ("endpoint", interface_id::ENDPOINT),
        ("bootPackage", interface_id::BOOT_PACKAGE),
        ("processSpawner", interface_id::PROCESS_SPAWNER),
        ("processHandle", interface_id::PROCESS_HANDLE),
        ("entropySource", interface_id::ENTROPY_SOURCE),
        ("pipeFactory", interface_id::PIPE_FACTORY),
        ("pipeReader", interface_id::PIPE_READER),
        ("pipeWriter", interface_id::PIPE_WRITER),
        ("networkManager", interface_id::NETWORK_MANAGER),
        ("udpSocket", interface_id::UDP_SOCKET),
        ("file", interface_id::FILE),
        ("directory", interface_id::DIRECTORY),
        ("processForker", interface_id::PROCESS_FORKER),
        ("terminal", interface_id::TERMINAL),
    ];
    let got: Vec<(&str, u64)> = definition("#InterfaceId: {")
        .lines()
        .filter_map(|line| line.trim().split_once(':'))
        .map(|(name, value)| {
            let hex = value.trim().trim_start_matches("0x").replace('_', "");
            (name, u64::from_str_radix(&hex, 16).expect("a hex id"))
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn cap_kinds_are_the_ones_mkmanifest_knows() {
    let line = DEFAULTS
        .lines()
        .find(|l| l.starts_with("#CapKind:"))
        .expect("#CapKind is defined");
    let kinds: Vec<&str> = line["#CapKind:".len()..]
        .split('|')
        .map(|k| k.trim().trim_matches('"'))
        .collect();
    let known: Vec<&str> = crate::validate::KINDS.iter().map(|(n, _)| *n).collect();
    assert_eq!(kinds, known);
}
