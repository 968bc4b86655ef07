/*
 * A model of the STM32L4R5 FLASH controller for host tests of
 * ports/stm32l4r5/flash.c: the register block is a RAM struct, and every
 * access flash.c makes goes through flash_io_* (flash_io.h), which this model
 * implements the way RM0432 describes the hardware: KEYR unlocks only with
 * KEY1 then KEY2, CR is read-only while locked, STRT erases the page BKER/PNB
 * name, STRT with MER2 erases bank 2 and allows fast programming there
 * (FSTPG: a row of 64 double-words from a 512-byte boundary, in order, RM0432
 * 3.3.7; else PGSERR/PGAERR), two 32-bit writes program a double-word
 * (erase required), BSY stays
 * set for a few SR polls, error flags are write-1-to-clear, and a read over
 * a torn double-word sets ECCR.ECCD and raises "NMI" (calls flash_nmi).
 */
#ifndef DB_FLASH_REGMODEL_H
#define DB_FLASH_REGMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "regs_flash.h"

extern struct flash_regs flash_regmodel_regs;

#define REGMODEL_LOG_MAX 64u

struct regmodel_write {
    uint32_t addr; /* flash array address */
    uint32_t value;
};

struct flash_regmodel {
    uint8_t *mem;                 /* DB_FLASH_SIZE bytes, starts erased */
    uint32_t reg_accesses;        /* every register read or write */
    uint32_t keyr_log[4];
    uint32_t keyr_writes;
    uint32_t erase_cr[REGMODEL_LOG_MAX]; /* CR value at each STRT */
    uint32_t erases;
    struct regmodel_write mem_log[REGMODEL_LOG_MAX];
    uint32_t mem_writes;
    uint32_t busy_polls;          /* SR polls BSY stays set after an operation starts */
    bool busy_forever;            /* the controller never finishes */
    uint32_t inject_sr;           /* error flags the next operation ends with */
    uint32_t ops_with_dcache_on;  /* erase/program started with ACR.DCEN set */
    uint32_t cache_resets;        /* ICRST+DCRST written while both caches were off */
    uint32_t cache_reset_while_on;/* reset bit written with its cache on: ignored by hardware */
    uint8_t torn[1u << 15];       /* bit per double-word: programming was cut, ECC fails */
    bool bank2_erased;            /* MER2 since reset: fast programming allowed in bank 2 */
    uint32_t row_dws;             /* double-words of the open fast row */
    uint32_t fast_rows;           /* rows fast-programmed to the end */
};

extern struct flash_regmodel regmodel;

/* Power-on state: locked, erased array, OPTR.DBANK = 1, OPTVERR and PEMPTY set. */
void regmodel_reset(void);
void regmodel_tear(uint32_t addr); /* mark the double-word at addr as torn */

#endif
