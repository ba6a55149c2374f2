#ifndef GREET_H
#define GREET_H

/* Writes "GREETING, NAME (N characters)" into buf; returns its length. */
int greet(char *buf, unsigned long len, const char *name);

#endif
