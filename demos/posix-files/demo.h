/*
 * posix-files: files and directories from C with musl, on capOS over the
 * Directory and File capabilities, and on Linux in a scratch directory:
 * tools/smoke/posix-files.diff.sh compares the two outputs byte for byte.
 * argv[1] is the directory to work in (capOS: /tmp, granted writable;
 * Linux: a fresh temporary directory); the program names everything
 * relative to it, so the outputs do not depend on where it is. With
 * argv[2] "capos" it also runs the parts only capOS can (a read-only
 * root, the store's quota), whose lines start "~ " and are skipped by
 * the comparison.
 *
 * Each section ends with fflush(stdout), so output reaches the console in
 * whole lines and the adapter's report lines never land inside one.
 */
#ifndef POSIX_FILES_DEMO_H
#define POSIX_FILES_DEMO_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

/* Prints "label: result, errno NAME" for a call that may fail, reading
   errno after the call (the order printf's arguments are evaluated in is
   unspecified). */
#define SHOW(label, call)                                                         \
    do {                                                                          \
        errno = 0;                                                                \
        long show_result_ = (long)(call);                                         \
        printf("%s: %ld, errno %s\n", (label), show_result_, errname(errno));     \
    } while (0)

/* Sections; each returns the number of failed checks. */
int demo_basics(void);
int demo_seek(void);
int demo_names(void);
int demo_dirs(void);
int demo_meta(void);
int demo_errors(void);
int demo_many(void);
int demo_devices(void);
int demo_capos(void);

/* The symbolic name of an errno value ("ENOENT"), or its number. */
const char *errname(int e);

/* Prints "FAIL: what" (and counts it) unless ok. */
int check(int ok, const char *what);

/* Writes `text` to a new file `path` (mode 0644); -1 on failure. */
int put_file(const char *path, const char *text);

/* Reads up to size-1 bytes of `path` into buf, NUL-terminated; -1 on failure. */
long get_file(const char *path, char *buf, size_t size);

#endif
