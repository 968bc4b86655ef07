/*
 * The boot record: 32 bytes (four double-words) at the start of the page at
 * DB_RECORD_ADDR, nothing else in that page. Stored as the struct's eight
 * little-endian words (Cortex-M and the PC agree), so no packing step.
 */
#include "bootrec.h"

#include <string.h>

#include "config.h"
#include "crc32.h"

#define BOOTREC_SIZE sizeof(struct bootrec)
#define BOOTREC_CRC_LEN (BOOTREC_SIZE - sizeof(uint32_t)) /* every field before rec_crc */
#define BOOTREC_CRC_CHUNK 256u /* bytes read per step when checking the image: a stack buffer, not a page */

_Static_assert(sizeof(struct bootrec) == 32u, "the record is four double-words, no padding");
_Static_assert(sizeof(struct bootrec) % DB_PROG_UNIT == 0, "the record is programmed in whole double-words");

static uint32_t record_crc(const struct bootrec *r)
{
    uint8_t raw[BOOTREC_SIZE];
    memcpy(raw, r, sizeof raw);
    return crc32_update(0, raw, BOOTREC_CRC_LEN);
}

bool bootrec_read(struct bootrec *r)
{
    uint8_t raw[BOOTREC_SIZE];
    /* A torn record write leaves a double-word with broken ECC: no record. */
    if (flash_read(DB_RECORD_ADDR, raw, sizeof raw) != FLASH_OK)
        return false;
    memcpy(r, raw, sizeof raw);
    if (r->magic != BOOTREC_MAGIC || r->rec_crc != record_crc(r))
        return false;
    return r->app_base == DB_APP_BASE && r->app_size > 0 && r->app_size <= DB_APP_SIZE;
}

enum flash_status bootrec_invalidate(void)
{
    return flash_erase_page(DB_RECORD_ADDR);
}

enum flash_status bootrec_write(struct bootrec *r)
{
    r->magic = BOOTREC_MAGIC;
    r->rec_crc = record_crc(r);
    uint8_t raw[BOOTREC_SIZE];
    memcpy(raw, r, sizeof raw);
    return flash_program(DB_RECORD_ADDR, raw, sizeof raw);
}

enum flash_status bootrec_image_crc(uint32_t size, uint32_t *crc)
{
    uint8_t chunk[BOOTREC_CRC_CHUNK];
    *crc = 0;
    for (uint32_t off = 0; off < size; off += BOOTREC_CRC_CHUNK) {
        uint32_t n = size - off < BOOTREC_CRC_CHUNK ? size - off : BOOTREC_CRC_CHUNK;
        enum flash_status st = flash_read(DB_APP_BASE + off, chunk, n);
        if (st != FLASH_OK)
            return st;
        *crc = crc32_update(*crc, chunk, n);
    }
    return FLASH_OK;
}

bool bootrec_app_intact(const struct bootrec *r)
{
    if (r->app_base != DB_APP_BASE || r->app_size == 0 || r->app_size > DB_APP_SIZE)
        return false;
    uint32_t crc;
    return bootrec_image_crc(r->app_size, &crc) == FLASH_OK && crc == r->app_crc;
}
