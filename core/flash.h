/*
 * The flash door: the only way core/ touches flash.
 *
 * Implemented by each port (ports/stm32l4r5/flash.c on the chip,
 * ports/sim/flash_model.c on a PC); no weak defaults, a port that misses one
 * fails to link. Addresses are absolute (DB_FLASH_BASE based). The whole
 * bootloader's code [DB_FLASH_BASE, DB_RECORD_ADDR) is refused by both erase
 * and program, whatever the caller asks.
 */
#ifndef DB_FLASH_H
#define DB_FLASH_H

#include <stdint.h>

enum flash_status {
    FLASH_OK = 0,
    FLASH_ERR_PROTECTED, /* aimed at the bootloader region or outside flash */
    FLASH_ERR_ALIGN,     /* address or length not a whole page / double-word */
    FLASH_ERR_NOT_ERASED,/* program of a double-word that is not erased */
    FLASH_ERR_HW,        /* the controller reported an error flag */
    FLASH_ERR_ECC,       /* read hit an uncorrectable ECC error (torn program) */
};

/* Erase the erase unit (core/geometry.h: a page, or a sector of any size)
   that starts at addr; an address that is not a unit's start is refused
   (FLASH_ERR_ALIGN) rather than erasing more than asked. */
enum flash_status flash_erase_page(uint32_t addr);

/*
 * Program len bytes at addr: addr 8-byte aligned, len a multiple of 8.
 * Double-words that are all 0xFF are skipped (left erased), so they may be
 * programmed later; any other double-word must be erased beforehand.
 * Exception: a port may program whole rows at once in a bank it erased
 * with flash_erase_bank (the L4R5's fast rows: 512-byte aligned runs in
 * bank 2); there the 0xFF double-words of the row are programmed too.
 */
enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len);

/*
 * Dual-bank chips (DB_AB_SLOTS) only, and only the bank that holds slot B
 * (the other holds the bootloader: FLASH_ERR_PROTECTED): erase the whole
 * bank that starts at addr in one operation, a page's time instead of a
 * page's time per page; on the L4R5 it is also what allows fast
 * programming there (RM0432 3.3.7). Single-bank ports need not have it.
 */
enum flash_status flash_erase_bank(uint32_t addr);

/* Copy len bytes from addr; FLASH_ERR_ECC if any of them is unreadable. */
enum flash_status flash_read(uint32_t addr, uint8_t *dst, uint32_t len);

#endif
