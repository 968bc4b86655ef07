/*
 * UF2 block codec. Every field is little endian at any alignment (byteorder.h).
 */
#include "uf2.h"

#include <string.h>

#include "byteorder.h"

/* Field offsets inside a block (spec table "File format"). */
#define OFF_MAGIC0 0u
#define OFF_MAGIC1 4u
#define OFF_FLAGS 8u
#define OFF_ADDR 12u
#define OFF_SIZE 16u
#define OFF_BLOCK_NO 20u
#define OFF_NUM_BLOCKS 24u
#define OFF_FAMILY 28u
#define OFF_DATA UF2_HEADER_SIZE
#define OFF_MAGIC_END (UF2_BLOCK_SIZE - 4u)
#define TAG_HEAD_SIZE 4u /* size byte + 3-byte type */
#define TAG_ALIGN 4u     /* spec: every tag starts at a 4-byte boundary */

static uint32_t align4(uint32_t n)
{
    return (n + (TAG_ALIGN - 1u)) & ~(TAG_ALIGN - 1u);
}

bool uf2_is_block(const uint8_t block[UF2_BLOCK_SIZE])
{
    return le_get32(block + OFF_MAGIC0) == UF2_MAGIC_START0 && le_get32(block + OFF_MAGIC1) == UF2_MAGIC_START1 &&
           le_get32(block + OFF_MAGIC_END) == UF2_MAGIC_END;
}

enum db_status uf2_decode(const uint8_t block[UF2_BLOCK_SIZE], struct uf2_block *b)
{
    memset(b, 0, sizeof(*b));
    if (!uf2_is_block(block)) {
        return DB_ERR_UF2_BLOCK;
    }
    b->flags = le_get32(block + OFF_FLAGS);
    b->target_addr = le_get32(block + OFF_ADDR);
    b->payload_size = le_get32(block + OFF_SIZE);
    b->block_no = le_get32(block + OFF_BLOCK_NO);
    b->num_blocks = le_get32(block + OFF_NUM_BLOCKS);
    b->family_or_size = le_get32(block + OFF_FAMILY);
    b->payload = block + OFF_DATA;

    /* With an MD5 region the last 24 data bytes are not payload. */
    uint32_t data_end = UF2_PAYLOAD_MAX;
    if ((b->flags & UF2_FLAG_MD5) != 0u) {
        data_end = UF2_PAYLOAD_MAX - UF2_MD5_SIZE;
    }
    if (b->payload_size > data_end || b->num_blocks == 0u || b->block_no >= b->num_blocks) {
        return DB_ERR_UF2_BLOCK;
    }
    if ((b->flags & UF2_FLAG_MD5) != 0u) {
        const uint8_t *m = block + OFF_DATA + data_end;
        b->md5_addr = le_get32(m);
        b->md5_len = le_get32(m + 4u);
        b->md5 = m + 8u;
    }
    if ((b->flags & UF2_FLAG_EXT_TAGS) != 0u) {
        uint32_t start = align4(b->payload_size);
        b->tags = block + OFF_DATA + start;
        b->tags_len = start < data_end ? data_end - start : 0u;
    }
    return DB_OK;
}

bool uf2_next_tag(const struct uf2_block *b, uint32_t *pos, struct uf2_tag *t)
{
    if (b->tags == NULL || *pos + TAG_HEAD_SIZE > b->tags_len) {
        return false;
    }
    const uint8_t *p = b->tags + *pos;
    uint32_t size = p[0];
    /* size 0 is the end tag; a size below the head or past the data is damage. */
    if (size < TAG_HEAD_SIZE || *pos + size > b->tags_len) {
        return false;
    }
    t->type = (uint32_t)p[1] | ((uint32_t)p[2] << 8) | ((uint32_t)p[3] << 16);
    t->data = p + TAG_HEAD_SIZE;
    t->len = size - TAG_HEAD_SIZE;
    /* Each step moves at least 4 bytes forward, so a walk ends within 119 calls. */
    *pos = align4(*pos + size);
    return true;
}

void uf2_encode(uint8_t block[UF2_BLOCK_SIZE], const struct uf2_block *b)
{
    /* A caller asking for more than fits is a bug of ours; never write past the block. */
    uint32_t size = b->payload_size <= UF2_PAYLOAD_MAX ? b->payload_size : UF2_PAYLOAD_MAX;

    memset(block, 0, UF2_BLOCK_SIZE);
    le_put32(block + OFF_MAGIC0, UF2_MAGIC_START0);
    le_put32(block + OFF_MAGIC1, UF2_MAGIC_START1);
    le_put32(block + OFF_FLAGS, b->flags);
    le_put32(block + OFF_ADDR, b->target_addr);
    le_put32(block + OFF_SIZE, size);
    le_put32(block + OFF_BLOCK_NO, b->block_no);
    le_put32(block + OFF_NUM_BLOCKS, b->num_blocks);
    le_put32(block + OFF_FAMILY, b->family_or_size);
    if (b->payload != NULL && size > 0u) {
        memcpy(block + OFF_DATA, b->payload, size);
    }
    le_put32(block + OFF_MAGIC_END, UF2_MAGIC_END);
}
