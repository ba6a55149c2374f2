/* What only capOS can show (lines starting "~ ", not compared with Linux):
   the read-only root the manifest grants, the store's quota, /proc from a
   server, and names resolved through the manifest's /etc/hosts. */
#include "demo.h"
#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* /proc is served by a process (files-proc), not the kernel: the same
   readdir, open, read and stat reach it. */
static int proc(void)
{
    int failures = 0;
    DIR *dir = opendir("/proc");
    if (!dir) {
        printf("FAIL: opendir /proc: errno %s\n", errname(errno));
        return 1;
    }
    char *names[16];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && count < 16) {
        if (e->d_name[0] != '.') {
            names[count++] = strdup(e->d_name);
        }
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    printf("~ /proc (served by files-proc) holds %d files:", count);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
    }
    printf("\n");
    for (int i = 0; i < count; i++) {
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/%s", names[i]);
        long n = get_file(path, buf, sizeof buf);
        for (char *p = buf; n > 0 && *p; p++) {
            if (*p == '\n') {
                *p = *(p + 1) ? ';' : 0;
            }
        }
        printf("~ %s: %s\n", path, n > 0 ? buf : "(unreadable)");
        failures += check(n > 0, "read a /proc file");
        free(names[i]);
    }
    struct stat st;
    failures += check(stat("/proc/self", &st) == 0 && S_ISREG(st.st_mode), "stat /proc/self");
    printf("~ stat /proc/self: a regular file of %lld bytes, mode %o\n", (long long)st.st_size,
           (unsigned)(st.st_mode & 07777));
    SHOW("~ open /proc/self for writing", open("/proc/self", O_WRONLY));
    SHOW("~ unlink /proc/self", unlink("/proc/self"));
    return failures;
}

/* musl's getaddrinfo and gethostbyname read /etc/hosts (here the
   manifest's, system-posix-files.cue) through open and read before any
   DNS; names found there never need a network, which posix-files has
   not. */
static int hosts(void)
{
    int failures = 0;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int r = getaddrinfo("capos.test", "80", &hints, &res);
    char text[INET_ADDRSTRLEN] = "-";
    if (r == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
        printf("~ getaddrinfo capos.test from /etc/hosts: %s port %d\n", text,
               ntohs(sin->sin_port));
        freeaddrinfo(res);
    } else {
        printf("~ getaddrinfo capos.test: %s\n", gai_strerror(r));
    }
    failures += check(r == 0 && strcmp(text, "10.0.2.99") == 0, "capos.test from /etc/hosts");
    struct hostent *h = gethostbyname("capos");
    if (h && h->h_addrtype == AF_INET) {
        inet_ntop(AF_INET, h->h_addr_list[0], text, sizeof text);
        printf("~ gethostbyname capos (an alias in /etc/hosts): %s, canonical %s\n", text,
               h->h_name);
    } else {
        printf("~ gethostbyname capos: h_errno %d\n", h_errno);
    }
    failures += check(h != NULL, "gethostbyname of an alias");
    return failures;
}

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
    failures += proc();
    failures += hosts();
    return failures;
}
