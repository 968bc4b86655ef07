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

/* True when flash at DB_APP_BASE holds exactly img[0..size). */
static inline bool testlib_flash_holds(const uint8_t *img, uint32_t size)
{
    if (flash_read(DB_APP_BASE, testlib_flash_copy, size) != FLASH_OK)
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
