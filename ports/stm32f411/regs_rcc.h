/*
 * Reset and clock control and the power controller of the STM32F411
 * (RM0383 "RCC registers", "PWR registers"): only the registers and bits
 * the port uses. Checked against ST's CMSIS header (docs/hw/stm32f411.md).
 */
#ifndef DB_REGS_RCC_H
#define DB_REGS_RCC_H

#include <stdint.h>

struct rcc_regs {                 /* 0x40023800 */
    volatile uint32_t CR;         /* 0x00 */
    volatile uint32_t PLLCFGR;    /* 0x04 */
    volatile uint32_t CFGR;       /* 0x08 */
    volatile uint32_t CIR;        /* 0x0C */
    volatile uint32_t AHB1RSTR;   /* 0x10 */
    volatile uint32_t AHB2RSTR;   /* 0x14 */
    uint32_t reserved0[2];        /* 0x18, 0x1C */
    volatile uint32_t APB1RSTR;   /* 0x20 */
    volatile uint32_t APB2RSTR;   /* 0x24 */
    uint32_t reserved1[2];        /* 0x28, 0x2C */
    volatile uint32_t AHB1ENR;    /* 0x30 */
    volatile uint32_t AHB2ENR;    /* 0x34 */
    uint32_t reserved2[2];        /* 0x38, 0x3C */
    volatile uint32_t APB1ENR;    /* 0x40 */
    volatile uint32_t APB2ENR;    /* 0x44 */
    uint32_t reserved3[11];       /* 0x48..0x70 */
    volatile uint32_t CSR;        /* 0x74 */
};
#define RCC ((struct rcc_regs *)0x40023800u)

#define RCC_CR_HSION_Msk (1u << 0)
#define RCC_CR_HSIRDY_Msk (1u << 1)
#define RCC_CR_HSEON_Msk (1u << 16)
#define RCC_CR_HSERDY_Msk (1u << 17)
#define RCC_CR_PLLON_Msk (1u << 24)
#define RCC_CR_PLLRDY_Msk (1u << 25)

#define RCC_PLLCFGR_PLLM_Pos 0u     /* 5:0, divider = value */
#define RCC_PLLCFGR_PLLN_Pos 6u     /* 14:6, multiplier = value */
#define RCC_PLLCFGR_PLLP_Pos 16u    /* 17:16, divider = 2 * (value + 1) */
#define RCC_PLLCFGR_PLLSRC_HSE (1u << 22)
#define RCC_PLLCFGR_PLLQ_Pos 24u    /* 27:24, divider = value */
#define RCC_PLLCFGR_RESET 0x24003010u /* RM0383: reset value */

#define RCC_CFGR_SW_Msk 3u
#define RCC_CFGR_SW_HSI 0u
#define RCC_CFGR_SW_PLL 2u
#define RCC_CFGR_SWS_Pos 2u
#define RCC_CFGR_SWS_Msk (3u << 2)
#define RCC_CFGR_PPRE1_DIV2 (4u << 10) /* APB1 at most 50 MHz */

#define RCC_AHB1ENR_GPIOAEN_Msk (1u << 0)
#define RCC_AHB1ENR_GPIOBEN_Msk (1u << 1)
#define RCC_AHB1ENR_GPIOCEN_Msk (1u << 2)
#define RCC_AHB2ENR_OTGFSEN_Msk (1u << 7)
#define RCC_APB1ENR_PWREN_Msk (1u << 28)

#define RCC_CSR_RMVF_Msk (1u << 24)
#define RCC_CSR_BORRSTF_Msk (1u << 25)
#define RCC_CSR_PINRSTF_Msk (1u << 26)
#define RCC_CSR_PORRSTF_Msk (1u << 27)
#define RCC_CSR_SFTRSTF_Msk (1u << 28)
#define RCC_CSR_IWDGRSTF_Msk (1u << 29)
#define RCC_CSR_WWDGRSTF_Msk (1u << 30)
#define RCC_CSR_LPWRRSTF_Msk (1u << 31)

struct pwr_regs {                 /* 0x40007000 */
    volatile uint32_t CR;         /* 0x00 */
    volatile uint32_t CSR;        /* 0x04 */
};
#define PWR ((struct pwr_regs *)0x40007000u)
#define PWR_CR_VOS_Pos 14u
#define PWR_CR_VOS_Msk (3u << 14)
#define PWR_CR_VOS_SCALE1 3u /* up to 100 MHz */
#define PWR_CR_VOS_SCALE2 2u /* up to 84 MHz: the reset value */

#endif
