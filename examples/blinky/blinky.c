/*
 * blinky: the smallest app that runs behind dropboot, on either board
 * (its pins, clock and app base from the board's blinky_board.h).
 *
 * Linked with the chip's app.ld (NUCLEO-L4R5ZI: 0x08008000, Black Pill:
 * 0x08010000). Blinks the user LED twice a second; hold the user button
 * for 3 seconds and it hands over to the bootloader
 * (dropboot_enter_bootloader), which comes up as the USB drive. Confirms
 * its image to the bootloader's trial boot (dropboot_confirm; a board
 * without A/B has no trial and ignores it). Runs on the reset clock, as
 * the bootloader leaves it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "blinky_board.h"
#include "dropboot_app.h"
#include "regs_core.h"

#define BLINKY_HALF_PERIOD_MS 250u
#define BLINKY_HOLD_MS 3000u       /* button held this long: back to the bootloader */

static volatile uint32_t blinky_ms;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    blinky_ms++;
}

int main(void);
int main(void)
{
    SCB->VTOR = BLINKY_APP_BASE; /* dropboot sets it too; an app must not rely on that */
    /* A new image runs on trial until it says it works: blinky has nothing to
     * test, so it confirms at once (one extra reset the first time). A real
     * app confirms after its self-test, or once it has run a while. */
#ifndef BLINKY_NEVER_CONFIRMS /* a build that never confirms shows the rollback (tests/emu/emu_ab_trial.sh) */
    dropboot_confirm();
#endif
    BLINKY_GPIO_CLOCKS_ON();
    struct gpio_regs *led = BLINKY_LED_PORT;
    struct gpio_regs *key = BLINKY_KEY_PORT;
    led->MODER = (led->MODER & ~(3u << (2u * BLINKY_LED_PIN))) | (GPIO_MODE_OUTPUT << (2u * BLINKY_LED_PIN));
    key->MODER &= ~(3u << (2u * BLINKY_KEY_PIN)); /* input */
    key->PUPDR = (key->PUPDR & ~(3u << (2u * BLINKY_KEY_PIN))) | (BLINKY_KEY_PULL << (2u * BLINKY_KEY_PIN));
    SYSTICK->LOAD = BLINKY_CPU_HZ / 1000u - 1u;
    SYSTICK->VAL = 0u;
    SYSTICK->CTRL = SYSTICK_CTRL_CLKSOURCE_Msk | SYSTICK_CTRL_TICKINT_Msk | SYSTICK_CTRL_ENABLE_Msk;

    uint32_t held_since = 0u;
    for (;;) {
        uint32_t now = blinky_ms;
        bool on = (now / BLINKY_HALF_PERIOD_MS) % 2u == 0u;
        bool high = on != BLINKY_LED_ACTIVE_LOW;
        /* BSRR: low half drives the pin high, high half drives it low. */
        led->BSRR = high ? (1u << BLINKY_LED_PIN) : (1u << (BLINKY_LED_PIN + 16u));
        bool pin = (key->IDR & (1u << BLINKY_KEY_PIN)) != 0u;
        if (pin != BLINKY_KEY_ACTIVE_LOW) {
            if (held_since == 0u)
                held_since = now + 1u; /* +1: 0 means "not held" */
            else if (now + 1u - held_since >= BLINKY_HOLD_MS)
                dropboot_enter_bootloader();
        } else {
            held_since = 0u;
        }
        __asm volatile("wfi");
    }
}

/* Startup: the same minimal shape as the bootloader's. */
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
void Reset_Handler(void);
void Default_Handler(void);

void Reset_Handler(void)
{
    const uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0u;
    (void)main();
    Default_Handler();
}

void Default_Handler(void)
{
    for (;;) {
    }
}

typedef void (*blinky_vector)(void);

__attribute__((section(".isr_vector"), used))
const blinky_vector blinky_vectors[BLINKY_VECTORS] = {
    [0] = (blinky_vector)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2 ... 14] = Default_Handler,
    [15] = SysTick_Handler,
    [16 ... BLINKY_VECTORS - 1u] = Default_Handler,
};
