/*
 * The chip-independent half of clock.h (ports/stm32/clock_tick.c): a 1 ms
 * tick and busy waits, at the chip's CLOCK_SYSCLK_HZ.
 */
#ifndef DB_CLOCK_TICK_H
#define DB_CLOCK_TICK_H

#include <stdint.h>

/* SysTick at 1 kHz; clock_ms counts from clock_tick_start. */
void clock_tick_start(void);
uint32_t clock_ms(void);
/* Busy wait on the cycle counter; works before and without SysTick. */
void clock_delay_ms(uint32_t ms);

#endif
