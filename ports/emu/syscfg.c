/*
 * SYSCFG model (RM0432 9 "System configuration controller"): registers
 * kept as written; MEMRMP.FB_MODE (9.2.1) swaps the flash banks in the
 * memory map (machine.c remaps them), and a reset clears it.
 */
#include <string.h>

#include "machine.h"

#define SYSCFG_BASE 0x40010000u
#define SYSCFG_SIZE 0x400u
#define SYSCFG_WORDS (0x2Cu / 4u)
#define SYSCFG_MEMRMP 0x00u
#define SYSCFG_CFGR1 0x04u
#define SYSCFG_CFGR1_RESET 0x7C000001u /* FPU interrupts enabled, firewall disabled */
#define SYSCFG_MEMRMP_FB_MODE (1u << 8)

struct emu_syscfg {
    struct emu *e;
    uint32_t r[SYSCFG_WORDS];
};

static uint32_t syscfg_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_syscfg *s = ctx;
    (void)width;
    return emu_regs_read(s->e, "SYSCFG", s->r, SYSCFG_WORDS, off);
}

static void syscfg_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_syscfg *s = ctx;
    if (!emu_regs_write_ok(s->e, "SYSCFG", SYSCFG_WORDS, off, width))
        return;
    if (off == SYSCFG_MEMRMP)
        emu_flash_swap(s->e, (v & SYSCFG_MEMRMP_FB_MODE) != 0u);
    s->r[off / 4u] = v;
}

static void syscfg_reset(void *ctx, int kind)
{
    struct emu_syscfg *s = ctx;
    (void)kind;
    memset(s->r, 0, sizeof s->r);
    s->r[SYSCFG_CFGR1 / 4u] = SYSCFG_CFGR1_RESET;
}

void emu_syscfg_attach(struct emu *e)
{
    struct emu_syscfg *s = emu_alloc(e, sizeof *s);
    s->e = e;
    syscfg_reset(s, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"SYSCFG", SYSCFG_BASE, SYSCFG_SIZE, s, syscfg_read, syscfg_write, syscfg_reset};
    emu_add_periph(e, &d);
}
