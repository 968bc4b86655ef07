/* The boot record validates only when whole, in range, and self-consistent; the image CRC check reads flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flash_testlib.h"

static uint8_t img[64 * 1024];

static int setup_ram(void **state)
{
    (void)state;
    flash_model_open_ram();
    return 0;
}

static struct bootrec good_record(uint32_t size)
{
    struct bootrec r;
    memset(&r, 0, sizeof r);
    r.app_base = DB_APP_BASE;
    r.app_size = size;
    r.app_crc = crc32_update(0, img, size);
    r.seq = 5;
    r.format = BOOTREC_FMT_BIN;
    return r;
}

static void erased_flash_has_no_record(void **state)
{
    (void)state;
    struct bootrec r;
    assert_false(bootrec_read(&r));
}

static void written_record_reads_back_with_magic_and_crc(void **state)
{
    (void)state;
    struct bootrec r = good_record(1000);
    assert_int_equal(bootrec_write(&r), FLASH_OK);
    assert_int_equal(r.magic, BOOTREC_MAGIC);
    struct bootrec back;
    assert_true(bootrec_read(&back));
    assert_memory_equal(&back, &r, sizeof r);
    assert_int_equal(testlib_stats().violations, 0);
}

static void invalidated_record_is_gone(void **state)
{
    (void)state;
    struct bootrec r = good_record(1000);
    assert_int_equal(bootrec_write(&r), FLASH_OK);
    assert_int_equal(bootrec_invalidate(), FLASH_OK);
    struct bootrec back;
    assert_false(bootrec_read(&back));
    /* The page is erased again: a new record can be written. */
    assert_int_equal(bootrec_write(&r), FLASH_OK);
    assert_true(bootrec_read(&back));
    assert_int_equal(testlib_stats().violations, 0);
}

static void record_for_another_base_or_size_is_invalid(void **state)
{
    (void)state;
    const struct { uint32_t base, size; } bad[] = {
        {DB_APP_BASE + DB_PAGE_SIZE, 1000}, {DB_FLASH_BASE, 1000}, {DB_APP_BASE, 0}, {DB_APP_BASE, DB_APP_SIZE + 1u},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bootrec_invalidate(), FLASH_OK);
        struct bootrec r = good_record(16);
        r.app_base = bad[i].base;
        r.app_size = bad[i].size;
        assert_int_equal(bootrec_write(&r), FLASH_OK);
        struct bootrec back;
        assert_false(bootrec_read(&back));
    }
    assert_int_equal(bootrec_invalidate(), FLASH_OK);
    struct bootrec r = good_record(16);
    r.app_size = DB_APP_SIZE; /* the largest image is fine */
    assert_int_equal(bootrec_write(&r), FLASH_OK);
    struct bootrec back;
    assert_true(bootrec_read(&back));
}

static void record_with_a_wrong_own_crc_is_invalid(void **state)
{
    (void)state;
    struct bootrec r = good_record(1000);
    r.magic = BOOTREC_MAGIC;
    r.rec_crc = 0x12345678u;
    assert_int_equal(flash_program(DB_RECORD_ADDR, (const uint8_t *)&r, sizeof r), FLASH_OK);
    struct bootrec back;
    assert_false(bootrec_read(&back));
}

static void torn_record_write_never_validates(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 64; seed++) {
        flash_model_open_ram();
        flash_model_set_tear(true);
        flash_model_set_seed(seed);
        flash_model_cut_after(1);
        struct bootrec r = good_record(1000);
        assert_int_equal(bootrec_write(&r), FLASH_ERR_HW);
        flash_model_power_on();
        struct bootrec back;
        assert_false(bootrec_read(&back));
    }
}

static void app_intact_follows_the_image_in_flash(void **state)
{
    (void)state;
    testlib_make_image(img, sizeof img, 1);
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(flash_program(DB_APP_BASE, img, DB_PAGE_SIZE), FLASH_OK);
    struct bootrec r = good_record(DB_PAGE_SIZE);
    assert_true(bootrec_app_intact(&r));
    r.app_size = 4000; /* CRC was of 4096 bytes */
    assert_false(bootrec_app_intact(&r));
    /* Same bytes, but one double-word unreadable: not intact. */
    flash_model_set_tear(true);
    flash_model_cut_after(1);
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_ERR_HW);
    flash_model_power_on();
    r = good_record(DB_PAGE_SIZE);
    assert_false(bootrec_app_intact(&r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(erased_flash_has_no_record, setup_ram),
        cmocka_unit_test_setup(written_record_reads_back_with_magic_and_crc, setup_ram),
        cmocka_unit_test_setup(invalidated_record_is_gone, setup_ram),
        cmocka_unit_test_setup(record_for_another_base_or_size_is_invalid, setup_ram),
        cmocka_unit_test_setup(record_with_a_wrong_own_crc_is_invalid, setup_ram),
        cmocka_unit_test_setup(torn_record_write_never_validates, setup_ram),
        cmocka_unit_test_setup(app_intact_follows_the_image_in_flash, setup_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
