/*
 * System Control Space model (ARMv7-M ARM B3.2 "System Control Space"):
 * SysTick (B3.3), the NVIC registers (B3.4), the SCB (B3.2.3..B3.2.22) and
 * the debug block's DEMCR (C1.6.5). The exceptions themselves are taken by
 * the machine (machine.c); this model pends them and holds VTOR and the
 * priorities.
 *
 * SysTick counts the processor clock (CLKSOURCE = 1) or HCLK/8 (CLKSOURCE
 * = 0, the STM32's SysTick reference, RM0432 6.2 clock tree). Its value is derived from
 * the machine's cycle count, so a read costs nothing and is exact.
 * No peripheral raises an interrupt in the emulator (the firmware polls
 * USB): enabling an IRQ and pending it by hand is reported.
 */
#include <string.h>

#include "machine.h"

#define SCS_BASE 0xE000E000u
#define SCS_SIZE 0x1000u

#define SCS_ICTR 0x004u
#define SCS_ACTLR 0x008u
#define SYST_CSR 0x010u
#define SYST_RVR 0x014u
#define SYST_CVR 0x018u
#define SYST_CALIB 0x01Cu
#define NVIC_ISER 0x100u
#define NVIC_ICER 0x180u
#define NVIC_ISPR 0x200u
#define NVIC_ICPR 0x280u
#define NVIC_IABR 0x300u
#define NVIC_IPR 0x400u
#define NVIC_IPR_END 0x460u /* 95 IRQs, one priority byte each */
#define SCB_CPUID 0xD00u
#define SCB_ICSR 0xD04u
#define SCB_VTOR 0xD08u
#define SCB_AIRCR 0xD0Cu
#define SCB_SCR 0xD10u
#define SCB_CCR 0xD14u
#define SCB_SHPR1 0xD18u
#define SCB_SHPR3 0xD20u
#define SCB_SHCSR 0xD24u
#define SCB_CFSR 0xD28u
#define SCB_HFSR 0xD2Cu
#define SCB_CPACR 0xD88u
#define DBG_DHCSR 0xDF0u
#define DBG_DEMCR 0xDFCu
#define FPU_FPCCR 0xF34u
#define FPU_FPCCR_RESET 0xC0000000u /* ASPEN, LSPEN */

#define NVIC_WORDS 3u                 /* IRQ 0..94 */
#define CPUID_CORTEX_M4 0x410FC241u   /* r0p1, the core in the STM32L4R5 */
#define CCR_RESET 0x00000200u         /* STKALIGN */
#define AIRCR_VECTKEY 0x05FAu
#define AIRCR_VECTKEYSTAT 0xFA050000u
#define AIRCR_VECTRESET (1u << 0)
#define AIRCR_VECTCLRACTIVE (1u << 1)
#define AIRCR_SYSRESETREQ (1u << 2)
#define ICSR_PENDSTCLR (1u << 25)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_NMIPENDSET (1u << 31)
#define VTOR_MASK 0xFFFFFF80u
#define PRIO_BITS_MASK 0xF0u          /* STM32L4: 4 priority bits implemented */
#define DEMCR_TRCENA (1u << 24)
#define SYST_ENABLE 1u
#define SYST_TICKINT 2u
#define SYST_CLKSOURCE 4u
#define SYST_COUNTFLAG (1u << 16)
#define SYST_EXT_DIV 8u               /* CLKSOURCE = 0: HCLK/8 on the STM32L4 */
#define SYST_CALIB_VALUE 0x40002710u  /* NOREF = 0, 10 ms at 1 MHz reference: not used by dropboot */
#define EXC_PENDSV 14
#define PS_PER_S 1000000000000ull
#define NEVER UINT64_MAX

struct emu_scs {
    struct emu *e;
    /* SysTick: value v0 at tick base_ticks; hits_seen zero-crossings counted */
    uint32_t syst_csr, syst_rvr, v0;
    uint64_t base_cycles, hits_seen;
    uint32_t iser[NVIC_WORDS], ispr[NVIC_WORDS];
    uint8_t ipr[NVIC_IPR_END - NVIC_IPR];
    uint32_t vtor, scr, ccr, shpr[3], shcsr, cpacr, demcr, dhcsr, fpccr, actlr;
};

