/*
 * dropboot build configuration: flash map and buffer sizes.
 *
 * Every value has an #ifndef default for the first target (STM32L4R5, 2 MB
 * dual-bank flash, 4 KB pages) so a port or a test can override it with -D.
 * core/ sizes its static buffers from these; nothing is allocated at run time.
 */
#ifndef DB_CONFIG_H
#define DB_CONFIG_H

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

/* The app's vector table starts right after the bootloader. */
#define DB_APP_BASE (DB_FLASH_BASE + DB_BOOT_SIZE)

/*
 * Dual-bank A/B. Each bank holds a slot from the bank's offset DB_BOOT_SIZE
 * to its end; apps are linked for DB_APP_BASE and the bootloader makes the
 * active slot appear there (bank swap) before it starts it. An image larger
 * than a slot is written from DB_APP_BASE on through both banks (single
 * slot, the old app is not kept).
 */
#ifndef DB_BANK_SIZE
#define DB_BANK_SIZE 0x00100000u /* RM0432 3.3.1: 1 MB per bank with DBANK = 1 */
#endif
#define DB_SLOT_SIZE (DB_BANK_SIZE - DB_BOOT_SIZE)          /* 992 KB */
#define DB_SLOT_A_BASE DB_APP_BASE                           /* bank 1 */
#define DB_SLOT_B_BASE (DB_FLASH_BASE + DB_BANK_SIZE + DB_BOOT_SIZE) /* bank 2, seen at DB_APP_BASE when swapped */
/* The whole app area (single slot): from DB_APP_BASE to the end of flash. */
#define DB_APP_SIZE (DB_FLASH_SIZE - DB_BOOT_SIZE)
#define DB_APP_END (DB_APP_BASE + DB_APP_SIZE)
#define DB_APP_PAGES (DB_APP_SIZE / DB_PAGE_SIZE)

/* The boot record log: the last pages of the bootloader's region (records
 * are appended; a page is erased only when the log moves to the other one). */
#ifndef DB_RECORD_PAGES
#define DB_RECORD_PAGES 2u
#endif
#define DB_RECORD_ADDR (DB_APP_BASE - DB_RECORD_PAGES * DB_PAGE_SIZE)
/* The bootloader's code and data: everything before the record log. */
#define DB_CODE_SIZE (DB_RECORD_ADDR - DB_FLASH_BASE)

/* A new image boots as a trial: started this many times without the app
 * confirming it (dropboot_app.h), the bootloader goes back to the previous
 * one. 0: no trial, an image is confirmed when it is committed (for apps
 * that can't call dropboot_confirm()). */
#ifndef DB_TRIAL_BOOTS
#define DB_TRIAL_BOOTS 3u
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
#if (DB_BANK_SIZE % DB_PAGE_SIZE) != 0 || DB_BANK_SIZE * 2u != DB_FLASH_SIZE
#error "A/B needs two banks of whole pages"
#endif
#if DB_RECORD_PAGES < 2u
#error "the record log needs two pages: one is erased only while the other holds the state"
#endif
#if (DB_APP_BASE % 512u) != 0
#error "Cortex-M4 VTOR needs the app vector table aligned to 512 bytes (111 vectors)"
#endif

#endif
