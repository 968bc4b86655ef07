/* The boot decision starts only a complete, verified, plausible app, and stay requests win. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot.h"
#include "flash_testlib.h"
#include "geometry.h"

#define APP_SIZE (16u * 1024u)

static uint8_t img[APP_SIZE];

static int setup_ram(void **state)
{
    (void)state;
    flash_model_open_ram();
    return 0;
}

static void set_vectors(uint32_t sp, uint32_t pc)
{
    memcpy(img, &sp, 4);
    memcpy(img + 4, &pc, 4);
}

/* The start of the erase unit holding addr (a page on the L4R5, a sector on the F411). */
static uint32_t unit_start(uint32_t addr)
{
    struct geometry_unit u;
    assert_true(geometry_unit_of(addr, &u));
    return u.start;
}

static struct boot_decision decide(struct boot_inputs in)
{
    struct boot_decision d;
    boot_decide(&in, &d);
    return d;
}

static void commit_app(void)
{
    assert_int_equal(testlib_update(img, APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
}

/* What the writer would never commit (its erase and commit rules check the
 * vectors too), put in flash with a valid record all the same: flash that
 * changed behind the record, or a bootloader of an older version. */
static void commit_behind_the_writer(void)
{
    for (uint32_t off = 0; off < APP_SIZE; off += DB_PAGE_SIZE)
        assert_int_equal(flash_erase_page(DB_APP_BASE + off), FLASH_OK);
    assert_int_equal(flash_program(DB_APP_BASE, img, APP_SIZE), FLASH_OK);
    struct bootrec_state st;
    bootrec_load(&st);
    struct bootrec_entry e = {.type = BOOTREC_IMAGE, .seq = st.next_seq, .slot = BOOTREC_SLOT_A, .size = APP_SIZE,
                              .format = BOOTREC_FMT_BIN};
    assert_int_equal(bootrec_image_crc(DB_APP_BASE, APP_SIZE, &e.crc), FLASH_OK);
    assert_int_equal(bootrec_append(&st, &e), FLASH_OK);
}

static void empty_flash_stays_for_lack_of_a_record(void **state)
{
    (void)state;
    struct boot_inputs in = {0};
    assert_int_equal(decide(in).reason, BOOT_STAY_NO_RECORD);
}

static void committed_app_starts_with_its_sp_and_reset_handler(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 1);
    set_vectors(0x20018000u, DB_APP_BASE + 0x1C1u);
    commit_app();
    struct boot_inputs in = {0};
    struct boot_decision d = decide(in);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_int_equal(d.app_sp, 0x20018000u);
    assert_int_equal(d.app_pc, DB_APP_BASE + 0x1C1u);
}

static void st_linked_app_with_sp_at_the_end_of_ram_starts(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 2);
    set_vectors(DB_RAM_END, DB_APP_BASE + 0x2F5u); /* CubeMX _estack: the end of RAM (L4R5: end of SRAM3) */
    commit_app();
    struct boot_inputs in = {0};
    assert_int_equal(decide(in).reason, BOOT_START_APP);
}

static void each_stay_request_wins_over_a_good_app(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 3);
    commit_app();
    struct boot_inputs magic = {.stay_magic = true};
    struct boot_inputs button = {.button = true};
    struct boot_inputs twice = {.double_reset = true};
    struct boot_inputs after = {.after_update = true};
    assert_int_equal(decide(magic).reason, BOOT_STAY_REQUESTED);
    assert_int_equal(decide(button).reason, BOOT_STAY_BUTTON);
    assert_int_equal(decide(twice).reason, BOOT_STAY_DOUBLE_RESET);
    assert_int_equal(decide(after).reason, BOOT_STAY_AFTER_UPDATE);
    assert_int_equal(decide(magic).app_pc, 0);
}

/* An app asks for the bootloader when its button was held long enough
 * (blinky: 3 s); the button is still down when the bootloader looks. */
static void the_apps_request_names_the_reason_with_the_button_still_held(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 9);
    commit_app();
    struct boot_inputs both = {.stay_magic = true, .button = true};
    assert_int_equal(decide(both).reason, BOOT_STAY_REQUESTED);
}

