/*
 * UF2 block codec (spec: github.com/microsoft/uf2).
 *
 * A UF2 file is a sequence of self-describing 512-byte blocks. This module
 * only knows the block format: it checks and decodes one block, and encodes
 * one. What a block may do on this board (family, address range) is decided
 * by core/update.c. Owner: decoders.
 */
#ifndef DB_UF2_H
#define DB_UF2_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#define UF2_BLOCK_SIZE 512u
#define UF2_MAGIC_START0 0x0A324655u /* "UF2\n" */
#define UF2_MAGIC_START1 0x9E5D5157u
#define UF2_MAGIC_END 0x0AB16F30u
#define UF2_PAYLOAD_MAX 476u /* spec: 512-byte block minus 32-byte header and 4-byte end magic */
#define UF2_PAYLOAD_STD 256u /* what converters write, one flash row per block */

#define UF2_FLAG_NOT_MAIN_FLASH 0x00000001u
#define UF2_FLAG_FILE_CONTAINER 0x00001000u
#define UF2_FLAG_FAMILY_ID 0x00002000u
#define UF2_FLAG_MD5 0x00004000u
#define UF2_FLAG_EXT_TAGS 0x00008000u

struct uf2_block {
    uint32_t flags;
    uint32_t target_addr;
    uint32_t payload_size;
    uint32_t block_no;
    uint32_t num_blocks;
    uint32_t family_or_size; /* family ID when UF2_FLAG_FAMILY_ID is set */
    const uint8_t *payload;  /* points into the block passed to uf2_decode */
};

/* True when the three magic numbers are where the spec puts them. */
bool uf2_is_block(const uint8_t block[UF2_BLOCK_SIZE]);

/* Check every field of a block and fill b; DB_OK or DB_ERR_UF2_BLOCK. */
enum db_status uf2_decode(const uint8_t block[UF2_BLOCK_SIZE], struct uf2_block *b);

/* Write a complete block (magics, header, payload, zero padding). */
void uf2_encode(uint8_t block[UF2_BLOCK_SIZE], const struct uf2_block *b);

#endif
