#include <math.h>
#include <stdio.h>
void greet(const char *who) { printf("hello, %s (%g)\n", who, round(2.5)); }
