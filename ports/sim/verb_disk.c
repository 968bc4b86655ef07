/* verb_disk.c: not written yet (owner: drive). */
#include <stdio.h>

#include "verbs.h"

static int not_yet(const char *verb)
{
    fprintf(stderr, "dropboot-sim: %s is not implemented yet\n", verb);
    return 2;
}

int sim_verb_dump(int argc, char **argv) { (void)argc; (void)argv; return not_yet("dump"); }
int sim_verb_replay(int argc, char **argv) { (void)argc; (void)argv; return not_yet("replay"); }
int sim_verb_status(int argc, char **argv) { (void)argc; (void)argv; return not_yet("status"); }
