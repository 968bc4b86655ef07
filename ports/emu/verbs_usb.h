/*
 * The USB verbs of dropboot-emu (dump, replay, serve): same options and
 * output as dropboot-sim's (ports/sim/verb_disk.c, verb_serve.c), run
 * against the emulated chip through the OTG FS model. Provided by the USB
 * half (verb_usb.c); main.c calls them.
 */
#ifndef DB_EMU_VERBS_USB_H
#define DB_EMU_VERBS_USB_H

#include "emu.h"

int emu_verb_dump(struct emu *e, int argc, char **argv);
int emu_verb_replay(struct emu *e, int argc, char **argv);
int emu_verb_serve(struct emu *e, int argc, char **argv);
/* Registers the DWC2 OTG FS model (otg.c). */
void emu_otg_attach(struct emu *e);

#endif
