#include "greet.h"
#include <stdio.h>
#include <string.h>

int greet(char *buf, unsigned long len, const char *name)
{
    return snprintf(buf, len, "%s, %s (%zu characters)", GREETING, name, strlen(name));
}
