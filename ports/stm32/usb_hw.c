/*
 * Pins and clock of the OTG FS core, the same on the STM32 ports: PA11 (DM)
 * and PA12 (DP) as alternate function 10 at the highest speed, then the
 * core's bus clock. Which enable bits those are is the chip's
 * (dwc2_chip.h: DWC2_CHIP_GPIOA_CLOCK_ON, DWC2_CHIP_OTG_CLOCK_ON).
 */
#include "dwc2_chip.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define USB_HW_AF_OTG 10u /* OTG_FS on PA11/PA12 in both chips' alternate function maps */
#define USB_HW_PIN_DM 11u
#define USB_HW_PIN_DP 12u
#define USB_HW_AFRH_FIRST_PIN 8u

static void usb_hw_pin(uint32_t p)
{
    struct gpio_regs *a = GPIOA;
    uint32_t af_shift = 4u * (p - USB_HW_AFRH_FIRST_PIN);
    a->OSPEEDR |= GPIO_SPEED_VERY_HIGH << (2u * p);
    a->AFR[1] = (a->AFR[1] & ~(0xFu << af_shift)) | (USB_HW_AF_OTG << af_shift);
    a->MODER = (a->MODER & ~(3u << (2u * p))) | (GPIO_MODE_AF << (2u * p));
}

void usb_hw_init(void)
{
    DWC2_CHIP_GPIOA_CLOCK_ON();
    usb_hw_pin(USB_HW_PIN_DM);
    usb_hw_pin(USB_HW_PIN_DP);
    DWC2_CHIP_OTG_CLOCK_ON();
}
