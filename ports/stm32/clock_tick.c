/*
 * Time for the STM32 ports, from the Cortex-M core alone: a 1 ms SysTick
 * counter and busy waits on the DWT cycle counter, both at the chip's
 * CLOCK_SYSCLK_HZ (clock.h). clock_init has started the cycle counter.
 */
#include "clock.h"

#include "regs_core.h"

#define CLOCK_SYSTICK_HZ 1000u

_Static_assert(CLOCK_SYSCLK_HZ / CLOCK_SYSTICK_HZ - 1u <= SYSTICK_LOAD_MAX, "SysTick reload is 24 bits");

static volatile uint32_t clock_ticks;

void clock_tick_start(void)
{
    clock_ticks = 0u;
    SYSTICK->LOAD = CLOCK_SYSCLK_HZ / CLOCK_SYSTICK_HZ - 1u;
    SYSTICK->VAL = 0u;
    SYSTICK->CTRL = SYSTICK_CTRL_CLKSOURCE_Msk | SYSTICK_CTRL_TICKINT_Msk | SYSTICK_CTRL_ENABLE_Msk;
}

uint32_t clock_ms(void)
{
    return clock_ticks;
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    clock_ticks++;
}

void clock_delay_ms(uint32_t ms)
{
    const uint32_t per_ms = CLOCK_SYSCLK_HZ / 1000u;
    for (uint32_t i = 0; i < ms; i++) {
        uint32_t start = DWT->CYCCNT;
        /* Each poll takes at least a cycle: the bound holds if CYCCNT stops. */
        for (uint32_t spins = 0; spins < per_ms && DWT->CYCCNT - start < per_ms; spins++) {
        }
    }
}