/* After commit the image is not read again at boot unless the build asks
 * for it (DB_BOOT_FULL_CRC): flash changed behind the record then starts. */
#if DB_BOOT_FULL_CRC
#define CHANGED_BEHIND_THE_RECORD BOOT_STAY_APP_CORRUPT
#else
#define CHANGED_BEHIND_THE_RECORD BOOT_START_APP
#endif

/* Erase every erase unit the image covers (a page on the L4R5; on the F411
 * one 64 KB sector holds the vector table and the rest of a small app). */
static void erase_app_units(void)
{
    for (uint32_t off = 0; off < APP_SIZE; off += DB_PAGE_SIZE)
        if (unit_start(DB_APP_BASE + off) == DB_APP_BASE + off)
            assert_int_equal(flash_erase_page(DB_APP_BASE + off), FLASH_OK);
}

/* img in flash behind a valid record of its CRC-32, except that the
 * double-word at off was cut while it was programmed: its ECC is broken. */
static void commit_with_a_torn_double_word(uint32_t off)
{
    commit_behind_the_writer();
    erase_app_units();
    if (off > 0u)
        assert_int_equal(flash_program(DB_APP_BASE, img, off), FLASH_OK);
    flash_model_set_tear(true);
    flash_model_cut_after(1);
    assert_int_equal(flash_program(DB_APP_BASE + off, img + off, 8u), FLASH_ERR_HW);
    flash_model_power_on();
    flash_model_set_tear(false);
    assert_int_equal(flash_program(DB_APP_BASE + off + 8u, img + off + 8u, APP_SIZE - off - 8u), FLASH_OK);
    uint8_t dw[8];
    assert_int_equal(flash_read(DB_APP_BASE + off, dw, sizeof dw), FLASH_ERR_ECC);
}

static void app_changed_behind_the_record_is_caught_only_by_the_full_boot_crc(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 4);
    set_vectors(0x20018000u, DB_APP_BASE + 0x1C1u);
    commit_app();
    /* Someone rewrites 256 bytes in the middle without a new record (real
       erase + program; the erase unit's bytes before them are written back
       as they were, those after stay erased). */
    uint32_t changed = DB_APP_BASE + APP_SIZE / 2u;
    uint32_t unit = unit_start(changed);
    uint8_t other[256];
    memset(other, 0x42, sizeof other);
    assert_int_equal(flash_erase_page(unit), FLASH_OK);
    if (unit < changed)
        assert_int_equal(flash_program(unit, img + (unit - DB_APP_BASE), changed - unit), FLASH_OK);
    assert_int_equal(flash_program(changed, other, sizeof other), FLASH_OK);
    struct boot_inputs in = {0};
    assert_int_equal(decide(in).reason, CHANGED_BEHIND_THE_RECORD);
}

static void unreadable_app_double_word_is_caught_only_by_the_full_boot_crc(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 5);
    set_vectors(0x20018000u, DB_APP_BASE + 0x1C1u);
    commit_with_a_torn_double_word(APP_SIZE / 2u);
    struct boot_inputs in = {0};
    assert_int_equal(decide(in).reason, CHANGED_BEHIND_THE_RECORD);
}

/* The vector table is read through ECC at every boot: a double-word there
 * that no longer reads keeps the bootloader, with or without the full CRC. */
static void unreadable_vector_table_keeps_the_bootloader(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 8);
    set_vectors(0x20018000u, DB_APP_BASE + 0x1C1u);
    commit_with_a_torn_double_word(0u);
    struct boot_inputs in = {0};
    enum boot_reason why = decide(in).reason;
    assert_true(why == BOOT_STAY_BAD_VECTORS || why == BOOT_STAY_APP_CORRUPT);
}

