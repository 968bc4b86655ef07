/*
 * Clocks of the STM32F411 port: 96 MHz system clock and the 48 MHz USB
 * clock from one PLL on the Black Pill's 25 MHz crystal (the F411 has no
 * HSI48), and (clock_tick.h, shared) a 1 ms tick and busy-wait delays.
 */
#ifndef DB_CLOCK_H
#define DB_CLOCK_H

#include <stdint.h>

#include "clock_tick.h"

#define CLOCK_SYSCLK_HZ 96000000u

/* PLL on HSE (RM0383 "PLL"): VCO = HSE / M * N, SYSCLK = VCO / P, USB = VCO / Q. */
#define CLOCK_HSE_HZ 25000000u
#define CLOCK_PLL_M 25u  /* VCO input 1 MHz: inside 1..2 MHz */
#define CLOCK_PLL_N 192u /* VCO 192 MHz: inside 100..432 MHz */
#define CLOCK_PLL_P 2u   /* 96 MHz: at most 100 */
#define CLOCK_PLL_Q 4u   /* 48 MHz exactly: USB full speed needs it */
#define CLOCK_USB_HZ 48000000u
#define CLOCK_FLASH_WS 3u /* RM0383, 2.7-3.6 V: 3 wait states from 90 to 100 MHz */

_Static_assert(CLOCK_HSE_HZ / CLOCK_PLL_M * CLOCK_PLL_N / CLOCK_PLL_P == CLOCK_SYSCLK_HZ, "PLL P output");
_Static_assert(CLOCK_HSE_HZ / CLOCK_PLL_M * CLOCK_PLL_N / CLOCK_PLL_Q == CLOCK_USB_HZ, "PLL Q output");

/* From reset (HSI 16 MHz) to 96 MHz on the crystal: regulator scale 1 and
   flash wait states first. A crystal that does not start leaves the chip
   on HSI (slow, and no USB clock) rather than hanging. */
void clock_init(void);
/* Nothing left to do: the PLL's Q output is already the USB clock. */
void clock_usb_init(void);
/* Back to the reset clock tree (HSI 16 MHz, PLL and HSE off, 0 wait
   states, regulator scale 2) and SysTick off, for an app that expects a
   chip straight out of reset. */
void clock_deinit(void);

#endif
