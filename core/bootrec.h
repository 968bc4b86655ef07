/*
 * The boot record: the only thing that lets the bootloader start an app.
 *
 * It sits alone in the flash page at DB_RECORD_ADDR. An update erases it
 * before touching the first app page and writes it only after the whole image
 * is programmed and verified, so a power cut anywhere in between leaves no
 * valid record. The record carries its own CRC (a torn write never validates)
 * and the app's CRC-32 (checked at boot). Owner: flash/boot.
 */
#ifndef DB_BOOTREC_H
#define DB_BOOTREC_H

#include <stdbool.h>
#include <stdint.h>

#include "flash.h"

#define BOOTREC_MAGIC 0x44425231u /* "DBR1" */

enum bootrec_format { BOOTREC_FMT_UF2 = 1, BOOTREC_FMT_HEX = 2, BOOTREC_FMT_BIN = 3 };

struct bootrec {
    uint32_t magic;
    uint32_t app_base;
    uint32_t app_size; /* bytes of image from app_base */
    uint32_t app_crc;  /* CRC-32 of [app_base, app_base + app_size) */
    uint32_t seq;      /* counts commits, for the user's curiosity and tests */
    uint32_t format;   /* enum bootrec_format: what the image came in as */
    uint32_t reserved;
    uint32_t rec_crc;  /* CRC-32 of the 28 bytes above */
};

/* Read and check the record (magic, own CRC, range). True if it is valid. */
bool bootrec_read(struct bootrec *r);
/* Erase the record page: from now on no app starts until the next commit. */
enum flash_status bootrec_invalidate(void);
/* Fill magic and rec_crc and program the record into its (erased) page. */
enum flash_status bootrec_write(struct bootrec *r);
/* CRC-32 of [DB_APP_BASE, DB_APP_BASE + size) as flash reads it (FLASH_ERR_ECC if unreadable). */
enum flash_status bootrec_image_crc(uint32_t size, uint32_t *crc);
/* True when the app image's CRC-32 in flash matches the record. */
bool bootrec_app_intact(const struct bootrec *r);

#endif
