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

struct writer {
    uint8_t erased[WRITER_PAGE_BITMAP_BYTES];
    uint32_t buf_page;               /* address of the page held in buf, or 0 */
    uint8_t buf[DB_PAGE_SIZE];       /* bytes received for buf_page, 0xFF elsewhere */
    uint8_t buf_dirty[DB_PAGE_SIZE / DB_PROG_UNIT / 8u]; /* one bit per double-word with data */
    uint32_t highest;                /* one past the highest address written */
    uint32_t erase_count;            /* statistics for tests and the note */
    uint32_t program_count;
    bool started;                    /* boot record invalidated */
    enum db_status status;           /* first error, sticky; DB_BUSY while fine */
};

void writer_init(struct writer *w);

/* Accept bytes for [addr, addr + len): checks the range first, then erases and buffers. */
enum db_status writer_write(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len);

/* Flush, verify, and write the boot record for an image of app_size bytes. DB_DONE on success. */
enum db_status writer_commit(struct writer *w, uint32_t app_size, uint32_t format);

#endif
