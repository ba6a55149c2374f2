#include "line.h"

static void put(struct line *line, char c)
{
    if (line->len + 1 < LINE_CAPACITY) {
        line->text[line->len++] = c;
        line->text[line->len] = '\0';
    }
}

void line_start(struct line *line, const char *text)
{
    line->len = 0;
    line->text[0] = '\0';
    line_str(line, text);
}

void line_str(struct line *line, const char *text)
{
    while (*text != '\0') {
        put(line, *text++);
    }
}

void line_u64(struct line *line, uint64_t value)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        put(line, digits[--n]);
    }
}

void line_i64(struct line *line, int64_t value)
{
    if (value < 0) {
        put(line, '-');
        /* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
        line_u64(line, 0 - (uint64_t)value);
    } else {
        line_u64(line, (uint64_t)value);
    }
}
