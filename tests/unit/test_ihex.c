/*
 * Intel HEX decoder against files written by tools nobody here wrote
 * (arm-none-eabi-objcopy, srec_cat), generated at test time under the build
 * directory from deterministic binaries, fed in every chunk size 1..600 and
 * split at every point; plus hand-made broken records for each error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "ihex.h"

#define FIXTURE_DIR DB_BUILD_DIR "/fixtures/ihex"
#define APP_BASE 0x08008000u
#define BIG_SIZE 33001u     /* odd, and crosses the 64 KB boundary at 0x08010000 */
#define SMALL_BASE 0x0800FF80u
#define SMALL_SIZE 301u     /* crosses 0x08010000 after 128 bytes */
#define SEG_BASE 0x0001FF80u /* i16hex (type 02) can only address 1 MB */
#define CHUNK_MAX 600u
#define START_ADDR 0x08008199u

struct file {
    uint8_t *data;
    uint32_t len;
};

/* Where decoded bytes land: one window of the address space, each byte written once. */
struct image {
    uint32_t base;
    uint32_t size;
    uint8_t *data;
    uint8_t *seen;
    uint32_t bytes;
    uint32_t calls;
};

static uint8_t *big_bin;
static uint8_t *small_bin;

static void fill_pattern(uint8_t *p, uint32_t n, uint32_t seed)
{
    uint32_t x = seed;
    for (uint32_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static struct file load(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    struct file out = {malloc((size_t)n + 1), (uint32_t)n};
    assert_non_null(out.data);
    assert_int_equal(fread(out.data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return out;
}

static void run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "fixture command failed (%d): %s\n", rc, cmd);
    }
    assert_int_equal(rc, 0);
}

/* Generate the fixtures once: binaries from a fixed pattern, HEX from the real tools. */
static int make_fixtures(void **state)
{
    (void)state;
    big_bin = malloc(BIG_SIZE);
    small_bin = malloc(SMALL_SIZE);
    fill_pattern(big_bin, BIG_SIZE, 1);
    fill_pattern(small_bin, SMALL_SIZE, 2);
    run("mkdir -p " FIXTURE_DIR);
    write_file(FIXTURE_DIR "/big.bin", big_bin, BIG_SIZE);
    write_file(FIXTURE_DIR "/small.bin", small_bin, SMALL_SIZE);
    const char *d = FIXTURE_DIR;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd %s && arm-none-eabi-objcopy -I binary -O ihex --change-addresses 0x08008000 big.bin big_objcopy.hex"
             " && srec_cat big.bin -binary -offset 0x08008000 -o big_srec.hex -intel"
             " && srec_cat big.bin -binary -offset 0x08008000 -o big_srec255.hex -intel -Output_Block_Size=255"
             " -Execution_Start_Address=0x08008199 -line-termination=crlf"
             " && srec_cat big.bin -binary -offset 0x08008000 -o big_srec4.hex -intel --address-length=4"
             " -Output_Block_Size=16"
             " && srec_cat small.bin -binary -offset 0x1FF80 -o small_seg.hex -intel --address-length=3"
             " && arm-none-eabi-objcopy -I binary -O ihex --change-addresses 0x0800FF80 small.bin small_objcopy.hex"
             " && tr 'A-F' 'a-f' < big_objcopy.hex | tr -d '\\n' > big_lower_cr.hex"
             " && srec_cat small.bin -binary -offset 0x100 -o - -intel -Output_Block_Size=255 | tail -n +2"
             " > small_long_first.hex",
             d);
    run(cmd);
    return 0;
}

static int free_fixtures(void **state)
{
    (void)state;
    free(big_bin);
    free(small_bin);
    return 0;
}

static enum db_status image_sink(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    struct image *im = ctx;
    im->calls++;
    if (addr < im->base || len > im->size || addr - im->base > im->size - len) {
        return DB_ERR_ADDR_RANGE;
    }
    for (uint32_t i = 0; i < len; i++) {
        uint32_t o = addr - im->base + i;
        if (im->seen[o]) {
            return DB_ERR_OVERLAP;
        }
        im->seen[o] = 1;
        im->data[o] = data[i];
    }
    im->bytes += len;
    return DB_OK;
}

