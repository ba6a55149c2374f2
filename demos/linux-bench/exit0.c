/* The tiny static program the spawn-wait benchmarks start: it only
 * exits. Built for Linux by build.sh (bench.c's spawn-wait) and for
 * capOS with capos-cc (`make posix-build`; bench.rs's spawn-wait-c). */
int main(void)
{
    return 0;
}
