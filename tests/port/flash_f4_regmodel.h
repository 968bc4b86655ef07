/*
 * A model of the STM32F411 FLASH controller for host tests of
 * ports/stm32f411/flash.c. The register block is a RAM struct and every
 * access flash.c makes goes through flash_io_* (flash_io.h), which this
 * model implements the way RM0383 §3 describes the hardware: KEYR unlocks
 * only with KEY1 then KEY2 (a wrong key locks until reset), CR is ignored
 * while locked, SER + SNB + STRT erases one whole sector (16/64/128 KB),
 * PG writes must match PSIZE (else PGPERR) and can only clear bits, a
 * sector whose nWRP bit is 0 refuses both (WRPERR), PG and SER together
 * is a sequence error (PGSERR), error flags are write-1-to-clear, and
 * OPTKEYR / OPTSTRT program the option bytes. Time is kept with the
 * datasheet's typical x32 figures so tests can say what an erase costs.
 */
#ifndef DB_FLASH_F4_REGMODEL_H
#define DB_FLASH_F4_REGMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "regs_flash.h"

extern struct flash_regs flash_f4_regmodel_regs;

#define F4MODEL_SECTORS 8u

struct flash_f4_regmodel {
    uint8_t *mem;                       /* DB_FLASH_SIZE bytes, starts erased */
    uint32_t erases[F4MODEL_SECTORS];   /* per sector */
    uint32_t word_writes;
    uint32_t bits_set_attempts;         /* a program tried to turn a 0 bit into 1 */
    uint32_t option_programs;           /* OPTSTRT runs */
    uint32_t option_wrp;                /* nWRP bits 11:0 as programmed (1 = writable) */
    bool key_locked;                    /* a wrong key: locked until reset */
    uint64_t busy_us;                   /* time the controller spent busy (typical figures) */
};

extern struct flash_f4_regmodel f4model;

/* Power-on state: locked, erased array, every sector writable. */
void f4model_reset(void);
/* Time the model charges (datasheet, x32, typical). */
uint32_t f4model_erase_us(uint32_t sector);
#define F4MODEL_WORD_US 16u

#endif
