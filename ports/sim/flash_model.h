/*
 * A file-backed model of the STM32L4R5's 2 MB dual-bank flash, implementing
 * flash.h with the chip's rules enforced (see flash_model.c). Owner: flash.
 */
#ifndef DB_FLASH_MODEL_H
#define DB_FLASH_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* Open (create erased if missing) the DB_FLASH_SIZE image at path. 0 on success, else -1 with errno. */
int flash_model_open(const char *path);
/* Use an in-memory image (erased), for unit tests. */
void flash_model_open_ram(void);
void flash_model_close(void);

/* Cut the power when operation number n (1-based, erase or program) starts; 0 = never. */
void flash_model_cut_after(uint32_t n);
/* False once the power was cut: further erases and programs are ignored. */
bool flash_model_powered(void);
/* Power back on (the "reboot" after a cut): the image keeps what the cut left. */
void flash_model_power_on(void);

struct flash_model_stats {
    uint32_t erases;
    uint32_t programs; /* double-words actually programmed */
    uint32_t ops;      /* erase + program calls, the unit of flash_model_cut_after */
};
void flash_model_stats(struct flash_model_stats *s);

#endif
