/*
 * DWT model (ARMv7-M ARM C1.8 "Data Watchpoint and Trace unit"): the cycle
 * counter only. CYCCNT counts processor clock cycles while DEMCR.TRCENA
 * (the trace enable in the debug block, scs.c) and CTRL.CYCCNTENA are both
 * set; it wraps at 32 bits. Comparators, the other profiling counters and
 * the lock registers are not modelled.
 */
#include "machine.h"

#define DWT_BASE 0xE0001000u
#define DWT_SIZE 0x1000u
#define DWT_CTRL 0x00u
#define DWT_CYCCNT 0x04u
#define DWT_CTRL_RESET 0x40000000u /* NUMCOMP = 4 on the Cortex-M4 */
#define DWT_CTRL_CYCCNTENA 1u

struct emu_dwt {
    struct emu *e;
    uint32_t ctrl;
    bool trcena;
    uint32_t base_count;  /* CYCCNT at base_cycles */
    uint64_t base_cycles;
};

static bool counting(const struct emu_dwt *d)
{
    return d->trcena && (d->ctrl & DWT_CTRL_CYCCNTENA);
}

static uint32_t cyccnt(const struct emu_dwt *d)
{
    if (!counting(d))
        return d->base_count;
    return d->base_count + (uint32_t)(emu_cycles(d->e) - d->base_cycles);
}

/* Freeze the current count as the new base (before any change of state). */
static void rebase(struct emu_dwt *d)
{
    d->base_count = cyccnt(d);
    d->base_cycles = emu_cycles(d->e);
}

void emu_dwt_trcena(struct emu *e, bool on)
{
    struct emu_dwt *d = emu_periph_ctx(e, "DWT");
    rebase(d);
    d->trcena = on;
}

static uint32_t dwt_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_dwt *d = ctx;
    (void)width;
    if (off == DWT_CTRL)
        return d->ctrl;
    if (off == DWT_CYCCNT)
        return cyccnt(d);
    emu_error(d->e, "DWT: read of offset 0x%03x not modelled", (unsigned)off);
    return 0u;
}

static void dwt_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_dwt *d = ctx;
    (void)width;
    rebase(d);
    if (!d->trcena)
        emu_error(d->e, "DWT written while DEMCR.TRCENA = 0 (ARMv7-M ARM C1.6.5: the DWT is then disabled)");
    if (off == DWT_CTRL)
        d->ctrl = (d->ctrl & ~DWT_CTRL_CYCCNTENA) | (v & DWT_CTRL_CYCCNTENA);
    else if (off == DWT_CYCCNT)
        d->base_count = v;
    else
        emu_error(d->e, "DWT: write to offset 0x%03x not modelled", (unsigned)off);
}

static void dwt_reset(void *ctx, int kind)
{
    struct emu_dwt *d = ctx;
    (void)kind;
    d->ctrl = DWT_CTRL_RESET;
    d->trcena = false;
    d->base_count = 0u;
    d->base_cycles = emu_cycles(d->e);
}

void emu_dwt_attach(struct emu *e)
{
    struct emu_dwt *d = emu_alloc(e, sizeof *d);
    d->e = e;
    dwt_reset(d, EMU_RESET_POWER_ON);
    const struct emu_periph p = {"DWT", DWT_BASE, DWT_SIZE, d, dwt_read, dwt_write, dwt_reset};
    emu_add_periph(e, &p);
}
