/*
 * The facts one emulated chip and board differ in, for machine.c and the
 * shared models (gpio.c, otg.c): memory map, system-memory words, the
 * peripheral windows, the wait-state rule, the board's LEDs and button,
 * and which models to attach. One table per chip (chip_stm32l4r5.c,
 * chip_stm32f411.c); the build (DB_CHIP) links exactly one of them with
 * that chip's own models (rcc*.c, pwr*.c, flashctl*.c), because core/ and
 * the port's bootin.c that explain.c compiles are configured per chip too.
 */
#ifndef DB_EMU_EMU_CHIP_H
#define DB_EMU_EMU_CHIP_H

#include <stdbool.h>
#include <stdint.h>

struct emu;

#define EMU_CHIP_RAMS 3u
#define EMU_CHIP_WINDOWS 4u
#define EMU_CHIP_LEDS 3u
#define EMU_CHIP_WS 16u
#define EMU_CHIP_GPIO_PORTS 9u

/* One SRAM block; alias: a second address it also answers at (0: none). */
struct emu_chip_ram {
    uint32_t base, size, alias;
};

struct emu_chip_window {
    uint32_t base, size;
};

/* A board pin: port index (0 = A), pin number, and the level that means
   "on" (LED lit, button pressed). */
struct emu_chip_pin {
    const char *name;
    unsigned port, pin;
    bool active_high;
};

struct emu_chip {
    const char *name;        /* --chip NAME */
    const char *board;
    const char *build_dir;   /* build/<build_dir>/dropboot.elf: the firmware by default */
    uint32_t flash_base, flash_size;
    uint32_t bank_size;      /* flash_size / 2 with two banks that swap; flash_size with one */
    struct emu_chip_ram ram[EMU_CHIP_RAMS]; /* ram[0] holds the stack and .noinit */
    unsigned nram;
    uint32_t sysinfo_base, sysinfo_size;   /* a 4 KB page of system memory holding these: */
    uint32_t uid_addr, flashsize_addr, package_addr;  /* package_addr 0: none */
    uint16_t package;
    struct emu_chip_window window[EMU_CHIP_WINDOWS];
    unsigned nwindow;
    uint32_t reset_hz;       /* processor clock out of reset */
    /* Highest HCLK for n wait states (0-terminated): the RM's table. */
    uint32_t ws_max_hz[EMU_CHIP_WS];
    const char *ws_source;   /* the section that table comes from */
    /* Single bank without read-while-write: an instruction fetch from flash
       waits while the flash controller is busy. */
    bool fetch_stalls_while_busy;
    /* GPIO: ports at gpio_base + n * 0x400; BRR at 0x28 or not; reset values of ports A and B (debug pins). */
    uint32_t gpio_base;
    unsigned gpio_ports;
    const char *const *gpio_names;
    bool gpio_has_brr;
    uint32_t gpio_moder_reset, gpio_moder_reset_a, gpio_moder_reset_b;
    uint32_t gpio_ospeedr_reset_a, gpio_ospeedr_reset_b, gpio_pupdr_reset_a, gpio_pupdr_reset_b;
    struct emu_chip_pin led[EMU_CHIP_LEDS];  /* bit n of emu_watch.leds */
    unsigned nled;
    struct emu_chip_pin button;
    /* OTG FS core: its GSNPSID and endpoints per direction. */
    uint32_t otg_gsnpsid;
    unsigned otg_eps;
    void (*attach)(struct emu *e);           /* the chip's own models */
};

extern const struct emu_chip emu_chip;

#endif
