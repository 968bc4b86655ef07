/*
 * The STM32L4R5's answers to what the shared STM32 code (ports/stm32)
 * asks of a chip: the vector table's length, the NVIC words to clear
 * before starting an app, which reset flags mean what, RAM an app's stack
 * may sit in besides DB_RAM_BASE..DB_RAM_END, flash_nmi (flash_l4.h), how
 * the bootloader's flash is write-protected, and how slot B is made to
 * appear at DB_APP_BASE (the bank swap).
 */
#ifndef DB_CHIP_H
#define DB_CHIP_H

#include <stdbool.h>
#include <stddef.h>

#include "flash_l4.h"
#include "regs_rcc.h"
#include "regs_syscfg.h"

#define CHIP_VECTORS 111u   /* 16 exceptions + 95 IRQs, the last DMAMUX1_OVR at 94 */
#define CHIP_NVIC_WORDS 3u  /* IRQ 0..94 in three 32-bit enable/pending words */

/* Every reset pulls NRST: these flags say something else caused it. */
#define CHIP_CSR_OTHER_RESETS (RCC_CSR_OBLRSTF_Msk | RCC_CSR_BORRSTF_Msk | RCC_CSR_SFTRSTF_Msk | \
                               RCC_CSR_IWDGRSTF_Msk | RCC_CSR_WWDGRSTF_Msk | RCC_CSR_LPWRRSTF_Msk)
/* Power-on also sets BORRSTF: the RAM is random then. */
#define CHIP_CSR_RAM_LOST RCC_CSR_BORRSTF_Msk

/* SRAM2 at its own address (RM0432: 64 KB at 0x10000000, also aliased at
   0x20030000): some apps keep their stack there. */
#define CHIP_ALT_RAM_BASE 0x10000000u
#define CHIP_ALT_RAM_END 0x10010000u

/* Not done on the L4R5 yet (its WRP areas are per bank, in pages): the
   bootloader's pages are protected by the flash door's refusal only. */
static inline void chip_protect_bootloader(void)
{
}

/* The bank swap (docs/hw/stm32l4r5.md): SYSCFG_MEMRMP.FB_MODE = 1 maps bank
   2 (slot B) at 0x08000000. main.c writes *reg = value from RAM right
   before the jump, because the flash under the running code changes. */
static inline volatile uint32_t *chip_remap(bool swap, uint32_t *value)
{
    RCC->APB2ENR |= RCC_APB2ENR_SYSCFGEN_Msk;
    (void)RCC->APB2ENR; /* the enable takes effect before SYSCFG is touched */
    uint32_t memrmp = SYSCFG->MEMRMP & ~SYSCFG_MEMRMP_FB_MODE_Msk;
    *value = swap ? (memrmp | SYSCFG_MEMRMP_FB_MODE_Msk) : memrmp;
    return &SYSCFG->MEMRMP;
}

#endif
