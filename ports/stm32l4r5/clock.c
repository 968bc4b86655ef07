/*
 * Clock tree setup for the STM32L4R5 (RM0432 "RCC", "CRS", "PWR").
 * Every wait for a ready flag is bounded: a clock that never starts ends in a
 * reset through the watchdog or the fault handler, not in a silent hang here.
 */
#include "clock.h"

#include "regs_core.h"
#include "regs_flash.h"
#include "regs_rcc.h"

#define CLOCK_READY_SPINS 1000000u   /* oscillators and PLL lock in well under 1 ms */
#define CLOCK_CRS_RELOAD 0xBB7Fu     /* 48 MHz / 1 kHz SOF - 1 */
#define CLOCK_CRS_FELIM 0x22u        /* RM0432 recommended frequency error limit */

static void clock_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < CLOCK_READY_SPINS && (*reg & mask) != want; i++) {
    }
}

void clock_init(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN_Msk;
    (void)RCC->APB1ENR1;
    /* Slow to fast: wait states before the clock goes up. */
    FLASH_REGS->ACR = (FLASH_REGS->ACR & ~FLASH_ACR_LATENCY_Msk) | CLOCK_FLASH_WS |
                      FLASH_ACR_PRFTEN_Msk | FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk;
    clock_wait(&FLASH_REGS->ACR, FLASH_ACR_LATENCY_Msk, CLOCK_FLASH_WS);

    RCC->CR |= RCC_CR_HSION_Msk;
    clock_wait(&RCC->CR, RCC_CR_HSIRDY_Msk, RCC_CR_HSIRDY_Msk);
    RCC->CR &= ~RCC_CR_PLLON_Msk;
    clock_wait(&RCC->CR, RCC_CR_PLLRDY_Msk, 0u);
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSI16 | ((CLOCK_PLL_M - 1u) << RCC_PLLCFGR_PLLM_Pos) |
                   (CLOCK_PLL_N << RCC_PLLCFGR_PLLN_Pos) |
                   ((CLOCK_PLL_R / 2u - 1u) << RCC_PLLCFGR_PLLR_Pos) | RCC_PLLCFGR_PLLREN_Msk;
    RCC->CR |= RCC_CR_PLLON_Msk;
    clock_wait(&RCC->CR, RCC_CR_PLLRDY_Msk, RCC_CR_PLLRDY_Msk);
    /* AHB and APB prescalers stay at 1 (reset value): 80 MHz everywhere. */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    clock_wait(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SW_PLL << RCC_CFGR_SWS_Pos);

    /* The cycle counter gives clock_delay_ms a time base without SysTick. */
    COREDEBUG_DEMCR |= COREDEBUG_DEMCR_TRCENA_Msk;
    DWT->CYCCNT = 0u;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
}

void clock_usb_init(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN_Msk | RCC_APB1ENR1_CRSEN_Msk;
    (void)RCC->APB1ENR1;
    PWR->CR2 |= PWR_CR2_USV_Msk;
    RCC->CRRCR |= RCC_CRRCR_HSI48ON_Msk;
    clock_wait(&RCC->CRRCR, RCC_CRRCR_HSI48RDY_Msk, RCC_CRRCR_HSI48RDY_Msk);
    RCC->CCIPR &= ~RCC_CCIPR_CLK48SEL_Msk;
    CRS->CFGR = (CLOCK_CRS_RELOAD << CRS_CFGR_RELOAD_Pos) | (CLOCK_CRS_FELIM << CRS_CFGR_FELIM_Pos) |
                (CRS_CFGR_SYNCSRC_USB << CRS_CFGR_SYNCSRC_Pos);
    CRS->CR |= CRS_CR_AUTOTRIMEN_Msk | CRS_CR_CEN_Msk;
}

void clock_deinit(void)
{
    SYSTICK->CTRL = 0u;
    SYSTICK->LOAD = 0u;
    SYSTICK->VAL = 0u;
    SCB->ICSR = SCB_ICSR_PENDSTCLR_Msk;

    RCC->CR |= RCC_CR_MSION_Msk;
    clock_wait(&RCC->CR, RCC_CR_MSIRDY_Msk, RCC_CR_MSIRDY_Msk);
    RCC->CFGR = 0u; /* MSI, prescalers 1: the reset value */
    clock_wait(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SW_MSI << RCC_CFGR_SWS_Pos);
    RCC->CR &= ~(RCC_CR_PLLON_Msk | RCC_CR_HSION_Msk);
    clock_wait(&RCC->CR, RCC_CR_PLLRDY_Msk, 0u);
    RCC->PLLCFGR = RCC_PLLCFGR_RESET;
    /* Only the drive turns the CRS clock on; with it off the CRS ignores
       accesses (RM0432 6.2: a peripheral is not clocked until enabled). */
    if (RCC->APB1ENR1 & RCC_APB1ENR1_CRSEN_Msk)
        CRS->CR &= ~(CRS_CR_AUTOTRIMEN_Msk | CRS_CR_CEN_Msk);
    RCC->CRRCR &= ~RCC_CRRCR_HSI48ON_Msk;
    /* Fast to slow: the wait states come down after the clock did. */
    FLASH_REGS->ACR &= ~(FLASH_ACR_LATENCY_Msk | FLASH_ACR_PRFTEN_Msk);
    DWT->CTRL &= ~DWT_CTRL_CYCCNTENA_Msk;
    COREDEBUG_DEMCR &= ~COREDEBUG_DEMCR_TRCENA_Msk;
    RCC->APB1ENR1 &= ~(RCC_APB1ENR1_PWREN_Msk | RCC_APB1ENR1_CRSEN_Msk); /* reset: both off */
}
