/*
 * Cortex-M4 core peripherals the port uses: SCB, SysTick, NVIC, DWT and the
 * debug control block. Addresses and bits from the ARMv7-M Architecture
 * Reference Manual (System Control Space at 0xE000E000).
 */
#ifndef DB_REGS_CORE_H
#define DB_REGS_CORE_H

#include <stdint.h>

struct systick_regs {            /* 0xE000E010 */
    volatile uint32_t CTRL;      /* 0x00 */
    volatile uint32_t LOAD;      /* 0x04 */
    volatile uint32_t VAL;       /* 0x08 */
    volatile uint32_t CALIB;     /* 0x0C */
};
#define SYSTICK ((struct systick_regs *)0xE000E010u)
#define SYSTICK_CTRL_ENABLE_Msk (1u << 0)
#define SYSTICK_CTRL_TICKINT_Msk (1u << 1)
#define SYSTICK_CTRL_CLKSOURCE_Msk (1u << 2) /* processor clock, not HCLK/8 */
#define SYSTICK_LOAD_MAX 0x00FFFFFFu

/* 0xE000E100: ISER, ICER, ISPR, ICPR each 16 words on v7-M (8 cover 256 IRQs); the chip's count is chip.h's CHIP_NVIC_WORDS. */
struct nvic_regs {
    volatile uint32_t ISER[8];   /* 0x000 */
    uint32_t reserved0[24];
    volatile uint32_t ICER[8];   /* 0x080 */
    uint32_t reserved1[24];
    volatile uint32_t ISPR[8];   /* 0x100 */
    uint32_t reserved2[24];
    volatile uint32_t ICPR[8];   /* 0x180 */
};
#define NVIC ((struct nvic_regs *)0xE000E100u)

struct scb_regs {                /* 0xE000ED00 */
    volatile uint32_t CPUID;     /* 0x00 */
    volatile uint32_t ICSR;      /* 0x04 */
    volatile uint32_t VTOR;      /* 0x08 */
    volatile uint32_t AIRCR;     /* 0x0C */
    volatile uint32_t SCR;       /* 0x10 */
    volatile uint32_t CCR;       /* 0x14 */
    volatile uint32_t SHPR[3];   /* 0x18 */
    volatile uint32_t SHCSR;     /* 0x24 */
    volatile uint32_t CFSR;      /* 0x28 */
    volatile uint32_t HFSR;      /* 0x2C */
    volatile uint32_t DFSR;      /* 0x30 */
    volatile uint32_t MMFAR;     /* 0x34 */
    volatile uint32_t BFAR;      /* 0x38 */
    volatile uint32_t AFSR;      /* 0x3C */
    uint32_t reserved0[18];      /* 0x40..0x84: feature registers, unused */
    volatile uint32_t CPACR;     /* 0x88 */
};
#define SCB ((struct scb_regs *)0xE000ED00u)
#define SCB_ICSR_PENDSTCLR_Msk (1u << 25)
#define SCB_ICSR_PENDSVCLR_Msk (1u << 27)
#define SCB_AIRCR_VECTKEY (0x05FAu << 16)
#define SCB_AIRCR_SYSRESETREQ_Msk (1u << 2)

struct dwt_regs {                /* 0xE0001000 */
    volatile uint32_t CTRL;      /* 0x00 */
    volatile uint32_t CYCCNT;    /* 0x04 */
};
#define DWT ((struct dwt_regs *)0xE0001000u)
#define DWT_CTRL_CYCCNTENA_Msk (1u << 0)

#define COREDEBUG_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define COREDEBUG_DEMCR_TRCENA_Msk (1u << 24)

#endif
