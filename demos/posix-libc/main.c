/* posix-libc: runs every section, then exits through atexit handlers. */
#include "demo.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

int check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
    }
    return !ok;
}

const char *errname(int e)
{
    static const struct {
        int value;
        const char *name;
    } names[] = {
        {0, "0"},           {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},
        {EBADF, "EBADF"},   {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {ENODEV, "ENODEV"},
        {EINVAL, "EINVAL"}, {EMFILE, "EMFILE"}, {ENOTTY, "ENOTTY"}, {ENOSYS, "ENOSYS"},
    };
    static char other[16];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].value == e) {
            return names[i].name;
        }
    }
    snprintf(other, sizeof other, "%d", e);
    return other;
}

static void last(void)
{
    /* Runs after first(): atexit handlers run in reverse order. */
    printf("atexit: second handler, %d failures\n", failures);
    printf("done\n");
}

static void first(void)
{
    printf("atexit: first handler\n");
}

int main(int argc, char **argv)
{
    printf("hello from musl on capOS: argc=%d argv[0]=%s\n", argc, argv[0]);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    }
    printf("argv[argc] is %s\n", argv[argc] ? "set" : "NULL");
    const char *demo = getenv("CAPOS_DEMO");
    printf("getenv CAPOS_DEMO: %s\n", demo ? demo : "(unset)");
    printf("getenv MISSING: %s\n", getenv("MISSING") ? "set" : "(unset)");
    failures += check(setenv("ADDED", "yes", 0) == 0, "setenv");
    failures += check(setenv("ADDED", "no", 0) == 0, "setenv without overwrite");
    printf("setenv ADDED: %s\n", getenv("ADDED"));
    failures += check(unsetenv("ADDED") == 0 && !getenv("ADDED"), "unsetenv");
    /* putenv puts the string itself in the environment: changing it
     * changes the variable. */
    static char put[] = "PUT=through putenv";
    failures += check(putenv(put) == 0, "putenv");
    put[4] = 'T';
    printf("putenv PUT: %s\n", getenv("PUT"));
    failures += check(unsetenv("PUT") == 0 && !getenv("PUT"), "unsetenv after putenv");
    fflush(stdout);

    int (*const sections[])(void) = {
        demo_format, demo_convert, demo_strings, demo_malloc, demo_time,
        demo_jump, demo_errors, demo_fds, demo_signals, demo_unsupported, demo_stdio,
        demo_math, demo_tls,
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        failures += sections[i]();
        fflush(stdout);
    }
    if (atexit(last) || atexit(first)) {
        printf("FAIL: atexit\n");
        return 1;
    }
    printf("exit status: %d\n", failures ? EXIT_FAILURE : EXIT_SUCCESS);
    exit(failures ? EXIT_FAILURE : EXIT_SUCCESS);
}