static void image_open(struct image *im, uint32_t base, uint32_t size)
{
    im->base = base;
    im->size = size;
    im->data = calloc(size, 1);
    im->seen = calloc(size, 1);
    im->bytes = 0;
    im->calls = 0;
}

static void image_close(struct image *im)
{
    free(im->data);
    free(im->seen);
}

/* Feed text in pieces of `chunk` bytes; return the final status. */
static enum db_status decode_chunked(struct ihex *h, const struct file *f, uint32_t chunk)
{
    enum db_status st = DB_BUSY;
    for (uint32_t off = 0; off < f->len; off += chunk) {
        uint32_t n = f->len - off < chunk ? f->len - off : chunk;
        st = ihex_feed(h, f->data + off, n);
        if (st != DB_BUSY) {
            break;
        }
    }
    return st;
}

/* The decoded image must be exactly the binary, every byte present once. */
static void assert_image_is(const struct image *im, const uint8_t *bin, uint32_t size)
{
    assert_int_equal(im->bytes, size);
    assert_memory_equal(im->data, bin, size);
}

static void check_every_chunk_size(const char *name, uint32_t base, const uint8_t *bin, uint32_t size)
{
    struct file f = load(name);
    for (uint32_t chunk = 1; chunk <= CHUNK_MAX; chunk++) {
        struct image im;
        struct ihex h;
        image_open(&im, base, size);
        ihex_init(&h, image_sink, &im);
        enum db_status st = decode_chunked(&h, &f, chunk);
        if (st != DB_DONE) {
            fprintf(stderr, "%s chunk %u: %s\n", name, chunk, db_status_name(st));
        }
        assert_int_equal(st, DB_DONE);
        assert_image_is(&im, bin, size);
        image_close(&im);
    }
    free(f.data);
}

static void objcopy_crlf_hex_decodes_to_the_binary_in_every_chunk_size(void **state)
{
    (void)state;
    check_every_chunk_size("big_objcopy.hex", APP_BASE, big_bin, BIG_SIZE);
}

static void srec_cat_lf_hex_decodes_to_the_binary_in_every_chunk_size(void **state)
{
    (void)state;
    check_every_chunk_size("big_srec.hex", APP_BASE, big_bin, BIG_SIZE);
}

static void srec_cat_255_byte_crlf_records_decode_and_keep_the_start_address(void **state)
{
    (void)state;
    check_every_chunk_size("big_srec255.hex", APP_BASE, big_bin, BIG_SIZE);

    struct file f = load("big_srec255.hex");
    struct image im;
    struct ihex h;
    image_open(&im, APP_BASE, BIG_SIZE);
    ihex_init(&h, image_sink, &im);
    assert_int_equal(ihex_feed(&h, f.data, f.len), DB_DONE);
    assert_int_equal(h.start_type, 5);
    assert_int_equal(h.start_addr, START_ADDR);
    image_close(&im);
    free(f.data);
}

static void srec_cat_address_length_4_hex_decodes(void **state)
{
    (void)state;
    check_every_chunk_size("big_srec4.hex", APP_BASE, big_bin, BIG_SIZE);
}

static void segmented_i16hex_uses_type_02_bases(void **state)
{
    (void)state;
    struct file f = load("small_seg.hex");
    assert_non_null(strstr((const char *)f.data, ":02000002")); /* the tool did write type 02 records */
    free(f.data);
    check_every_chunk_size("small_seg.hex", SEG_BASE, small_bin, SMALL_SIZE);
}

static void lower_case_with_cr_only_line_ends_decodes(void **state)
{
    (void)state;
    check_every_chunk_size("big_lower_cr.hex", APP_BASE, big_bin, BIG_SIZE);
}

static void a_split_at_every_point_decodes_the_same(void **state)
{
    (void)state;
    struct file f = load("small_objcopy.hex");
    for (uint32_t cut = 0; cut <= f.len; cut++) {
        struct image im;
        struct ihex h;
        image_open(&im, SMALL_BASE, SMALL_SIZE);
        ihex_init(&h, image_sink, &im);
        enum db_status st = ihex_feed(&h, f.data, cut);
        if (st == DB_BUSY) {
            st = ihex_feed(&h, f.data + cut, f.len - cut);
        }
        assert_int_equal(st, DB_DONE);
        assert_image_is(&im, small_bin, SMALL_SIZE);
        image_close(&im);
    }
    free(f.data);
}

