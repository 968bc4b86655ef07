/*
 * Port-side extras of the STM32F411 flash driver (flash.h is the door
 * core/ uses): the bootloader's write protection and the NMI hook the
 * shared startup code calls. The sector map is core/geometry's, from
 * config_chip.h.
 */
#ifndef DB_FLASH_F4_H
#define DB_FLASH_F4_H

#include <stdbool.h>
#include <stdint.h>

#define FLASH_F4_SECTORS 8u
/* Sectors 0..1 (32 KB) hold the bootloader's code; 2..3 are its record
   log, which it writes, so they stay unprotected (core/config.h
   DB_CODE_SIZE, checked in flash.c). */
#define FLASH_F4_BOOT_SECTORS 2u
#define FLASH_F4_SMALL_SECTOR 0x4000u /* RM0383: sectors 0-3 are 16 KB */
/* Upper bound on BSY polls: the CPU runs from this flash, so it is stalled
   for the whole erase and a poll only runs once it is over. The bound only
   catches a controller that stays busy: at 96 MHz and >= 4 cycles per poll
   it is over 4 s, twice the datasheet maximum for a 128 KB sector at x32. */
#define FLASH_BSY_SPINS 100000000u

/* nWRP cleared for sectors 0..1 unless already so (an option-byte program
   of ~tens of ms, once per chip). True when the bootloader sectors are
   write-protected on return. Undo: docs/board-blackpill.md. */
bool flash_f4_protect_boot(void);

/* NMI: the F411's flash has no ECC and raises no NMI; false, so the
   startup code treats any NMI as a fault. */
bool flash_nmi(void);

#endif
