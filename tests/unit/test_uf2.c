/*
 * UF2 block codec: the field layout of the spec (github.com/microsoft/uf2),
 * every rejection rule, and the optional MD5 and extension-tag areas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uf2.h"

#define FAMILY_STM32L4 0x00ff6919u
#define APP_BASE 0x08008000u

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void make_block(uint8_t blk[UF2_BLOCK_SIZE], uint8_t payload[UF2_PAYLOAD_MAX], uint32_t size)
{
    for (uint32_t i = 0; i < UF2_PAYLOAD_MAX; i++) {
        payload[i] = (uint8_t)(i * 7u + 3u);
    }
    struct uf2_block b = {
        .flags = UF2_FLAG_FAMILY_ID,
        .target_addr = APP_BASE + 0x100u,
        .payload_size = size,
        .block_no = 1,
        .num_blocks = 3,
        .family_or_size = FAMILY_STM32L4,
        .payload = payload,
    };
    uf2_encode(blk, &b);
}

static void encode_writes_the_spec_layout_with_zero_padding(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    memset(blk, 0xA5, sizeof(blk)); /* stale content must not survive */
    make_block(blk, payload, UF2_PAYLOAD_STD);

    assert_memory_equal(blk, "UF2\n", 4); /* spec: first magic reads "UF2\n" */
    assert_int_equal(get32(blk + 4), 0x9E5D5157u);
    assert_int_equal(get32(blk + 8), UF2_FLAG_FAMILY_ID);
    assert_int_equal(get32(blk + 12), APP_BASE + 0x100u);
    assert_int_equal(get32(blk + 16), 256);
    assert_int_equal(get32(blk + 20), 1);
    assert_int_equal(get32(blk + 24), 3);
    assert_int_equal(get32(blk + 28), FAMILY_STM32L4);
    assert_memory_equal(blk + 32, payload, 256);
    for (uint32_t i = 32 + 256; i < 508; i++) {
        assert_int_equal(blk[i], 0);
    }
    assert_int_equal(get32(blk + 508), 0x0AB16F30u);
    assert_int_equal(blk[511], '\n'); /* spec: the end magic's last byte is a line feed */
}

static void decode_returns_every_field_of_an_encoded_block(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    make_block(blk, payload, UF2_PAYLOAD_STD);

    struct uf2_block b;
    assert_true(uf2_is_block(blk));
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    assert_int_equal(b.flags, UF2_FLAG_FAMILY_ID);
    assert_int_equal(b.target_addr, APP_BASE + 0x100u);
    assert_int_equal(b.payload_size, 256);
    assert_int_equal(b.block_no, 1);
    assert_int_equal(b.num_blocks, 3);
    assert_int_equal(b.family_or_size, FAMILY_STM32L4);
    assert_ptr_equal(b.payload, blk + 32);
    assert_null(b.md5);
    assert_null(b.tags);
}

static void each_wrong_magic_is_a_damaged_block(void **state)
{
    (void)state;
    static const uint32_t offsets[] = {0, 4, 508};
    for (size_t i = 0; i < 3; i++) {
        uint8_t blk[UF2_BLOCK_SIZE];
        uint8_t payload[UF2_PAYLOAD_MAX];
        struct uf2_block b;
        make_block(blk, payload, UF2_PAYLOAD_STD);
        blk[offsets[i] + 2] ^= 0x01;
        assert_false(uf2_is_block(blk));
        assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
    }
}

static void a_half_written_block_is_not_a_block(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    make_block(blk, payload, UF2_PAYLOAD_STD);
    memset(blk + 256, 0, 256); /* the host wrote only the first half */
    assert_false(uf2_is_block(blk));
}

static void payload_up_to_476_bytes_is_accepted_and_477_refused(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    struct uf2_block b;
    make_block(blk, payload, UF2_PAYLOAD_MAX);
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    assert_int_equal(b.payload_size, 476);
    assert_memory_equal(b.payload, payload, 476);

    put32(blk + 16, 477);
    assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
    put32(blk + 16, 0xFFFFFFFFu);
    assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
}

static void block_numbers_must_lie_below_a_nonzero_count(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    struct uf2_block b;
    make_block(blk, payload, UF2_PAYLOAD_STD);

    put32(blk + 20, 2); /* last of 3 */
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    put32(blk + 20, 3);
    assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
    put32(blk + 20, 0);
    put32(blk + 24, 0);
    assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
}

static void md5_region_is_decoded_from_the_last_24_data_bytes(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    struct uf2_block b;
    make_block(blk, payload, UF2_PAYLOAD_STD);
    put32(blk + 8, UF2_FLAG_FAMILY_ID | UF2_FLAG_MD5);
    put32(blk + 32 + 452, 0x08008000u);
    put32(blk + 32 + 456, 0x1000u);
    for (uint32_t i = 0; i < 16; i++) {
        blk[32 + 460 + i] = (uint8_t)(0xF0u + i);
    }
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    assert_int_equal(b.md5_addr, 0x08008000u);
    assert_int_equal(b.md5_len, 0x1000u);
    assert_ptr_equal(b.md5, blk + 32 + 460);

    /* the payload may not run into the MD5 area */
    put32(blk + 16, 453);
    assert_int_equal(uf2_decode(blk, &b), DB_ERR_UF2_BLOCK);
}

