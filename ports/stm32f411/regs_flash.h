/*
 * Embedded flash interface of the STM32F411 (RM0383 "Flash interface
 * registers"). FLASH_REGS is the register block; a host test defines it
 * (-DFLASH_REGS=...) to point at a RAM model instead of 0x40023C00.
 */
#ifndef DB_REGS_FLASH_H
#define DB_REGS_FLASH_H

#include <stdint.h>

struct flash_regs {               /* 0x40023C00 */
    volatile uint32_t ACR;        /* 0x00 */
    volatile uint32_t KEYR;       /* 0x04 */
    volatile uint32_t OPTKEYR;    /* 0x08 */
    volatile uint32_t SR;         /* 0x0C */
    volatile uint32_t CR;         /* 0x10 */
    volatile uint32_t OPTCR;      /* 0x14 */
};
#ifndef FLASH_REGS
#define FLASH_REGS ((struct flash_regs *)0x40023C00u)
#endif

#define FLASH_ACR_LATENCY_Msk 7u
#define FLASH_ACR_PRFTEN_Msk (1u << 8)
#define FLASH_ACR_ICEN_Msk (1u << 9)
#define FLASH_ACR_DCEN_Msk (1u << 10)
#define FLASH_ACR_ICRST_Msk (1u << 11)
#define FLASH_ACR_DCRST_Msk (1u << 12)

#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu
#define FLASH_OPTKEY1 0x08192A3Bu
#define FLASH_OPTKEY2 0x4C5D6E7Fu

#define FLASH_SR_EOP_Msk (1u << 0)
#define FLASH_SR_OPERR_Msk (1u << 1)
#define FLASH_SR_WRPERR_Msk (1u << 4)
#define FLASH_SR_PGAERR_Msk (1u << 5)
#define FLASH_SR_PGPERR_Msk (1u << 6)
#define FLASH_SR_PGSERR_Msk (1u << 7)
#define FLASH_SR_RDERR_Msk (1u << 8)
#define FLASH_SR_BSY_Msk (1u << 16)
/* Every error flag, written back as 1s to clear them: 0x1F2. */
#define FLASH_SR_ERRORS (FLASH_SR_OPERR_Msk | FLASH_SR_WRPERR_Msk | FLASH_SR_PGAERR_Msk | \
                         FLASH_SR_PGPERR_Msk | FLASH_SR_PGSERR_Msk | FLASH_SR_RDERR_Msk)

#define FLASH_CR_PG_Msk (1u << 0)
#define FLASH_CR_SER_Msk (1u << 1)
#define FLASH_CR_SNB_Pos 3u
#define FLASH_CR_SNB_Msk (0x1Fu << 3)
#define FLASH_CR_PSIZE_Pos 8u
#define FLASH_CR_PSIZE_Msk (3u << 8)
#define FLASH_CR_PSIZE_X32 (2u << 8) /* word writes: 2.7-3.6 V supply */
#define FLASH_CR_STRT_Msk (1u << 16)
#define FLASH_CR_LOCK_Msk (1u << 31)

#define FLASH_OPTCR_OPTLOCK_Msk (1u << 0)
#define FLASH_OPTCR_OPTSTRT_Msk (1u << 1)
#define FLASH_OPTCR_NWRP_Pos 16u      /* bit 16 + n: sector n, 0 = write-protected */
#define FLASH_OPTCR_NWRP_Msk (0xFFFu << 16)

#endif
