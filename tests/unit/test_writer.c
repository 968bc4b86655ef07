/* The writer turns pieces in any order into exactly the image, erasing each erase unit once, refusing bad data before erasing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "boot.h"
#include "flash_testlib.h"
#include "geometry.h"

#define KB 1024u
#define UF2_PAYLOAD 256u /* what UF2 writers put in a block */
#define HEX_RECORD 16u   /* what objcopy puts in an Intel HEX data record */

static uint8_t img[DB_APP_SIZE];
static uint8_t old_img[64 * KB];
static struct writer w;

static int setup_ram(void **state)
{
    (void)state;
    flash_model_open_ram();
    return 0;
}

/* Erase units an image of size bytes at DB_APP_BASE touches: pages on the
   L4R5, sectors of 64 or 128 KB on the F411. */
static uint32_t units_for(uint32_t size)
{
    uint32_t n = 0;
    struct geometry_unit u;
    for (uint32_t a = DB_APP_BASE; a < DB_APP_BASE + size && geometry_unit_of(a, &u); a = u.start + u.size)
        n++;
    return n;
}

/* Erase operations for an image of size bytes from flash address base: its
   units, but bank 2 of a dual-bank chip is one bank erase whatever it holds. */
static uint32_t erases_for(uint32_t base, uint32_t size)
{
    uint32_t n = 0;
    bool bank2 = false;
    struct geometry_unit u;
    for (uint32_t a = base; a < base + size && geometry_unit_of(a, &u); a = u.start + u.size) {
#if DB_BANK2_FAST
        if (a >= DB_FLASH_BASE + DB_BANK_SIZE) {
            bank2 = true;
            continue;
        }
#endif
        n++;
    }
    return n + (bank2 ? 1u : 0u);
}

/* The committed record says size bytes with the image's CRC, and flash holds the image. */
static void assert_committed(const uint8_t *image, uint32_t size)
{
    struct bootrec r;
    assert_true(bootrec_read(&r));
    assert_int_equal(r.app_size, size);
    assert_int_equal(r.app_crc, crc32_update(0, image, size));
    assert_true(testlib_flash_holds(image, size));
    assert_int_equal(testlib_stats().violations, 0);
}

static void commit_old_app(void)
{
    testlib_make_image(old_img, sizeof old_img, 77);
    assert_int_equal(testlib_update(old_img, sizeof old_img, UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
    testlib_confirm_active(); /* a working app: its starts are not counted any more */
    flash_model_reset_stats();
}

static void hex_sized_pieces_give_the_exact_image(void **state)
{
    (void)state;
    testlib_make_image(img, 10000, 1);
    assert_int_equal(testlib_update(img, 10000, HEX_RECORD, BOOTREC_FMT_HEX), DB_DONE);
    assert_committed(img, 10000);
    struct flash_model_stats s = testlib_stats();
    assert_int_equal(s.erases, units_for(10000) + 1u); /* + the record page */
}

static void odd_sizes_and_odd_pieces_give_the_exact_image_and_erased_tail(void **state)
{
    (void)state;
    const uint32_t sizes[] = {9, 15, 255, 257, 1000, 4095, 4096, 4097};
    const uint32_t pieces[] = {1, 5, 13, 16, 100, 256, 4097};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            flash_model_open_ram();
            uint32_t size = sizes[i];
            testlib_make_image(img, size, (uint32_t)(i * 16 + p));
            assert_int_equal(testlib_update(img, size, pieces[p], BOOTREC_FMT_HEX), DB_DONE);
            assert_committed(img, size);
            /* The rest of the last double-word and page stays erased. */
            uint8_t tail[16];
            assert_int_equal(flash_read(DB_APP_BASE + size, tail, sizeof tail), FLASH_OK);
            for (size_t b = 0; b < sizeof tail; b++)
                assert_int_equal(tail[b], 0xFF);
            assert_int_equal(testlib_stats().erases, units_for(size) + 1u);
        }
    }
}

