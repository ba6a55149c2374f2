/* printf and snprintf: integers, floats and their edge cases. */
#include "demo.h"
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int vformat(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

int demo_format(void)
{
    int fails = 0;
    printf("printf: %d %5.2f %e %s %x %c%%\n", -42, 3.14159, 1e-10, "str", 0xbeef, 'z');
    printf("ints: [%5d] [%-5d] [%05d] [%+d] [% d] [%o] [%#o] [%#x] [%#X]\n", 42, 42, 42, 42, 42,
           8, 8, 255, 255);
    printf("limits: %d %d %u %ld %lld %llu\n", INT_MIN, INT_MAX, UINT_MAX, LONG_MIN, LLONG_MAX,
           ULLONG_MAX);
    printf("sized: %" PRId8 " %" PRIu16 " %" PRIx32 " %" PRId64 " %zu %td %jd %hhu\n",
           (int8_t)-128, (uint16_t)65535, (uint32_t)0xdeadbeef, INT64_MIN, (size_t)SIZE_MAX,
           (ptrdiff_t)-1, (intmax_t)INTMAX_MAX, (unsigned char)300);
    printf("floats: %f %.0f %.1f %.10f %g %g %g\n", 0.1, 2.5, 0.05, 1.0 / 3, 100000.0, 1e6,
           0.0001);
    printf("floats: %e %E %.3e %a %A\n", 123456.789, 0.000123, -0.0, 1.0, 0.5);
    printf("specials: %f %f %f %e %g %F\n", INFINITY, -INFINITY, NAN, -0.0, -INFINITY, NAN);
    printf("extremes: %g %g %.17g %Lg\n", DBL_MAX, DBL_MIN, 0.1, 1.0L / 3);
    printf("rounding: %.2f %.2f %.0f %.0f %.3g\n", 2.675, 1.005, 0.5, 1.5, 1234567.0);
    printf("width: [%10.3f] [%-10.2e] [%*d] [%-*d] [%.*s]\n", 3.14159, 2718.28, 6, 7, 6, 7, 3,
           "abcdef");
    printf("strings: [%s] [%10s] [%-10s] [%.2s] [%c] [%ls]\n", "", "right", "left", "cut", 'A',
           L"wide");
    int n1 = 0, n2 = 0;
    printf("count: ab%ncd%n\n", &n1, &n2);
    printf("count: %d %d\n", n1, n2);
    printf("positional: %2$s %1$s\n", "world", "hello");

    char buf[16];
    /* Truncation on purpose; volatile keeps gcc from warning about it. */
    const char *volatile text = "a-long-string";
    int n = snprintf(buf, sizeof buf, "%s-%d", text, 123456);
    printf("snprintf truncated: \"%s\" returned %d\n", buf, n);
    fails += check(n == 20 && strlen(buf) == 15, "snprintf truncation");
    n = snprintf(NULL, 0, "%d", -1234567);
    printf("snprintf(NULL, 0): %d\n", n);
    n = vformat(buf, sizeof buf, "%x|%o", 255, 8);
    printf("vsnprintf: \"%s\" %d\n", buf, n);
    char *dyn = NULL;
    n = asprintf(&dyn, "%0*d", 30, 7);
    printf("asprintf: %d %s\n", n, dyn);
    free(dyn);
    char small[4];
    n = sprintf(small, "%3d", 999);
    fails += check(n == 3 && !strcmp(small, "999"), "sprintf");
    return fails;
}
