/* errno from calls that must fail, the same on Linux and on capOS. */
#include "demo.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void report(const char *call, long result)
{
    printf("%s: %ld, errno %s\n", call, result, errname(errno));
}

int demo_errors(void)
{
    char byte = 0;
    errno = 0;
    report("close(-1)", close(-1));
    report("close(40)", close(40));
    report("write(40)", write(40, "x", 1));
    report("read(1)", read(1, &byte, 1));
    report("dup(-5)", dup(-5));
    report("dup2(1, -1)", dup2(1, -1));
    report("dup3(1, 1, 0)", dup3(1, 1, 0));
    void *p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("mmap(len 0)", p == MAP_FAILED ? -1 : 0);
    p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 40, 0);
    report("mmap(fd 40)", p == MAP_FAILED ? -1 : 0);
    report("munmap(misaligned)", munmap((void *)0x1001, 4096));
    p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED;
    if (ok) {
        memset(p, 1, 8192);
        ok = mprotect(p, 4096, PROT_READ) == 0 && ((char *)p)[4095] == 1 &&
             madvise(p, 8192, MADV_WILLNEED) == 0 && munmap(p, 8192) == 0;
    }
    printf("mmap, mprotect, madvise, munmap of 8 KiB: %s\n", ok ? "ok" : "FAILED");
    return check(ok, "anonymous mapping");
}
