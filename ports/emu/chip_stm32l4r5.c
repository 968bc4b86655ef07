/* The NUCLEO-L4R5ZI (STM32L4R5ZIT6): emu_chip.h's facts, RM0432 sections and UM2179 for the board. */
#include "emu_chip.h"
#include "machine.h"

static const char *const l4r5_gpio_names[] = {"GPIOA", "GPIOB", "GPIOC", "GPIOD", "GPIOE",
                                              "GPIOF", "GPIOG", "GPIOH", "GPIOI"};

static void l4r5_attach(struct emu *e)
{
    emu_rcc_attach(e);
    emu_pwr_attach(e);
    emu_crs_attach(e);
    emu_flashctl_attach(e);
    emu_gpio_attach(e);
    emu_iwdg_attach(e);
    emu_scs_attach(e);
    emu_dwt_attach(e);
    emu_syscfg_attach(e);
}

const struct emu_chip emu_chip = {
    .name = "stm32l4r5",
    .board = "NUCLEO-L4R5ZI",
    .build_dir = "nucleo_l4r5zi",
    /* RM0432 2.2.2 memory map; 3.3.1: two banks of 1 MB (DBANK = 1). */
    .flash_base = 0x08000000u,
    .flash_size = 0x00200000u,
    .bank_size = 0x00100000u,
    /* SRAM1 192 KB, SRAM2 64 KB at 0x10000000 and after SRAM1, SRAM3 384 KB. */
    .ram = {{0x20000000u, 0x00030000u, 0u}, {0x10000000u, 0x00010000u, 0x20030000u}, {0x20040000u, 0x00060000u, 0u}},
    .nram = 3u,
    /* OTP (1 KB) and the device info words after it: RM0432 58.1 UID, 58.2 flash size, 58.3 package. */
    .sysinfo_base = 0x1FFF7000u,
    .sysinfo_size = 0x1000u,
    .uid_addr = 0x1FFF7590u,
    .flashsize_addr = 0x1FFF75E0u,
    .package_addr = 0x1FFF7500u,
    .package = 0x0003u, /* LQFP144 */
    .window = {{0x40000000u, 0x00030000u},   /* APB1, APB2, AHB1 */
               {0x48000000u, 0x00003000u},   /* AHB2: GPIOA..GPIOI */
               {0x50000000u, 0x00040000u},   /* AHB2: OTG FS */
               {0xE0000000u, 0x00100000u}},  /* Cortex-M4 private peripheral bus */
    .nwindow = 4u,
    .reset_hz = 4000000u, /* RM0432 6.2.3: MSI 4 MHz after reset */
    /* RM0432 3.3.3 Table 12, range 1: one wait state per 20 MHz. */
    .ws_max_hz = {20000000u, 40000000u, 60000000u, 80000000u, 100000000u, 120000000u},
    .ws_source = "RM0432 3.3.3",
    .fetch_stalls_while_busy = false, /* RM0432 3.3.8: read-while-write between the banks */
    /* RM0432 8.4: ports A..I on AHB2, BRR at 0x28; reset values 8.4.1, 8.4.3, 8.4.4. */
    .gpio_base = 0x48000000u,
    .gpio_ports = 9u,
    .gpio_names = l4r5_gpio_names,
    .gpio_has_brr = true,
    .gpio_moder_reset = 0xFFFFFFFFu,   /* every pin analog */
    .gpio_moder_reset_a = 0xABFFFFFFu, /* PA13/14/15: SWD/JTAG */
    .gpio_moder_reset_b = 0xFFFFFEBFu, /* PB3/4 */
    .gpio_ospeedr_reset_a = 0x0C000000u,
    .gpio_ospeedr_reset_b = 0u,
    .gpio_pupdr_reset_a = 0x64000000u,
    .gpio_pupdr_reset_b = 0x00000100u,
    /* UM2179: LD1 green PC7, LD2 blue PB7, LD3 red PB14, lit when driven high; B1 on PC13, high while pressed. */
    .led = {{"green", 2u, 7u, true}, {"blue", 1u, 7u, true}, {"red", 1u, 14u, true}},
    .nled = 3u,
    .button = {"B1", 2u, 13u, true},
    .otg_gsnpsid = 0x4F54310Au, /* the model's 3.10a core, as the port was written for */
    .otg_eps = 6u,              /* RM0432 OTG_FS: endpoints 0..5 */
    .attach = l4r5_attach,
};
