/*
 * Boot inputs of the STM32L4R5 port (ports/stm32/bootin.c): reset flags,
 * the RAM words that survive a reset, the double-reset window and the last
 * check before jumping to an app. Also the board's LED patterns, its
 * identity strings, and the clock arithmetic, which are pure as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "board_io.h"
#include "bootin.h"
#include "clock.h"
#include "config.h"
#include "dropboot_app.h"
#include "regs_rcc.h"
#include "watchdog.h"

#define CSR_PIN RCC_CSR_PINRSTF_Msk
/* A software reset (an app asking, or the bootloader after an update) also pulls NRST. */
#define CSR_SOFT (RCC_CSR_PINRSTF_Msk | RCC_CSR_SFTRSTF_Msk)
#define CSR_POWER_ON (RCC_CSR_PINRSTF_Msk | RCC_CSR_BORRSTF_Msk)
#define CSR_WATCHDOG (RCC_CSR_PINRSTF_Msk | RCC_CSR_IWDGRSTF_Msk)

static void only_the_reset_button_counts_as_a_pin_reset(void **state)
{
    (void)state;
    assert_true(bootin_pin_reset(CSR_PIN));
    assert_false(bootin_pin_reset(CSR_SOFT));
    assert_false(bootin_pin_reset(CSR_POWER_ON));
    assert_false(bootin_pin_reset(CSR_WATCHDOG));
    assert_false(bootin_pin_reset(0));
}

static void second_reset_press_inside_the_window_is_a_double_reset(void **state)
{
    (void)state;
    assert_int_equal(bootin_double_reset(CSR_PIN, 0), BOOTIN_DR_WAIT);
    assert_int_equal(bootin_double_reset(CSR_PIN, 0x12345678u), BOOTIN_DR_WAIT);
    assert_int_equal(bootin_double_reset(CSR_PIN, BOOTIN_DR_MARK), BOOTIN_DR_DETECTED);
    /* Software and watchdog resets neither wait nor count, marker or not. */
    assert_int_equal(bootin_double_reset(CSR_SOFT, BOOTIN_DR_MARK), BOOTIN_DR_NONE);
    assert_int_equal(bootin_double_reset(CSR_WATCHDOG, 0), BOOTIN_DR_NONE);
    assert_int_equal(bootin_double_reset(CSR_POWER_ON, BOOTIN_DR_MARK), BOOTIN_DR_NONE);
}

static void app_request_word_is_seen_after_a_software_reset(void **state)
{
    (void)state;
    struct bootin_noinit ni = {.stay = BOOT_MAGIC_STAY};
    struct boot_inputs in;
    bootin_gather(&ni, CSR_SOFT, false, &in);
    assert_true(in.stay_magic);
    assert_false(in.button);
    assert_false(in.double_reset);
    assert_false(in.after_update);
}

static void power_on_ram_is_not_believed(void **state)
{
    (void)state;
    struct bootin_noinit ni = {.stay = BOOT_MAGIC_STAY, .double_reset = BOOTIN_DR_MARK,
                               .report = {.magic = UPDATE_REPORT_MAGIC, .stay = UPDATE_STAY_MAGIC}};
    struct boot_inputs in;
    bootin_gather(&ni, CSR_POWER_ON, true, &in);
    assert_false(in.stay_magic);
    assert_false(in.double_reset);
    assert_false(in.after_update);
    assert_true(in.button);
}

static void after_update_needs_a_valid_report_that_says_stay(void **state)
{
    (void)state;
    struct bootin_noinit ni = {.report = {.magic = UPDATE_REPORT_MAGIC, .stay = UPDATE_STAY_MAGIC,
                                          .status = DB_ERR_UF2_FAMILY}};
    struct boot_inputs in;
    bootin_gather(&ni, CSR_SOFT, false, &in);
    assert_true(in.after_update);
    ni.report.stay = 0; /* committed: the report is shown, but the app starts */
    bootin_gather(&ni, CSR_SOFT, false, &in);
    assert_false(in.after_update);
    ni.report.stay = UPDATE_STAY_MAGIC;
    ni.report.magic = 0x12345678u; /* not a report at all */
    bootin_gather(&ni, CSR_SOFT, false, &in);
    assert_false(in.after_update);
}

