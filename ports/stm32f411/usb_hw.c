/* Clocks and pins of the STM32F411's OTG FS core on the Black Pill (USB-C on PA11/PA12). */
#include "dwc2_chip.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define USB_HW_AF_OTG 10u /* RM0383 / datasheet alternate function map: OTG_FS on PA11/PA12 */
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
    RCC->AHB1ENR |= RCC_AHB1ENR_GPIOAEN_Msk;
    (void)RCC->AHB1ENR; /* RM0383: a read-back lets the enable take effect */
    usb_hw_pin(USB_HW_PIN_DM);
    usb_hw_pin(USB_HW_PIN_DP);
    RCC->AHB2ENR |= RCC_AHB2ENR_OTGFSEN_Msk;
    (void)RCC->AHB2ENR;
}
