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

/* Write the magic and reset the chip; does not return. */
static inline void dropboot_enter_bootloader(void)
{
    __asm volatile("cpsid i" ::: "memory");
    *(volatile uint32_t *)DROPBOOT_STAY_ADDR = DROPBOOT_MAGIC_STAY;
    __asm volatile("dsb 0xF" ::: "memory");
    /* SCB->AIRCR: VECTKEY 0x05FA, SYSRESETREQ (ARMv7-M ARM, B3.2.6) */
    *(volatile uint32_t *)0xE000ED0Cu = (0x05FAu << 16) | (1u << 2);
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

#endif
