#include <stdio.h>
int main(void) { printf("int %zu long %zu", sizeof(int), sizeof(long)); return 3; }
