/* verb_serve.c: not written yet (owner: usb). */
#include <stdio.h>

#include "verbs.h"

int sim_verb_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "dropboot-sim: serve is not implemented yet\n");
    return 2;
}
