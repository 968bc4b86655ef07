/*
 * core/config.h's values for the STM32F411 (WeAct Black Pill), with the app
 * where tinyuf2 puts it: bootloader code in sectors 0-1 (32 KB), the boot
 * record log in sectors 2-3 (two 16 KB erase units, so a power cut while
 * the log moves leaves the old unit in charge), the app from 0x08010000 to
 * the end of the 512 KB flash. Single bank: one slot, no A/B.
 * Included by core/config.h when built with -DDB_CHIP_CONFIG='"config_chip.h"'.
 */
#ifndef DB_CONFIG_CHIP_H
#define DB_CONFIG_CHIP_H

#define DB_FLASH_SIZE 0x00080000u  /* RM0383: 512 KB, single bank */
#define DB_BOOT_SIZE 0x10000u      /* sectors 0-3: code in 0-1, record log in 2-3 */
#define DB_APP_BASE 0x08010000u    /* sector 4: tinyuf2's app base */
#define DB_AB_SLOTS 0              /* one bank: the whole app area is the one slot */
#define DB_RECORD_PAGES 2u         /* sectors 2 and 3 */
#define DB_RECORD_UNIT_SIZE 0x4000u /* a 16 KB sector each */
/* The writer's RAM page: the smallest sector (a page never spans two). */
#define DB_PAGE_SIZE 0x4000u
/* RM0383 "Flash module organization": 4 x 16 KB, 1 x 64 KB, 3 x 128 KB. */
#define DB_FLASH_UNIT_RUNS {{4u, 0x4000u}, {1u, 0x10000u}, {3u, 0x20000u}}
#define DB_RAM_END 0x20020000u     /* 128 KB SRAM */
#define DB_UF2_FAMILY 0x57755a57u  /* UF2 spec family list: STM32F4 */
#define DB_UF2_FAMILY_NAME "STM32F4"
#define DB_UF2_FAMILY_TEXT "0x57755a57"
#define DB_APP_BASE_TEXT "0x08010000"
/* The board dropboot-sim presents when built for this chip (INFO_UF2.TXT). */
#define DB_SIM_BOARD_MODEL "WeAct Black Pill STM32F411CE (simulated)"
#define DB_SIM_BOARD_ID "STM32F411-BlackPill-dropboot"

/* Flash timings for the simulator's time model (datasheet "Flash memory
   programming", x32; docs/hw/stm32f411.md): 250 ms per 16 KB of erase
   makes a 128 KB sector 2 s, the datasheet's maximum for it; a double-word
   is two word programs of 16 us. */
#define DB_FLASH_PAGE_ERASE_US 250000u
#define DB_FLASH_DW_PROGRAM_US 32u

#endif
