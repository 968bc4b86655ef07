/*
 * The STM32F411's answers to what the shared STM32 code (ports/stm32)
 * asks of a chip (see ports/stm32l4r5/chip.h for the questions).
 */
#ifndef DB_CHIP_H
#define DB_CHIP_H

#include <stdbool.h>
#include <stddef.h>

#include "flash_f4.h"
#include "regs_rcc.h"

#define CHIP_VECTORS 102u   /* 16 exceptions + 86 IRQs, the last SPI5 at 85 */
#define CHIP_NVIC_WORDS 3u  /* IRQ 0..85 in three 32-bit enable/pending words */

/* Every reset pulls NRST: these flags say something else caused it. */
#define CHIP_CSR_OTHER_RESETS (RCC_CSR_BORRSTF_Msk | RCC_CSR_PORRSTF_Msk | RCC_CSR_SFTRSTF_Msk | \
                               RCC_CSR_IWDGRSTF_Msk | RCC_CSR_WWDGRSTF_Msk | RCC_CSR_LPWRRSTF_Msk)
/* RM0383: power-on/power-down sets PORRSTF and BORRSTF, a brown-out
   BORRSTF: the RAM is random after either. */
#define CHIP_CSR_RAM_LOST (RCC_CSR_BORRSTF_Msk | RCC_CSR_PORRSTF_Msk)

/* One SRAM only: no second place for an app's stack (an empty range). */
#define CHIP_ALT_RAM_BASE 0u
#define CHIP_ALT_RAM_END 0u

/* nWRP for sectors 0-1 (the bootloader's code; 2-3 hold the record log,
   which the bootloader writes) in the option bytes, programmed once (a chip that
   has it already is only read). A failure leaves the chip as it was and
   the bootloader runs on: the flash door refuses those sectors anyway. */
static inline void chip_protect_bootloader(void)
{
    (void)flash_f4_protect_boot();
}

/* Single bank, one slot (DB_AB_SLOTS 0): the app is always where it is
   linked, nothing to remap. */
static inline volatile uint32_t *chip_remap(bool swap, uint32_t *value)
{
    (void)swap;
    *value = 0u;
    return NULL;
}

#endif
