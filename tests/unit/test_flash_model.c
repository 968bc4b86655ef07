/* The flash model enforces the STM32L4R5's rules and tears operations like silicon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "flash.h"
#include "flash_model.h"

#define APP_PAGE(n) (DB_APP_BASE + (n) * DB_PAGE_SIZE)
#define BANK2_BASE 0x08100000u /* RM0432: bank 2 of the 2 MB part in dual-bank mode */

static uint8_t page_buf[DB_PAGE_SIZE];

static uint32_t violations(void)
{
    struct flash_model_stats s;
    flash_model_stats(&s);
    return s.violations;
}

static int setup_ram(void **state)
{
    (void)state;
    flash_model_open_ram();
    return 0;
}

static bool all_ff(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

static void fill_pattern(uint8_t *p, uint32_t n, uint8_t salt)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7u + salt);
}

static void fresh_flash_reads_erased_everywhere(void **state)
{
    (void)state;
    for (uint32_t a = DB_FLASH_BASE; a < DB_FLASH_BASE + DB_FLASH_SIZE; a += DB_PAGE_SIZE) {
        assert_int_equal(flash_read(a, page_buf, DB_PAGE_SIZE), FLASH_OK);
        assert_true(all_ff(page_buf, DB_PAGE_SIZE));
    }
    assert_int_equal(violations(), 0);
}

static void program_then_read_back_gives_the_data(void **state)
{
    (void)state;
    uint8_t data[64];
    fill_pattern(data, sizeof data, 3);
    assert_int_equal(flash_program(APP_PAGE(1) + 8, data, sizeof data), FLASH_OK);
    uint8_t back[80];
    assert_int_equal(flash_read(APP_PAGE(1), back, sizeof back), FLASH_OK);
    assert_true(all_ff(back, 8));
    assert_memory_equal(back + 8, data, sizeof data);
    assert_true(all_ff(back + 72, 8));
    struct flash_model_stats s;
    flash_model_stats(&s);
    assert_int_equal(s.programs, 8);
    assert_int_equal(s.ops, 1);
    assert_int_equal(s.violations, 0);
}

