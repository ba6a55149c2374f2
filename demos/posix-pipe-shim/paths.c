/* Programs found through the file tree: which paths start a program and
 * which fail as Linux's execve says (ENOENT, EACCES, ENOEXEC), PATH
 * search with posix_spawnp, and posix_spawn_file_actions_addopen. On
 * capOS posix-pipe is granted the manifest's tree read-only (its /bin
 * holds the manifest's binaries) and /tmp writable; on Linux /tmp is the
 * host's. Files made here are removed at the end. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int put(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) {
        return -1;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    /* The mode is set again: the umask may have taken bits. */
    return close(fd) == 0 && ok && chmod(path, mode) == 0 ? 0 : -1;
}

/* posix_spawn(path) of a child that says `what`; the errno, and the
 * child waited for when it started. */
static int try_spawn(const char *path, const char *what)
{
    pid_t pid;
    int status;
    fflush(stdout);
    int r = posix_spawn(&pid, path, NULL, NULL, child_argv("say", what), environ);
    if (r == 0) {
        waitpid(pid, &status, 0);
    }
    return r;
}

/* posix_spawnp("pipe-child") with PATH set to `path`. */
static int try_spawnp(const char *path, const char *what)
{
    pid_t pid;
    int status;
    char *saved = getenv("PATH");
    saved = saved ? strdup(saved) : NULL;
    setenv("PATH", path, 1);
    fflush(stdout);
    int r = posix_spawnp(&pid, "pipe-child", NULL, NULL, child_argv("say", what), environ);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("PATH");
    }
    if (r == 0) {
        waitpid(pid, &status, 0);
    }
    return r;
}

int demo_paths(void)
{
    int failures = 0, status = 0;
    pid_t pid = 0;
    char dir[64], file[96], script[96], plain[96], text[96], bin[PATH_MAX], path[PATH_MAX + 80];

    /* The directory holding pipe-child: /bin on capOS. */
    snprintf(bin, sizeof bin, "%s", child_path);
    char *slash = strrchr(bin, '/');
    if (!slash) {
        printf("FAIL: the child's path has no directory\n");
        return 1;
    }
    *slash = 0;
    snprintf(dir, sizeof dir, "/tmp/posix-pipe-%d", (int)getpid());
    snprintf(file, sizeof file, "%s/pipe-child", dir);
    snprintf(script, sizeof script, "%s/script", dir);
    snprintf(plain, sizeof plain, "%s/plain", dir);
    snprintf(text, sizeof text, "%s/text", dir);
    failures += check(mkdir(dir, 0755) == 0, "mkdir in /tmp");
    /* An executable file that is no program, and a file without an
     * execute bit under the child's name. */
    failures += check(put(script, "not a program\n", 0755) == 0, "an executable text file");
    failures += check(put(file, "not a program either\n", 0644) == 0, "a plain pipe-child");
    failures += check(put(plain, "plain\n", 0644) == 0, "a plain file");
    failures += check(put(text, "hello through addopen\n", 0644) == 0, "the addopen file");

    printf("posix_spawn of a directory: %s\n", errname(try_spawn(dir, "-")));
    printf("posix_spawn of a file without an execute bit: %s\n",
           errname(try_spawn(plain, "-")));
    printf("posix_spawn of an executable non-program: %s\n", errname(try_spawn(script, "-")));
    snprintf(path, sizeof path, "%s/pipe-child/x", dir);
    printf("posix_spawn through a file: %s\n", errname(try_spawn(path, "-")));
    /* ".." and "." resolve as on Linux. */
    snprintf(path, sizeof path, "%s/../%s/./pipe-child", bin, strrchr(bin, '/') + 1);
    printf("posix_spawn of BIN/../BIN/./pipe-child: %s\n",
           errname(try_spawn(path, "hello through a path with . and ..")));

    /* PATH: the plain pipe-child is skipped with EACCES, remembered when
     * nothing is found. */
    printf("posix_spawnp, PATH the plain file's directory: %s\n",
           errname(try_spawnp(dir, "-")));
    snprintf(path, sizeof path, "/nonexistent:%s:%s", dir, bin);
    printf("posix_spawnp, PATH missing:plain:bin: %s\n",
           errname(try_spawnp(path, "hello through PATH")));
    printf("posix_spawnp, PATH nowhere: %s\n", errname(try_spawnp("/nonexistent:/tmp", "-")));

    /* addopen: the child reads the file as its stdin (relay copies it to
     * its stdout); a missing one fails the spawn with open's errno. */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, text, O_RDONLY, 0);
    fflush(stdout);
    int r = spawn_child(&pid, "relay", "-", &fa);
    posix_spawn_file_actions_destroy(&fa);
    failures += check(r == 0 && waitpid(pid, &status, 0) == pid, "addopen and relay");
    describe("posix_spawn with addopen 0 <- a file", status);
    /* posix-pipe runs without a stdin on both systems. */
    failures += check(fcntl(0, F_GETFD) == -1, "the parent's fd 0 stays closed");

    posix_spawn_file_actions_init(&fa);
    snprintf(path, sizeof path, "%s/missing", dir);
    posix_spawn_file_actions_addopen(&fa, 0, path, O_RDONLY, 0);
    r = spawn_child(&pid, "relay", "-", &fa);
    posix_spawn_file_actions_destroy(&fa);
    printf("posix_spawn with addopen of a missing file: %s\n", errname(r));

    /* addopen with O_CREAT makes the file, before the child runs; the
     * child writes to it (its stdout). */
    posix_spawn_file_actions_init(&fa);
    snprintf(path, sizeof path, "%s/out", dir);
    posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    r = spawn_child(&pid, "say", "hello into a file", &fa);
    posix_spawn_file_actions_destroy(&fa);
    failures += check(r == 0 && waitpid(pid, &status, 0) == pid, "addopen O_CREAT and say");
    char got[128] = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, got, sizeof got - 1) : -1;
    if (fd >= 0) {
        close(fd);
    }
    printf("the file the child wrote: %s", n > 0 ? got : "(nothing)\n");

    failures += check(unlink(path) == 0 && unlink(text) == 0 && unlink(plain) == 0 &&
                          unlink(file) == 0 && unlink(script) == 0 && rmdir(dir) == 0,
                      "clean up");
    return failures;
}
