/*
 * ports/stm32f411/flash.c against a model of the F4 FLASH controller
 * (flash_f4_regmodel.c): the sector map, whole-sector erase only at a
 * sector's start, the bootloader's sectors, x32 word programming, the
 * refusal of non-erased targets before anything is written, write
 * protection, and the option-byte program that protects sectors 0-2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "flash.h"
#include "flash_f4.h"
#include "flash_f4_regmodel.h"
#include "geometry.h"

static int setup(void **state)
{
    (void)state;
    f4model_reset();
    return 0;
}

static uint8_t *mem_at(uint32_t addr)
{
    return f4model.mem + (addr - DB_FLASH_BASE);
}

static bool all(uint32_t addr, uint8_t v, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (mem_at(addr)[i] != v)
            return false;
    return true;
}

/* config_chip.h's runs through core/geometry: the unit index is FLASH_CR.SNB. */
static void sector_map_is_rm0383s_four_16k_one_64k_three_128k(void **state)
{
    (void)state;
    static const uint32_t starts[9] = {0x08000000, 0x08004000, 0x08008000, 0x0800C000, 0x08010000,
                                       0x08020000, 0x08040000, 0x08060000, 0x08080000};
    for (uint32_t n = 0; n < 8; n++) {
        struct geometry_unit s;
        assert_true(geometry_unit_of(starts[n], &s));
        assert_int_equal(s.start, starts[n]);
        assert_int_equal(s.size, starts[n + 1] - starts[n]);
        assert_int_equal(s.index, n);
        assert_true(geometry_unit_of(starts[n + 1] - 1u, &s));
        assert_int_equal(s.index, n);
    }
    struct geometry_unit s;
    assert_false(geometry_unit_of(0x08080000, &s));
    assert_false(geometry_unit_of(0x07FFFFFF, &s));
}

