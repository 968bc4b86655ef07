/*
 * Boot inputs of the STM32 ports, as pure functions: what the reset
 * flags and the RAM that survives a reset say, and the last check before
 * jumping to an app. main.c reads the hardware and calls these; the host
 * tests (tests/port/test_port_bootin.c) call them with made-up registers.
 */
#ifndef DB_BOOTIN_H
#define DB_BOOTIN_H

#include <stdbool.h>
#include <stdint.h>

#include "boot.h"
#include "update.h"

/* Contract with apps (dropboot_app.h, app.ld): the first word of SRAM1. */
#define BOOTIN_STAY_ADDR 0x20000000u
#define BOOTIN_NOINIT_BYTES 64u        /* reserved at 0x20000000 by both linker scripts */
#define BOOTIN_DR_MARK 0xD0B1E5E7u     /* double-reset window open */
#define BOOTIN_DR_WINDOW_MS 500u       /* a second reset inside this window keeps the drive */

/* The .noinit words, in this order from BOOTIN_STAY_ADDR. */
struct bootin_noinit {
    uint32_t stay;          /* BOOT_MAGIC_STAY: an app asked for the drive */
    uint32_t double_reset;  /* BOOTIN_DR_MARK while the window is open */
    struct update_report report; /* core/update's result of the last attempt */
    uint32_t trial_seq;     /* the image started is on trial: its seq (dropboot_app.h reads it) */
    uint32_t confirm_seq;   /* the app confirmed that trial image (dropboot_confirm() writes it) */
};
/* Offsets apps use (dropboot_app.h): keep them where they are. */
#define BOOTIN_TRIAL_OFFSET 40u
#define BOOTIN_CONFIRM_OFFSET 44u

enum bootin_dr {
    BOOTIN_DR_NONE,     /* not a reset-button reset: no window, no delay */
    BOOTIN_DR_WAIT,     /* reset button once: open the window, wait, close it */
    BOOTIN_DR_DETECTED, /* reset button inside the window: stay in the bootloader */
};

/* Only the NRST pin caused this reset (a software, watchdog, brown-out or
   option-byte reset also pulls NRST, so their flags must be absent). */
bool bootin_pin_reset(uint32_t rcc_csr);
/* RAM content is random after power-on / brown-out: forget the words. */
bool bootin_ram_lost(uint32_t rcc_csr);
enum bootin_dr bootin_double_reset(uint32_t rcc_csr, uint32_t marker);

/* Fill the boot decision's inputs; consumes nothing (main clears the words). */
void bootin_gather(const struct bootin_noinit *ni, uint32_t rcc_csr, bool button,
                   struct boot_inputs *in);

/* Last guard before the jump: vector table at a VTOR-legal address inside
   the app area, stack pointer inside RAM and word aligned, entry a Thumb
   address inside the app image past its vector table. */
bool bootin_jump_ok(uint32_t vtor, uint32_t sp, uint32_t pc);

/* The reset that ends an update: once core/update asks for it, the drive
   waits until the USB side is idle (the host has the CSW of its last
   command, e.g. the eject's START STOP UNIT, or it reports the eject as
   failed), but never longer than the grace time (a host that went away
   must not keep the device from starting the app). */
#define BOOTIN_RESET_GRACE_MS 2000u
/* waited_ms: time since the reset was first asked for (SysTick difference). */
bool bootin_reset_due(bool usb_idle, uint32_t waited_ms);

#endif