static void second_program_of_a_double_word_is_refused_and_counted(void **state)
{
    (void)state;
    uint8_t a[8] = {0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    uint8_t b[8] = {0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; /* only clears bits: still refused */
    assert_int_equal(flash_program(APP_PAGE(0), a, 8), FLASH_OK);
    assert_int_equal(flash_program(APP_PAGE(0), b, 8), FLASH_ERR_NOT_ERASED);
    assert_int_equal(flash_program(APP_PAGE(0), a, 8), FLASH_ERR_NOT_ERASED);
    assert_int_equal(violations(), 2);
    uint8_t back[8];
    assert_int_equal(flash_read(APP_PAGE(0), back, 8), FLASH_OK);
    assert_memory_equal(back, a, 8);
}

static void refused_program_changes_nothing_even_in_its_good_double_words(void **state)
{
    (void)state;
    uint8_t one[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(flash_program(APP_PAGE(0) + 8, one, 8), FLASH_OK);
    uint8_t three[24];
    fill_pattern(three, sizeof three, 9);
    assert_int_equal(flash_program(APP_PAGE(0), three, sizeof three), FLASH_ERR_NOT_ERASED);
    uint8_t back[24];
    assert_int_equal(flash_read(APP_PAGE(0), back, sizeof back), FLASH_OK);
    assert_true(all_ff(back, 8));
    assert_memory_equal(back + 8, one, 8);
    assert_true(all_ff(back + 16, 8));
}

static void all_ff_double_words_are_skipped_and_can_be_programmed_later(void **state)
{
    (void)state;
    uint8_t data[16];
    memset(data, 0xFF, 8);
    memset(data + 8, 0x55, 8);
    assert_int_equal(flash_program(APP_PAGE(2), data, 16), FLASH_OK);
    struct flash_model_stats s;
    flash_model_stats(&s);
    assert_int_equal(s.programs, 1);
    uint8_t later[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    assert_int_equal(flash_program(APP_PAGE(2), later, 8), FLASH_OK);
    assert_int_equal(violations(), 0);
}

static void misaligned_program_and_erase_are_refused(void **state)
{
    (void)state;
    uint8_t data[16] = {0};
    assert_int_equal(flash_program(APP_PAGE(0) + 4, data, 8), FLASH_ERR_ALIGN);
    assert_int_equal(flash_program(APP_PAGE(0), data, 12), FLASH_ERR_ALIGN);
    assert_int_equal(flash_erase_page(APP_PAGE(0) + 8), FLASH_ERR_ALIGN);
    assert_int_equal(violations(), 3);
    assert_int_equal(flash_read(APP_PAGE(0), page_buf, DB_PAGE_SIZE), FLASH_OK);
    assert_true(all_ff(page_buf, DB_PAGE_SIZE));
}

static void bootloader_region_and_outside_flash_are_protected(void **state)
{
    (void)state;
    uint8_t data[8] = {0};
    assert_int_equal(flash_erase_page(DB_FLASH_BASE), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(DB_RECORD_ADDR - DB_PAGE_SIZE), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(DB_RECORD_ADDR), FLASH_OK); /* the record log is the bootloader's to write */
    assert_int_equal(flash_program(DB_FLASH_BASE + 0x100, data, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_program(DB_RECORD_ADDR - 8, data, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(DB_FLASH_BASE + DB_FLASH_SIZE), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(DB_FLASH_BASE - DB_PAGE_SIZE), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_program(DB_FLASH_BASE + DB_FLASH_SIZE - 8, data, 16), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_read(DB_FLASH_BASE + DB_FLASH_SIZE - 8, page_buf, 16), FLASH_ERR_PROTECTED);
    assert_int_equal(violations(), 8);
    /* The first app page, bank 2 and the record page are fair game. */
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(flash_erase_page(BANK2_BASE), FLASH_OK);
    assert_int_equal(flash_erase_page(DB_RECORD_ADDR), FLASH_OK);
    assert_int_equal(flash_program(DB_RECORD_ADDR + DB_PAGE_SIZE - 8, data, 8), FLASH_OK);
    assert_int_equal(violations(), 8);
}

static void erase_makes_a_page_programmable_again_and_leaves_neighbours(void **state)
{
    (void)state;
    uint8_t data[DB_PAGE_SIZE];
    fill_pattern(data, sizeof data, 1);
    assert_int_equal(flash_program(BANK2_BASE - DB_PAGE_SIZE, data, DB_PAGE_SIZE), FLASH_OK);
    assert_int_equal(flash_program(BANK2_BASE, data, DB_PAGE_SIZE), FLASH_OK);
    assert_int_equal(flash_erase_page(BANK2_BASE), FLASH_OK);
    assert_int_equal(flash_read(BANK2_BASE, page_buf, DB_PAGE_SIZE), FLASH_OK);
    assert_true(all_ff(page_buf, DB_PAGE_SIZE));
    assert_int_equal(flash_read(BANK2_BASE - DB_PAGE_SIZE, page_buf, DB_PAGE_SIZE), FLASH_OK);
    assert_memory_equal(page_buf, data, DB_PAGE_SIZE);
    assert_int_equal(flash_program(BANK2_BASE, data, DB_PAGE_SIZE), FLASH_OK);
    struct flash_model_stats s;
    flash_model_stats(&s);
    assert_int_equal(s.erases, 1);
    assert_int_equal(s.programs, 3 * DB_PAGE_SIZE / 8);
    assert_int_equal(s.ops, 4);
    assert_int_equal(s.violations, 0);
    assert_int_equal(s.busy_us, 22000u + 3u * 512u * 82u);
}

static void clean_cut_leaves_the_operation_undone_until_power_on(void **state)
{
    (void)state;
    uint8_t data[16];
    fill_pattern(data, sizeof data, 5);
    flash_model_cut_after(2);
    assert_int_equal(flash_program(APP_PAGE(0), data, 8), FLASH_OK);
    assert_true(flash_model_powered());
    assert_int_equal(flash_program(APP_PAGE(0) + 8, data + 8, 8), FLASH_ERR_HW);
    assert_false(flash_model_powered());
    assert_int_equal(flash_erase_page(APP_PAGE(0)), FLASH_ERR_HW);
    flash_model_power_on();
    assert_true(flash_model_powered());
    assert_int_equal(flash_read(APP_PAGE(0), page_buf, 16), FLASH_OK);
    assert_memory_equal(page_buf, data, 8);
    assert_true(all_ff(page_buf + 8, 8));
    /* The cut is not armed again after power on. */
    assert_int_equal(flash_program(APP_PAGE(0) + 8, data + 8, 8), FLASH_OK);
    assert_int_equal(violations(), 0);
}

static void torn_program_leaves_one_unreadable_double_word_until_erase(void **state)
{
    (void)state;
    uint8_t data[DB_PAGE_SIZE];
    fill_pattern(data, sizeof data, 11);
    flash_model_set_tear(true);
    flash_model_set_seed(7);
    flash_model_cut_after(1);
    assert_int_equal(flash_program(APP_PAGE(3), data, DB_PAGE_SIZE), FLASH_ERR_HW);
    flash_model_power_on();
    uint32_t good = 0, ecc = 0, erased = 0;
    for (uint32_t off = 0; off < DB_PAGE_SIZE; off += 8) {
        uint8_t dw[8];
        enum flash_status st = flash_read(APP_PAGE(3) + off, dw, 8);
        if (st == FLASH_ERR_ECC)
            ecc++;
        else if (memcmp(dw, data + off, 8) == 0)
            good++;
        else if (all_ff(dw, 8))
            erased++;
        else
            fail_msg("double-word at +%u is neither data, erased nor ECC-broken", (unsigned)off);
    }
    assert_int_equal(ecc, 1);
    assert_int_equal(good + ecc + erased, DB_PAGE_SIZE / 8);
    /* The whole page read fails; the torn DW cannot be programmed over. */
    assert_int_equal(flash_read(APP_PAGE(3), page_buf, DB_PAGE_SIZE), FLASH_ERR_ECC);
    assert_int_equal(flash_program(APP_PAGE(3) + good * 8, data + good * 8, 8), FLASH_ERR_NOT_ERASED);
    assert_int_equal(flash_erase_page(APP_PAGE(3)), FLASH_OK);
    assert_int_equal(flash_read(APP_PAGE(3), page_buf, DB_PAGE_SIZE), FLASH_OK);
    assert_true(all_ff(page_buf, DB_PAGE_SIZE));
    assert_int_equal(flash_program(APP_PAGE(3), data, DB_PAGE_SIZE), FLASH_OK);
}

static void torn_erase_leaves_a_mix_of_erased_old_and_garbage(void **state)
{
    (void)state;
    uint8_t data[DB_PAGE_SIZE];
    fill_pattern(data, sizeof data, 17);
    assert_int_equal(flash_program(APP_PAGE(4), data, DB_PAGE_SIZE), FLASH_OK);
    flash_model_set_tear(true);
    flash_model_set_seed(3);
    flash_model_cut_after(1);
    assert_int_equal(flash_erase_page(APP_PAGE(4)), FLASH_ERR_HW);
    flash_model_power_on();
    uint32_t old = 0, erased = 0, garbage = 0, ecc = 0;
    for (uint32_t off = 0; off < DB_PAGE_SIZE; off += 8) {
        uint8_t dw[8];
        enum flash_status st = flash_read(APP_PAGE(4) + off, dw, 8);
        if (st == FLASH_ERR_ECC)
            ecc++;
        else if (memcmp(dw, data + off, 8) == 0)
            old++;
        else if (all_ff(dw, 8))
            erased++;
        else
            garbage++;
    }
    assert_true(old > 0 && erased > 0 && garbage > 0 && ecc > 0);
    /* Garbage DWs are not erased: programming them is a violation. */
    assert_int_equal(flash_erase_page(APP_PAGE(4)), FLASH_OK);
    assert_int_equal(flash_program(APP_PAGE(4), data, DB_PAGE_SIZE), FLASH_OK);
    assert_int_equal(violations(), 0);
}

static void torn_result_is_the_same_for_the_same_seed(void **state)
{
    (void)state;
    static uint8_t first[DB_PAGE_SIZE];
    uint8_t data[DB_PAGE_SIZE];
    fill_pattern(data, sizeof data, 23);
    for (int run = 0; run < 2; run++) {
        flash_model_open_ram();
        assert_int_equal(flash_program(APP_PAGE(5), data, DB_PAGE_SIZE), FLASH_OK);
        flash_model_set_tear(true);
        flash_model_set_seed(99);
        flash_model_cut_after(1);
        assert_int_equal(flash_erase_page(APP_PAGE(5)), FLASH_ERR_HW);
        flash_model_power_on();
        (void)flash_read(APP_PAGE(5), page_buf, DB_PAGE_SIZE);
        if (run == 0)
            memcpy(first, page_buf, DB_PAGE_SIZE);
        else
            assert_memory_equal(first, page_buf, DB_PAGE_SIZE);
    }
}

static void file_backing_creates_erased_image_and_keeps_every_write(void **state)
{
    (void)state;
    char path[] = "/tmp/db_flash_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path); /* let the model create it */
    assert_int_equal(flash_model_open(path), 0);
    uint8_t data[16];
    fill_pattern(data, sizeof data, 31);
    assert_int_equal(flash_erase_page(APP_PAGE(6)), FLASH_OK);
    assert_int_equal(flash_program(APP_PAGE(6) + 16, data, sizeof data), FLASH_OK);
    /* Without closing (a killed process): the file already holds the write. */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), (long)DB_FLASH_SIZE);
    assert_int_equal(fseek(f, (long)(APP_PAGE(6) - DB_FLASH_BASE), SEEK_SET), 0);
    uint8_t back[32];
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
    fclose(f);
    assert_true(all_ff(back, 16));
    assert_memory_equal(back + 16, data, 16);
    /* Reopened, the content is there and programmed DWs stay unprogrammable. */
    flash_model_close();
    assert_int_equal(flash_model_open(path), 0);
    assert_int_equal(flash_read(APP_PAGE(6) + 16, back, 16), FLASH_OK);
    assert_memory_equal(back, data, 16);
    assert_int_equal(flash_program(APP_PAGE(6) + 16, data, 8), FLASH_ERR_NOT_ERASED);
    assert_int_equal(violations(), 1);
    flash_model_close();
    unlink(path);
    flash_model_open_ram();
}

static void file_of_the_wrong_size_is_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/db_flash_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    assert_int_equal(flash_model_open(path), -1);
    unlink(path);
    flash_model_open_ram();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(fresh_flash_reads_erased_everywhere, setup_ram),
        cmocka_unit_test_setup(program_then_read_back_gives_the_data, setup_ram),
        cmocka_unit_test_setup(second_program_of_a_double_word_is_refused_and_counted, setup_ram),
        cmocka_unit_test_setup(refused_program_changes_nothing_even_in_its_good_double_words, setup_ram),
        cmocka_unit_test_setup(all_ff_double_words_are_skipped_and_can_be_programmed_later, setup_ram),
        cmocka_unit_test_setup(misaligned_program_and_erase_are_refused, setup_ram),
        cmocka_unit_test_setup(bootloader_region_and_outside_flash_are_protected, setup_ram),
        cmocka_unit_test_setup(erase_makes_a_page_programmable_again_and_leaves_neighbours, setup_ram),
        cmocka_unit_test_setup(clean_cut_leaves_the_operation_undone_until_power_on, setup_ram),
        cmocka_unit_test_setup(torn_program_leaves_one_unreadable_double_word_until_erase, setup_ram),
        cmocka_unit_test_setup(torn_erase_leaves_a_mix_of_erased_old_and_garbage, setup_ram),
        cmocka_unit_test_setup(torn_result_is_the_same_for_the_same_seed, setup_ram),
        cmocka_unit_test_setup(file_backing_creates_erased_image_and_keeps_every_write, setup_ram),
        cmocka_unit_test_setup(file_of_the_wrong_size_is_refused, setup_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
