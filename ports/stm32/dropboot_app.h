/*
 * dropboot_app.h: include in an app that runs behind dropboot on the
 * STM32L4R5 or STM32F411 to hand control back to the bootloader (its USB drive appears).
 *
 * The bootloader keeps the first word of SRAM1 across a reset and starts its
 * drive when it holds DROPBOOT_MAGIC_STAY. The address is fixed in both
 * linker scripts (ports/stm32l4r5/bootloader.ld, app.ld); keep the first 64
 * bytes of SRAM1 out of your own RAM region or make sure nothing you need is
 * there when you call this. No other dependency: no HAL, no CMSIS.
 */
#ifndef DROPBOOT_APP_H
#define DROPBOOT_APP_H

#include <stdint.h>

#define DROPBOOT_STAY_ADDR 0x20000000u  /* first word of SRAM1 */
#define DROPBOOT_MAGIC_STAY 0xB007D0A1u /* same value as BOOT_MAGIC_STAY in dropboot's core/boot.h */

/* Trial boot (A/B): a new image is started on trial; unless the app
 * confirms it, the bootloader goes back to the previous image after
 * DB_TRIAL_BOOTS starts (3). The bootloader leaves the trial image's number
 * in RAM; dropboot_confirm() hands it back and resets, the bootloader writes
 * the confirmation to its record log and starts the app again (once; the
 * second call finds nothing on trial and returns at once). Call it when the
 * app knows it works (after its self-test, or once it has run a while). */
#define DROPBOOT_TRIAL_ADDR 0x20000028u   /* the image on trial, 0 if confirmed (ports/stm32/bootin.h) */
#define DROPBOOT_CONFIRM_ADDR 0x2000002Cu /* written by dropboot_confirm() */

static inline void dropboot_reset(void)
{
    __asm volatile("dsb 0xF" ::: "memory");
    /* SCB->AIRCR: VECTKEY 0x05FA, SYSRESETREQ (ARMv7-M ARM, B3.2.6) */
    *(volatile uint32_t *)0xE000ED0Cu = (0x05FAu << 16) | (1u << 2);
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

/* Is the running image on trial (not confirmed yet)? */
static inline int dropboot_on_trial(void)
{
    return *(volatile uint32_t *)DROPBOOT_TRIAL_ADDR != 0u;
}

/* Confirm the running image: returns at once when it is not on trial, else
 * resets once so the bootloader records it. */
static inline void dropboot_confirm(void)
{
    uint32_t seq = *(volatile uint32_t *)DROPBOOT_TRIAL_ADDR;
    if (seq == 0u)
        return;
    __asm volatile("cpsid i" ::: "memory");
    *(volatile uint32_t *)DROPBOOT_CONFIRM_ADDR = seq;
    dropboot_reset();
}

/* Write the magic and reset the chip; does not return. */
static inline void dropboot_enter_bootloader(void)
{
    __asm volatile("cpsid i" ::: "memory");
    *(volatile uint32_t *)DROPBOOT_STAY_ADDR = DROPBOOT_MAGIC_STAY;
    dropboot_reset();
}

#endif