/* Fisher-Yates with a fixed LCG: the same shuffled order every run. */
static void shuffle(uint32_t *order, uint32_t n, uint32_t seed)
{
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    for (uint32_t i = n - 1; i > 0; i--) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t j = (seed >> 8) % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static void shuffled_blocks_erase_each_page_exactly_once(void **state)
{
    (void)state;
    const uint32_t size = 64 * KB;
    static uint32_t order[64 * KB / UF2_PAYLOAD];
    testlib_make_image(img, size, 2);
    shuffle(order, size / UF2_PAYLOAD, 42);
    writer_init(&w);
    (void)testlib_arm(&w, img);
    for (uint32_t i = 0; i < size / UF2_PAYLOAD; i++) {
        uint32_t off = order[i] * UF2_PAYLOAD;
        assert_int_equal(writer_write(&w, DB_APP_BASE + off, img + off, UF2_PAYLOAD), DB_BUSY);
    }
    assert_int_equal(writer_commit(&w, size, BOOTREC_FMT_UF2), DB_DONE);
    assert_committed(img, size);
    assert_int_equal(testlib_stats().erases, units_for(size) + 1u);
    assert_int_equal(w.erase_count, units_for(size));
    assert_int_equal(w.program_count, size / DB_PROG_UNIT);
}

static void repeated_identical_blocks_are_accepted(void **state)
{
    (void)state;
    const uint32_t size = 3 * DB_PAGE_SIZE;
    testlib_make_image(img, size, 3);
    writer_init(&w);
    (void)testlib_arm(&w, img);
    for (uint32_t off = 0; off < size; off += UF2_PAYLOAD)
        assert_int_equal(writer_write(&w, DB_APP_BASE + off, img + off, UF2_PAYLOAD), DB_BUSY);
    /* Again, in the held page and in pages already flushed. */
    for (uint32_t off = 0; off < size; off += UF2_PAYLOAD)
        assert_int_equal(writer_write(&w, DB_APP_BASE + off, img + off, UF2_PAYLOAD), DB_BUSY);
    assert_int_equal(writer_commit(&w, size, BOOTREC_FMT_UF2), DB_DONE);
    assert_committed(img, size);
    assert_int_equal(testlib_stats().erases, units_for(size) + 1u);
}

static void different_value_for_a_written_byte_is_an_overlap(void **state)
{
    (void)state;
    testlib_make_image(img, 2 * DB_PAGE_SIZE, 4);
    uint8_t other[16];
    memset(other, 0x5A, sizeof other);
    /* In the page still held in RAM. */
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_BASE, img, 64), DB_BUSY);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 40, other, 16), DB_ERR_OVERLAP);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 64, img + 64, 16), DB_ERR_OVERLAP); /* sticky */
    assert_int_equal(writer_commit(&w, 64, BOOTREC_FMT_HEX), DB_ERR_OVERLAP);
    struct bootrec r;
    assert_false(bootrec_read(&r));
    /* In a page already programmed, after the writer moved on. */
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_BASE, img, 2 * DB_PAGE_SIZE), DB_BUSY);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 8, other, 8), DB_ERR_OVERLAP);
    assert_int_equal(testlib_stats().violations, 0);
}

/* Whole double-words go in bulk only when none of their bytes came before:
   a run over a half-given double-word is still compared byte by byte. */
static void whole_double_words_over_half_given_ones_are_compared_byte_by_byte(void **state)
{
    (void)state;
    testlib_make_image(img, DB_PAGE_SIZE, 12);
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 68, img + 68, 4), DB_BUSY);
    assert_int_equal(writer_write(&w, DB_APP_BASE, img, 256), DB_BUSY); /* the same bytes again: fine */
    assert_int_equal(writer_write(&w, DB_APP_BASE + 256, img + 256, DB_PAGE_SIZE - 256), DB_BUSY);
    assert_int_equal(writer_commit(&w, DB_PAGE_SIZE, BOOTREC_FMT_UF2), DB_DONE);
    assert_committed(img, DB_PAGE_SIZE);

    flash_model_open_ram();
    uint8_t changed[256];
    memcpy(changed, img, sizeof changed);
    changed[70] ^= 0x01u; /* differs from the byte given before, inside a run of whole double-words */
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 68, img + 68, 4), DB_BUSY);
    assert_int_equal(writer_write(&w, DB_APP_BASE, changed, sizeof changed), DB_ERR_OVERLAP);
    assert_int_equal(testlib_stats().violations, 0);
}

