#include "report.h"

#include <capos/capos.h>

static uint32_t report_console;
static const char *report_program = "?";

void report_init(uint32_t console, const char *program)
{
    report_console = console;
    report_program = program;
}

void report_start(struct line *line, const char *text)
{
    line_start(line, report_program);
    line_str(line, ": ");
    line_str(line, text);
}

void report_line(const struct line *line)
{
    /* Nothing better to do if the console itself fails. */
    (void)capos_console_write_line(report_console, line->text);
}

void say(const char *text)
{
    struct line line;
    report_start(&line, text);
    report_line(&line);
}

void say_code(const char *text, int32_t code)
{
    struct line line;
    report_start(&line, text);
    line_str(&line, " (");
    line_str(&line, capos_error_name(code));
    line_str(&line, ")");
    report_line(&line);
}

int fail(const char *step, int32_t code)
{
    struct line line;
    report_start(&line, "FAIL ");
    line_str(&line, step);
    line_str(&line, ": ");
    line_str(&line, capos_error_name(code));
    line_str(&line, " (");
    line_i64(&line, code);
    line_str(&line, ")");
    report_line(&line);
    return 1;
}
