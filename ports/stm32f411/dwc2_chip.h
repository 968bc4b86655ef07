/*
 * The STM32F411's facts for the shared DWC2 driver (ports/dwc2): the OTG FS
 * core's place, endpoints and FIFO RAM, and the function that gives it
 * clock and pins (ports/stm32/usb_hw.c). Its core is 2.81a (GSNPSID 0x4F54281A in
 * public register surveys); the driver reads that itself.
 */
#ifndef DB_DWC2_CHIP_H
#define DB_DWC2_CHIP_H

#define DWC2_CHIP_BASE 0x50000000u  /* RM0383 memory map: USB OTG FS */
#define DWC2_CHIP_EPS 4u            /* RM0383: 4 IN and 4 OUT endpoints, EP0 included */
#define DWC2_CHIP_FIFO_WORDS 320u   /* RM0383: 1.25 KB of FIFO RAM for RX and every TX FIFO */

/* Clock enables ports/stm32/usb_hw.c needs (regs_rcc.h): GPIOA is on
   AHB1 here, OTG FS on AHB2; the read-back lets an enable take effect. */
#define DWC2_CHIP_GPIOA_CLOCK_ON() (RCC->AHB1ENR |= RCC_AHB1ENR_GPIOAEN_Msk, (void)RCC->AHB1ENR)
#define DWC2_CHIP_OTG_CLOCK_ON() (RCC->AHB2ENR |= RCC_AHB2ENR_OTGFSEN_Msk, (void)RCC->AHB2ENR)

/* OTG FS bus clock on and PA11/PA12 as alternate function 10 (ports/stm32/usb_hw.c). */
void usb_hw_init(void);

#endif
