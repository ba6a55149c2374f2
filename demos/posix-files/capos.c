/* What only capOS can show (lines starting "~ ", not compared with Linux):
   the read-only root the manifest grants, and the store's quota. */
#include "demo.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int demo_capos(void)
{
    int failures = 0;
    char buf[128];
    long n = get_file("/etc/motd", buf, sizeof buf);
    printf("~ /etc/motd from the manifest: %s", n > 0 ? buf : "(unreadable)\n");
    errno = 0;
    int fd = open("/etc/motd", O_WRONLY);
    printf("~ open /etc/motd for writing through the read-only root: %d, errno %s\n", fd,
           errname(errno));
    SHOW("~ mkdir /etc/new", mkdir("/etc/new", 0755));
    SHOW("~ unlink /etc/motd", unlink("/etc/motd"));
    SHOW("~ access /etc/motd W_OK", access("/etc/motd", W_OK));

    /* Fill the store: a short write, then ENOSPC; nothing else lost. */
    failures += check(put_file("keep", "precious") == 0, "create keep");
    fd = open("fill", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static char chunk[65536];
    memset(chunk, 0xa5, sizeof chunk);
    long long total = 0;
    ssize_t w;
    while ((w = write(fd, chunk, sizeof chunk)) > 0) {
        total += w;
    }
    int full = errno;
    close(fd);
    get_file("keep", buf, sizeof buf);
    printf("~ filled the store: %lld bytes, then errno %s; keep holds \"%s\"\n", total,
           errname(full), buf);
    failures += check(full == ENOSPC && strcmp(buf, "precious") == 0, "ENOSPC, keep intact");
    unlink("fill");
    unlink("keep");
    fd = open("after", O_WRONLY | O_CREAT, 0644);
    w = write(fd, chunk, sizeof chunk);
    printf("~ after unlinking fill: a 64 KiB write takes %zd bytes\n", w);
    close(fd);
    unlink("after");
    return failures;
}
