/*
 * Why the bootloader stays: core/boot.c's decision, compiled for the PC,
 * over the emulated chip's flash. The emulator observes what the firmware
 * does (jump into the app or start the drive); this only puts the reason
 * into the words dropboot-sim prints, and says when the two disagree.
 */
#ifndef DB_EMU_EXPLAIN_H
#define DB_EMU_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"

/* Decide as core/boot.c does over this flash image (2 MB at DB_FLASH_BASE). */
void explain_decide(const uint8_t *flash, const struct boot_inputs *in, struct boot_decision *d);

#endif
