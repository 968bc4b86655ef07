/* The CPU's raw stores into the flash array (flash_cells.h). */
#include <string.h>

#include "flash_cells.h"

void flash_cells_remember(struct flash_cells *c, struct emu *e, const uint8_t *mem, uint32_t off, unsigned len)
{
    if (c->n >= FLASH_CELLS_MAX) {
        emu_error(e, "FLASH: too many stores into the flash array without a settle");
        return;
    }
    struct flash_cell *f = &c->fix[c->n++];
    f->off = off;
    f->len = len > FLASH_CELL_BYTES ? FLASH_CELL_BYTES : len;
    memcpy(f->bytes, mem + off, f->len);
    emu_flash_unsettled(e);
}

void flash_cells_settle(struct flash_cells *c, uint8_t *mem)
{
    for (unsigned i = 0; i < c->n; i++)
        memcpy(mem + c->fix[i].off, c->fix[i].bytes, c->fix[i].len);
    c->n = 0;
}

void flash_cells_read(const struct flash_cells *c, const uint8_t *mem, uint32_t off, uint8_t *out, unsigned len)
{
    memcpy(out, mem + off, len);
    for (unsigned i = 0; i < c->n; i++)
        for (unsigned b = 0; b < c->fix[i].len; b++)
            if (c->fix[i].off + b >= off && c->fix[i].off + b < off + len)
                out[c->fix[i].off + b - off] = c->fix[i].bytes[b];
}

void flash_cells_note(struct flash_cells *c, uint32_t off, const uint8_t *v, unsigned len)
{
    for (unsigned i = 0; i < c->n; i++)
        for (unsigned b = 0; b < c->fix[i].len; b++)
            if (c->fix[i].off + b >= off && c->fix[i].off + b < off + len)
                c->fix[i].bytes[b] = v[c->fix[i].off + b - off];
}
