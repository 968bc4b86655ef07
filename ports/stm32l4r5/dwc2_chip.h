/*
 * The STM32L4R5's facts for the shared DWC2 driver (ports/dwc2): where the
 * OTG FS core sits, how much FIFO RAM and how many endpoints it has, and
 * the clocks ports/stm32/usb_hw.c turns on for it. Everything that
 * depends on the core's version is read from GSNPSID by the driver.
 */
#ifndef DB_DWC2_CHIP_H
#define DB_DWC2_CHIP_H

#define DWC2_CHIP_BASE 0x50000000u  /* RM0432 memory map: OTG_FS */
#define DWC2_CHIP_EPS 6u            /* RM0432: 6 IN and 6 OUT endpoints, EP0 included */
#define DWC2_CHIP_FIFO_WORDS 320u   /* RM0432: 1.25 KB of FIFO RAM for RX and every TX FIFO */

/* Clock enables ports/stm32/usb_hw.c needs (regs_rcc.h); the read-back
   lets an enable take effect before the block is touched (RM0432). */
#define DWC2_CHIP_GPIOA_CLOCK_ON() (RCC->AHB2ENR |= RCC_AHB2ENR_GPIOAEN_Msk, (void)RCC->AHB2ENR)
#define DWC2_CHIP_OTG_CLOCK_ON() (RCC->AHB2ENR |= RCC_AHB2ENR_OTGFSEN_Msk, (void)RCC->AHB2ENR)

/* OTG FS bus clock on and PA11/PA12 as alternate function 10 (ports/stm32/usb_hw.c). */
void usb_hw_init(void);

#endif
