/* posix-make: two files and an archive built by a plain Makefile. */
#include "greet.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    char line[80];
    greet(line, sizeof line, argc > 1 ? argv[1] : "capOS");
    puts(line);
    return 0;
}