static uint32_t syst_div(const struct emu_scs *s)
{
    return (s->syst_csr & SYST_CLKSOURCE) ? 1u : SYST_EXT_DIV;
}

static uint64_t ticks(const struct emu_scs *s)
{
    return (emu_cycles(s->e) - s->base_cycles) / syst_div(s);
}

/* Start value as the formula below needs it: VAL 0 behaves as LOAD + 1. */
static uint64_t start_value(const struct emu_scs *s)
{
    return s->v0 ? s->v0 : (uint64_t)s->syst_rvr + 1u;
}

/* Transitions to 0 after k ticks (ARMv7-M B3.3.1: count down, reload from
   RVR on the tick after 0; a 1 -> 0 step sets COUNTFLAG and pends). */
static uint64_t hits(const struct emu_scs *s, uint64_t k)
{
    uint64_t v = start_value(s), period = (uint64_t)s->syst_rvr + 1u;
    if (s->syst_rvr == 0u || k < v)
        return 0u;
    return 1u + (k - v) / period;
}

static uint32_t syst_value(const struct emu_scs *s)
{
    if (!(s->syst_csr & SYST_ENABLE))
        return s->v0;
    uint64_t k = ticks(s), v = start_value(s);
    if (k == 0u)
        return s->v0;
    if (s->syst_rvr == 0u)
        return 0u;
    if (k < v)
        return (uint32_t)(v - k);
    return (uint32_t)(s->syst_rvr - (k - v) % ((uint64_t)s->syst_rvr + 1u));
}

/* Freeze the counter at its current value (before LOAD/CTRL/VAL change). */
static void syst_rebase(struct emu_scs *s)
{
    s->v0 = syst_value(s);
    s->base_cycles = emu_cycles(s->e);
    s->hits_seen = 0u;
}

static uint64_t scs_poll(void *ctx, uint64_t now)
{
    struct emu_scs *s = ctx;
    if (!(s->syst_csr & SYST_ENABLE) || s->syst_rvr == 0u)
        return NEVER;
    uint64_t k = ticks(s), h = hits(s, k);
    if (h > s->hits_seen) {
        s->hits_seen = h;
        s->syst_csr |= SYST_COUNTFLAG;
        if (s->syst_csr & SYST_TICKINT)
            emu_pend_exception(s->e, EMU_EXC_SYSTICK);
    }
    uint64_t next_k = start_value(s) + h * ((uint64_t)s->syst_rvr + 1u);
    uint64_t cycles_left = (next_k - k) * syst_div(s);
    uint64_t ps_per_cycle = PS_PER_S / emu_hclk(s->e);
    return now + (cycles_left * ps_per_cycle + 999u) / 1000u;
}

uint32_t emu_scs_vtor(struct emu *e)
{
    struct emu_scs *s = emu_periph_ctx(e, "SCS");
    return s->vtor;
}

int emu_scs_priority(struct emu *e, int exc)
{
    struct emu_scs *s = emu_periph_ctx(e, "SCS");
    if (exc < 4 || exc > 15)
        return 0;
    /* SHPR1..3 hold the priorities of exceptions 4..15, one byte each. */
    uint32_t idx = (uint32_t)exc - 4u;
    return (int)((s->shpr[idx / 4u] >> (8u * (idx % 4u))) & PRIO_BITS_MASK);
}

static uint32_t icsr(struct emu_scs *s)
{
    uint32_t v = 0u;
    if (emu_exception_pending(s->e, EMU_EXC_SYSTICK))
        v |= ICSR_PENDSTSET;
    if (emu_exception_pending(s->e, EXC_PENDSV))
        v |= ICSR_PENDSVSET;
    if (emu_exception_pending(s->e, EMU_EXC_NMI))
        v |= ICSR_NMIPENDSET;
    return v;
}

