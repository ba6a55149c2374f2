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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Lines each of two writers puts in one file. */
#define LINES 1000

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

/* Reads the file behind `fd` (by pread) and checks it holds `each`
 * whole lines from the parent and from the child, in order per writer,
 * and nothing else; prints what it found. */
static int count_lines(int fd, int each)
{
    static char text[2 * LINES * 12 + 1];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n < 0) {
        return check(0, "read the lines back");
    }
    text[n] = 0;
    int parent = 0, child = 0, broken = 0, switches = 0, last = 0;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (!end) {
            broken++;
            break;
        }
        *end = 0;
        int at;
        int who = 0;
        if (sscanf(line, "parent %d", &at) == 1 && at == parent && strlen(line) == 11) {
            parent++;
            who = 1;
        } else if (sscanf(line, "child %d", &at) == 1 && at == child && strlen(line) == 10) {
            child++;
            who = 2;
        } else {
            broken++;
        }
        switches += last && who && who != last;
        last = who ? who : last;
        line = end + 1;
    }
    /* How often the writers took turns depends on the scheduler. */
    printf("~ the writers took turns %d times\n", switches);
    printf("two writers at once: %d parent lines, %d child lines, %d broken, %ld bytes\n",
           parent, child, broken, (long)n);
    return check(parent == each && child == each && broken == 0, "the lines of two writers");
}

/* Parent and child write LINES lines each into one description at the
 * same time, one write per line: every line lands whole, none over
 * another, as each write moves the one offset past itself. The parent
 * starts once the child's first line is in, so that they overlap. */
static int two_writers(const char *path)
{
    int failures = 0, status = 0;
    pid_t pid;
    char count[16];
    snprintf(count, sizeof count, "%d", LINES);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    failures += check(fd >= 0, "open the file of two writers");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 3);
    failures += check(spawn_child(&pid, "fdlines", count, &fa) == 0, "spawn fdlines");
    posix_spawn_file_actions_destroy(&fa);
    struct stat st = {0};
    const struct timespec ms = {0, 1000000};
    for (int i = 0; i < 5000 && fstat(fd, &st) == 0 && st.st_size == 0; i++) {
        nanosleep(&ms, NULL);
    }
    for (int i = 0; i < LINES; i++) {
        char line[16];
        int len = snprintf(line, sizeof line, "parent %04d\n", i);
        failures += check(write(fd, line, (size_t)len) == len, "a parent line");
    }
    failures += check(waitpid(pid, &status, 0) == pid, "wait for fdlines");
    describe("a child writing beside its parent", status);
    failures += count_lines(fd, LINES);
    close(fd);
    failures += check(unlink(path) == 0, "unlink the file of two writers");
    return failures;
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
    lseek(fd, 0, SEEK_SET);
    failures += check(write(fd, "parent appends\n", 15) == 15, "the parent appends");
    /* The child's F_SETFL changes the flag for both. */
    failures += run("fdnoappend", "-", &fa, "a child clearing O_APPEND");
    printf("the parent's O_APPEND after that: %s\n",
           fcntl(fd, F_GETFL) & O_APPEND ? "set" : "clear");
    posix_spawn_file_actions_destroy(&fa);
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
    failures += two_writers(path);
    return failures;
}
