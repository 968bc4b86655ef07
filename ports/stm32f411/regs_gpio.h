/* GPIO ports A..E, H of the STM32F411 (RM0383 "GPIO registers"), 0x400 apart on AHB1. */
#ifndef DB_REGS_GPIO_H
#define DB_REGS_GPIO_H

#include <stdint.h>

struct gpio_regs {
    volatile uint32_t MODER;      /* 0x00: 2 bits per pin, 00 in, 01 out, 10 AF, 11 analog */
    volatile uint32_t OTYPER;     /* 0x04 */
    volatile uint32_t OSPEEDR;    /* 0x08 */
    volatile uint32_t PUPDR;      /* 0x0C */
    volatile uint32_t IDR;        /* 0x10 */
    volatile uint32_t ODR;        /* 0x14 */
    volatile uint32_t BSRR;       /* 0x18: low half sets, high half resets (no BRR on the F4) */
    volatile uint32_t LCKR;       /* 0x1C */
    volatile uint32_t AFR[2];     /* 0x20, 0x24: 4 bits per pin */
};
#define GPIO_BASE 0x40020000u
#define GPIO_PORT(n) ((struct gpio_regs *)(GPIO_BASE + 0x400u * (n)))
#define GPIOA GPIO_PORT(0u)
#define GPIOB GPIO_PORT(1u)
#define GPIOC GPIO_PORT(2u)

#define GPIO_MODE_INPUT 0u   /* reset state of most pins on the F4 */
#define GPIO_MODE_OUTPUT 1u
#define GPIO_MODE_AF 2u
#define GPIO_SPEED_VERY_HIGH 3u
#define GPIO_PULL_UP 1u      /* PUPDR code */

#endif