static void double_reset_reaches_the_boot_inputs(void **state)
{
    (void)state;
    struct bootin_noinit ni = {.double_reset = BOOTIN_DR_MARK};
    struct boot_inputs in;
    bootin_gather(&ni, CSR_PIN, false, &in);
    assert_true(in.double_reset);
    assert_false(in.stay_magic);
}

static void app_header_and_linker_scripts_agree_on_the_stay_word(void **state)
{
    (void)state;
    assert_int_equal(DROPBOOT_STAY_ADDR, BOOTIN_STAY_ADDR);
    assert_int_equal(DROPBOOT_MAGIC_STAY, BOOT_MAGIC_STAY);
    assert_int_equal(offsetof(struct bootin_noinit, stay), 0);
    assert_true(sizeof(struct bootin_noinit) <= BOOTIN_NOINIT_BYTES);
}

static void jump_accepts_an_st_linked_app(void **state)
{
    (void)state;
    /* What CubeIDE links: stack at the end of SRAM1 (192 KB) or of all RAM. */
    assert_true(bootin_jump_ok(DB_APP_BASE, 0x20030000u, DB_APP_BASE + 0x1F5u));
    assert_true(bootin_jump_ok(DB_APP_BASE, 0x200A0000u, DB_APP_BASE + 0x281u));
    assert_true(bootin_jump_ok(DB_APP_BASE, 0x10010000u, DB_APP_BASE + 0x281u)); /* SRAM2 */
}

static void jump_refuses_implausible_vectors(void **state)
{
    (void)state;
    assert_false(bootin_jump_ok(DB_APP_BASE, 0xFFFFFFFFu, 0xFFFFFFFFu));          /* erased */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x200A0004u, DB_APP_BASE + 0x281u)); /* past RAM */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20000000u, DB_APP_BASE + 0x281u)); /* empty stack */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20030002u, DB_APP_BASE + 0x281u)); /* misaligned */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20030000u, DB_APP_BASE + 0x280u)); /* ARM, not Thumb */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20030000u, DB_APP_BASE + 0x11u));  /* inside the vectors */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20030000u, 0x08000101u));          /* into the bootloader */
    assert_false(bootin_jump_ok(DB_APP_BASE, 0x20030000u, DB_APP_END + 1u));      /* into the record page */
    assert_false(bootin_jump_ok(DB_APP_BASE + 0x100u, 0x20030000u, DB_APP_BASE + 0x281u)); /* VTOR align */
    assert_false(bootin_jump_ok(0x08000000u, 0x20030000u, 0x08000201u));
}

static void led_patterns_say_waiting_writing_error(void **state)
{
    (void)state;
    assert_int_equal(board_led_mask(BOARD_LEDS_OFF, 0), 0);
    assert_int_equal(board_led_mask(BOARD_LEDS_WAITING, 0), BOARD_LED_GREEN);
    assert_int_equal(board_led_mask(BOARD_LEDS_WAITING, 600), 0);
    assert_int_equal(board_led_mask(BOARD_LEDS_WRITING, 0), BOARD_LED_GREEN | BOARD_LED_BLUE);
    assert_int_equal(board_led_mask(BOARD_LEDS_WRITING, 60), BOARD_LED_GREEN);
    for (uint32_t t = 0; t < 2000; t += 100)
        assert_true(board_led_mask(BOARD_LEDS_ERROR, t) & BOARD_LED_RED);
    assert_false(board_led_mask(BOARD_LEDS_WAITING, 100) & BOARD_LED_RED);
}

static void board_strings_fit_their_fields(void **state)
{
    (void)state;
    assert_string_equal(board.model, "NUCLEO-L4R5ZI");
    assert_true(strlen(board.volume_label) <= 11);
    for (const char *p = board.volume_label; *p; p++)
        assert_false(*p >= 'a' && *p <= 'z');
    assert_true(strlen(board.scsi_vendor) <= 8);
    assert_true(strlen(board.scsi_product) <= 16);
}