static void erasing_a_sector_start_erases_that_whole_sector_and_nothing_else(void **state)
{
    (void)state;
    memset(mem_at(0x08010000), 0x00, 0x70000);
    assert_int_equal(flash_erase_page(0x08020000), FLASH_OK);
    assert_true(all(0x08020000, 0xFF, 0x20000));
    assert_true(all(0x08010000, 0x00, 0x10000));
    assert_true(all(0x08040000, 0x00, 0x40000));
    assert_int_equal(f4model.erases[5], 1);
    assert_true(flash_f4_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
    assert_int_equal(f4model.busy_us, f4model_erase_us(5));
}

static void an_address_inside_a_sector_is_refused_without_erasing(void **state)
{
    (void)state;
    memset(mem_at(0x08020000), 0x00, 0x20000);
    assert_int_equal(flash_erase_page(0x08024000), FLASH_ERR_ALIGN);
    assert_true(all(0x08020000, 0x00, 0x20000));
    for (uint32_t n = 0; n < F4MODEL_SECTORS; n++)
        assert_int_equal(f4model.erases[n], 0);
}

static void bootloader_sectors_are_never_erased_or_programmed(void **state)
{
    (void)state;
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (uint32_t a = 0x08000000; a < 0x08008000; a += 0x4000) {
        assert_int_equal(flash_erase_page(a), FLASH_ERR_PROTECTED);
        assert_int_equal(flash_program(a, data, sizeof data), FLASH_ERR_PROTECTED);
    }
    assert_int_equal(flash_program(0x08008000 - 8u, data, 16), FLASH_ERR_PROTECTED); /* straddles into the log */
    for (uint32_t n = 0; n < F4MODEL_SECTORS; n++)
        assert_int_equal(f4model.erases[n], 0);
    assert_int_equal(f4model.word_writes, 0);
}

/* Sectors 2 and 3 are the record log's (DB_RECORD_ADDR), each erased alone:
   the log moves from one to the other, never erasing both. */
static void the_record_sectors_are_erased_one_at_a_time(void **state)
{
    (void)state;
    memset(mem_at(0x08004000), 0x00, 0x10000); /* sector 1 to the start of 4 */
    assert_int_equal(DB_RECORD_ADDR, 0x08008000);
    assert_int_equal(DB_RECORD_UNIT_SIZE, 0x4000);
    assert_int_equal(flash_erase_page(DB_RECORD_ADDR), FLASH_OK);
    assert_true(all(0x08008000, 0xFF, 0x4000));
    assert_true(all(0x0800C000, 0x00, 0x4000));
    assert_true(all(0x08004000, 0x00, 0x4000));
    assert_int_equal(f4model.erases[2], 1);
    assert_int_equal(f4model.erases[3], 0);
    assert_int_equal(flash_erase_page(DB_RECORD_ADDR + DB_RECORD_UNIT_SIZE), FLASH_OK);
    assert_true(all(0x0800C000, 0xFF, 0x4000));
    assert_true(all(0x08010000, 0x00, 0x4000));
    assert_int_equal(f4model.erases[3], 1);
}

static void program_writes_words_and_leaves_blank_double_words_programmable(void **state)
{
    (void)state;
    uint8_t data[24];
    memset(data, 0xA5, sizeof data);
    memset(data + 8, 0xFF, 8); /* the middle double-word stays erased */
    assert_int_equal(flash_program(0x08010000, data, sizeof data), FLASH_OK);
    assert_memory_equal(mem_at(0x08010000), data, sizeof data);
    assert_int_equal(f4model.word_writes, 4);
    assert_true(flash_f4_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
    static const uint8_t later[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    assert_int_equal(flash_program(0x08010008, later, sizeof later), FLASH_OK);
    assert_memory_equal(mem_at(0x08010008), later, sizeof later);
    assert_int_equal(f4model.bits_set_attempts, 0);
}

static void program_over_programmed_bytes_is_refused_before_writing_anything(void **state)
{
    (void)state;
    mem_at(0x08010010)[0] = 0x7F; /* one byte of the third double-word not erased */
    uint8_t data[24];
    memset(data, 0x00, sizeof data);
    assert_int_equal(flash_program(0x08010000, data, sizeof data), FLASH_ERR_NOT_ERASED);
    assert_int_equal(f4model.word_writes, 0);
    assert_true(all(0x08010000, 0xFF, 16));
}

static void program_is_refused_when_not_double_word_aligned(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    assert_int_equal(flash_program(0x08010004, data, 8), FLASH_ERR_ALIGN);
    assert_int_equal(flash_program(0x08010000, data, 4), FLASH_ERR_ALIGN);
    assert_int_equal(f4model.word_writes, 0);
}

static void a_write_protected_sector_ends_in_a_hardware_error_with_its_data_intact(void **state)
{
    (void)state;
    f4model.option_wrp &= ~(1u << 6);
    memset(mem_at(0x08040000), 0x5A, 0x20000);
    assert_int_equal(flash_erase_page(0x08040000), FLASH_ERR_HW);
    assert_true(all(0x08040000, 0x5A, 0x20000));
    /* The error is cleared: the next operation on a writable sector works. */
    assert_int_equal(flash_erase_page(0x08060000), FLASH_OK);
    assert_int_equal(flash_f4_regmodel_regs.SR & FLASH_SR_ERRORS, 0);
}

static void protect_boot_clears_nwrp_of_sectors_0_to_1_once(void **state)
{
    (void)state;
    assert_true(flash_f4_protect_boot());
    assert_int_equal(f4model.option_wrp, 0xFFCu); /* sectors 2-3 (the record log) stay writable */
    assert_int_equal(f4model.option_programs, 1);
    assert_true(flash_f4_regmodel_regs.OPTCR & FLASH_OPTCR_OPTLOCK_Msk);
    /* Already protected: no second option-byte program (they wear too). */
    assert_true(flash_f4_protect_boot());
    assert_int_equal(f4model.option_programs, 1);
    /* The record log's and the app's sectors stay writable. */
    assert_int_equal(flash_erase_page(0x08008000), FLASH_OK);
    assert_int_equal(flash_erase_page(0x08010000), FLASH_OK);
}

static void a_controller_locked_by_a_wrong_key_fails_every_operation(void **state)
{
    (void)state;
    f4model.key_locked = true;
    assert_int_equal(flash_erase_page(0x08010000), FLASH_ERR_HW);
    static const uint8_t data[8] = {0};
    assert_int_equal(flash_program(0x08010000, data, sizeof data), FLASH_ERR_HW);
    assert_int_equal(f4model.erases[4], 0);
    assert_int_equal(f4model.word_writes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sector_map_is_rm0383s_four_16k_one_64k_three_128k),
        cmocka_unit_test_setup(erasing_a_sector_start_erases_that_whole_sector_and_nothing_else, setup),
        cmocka_unit_test_setup(an_address_inside_a_sector_is_refused_without_erasing, setup),
        cmocka_unit_test_setup(bootloader_sectors_are_never_erased_or_programmed, setup),
        cmocka_unit_test_setup(the_record_sectors_are_erased_one_at_a_time, setup),
        cmocka_unit_test_setup(program_writes_words_and_leaves_blank_double_words_programmable, setup),
        cmocka_unit_test_setup(program_over_programmed_bytes_is_refused_before_writing_anything, setup),
        cmocka_unit_test_setup(program_is_refused_when_not_double_word_aligned, setup),
        cmocka_unit_test_setup(a_write_protected_sector_ends_in_a_hardware_error_with_its_data_intact, setup),
        cmocka_unit_test_setup(protect_boot_clears_nwrp_of_sectors_0_to_1_once, setup),
        cmocka_unit_test_setup(a_controller_locked_by_a_wrong_key_fails_every_operation, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
