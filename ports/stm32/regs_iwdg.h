/* Independent watchdog (RM0432 / RM0383 "IWDG registers", same block at the same address), clocked by the 32 kHz LSI. */
#ifndef DB_REGS_IWDG_H
#define DB_REGS_IWDG_H

#include <stdint.h>

struct iwdg_regs {                /* 0x40003000 */
    volatile uint32_t KR;         /* 0x00 */
    volatile uint32_t PR;         /* 0x04 */
    volatile uint32_t RLR;        /* 0x08 */
    volatile uint32_t SR;         /* 0x0C */
    volatile uint32_t WINR;       /* 0x10 */
};
#define IWDG ((struct iwdg_regs *)0x40003000u)
#define IWDG_KEY_START 0xCCCCu
#define IWDG_KEY_REFRESH 0xAAAAu
#define IWDG_KEY_UNLOCK 0x5555u /* PR and RLR writable */
#define IWDG_SR_BUSY_Msk 7u     /* PVU, RVU, WVU: an update is still in flight */

#endif
