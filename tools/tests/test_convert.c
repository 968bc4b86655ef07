/*
 * Conversion to UF2: byte-identical to the UF2 spec's reference converter
 * (uf2conv.py outputs committed in tests/fixtures/uf2conv), gaps and
 * extended addresses in HEX, odd BIN sizes, ELF load addresses (an ELF
 * built now by arm-none-eabi-gcc against objcopy's HEX of it), and the
 * pre-check of a UF2 against a board.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "image.h"
#include "uf2.h"

#define FIXTURES DB_SOURCE_DIR "/tests/fixtures/uf2conv"
#define WORK DB_BUILD_DIR "/fixtures/tool"
#define STM32L4 0x00ff6919u
#define RP2040 0xe48bff56u

struct buf {
    uint8_t *p;
    size_t n;
};

static struct buf load(const char *path)
{
    struct buf b = {NULL, 0};
    if (!cli_read_file(path, &b.p, &b.n)) {
        fprintf(stderr, "cannot read %s\n", path);
        fail();
    }
    return b;
}

/* Convert a fixture input the way `dropboot convert` does and compare with uf2conv's output. */
static void assert_same_as_uf2conv(const char *input, const char *expected, uint32_t base, uint32_t family)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, input);
    struct buf in = load(path);
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, expected);
    struct buf want = load(path);

    struct fw_image img;
    char err[FW_ERR_LEN] = "";
    fw_init(&img);
    enum fw_kind k = fw_detect(in.p, in.n);
    int rc = k == FW_HEX ? fw_load_hex(&img, in.p, in.n, err)
             : k == FW_ELF ? fw_load_elf(&img, in.p, in.n, err)
                           : fw_load_bin(&img, in.p, in.n, base, err);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", input, err);
    }
    assert_int_equal(rc, 0);
    size_t len = 0;
    uint8_t *got = fw_to_uf2(&img, family, &len);
    assert_non_null(got);
    assert_int_equal(len, want.n);
    assert_memory_equal(got, want.p, len);
    free(got);
    fw_free(&img);
    free(in.p);
    free(want.p);
}

static void bin_of_odd_size_matches_uf2conv(void **state)
{
    (void)state;
    assert_same_as_uf2conv("odd.bin", "odd.uf2", 0x08008000u, STM32L4);
}

static void bin_at_unaligned_base_with_other_family_matches_uf2conv(void **state)
{
    (void)state;
    assert_same_as_uf2conv("odd.bin", "odd_base10_rp2040.uf2", 0x08008010u, RP2040);
}

static void hex_with_gaps_and_extended_linear_addresses_matches_uf2conv(void **state)
{
    (void)state;
    assert_same_as_uf2conv("gaps.hex", "gaps.uf2", 0, STM32L4);
}

static void objcopy_crlf_hex_matches_uf2conv(void **state)
{
    (void)state;
    assert_same_as_uf2conv("crlf_objcopy.hex", "crlf_objcopy.uf2", 0, STM32L4);
}

static void hex_with_segment_addresses_matches_uf2conv(void **state)
{
    (void)state;
    assert_same_as_uf2conv("segments.hex", "segments.uf2", 0, STM32L4);
}

static void elf_matches_uf2conv_of_its_objcopy_hex(void **state)
{
    (void)state;
    assert_same_as_uf2conv("tiny.hex", "tiny.uf2", 0, STM32L4);
    assert_same_as_uf2conv("tiny.elf", "tiny.uf2", 0, STM32L4);
}

