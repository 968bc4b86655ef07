/*
 * Why the bootloader stays: core/boot.c's decision (and the port's
 * bootin.c that gathers its inputs), compiled for the PC, over the
 * emulated chip's flash and RAM. The emulator observes what the firmware
 * does (jump into the app or start the drive); this only puts the reason
 * into the words dropboot-sim prints, and says when the two disagree.
 */
#ifndef DB_EMU_EXPLAIN_H
#define DB_EMU_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "config.h"

#define EXPLAIN_NOINIT_BYTES 64u /* the words at 0x20000000 that survive a reset (bootin.h) */
#define EXPLAIN_LOG_BYTES (DB_RECORD_PAGES * DB_PAGE_SIZE) /* the record log, as it was at the reset */

/* Decide as core/boot.c does over this flash image (2 MB at DB_FLASH_BASE). */
void explain_decide(const uint8_t *flash, const struct boot_inputs *in, struct boot_decision *d);
/* The whole boot decision on the inputs the firmware sees after a reset:
   the .noinit words, RCC_CSR and the button, gathered by the port's own
   bootin.c (compiled for the PC), then core/boot.c, over the record log as
   it was at the reset (the firmware appends to it while it decides). */
void explain_boot(const uint8_t *flash, const uint8_t log_at_reset[EXPLAIN_LOG_BYTES],
                  const uint8_t noinit[EXPLAIN_NOINIT_BYTES], uint32_t rcc_csr, bool button, struct boot_decision *d);

#endif
