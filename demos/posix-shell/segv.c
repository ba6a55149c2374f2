/* A program that dies by a page fault, so that the shell's smoke sees a
 * child killed by a signal (dash reports "Segmentation fault", $? 139). */

/* volatile: the compiler must load the pointer and make the access. */
static int *volatile nowhere;

int main(void)
{
    return *nowhere;
}
