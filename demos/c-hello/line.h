/*
 * A fixed-size line of text built piece by piece: freestanding C has no
 * printf. Text past the capacity is dropped; the line stays terminated.
 */
#ifndef C_HELLO_LINE_H
#define C_HELLO_LINE_H

#include <stddef.h>
#include <stdint.h>

#define LINE_CAPACITY 200

struct line {
    char text[LINE_CAPACITY];
    size_t len;
};

/* Starts the line with `text`. */
void line_start(struct line *line, const char *text);
void line_str(struct line *line, const char *text);
void line_u64(struct line *line, uint64_t value);
void line_i64(struct line *line, int64_t value);

#endif
