/*
 * ports/stm32l4r5/flash.c against a model of the FLASH controller
 * (flash_regmodel.c): the register sequences RM0432 requires, both banks,
 * the bootloader region, error flags, double-word order, ECC, caches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "flash.h"
#include "flash_l4.h"
#include "flash_regmodel.h"

static int setup(void **state)
{
    (void)state;
    regmodel_reset();
    return 0;
}

static uint8_t *mem_at(uint32_t addr)
{
    return regmodel.mem + (addr - DB_FLASH_BASE);
}

static void fill(uint32_t addr, uint8_t v, uint32_t len)
{
    memset(mem_at(addr), v, len);
}

static void unlock_writes_key1_then_key2_and_locks_again(void **state)
{
    (void)state;
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(regmodel.keyr_writes, 2);
    assert_int_equal(regmodel.keyr_log[0], 0x45670123u);
    assert_int_equal(regmodel.keyr_log[1], 0xCDEF89ABu);
    assert_true(flash_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
}

static void erase_bank1_page_sets_pnb_without_bker(void **state)
{
    (void)state;
    const uint32_t addr = 0x08000000u + 8u * 4096u; /* page 8: the first app page */
    fill(addr, 0x00, DB_PAGE_SIZE);
    fill(addr + DB_PAGE_SIZE, 0x00, 8);
    fill(addr - 8, 0x00, 8);
    assert_int_equal(flash_erase_page(addr), FLASH_OK);
    assert_int_equal(regmodel.erases, 1);
    uint32_t cr = regmodel.erase_cr[0];
    assert_true(cr & FLASH_CR_PER_Msk);
    assert_false(cr & FLASH_CR_BKER_Msk);
    assert_int_equal((cr & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos, 8);
    for (uint32_t i = 0; i < DB_PAGE_SIZE; i++)
        assert_int_equal(mem_at(addr)[i], 0xFF);
    assert_int_equal(mem_at(addr + DB_PAGE_SIZE)[0], 0x00); /* neighbours untouched */
    assert_int_equal(mem_at(addr - 8)[0], 0x00);
}

