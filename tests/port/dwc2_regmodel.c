/* dcd_dwc2.c's register I/O on the shared DWC2 model (see dwc2_regmodel.h). */
#include "dwc2_regmodel.h"

#include <stdio.h>

#include "dwc2_io.h"

_Alignas(4) uint8_t dwc2_model_space[MODEL_SPACE_BYTES];
struct dwc2_model dwc2_regmodel;

#define DOEPINT(n) (0xB08u + 0x20u * (n))
#define IO_WIDTH 4u

static uint32_t offset_of(volatile uint32_t *reg)
{
    return (uint32_t)((uintptr_t)reg - (uintptr_t)dwc2_model_space);
}

uint32_t dwc2_io_read(volatile uint32_t *reg)
{
    uint32_t off = offset_of(reg);
    if (off >= MODEL_SPACE_BYTES) {
        dwc2_regmodel.errors++;
        return 0;
    }
    return dwc2_model_read(&dwc2_regmodel, off, IO_WIDTH);
}

void dwc2_io_write(volatile uint32_t *reg, uint32_t v)
{
    uint32_t off = offset_of(reg);
    if (off >= MODEL_SPACE_BYTES) {
        dwc2_regmodel.errors++;
        return;
    }
    dwc2_model_write(&dwc2_regmodel, off, v, IO_WIDTH);
}

void model_reset(void) { dwc2_model_reset(&dwc2_regmodel); }
void model_bus_reset(void) { dwc2_model_bus_reset(&dwc2_regmodel); }
void model_enum_done(void) { dwc2_model_enum_done(&dwc2_regmodel); }
void model_suspend(void) { dwc2_model_suspend(&dwc2_regmodel); }
void model_resume(void) { dwc2_model_resume(&dwc2_regmodel); }

void model_setup(const uint8_t setup[8], bool quirk_310a)
{
    dwc2_regmodel.core_310a = quirk_310a;
    dwc2_model_setup(&dwc2_regmodel, setup);
}

bool model_out(uint8_t ep, const uint8_t *data, uint32_t len)
{
    return dwc2_model_out(&dwc2_regmodel, ep, dwc2_regmodel.toggle[ep][0], data, len) == DWC2_ACK;
}

int32_t model_in(uint8_t ep, uint8_t *out)
{
    uint8_t pid;
    return dwc2_model_in(&dwc2_regmodel, ep, out, &pid);
}

uint32_t model_reg(uint32_t offset) { return dwc2_model_peek(&dwc2_regmodel, offset); }

void model_raise_doepint(uint8_t ep, uint32_t flags)
{
    dwc2_regmodel.csr[DOEPINT(ep) / 4u] |= flags;
}

uint32_t model_tx_words(uint8_t fifo) { return dwc2_regmodel.tx_count[fifo]; }
uint32_t model_tx_flushes(uint8_t fifo) { return dwc2_regmodel.tx_flushes[fifo]; }
bool model_wrote_sd0pid(uint8_t ep, bool in) { return dwc2_regmodel.sd0pid[ep][in ? 1 : 0]; }
uint32_t model_next_pid(uint8_t ep, bool in) { return dwc2_regmodel.toggle[ep][in ? 1 : 0]; }

uint32_t model_errors(void)
{
    /* Say what the driver did wrong, so a failing test shows it. */
    for (uint32_t i = 0; i < dwc2_regmodel.errors && i < DWC2_MODEL_ERRLOG; i++)
        fprintf(stderr, "dwc2 model: %s (offset 0x%03x)\n", dwc2_regmodel.errlog[i].what,
                (unsigned)dwc2_regmodel.errlog[i].off);
    return dwc2_regmodel.errors;
}

void model_poke(uint32_t offset, uint32_t value)
{
    dwc2_regmodel.csr[offset / sizeof dwc2_regmodel.csr[0]] = value;
}
