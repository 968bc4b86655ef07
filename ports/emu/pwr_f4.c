/*
 * PWR model of the STM32F411 (RM0383 5.4 "PWR registers"): CR holds what
 * the firmware writes; its voltage scale (VOS) bounds the system clock the
 * RCC model lets through (RM0383 5.1.3: scale 3 up to 64 MHz, scale 2 up
 * to 84 MHz, scale 1 up to 100 MHz). CSR reads VOSRDY set: the regulator
 * is taken as settled at once.
 */
#include "machine.h"

#define PWR_BASE 0x40007000u
#define PWR_SIZE 0x400u
#define PWR_CR 0x00u
#define PWR_CSR 0x04u
#define PWR_WORDS 2u
#define PWR_CR_RESET 0x00008000u   /* RM0383 5.4.1: VOS = 10, scale 2 */
#define PWR_CSR_VOSRDY (1u << 14)
#define PWR_CR_VOS_Pos 14u

struct emu_pwr {
    struct emu *e;
    uint32_t r[PWR_WORDS];
};

static uint32_t pwr_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_pwr *p = ctx;
    (void)width;
    return emu_regs_read(p->e, "PWR", p->r, PWR_WORDS, off);
}

static void pwr_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_pwr *p = ctx;
    if (!emu_regs_write_ok(p->e, "PWR", PWR_WORDS, off, width))
        return;
    if (off == PWR_CR)
        p->r[0] = v;
    /* CSR: the wake-up flags are not modelled; VOSRDY is read-only. */
}

static void pwr_reset(void *ctx, int kind)
{
    struct emu_pwr *p = ctx;
    (void)kind;
    p->r[0] = PWR_CR_RESET;
    p->r[PWR_CSR / 4u] = PWR_CSR_VOSRDY;
}

uint32_t emu_pwr_max_hz(const struct emu *e)
{
    static const uint32_t scale_hz[4] = {64000000u, 64000000u, 84000000u, 100000000u}; /* VOS 00 reserved: as 3 */
    const struct emu_pwr *p = emu_periph_ctx(e, "PWR");
    return p != NULL ? scale_hz[(p->r[0] >> PWR_CR_VOS_Pos) & 3u] : scale_hz[2];
}

/* No VDDUSB supply on the F411 (USB runs from VDD). */
bool emu_pwr_usb_valid(const struct emu *e)
{
    (void)e;
    return true;
}

void emu_pwr_attach(struct emu *e)
{
    struct emu_pwr *p = emu_alloc(e, sizeof *p);
    p->e = e;
    pwr_reset(p, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"PWR", PWR_BASE, PWR_SIZE, p, pwr_read, pwr_write, pwr_reset};
    emu_add_periph(e, &d);
}
