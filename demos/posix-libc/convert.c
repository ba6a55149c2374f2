/* strto*, ato* and their errno and end-pointer behaviour. */
#include "demo.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int demo_convert(void)
{
    int fails = 0;
    char *end;
    long l = strtol("  -123xyz", &end, 10);
    printf("strtol: %ld rest \"%s\"\n", l, end);
    printf("strtol bases: %ld %ld %ld %ld %ld\n", strtol("0x1f", NULL, 0), strtol("017", NULL, 0),
           strtol("z", NULL, 36), strtol("101", NULL, 2), strtol("ff", NULL, 16));
    errno = 0;
    l = strtol("99999999999999999999", &end, 10);
    printf("strtol overflow: %ld errno %s\n", l, errno == ERANGE ? "ERANGE" : "unexpected");
    errno = 0;
    unsigned long long u = strtoull("18446744073709551615", NULL, 10);
    printf("strtoull max: %llu errno %d\n", u, errno);
    printf("strtoul negative: %lu\n", strtoul("-1", NULL, 10));
    errno = 0;
    l = strtol("nope", &end, 10);
    printf("strtol no digits: %ld, end at start: %s\n", l, *end == 'n' ? "yes" : "no");
    double d = strtod("  6.02214076e23 mol", &end);
    printf("strtod: %.9g rest \"%s\"\n", d, end);
    printf("strtod forms: %g %g %g %g %a\n", strtod("-0x1.8p1", NULL), strtod("inf", NULL),
           strtod("-nan", NULL), strtod(".5e-3", NULL), strtod("0.1", NULL));
    errno = 0;
    d = strtod("1e999", NULL);
    printf("strtod overflow: %g errno %s\n", d, errno == ERANGE ? "ERANGE" : "unexpected");
    printf("strtof: %.9g strtold: %.21Lg\n", (double)strtof("0.1", NULL), strtold("0.1", NULL));
    printf("atoi: %d %d %d atol: %ld atoll: %lld atof: %g\n", atoi("42"), atoi(" -7abc"),
           atoi("x"), atol("2147483648"), atoll("-9223372036854775807"), atof("2.5e2"));
    fails += check(strtoimax("12", NULL, 10) == 12, "strtoimax");
    return fails;
}
