/*
 * Output of the demo programs: one console line per step, and a FAIL line
 * naming the step and the libcapos code when a step goes wrong.
 */
#ifndef C_HELLO_REPORT_H
#define C_HELLO_REPORT_H

#include <stdint.h>

#include "line.h"

/* Sets the console and the program name that prefixes every line. */
void report_init(uint32_t console, const char *program);
/* Starts a line with "<program>: " and `text`. */
void report_start(struct line *line, const char *text);
/* Writes a finished line. */
void report_line(const struct line *line);
/* Writes "<program>: <text>". */
void say(const char *text);
/* Writes "<program>: <text> (<code name>)". */
void say_code(const char *text, int32_t code);
/* Writes "<program>: FAIL <step>: <code name> (<code>)"; returns 1. */
int fail(const char *step, int32_t code);

#endif
