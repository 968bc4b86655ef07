/* What examples/blinky needs to know about the WeAct Black Pill (STM32F411CE). */
#ifndef DB_BLINKY_BOARD_H
#define DB_BLINKY_BOARD_H

#include "regs_gpio.h"
#include "regs_rcc.h"

#define BLINKY_CPU_HZ 16000000u    /* HSI at reset, as dropboot leaves it */
#define BLINKY_APP_BASE 0x08010000u
#define BLINKY_VECTORS 102u
#define BLINKY_LED_PORT GPIOC
#define BLINKY_LED_PIN 13u         /* user LED, PC13, lit when low */
#define BLINKY_LED_ACTIVE_LOW 1
#define BLINKY_KEY_PORT GPIOA
#define BLINKY_KEY_PIN 0u          /* KEY, PA0, to ground when pressed */
#define BLINKY_KEY_ACTIVE_LOW 1
#define BLINKY_KEY_PULL GPIO_PULL_UP
#define BLINKY_GPIO_CLOCKS_ON() \
    (RCC->AHB1ENR |= RCC_AHB1ENR_GPIOAEN_Msk | RCC_AHB1ENR_GPIOCEN_Msk, (void)RCC->AHB1ENR)

#endif