static void gaps_leave_no_blocks_and_unset_bytes_read_ff(void **state)
{
    (void)state;
    struct buf in = load(FIXTURES "/gaps.hex");
    struct fw_image img;
    char err[FW_ERR_LEN];
    fw_init(&img);
    assert_int_equal(fw_load_hex(&img, in.p, in.n, err), 0);
    /* 300 B from 0x08008000: two blocks; 0x0800FFF0..0x0801003C: two; 0x08020101: one */
    static const uint32_t want[] = {0x08008000u, 0x08008100u, 0x0800FF00u, 0x08010000u, 0x08020100u};
    assert_int_equal(img.count, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(img.blocks[i].addr, want[i]);
    }
    assert_int_equal(img.blocks[1].data[300 - 256], 0xFF);  /* right after the first piece */
    assert_int_equal(img.blocks[2].data[0xEF], 0xFF);       /* right before the second */
    assert_int_equal(img.blocks[4].data[0], 0xFF);          /* 0x08020100, before the third */
    assert_int_equal(img.data_bytes, 300 + 77 + 5);
    assert_int_equal(img.lowest, 0x08008000u);
    assert_int_equal(img.highest, 0x08020106u);
    fw_free(&img);
    free(in.p);
}

static void bin_sizes_round_up_to_whole_zero_padded_blocks(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 255, 256, 257, 511, 512, 513};
    static const size_t blocks[] = {1, 1, 1, 2, 2, 2, 3};
    uint8_t data[513];
    memset(data, 0xA5, sizeof(data));
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct fw_image img;
        char err[FW_ERR_LEN];
        fw_init(&img);
        assert_int_equal(fw_load_bin(&img, data, sizes[i], 0x08008000u, err), 0);
        size_t len;
        uint8_t *u = fw_to_uf2(&img, STM32L4, &len);
        assert_int_equal(len, blocks[i] * UF2_BLOCK_SIZE);
        for (size_t b = 0; b < blocks[i]; b++) {
            struct uf2_block blk;
            assert_int_equal(uf2_decode(u + b * UF2_BLOCK_SIZE, &blk), DB_OK);
            assert_int_equal(blk.target_addr, 0x08008000u + b * 256u);
            assert_int_equal(blk.payload_size, 256);
            assert_int_equal(blk.block_no, b);
            assert_int_equal(blk.num_blocks, blocks[i]);
            assert_int_equal(blk.flags, UF2_FLAG_FAMILY_ID);
            assert_int_equal(blk.family_or_size, STM32L4);
            for (size_t j = 0; j < 256; j++) {
                size_t at = b * 256u + j;
                assert_int_equal(blk.payload[j], at < sizes[i] ? 0xA5 : 0x00);
            }
        }
        free(u);
        fw_free(&img);
    }
    struct fw_image img;
    char err[FW_ERR_LEN];
    fw_init(&img);
    assert_int_not_equal(fw_load_bin(&img, data, 0, 0x08008000u, err), 0);
    assert_int_not_equal(fw_load_bin(&img, data, 16, 0xFFFFFFF8u, err), 0);
    fw_free(&img);
}

static int hex_error(const char *text, char err[FW_ERR_LEN])
{
    struct fw_image img;
    fw_init(&img);
    int rc = fw_load_hex(&img, (const uint8_t *)text, strlen(text), err);
    fw_free(&img);
    return rc;
}

static void hex_problems_are_named_with_their_line(void **state)
{
    (void)state;
    char err[FW_ERR_LEN];
    assert_int_not_equal(hex_error(":020010001122BB\n", err), 0);
    assert_non_null(strstr(err, "end-of-file record"));
    assert_int_not_equal(hex_error(":020010001122BB\n:020012003344BC\n:00000001FF\n", err), 0);
    assert_string_equal(err, "line 2: Intel HEX record with a bad checksum");
    assert_int_not_equal(hex_error(":020010001122BB\n:02001000334477\n:00000001FF\n", err), 0);
    assert_string_equal(err, "line 2: two different values for address 0x00000010");
    /* the same value twice is no conflict */
    assert_int_equal(hex_error(":020010001122BB\n:020010001122BB\n:00000001FF\n", err), 0);
    assert_int_not_equal(hex_error(":00000001FF\n", err), 0);
    assert_non_null(strstr(err, "no data"));
}

static void run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "failed (%d): %s\n", rc, cmd);
    }
    assert_int_equal(rc, 0);
}

