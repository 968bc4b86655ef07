/*
 * Verbs of the host tool that live in their own file; each gets the
 * arguments after its name and returns the exit code. Owner: decoders.
 */
#ifndef DB_TOOL_VERBS_H
#define DB_TOOL_VERBS_H

int verb_flash(int argc, char **argv); /* verb_flash.c */

#endif
