/*
 * Port-side extras of the STM32L4R5 flash driver (flash.h is the door core/
 * uses; this is what the port's startup and main need besides it).
 */
#ifndef DB_FLASH_L4_H
#define DB_FLASH_L4_H

#include <stdbool.h>
#include <stdint.h>

#define FLASH_BANK_PAGES 256u   /* 4 KB pages per bank in dual-bank mode (1 MB per bank) */
#define FLASH_ROW_BYTES 512u    /* RM0432 3.3.7: fast programming writes a row of 64 double-words */
/* Upper bound on BSY polls: a page erase takes up to ~25 ms; at 80 MHz and
   >= 8 cycles per poll this allows well over a second before giving up. */
#define FLASH_BSY_SPINS 20000000u

/* NMI: an uncorrectable ECC error on a flash read sets FLASH_ECCR.ECCD and
   raises NMI. This clears it and records it for flash_read; false when the
   NMI had another cause (the caller must not just return then: it would
   come straight back). */
bool flash_nmi(void);

/* Pure helper, host-tested: FLASH_CR value (PER, BKER, PNB) that erases the
   4 KB page at the absolute address addr in dual-bank mode. */
uint32_t flash_erase_cr(uint32_t addr);

#endif