/* Decode a whole string in one feed into a 1 MB window at 0. */
static enum db_status decode_text(const char *text, struct image *im)
{
    struct ihex h;
    ihex_init(&h, image_sink, im);
    return ihex_feed(&h, (const uint8_t *)text, (uint32_t)strlen(text));
}

#define SMALL_WINDOW 0x100000u

static void blank_lines_are_skipped(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text("\r\n\n:020010001122BB\n\r\n\r\r:00000001FF\r\n", &im), DB_DONE);
    assert_int_equal(im.bytes, 2);
    assert_int_equal(im.data[0x10], 0x11);
    assert_int_equal(im.data[0x11], 0x22);
    image_close(&im);
}

static void data_after_the_end_record_is_ignored(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text(":00000001FF\n:020010001122BB\ngarbage\x1a\x00", &im), DB_DONE);
    assert_int_equal(im.calls, 0);
    image_close(&im);
}

static void end_record_without_a_final_line_end_finishes(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text(":020010001122BB\n:00000001FF", &im), DB_DONE);
    image_close(&im);
}

static void a_file_without_end_record_wants_more(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text(":020010001122BB\n", &im), DB_BUSY);
    assert_int_equal(im.bytes, 2);
    image_close(&im);
}

static void a_bad_checksum_is_refused(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text(":020010001122BC\n:00000001FF\n", &im), DB_ERR_HEX_CHECKSUM);
    assert_int_equal(im.calls, 0); /* nothing reaches the sink from a damaged record */
    image_close(&im);
}

static void garbage_and_malformed_lines_are_syntax_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "hello world\n",              /* not a record */
        " :00000001FF\n",             /* leading space */
        ":02001000112GBB\n",          /* not a hex digit */
        ":0200100011\n",              /* line shorter than the byte count */
        ":020010001122BB00\n",        /* line longer than the byte count */
        ":020010001122BB:00000001FF\n", /* two records on one line */
        ":0100000101FD\n",            /* end record with data */
        ":03000004080000F1\n",        /* extended linear address with 3 bytes */
        ":0100000208F5\n",            /* extended segment address with 1 byte */
        ":020000050800F1\n",          /* start linear address with 2 bytes */
        ":\n",                        /* empty record */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct image im;
        image_open(&im, 0, SMALL_WINDOW);
        enum db_status st = decode_text(bad[i], &im);
        if (st != DB_ERR_HEX_SYNTAX) {
            fprintf(stderr, "case %zu: %s\n", i, db_status_name(st));
        }
        assert_int_equal(st, DB_ERR_HEX_SYNTAX);
        image_close(&im);
    }
}

static void an_unknown_record_type_is_refused(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    assert_int_equal(decode_text(":00000006FA\n", &im), DB_ERR_HEX_RECORD);
    image_close(&im);
}

static void type_02_offsets_wrap_inside_their_segment(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    /* base 0x10000; 4 bytes at offset 0xFFFE: two at 0x1FFFE, two wrap to 0x10000 */
    assert_int_equal(decode_text(":020000021000EC\n:04FFFE00AABBCCDDF1\n:00000001FF\n", &im), DB_DONE);
    assert_int_equal(im.data[0x1FFFE], 0xAA);
    assert_int_equal(im.data[0x1FFFF], 0xBB);
    assert_int_equal(im.data[0x10000], 0xCC);
    assert_int_equal(im.data[0x10001], 0xDD);
    assert_int_equal(im.calls, 2);
    image_close(&im);
}

static void type_03_start_address_is_kept(void **state)
{
    (void)state;
    struct ihex h;
    struct image im;
    image_open(&im, 0, SMALL_WINDOW);
    ihex_init(&h, image_sink, &im);
    const char *t = ":0400000312345678E5\n";
    assert_int_equal(ihex_feed(&h, (const uint8_t *)t, (uint32_t)strlen(t)), DB_BUSY);
    assert_int_equal(h.start_type, 3);
    assert_int_equal(h.start_addr, 0x12345678u);
    image_close(&im);
}

