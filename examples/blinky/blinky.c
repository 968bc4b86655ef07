/*
 * blinky: the smallest app that runs behind dropboot on the NUCLEO-L4R5ZI.
 *
 * Linked at 0x08008000 with ports/stm32l4r5/app.ld. Blinks LD1 (green, PC7)
 * twice a second; hold B1 (PC13) for 3 seconds and it hands over to the
 * bootloader (dropboot_enter_bootloader), which comes up as the USB drive.
 * Confirms its image to the bootloader's trial boot (dropboot_confirm).
 * Runs on the reset clock (MSI 4 MHz), as the bootloader leaves it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dropboot_app.h"
#include "regs_core.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define BLINKY_CPU_HZ 4000000u     /* MSI at reset */
#define BLINKY_HALF_PERIOD_MS 250u
#define BLINKY_HOLD_MS 3000u       /* B1 held this long: back to the bootloader */
#define BLINKY_LD1_PIN 7u          /* PC7 */
#define BLINKY_B1_PIN 13u          /* PC13, high when pressed */
#define BLINKY_APP_BASE 0x08008000u
#define BLINKY_VECTORS 111u

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
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOCEN_Msk;
    (void)RCC->AHB2ENR;
    GPIOC->MODER = (GPIOC->MODER & ~(3u << (2u * BLINKY_LD1_PIN))) | (GPIO_MODE_OUTPUT << (2u * BLINKY_LD1_PIN));
    GPIOC->MODER &= ~(3u << (2u * BLINKY_B1_PIN)); /* input */
    SYSTICK->LOAD = BLINKY_CPU_HZ / 1000u - 1u;
    SYSTICK->VAL = 0u;
    SYSTICK->CTRL = SYSTICK_CTRL_CLKSOURCE_Msk | SYSTICK_CTRL_TICKINT_Msk | SYSTICK_CTRL_ENABLE_Msk;

    uint32_t held_since = 0u;
    for (;;) {
        uint32_t now = blinky_ms;
        bool on = (now / BLINKY_HALF_PERIOD_MS) % 2u == 0u;
        GPIOC->BSRR = on ? (1u << BLINKY_LD1_PIN) : (1u << (BLINKY_LD1_PIN + 16u));
        if (GPIOC->IDR & (1u << BLINKY_B1_PIN)) {
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