static void implausible_vectors_keep_the_bootloader(void **state)
{
    (void)state;
    const struct { uint32_t sp, pc; } bad[] = {
        {0xFFFFFFFFu, 0xFFFFFFFFu},                  /* erased flash */
        {0x10010000u, DB_APP_BASE + 0x1C1u},         /* SRAM2 alias, not in the RAM window */
        {0x200A0004u, DB_APP_BASE + 0x1C1u},         /* past the end of RAM */
        {0x20018002u, DB_APP_BASE + 0x1C1u},         /* not word aligned */
        {0x20018000u, DB_APP_BASE + 0x1C0u},         /* ARM state (Thumb bit clear) */
        {0x20018000u, DB_FLASH_BASE + 0x1C1u},       /* into the bootloader */
        {0x20018000u, (DB_APP_BASE + APP_SIZE) | 1u},/* past the image */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        flash_model_open_ram();
        testlib_make_image(img, APP_SIZE, 6);
        set_vectors(bad[i].sp, bad[i].pc);
        commit_behind_the_writer();
        struct boot_inputs in = {0};
        assert_int_equal(decide(in).reason, BOOT_STAY_BAD_VECTORS);
    }
}

static void vector_plausibility_edges(void **state)
{
    (void)state;
    const uint32_t pc = DB_APP_BASE + 0x101u;
    assert_true(boot_vectors_plausible(DB_RAM_END, pc, APP_SIZE));
    assert_false(boot_vectors_plausible(DB_RAM_END + 4u, pc, APP_SIZE));
    assert_false(boot_vectors_plausible(DB_RAM_BASE, pc, APP_SIZE)); /* no room for a single push */
    assert_true(boot_vectors_plausible(DB_RAM_BASE + 4u, pc, APP_SIZE));
    assert_true(boot_vectors_plausible(DB_RAM_END, (DB_APP_BASE + APP_SIZE - 2u) | 1u, APP_SIZE));
    assert_false(boot_vectors_plausible(DB_RAM_END, pc, 0x100u)); /* handler past a small image */
    assert_false(boot_vectors_plausible(DB_RAM_END, DB_APP_BASE | 1u, APP_SIZE)); /* on the vector table itself */
}

static void no_record_after_the_record_pages_are_erased(void **state)
{
    (void)state;
    testlib_make_image(img, APP_SIZE, 7);
    commit_app();
    for (uint32_t p = 0; p < DB_RECORD_PAGES; p++)
        assert_int_equal(flash_erase_page(DB_RECORD_ADDR + p * DB_PAGE_SIZE), FLASH_OK);
    struct boot_inputs in = {0};
    assert_int_equal(decide(in).reason, BOOT_STAY_NO_RECORD);
}

static void every_reason_has_one_line_of_text(void **state)
{
    (void)state;
    for (int r = BOOT_START_APP; r <= BOOT_STAY_AFTER_UPDATE; r++) {
        const char *t = boot_reason_text((enum boot_reason)r);
        assert_non_null(t);
        assert_true(strlen(t) > 5);
        assert_null(strchr(t, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(empty_flash_stays_for_lack_of_a_record, setup_ram),
        cmocka_unit_test_setup(committed_app_starts_with_its_sp_and_reset_handler, setup_ram),
        cmocka_unit_test_setup(st_linked_app_with_sp_at_the_end_of_ram_starts, setup_ram),
        cmocka_unit_test_setup(each_stay_request_wins_over_a_good_app, setup_ram),
        cmocka_unit_test_setup(the_apps_request_names_the_reason_with_the_button_still_held, setup_ram),
        cmocka_unit_test_setup(app_changed_behind_the_record_is_caught_only_by_the_full_boot_crc, setup_ram),
        cmocka_unit_test_setup(unreadable_app_double_word_is_caught_only_by_the_full_boot_crc, setup_ram),
        cmocka_unit_test_setup(unreadable_vector_table_keeps_the_bootloader, setup_ram),
        cmocka_unit_test_setup(implausible_vectors_keep_the_bootloader, setup_ram),
        cmocka_unit_test_setup(vector_plausibility_edges, setup_ram),
        cmocka_unit_test_setup(no_record_after_the_record_pages_are_erased, setup_ram),
        cmocka_unit_test_setup(every_reason_has_one_line_of_text, setup_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
