/*
 * core/geometry and the flash map in core/config.h, for whichever chip the
 * build is configured for (the L4R5's defaults, or a DB_CHIP_CONFIG): the
 * erase units tile the flash with no gap, each holds whole writer pages,
 * the app and the boot record each start a unit and never share one, and
 * the sentences' text forms of the family and app base say the numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "geometry.h"
#include "status.h"

static void units_tile_the_flash_in_whole_pages(void **state)
{
    (void)state;
    uint32_t addr = DB_FLASH_BASE;
    uint32_t index = 0;
    while (addr < DB_FLASH_BASE + DB_FLASH_SIZE) {
        struct geometry_unit u;
        assert_true(geometry_unit_of(addr, &u));
        assert_int_equal(u.start, addr);
        assert_int_equal(u.index, index);
        assert_true(u.size >= DB_PAGE_SIZE);
        assert_int_equal(u.size % DB_PAGE_SIZE, 0);
        struct geometry_unit last;
        assert_true(geometry_unit_of(addr + u.size - 1u, &last));
        assert_int_equal(last.start, u.start);
        addr += u.size;
        index++;
    }
    assert_int_equal(addr, DB_FLASH_BASE + DB_FLASH_SIZE);
    assert_true(index <= GEOMETRY_UNITS_MAX);
    struct geometry_unit u;
    assert_false(geometry_unit_of(DB_FLASH_BASE + DB_FLASH_SIZE, &u));
    assert_false(geometry_unit_of(DB_FLASH_BASE - 1u, &u));
}

static void app_and_record_each_start_a_unit_of_their_own(void **state)
{
    (void)state;
    struct geometry_unit app, rec, boot_end;
    assert_true(geometry_unit_of(DB_APP_BASE, &app));
    assert_int_equal(app.start, DB_APP_BASE);
    assert_true(geometry_unit_of(DB_RECORD_ADDR, &rec));
    assert_int_equal(rec.start, DB_RECORD_ADDR);
    assert_true(rec.start + rec.size <= DB_APP_BASE || rec.start >= DB_APP_END);
    /* The bootloader region ends on a unit boundary: erasing the record or
       the app never erases any of it. */
    assert_true(geometry_unit_of(DB_FLASH_BASE + DB_BOOT_SIZE, &boot_end));
    assert_int_equal(boot_end.start, DB_FLASH_BASE + DB_BOOT_SIZE);
    assert_true(DB_APP_END <= DB_FLASH_BASE + DB_FLASH_SIZE);
}

/* The record log's units (core/bootrec.c steps by DB_RECORD_UNIT_SIZE) are
   the chip's erase units exactly, below the app: erasing one while the log
   moves never touches the other, the bootloader's code or the app. */
static void each_record_log_unit_is_one_erase_unit_of_its_own(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < DB_RECORD_PAGES; i++) {
        struct geometry_unit u;
        uint32_t addr = DB_RECORD_ADDR + i * DB_RECORD_UNIT_SIZE;
        assert_true(geometry_unit_of(addr, &u));
        assert_int_equal(u.start, addr);
        assert_int_equal(u.size, DB_RECORD_UNIT_SIZE);
    }
    assert_int_equal(DB_RECORD_ADDR + DB_RECORD_PAGES * DB_RECORD_UNIT_SIZE, DB_FLASH_BASE + DB_BOOT_SIZE);
    assert_true(DB_FLASH_BASE + DB_BOOT_SIZE <= DB_APP_BASE);
}

static void status_sentences_quote_this_chips_family_and_app_base(void **state)
{
    (void)state;
    char text[16];
    snprintf(text, sizeof text, "0x%08x", (unsigned)DB_UF2_FAMILY);
    assert_string_equal(text, DB_UF2_FAMILY_TEXT);
    snprintf(text, sizeof text, "0x%08X", (unsigned)DB_APP_BASE);
    assert_string_equal(text, DB_APP_BASE_TEXT);
    assert_non_null(strstr(db_status_text(DB_ERR_UF2_FAMILY), DB_UF2_FAMILY_TEXT));
    assert_non_null(strstr(db_status_text(DB_ERR_UF2_FAMILY), DB_UF2_FAMILY_NAME));
    assert_non_null(strstr(db_status_text(DB_ERR_ADDR_BOOT), DB_APP_BASE_TEXT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_tile_the_flash_in_whole_pages),
        cmocka_unit_test(app_and_record_each_start_a_unit_of_their_own),
        cmocka_unit_test(each_record_log_unit_is_one_erase_unit_of_its_own),
        cmocka_unit_test(status_sentences_quote_this_chips_family_and_app_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