static void a_sink_error_stops_the_decoder(void **state)
{
    (void)state;
    struct image im;
    image_open(&im, 0x20000, 16); /* the record lands outside: the sink says so */
    struct ihex h;
    ihex_init(&h, image_sink, &im);
    const char *t = ":020010001122BB\n:020010001122BB\n";
    assert_int_equal(ihex_feed(&h, (const uint8_t *)t, (uint32_t)strlen(t)), DB_ERR_ADDR_RANGE);
    assert_int_equal(ihex_feed(&h, (const uint8_t *)t, (uint32_t)strlen(t)), DB_ERR_ADDR_RANGE);
    assert_int_equal(im.calls, 1);
    image_close(&im);
}

static void is_start_recognises_first_sectors_written_by_the_tools(void **state)
{
    (void)state;
    static const char *const names[] = {"big_objcopy.hex", "big_srec.hex", "big_srec255.hex",
                                        "big_lower_cr.hex", "small_seg.hex", "small_long_first.hex"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct file f = load(names[i]);
        assert_true(f.len >= 512);
        assert_true(ihex_is_start(f.data, 512));
        free(f.data);
    }
    /* the long first record really is longer than a sector */
    struct file f = load("small_long_first.hex");
    assert_memory_equal(f.data, ":FF", 3);
    free(f.data);
}

static void is_start_rejects_what_is_not_a_hex_file(void **state)
{
    (void)state;
    static const char *const not_hex[] = {
        "",
        "hello\r\n",
        "\n:00000001FF\n",            /* must begin with ':' */
        ":020010001122BC\n",          /* bad checksum */
        ":00000006FA\n",            /* unknown type */
        ":0200100011\n",              /* short line */
        ":020010001122BB00\n",        /* long line */
        ":020010001122BB:",           /* no line end after the record */
        ":02001006",                  /* truncated header with an unknown type */
        "UF2\nWQ]\x9e",
    };
    for (size_t i = 0; i < sizeof(not_hex) / sizeof(not_hex[0]); i++) {
        assert_false(ihex_is_start((const uint8_t *)not_hex[i], (uint32_t)strlen(not_hex[i])));
    }
    assert_true(ihex_is_start((const uint8_t *)":020010001122BB", 15));
    assert_true(ihex_is_start((const uint8_t *)":00000001FF\r\n", 13));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(objcopy_crlf_hex_decodes_to_the_binary_in_every_chunk_size),
        cmocka_unit_test(srec_cat_lf_hex_decodes_to_the_binary_in_every_chunk_size),
        cmocka_unit_test(srec_cat_255_byte_crlf_records_decode_and_keep_the_start_address),
        cmocka_unit_test(srec_cat_address_length_4_hex_decodes),
        cmocka_unit_test(segmented_i16hex_uses_type_02_bases),
        cmocka_unit_test(lower_case_with_cr_only_line_ends_decodes),
        cmocka_unit_test(a_split_at_every_point_decodes_the_same),
        cmocka_unit_test(blank_lines_are_skipped),
        cmocka_unit_test(data_after_the_end_record_is_ignored),
        cmocka_unit_test(end_record_without_a_final_line_end_finishes),
        cmocka_unit_test(a_file_without_end_record_wants_more),
        cmocka_unit_test(a_bad_checksum_is_refused),
        cmocka_unit_test(garbage_and_malformed_lines_are_syntax_errors),
        cmocka_unit_test(an_unknown_record_type_is_refused),
        cmocka_unit_test(type_02_offsets_wrap_inside_their_segment),
        cmocka_unit_test(type_03_start_address_is_kept),
        cmocka_unit_test(a_sink_error_stops_the_decoder),
        cmocka_unit_test(is_start_recognises_first_sectors_written_by_the_tools),
        cmocka_unit_test(is_start_rejects_what_is_not_a_hex_file),
    };
    return cmocka_run_group_tests(tests, make_fixtures, free_fixtures);
}
