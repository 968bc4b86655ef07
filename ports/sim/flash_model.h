/*
 * A model of the STM32L4R5's 2 MB dual-bank flash on a PC, implementing
 * flash.h with the chip's rules enforced: 4 KB pages, 64-bit double-words
 * (DW) with ECC programmed once after an erase, the bootloader region
 * [DB_FLASH_BASE, DB_RECORD_ADDR) refused. A broken rule returns the error,
 * prints one line on stderr and counts a violation (tests assert zero).
 *
 * Power cuts: flash_model_cut_after(n) cuts the power when the n-th erase or
 * program call from now starts. A clean cut leaves that operation undone; a
 * torn cut (flash_model_set_tear(true)) leaves it half done, as on silicon:
 * a torn page erase leaves each DW erased, old, or garbage (some of it with
 * broken ECC); a torn program completes a prefix of the DWs, then leaves one
 * DW garbage with broken ECC (flash_read says FLASH_ERR_ECC until the page is
 * erased). What is torn is pseudo-random from the seed, so a failing case is
 * reproducible. After the cut, erases and programs fail (FLASH_ERR_HW) until
 * flash_model_power_on(). Owner: flash.
 */
#ifndef DB_FLASH_MODEL_H
#define DB_FLASH_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* Open (create erased if missing) the DB_FLASH_SIZE image at path. 0 on
 * success, else -1 with errno. Every change is written to the file at once
 * (pwrite), so a killed process loses nothing. ECC damage is not kept in the
 * file: after a reopen a torn DW reads as the garbage it holds. */
int flash_model_open(const char *path);
/* Use an in-memory image (erased), for unit tests. Resets stats and power. */
void flash_model_open_ram(void);
void flash_model_close(void);

/* Cut the power when operation number n, counted from this call (1 = the
 * next erase or program call), starts; 0 = never. */
void flash_model_cut_after(uint32_t n);
/* true: the cut operation is torn (half done); false (default): clean cut. */
void flash_model_set_tear(bool torn);
/* Seed for what a torn operation leaves behind. */
void flash_model_set_seed(uint32_t seed);
/* False once the power was cut: further erases and programs are ignored. */
bool flash_model_powered(void);
/* Power back on (the "reboot" after a cut): the image keeps what the cut
 * left; no cut is armed any more. */
void flash_model_power_on(void);

/* Time model: what one page erase and one DW program take (defaults 22 ms
 * and 82 us, RM0432 typical values; see docs/hw/stm32l4r5.md). */
void flash_model_set_timing(uint32_t page_erase_us, uint32_t dw_program_us);

struct flash_model_stats {
    uint32_t erases;     /* page erases done (a torn one counts) */
    uint32_t programs;   /* double-words actually programmed */
    uint32_t ops;        /* erase + program calls, the unit of flash_model_cut_after */
    uint32_t violations; /* calls that broke a rule of the chip */
    uint64_t busy_us;    /* flash time by the time model */
};
void flash_model_stats(struct flash_model_stats *s);
/* Zero the counters (the image is untouched). */
void flash_model_reset_stats(void);

#endif