static void freshly_built_elf_lands_where_objcopy_puts_it(void **state)
{
    (void)state;
    run("mkdir -p " WORK " && cd " WORK " && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O2 -nostdlib -ffreestanding"
        " -T " FIXTURES "/tiny.ld " FIXTURES "/tiny.c -o tiny.elf && arm-none-eabi-objcopy -O ihex tiny.elf tiny.hex");
    struct buf elf = load(WORK "/tiny.elf");
    struct buf hex = load(WORK "/tiny.hex");
    struct fw_image a, b;
    char err[FW_ERR_LEN];
    fw_init(&a);
    fw_init(&b);
    assert_int_equal(fw_detect(elf.p, elf.n), FW_ELF);
    assert_int_equal(fw_detect(hex.p, hex.n), FW_HEX);
    assert_int_equal(fw_load_elf(&a, elf.p, elf.n, err), 0);
    assert_int_equal(fw_load_hex(&b, hex.p, hex.n, err), 0);
    assert_int_equal(a.count, b.count);
    assert_int_equal(a.data_bytes, b.data_bytes);
    for (size_t i = 0; i < a.count; i++) {
        assert_int_equal(a.blocks[i].addr, b.blocks[i].addr);
        assert_memory_equal(a.blocks[i].data, b.blocks[i].data, FW_BLOCK_PAYLOAD);
    }
    /* .data's initial value sits in flash (its load address), not at 0x20000000 */
    assert_true(a.lowest == 0x08008000u && a.highest < 0x08008000u + 0x1000u);
    fw_free(&a);
    fw_free(&b);
    free(elf.p);
    free(hex.p);
}

static void family_names_and_numbers_are_understood(void **state)
{
    (void)state;
    uint32_t id = 0;
    assert_true(fw_family_parse("STM32L4", &id));
    assert_int_equal(id, STM32L4);
    assert_true(fw_family_parse("rp2040", &id));
    assert_int_equal(id, RP2040);
    assert_true(fw_family_parse("0x57755a57", &id));
    assert_string_equal(fw_family_name(id), "STM32F4");
    assert_true(fw_family_parse("0", &id));
    assert_int_equal(id, 0);
    assert_false(fw_family_parse("STM32Q9", &id));
    assert_false(fw_family_parse("0x1ffffffff", &id));
    assert_false(fw_family_parse("", &id));
}

