/* String and memory functions, qsort and bsearch. */
#include "demo.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int sort_and_search(void)
{
    int fails = 0;
    int v[64];
    unsigned seed = 12345;
    for (int i = 0; i < 64; i++) {
        seed = seed * 1103515245 + 12345;
        v[i] = (int)(seed >> 16) % 1000 - 500;
    }
    qsort(v, 64, sizeof v[0], by_value);
    int sorted = 1;
    for (int i = 1; i < 64; i++) {
        sorted &= v[i - 1] <= v[i];
    }
    printf("qsort 64 ints: %s, min %d max %d median %d\n", sorted ? "sorted" : "NOT sorted", v[0],
           v[63], v[32]);
    fails += check(sorted, "qsort");
    int key = v[17];
    int *hit = bsearch(&key, v, 64, sizeof v[0], by_value);
    int missing = 501;
    printf("bsearch: %d found %s, %d %s\n", key, hit && *hit == key ? "yes" : "no", missing,
           bsearch(&missing, v, 64, sizeof v[0], by_value) ? "found" : "absent");
    const char *names[] = {"pear", "apple", "fig", "banana", "cherry"};
    qsort(names, 5, sizeof names[0], by_name);
    printf("qsort strings: %s %s %s %s %s\n", names[0], names[1], names[2], names[3], names[4]);
    return fails;
}

int demo_strings(void)
{
    int fails = 0;
    char buf[64];
    strcpy(buf, "capability");
    strcat(buf, "-based");
    printf("strlen %zu strnlen %zu\n", strlen(buf), strnlen(buf, 4));
    printf("strcmp %d %d %d strncmp %d strcasecmp %d\n", strcmp("a", "b") < 0, strcmp("b", "a") > 0,
           strcmp("x", "x"), strncmp("abcd", "abcf", 3), strcasecmp("CapOS", "capos"));
    printf("strchr %s strrchr %s strstr %s\n", strchr(buf, 'a'), strrchr(buf, 'a'),
           strstr(buf, "based"));
    printf("strspn %zu strcspn %zu strpbrk %s\n", strspn("aabbc", "ab"), strcspn("hello", "lo"),
           strpbrk("capos", "op"));
    char line[] = "one, two,,three";
    char *save, *tok = strtok_r(line, ", ", &save);
    printf("strtok_r:");
    while (tok) {
        printf(" [%s]", tok);
        tok = strtok_r(NULL, ", ", &save);
    }
    printf("\n");
    char *dup = strdup("duplicate");
    char *ndup = strndup("duplicate", 3);
    printf("strdup %s strndup %s\n", dup, ndup);
    free(dup);
    free(ndup);
    char small[8];
    size_t n = strlcpy(small, "truncated", sizeof small);
    printf("strlcpy: %s (%zu)\n", small, n);
    unsigned char mem[32];
    memset(mem, 0xab, sizeof mem);
    memcpy(mem + 4, "\x01\x02\x03\x04", 4);
    memmove(mem + 6, mem + 4, 8);
    printf("memmove:");
    for (int i = 0; i < 12; i++) {
        printf(" %02x", mem[i]);
    }
    printf("\n");
    printf("memcmp %d %d memchr %td memrchr %td\n", memcmp("abc", "abd", 3) < 0,
           memcmp("abc", "abc", 3), (unsigned char *)memchr(mem, 0x03, 32) - mem,
           (unsigned char *)memrchr(mem, 0xab, 32) - mem);
    printf("ctype: %d%d%d%d%d %c%c\n", !!isalpha('q'), !!isdigit('7'), !!isspace('\t'),
           !!isupper('a'), !!ispunct('!'), toupper('m'), tolower('Q'));
    printf("strerror: %s | %s\n", strerror(2), strerror(38));
    fails += check(strcmp(buf, "capability-based") == 0, "strcat");
    return fails + sort_and_search();
}
