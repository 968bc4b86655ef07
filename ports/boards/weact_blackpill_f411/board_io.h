/*
 * WeAct Black Pill (STM32F411CEU6) pins the bootloader drives: the KEY
 * button on PA0 (to ground, internal pull-up: pressed reads 0) and the one
 * user LED on PC13 (active low: lit when the pin drives 0). See
 * docs/hw/stm32f411.md for the sources and their disagreement on the LED.
 */
#ifndef DB_BOARD_IO_H
#define DB_BOARD_IO_H

#include <stdbool.h>
#include <stdint.h>

enum board_leds {
    BOARD_LEDS_OFF,
    BOARD_LEDS_WAITING, /* drive up, waiting for a file: slow blink */
    BOARD_LEDS_WRITING, /* firmware arriving: fast flicker */
    BOARD_LEDS_ERROR,   /* last update refused or failed: on, with a short gap each second */
};

#define BOARD_LED_USER (1u << 0)

/* Clocks on for ports A and C; button input with pull-up, LED output and off. */
void board_io_init(void);
/* GPIOA/GPIOC back to their reset state, clocks off, for the app. */
void board_io_deinit(void);
bool board_button_pressed(void);
/* Which LEDs a pattern lights at time now_ms: pure, host-tested. */
uint32_t board_led_mask(enum board_leds pattern, uint32_t now_ms);
/* Show the pattern now (call from the main loop with the ms tick). */
void board_leds_show(enum board_leds pattern, uint32_t now_ms);

#endif
