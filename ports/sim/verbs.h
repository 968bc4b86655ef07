/*
 * dropboot-sim verbs. main.c has opened the flash image; each verb gets the
 * arguments after its name and returns the process exit code.
 */
#ifndef DB_SIM_VERBS_H
#define DB_SIM_VERBS_H

int sim_verb_dump(int argc, char **argv);   /* verb_disk.c */
int sim_verb_replay(int argc, char **argv); /* verb_disk.c */
int sim_verb_status(int argc, char **argv); /* verb_disk.c */
int sim_verb_serve(int argc, char **argv);  /* verb_serve.c */

#endif
