/*
 * Clock and power group of the STM32L4R5 (RM0432): RCC, PWR and CRS.
 * Only the bits the port sets are named.
 */
#ifndef DB_REGS_RCC_H
#define DB_REGS_RCC_H

#include <stdint.h>

struct rcc_regs {                 /* 0x40021000 */
    volatile uint32_t CR;         /* 0x00 */
    volatile uint32_t ICSCR;      /* 0x04 */
    volatile uint32_t CFGR;       /* 0x08 */
    volatile uint32_t PLLCFGR;    /* 0x0C */
    volatile uint32_t PLLSAI1CFGR;/* 0x10 */
    volatile uint32_t PLLSAI2CFGR;/* 0x14 */
    volatile uint32_t CIER;       /* 0x18 */
    volatile uint32_t CIFR;       /* 0x1C */
    volatile uint32_t CICR;       /* 0x20 */
    uint32_t reserved0;           /* 0x24 */
    volatile uint32_t AHB1RSTR;   /* 0x28 */
    volatile uint32_t AHB2RSTR;   /* 0x2C */
    volatile uint32_t AHB3RSTR;   /* 0x30 */
    uint32_t reserved1;           /* 0x34 */
    volatile uint32_t APB1RSTR1;  /* 0x38 */
    volatile uint32_t APB1RSTR2;  /* 0x3C */
    volatile uint32_t APB2RSTR;   /* 0x40 */
    uint32_t reserved2;           /* 0x44 */
    volatile uint32_t AHB1ENR;    /* 0x48 */
    volatile uint32_t AHB2ENR;    /* 0x4C */
    volatile uint32_t AHB3ENR;    /* 0x50 */
    uint32_t reserved3;           /* 0x54 */
    volatile uint32_t APB1ENR1;   /* 0x58 */
    volatile uint32_t APB1ENR2;   /* 0x5C */
    volatile uint32_t APB2ENR;    /* 0x60 */
    uint32_t reserved4;           /* 0x64 */
    volatile uint32_t AHB1SMENR;  /* 0x68 */
    volatile uint32_t AHB2SMENR;  /* 0x6C */
    volatile uint32_t AHB3SMENR;  /* 0x70 */
    uint32_t reserved5;           /* 0x74 */
    volatile uint32_t APB1SMENR1; /* 0x78 */
    volatile uint32_t APB1SMENR2; /* 0x7C */
    volatile uint32_t APB2SMENR;  /* 0x80 */
    uint32_t reserved6;           /* 0x84 */
    volatile uint32_t CCIPR;      /* 0x88 */
    uint32_t reserved7;           /* 0x8C */
    volatile uint32_t BDCR;       /* 0x90 */
    volatile uint32_t CSR;        /* 0x94 */
    volatile uint32_t CRRCR;      /* 0x98 */
    volatile uint32_t CCIPR2;     /* 0x9C */
};
#define RCC ((struct rcc_regs *)0x40021000u)

#define RCC_CR_MSION_Msk (1u << 0)
#define RCC_CR_MSIRDY_Msk (1u << 1)
#define RCC_CR_HSION_Msk (1u << 8)
#define RCC_CR_HSIRDY_Msk (1u << 10)
#define RCC_CR_PLLON_Msk (1u << 24)
#define RCC_CR_PLLRDY_Msk (1u << 25)

#define RCC_CFGR_SW_Msk (3u << 0)
#define RCC_CFGR_SW_MSI 0u
#define RCC_CFGR_SW_PLL 3u
#define RCC_CFGR_SWS_Pos 2u
#define RCC_CFGR_SWS_Msk (3u << 2)

#define RCC_PLLCFGR_PLLSRC_HSI16 2u /* bits 1:0 */
#define RCC_PLLCFGR_PLLM_Pos 4u     /* 4 bits, divider = PLLM + 1 */
#define RCC_PLLCFGR_PLLN_Pos 8u     /* 7 bits, multiplier = PLLN */
#define RCC_PLLCFGR_PLLREN_Msk (1u << 24)
#define RCC_PLLCFGR_PLLR_Pos 25u    /* 2 bits, divider = 2 * (PLLR + 1) */
#define RCC_PLLCFGR_RESET 0x00001000u /* RM0432 reset value: PLLN = 16, MSI source off */

#define RCC_AHB2ENR_GPIOAEN_Msk (1u << 0)
#define RCC_AHB2ENR_GPIOBEN_Msk (1u << 1)
#define RCC_AHB2ENR_GPIOCEN_Msk (1u << 2)
#define RCC_AHB2ENR_OTGFSEN_Msk (1u << 12)
#define RCC_APB1ENR1_CRSEN_Msk (1u << 24)
#define RCC_APB1ENR1_PWREN_Msk (1u << 28)

#define RCC_CCIPR_CLK48SEL_Msk (3u << 26) /* 00 = HSI48 */

#define RCC_CSR_RMVF_Msk (1u << 23)
#define RCC_CSR_OBLRSTF_Msk (1u << 25)
#define RCC_CSR_PINRSTF_Msk (1u << 26)
#define RCC_CSR_BORRSTF_Msk (1u << 27)
#define RCC_CSR_SFTRSTF_Msk (1u << 28)
#define RCC_CSR_IWDGRSTF_Msk (1u << 29)
#define RCC_CSR_WWDGRSTF_Msk (1u << 30)
#define RCC_CSR_LPWRRSTF_Msk (1u << 31)

#define RCC_CRRCR_HSI48ON_Msk (1u << 0)
#define RCC_CRRCR_HSI48RDY_Msk (1u << 1)

struct pwr_regs {                 /* 0x40007000 */
    volatile uint32_t CR1;        /* 0x00 */
    volatile uint32_t CR2;        /* 0x04 */
    volatile uint32_t CR3;        /* 0x08 */
    volatile uint32_t CR4;        /* 0x0C */
    volatile uint32_t SR1;        /* 0x10 */
    volatile uint32_t SR2;        /* 0x14 */
    volatile uint32_t SCR;        /* 0x18 */
    uint32_t reserved0;           /* 0x1C */
    volatile uint32_t PUPD[18];   /* 0x20..0x64: PUCRA, PDCRA, ... PDCRI */
    uint32_t reserved1[6];        /* 0x68..0x7C */
    volatile uint32_t CR5;        /* 0x80 */
};
#define PWR ((struct pwr_regs *)0x40007000u)
#define PWR_CR2_IOSV_Msk (1u << 9)  /* VDDIO2 valid: port G usable */
#define PWR_CR2_USV_Msk (1u << 10)  /* VDDUSB valid: USB transceiver powered */

struct crs_regs {                 /* 0x40006000 */
    volatile uint32_t CR;         /* 0x00 */
    volatile uint32_t CFGR;       /* 0x04 */
    volatile uint32_t ISR;        /* 0x08 */
    volatile uint32_t ICR;        /* 0x0C */
};
#define CRS ((struct crs_regs *)0x40006000u)
#define CRS_CR_CEN_Msk (1u << 5)
#define CRS_CR_AUTOTRIMEN_Msk (1u << 6)
#define CRS_CFGR_RELOAD_Pos 0u
#define CRS_CFGR_FELIM_Pos 16u
#define CRS_CFGR_SYNCSRC_Pos 28u
#define CRS_CFGR_SYNCSRC_USB 2u

#endif