static void extension_tags_after_the_payload_are_walked(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    struct uf2_block b;
    make_block(blk, payload, 10); /* tags start at the next 4-byte boundary: data[12] */
    put32(blk + 8, UF2_FLAG_FAMILY_ID | UF2_FLAG_EXT_TAGS);
    uint8_t *t = blk + 32 + 12;
    memset(t, 0, UF2_PAYLOAD_MAX - 12);
    /* version "2.0.1": 4 + 5 bytes, padded to 12 */
    t[0] = 9;
    t[1] = 0xbc;
    t[2] = 0xc7;
    t[3] = 0x9f;
    memcpy(t + 4, "2.0.1", 5);
    /* page size 2048 */
    t[12] = 8;
    t[13] = 0xf7;
    t[14] = 0xe9;
    t[15] = 0x0b;
    put32(t + 16, 2048);
    /* t[20..23] = 0: end tag */

    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    uint32_t pos = 0;
    struct uf2_tag tag;
    assert_true(uf2_next_tag(&b, &pos, &tag));
    assert_int_equal(tag.type, UF2_TAG_VERSION);
    assert_int_equal(tag.len, 5);
    assert_memory_equal(tag.data, "2.0.1", 5);
    assert_true(uf2_next_tag(&b, &pos, &tag));
    assert_int_equal(tag.type, UF2_TAG_PAGE_SIZE);
    assert_int_equal(get32(tag.data), 2048);
    assert_false(uf2_next_tag(&b, &pos, &tag));

    /* a tag whose size is smaller than its own head ends the walk */
    t[12] = 2;
    pos = 0;
    assert_true(uf2_next_tag(&b, &pos, &tag));
    assert_false(uf2_next_tag(&b, &pos, &tag));

    /* a tag claiming to run past the data area ends the walk */
    put32(blk + 16, 400); /* tags at data[400], 76 bytes left */
    blk[32 + 400] = 100;
    pos = 0;
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    assert_int_equal(b.tags_len, 76);
    assert_false(uf2_next_tag(&b, &pos, &tag));
}

static void without_the_tag_flag_there_are_no_tags(void **state)
{
    (void)state;
    uint8_t blk[UF2_BLOCK_SIZE];
    uint8_t payload[UF2_PAYLOAD_MAX];
    struct uf2_block b;
    make_block(blk, payload, 10);
    blk[32 + 12] = 8;
    assert_int_equal(uf2_decode(blk, &b), DB_OK);
    uint32_t pos = 0;
    struct uf2_tag tag;
    assert_false(uf2_next_tag(&b, &pos, &tag));
}

/* Blocks written by the spec's reference converter (uf2conv.py, committed outputs). */
static void blocks_written_by_uf2conv_decode(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t blocks;
        uint32_t first_addr;
        uint32_t family;
    } files[] = {
        {"odd.uf2", 4, APP_BASE, FAMILY_STM32L4},
        {"odd_base10_rp2040.uf2", 4, APP_BASE + 0x10u, 0xe48bff56u},
        {"gaps.uf2", 5, APP_BASE, FAMILY_STM32L4},
        {"crlf_objcopy.uf2", 36, 0x0800F000u, FAMILY_STM32L4},
        {"segments.uf2", 2, 0x0001FF00u, FAMILY_STM32L4},
    };
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/tests/fixtures/uf2conv/%s", DB_SOURCE_DIR, files[f].name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        uint8_t blk[UF2_BLOCK_SIZE];
        uint32_t n = 0;
        uint32_t prev = 0;
        while (fread(blk, 1, sizeof(blk), fp) == sizeof(blk)) {
            struct uf2_block b;
            assert_true(uf2_is_block(blk));
            assert_int_equal(uf2_decode(blk, &b), DB_OK);
            assert_int_equal(b.block_no, n);
            assert_int_equal(b.num_blocks, files[f].blocks);
            assert_int_equal(b.payload_size, UF2_PAYLOAD_STD);
            assert_int_equal(b.flags, UF2_FLAG_FAMILY_ID);
            assert_int_equal(b.family_or_size, files[f].family);
            if (n == 0) {
                assert_int_equal(b.target_addr, files[f].first_addr);
            } else {
                assert_true(b.target_addr > prev);
            }
            /* re-encoding the decoded fields gives the converter's bytes back */
            uint8_t again[UF2_BLOCK_SIZE];
            uf2_encode(again, &b);
            assert_memory_equal(again, blk, UF2_BLOCK_SIZE);
            prev = b.target_addr;
            n++;
        }
        fclose(fp);
        assert_int_equal(n, files[f].blocks);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_writes_the_spec_layout_with_zero_padding),
        cmocka_unit_test(decode_returns_every_field_of_an_encoded_block),
        cmocka_unit_test(each_wrong_magic_is_a_damaged_block),
        cmocka_unit_test(a_half_written_block_is_not_a_block),
        cmocka_unit_test(payload_up_to_476_bytes_is_accepted_and_477_refused),
        cmocka_unit_test(block_numbers_must_lie_below_a_nonzero_count),
        cmocka_unit_test(md5_region_is_decoded_from_the_last_24_data_bytes),
        cmocka_unit_test(extension_tags_after_the_payload_are_walked),
        cmocka_unit_test(without_the_tag_flag_there_are_no_tags),
        cmocka_unit_test(blocks_written_by_uf2conv_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
