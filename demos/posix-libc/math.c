/*
 * libm, linked with -lm: musl keeps the math functions in libc.a and its
 * libm.a is empty, so -lm must find that one (capos-cc's sealed sysroot),
 * never the host's. round, fmax and lround are the functions glibc's
 * libm.a used to slip into capOS binaries.
 */
#include "demo.h"
#include <fenv.h>
#include <math.h>
#include <stdio.h>

int demo_math(void)
{
    int fails = 0;
    /* volatile: computed at run time by libm, not folded by gcc. */
    volatile double half = 2.5, neg = -2.5, x = 0.7, big = 1e300;
    printf("round: %g %g %g lround: %ld %ld llround: %lld\n", round(half), round(neg),
           round(x), lround(half), lround(neg), llround(big / 1e290));
    printf("fmax: %g %g %g fmin: %g fmax(nan, 1): %g\n", fmax(half, neg), fmax(neg, x),
           fmax(-0.0, 0.0), fmin(half, neg), fmax(NAN, 1.0));
    printf("floor %g ceil %g trunc %g rint %g nearbyint %g fmod %g remainder %g\n", floor(neg),
           ceil(neg), trunc(neg), rint(half), nearbyint(neg), fmod(7.5, 2.0),
           remainder(7.5, 2.0));
    printf("sqrt %.17g cbrt %.17g hypot %.17g pow %.17g\n", sqrt(half), cbrt(27.0 * x),
           hypot(3.0, 4.0 * x), pow(half, 10.0 * x));
    printf("exp %.17g log %.17g log10 %.17g log2 %.17g expm1 %.17g log1p %.17g\n", exp(x),
           log(half), log10(big), log2(x), expm1(1e-10 * x), log1p(x));
    printf("sin %.17g cos %.17g tan %.17g atan2 %.17g sinh %.17g tanh %.17g\n", sin(x), cos(x),
           tan(x), atan2(neg, x), sinh(x), tanh(half));
    printf("frexp/ldexp: ");
    int e;
    double m = frexp(big, &e);
    printf("%.17g * 2^%d = %g, ldexp back: %s\n", m, e, ldexp(m, e), ldexp(m, e) == big ? "yes" : "no");
    printf("float: %.9g %.9g %.9g long double: %.21Lg\n", (double)roundf(1.5f), (double)sqrtf(2.0f),
           (double)fmaxf(1.0f, 2.0f), sqrtl(2.0L));
    printf("classify: %d %d %d %d isnan %d isinf %d signbit %d\n", fpclassify(0.0) == FP_ZERO,
           fpclassify(x) == FP_NORMAL, fpclassify(big * big) == FP_INFINITE,
           fpclassify(NAN) == FP_NAN, isnan(NAN) != 0, isinf(-INFINITY) != 0, signbit(-0.0) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double zero = 0.0, r = 1.0 / zero;
    printf("fenv: 1/0 = %g raises FE_DIVBYZERO: %s\n", r, fetestexcept(FE_DIVBYZERO) ? "yes" : "no");
    fails += check(round(half) == 3.0 && lround(neg) == -3 && fmax(half, neg) == half, "libm");
    return fails;
}
