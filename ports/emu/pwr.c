/*
 * PWR model (RM0432 5.4 "PWR registers"): the control registers hold what
 * the firmware writes; status registers read as a settled supply (no
 * voltage scaling in progress, regulator in main mode). VDDUSB valid
 * (CR2.USV) is what the OTG model may ask for.
 */
#include <string.h>

#include "machine.h"

#define PWR_BASE 0x40007000u
#define PWR_SIZE 0x400u
#define PWR_WORDS (0x84u / 4u)
#define PWR_CR1 0x00u
#define PWR_CR2 0x04u
#define PWR_CR3 0x08u
#define PWR_SR1 0x10u
#define PWR_SR2 0x14u
#define PWR_SCR 0x18u
#define PWR_CR5 0x80u
#define PWR_CR1_RESET 0x00000200u /* VOS = 01: range 1 */
#define PWR_CR3_RESET 0x00008000u /* EIWUL */
#define PWR_CR5_RESET 0x00000100u /* R1MODE: range 1 normal mode (no boost) */
#define PWR_CR2_USV (1u << 10)

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
    if (off == PWR_SR1 || off == PWR_SR2)
        return; /* read-only */
    if (off == PWR_SCR) {
        p->r[PWR_SR1 / 4u] &= ~v; /* write 1 to clear wake-up flags */
        return;
    }
    if (off == PWR_CR1 && ((v >> 9) & 3u) != 1u)
        emu_error(p->e, "PWR_CR1.VOS = %u: only range 1 is modelled", (unsigned)((v >> 9) & 3u));
    p->r[off / 4u] = v;
}

static void pwr_reset(void *ctx, int kind)
{
    struct emu_pwr *p = ctx;
    (void)kind;
    memset(p->r, 0, sizeof p->r);
    p->r[PWR_CR1 / 4u] = PWR_CR1_RESET;
    p->r[PWR_CR3 / 4u] = PWR_CR3_RESET;
    p->r[PWR_CR5 / 4u] = PWR_CR5_RESET;
}

bool emu_pwr_usb_valid(const struct emu *e)
{
    const struct emu_pwr *p = emu_periph_ctx(e, "PWR");
    return p != NULL && (p->r[PWR_CR2 / 4u] & PWR_CR2_USV) != 0u;
}

void emu_pwr_attach(struct emu *e)
{
    struct emu_pwr *p = emu_alloc(e, sizeof *p);
    p->e = e;
    pwr_reset(p, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"PWR", PWR_BASE, PWR_SIZE, p, pwr_read, pwr_write, pwr_reset};
    emu_add_periph(e, &d);
}
