/*
 * Clock tree setup for the STM32F411 (RM0383 "RCC", "PWR"). Every wait for
 * a ready flag is bounded: a clock that never starts ends on the slow clock
 * or in a reset through the watchdog, not in a silent hang here.
 */
#include "clock.h"

#include <stdbool.h>

#include "regs_core.h"
#include "regs_flash.h"
#include "regs_rcc.h"

/* HSE start-up is at most 2 ms on the F411 (datasheet, 25 MHz crystal);
   PLL lock is far less. 1M polls of >= 4 cycles at 16 MHz is 250 ms. */
#define CLOCK_READY_SPINS 1000000u

static bool clock_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < CLOCK_READY_SPINS; i++) {
        if ((*reg & mask) == want)
            return true;
    }
    return false;
}

void clock_init(void)
{
    /* The cycle counter gives clock_delay_ms a time base without SysTick. */
    COREDEBUG_DEMCR |= COREDEBUG_DEMCR_TRCENA_Msk;
    DWT->CYCCNT = 0u;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;

    RCC->CR |= RCC_CR_HSEON_Msk;
    if (!clock_wait(&RCC->CR, RCC_CR_HSERDY_Msk, RCC_CR_HSERDY_Msk))
        return; /* no crystal: stay on HSI; the drive cannot work, the app can */

    RCC->APB1ENR |= RCC_APB1ENR_PWREN_Msk;
    (void)RCC->APB1ENR;
    PWR->CR = (PWR->CR & ~PWR_CR_VOS_Msk) | (PWR_CR_VOS_SCALE1 << PWR_CR_VOS_Pos);
    /* Slow to fast: wait states before the clock goes up. */
    FLASH_REGS->ACR = (FLASH_REGS->ACR & ~FLASH_ACR_LATENCY_Msk) | CLOCK_FLASH_WS |
                      FLASH_ACR_PRFTEN_Msk | FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk;
    (void)clock_wait(&FLASH_REGS->ACR, FLASH_ACR_LATENCY_Msk, CLOCK_FLASH_WS);

    RCC->PLLCFGR = (CLOCK_PLL_M << RCC_PLLCFGR_PLLM_Pos) | (CLOCK_PLL_N << RCC_PLLCFGR_PLLN_Pos) |
                   ((CLOCK_PLL_P / 2u - 1u) << RCC_PLLCFGR_PLLP_Pos) | RCC_PLLCFGR_PLLSRC_HSE |
                   (CLOCK_PLL_Q << RCC_PLLCFGR_PLLQ_Pos);
    RCC->CR |= RCC_CR_PLLON_Msk;
    if (!clock_wait(&RCC->CR, RCC_CR_PLLRDY_Msk, RCC_CR_PLLRDY_Msk))
        return;
    /* AHB /1, APB1 /2 (48 MHz, its limit is 50), APB2 /1. */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_PPRE1_DIV2 | RCC_CFGR_SW_PLL;
    (void)clock_wait(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SW_PLL << RCC_CFGR_SWS_Pos);
}

void clock_usb_init(void)
{
}

void clock_deinit(void)
{
    SYSTICK->CTRL = 0u;
    SYSTICK->LOAD = 0u;
    SYSTICK->VAL = 0u;
    SCB->ICSR = SCB_ICSR_PENDSTCLR_Msk;

    RCC->CR |= RCC_CR_HSION_Msk;
    (void)clock_wait(&RCC->CR, RCC_CR_HSIRDY_Msk, RCC_CR_HSIRDY_Msk);
    RCC->CFGR = 0u; /* HSI, prescalers 1: the reset value */
    (void)clock_wait(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SW_HSI << RCC_CFGR_SWS_Pos);
    RCC->CR &= ~(RCC_CR_PLLON_Msk | RCC_CR_HSEON_Msk);
    (void)clock_wait(&RCC->CR, RCC_CR_PLLRDY_Msk, 0u);
    RCC->PLLCFGR = RCC_PLLCFGR_RESET;
    /* Fast to slow: the wait states come down after the clock did. */
    FLASH_REGS->ACR &= ~(FLASH_ACR_LATENCY_Msk | FLASH_ACR_PRFTEN_Msk);
    if (RCC->APB1ENR & RCC_APB1ENR_PWREN_Msk) {
        PWR->CR = (PWR->CR & ~PWR_CR_VOS_Msk) | (PWR_CR_VOS_SCALE2 << PWR_CR_VOS_Pos);
        RCC->APB1ENR &= ~RCC_APB1ENR_PWREN_Msk; /* reset: off */
    }
    DWT->CTRL &= ~DWT_CTRL_CYCCNTENA_Msk;
    COREDEBUG_DEMCR &= ~COREDEBUG_DEMCR_TRCENA_Msk;
}
