/*
 * The flash writer: turns (address, bytes) in any order into erased and
 * programmed flash, then verifies and commits.
 *
 * - The boot record is invalidated before the first app page is erased.
 * - A page is erased when the first byte for it arrives, never twice in one
 *   update; programming is by double-word; bytes for a double-word may arrive
 *   in pieces (HEX records), they are collected in a page buffer and
 *   programmed when the buffer moves on or at commit (missing bytes 0xFF).
 * - Nothing outside [DB_APP_BASE, DB_APP_END) is ever erased or programmed.
 * - Commit: flush, read back and compare, CRC-32 the image, write the record.
 * Owner: flash/boot.
 */
#ifndef DB_WRITER_H
#define DB_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "status.h"

#define WRITER_PAGE_BITMAP_BYTES ((DB_APP_PAGES + 7u) / 8u) /* one bit per app page: erased in this update */
#define WRITER_BYTE_MAP_BYTES (DB_PAGE_SIZE / 8u)                 /* one bit per byte of the page buffer */
#define WRITER_DW_MAP_BYTES (DB_PAGE_SIZE / DB_PROG_UNIT / 8u)    /* one bit per double-word of the page buffer */

struct writer {
    uint8_t erased[WRITER_PAGE_BITMAP_BYTES];
    uint32_t buf_page;               /* address of the page held in buf, or 0 */
    uint8_t buf[DB_PAGE_SIZE];       /* the page as it will be: bytes received, 0xFF elsewhere */
    uint8_t buf_has[WRITER_BYTE_MAP_BYTES];  /* byte has a value in this update (received, or already programmed) */
    uint8_t buf_dirty[WRITER_DW_MAP_BYTES];  /* double-word has bytes not yet programmed */
    uint32_t highest;                /* one past the highest address written */
    uint32_t erase_count;            /* statistics for tests and the note */
    uint32_t program_count;          /* double-words programmed (all-0xFF ones are skipped) */
    uint32_t seq;                    /* the record's seq at commit: previous + 1 */
    uint32_t app_size;               /* after DB_DONE: what the record says */
    uint32_t app_crc;
    bool started;                    /* boot record invalidated */
    enum db_status status;           /* first error, sticky; DB_BUSY while fine, DB_DONE after commit */
};

void writer_init(struct writer *w);

/*
 * Accept bytes for [addr, addr + len). The range is checked before anything
 * is erased: data below DB_APP_BASE gives DB_ERR_ADDR_BOOT, data starting at
 * or past DB_APP_END (or below flash) DB_ERR_ADDR_RANGE, data starting inside
 * the app area and running past its end DB_ERR_TOO_LARGE; none of them touch
 * flash if they come first. The first accepted write erases the boot record.
 * A byte given twice must have the same value (else DB_ERR_OVERLAP); a
 * double-word completed across two visits of its page is refused the same way,
 * because its missing bytes were programmed as 0xFF at the first visit.
 * Known gap: a double-word given as all 0xFF stays erased in flash, so after
 * its page was flushed a later different value for it is not seen as overlap
 * (catching it would need a bit per double-word of the whole app area, 32 KB).
 * Returns DB_BUSY while all is well, else the sticky error.
 */
enum db_status writer_write(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len);

/*
 * Flush, erase the pages inside the image that got no data (they read 0xFF,
 * not an older app), CRC-32 [DB_APP_BASE, DB_APP_BASE + size) as read back,
 * write the boot record and read it back. size is app_size, or one past the
 * highest byte written if that is more (app_size 0: exactly the data).
 * format is an enum bootrec_format. DB_DONE on success; DB_ERR_INCOMPLETE if
 * no data came.
 */
enum db_status writer_commit(struct writer *w, uint32_t app_size, uint32_t format);

#endif
