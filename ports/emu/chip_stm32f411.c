/*
 * The WeAct Black Pill (STM32F411CEU6): emu_chip.h's facts with their RM0383
 * sections (docs/hw/stm32f411.md lists the sources). Reused from the L4R5
 * models because the IP is the same: GPIO (RM0383 8.4: same registers less
 * BRR), IWDG (RM0383 15.4: KR/PR/RLR/SR at the same place, no WINR: the
 * firmware writes none), SysTick/SCB/NVIC/DWT (the same Cortex-M4), OTG FS
 * (the same DWC2 block in an older core, RM0383 22). Its own: RCC
 * (rcc_f4.c, RM0383 6), PWR (pwr_f4.c, RM0383 5), FLASH (flashctl_f4.c,
 * RM0383 3). No CRS and no HSI48 on this chip, and the firmware uses no
 * SYSCFG: an access to either is an unclaimed-access error.
 */
#include <stddef.h>

#include "emu_chip.h"
#include "machine.h"

/* No ports F and G on the F411 (RM0383 2.3 memory map: reserved there). */
static const char *const f411_gpio_names[] = {"GPIOA", "GPIOB", "GPIOC", "GPIOD", "GPIOE", NULL, NULL, "GPIOH"};

static void f411_attach(struct emu *e)
{
    emu_rcc_attach(e);
    emu_pwr_attach(e);
    emu_flashctl_attach(e);
    emu_gpio_attach(e);
    emu_iwdg_attach(e);
    emu_scs_attach(e);
    emu_dwt_attach(e);
}

const struct emu_chip emu_chip = {
    .name = "stm32f411",
    .board = "WeAct Black Pill",
    .build_dir = "weact_blackpill_f411",
    /* RM0383 2.3 memory map, 3.3 "Flash module organization": 512 KB, one bank. */
    .flash_base = 0x08000000u,
    .flash_size = 0x00080000u,
    .bank_size = 0x00080000u,
    .ram = {{0x20000000u, 0x00020000u, 0u}}, /* RM0383 2.3.1: 128 KB SRAM */
    .nram = 1u,
    /* System memory's last page: OTP from 0x1FFF7800 (RM0383 3.3), the
       unique ID (24.1) and the flash size in KB (24.2). */
    .sysinfo_base = 0x1FFF7000u,
    .sysinfo_size = 0x1000u,
    .uid_addr = 0x1FFF7A10u,
    .flashsize_addr = 0x1FFF7A22u,
    .package_addr = 0u,
    .package = 0u,
    .window = {{0x40000000u, 0x00030000u},   /* APB1, APB2, AHB1 (GPIO, RCC, FLASH interface) */
               {0x50000000u, 0x00040000u},   /* AHB2: OTG FS */
               {0xE0000000u, 0x00100000u}},  /* Cortex-M4 private peripheral bus */
    .nwindow = 3u,
    .reset_hz = 16000000u, /* RM0383 6.2.2: HSI 16 MHz after reset */
    /* RM0383 3.4.1 Table 5, 2.7-3.6 V: 0 WS to 30 MHz, 1 to 64, 2 to 90, 3 to 100. */
    .ws_max_hz = {30000000u, 64000000u, 90000000u, 100000000u},
    .ws_source = "RM0383 3.4.1",
    /* RM0383 3.5: one bank; a read of flash (a fetch) during an erase or
       program stalls the bus until the operation ends. */
    .fetch_stalls_while_busy = true,
    /* RM0383 8.4: ports A..E and H on AHB1, 0x400 apart; no BRR. Reset values 8.4.1, 8.4.3, 8.4.4. */
    .gpio_base = 0x40020000u,
    .gpio_ports = 8u,
    .gpio_names = f411_gpio_names,
    .gpio_has_brr = false,
    .gpio_moder_reset = 0x00000000u,   /* every pin input */
    .gpio_moder_reset_a = 0xA8000000u, /* PA13/14/15: SWD/JTAG alternate function */
    .gpio_moder_reset_b = 0x00000280u, /* PB3/4 */
    .gpio_ospeedr_reset_a = 0x0C000000u,
    .gpio_ospeedr_reset_b = 0x000000C0u,
    .gpio_pupdr_reset_a = 0x64000000u,
    .gpio_pupdr_reset_b = 0x00000100u,
    /* docs/hw/stm32f411.md: the blue user LED on PC13, lit when low; KEY on PA0 to ground (reads 0 pressed). */
    .led = {{"blue", 2u, 13u, false}},
    .nled = 1u,
    .button = {"KEY", 0u, 0u, false},
    .otg_gsnpsid = 0x4F54281Au, /* core 2.81a (docs/hw/stm32f411.md) */
    .otg_eps = 4u,              /* RM0383 22.1: 4 IN and 4 OUT endpoints with EP0 */
    .attach = f411_attach,
};
