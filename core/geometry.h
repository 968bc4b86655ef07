/*
 * Flash geometry: where each erase unit starts and how big it is, from the
 * chip's DB_FLASH_UNIT_RUNS (core/config.h): runs of equal units from
 * DB_FLASH_BASE. The L4R5's 512 pages of 4 KB are one run; the F411's
 * sectors are three (4 x 16 KB, 1 x 64 KB, 3 x 128 KB). Pure: a table walk.
 */
#ifndef DB_GEOMETRY_H
#define DB_GEOMETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct geometry_unit {
    uint32_t start;  /* absolute address */
    uint32_t size;   /* bytes */
    uint32_t index;  /* 0 for the unit at DB_FLASH_BASE */
};

/* Upper bound on the number of units (each is at least a page). */
#define GEOMETRY_UNITS_MAX (DB_FLASH_SIZE / DB_PAGE_SIZE)

/* The unit holding addr; false outside [DB_FLASH_BASE, + DB_FLASH_SIZE). */
bool geometry_unit_of(uint32_t addr, struct geometry_unit *out);

#endif
