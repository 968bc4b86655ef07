/* dropboot host tool: not written yet (owner: tool). */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "dropboot: not implemented yet\n");
    return 2;
}
