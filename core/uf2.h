/*
 * UF2 block codec (spec: github.com/microsoft/uf2).
 *
 * A UF2 file is a sequence of self-describing 512-byte blocks. This module
 * only knows the block format: it checks and decodes one block, and encodes
 * one. What a block may do on this board (family, address range, alignment,
 * the not-main-flash flag) is decided by core/update.c. The optional MD5
 * region and extension tags are decoded so callers can look at them; they
 * are not verified here. Owner: decoders.
 */
#ifndef DB_UF2_H
#define DB_UF2_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#define UF2_BLOCK_SIZE 512u
#define UF2_HEADER_SIZE 32u /* spec: eight 32-bit little-endian fields before the data */
#define UF2_MAGIC_START0 0x0A324655u /* "UF2\n" */
#define UF2_MAGIC_START1 0x9E5D5157u
#define UF2_MAGIC_END 0x0AB16F30u
#define UF2_PAYLOAD_MAX 476u /* spec: 512-byte block minus 32-byte header and 4-byte end magic */
#define UF2_PAYLOAD_STD 256u /* what converters write, one flash row per block */
#define UF2_MD5_SIZE 24u     /* spec: region address, region length, 16-byte MD5 at the end of data[] */

#define UF2_FLAG_NOT_MAIN_FLASH 0x00000001u
#define UF2_FLAG_FILE_CONTAINER 0x00001000u
#define UF2_FLAG_FAMILY_ID 0x00002000u
#define UF2_FLAG_MD5 0x00004000u
#define UF2_FLAG_EXT_TAGS 0x00008000u

/* Standard extension tag types (spec: "Extension tags"). */
#define UF2_TAG_VERSION 0x9fc7bcu     /* UTF-8 semver of the firmware */
#define UF2_TAG_DESCRIPTION 0x650d9du /* UTF-8 description of the target device */
#define UF2_TAG_PAGE_SIZE 0x0be9f7u   /* uint32 page size of the target */
#define UF2_TAG_SHA2 0xb46db0u        /* SHA-2 of the firmware */
#define UF2_TAG_DEVICE_ID 0xc8a729u   /* 32- or 64-bit device type identifier */

struct uf2_block {
    uint32_t flags;
    uint32_t target_addr;
    uint32_t payload_size;
    uint32_t block_no;
    uint32_t num_blocks;
    uint32_t family_or_size; /* family ID when UF2_FLAG_FAMILY_ID is set */
    const uint8_t *payload;  /* points into the block passed to uf2_decode */
    /* UF2_FLAG_MD5: the region the checksum covers and the 16-byte digest. */
    uint32_t md5_addr;
    uint32_t md5_len;
    const uint8_t *md5; /* NULL without the flag */
    /* UF2_FLAG_EXT_TAGS: the bytes after the payload where tags may sit. */
    const uint8_t *tags; /* NULL without the flag */
    uint32_t tags_len;
};

/* One extension tag; data points into the decoded block. */
struct uf2_tag {
    uint32_t type; /* 24 bits */
    const uint8_t *data;
    uint32_t len; /* data bytes, without the 4-byte tag head */
};

/* True when the three magic numbers are where the spec puts them. */
bool uf2_is_block(const uint8_t block[UF2_BLOCK_SIZE]);

/* Check every field of a block and fill b; DB_OK or DB_ERR_UF2_BLOCK
   (bad magic, payload larger than 476 bytes or overlapping the MD5 area,
   num_blocks 0, block_no not below num_blocks). */
enum db_status uf2_decode(const uint8_t block[UF2_BLOCK_SIZE], struct uf2_block *b);

/* Walk the extension tags of a decoded block: start with *pos = 0; each call
   fills t and returns true, false at the end tag or at a malformed tag. */
bool uf2_next_tag(const struct uf2_block *b, uint32_t *pos, struct uf2_tag *t);

/* Write a complete block (magics, header, payload, zero padding). Only the
   header fields and payload are written; MD5 and tags are left zero. */
void uf2_encode(uint8_t block[UF2_BLOCK_SIZE], const struct uf2_block *b);

#endif
