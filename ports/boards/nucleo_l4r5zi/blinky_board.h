/* What examples/blinky needs to know about the NUCLEO-L4R5ZI. */
#ifndef DB_BLINKY_BOARD_H
#define DB_BLINKY_BOARD_H

#include "regs_gpio.h"
#include "regs_rcc.h"

#define BLINKY_CPU_HZ 4000000u     /* MSI at reset, as dropboot leaves it */
#define BLINKY_APP_BASE 0x08008000u
#define BLINKY_VECTORS 111u
#define BLINKY_LED_PORT GPIOC
#define BLINKY_LED_PIN 7u          /* LD1 green, PC7 */
#define BLINKY_LED_ACTIVE_LOW 0
#define BLINKY_KEY_PORT GPIOC
#define BLINKY_KEY_PIN 13u         /* B1, PC13, high when pressed (board pull-down) */
#define BLINKY_KEY_ACTIVE_LOW 0
#define BLINKY_KEY_PULL 0u         /* PUPDR code: none needed */
#define BLINKY_GPIO_CLOCKS_ON() (RCC->AHB2ENR |= RCC_AHB2ENR_GPIOCEN_Msk, (void)RCC->AHB2ENR)

#endif