static uint32_t scs_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_scs *s = ctx;
    if (width != 4u && !(off >= NVIC_IPR && off < NVIC_IPR_END)) {
        emu_error(s->e, "SCS: %u-byte read at +0x%03x (word access only)", width, (unsigned)off);
        return 0u;
    }
    if (off >= NVIC_IPR && off < NVIC_IPR_END) {
        uint32_t v = 0u;
        for (unsigned i = 0; i < width; i++)
            v |= (uint32_t)s->ipr[off - NVIC_IPR + i] << (8u * i);
        return v;
    }
    for (uint32_t base = NVIC_ISER; base <= NVIC_IABR; base += 0x80u) {
        if (off >= base && off < base + 4u * NVIC_WORDS) {
            uint32_t w = (off - base) / 4u;
            if (base == NVIC_ISER || base == NVIC_ICER)
                return s->iser[w];
            if (base == NVIC_ISPR || base == NVIC_ICPR)
                return s->ispr[w];
            return 0u; /* IABR: no IRQ is ever active */
        }
    }
    switch (off) {
    case SCS_ICTR: return 2u; /* 96 interrupt lines */
    case SCS_ACTLR: return s->actlr;
    case SYST_CSR: {
        scs_poll(s, emu_now_ns(s->e));
        uint32_t v = s->syst_csr;
        s->syst_csr &= ~SYST_COUNTFLAG; /* cleared by reading */
        return v;
    }
    case SYST_RVR: return s->syst_rvr;
    case SYST_CVR: return syst_value(s);
    case SYST_CALIB: return SYST_CALIB_VALUE;
    case SCB_CPUID: return CPUID_CORTEX_M4;
    case SCB_ICSR: return icsr(s);
    case SCB_VTOR: return s->vtor;
    case SCB_AIRCR: return AIRCR_VECTKEYSTAT;
    case SCB_SCR: return s->scr;
    case SCB_CCR: return s->ccr;
    case SCB_SHPR1: case SCB_SHPR1 + 4u: case SCB_SHPR3: return s->shpr[(off - SCB_SHPR1) / 4u];
    case SCB_SHCSR: return s->shcsr;
    case SCB_CFSR: case SCB_HFSR: return 0u; /* faults stop the emulator before they are recorded */
    case SCB_CPACR: return s->cpacr;
    case DBG_DHCSR: return s->dhcsr;
    case DBG_DEMCR: return s->demcr;
    case FPU_FPCCR: return s->fpccr;
    default:
        emu_error(s->e, "SCS: read of 0x%08x not modelled", (unsigned)(SCS_BASE + off));
        return 0u;
    }
}

static void write_aircr(struct emu_scs *s, uint32_t v)
{
    if ((v >> 16) != AIRCR_VECTKEY)
        return; /* ARMv7-M B3.2.6: writes without the key are ignored */
    if (v & (AIRCR_VECTRESET | AIRCR_VECTCLRACTIVE))
        emu_error(s->e, "AIRCR VECTRESET/VECTCLRACTIVE: debug-only, UNPREDICTABLE from software");
    if (v & AIRCR_SYSRESETREQ)
        emu_request_reset(s->e, EMU_RESET_SOFTWARE);
}

static void write_icsr(struct emu_scs *s, uint32_t v)
{
    if (v & ICSR_NMIPENDSET)
        emu_pend_exception(s->e, EMU_EXC_NMI);
    if (v & ICSR_PENDSVSET)
        emu_pend_exception(s->e, EXC_PENDSV);
    if (v & ICSR_PENDSVCLR)
        emu_clear_pending(s->e, EXC_PENDSV);
    if (v & ICSR_PENDSTSET)
        emu_pend_exception(s->e, EMU_EXC_SYSTICK);
    if (v & ICSR_PENDSTCLR)
        emu_clear_pending(s->e, EMU_EXC_SYSTICK);
}

