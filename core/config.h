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
#define DB_BOOT_SIZE 0x8000u /* bootloader region: its code, then the record log (below) */
#endif

/* The app's vector table: right after the bootloader region (the F411's
   region is sectors 0-3, so its app starts at tinyuf2's 0x08010000). */
#ifndef DB_APP_BASE
#define DB_APP_BASE (DB_FLASH_BASE + DB_BOOT_SIZE)
#endif

/* Flash geometry: the erase units from DB_FLASH_BASE as runs of
   {count, bytes}, smallest unit at least DB_PAGE_SIZE (core/geometry.h).
   Default: uniform pages. */
#ifndef DB_FLASH_UNIT_RUNS
#define DB_FLASH_UNIT_RUNS {{DB_FLASH_SIZE / DB_PAGE_SIZE, DB_PAGE_SIZE}}
#endif

/*
 * A/B slots (1) or one slot (0). With A/B (the L4R5's two banks) each bank
 * holds a slot from the bank's offset DB_BOOT_SIZE to its end; apps are
 * linked for DB_APP_BASE and the bootloader makes the active slot appear
 * there (bank swap) before it starts it. An image larger than a slot is
 * written from DB_APP_BASE on through both banks (single slot, the old app
 * is not kept). Without A/B (a single-bank chip such as the F411) slot A is
 * the whole app area and an update overwrites the app in place.
 */
#ifndef DB_AB_SLOTS
#define DB_AB_SLOTS 1
#endif
/* The whole app area (single slot): from DB_APP_BASE to the end of flash. */
#define DB_APP_END (DB_FLASH_BASE + DB_FLASH_SIZE)
#define DB_APP_SIZE (DB_APP_END - DB_APP_BASE)
#define DB_APP_PAGES (DB_APP_SIZE / DB_PAGE_SIZE)
#if DB_AB_SLOTS
#ifndef DB_BANK_SIZE
#define DB_BANK_SIZE 0x00100000u /* RM0432 3.3.1: 1 MB per bank with DBANK = 1 */
#endif
#define DB_SLOT_SIZE (DB_BANK_SIZE - DB_BOOT_SIZE)          /* 992 KB */
#define DB_SLOT_A_BASE DB_APP_BASE                           /* bank 1 */
#define DB_SLOT_B_BASE (DB_FLASH_BASE + DB_BANK_SIZE + DB_BOOT_SIZE) /* bank 2, seen at DB_APP_BASE when swapped */
#else
#define DB_SLOT_SIZE DB_APP_SIZE  /* one slot: the whole app area */
#define DB_SLOT_A_BASE DB_APP_BASE
#define DB_SLOT_B_BASE DB_APP_BASE /* never written: there is no slot B */
#endif

/* Bank 2 (slot B, or a whole image's tail) erased whole at an update's
 * first byte for it, then programmed by fast rows where the port can
 * (L4R5: RM0432 3.3.7 allows fast programming only after a bank erase):
 * one bank erase (22 ms) instead of up to 248 page erases (5.5 s), and
 * 3.8 ms a 512-byte row instead of 5.2 ms. Costs ~220 bytes of flash on the
 * L4R5 (writer and driver). 0: bank 2 is page-erased and double-word
 * programmed like bank 1. */
#ifndef DB_BANK2_FAST
#define DB_BANK2_FAST DB_AB_SLOTS
#endif
#if DB_BANK2_FAST && !DB_AB_SLOTS
#error "DB_BANK2_FAST needs two banks (DB_AB_SLOTS)"
#endif

/* The boot record log: the last erase units of the bootloader's region
 * (records are appended; a unit is erased only when the log moves to the
 * other one, so a power cut during the move leaves the old unit in
 * charge). Each is an erase unit of its own, DB_RECORD_UNIT_SIZE bytes:
 * a page on the L4R5, a 16 KB sector on the F411 (tests/unit/test_geometry
 * checks it against the chip's geometry). */
#ifndef DB_RECORD_PAGES
#define DB_RECORD_PAGES 2u
#endif
#ifndef DB_RECORD_UNIT_SIZE
#define DB_RECORD_UNIT_SIZE DB_PAGE_SIZE
#endif
#define DB_RECORD_ADDR (DB_FLASH_BASE + DB_BOOT_SIZE - DB_RECORD_PAGES * DB_RECORD_UNIT_SIZE)
/* The bootloader's code and data: everything before the record log. */
#define DB_CODE_SIZE (DB_RECORD_ADDR - DB_FLASH_BASE)

