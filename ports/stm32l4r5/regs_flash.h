/*
 * Embedded flash interface of the STM32L4R5 (RM0432 "FLASH registers").
 *
 * FLASH_REGS is the register block; a host test defines it (-DFLASH_REGS=...)
 * to point at a RAM model instead of 0x40022000.
 */
#ifndef DB_REGS_FLASH_H
#define DB_REGS_FLASH_H

#include <stdint.h>

struct flash_regs {               /* 0x40022000 */
    volatile uint32_t ACR;        /* 0x00 */
    volatile uint32_t PDKEYR;     /* 0x04 */
    volatile uint32_t KEYR;       /* 0x08 */
    volatile uint32_t OPTKEYR;    /* 0x0C */
    volatile uint32_t SR;         /* 0x10 */
    volatile uint32_t CR;         /* 0x14 */
    volatile uint32_t ECCR;       /* 0x18 */
    uint32_t reserved0;           /* 0x1C */
    volatile uint32_t OPTR;       /* 0x20 */
};
#ifndef FLASH_REGS
#define FLASH_REGS ((struct flash_regs *)0x40022000u)
#endif

#define FLASH_ACR_LATENCY_Msk (0xFu << 0)
#define FLASH_ACR_PRFTEN_Msk (1u << 8)
#define FLASH_ACR_ICEN_Msk (1u << 9)
#define FLASH_ACR_DCEN_Msk (1u << 10)
#define FLASH_ACR_ICRST_Msk (1u << 11)
#define FLASH_ACR_DCRST_Msk (1u << 12)

#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

#define FLASH_SR_EOP_Msk (1u << 0)
#define FLASH_SR_OPERR_Msk (1u << 1)
#define FLASH_SR_PROGERR_Msk (1u << 3)
#define FLASH_SR_WRPERR_Msk (1u << 4)
#define FLASH_SR_PGAERR_Msk (1u << 5)
#define FLASH_SR_SIZERR_Msk (1u << 6)
#define FLASH_SR_PGSERR_Msk (1u << 7)
#define FLASH_SR_MISERR_Msk (1u << 8)
#define FLASH_SR_FASTERR_Msk (1u << 9)
#define FLASH_SR_RDERR_Msk (1u << 14)
#define FLASH_SR_OPTVERR_Msk (1u << 15)
#define FLASH_SR_BSY_Msk (1u << 16)
#define FLASH_SR_PEMPTY_Msk (1u << 17) /* a status (bank empty at boot), not an error */
/* Every error flag, written back as 1s to clear them: 0xC3FA. */
#define FLASH_SR_ERRORS (FLASH_SR_OPERR_Msk | FLASH_SR_PROGERR_Msk | FLASH_SR_WRPERR_Msk | \
                         FLASH_SR_PGAERR_Msk | FLASH_SR_SIZERR_Msk | FLASH_SR_PGSERR_Msk | \
                         FLASH_SR_MISERR_Msk | FLASH_SR_FASTERR_Msk | FLASH_SR_RDERR_Msk | \
                         FLASH_SR_OPTVERR_Msk)

#define FLASH_CR_PG_Msk (1u << 0)
#define FLASH_CR_PER_Msk (1u << 1)
#define FLASH_CR_MER1_Msk (1u << 2)
#define FLASH_CR_PNB_Pos 3u
#define FLASH_CR_PNB_Msk (0xFFu << 3)
#define FLASH_CR_BKER_Msk (1u << 11)
#define FLASH_CR_MER2_Msk (1u << 15)
#define FLASH_CR_STRT_Msk (1u << 16)
#define FLASH_CR_FSTPG_Msk (1u << 18)
#define FLASH_CR_LOCK_Msk (1u << 31)

#define FLASH_ECCR_ECCC_Msk (1u << 30)
#define FLASH_ECCR_ECCD_Msk (1u << 31)

#define FLASH_OPTR_DBANK_Msk (1u << 22)

#endif