static void erase_bank2_pages_set_bker_and_page_within_bank(void **state)
{
    (void)state;
    assert_int_equal(flash_erase_page(0x08100000u), FLASH_OK);  /* page 256 = bank 2 page 0 */
    assert_int_equal(flash_erase_page(0x081FF000u), FLASH_OK);  /* last page: the boot record */
    assert_int_equal(flash_erase_page(0x080FF000u), FLASH_OK);  /* last page of bank 1 */
    assert_int_equal(regmodel.erases, 3);
    assert_true(regmodel.erase_cr[0] & FLASH_CR_BKER_Msk);
    assert_int_equal((regmodel.erase_cr[0] & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos, 0);
    assert_true(regmodel.erase_cr[1] & FLASH_CR_BKER_Msk);
    assert_int_equal((regmodel.erase_cr[1] & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos, 255);
    assert_false(regmodel.erase_cr[2] & FLASH_CR_BKER_Msk);
    assert_int_equal((regmodel.erase_cr[2] & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos, 255);
}

static void erase_cr_matches_every_page_of_both_banks(void **state)
{
    (void)state;
    for (uint32_t page = DB_BOOT_SIZE / DB_PAGE_SIZE; page < DB_FLASH_SIZE / DB_PAGE_SIZE; page++) {
        uint32_t cr = flash_erase_cr(DB_FLASH_BASE + page * DB_PAGE_SIZE);
        assert_int_equal(!!(cr & FLASH_CR_BKER_Msk), page >= 256u);
        assert_int_equal((cr & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos, page % 256u);
        assert_int_equal(cr & ~(FLASH_CR_PER_Msk | FLASH_CR_BKER_Msk | FLASH_CR_PNB_Msk), 0);
    }
}

static void bootloader_region_is_refused_without_touching_registers(void **state)
{
    (void)state;
    static const uint8_t dw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(flash_erase_page(0x08000000u), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(0x08005000u), FLASH_ERR_PROTECTED); /* the code's last page */
    assert_int_equal(flash_program(0x08005FF8u, dw, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_program(0x08000000u, dw, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_page(0x08200000u), FLASH_ERR_PROTECTED); /* past the end */
    assert_int_equal(flash_program(0x081FFFF8u, dw, 16), FLASH_ERR_PROTECTED);
    assert_int_equal(regmodel.reg_accesses, 0);
    assert_int_equal(regmodel.erases, 0);
    assert_int_equal(regmodel.mem_writes, 0);
}

static void misaligned_requests_are_refused(void **state)
{
    (void)state;
    static const uint8_t dw[8] = {0};
    assert_int_equal(flash_erase_page(DB_APP_BASE + 8u), FLASH_ERR_ALIGN);
    assert_int_equal(flash_program(DB_APP_BASE + 4u, dw, 8), FLASH_ERR_ALIGN);
    assert_int_equal(flash_program(DB_APP_BASE, dw, 4), FLASH_ERR_ALIGN);
    assert_int_equal(regmodel.erases + regmodel.mem_writes, 0);
}

static void stale_flags_are_cleared_first_and_pempty_is_not_an_error(void **state)
{
    (void)state;
    flash_regmodel_regs.SR |= FLASH_SR_PGSERR_Msk; /* left over from someone else */
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(flash_regmodel_regs.SR & FLASH_SR_ERRORS, 0);
    assert_true(flash_regmodel_regs.SR & FLASH_SR_PEMPTY_Msk); /* untouched status bit */
}

static void erase_error_flag_is_reported_and_cleared(void **state)
{
    (void)state;
    fill(DB_APP_BASE, 0x12, DB_PAGE_SIZE);
    regmodel.inject_sr = FLASH_SR_WRPERR_Msk;
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_ERR_HW);
    assert_int_equal(flash_regmodel_regs.SR & FLASH_SR_ERRORS, 0);
    assert_true(flash_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
    assert_int_equal(mem_at(DB_APP_BASE)[0], 0x12);
    /* The next operation works again. */
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(mem_at(DB_APP_BASE)[0], 0xFF);
}

static void program_error_flag_stops_and_reports(void **state)
{
    (void)state;
    uint8_t data[16];
    memset(data, 0x5A, sizeof data);
    regmodel.inject_sr = FLASH_SR_PROGERR_Msk;
    assert_int_equal(flash_program(DB_APP_BASE, data, sizeof data), FLASH_ERR_HW);
    assert_int_equal(regmodel.mem_writes, 2); /* stopped after the failing double-word */
    assert_int_equal(flash_regmodel_regs.SR & FLASH_SR_ERRORS, 0);
    assert_true(flash_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
}

static void double_words_are_two_ordered_writes_and_erased_ones_skipped(void **state)
{
    (void)state;
    uint8_t data[24];
    for (uint32_t i = 0; i < 8; i++)
        data[i] = (uint8_t)(0x10 + i);
    memset(data + 8, 0xFF, 8);
    for (uint32_t i = 16; i < 24; i++)
        data[i] = (uint8_t)(0x20 + i);
    assert_int_equal(flash_program(DB_APP_BASE, data, sizeof data), FLASH_OK);
    assert_int_equal(regmodel.mem_writes, 4);
    assert_int_equal(regmodel.mem_log[0].addr, DB_APP_BASE);
    assert_int_equal(regmodel.mem_log[0].value, 0x13121110u);
    assert_int_equal(regmodel.mem_log[1].addr, DB_APP_BASE + 4u);
    assert_int_equal(regmodel.mem_log[1].value, 0x17161514u);
    assert_int_equal(regmodel.mem_log[2].addr, DB_APP_BASE + 16u);
    assert_int_equal(regmodel.mem_log[3].addr, DB_APP_BASE + 20u);
    assert_memory_equal(mem_at(DB_APP_BASE), data, sizeof data);
    /* The skipped double-word is still erased, so it can be programmed now. */
    static const uint8_t later[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    assert_int_equal(flash_program(DB_APP_BASE + 8u, later, 8), FLASH_OK);
    assert_memory_equal(mem_at(DB_APP_BASE + 8u), later, 8);
}

static void programming_over_data_is_refused_before_any_write(void **state)
{
    (void)state;
    uint8_t data[16];
    memset(data, 0x33, sizeof data);
    fill(DB_APP_BASE + 8u, 0x00, 8);
    assert_int_equal(flash_program(DB_APP_BASE, data, sizeof data), FLASH_ERR_NOT_ERASED);
    assert_int_equal(regmodel.mem_writes, 0);
    assert_int_equal(mem_at(DB_APP_BASE)[0], 0xFF);
}

static void ecc_double_error_on_read_is_reported_and_cleared(void **state)
{
    (void)state;
    uint8_t buf[64];
    regmodel_tear(DB_APP_BASE + 32u);
    assert_int_equal(flash_read(DB_APP_BASE, buf, sizeof buf), FLASH_ERR_ECC);
    assert_false(flash_regmodel_regs.ECCR & FLASH_ECCR_ECCD_Msk);
    assert_int_equal(flash_read(DB_APP_BASE + 64u, buf, sizeof buf), FLASH_OK);
    /* A torn double-word is not "erased": programming over it is refused. */
    static const uint8_t dw[8] = {1};
    assert_int_equal(flash_program(DB_APP_BASE + 32u, dw, 8), FLASH_ERR_NOT_ERASED);
    /* An erase makes the page readable again. */
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(flash_read(DB_APP_BASE, buf, sizeof buf), FLASH_OK);
}

static void nmi_without_an_ecc_error_is_not_claimed(void **state)
{
    (void)state;
    assert_false(flash_nmi());
    flash_regmodel_regs.ECCR = FLASH_ECCR_ECCD_Msk | FLASH_ECCR_ECCC_Msk;
    assert_true(flash_nmi());
    assert_false(flash_regmodel_regs.ECCR & FLASH_ECCR_ECCD_Msk);
    assert_true(flash_regmodel_regs.ECCR & FLASH_ECCR_ECCC_Msk); /* only ECCD was cleared */
}

static void data_cache_is_off_during_operations_and_both_caches_reset_after(void **state)
{
    (void)state;
    static const uint8_t dw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_OK);
    assert_int_equal(flash_program(DB_APP_BASE, dw, 8), FLASH_OK);
    assert_int_equal(regmodel.ops_with_dcache_on, 0);
    assert_int_equal(regmodel.cache_reset_while_on, 0);
    assert_int_equal(regmodel.cache_resets, 2);
    uint32_t acr = flash_regmodel_regs.ACR;
    assert_true(acr & FLASH_ACR_ICEN_Msk);
    assert_true(acr & FLASH_ACR_DCEN_Msk);
    assert_false(acr & (FLASH_ACR_ICRST_Msk | FLASH_ACR_DCRST_Msk));
    assert_int_equal(acr & FLASH_ACR_LATENCY_Msk, 3); /* wait states untouched */
}

static void controller_stuck_busy_gives_an_error_not_a_hang(void **state)
{
    (void)state;
    regmodel.busy_forever = true;
    flash_regmodel_regs.SR |= FLASH_SR_BSY_Msk;
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_ERR_HW);
    assert_int_equal(regmodel.erases, 0);
}

static void single_bank_mode_is_refused(void **state)
{
    (void)state;
    flash_regmodel_regs.OPTR &= ~FLASH_OPTR_DBANK_Msk; /* 8 KB pages: not our map */
    fill(DB_APP_BASE, 0x00, 16);
    assert_int_equal(flash_erase_page(DB_APP_BASE), FLASH_ERR_HW);
    assert_int_equal(regmodel.erases, 0);
    assert_int_equal(mem_at(DB_APP_BASE)[0], 0x00);
}

static void read_outside_flash_is_refused(void **state)
{
    (void)state;
    uint8_t buf[8];
    assert_int_equal(flash_read(0x081FFFFCu, buf, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_read(0x07FFFFF8u, buf, 8), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_read(0x081FFFF8u, buf, 8), FLASH_OK);
}

#define BANK2 0x08100000u
#define ROW 512u

static void bank_one_is_never_bank_erased_and_bank_two_is_erased_by_mer2(void **state)
{
    (void)state;
    fill(BANK2, 0x00, 16);
    fill(0x081FFFF0u, 0x00, 16);
    assert_int_equal(flash_erase_bank(DB_FLASH_BASE), FLASH_ERR_PROTECTED);
    assert_int_equal(flash_erase_bank(BANK2 + DB_PAGE_SIZE), FLASH_ERR_PROTECTED);
    assert_int_equal(regmodel.reg_accesses, 0);
    assert_int_equal(flash_erase_bank(BANK2), FLASH_OK);
    assert_int_equal(regmodel.erases, 1);
    assert_int_equal(regmodel.erase_cr[0], FLASH_CR_MER2_Msk | FLASH_CR_STRT_Msk);
    assert_int_equal(mem_at(BANK2)[0], 0xFF);
    assert_int_equal(mem_at(0x081FFFF8u)[7], 0xFF);
    assert_true(flash_regmodel_regs.CR & FLASH_CR_LOCK_Msk);
}

/* Whole rows of bank 2 after its bank erase are fast-programmed, 0xFF
   double-words included; the rest (a partial row, bank 1) double-word by double-word. */
static void whole_rows_of_bank_two_are_fast_programmed_after_its_bank_erase(void **state)
{
    (void)state;
    static uint8_t data[2u * ROW + 8u];
    for (uint32_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7u + 1u);
    assert_int_equal(flash_program(DB_APP_BASE, data, ROW), FLASH_OK); /* bank 1: never fast */
    assert_int_equal(regmodel.fast_rows, 0);
    assert_int_equal(flash_erase_bank(BANK2), FLASH_OK);
    assert_int_equal(flash_program(BANK2, data, sizeof data), FLASH_OK);
    assert_int_equal(regmodel.fast_rows, 2);
    assert_memory_equal(mem_at(BANK2), data, sizeof data);
    assert_int_equal(flash_program(DB_APP_BASE + ROW, data, ROW), FLASH_OK);
    assert_int_equal(regmodel.fast_rows, 2);
    static uint8_t holey[ROW];
    memcpy(holey, data, ROW);
    memset(holey + 64, 0xFF, 8); /* programmed as 0xFF within the row (flash.h) */
    assert_int_equal(flash_program(BANK2 + 4u * ROW, holey, ROW), FLASH_OK);
    assert_int_equal(regmodel.fast_rows, 3);
    assert_memory_equal(mem_at(BANK2 + 4u * ROW), holey, ROW);
    assert_int_equal(flash_program(BANK2 + 6u * ROW + 8u, data, ROW), FLASH_OK); /* not on a row start */
    assert_int_equal(regmodel.fast_rows, 3);
    assert_int_equal(flash_regmodel_regs.SR & FLASH_SR_ERRORS, 0u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(unlock_writes_key1_then_key2_and_locks_again, setup),
        cmocka_unit_test_setup(erase_bank1_page_sets_pnb_without_bker, setup),
        cmocka_unit_test_setup(erase_bank2_pages_set_bker_and_page_within_bank, setup),
        cmocka_unit_test_setup(erase_cr_matches_every_page_of_both_banks, setup),
        cmocka_unit_test_setup(bootloader_region_is_refused_without_touching_registers, setup),
        cmocka_unit_test_setup(misaligned_requests_are_refused, setup),
        cmocka_unit_test_setup(stale_flags_are_cleared_first_and_pempty_is_not_an_error, setup),
        cmocka_unit_test_setup(erase_error_flag_is_reported_and_cleared, setup),
        cmocka_unit_test_setup(program_error_flag_stops_and_reports, setup),
        cmocka_unit_test_setup(double_words_are_two_ordered_writes_and_erased_ones_skipped, setup),
        cmocka_unit_test_setup(programming_over_data_is_refused_before_any_write, setup),
        cmocka_unit_test_setup(ecc_double_error_on_read_is_reported_and_cleared, setup),
        cmocka_unit_test_setup(nmi_without_an_ecc_error_is_not_claimed, setup),
        cmocka_unit_test_setup(data_cache_is_off_during_operations_and_both_caches_reset_after, setup),
        cmocka_unit_test_setup(controller_stuck_busy_gives_an_error_not_a_hang, setup),
        cmocka_unit_test_setup(single_bank_mode_is_refused, setup),
        cmocka_unit_test_setup(read_outside_flash_is_refused, setup),
        cmocka_unit_test_setup(bank_one_is_never_bank_erased_and_bank_two_is_erased_by_mer2, setup),
        cmocka_unit_test_setup(whole_rows_of_bank_two_are_fast_programmed_after_its_bank_erase, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
