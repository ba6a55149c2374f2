/* The tiny static program bench.c's spawn-wait starts: it only exits. */
int main(void)
{
    return 0;
}
