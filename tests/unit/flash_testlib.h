/*
 * Helpers for the flash/writer/boot tests: app images with a plausible
 * vector table, committing an image through the real writer, and reading
 * flash back. Everything goes through the real modules and the flash model.
 */
#ifndef DB_FLASH_TESTLIB_H
#define DB_FLASH_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bootrec.h"
#include "config.h"
#include "crc32.h"
#include "flash.h"
#include "flash_model.h"
#include "writer.h"

#define TEST_SP (DB_RAM_BASE + (DB_RAM_END - DB_RAM_BASE) / 2u) /* inside SRAM, whichever chip (0x20050000 on the L4R5) */
#define TEST_RESET_OFFSET 0x1C0u /* past a 112-entry vector table */

static uint8_t testlib_flash_copy[DB_APP_SIZE];

/* A deterministic image of size bytes; from 8 bytes on it has SP and reset handler. */
static inline void testlib_make_image(uint8_t *img, uint32_t size, uint32_t salt)
{
    uint32_t x = salt * 2654435761u + 12345u;
    for (uint32_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        img[i] = (uint8_t)(x >> 16);
    }
    if (size >= 8) {
        uint32_t sp = TEST_SP;
        uint32_t pc = (DB_APP_BASE + (size > TEST_RESET_OFFSET ? TEST_RESET_OFFSET : 8u)) | 1u;
        memcpy(img, &sp, 4);
        memcpy(img + 4, &pc, 4);
    }
}

/* Arm the writer with img's vector table (the erase rule: writer.h), as a stream does once it has it. */
static inline enum db_status testlib_arm(struct writer *w, const uint8_t *img)
{
    uint32_t sp, pc;
    memcpy(&sp, img, 4);
    memcpy(&pc, img + 4, 4);
    return writer_arm(w, sp, pc);
}

/* Write img in order in pieces of chunk bytes, then commit. Returns the commit status. */
static inline enum db_status testlib_update(const uint8_t *img, uint32_t size, uint32_t chunk, uint32_t format)
{
    static struct writer w; /* 4 KB+ of buffers: not on the test's stack */
    writer_init(&w);
    writer_size_hint(&w, size); /* known up front, as a UF2 or a described BIN says it */
    if (size >= 8u)
        (void)testlib_arm(&w, img);
    for (uint32_t off = 0; off < size; off += chunk) {
        uint32_t n = size - off < chunk ? size - off : chunk;
        enum db_status s = writer_write(&w, DB_APP_BASE + off, img + off, n);
        if (s != DB_BUSY)
            return s;
    }
    return writer_commit(&w, size, format);
}

/* The app confirms the active image (dropboot_confirm()), as a working old app has. */
static inline void testlib_confirm_active(void)
{
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    if (a == NULL || a->confirmed)
        return;
    struct bootrec_entry e = {.type = BOOTREC_CONFIRM, .seq = a->seq, .slot = a->slot};
    (void)bootrec_append(&st, &e);
}

/* Fill the record log up to `left` free entries, so the next records move it to the other page. */
static inline void testlib_fill_log(uint32_t left)
{
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    struct bootrec_entry e = {.type = BOOTREC_ATTEMPT, .seq = a ? a->seq + 1000u : 1000u};
    while (st.generation == 0u || DB_PAGE_SIZE / sizeof(struct bootrec_entry) - st.free_entry > left)
        (void)bootrec_append(&st, &e);
}

/* True when the active slot (A when there is none) holds exactly img[0..size). */
static inline bool testlib_flash_holds(const uint8_t *img, uint32_t size)
{
    struct bootrec r;
    uint32_t base = bootrec_read(&r) ? r.phys : DB_APP_BASE;
    if (flash_read(base, testlib_flash_copy, size) != FLASH_OK)
        return false;
    return memcmp(testlib_flash_copy, img, size) == 0;
}

static inline struct flash_model_stats testlib_stats(void)
{
    struct flash_model_stats s;
    flash_model_stats(&s);
    return s;
}

#endif
