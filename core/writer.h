/*
 * The flash writer, the one flash sink of every format: turns (address,
 * bytes) in any order into erased and programmed flash, then verifies and
 * commits.
 *
 * The erase rule, the same for every format, kept here where the erase
 * happens: nothing is erased (and the boot record is not touched) before the
 * writer was armed with the image's vector table, and it is armed only with
 * one this board could start: initial SP word-aligned inside RAM, reset
 * handler a Thumb address inside the app area past the table
 * (writer_check_vectors). Streams hold their data until they know the table.
 *
 * - An update writes the slot that is not active (with A/B off, the one
 *   slot: the whole app area); before the first erase the log says that
 *   slot's old image is gone (an ERASE record). An image that outgrows
 *   slot A runs on into bank 2 (single slot, both old images gone); one
 *   that outgrows slot B is refused (DB_ERR_SLOT_FULL), the active app
 *   untouched.
 * - An erase unit (a page, or a sector of any size: core/geometry.h) is
 *   erased when the first byte for it arrives, never twice in one update;
 *   bank 2 of a dual-bank chip is erased whole at its first byte (one
 *   bank erase; its first DB_BOOT_SIZE bytes are no slot's);
 *   the writer holds one page (DB_PAGE_SIZE, the smallest unit) in RAM at a
 *   time; programming is by double-word.
 * - Bytes for a double-word may arrive in pieces and out of order (HEX
 *   records, UF2 payloads that are not a multiple of 8): a half-filled
 *   double-word is never programmed while the page moves on; it waits in a
 *   small table until its other bytes come or the commit (then 0xFF fills it).
 * - Nothing outside the target slot is ever erased or programmed.
 * - Commit: flush, read back and compare, check the vector table against the
 *   final size, CRC-32 the image, write the record.
 * Owner: flash/boot.
 */
#ifndef DB_WRITER_H
#define DB_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "geometry.h"
#include "status.h"

#define WRITER_UNIT_BITMAP_BYTES ((GEOMETRY_UNITS_MAX + 7u) / 8u) /* one bit per erase unit: erased in this update */
#define WRITER_BYTE_MAP_BYTES (DB_PAGE_SIZE / 8u)                 /* one bit per byte of the page buffer */
#define WRITER_DW_MAP_BYTES (DB_PAGE_SIZE / DB_PROG_UNIT / 8u)    /* one bit per double-word of the page buffer */
/* Half-filled double-words waiting for their other bytes. In file order a
 * piece boundary is completed inside the held page; out of order each UF2
 * block or HEX section edge leaves at most two, so two per pending sector
 * (core/config.h) cover a whole pending buffer's worth of 476-byte blocks
 * replayed in any order; beyond it the oldest is programmed 0xFF-filled (a
 * later byte for it is then an overlap). */
#define WRITER_PARTIAL_MAX (2u * DB_PENDING_SECTORS)

struct writer_partial {
    uint32_t addr;                /* double-word address; 0: free */
    uint8_t has;                  /* bit per byte received */
    uint8_t b[DB_PROG_UNIT];
};

struct writer {
    uint32_t slot;                   /* enum bootrec_slot written: the inactive one, or WHOLE for a large image */
    uint32_t phys;                   /* flash address where DB_APP_BASE's byte goes */
    uint32_t max;                    /* the largest image the slot takes */
    uint8_t erased[WRITER_UNIT_BITMAP_BYTES]; /* by erase unit of the flash (core/geometry.h) */
    uint32_t buf_page;               /* address of the page held in buf, or 0 */
    uint8_t buf[DB_PAGE_SIZE];       /* the page as it will be: bytes received, 0xFF elsewhere */
    uint8_t buf_has[WRITER_BYTE_MAP_BYTES];  /* byte has a value in this update (received, or already programmed) */
    uint8_t buf_dirty[WRITER_DW_MAP_BYTES];  /* double-word has bytes not yet programmed */
    struct writer_partial partial[WRITER_PARTIAL_MAX];
    uint32_t highest;                /* one past the highest address written */
    uint32_t erase_count;            /* statistics for tests and the note */
    uint32_t program_count;          /* double-words programmed (all-0xFF ones are skipped) */
    uint32_t seq;                    /* the record's seq at commit: previous + 1 */
    uint32_t app_size;               /* after DB_DONE: what the record says */
    uint32_t app_crc;
    bool armed;                      /* a startable vector table is known: erasing is allowed */
    bool started;                    /* boot record invalidated */
    enum db_status status;           /* first error, sticky; DB_BUSY while fine, DB_DONE after commit */
};

/* Start an update: it will go to the slot that is not active (A when there
 * is no app), so the app that runs now stays untouched until the commit. */
void writer_init(struct writer *w);

/* The image's size became known before anything was written: an image
 * larger than a slot goes over both banks from DB_APP_BASE (single slot,
 * the old app is not kept). */
void writer_size_hint(struct writer *w, uint32_t size);

/*
 * The erase rule's test, without side effects: DB_BUSY when (sp, pc) is a
 * vector table this board could start for an image of at most size bytes,
 * DB_ERR_ADDR_BOOT for an image linked for the bootloader's place, else
 * DB_ERR_VECTORS.
 */
enum db_status writer_check_vectors(uint32_t sp, uint32_t pc, uint32_t size);

/* Arm the writer with the image's vector table (see the erase rule above);
 * returns writer_check_vectors' verdict for DB_APP_SIZE, armed if DB_BUSY. */
enum db_status writer_arm(struct writer *w, uint32_t sp, uint32_t pc);

/* The range test writer_write applies, without side effects: DB_BUSY if
 * [addr, addr + len) may be written, else the refusal. */
enum db_status writer_check_range(uint32_t addr, uint32_t len);

/*
 * Accept bytes for [addr, addr + len). The range is checked before anything
 * is erased (writer_check_range). Writing before writer_arm is a bug of the
 * caller's and gives DB_ERR_VECTORS without touching flash. The first
 * accepted write erases the boot record. A byte given twice must have the
 * same value (else DB_ERR_OVERLAP).
 * Returns DB_BUSY while all is well, else the sticky error.
 */
enum db_status writer_write(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len);

/* Do the bytes at [addr, addr + len) already hold exactly data (in RAM or
 * flash)? For a repeat of data written before: any difference, a byte that
 * is still erased included, is a conflict. */
bool writer_same(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len);

/*
 * Flush, erase the pages inside the image that got no data (they read 0xFF,
 * not an older app), check the vector table in flash against the image size,
 * CRC-32 [DB_APP_BASE, DB_APP_BASE + size) as read back, write the boot
 * record and read it back. size: the image's exact length (BIN: the file's
 * size; bytes programmed past it are not part of the image), or 0 for one
 * past the highest byte written. format is an enum bootrec_format. DB_DONE
 * on success; DB_ERR_INCOMPLETE if no data came.
 */
enum db_status writer_commit(struct writer *w, uint32_t size, uint32_t format);

#endif