static void pll_settings_give_80_mhz_inside_the_vco_ranges(void **state)
{
    (void)state;
    uint32_t vco_in = CLOCK_HSI16_HZ / CLOCK_PLL_M;
    uint32_t vco = vco_in * CLOCK_PLL_N;
    assert_true(vco_in >= 2660000u && vco_in <= 8000000u);  /* RM0432 PLL input range */
    assert_true(vco >= 64000000u && vco <= 344000000u);     /* RM0432 VCO output range */
    assert_int_equal(vco / CLOCK_PLL_R, CLOCK_SYSCLK_HZ);
    assert_true(CLOCK_PLL_R == 2 || CLOCK_PLL_R == 4 || CLOCK_PLL_R == 6 || CLOCK_PLL_R == 8);
    assert_true(CLOCK_SYSCLK_HZ <= 80000000u);              /* range 1 normal mode, no boost */
    assert_int_equal(CLOCK_FLASH_WS, 3);
}

static void watchdog_outlasts_a_full_erase_chain_and_fits_its_registers(void **state)
{
    (void)state;
    const uint32_t lsi_hz = 32000u, page_erase_ms = 25u;
    uint32_t divider = 4u << WATCHDOG_PRESCALER_CODE; /* PR code n: divide by 4 * 2^n */
    uint32_t timeout_ms = WATCHDOG_RELOAD * divider * 1000u / lsi_hz;
    assert_int_equal(timeout_ms, WATCHDOG_TIMEOUT_MS);
    assert_true(WATCHDOG_RELOAD <= 0xFFFu && WATCHDOG_PRESCALER_CODE <= 6u);
    uint32_t chain_ms = DB_APP_PAGES * page_erase_ms; /* every app page in one commit */
    assert_true(timeout_ms >= chain_ms + 3000u);
}

static void reset_waits_for_the_last_csw_but_not_forever(void **state)
{
    (void)state;
    /* Eject: update asks for the reset while START STOP UNIT's CSW is pending. */
    assert_false(bootin_reset_due(false, 0u));
    assert_false(bootin_reset_due(false, BOOTIN_RESET_GRACE_MS - 1u));
    /* The CSW went out: reset at once. */
    assert_true(bootin_reset_due(true, 0u));
    assert_true(bootin_reset_due(true, 5u));
    /* A host that vanished mid-command: the app still starts after the grace. */
    assert_true(bootin_reset_due(false, BOOTIN_RESET_GRACE_MS));
    /* SysTick wrapped while waiting: the difference still counts right. */
    uint32_t asked = 0xFFFFFF00u, now = asked + BOOTIN_RESET_GRACE_MS;
    assert_true(bootin_reset_due(false, now - asked));
    assert_false(bootin_reset_due(false, (asked + 10u) - asked));
    /* Bounded well inside the watchdog, about the 2 s the brief asks. */
    assert_true(BOOTIN_RESET_GRACE_MS >= 1000u && BOOTIN_RESET_GRACE_MS < WATCHDOG_TIMEOUT_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_the_reset_button_counts_as_a_pin_reset),
        cmocka_unit_test(second_reset_press_inside_the_window_is_a_double_reset),
        cmocka_unit_test(app_request_word_is_seen_after_a_software_reset),
        cmocka_unit_test(power_on_ram_is_not_believed),
        cmocka_unit_test(after_update_needs_a_valid_report_that_says_stay),
        cmocka_unit_test(double_reset_reaches_the_boot_inputs),
        cmocka_unit_test(app_header_and_linker_scripts_agree_on_the_stay_word),
        cmocka_unit_test(jump_accepts_an_st_linked_app),
        cmocka_unit_test(jump_refuses_implausible_vectors),
        cmocka_unit_test(led_patterns_say_waiting_writing_error),
        cmocka_unit_test(board_strings_fit_their_fields),
        cmocka_unit_test(pll_settings_give_80_mhz_inside_the_vco_ranges),
        cmocka_unit_test(watchdog_outlasts_a_full_erase_chain_and_fits_its_registers),
        cmocka_unit_test(reset_waits_for_the_last_csw_but_not_forever),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
