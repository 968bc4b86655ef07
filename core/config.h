/*
 * dropboot build configuration: flash map and buffer sizes.
 *
 * Every value has an #ifndef default for the first target (STM32L4R5, 2 MB
 * dual-bank flash, 4 KB pages) so a port or a test can override it with -D.
 * core/ sizes its static buffers from these; nothing is allocated at run time.
 */
#ifndef DB_CONFIG_H
#define DB_CONFIG_H

/* A chip other than the default names its overrides in one header of its
   port, e.g. -DDB_CHIP_CONFIG='"config_chip.h"' (ports/stm32f411). */
#ifdef DB_CHIP_CONFIG
#include DB_CHIP_CONFIG
#endif

#ifndef DB_FLASH_BASE
#define DB_FLASH_BASE 0x08000000u /* RM0432: main flash in the memory map */
#endif
#ifndef DB_FLASH_SIZE
#define DB_FLASH_SIZE 0x00200000u /* 2 MB part (STM32L4R5ZI) */
#endif
#ifndef DB_PAGE_SIZE
#define DB_PAGE_SIZE 4096u /* dual-bank mode (OPTR.DBANK = 1): 4 KB pages */
#endif
#ifndef DB_PROG_UNIT
#define DB_PROG_UNIT 8u /* one 64-bit double-word with its ECC, programmed once */
#endif
#ifndef DB_BOOT_SIZE
#define DB_BOOT_SIZE 0x8000u /* bootloader region: at most 32 KB, never erased */
#endif

/* The app's vector table: by default right after the bootloader. A chip
   may put the boot record between the two (the F411: tinyuf2's map). */
#ifndef DB_APP_BASE
#define DB_APP_BASE (DB_FLASH_BASE + DB_BOOT_SIZE)
#endif
/* The boot record lives alone in its erase unit: erasing it never touches
   the app. By default the last page. */
#ifndef DB_RECORD_ADDR
#define DB_RECORD_ADDR (DB_FLASH_BASE + DB_FLASH_SIZE - DB_PAGE_SIZE)
#endif
/* The app area: from its base to the record, or to the end of flash when
   the record sits below the app. */
#define DB_APP_END (DB_RECORD_ADDR > DB_APP_BASE ? DB_RECORD_ADDR : DB_FLASH_BASE + DB_FLASH_SIZE)
#define DB_APP_SIZE (DB_APP_END - DB_APP_BASE)
#define DB_APP_PAGES (DB_APP_SIZE / DB_PAGE_SIZE)

/* Flash geometry: the erase units from DB_FLASH_BASE as runs of
   {count, bytes}, smallest unit at least DB_PAGE_SIZE (core/geometry.h).
   Default: uniform pages. */
#ifndef DB_FLASH_UNIT_RUNS
#define DB_FLASH_UNIT_RUNS {{DB_FLASH_SIZE / DB_PAGE_SIZE, DB_PAGE_SIZE}}
#endif

#ifndef DB_RAM_BASE
#define DB_RAM_BASE 0x20000000u /* SRAM1 */
#endif
#ifndef DB_RAM_END
#define DB_RAM_END 0x200A0000u /* SRAM1 + SRAM2 alias + SRAM3: 640 KB contiguous */
#endif

#ifndef DB_UF2_FAMILY
#define DB_UF2_FAMILY 0x00ff6919u /* UF2 spec family list: STM32L4 */
#endif
/* The same facts as text for STATUS.TXT's sentences (core/status.h), so a
   new chip edits its config, never the sentences; tests check each string
   against its number. */
#ifndef DB_UF2_FAMILY_NAME
#define DB_UF2_FAMILY_NAME "STM32L4"
#endif
#ifndef DB_UF2_FAMILY_TEXT
#define DB_UF2_FAMILY_TEXT "0x00ff6919"
#endif
#ifndef DB_APP_BASE_TEXT
#define DB_APP_BASE_TEXT "0x08008000"
#endif

#define DB_SECTOR_SIZE 512u /* USB mass storage logical block */

#ifndef DB_VERSION
#define DB_VERSION "0.1.0" /* bootloader version in INFO_UF2.TXT and the USB descriptors */
#endif

#if (DB_BOOT_SIZE % DB_PAGE_SIZE) != 0
#error "the bootloader region must be a whole number of flash pages"
#endif
#if (DB_PAGE_SIZE % DB_SECTOR_SIZE) != 0
#error "a flash page must hold whole sectors"
#endif
#if DB_RECORD_ADDR >= DB_APP_BASE && DB_RECORD_ADDR < DB_APP_BASE + 512u
#error "the boot record cannot be where the app's vector table goes"
#endif
#if DB_RECORD_ADDR < DB_FLASH_BASE + DB_BOOT_SIZE
#error "the boot record cannot be inside the bootloader region"
#endif
#if (DB_APP_BASE % 512u) != 0
#error "Cortex-M4 VTOR needs the app vector table aligned to 512 bytes (111 vectors)"
#endif

#endif
