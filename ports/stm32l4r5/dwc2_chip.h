/*
 * The STM32L4R5's facts for the shared DWC2 driver (ports/dwc2): where the
 * OTG FS core sits, how much FIFO RAM and how many endpoints it has, and
 * the function that gives it clock and pins (usb_hw.c). Everything that
 * depends on the core's version is read from GSNPSID by the driver.
 */
#ifndef DB_DWC2_CHIP_H
#define DB_DWC2_CHIP_H

#define DWC2_CHIP_BASE 0x50000000u  /* RM0432 memory map: OTG_FS */
#define DWC2_CHIP_EPS 6u            /* RM0432: 6 IN and 6 OUT endpoints, EP0 included */
#define DWC2_CHIP_FIFO_WORDS 320u   /* RM0432: 1.25 KB of FIFO RAM for RX and every TX FIFO */

/* OTG FS bus clock on and PA11/PA12 as alternate function 10 (usb_hw.c). */
void usb_hw_init(void);

#endif
