/* What a spawned child shares with its parent besides pipes: an open
 * file's description (one offset and one O_APPEND flag for both, as
 * POSIX says), and the parent's directories (the same absolute paths,
 * and its working directory). On capOS the descriptor crosses as the
 * kernel's File capability, which is the description; the directories
 * cross as the parent's mounts and "cwd:PATH". */
#include "demo.h"
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Spawns pipe-child in `mode` with `arg` and the file actions `fa`,
 * waits, and says how it ended. */
static int run(const char *mode, const char *arg, posix_spawn_file_actions_t *fa,
               const char *what)
{
    pid_t pid;
    int status = 0;
    int r = spawn_child(&pid, mode, arg, fa);
    int failed = check(r == 0 && waitpid(pid, &status, 0) == pid, what);
    if (!failed) {
        describe(what, status);
    }
    return failed;
}

/* Prints the whole file behind `fd` (read with pread: no offset moves). */
static void show(int fd)
{
    char got[256];
    ssize_t n = pread(fd, got, sizeof got - 1, 0);
    got[n > 0 ? n : 0] = 0;
    printf("the file holds:\n%s", got);
}

int demo_shared(void)
{
    int failures = 0;
    char path[96], name[64], cwd[PATH_MAX];
    snprintf(name, sizeof name, "posix-pipe-shared-%d", (int)getpid());
    snprintf(path, sizeof path, "/tmp/%s", name);

    /* Both write through one description: nothing is overwritten. */
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    failures += check(fd >= 0, "open the shared file");
    failures += check(write(fd, "parent 1\n", 9) == 9, "the parent's first write");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 3);
    failures += run("fdwrite", "child 1", &fa, "a child writing to the shared file");
    failures += check(write(fd, "parent 2\n", 9) == 9, "the parent's second write");
    printf("the parent's offset after both wrote: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    show(fd);

    /* The child's lseek moves the parent's offset. */
    failures += run("fdseek", "4", &fa, "a child seeking the shared file");
    printf("the parent's offset after the child's lseek: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    char got[16] = {0};
    failures += check(read(fd, got, 5) == 5, "the parent reads where the child seeked");
    printf("the parent read from there: %s", got);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);

    /* O_APPEND belongs to the description: the child sees it and
     * appends; the parent, seeked to 0, appends too. */
    fd = open(path, O_WRONLY | O_APPEND);
    failures += check(fd >= 0, "open the file O_APPEND");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 3);
    failures += run("fdwrite", "child appends", &fa, "a child appending");
    posix_spawn_file_actions_destroy(&fa);
    lseek(fd, 0, SEEK_SET);
    failures += check(write(fd, "parent appends\n", 15) == 15, "the parent appends");
    close(fd);
    fd = open(path, O_RDONLY);
    show(fd);
    close(fd);

    /* The child names files as its parent does: by the absolute path,
     * and by a relative one from the parent's working directory. */
    failures += run("cat", path, NULL, "a child reading the file by its path");
    failures += check(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    failures += check(chdir("/tmp") == 0, "chdir /tmp");
    failures += run("pwd", "-", NULL, "a child asked for its working directory");
    failures += run("cat", name, NULL, "a child reading the file by a relative path");
    failures += check(chdir(cwd) == 0, "chdir back");
    /* The directories keep their facets: on capOS the tree's root is
     * read-only here, so the child cannot open its own program for
     * writing (EROFS); on Linux that is ETXTBSY. */
    failures += run("openw", child_path, NULL, "a child opening its program for writing");
    failures += check(unlink(path) == 0, "unlink the shared file");
    return failures;
}
