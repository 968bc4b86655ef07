/*
 * Clocks of the STM32L4R5 port: 80 MHz system clock from the PLL on HSI16,
 * the crystal-less 48 MHz USB clock (HSI48 trimmed by the CRS from USB SOF),
 * and (clock_tick.h, shared) a 1 ms SysTick counter and busy-wait delays.
 */
#ifndef DB_CLOCK_H
#define DB_CLOCK_H

#include <stdint.h>

#include "clock_tick.h"

#define CLOCK_SYSCLK_HZ 80000000u /* range 1 normal mode: no boost needed */

/* PLL on HSI16: 16 MHz / M * N / R (RM0432 "PLL"). Host-tested arithmetic. */
#define CLOCK_HSI16_HZ 16000000u
#define CLOCK_PLL_M 4u  /* VCO input 4 MHz: inside 2.66..8 MHz */
#define CLOCK_PLL_N 40u /* VCO 160 MHz: inside 64..344 MHz */
#define CLOCK_PLL_R 2u  /* 80 MHz */
#define CLOCK_FLASH_WS 3u /* RM0432 range 1: 3 wait states up to 80 MHz */

/* From reset (MSI 4 MHz) to 80 MHz; flash wait states are raised first. */
void clock_init(void);
/* HSI48 on, CRS synchronised to USB SOF with automatic trimming, CLK48SEL =
   HSI48, VDDUSB declared valid. */
void clock_usb_init(void);
/* Back to the reset clock tree (MSI 4 MHz, PLL/HSI/HSI48 off, 0 wait states)
   and SysTick off, for an app that expects a chip straight out of reset. */
void clock_deinit(void);

#endif