static void refused_first_data_leaves_old_app_and_record_untouched(void **state)
{
    (void)state;
    const struct { uint32_t addr, len; enum db_status want; } bad[] = {
        {DB_FLASH_BASE, 256, DB_ERR_ADDR_BOOT},                 /* app linked at 0x08000000 */
        {DB_APP_BASE - 16, 256, DB_ERR_ADDR_BOOT},              /* straddles into the bootloader */
        {0x00000000u, 256, DB_ERR_ADDR_RANGE},                  /* linked at 0 */
        {DB_RAM_BASE, 256, DB_ERR_ADDR_RANGE},                  /* RAM */
        {DB_RECORD_ADDR, 256, DB_ERR_ADDR_BOOT},                /* the record log, in the bootloader's region */
        {DB_FLASH_BASE + DB_FLASH_SIZE, 256, DB_ERR_ADDR_RANGE},/* past flash */
        {DB_APP_END - 8, 16, DB_ERR_TOO_LARGE},                 /* runs off the app area */
        {DB_APP_BASE, DB_APP_SIZE + 1u, DB_ERR_TOO_LARGE},
        {0xFFFFFF00u, 0x200, DB_ERR_ADDR_RANGE},                /* wraps around */
    };
    commit_old_app();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        writer_init(&w);
        (void)testlib_arm(&w, img);
        assert_int_equal(writer_write(&w, bad[i].addr, img, bad[i].len), bad[i].want);
        assert_int_equal(writer_commit(&w, 256, BOOTREC_FMT_UF2), bad[i].want);
        struct flash_model_stats s = testlib_stats();
        assert_int_equal(s.ops, 0);
        assert_committed(old_img, sizeof old_img);
        struct boot_inputs in = {0};
        struct boot_decision d;
        boot_decide(&in, &d);
        assert_int_equal(d.reason, BOOT_START_APP);
    }
}

static void pages_without_data_inside_the_image_read_erased_after_commit(void **state)
{
    (void)state;
    commit_old_app();
    testlib_make_image(img, 4 * DB_PAGE_SIZE, 5);
    memset(img + DB_PAGE_SIZE, 0xFF, 2 * DB_PAGE_SIZE); /* a HEX file with a hole */
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_BASE, img, DB_PAGE_SIZE), DB_BUSY);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 3 * DB_PAGE_SIZE, img + 3 * DB_PAGE_SIZE, DB_PAGE_SIZE), DB_BUSY);
    assert_int_equal(writer_commit(&w, 0, BOOTREC_FMT_HEX), DB_DONE);
    assert_committed(img, 4 * DB_PAGE_SIZE);
    assert_int_equal(w.erase_count, erases_for(DB_SLOT_B_BASE, 4 * DB_PAGE_SIZE)); /* the old app is in A */
}

static void commit_without_data_is_incomplete_and_touches_nothing(void **state)
{
    (void)state;
    commit_old_app();
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_commit(&w, 100, BOOTREC_FMT_BIN), DB_ERR_INCOMPLETE);
    assert_int_equal(testlib_stats().ops, 0);
    assert_committed(old_img, sizeof old_img);
}

