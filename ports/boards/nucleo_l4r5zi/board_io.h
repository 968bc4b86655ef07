/*
 * NUCLEO-L4R5ZI pins the bootloader drives (UM2179): user button B1 on PC13
 * (high when pressed), LD1 green PC7, LD2 blue PB7, LD3 red PB14 (active high).
 * Port G (VDDIO2) is not used, so PWR_CR2.IOSV is left alone.
 */
#ifndef DB_BOARD_IO_H
#define DB_BOARD_IO_H

#include <stdbool.h>
#include <stdint.h>

enum board_leds {
    BOARD_LEDS_OFF,
    BOARD_LEDS_WAITING, /* drive up, waiting for a file: green blinks slowly */
    BOARD_LEDS_WRITING, /* firmware arriving: blue flickers, green on */
    BOARD_LEDS_ERROR,   /* last update refused or failed: red on, green blinks */
};

#define BOARD_LED_GREEN (1u << 0)
#define BOARD_LED_BLUE (1u << 1)
#define BOARD_LED_RED (1u << 2)

/* Clocks on for ports B and C; button input, LEDs output and off. */
void board_io_init(void);
/* GPIOB/GPIOC back to their reset state, clocks off, for the app. */
void board_io_deinit(void);
bool board_button_pressed(void);
/* Which LEDs a pattern lights at time now_ms: pure, host-tested. */
uint32_t board_led_mask(enum board_leds pattern, uint32_t now_ms);
/* Show the pattern now (call from the main loop with the ms tick). */
void board_leds_show(enum board_leds pattern, uint32_t now_ms);

#endif