static void scs_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_scs *s = ctx;
    if (off >= NVIC_IPR && off < NVIC_IPR_END) {
        for (unsigned i = 0; i < width && off - NVIC_IPR + i < sizeof s->ipr; i++)
            s->ipr[off - NVIC_IPR + i] = (uint8_t)(v >> (8u * i)) & PRIO_BITS_MASK;
        return;
    }
    if (width != 4u) {
        emu_error(s->e, "SCS: %u-byte write at +0x%03x (word access only)", width, (unsigned)off);
        return;
    }
    for (uint32_t base = NVIC_ISER; base < NVIC_IABR; base += 0x80u) {
        if (off >= base && off < base + 4u * NVIC_WORDS) {
            uint32_t w = (off - base) / 4u;
            if (base == NVIC_ISER)
                s->iser[w] |= v;
            else if (base == NVIC_ICER)
                s->iser[w] &= ~v;
            else if (base == NVIC_ISPR)
                s->ispr[w] |= v;
            else
                s->ispr[w] &= ~v;
            if (s->iser[w] & s->ispr[w])
                emu_error(s->e, "NVIC: IRQ enabled and pending (word %u 0x%08x): peripheral interrupts are "
                          "not modelled", (unsigned)w, (unsigned)(s->iser[w] & s->ispr[w]));
            return;
        }
    }
    switch (off) {
    case SCS_ACTLR: s->actlr = v; break;
    case SYST_CSR:
        syst_rebase(s);
        s->syst_csr = (s->syst_csr & SYST_COUNTFLAG) | (v & (SYST_ENABLE | SYST_TICKINT | SYST_CLKSOURCE));
        break;
    case SYST_RVR:
        syst_rebase(s);
        s->syst_rvr = v & 0x00FFFFFFu;
        break;
    case SYST_CVR:
        /* Any write clears the counter and COUNTFLAG (B3.3.4). */
        syst_rebase(s);
        s->v0 = 0u;
        s->syst_csr &= ~SYST_COUNTFLAG;
        break;
    case SCB_ICSR: write_icsr(s, v); break;
    case SCB_VTOR: s->vtor = v & VTOR_MASK; break;
    case SCB_AIRCR: write_aircr(s, v); break;
    case SCB_SCR: s->scr = v; break;
    case SCB_CCR: s->ccr = v; break;
    case SCB_SHPR1: case SCB_SHPR1 + 4u: case SCB_SHPR3:
        s->shpr[(off - SCB_SHPR1) / 4u] = v & 0xF0F0F0F0u;
        break;
    case SCB_SHCSR: s->shcsr = v; break;
    case SCB_CFSR: case SCB_HFSR: break; /* write-1-to-clear: nothing recorded */
    case SCB_CPACR: s->cpacr = v; break;
    case DBG_DEMCR:
        if ((v ^ s->demcr) & DEMCR_TRCENA)
            emu_dwt_trcena(s->e, (v & DEMCR_TRCENA) != 0u);
        s->demcr = v;
        break;
    case FPU_FPCCR: s->fpccr = v; break;
    default:
        emu_error(s->e, "SCS: write of 0x%08x to 0x%08x not modelled", (unsigned)v, (unsigned)(SCS_BASE + off));
        break;
    }
}

static void scs_reset(void *ctx, int kind)
{
    struct emu_scs *s = ctx;
    struct emu *e = s->e;
    (void)kind; /* the debug block's DEMCR is reset with the rest: no debugger is attached */
    memset(s, 0, sizeof *s);
    s->e = e;
    s->ccr = CCR_RESET;
    s->fpccr = FPU_FPCCR_RESET;
    s->base_cycles = emu_cycles(e);
}

void emu_scs_attach(struct emu *e)
{
    struct emu_scs *s = emu_alloc(e, sizeof *s);
    s->e = e;
    scs_reset(s, EMU_RESET_POWER_ON);
    const struct emu_periph p = {"SCS", SCS_BASE, SCS_SIZE, s, scs_read, scs_write, scs_reset};
    emu_add_periph(e, &p);
    emu_add_timer(e, s, scs_poll);
}