static void seq_counts_commits(void **state)
{
    (void)state;
    testlib_make_image(img, 512, 6);
    for (uint32_t n = 1; n <= 3; n++) {
        assert_int_equal(testlib_update(img, 512, UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
        struct bootrec r;
        assert_true(bootrec_read(&r));
        assert_int_equal(r.seq, n);
        assert_int_equal(r.format, BOOTREC_FMT_UF2);
    }
}

static void flash_failure_mid_update_is_sticky_and_keeps_the_old_app_with_ab_else_no_record(void **state)
{
    (void)state;
    commit_old_app();
    const uint32_t size = 4u * DB_PAGE_SIZE; /* each page's program comes when the next one starts */
    testlib_make_image(img, size, 7);
    flash_model_cut_after(3); /* three operations (erases, page programs, an ERASE record), then the cut */
    writer_init(&w);
    (void)testlib_arm(&w, img);
    enum db_status s = DB_BUSY;
    for (uint32_t off = 0; off < size && s == DB_BUSY; off += UF2_PAYLOAD)
        s = writer_write(&w, DB_APP_BASE + off, img + off, UF2_PAYLOAD);
    assert_int_equal(s, DB_ERR_FLASH);
    assert_int_equal(writer_commit(&w, size, BOOTREC_FMT_UF2), DB_ERR_FLASH);
    flash_model_power_on();
#if DB_AB_SLOTS
    assert_committed(old_img, sizeof old_img); /* A/B: it went to the other slot */
#else
    struct bootrec r; /* one slot: the old app's place was erased, its ERASE record first */
    assert_false(bootrec_read(&r));
#endif
}

static void full_app_area_fits_and_one_more_byte_does_not(void **state)
{
    (void)state;
    testlib_make_image(img, DB_APP_SIZE, 8);
    assert_int_equal(testlib_update(img, DB_APP_SIZE, UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
    assert_committed(img, DB_APP_SIZE);
    writer_init(&w);
    (void)testlib_arm(&w, img);
    assert_int_equal(writer_write(&w, DB_APP_END, img, 1), DB_ERR_ADDR_RANGE);
}

/* The figures in the report: erases, DW programs, flash ops and time for typical sizes. */
static void update_costs_are_one_erase_per_unit_and_one_program_per_double_word(void **state)
{
    (void)state;
    const uint32_t sizes[] = {1 * KB, 64 * KB, DB_APP_SIZE};
    for (size_t i = 0; i < 3; i++) {
        flash_model_open_ram();
        testlib_make_image(img, sizes[i], 9);
        assert_int_equal(testlib_update(img, sizes[i], UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
        struct flash_model_stats s = testlib_stats();
        uint32_t units = erases_for(DB_APP_BASE, sizes[i]);
        uint32_t pages = (sizes[i] + DB_PAGE_SIZE - 1u) / DB_PAGE_SIZE;
        const uint32_t record_dws = sizeof(struct bootrec_entry) / DB_PROG_UNIT;
        /* on fresh flash the log starts: its unit erased, its header; then the image's record */
        assert_int_equal(s.erases, units + 1u);
        assert_int_equal(s.programs, sizes[i] / DB_PROG_UNIT + 2u * record_dws);
        assert_int_equal(s.ops, units + pages + 3u); /* erase per unit, program per page, log erase, header, record */
        printf("update of %7u bytes: %3u erases, %6u DW programs, %4u ops, %.2f s flash time\n", (unsigned)sizes[i],
               (unsigned)s.erases, (unsigned)s.programs, (unsigned)s.ops, (double)s.busy_us / 1e6);
    }
}

/* Pieces that split double-words, alternating between two pages: each switch
 * leaves a half-filled double-word behind, which must wait (not be
 * programmed 0xFF-filled) until its other bytes come. */
static void split_double_words_across_page_switches_give_the_exact_image(void **state)
{
    (void)state;
    const uint32_t size = 3u * DB_PAGE_SIZE, piece = 13u, half = size / 2u;
    testlib_make_image(img, size, 9);
    writer_init(&w);
    assert_int_equal(testlib_arm(&w, img), DB_BUSY);
    for (uint32_t off = 0; off < half; off += piece) {
        uint32_t n = half - off < piece ? half - off : piece;
        assert_int_equal(writer_write(&w, DB_APP_BASE + off, img + off, n), DB_BUSY);
        assert_int_equal(writer_write(&w, DB_APP_BASE + half + off, img + half + off, n), DB_BUSY);
    }
    assert_int_equal(writer_commit(&w, size, BOOTREC_FMT_HEX), DB_DONE);
    assert_committed(img, size);
}

static void nothing_is_erased_before_the_writer_is_armed(void **state)
{
    (void)state;
    commit_old_app();
    testlib_make_image(img, DB_PAGE_SIZE, 10);
    writer_init(&w);
    assert_int_equal(writer_write(&w, DB_APP_BASE + 512u, img + 512u, 256u), DB_ERR_VECTORS);
    assert_int_equal(testlib_stats().ops, 0);
    assert_committed(old_img, sizeof old_img);
    uint32_t sp = 0x20010000u, boot_pc = (DB_FLASH_BASE + 0x201u);
    assert_int_equal(writer_arm(&w, sp, boot_pc), DB_ERR_ADDR_BOOT);
    assert_int_equal(writer_arm(&w, 0u, DB_APP_BASE + 0x201u), DB_ERR_VECTORS);
    assert_false(w.armed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(split_double_words_across_page_switches_give_the_exact_image, setup_ram),
        cmocka_unit_test_setup(nothing_is_erased_before_the_writer_is_armed, setup_ram),
        cmocka_unit_test_setup(hex_sized_pieces_give_the_exact_image, setup_ram),
        cmocka_unit_test_setup(odd_sizes_and_odd_pieces_give_the_exact_image_and_erased_tail, setup_ram),
        cmocka_unit_test_setup(shuffled_blocks_erase_each_page_exactly_once, setup_ram),
        cmocka_unit_test_setup(repeated_identical_blocks_are_accepted, setup_ram),
        cmocka_unit_test_setup(different_value_for_a_written_byte_is_an_overlap, setup_ram),
        cmocka_unit_test_setup(whole_double_words_over_half_given_ones_are_compared_byte_by_byte, setup_ram),
        cmocka_unit_test_setup(refused_first_data_leaves_old_app_and_record_untouched, setup_ram),
        cmocka_unit_test_setup(pages_without_data_inside_the_image_read_erased_after_commit, setup_ram),
        cmocka_unit_test_setup(commit_without_data_is_incomplete_and_touches_nothing, setup_ram),
        cmocka_unit_test_setup(seq_counts_commits, setup_ram),
        cmocka_unit_test_setup(flash_failure_mid_update_is_sticky_and_keeps_the_old_app_with_ab_else_no_record, setup_ram),
        cmocka_unit_test_setup(full_app_area_fits_and_one_more_byte_does_not, setup_ram),
        cmocka_unit_test_setup(update_costs_are_one_erase_per_unit_and_one_program_per_double_word, setup_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
