/* System configuration controller (RM0432 "SYSCFG registers"): only the bank swap. */
#ifndef DB_REGS_SYSCFG_H
#define DB_REGS_SYSCFG_H

#include <stdint.h>

struct syscfg_regs {              /* 0x40010000 */
    volatile uint32_t MEMRMP;     /* 0x00 */
};
#define SYSCFG ((struct syscfg_regs *)0x40010000u)
/* FB_MODE: 1 maps flash bank 2 at 0x08000000 (and bank 1 at 0x08100000).
 * A system reset clears it; flash erase and program addresses (BKER, PNB)
 * stay physical. */
#define SYSCFG_MEMRMP_FB_MODE_Pos 8u
#define SYSCFG_MEMRMP_FB_MODE_Msk (1u << SYSCFG_MEMRMP_FB_MODE_Pos)
#define RCC_APB2ENR_SYSCFGEN_Msk (1u << 0) /* RM0432 "RCC_APB2ENR": SYSCFG + COMP + VREFBUF clock */

#endif