/* A new image boots as a trial: started this many times without the app
 * confirming it (dropboot_app.h), the bootloader goes back to the previous
 * one. 0: no trial, an image is confirmed when it is committed (for apps
 * that can't call dropboot_confirm()). Without A/B there is no previous
 * image to go back to, so no trial. */
#ifndef DB_TRIAL_BOOTS
#if DB_AB_SLOTS
#define DB_TRIAL_BOOTS 3u
#else
#define DB_TRIAL_BOOTS 0u
#endif
#endif

/* 1: CRC-32 the whole image again at every boot (30 cycles a byte in
 * dropboot-emu: 784 ms for 2016 KB on the L4R5 at 80 MHz; +84 bytes of
 * flash). 0: the image was CRC-checked as flash
 * reads it when it was committed; at boot only its record and vector table
 * are checked (docs/boot-integrity.md says what each catches). */
#ifndef DB_BOOT_FULL_CRC
#define DB_BOOT_FULL_CRC 0
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

/* The two RAM buffers that decide which host write orders work, sized for
 * the L4R5's 24 KB RAM budget (ports/stm32l4r5/bootloader.ld). docs/size.md
 * has, for each, what it buys and the host behaviour that fails below it,
 * measured with scripts/size_sweep.sh; the simulator and the tests use these
 * sizes unless a host build sets another (cmake -DDB_PENDING_SECTORS=...).
 * Pending: sectors of a firmware file held until they can be used (written
 * before the file's first sector, HEX text ahead of the decoder, a stream's
 * data until its vector table is known); 556 bytes each with the writer's two
 * partial double-words. Every write order of the OS models works with 2
 * already; 8 (4 KB, one cluster) also takes a whole 2 KB UF2, or a HEX with
 * up to 4 KB of text before its vector table, in any order. A plain
 * decimal: STATUS.TXT quotes it. */
#ifndef DB_PENDING_SECTORS
#define DB_PENDING_SECTORS 8
#endif
/* Overlay: written metadata (FAT, directories, boot sector) kept so the host
 * reads back what it wrote; 524 bytes each. 10: the FAT sectors of the
 * largest file the drive takes (a HEX of the whole app area with 16-byte
 * records, 6.8 MB: 7 sectors), the root, and two more for the host's own
 * metadata (at 6 the 6.8 MB HEX's chain reads back as free clusters). */
#ifndef DB_OVERLAY_SECTORS
#define DB_OVERLAY_SECTORS 10
#endif
/* A number as text, for sentences that quote a size above. */
#define DB_TEXT_(x) #x
#define DB_TEXT(x) DB_TEXT_(x)

#ifndef DB_VERSION
#define DB_VERSION "0.1.0" /* bootloader version in INFO_UF2.TXT and the USB descriptors */
#endif
/* The same version as the USB bcdDevice spells it (0xJJMN, USB 2.0 9.6.1):
   a constant, not parsed from the text at run time (128 bytes of code);
   tests/unit/test_usbd.c checks that the two agree. */
#ifndef DB_VERSION_BCD
#define DB_VERSION_BCD 0x0010u
#endif

#if (DB_BOOT_SIZE % DB_PAGE_SIZE) != 0
#error "the bootloader region must be a whole number of flash pages"
#endif
#if (DB_PAGE_SIZE % DB_SECTOR_SIZE) != 0
#error "a flash page must hold whole sectors"
#endif
#if DB_AB_SLOTS && ((DB_BANK_SIZE % DB_PAGE_SIZE) != 0 || DB_BANK_SIZE * 2u != DB_FLASH_SIZE)
#error "A/B needs two banks of whole pages"
#endif
#if DB_RECORD_PAGES < 2u
#error "the record log needs two erase units: one is erased only while the other holds the state"
#endif
#if (DB_RECORD_UNIT_SIZE % DB_PAGE_SIZE) != 0
#error "a record log unit must be whole pages"
#endif
#if DB_APP_BASE < DB_FLASH_BASE + DB_BOOT_SIZE
#error "the app cannot start inside the bootloader region (its record log)"
#endif
#if (DB_APP_BASE % 512u) != 0
#error "Cortex-M4 VTOR needs the app vector table aligned to 512 bytes (111 vectors)"
#endif

#endif