static struct drive board(void)
{
    struct drive d;
    memset(&d, 0, sizeof(d));
    d.has_family = true;
    d.family = STM32L4;
    d.has_app = true;
    d.app_base = 0x08008000u;
    d.app_max_size = 2060288u; /* 0x081FF000 - 0x08008000 */
    return d;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A BIN of `size` bytes at `base` whose vector table says SP 0x200a0000 and reset handler `pc`. */
static bool precheck_vectors(size_t size, uint32_t base, uint32_t family, uint32_t pc, char err[FW_ERR_LEN])
{
    uint8_t *data = calloc(size, 1);
    put_le32(data, 0x200a0000u);
    put_le32(data + 4, pc);
    struct fw_image img;
    fw_init(&img);
    assert_int_equal(fw_load_bin(&img, data, size, base, err), 0);
    struct firmware fw = {FW_BIN, NULL, 0};
    fw.uf2 = fw_to_uf2(&img, family, &fw.uf2_len);
    struct drive d = board();
    bool ok = cli_precheck(&fw, &d, err);
    free(fw.uf2);
    fw_free(&img);
    free(data);
    return ok;
}

static bool precheck_bin(size_t size, uint32_t base, uint32_t family, char err[FW_ERR_LEN])
{
    return precheck_vectors(size, base, family, 0x08008101u, err);
}

static void precheck_refuses_other_family_boot_region_and_oversize(void **state)
{
    (void)state;
    char err[FW_ERR_LEN];
    assert_true(precheck_bin(1000, 0x08008000u, STM32L4, err));
    assert_true(precheck_bin(2060288u, 0x08008000u, STM32L4, err)); /* exactly the app area */

    assert_false(precheck_bin(1000, 0x08008000u, RP2040, err));
    assert_string_equal(err, "the file is for chip family 0xe48bff56 (RP2040); this board takes 0x00ff6919 (STM32L4)");
    assert_false(precheck_bin(1000, 0x08000000u, STM32L4, err));
    assert_non_null(strstr(err, "below the app area at 0x08008000"));
    assert_false(precheck_bin(2060288u + 1u, 0x08008000u, STM32L4, err));
    assert_non_null(strstr(err, "the app area holds 2060288"));
    assert_false(precheck_bin(4096, 0x081FE800u, STM32L4, err));
    assert_non_null(strstr(err, "past the app area's end 0x081ff000"));
    assert_false(precheck_bin(1000, 0x08008000u, 0, err));
    assert_non_null(strstr(err, "no family ID"));
}

static void precheck_refuses_an_app_linked_for_another_address(void **state)
{
    (void)state;
    char err[FW_ERR_LEN];
    assert_true(precheck_vectors(1000, 0x08008000u, STM32L4, 0x080083e1u, err));
    /* linked at 0x08000000: the reset handler points into the bootloader */
    assert_false(precheck_vectors(1000, 0x08008000u, STM32L4, 0x08000101u, err));
    assert_non_null(strstr(err, "reset handler 0x08000101"));
    assert_non_null(strstr(err, "link the app at 0x08008000"));
    /* an even reset vector is not Thumb code */
    assert_false(precheck_vectors(1000, 0x08008000u, STM32L4, 0x08008100u, err));
    /* a reset handler past the end of the image */
    assert_false(precheck_vectors(1000, 0x08008000u, STM32L4, 0x08009001u, err));
    /* an image that does not start at App-Base has no vector table there */
    assert_false(precheck_vectors(1000, 0x08009000u, STM32L4, 0x08009101u, err));
    assert_non_null(strstr(err, "not at the app area's start"));
}

static void damaged_uf2_is_refused_with_its_block_number(void **state)
{
    (void)state;
    struct buf u = load(FIXTURES "/gaps.uf2");
    char err[FW_ERR_LEN];
    struct uf2_summary s;
    assert_true(cli_uf2_summary(u.p, u.n, STM32L4, &s, err));
    assert_int_equal(s.blocks, 5);
    assert_int_equal(s.flash_blocks, 5);
    u.p[3 * 512 + 510] ^= 0xFF; /* end magic of block 3 */
    assert_false(cli_uf2_summary(u.p, u.n, STM32L4, &s, err));
    assert_non_null(strstr(err, "block 3"));
    assert_false(cli_uf2_summary(u.p, u.n - 1, STM32L4, &s, err));
    free(u.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bin_of_odd_size_matches_uf2conv),
        cmocka_unit_test(bin_at_unaligned_base_with_other_family_matches_uf2conv),
        cmocka_unit_test(hex_with_gaps_and_extended_linear_addresses_matches_uf2conv),
        cmocka_unit_test(objcopy_crlf_hex_matches_uf2conv),
        cmocka_unit_test(hex_with_segment_addresses_matches_uf2conv),
        cmocka_unit_test(elf_matches_uf2conv_of_its_objcopy_hex),
        cmocka_unit_test(gaps_leave_no_blocks_and_unset_bytes_read_ff),
        cmocka_unit_test(bin_sizes_round_up_to_whole_zero_padded_blocks),
        cmocka_unit_test(hex_problems_are_named_with_their_line),
        cmocka_unit_test(freshly_built_elf_lands_where_objcopy_puts_it),
        cmocka_unit_test(family_names_and_numbers_are_understood),
        cmocka_unit_test(precheck_refuses_other_family_boot_region_and_oversize),
        cmocka_unit_test(precheck_refuses_an_app_linked_for_another_address),
        cmocka_unit_test(damaged_uf2_is_refused_with_its_block_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
