/*
 * The boot record log: what the bootloader knows about the two slots.
 *
 * Records are appended to the last DB_RECORD_PAGES erase units (DB_RECORD_UNIT_SIZE each) of the bootloader's
 * own region, never to the app area, so apps may use the end of flash and a
 * record costs one 32-byte write, not a page erase. Each record is four
 * double-words with its own CRC (a torn write never validates and is stepped
 * over). A page starts with a header whose generation says which page is the
 * log now; when it is full the state is written to the other page, header
 * last, and only then is that page the log (a power cut in between leaves
 * the old page in charge). The state is the log played back in order:
 * - IMAGE: a verified image was committed into a slot (A, B, or WHOLE: a
 *   single image over both banks); it is on trial until confirmed;
 * - ERASE: a slot is about to be overwritten: what it held is gone;
 * - ATTEMPT: the bootloader started a trial image once more;
 * - CONFIRM: the app said the image works (dropboot_confirm());
 * - REJECT: a trial image was started DB_TRIAL_BOOTS times without a
 *   confirm: the bootloader went back to the other slot.
 * Owner: flash/boot.
 */
#ifndef DB_BOOTREC_H
#define DB_BOOTREC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "flash.h"

#define BOOTREC_MAGIC 0x44425232u /* "DBR2": a record of the log */

enum bootrec_format { BOOTREC_FMT_UF2 = 1, BOOTREC_FMT_HEX = 2, BOOTREC_FMT_BIN = 3 };
enum bootrec_slot { BOOTREC_SLOT_A = 0, BOOTREC_SLOT_B = 1, BOOTREC_SLOT_WHOLE = 2 };
enum bootrec_type {
    BOOTREC_PAGE = 1,
    BOOTREC_IMAGE,
    BOOTREC_ERASE,
    BOOTREC_ATTEMPT,
    BOOTREC_CONFIRM,
    BOOTREC_REJECT,
};

/* One record as stored: eight little-endian words. */
struct bootrec_entry {
    uint32_t magic;
    uint32_t type;   /* enum bootrec_type */
    uint32_t seq;    /* IMAGE: its number (commits count up); others: the image they are about; PAGE: generation */
    uint32_t slot;   /* enum bootrec_slot */
    uint32_t size;   /* IMAGE: bytes from the slot's base */
    uint32_t crc;    /* IMAGE: CRC-32 of those bytes */
    uint32_t format; /* IMAGE: enum bootrec_format */
    uint32_t rec_crc;/* CRC-32 of the 28 bytes above */
};

/* An image the log knows, by the slot it starts in (WHOLE images are kept under A). */
struct bootrec {
    bool valid;        /* committed and not erased since */
    uint32_t slot;     /* enum bootrec_slot */
    uint32_t app_base; /* where it is linked: DB_APP_BASE */
    uint32_t phys;     /* where it lies in flash (unswapped addresses) */
    uint32_t app_size;
    uint32_t app_crc;
    uint32_t seq;
    uint32_t format;
    bool confirmed;
    bool rejected;     /* rolled back */
    uint32_t attempts; /* trial starts */
};

struct bootrec_state {
    struct bootrec img[2]; /* by slot A, B */
    uint32_t next_seq;     /* for the next IMAGE */
    uint32_t page;         /* index of the log's page */
    uint32_t generation;
    uint32_t free_entry;   /* first unwritten entry of the page; entries per page when full */
};

/* Play the log back. Always fills st (no log: no images). */
void bootrec_load(struct bootrec_state *st);
/* Append a record (moving the log to the other page when this one is full). */
enum flash_status bootrec_append(struct bootrec_state *st, const struct bootrec_entry *e);

/* The image the bootloader starts: the newest valid, unrejected one. NULL if none. */
const struct bootrec *bootrec_active(const struct bootrec_state *st);
/* The other slot's valid image, if any (the one a rollback goes back to). */
const struct bootrec *bootrec_other(const struct bootrec_state *st, const struct bootrec *active);
/* What STATUS.TXT and the tools call a slot's image. */
const char *bootrec_state_name(const struct bootrec_state *st, uint32_t slot);
/* The slot's base in flash; the largest image it takes. */
uint32_t bootrec_slot_base(uint32_t slot);
uint32_t bootrec_slot_max(uint32_t slot);

/* Compatibility for readers that only want the active image: true when there is one. */
bool bootrec_read(struct bootrec *r);

/* CRC-32 of [phys, phys + size) as flash reads it (FLASH_ERR_ECC if unreadable). */
enum flash_status bootrec_image_crc(uint32_t phys, uint32_t size, uint32_t *crc);
/* True when the image's CRC-32 in flash matches its record. */
bool bootrec_app_intact(const struct bootrec *r);

#endif
