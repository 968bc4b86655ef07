/*
 * CRS model (RM0432 7 "Clock recovery system"): the registers, and the one
 * rule a driver can break: CFGR is writable only while the frequency error
 * counter is off (CEN = 0, RM0432 7.7.2). No SYNC events are produced: the
 * HSI48 is taken as exactly 48 MHz, so there is nothing to trim.
 */
#include "machine.h"

#define CRS_BASE 0x40006000u
#define CRS_SIZE 0x400u
#define CRS_CR 0x00u
#define CRS_CFGR 0x04u
#define CRS_ISR 0x08u
#define CRS_ICR 0x0Cu
#define CRS_CR_RESET 0x00004000u   /* TRIM = 64: the middle of the trimming range */
#define CRS_CFGR_RESET 0x2022BB7Fu /* RELOAD 0xBB7F, FELIM 0x22, SYNCDIV 0, SYNCSRC USB SOF */
#define CRS_CR_CEN (1u << 5)

struct emu_crs {
    struct emu *e;
    uint32_t cr, cfgr, isr;
};

static uint32_t crs_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_crs *c = ctx;
    (void)width;
    switch (off) {
    case CRS_CR: return c->cr;
    case CRS_CFGR: return c->cfgr;
    case CRS_ISR: return c->isr;
    case CRS_ICR: return 0u;
    default:
        emu_error(c->e, "CRS: read of offset 0x%03x not modelled", (unsigned)off);
        return 0u;
    }
}

static void crs_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_crs *c = ctx;
    (void)width;
    switch (off) {
    case CRS_CR:
        c->cr = v;
        break;
    case CRS_CFGR:
        if (c->cr & CRS_CR_CEN)
            emu_error(c->e, "CRS_CFGR written while CEN = 1 (RM0432 7.7.2: write only with the counter off)");
        else
            c->cfgr = v;
        break;
    case CRS_ICR:
        c->isr &= ~v;
        break;
    default:
        emu_error(c->e, "CRS: write to offset 0x%03x not modelled", (unsigned)off);
        break;
    }
}

static void crs_reset(void *ctx, int kind)
{
    struct emu_crs *c = ctx;
    (void)kind;
    c->cr = CRS_CR_RESET;
    c->cfgr = CRS_CFGR_RESET;
    c->isr = 0u;
}

void emu_crs_attach(struct emu *e)
{
    struct emu_crs *c = emu_alloc(e, sizeof *c);
    c->e = e;
    crs_reset(c, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"CRS", CRS_BASE, CRS_SIZE, c, crs_read, crs_write, crs_reset};
    emu_add_periph(e, &d);
}
