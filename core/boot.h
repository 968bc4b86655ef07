/*
 * The boot decision: start the app, or stay in the bootloader, and why.
 *
 * Pure logic: the port gathers the inputs (reset cause, button, RAM magic)
 * and does the jump; this module only decides, so the simulator and tests
 * take the same decision the chip takes. Owner: flash/boot.
 */
#ifndef DB_BOOT_H
#define DB_BOOT_H

#include <stdbool.h>
#include <stdint.h>

/* A word both the bootloader and apps know; an app writes it then resets. */
#define BOOT_MAGIC_STAY 0xB007D0A1u /* "boot, do a drive" */

enum boot_reason {
    BOOT_START_APP,        /* valid record, intact image, plausible vectors */
    BOOT_STAY_NO_RECORD,   /* no valid boot record (empty, or an update was cut short) */
    BOOT_STAY_APP_CORRUPT, /* record valid but the image's CRC does not match (DB_BOOT_FULL_CRC only) */
    BOOT_STAY_BAD_VECTORS, /* image's stack pointer or reset handler not plausible */
    BOOT_STAY_REQUESTED,   /* the app asked (BOOT_MAGIC_STAY in RAM) */
    BOOT_STAY_BUTTON,      /* the user button was held at reset */
    BOOT_STAY_DOUBLE_RESET,/* two resets within the double-reset window */
    BOOT_STAY_AFTER_UPDATE,/* an update attempt ended without a new app: show STATUS.TXT */
};

struct boot_inputs {
    bool stay_magic;   /* BOOT_MAGIC_STAY found in the shared RAM word */
    bool button;       /* user button held */
    bool double_reset; /* second reset inside the window */
    bool after_update; /* the bootloader reset itself after a failed update */
    uint32_t confirm_seq; /* the app confirmed its trial image (its seq, through RAM); 0: no */
    bool query_only;   /* decide without writing attempt, confirm or rollback records ("what would it do") */
};

struct boot_decision {
    enum boot_reason reason;
    uint32_t app_sp; /* initial stack pointer, when reason == BOOT_START_APP */
    uint32_t app_pc; /* reset handler (Thumb bit set), likewise */
    uint32_t slot;   /* enum bootrec_slot of the image started */
    bool swap;       /* its bank must be swapped to DB_APP_BASE (slot B) */
    uint32_t seq;    /* its commit number */
    bool trial;      /* started on trial (attempts counts this start) */
    uint32_t attempts;
    bool rolled_back;/* the newest image ran out of trial starts: this is the one before it */
};

/*
 * Read the record log and the app's vector table through flash.h and decide.
 * Unless in->query_only, it also writes what the decision means to the log:
 * the app's confirm, one more start of a trial image, or a rollback.
 */
void boot_decide(const struct boot_inputs *in, struct boot_decision *d);

/* Plausible Cortex-M vector table for an app at DB_APP_BASE of app_size bytes? */
bool boot_vectors_plausible(uint32_t sp, uint32_t pc, uint32_t app_size);

/* One line for the log, the simulator's `status` verb and STATUS.TXT. */
const char *boot_reason_text(enum boot_reason r);

#endif
