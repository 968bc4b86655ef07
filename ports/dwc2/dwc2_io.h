/*
 * How dcd_dwc2.c reaches the OTG core: every register, FIFO and status-queue
 * access goes through dwc2_io_read / dwc2_io_write. On the chip they are
 * plain volatile accesses. A host test builds dcd_dwc2.c with
 * DB_DWC2_IO_MODEL and OTG_BASE pointing at RAM, and supplies them from a
 * model of the core (tests/port/dwc2_regmodel.c) that keeps the hardware's
 * semantics: write-1-to-clear flags, the RX status queue behind GRXSTSP, the
 * FIFO ports, DAINT derived from the endpoint flags.
 */
#ifndef DB_DWC2_IO_H
#define DB_DWC2_IO_H

#include <stdint.h>

#ifdef DB_DWC2_IO_MODEL
uint32_t dwc2_io_read(volatile uint32_t *reg);
void dwc2_io_write(volatile uint32_t *reg, uint32_t value);
#else
static inline uint32_t dwc2_io_read(volatile uint32_t *reg) { return *reg; }
static inline void dwc2_io_write(volatile uint32_t *reg, uint32_t value) { *reg = value; }
#endif

static inline void dwc2_io_set(volatile uint32_t *reg, uint32_t mask)
{
    dwc2_io_write(reg, dwc2_io_read(reg) | mask);
}

static inline void dwc2_io_clear(volatile uint32_t *reg, uint32_t mask)
{
    dwc2_io_write(reg, dwc2_io_read(reg) & ~mask);
}

#endif
