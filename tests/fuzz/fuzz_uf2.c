/*
 * libFuzzer harness for the UF2 block codec: decode any 512 bytes, and when a
 * block is accepted check what the spec promises (payload within the block,
 * block number below the count), walk its extension tags, and check that
 * encoding the decoded fields gives back a block that decodes the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uf2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TAG_WALK_MAX 119u /* each tag is at least 4 bytes of a 476-byte area */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t blk[UF2_BLOCK_SIZE] = {0};
    memcpy(blk, data, size < sizeof(blk) ? size : sizeof(blk));
    /* Odd first byte: put the magics in place so the fuzzer reaches the field checks. */
    if (size > 0 && (data[0] & 1u) != 0u) {
        static const uint8_t start[8] = {0x55, 0x46, 0x32, 0x0A, 0x57, 0x51, 0x5D, 0x9E};
        static const uint8_t end[4] = {0x30, 0x6F, 0xB1, 0x0A};
        memcpy(blk, start, sizeof(start));
        memcpy(blk + UF2_BLOCK_SIZE - 4u, end, sizeof(end));
    }

    struct uf2_block b;
    if (uf2_decode(blk, &b) != DB_OK) {
        return 0;
    }
    if (!uf2_is_block(blk) || b.payload_size > UF2_PAYLOAD_MAX || b.block_no >= b.num_blocks ||
        b.payload != blk + UF2_HEADER_SIZE) {
        abort();
    }
    if (b.tags != NULL && (b.tags < blk + UF2_HEADER_SIZE || b.tags + b.tags_len > blk + UF2_BLOCK_SIZE - 4u)) {
        abort();
    }

    uint32_t pos = 0;
    struct uf2_tag t;
    uint32_t walked = 0;
    while (uf2_next_tag(&b, &pos, &t)) {
        if (++walked > TAG_WALK_MAX || t.data + t.len > blk + UF2_BLOCK_SIZE - 4u) {
            abort();
        }
    }

    uint8_t again[UF2_BLOCK_SIZE];
    struct uf2_block c;
    uf2_encode(again, &b);
    if (uf2_decode(again, &c) != DB_OK || c.flags != b.flags || c.target_addr != b.target_addr ||
        c.payload_size != b.payload_size || c.block_no != b.block_no || c.num_blocks != b.num_blocks ||
        c.family_or_size != b.family_or_size || memcmp(c.payload, b.payload, b.payload_size) != 0) {
        abort();
    }
    return 0;
}
