/* posix-getaddrinfo: names resolved by musl's own resolver, configured
 * only by files: /etc/hosts first, then the nameserver /etc/resolv.conf
 * names, asked over UDP through libcapos-posix's sockets. On capOS the
 * files come from the manifest's tree (system-posix-dns.cue) and the
 * nameserver is dnsmasq in the smoke's network namespace.
 *
 *   posix-getaddrinfo NAME...
 *
 * For each NAME: getaddrinfo's addresses (IPv4 and IPv6, sorted, so the
 * order of the answers does not matter) or its error, then
 * gethostbyname's first IPv4 address or its h_errno. Exits 0. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_ADDRS 16

static int by_text(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void lookup(const char *name)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res = NULL;
    char addrs[MAX_ADDRS][INET6_ADDRSTRLEN];
    int n = 0;
    int r = getaddrinfo(name, NULL, &hints, &res);
    if (r != 0) {
        printf("getaddrinfo %s: %s\n", name, gai_strerror(r));
    } else {
        for (struct addrinfo *ai = res; ai && n < MAX_ADDRS; ai = ai->ai_next) {
            const void *at = ai->ai_family == AF_INET
                                 ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                 : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            inet_ntop(ai->ai_family, at, addrs[n++], INET6_ADDRSTRLEN);
        }
        freeaddrinfo(res);
        qsort(addrs, (size_t)n, sizeof addrs[0], by_text);
        printf("getaddrinfo %s:", name);
        for (int i = 0; i < n; i++) {
            printf(" %s", addrs[i]);
        }
        printf("\n");
    }
    struct hostent *h = gethostbyname(name);
    if (!h || !h->h_addr_list[0]) {
        printf("gethostbyname %s: %s\n", name, hstrerror(h_errno));
    } else {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, h->h_addr_list[0], text, sizeof text);
        printf("gethostbyname %s: %s\n", name, text);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        printf("usage: posix-getaddrinfo NAME...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        lookup(argv[i]);
    }
    return 0;
}
