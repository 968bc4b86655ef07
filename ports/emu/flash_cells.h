/*
 * The CPU's raw stores into the flash array, as both FLASH models handle
 * them. Unicorn writes a store into the mapped array before the model sees
 * it; the model remembers what the cells held (a store changes nothing on
 * the chip, only the controller programs), works with the cells as they
 * are, and puts them back when the block ends (emu_flash_settle).
 */
#ifndef EMU_FLASH_CELLS_H
#define EMU_FLASH_CELLS_H

#include <stdint.h>

#include "machine.h"

#define FLASH_CELLS_MAX 8u    /* stores into the array one translated block may make */
#define FLASH_CELL_BYTES 4u   /* the widest CPU store */

struct flash_cell {
    uint32_t off;
    uint8_t bytes[FLASH_CELL_BYTES];
    unsigned len;
};

struct flash_cells {
    struct flash_cell fix[FLASH_CELLS_MAX];
    unsigned n;
};

/* A store of len bytes at off is about to land in mem: remember the cells. */
void flash_cells_remember(struct flash_cells *c, struct emu *e, const uint8_t *mem, uint32_t off, unsigned len);
/* Put the remembered cells back into mem and forget them. */
void flash_cells_settle(struct flash_cells *c, uint8_t *mem);
/* The cells' value now at off: mem with the raw stores undone. */
void flash_cells_read(const struct flash_cells *c, const uint8_t *mem, uint32_t off, uint8_t *out, unsigned len);
/* The controller changed the cells at off to v: what settle puts back follows. */
void flash_cells_note(struct flash_cells *c, uint32_t off, const uint8_t *v, unsigned len);

#endif
