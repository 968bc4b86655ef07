/*
 * RCC model of the STM32F411 (RM0383 6 "Reset and clock control"): HSI,
 * HSE (the Black Pill's 25 MHz crystal), the main PLL (M/N/P/Q) and LSI
 * whose ready flags follow their enables after a start-up time; the system
 * clock switch (SWS follows SW once the source is ready, RM0383 6.2.6); the
 * AHB prescaler that sets the CPU clock; peripheral clock enables and
 * resets; the reset flags in RCC_CSR. The same job as rcc.c for the L4R5,
 * another register map and clock tree, so another file.
 *
 * Checks of the chip's limits (STM32F411xC/E datasheet, "PLL
 * characteristics" and "general operating conditions"; RM0383 6.3.2): VCO
 * input 1-2 MHz (0.95-2.1 accepted), VCO output 100-432 MHz, SYSCLK at most
 * 100 MHz and no more than the PWR voltage scale allows, APB1 at most 50
 * MHz, and 48 MHz from the Q output when the OTG FS clock is enabled (USB
 * full speed needs it within 0.25 %).
 */
#include <string.h>

#include "machine.h"
#include "rcc_common.h"

#define RCC_BASE 0x40023800u
#define RCC_SIZE 0x400u
#define RCC_WORDS (0x90u / 4u)

/* Register offsets (RM0383 6.3). */
#define RCC_CR 0x00u
#define RCC_PLLCFGR 0x04u
#define RCC_CFGR 0x08u
#define RCC_AHB1RSTR 0x10u
#define RCC_APB2RSTR 0x24u
#define RCC_AHB1ENR 0x30u
#define RCC_AHB2ENR 0x34u
#define RCC_APB1ENR 0x40u
#define RCC_APB2ENR 0x44u
#define RCC_CSR 0x74u
#define RCC_ENR_TO_RSTR 0x20u /* xxxRSTR sits 0x20 below its xxxENR, same bit positions */

/* Reset values (RM0383 6.3.1, 6.3.2, 6.3.20). */
#define RCC_CR_RESET 0x00000083u      /* HSION, HSIRDY, HSITRIM 16 */
#define RCC_PLLCFGR_RESET 0x24003010u
#define RCC_CSR_POR 0x0E000000u       /* BORRSTF, PINRSTF, PORRSTF */

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CR_PLLI2SRDY (1u << 27)
#define CFGR_SW_Msk 3u
#define CFGR_SWS_Pos 2u
#define CFGR_HPRE_Pos 4u
#define CFGR_PPRE1_Pos 10u
#define CSR_LSION (1u << 0)
#define CSR_LSIRDY (1u << 1)
#define CSR_RMVF (1u << 24)
#define CSR_FLAGS 0xFE000000u
#define CSR_PINRSTF (1u << 26)
#define CSR_SFTRSTF (1u << 28)
#define CSR_IWDGRSTF (1u << 29)
#define PLLCFGR_M_Msk 0x3Fu
#define PLLCFGR_N_Pos 6u
#define PLLCFGR_N_Msk 0x1FFu
#define PLLCFGR_P_Pos 16u
#define PLLCFGR_SRC_HSE (1u << 22)
#define PLLCFGR_Q_Pos 24u
#define AHB2ENR_OTGFSEN (1u << 7)

#define SW_HSI 0u
#define SW_HSE 1u
#define SW_PLL 2u
#define HSI_HZ 16000000u
#define HSE_HZ 25000000u  /* the Black Pill's crystal */

/* Start-up times, ns (datasheet typical values, order of magnitude: they
   only decide how long the firmware polls a ready flag). */
#define HSI_STARTUP_NS 2200u
#define HSE_STARTUP_NS 2000000u  /* crystal: about 2 ms */
#define PLL_LOCK_NS 100000u
#define LSI_STARTUP_NS 15000u
#define NEVER UINT64_MAX

/* Limits (see the file comment). */
#define PLL_IN_MIN 950000u
#define PLL_IN_MAX 2100000u
#define PLL_VCO_MIN 100000000u
#define PLL_VCO_MAX 432000000u
#define SYSCLK_MAX 100000000u
#define APB1_MAX 50000000u
#define USB_HZ 48000000u
#define USB_TOLERANCE_PPM 2500u

struct emu_rcc {
    struct emu *e;
    uint32_t r[RCC_WORDS];
    struct rcc_osc osc[4];
};

/* Peripheral clock gates (RM0383 6.3.9..6.3.14). */
static const struct rcc_gate rcc_gates[] = {
    {"GPIOA", RCC_AHB1ENR, 0}, {"GPIOB", RCC_AHB1ENR, 1}, {"GPIOC", RCC_AHB1ENR, 2},
    {"GPIOD", RCC_AHB1ENR, 3}, {"GPIOE", RCC_AHB1ENR, 4}, {"GPIOH", RCC_AHB1ENR, 7},
    {"OTG_FS", RCC_AHB2ENR, 7}, {"PWR", RCC_APB1ENR, 28}, {"SYSCFG", RCC_APB2ENR, 14},
};
#define RCC_GATES (sizeof rcc_gates / sizeof rcc_gates[0])

static struct emu_rcc *rcc_of(const struct emu *e)
{
    return emu_rcc_ctx(e);
}

static bool ready(const struct emu_rcc *c, uint32_t reg, uint32_t rdy)
{
    return (c->r[reg / 4u] & rdy) != 0u;
}

/* The PLL's VCO in Hz (0: no input); report: check the datasheet's ranges. */
static uint64_t pll_vco(struct emu_rcc *c, bool report)
{
    uint32_t cfg = c->r[RCC_PLLCFGR / 4u];
    uint32_t in = (cfg & PLLCFGR_SRC_HSE) ? HSE_HZ : HSI_HZ;
    uint32_t m = cfg & PLLCFGR_M_Msk;
    uint32_t n = (cfg >> PLLCFGR_N_Pos) & PLLCFGR_N_Msk;
    if (m < 2u || n < 2u) {
        if (report)
            emu_error(c->e, "RCC_PLLCFGR PLLM %u / PLLN %u: invalid (RM0383 6.3.2: M 2..63, N 50..432)",
                      (unsigned)m, (unsigned)n);
        return 0u;
    }
    uint64_t vco_in = in / m, vco = vco_in * n;
    if (report && (vco_in < PLL_IN_MIN || vco_in > PLL_IN_MAX || vco < PLL_VCO_MIN || vco > PLL_VCO_MAX))
        emu_error(c->e, "PLL on with input %u Hz / M %u = %llu Hz, VCO %llu Hz: outside RM0383 6.3.2's "
                  "ranges (%u..%u, %u..%u)", (unsigned)in, (unsigned)m, (unsigned long long)vco_in,
                  (unsigned long long)vco, PLL_IN_MIN, PLL_IN_MAX, PLL_VCO_MIN, PLL_VCO_MAX);
    return vco;
}

static uint32_t pll_p_hz(struct emu_rcc *c)
{
    uint32_t p = 2u * (((c->r[RCC_PLLCFGR / 4u] >> PLLCFGR_P_Pos) & 3u) + 1u);
    return (uint32_t)(pll_vco(c, false) / p);
}

static uint32_t pll_q_hz(struct emu_rcc *c)
{
    uint32_t q = (c->r[RCC_PLLCFGR / 4u] >> PLLCFGR_Q_Pos) & 0xFu;
    return q < 2u ? 0u : (uint32_t)(pll_vco(c, false) / q); /* RM0383 6.3.2: Q 0 and 1 are wrong configurations */
}

static uint32_t source_hz(struct emu_rcc *c, uint32_t sw)
{
    switch (sw) {
    case SW_HSI: return HSI_HZ;
    case SW_HSE: return HSE_HZ;
    case SW_PLL: return pll_p_hz(c);
    default: return 0u;
    }
}

static bool source_ready(const struct emu_rcc *c, uint32_t sw)
{
    switch (sw) {
    case SW_HSI: return ready(c, RCC_CR, CR_HSIRDY);
    case SW_HSE: return ready(c, RCC_CR, CR_HSERDY);
    case SW_PLL: return ready(c, RCC_CR, CR_PLLRDY);
    default: return false; /* 11: not allowed (RM0383 6.3.3) */
    }
}

static void update_hclk(struct emu_rcc *c)
{
    uint32_t cfgr = c->r[RCC_CFGR / 4u];
    uint32_t sws = (cfgr >> CFGR_SWS_Pos) & 3u;
    uint32_t sysclk = source_hz(c, sws), hz = sysclk;
    uint32_t hpre = (cfgr >> CFGR_HPRE_Pos) & 0xFu;
    static const uint32_t div[8] = {2u, 4u, 8u, 16u, 64u, 128u, 256u, 512u};
    if (hpre & 8u)
        hz /= div[hpre & 7u];
    if (hz == 0u) {
        emu_error(c->e, "system clock source %u gives no clock", (unsigned)sws);
        return;
    }
    uint32_t ppre1 = (cfgr >> CFGR_PPRE1_Pos) & 7u;
    uint32_t apb1 = (ppre1 & 4u) ? hz >> ((ppre1 & 3u) + 1u) : hz;
    if (sysclk > SYSCLK_MAX || sysclk > emu_pwr_max_hz(c->e))
        emu_error(c->e, "SYSCLK %u Hz: more than the chip (%u Hz) or the PWR voltage scale (%u Hz) allows "
                  "(RM0383 5.1.3, 6.3.3)", (unsigned)sysclk, SYSCLK_MAX, (unsigned)emu_pwr_max_hz(c->e));
    if (apb1 > APB1_MAX)
        emu_error(c->e, "APB1 at %u Hz: more than its %u Hz (RM0383 6.2)", (unsigned)apb1, APB1_MAX);
    if (hz != emu_hclk(c->e)) {
        emu_set_hclk(c->e, hz);
        static const char *const names[4] = {"HSI", "HSE", "PLL", "?"};
        emu_log(c->e, "system clock %s: HCLK %u Hz, APB1 %u Hz", names[sws], (unsigned)hz, (unsigned)apb1);
    }
}

static void try_switch(struct emu_rcc *c)
{
    uint32_t *cfgr = &c->r[RCC_CFGR / 4u];
    uint32_t sw = *cfgr & CFGR_SW_Msk;
    if (((*cfgr >> CFGR_SWS_Pos) & 3u) == sw || !source_ready(c, sw))
        return;
    *cfgr = (*cfgr & ~(3u << CFGR_SWS_Pos)) | (sw << CFGR_SWS_Pos);
    update_hclk(c);
}

static uint64_t rcc_poll(void *ctx, uint64_t now)
{
    struct emu_rcc *c = ctx;
    uint64_t next = rcc_osc_poll(c->osc, sizeof c->osc / sizeof c->osc[0], c->r, now);
    try_switch(c);
    return next;
}

static void osc_enable(struct emu_rcc *c, struct rcc_osc *o, bool on)
{
    rcc_osc_enable(o, c->r, on, emu_now_ns(c->e));
}

static void write_cr(struct emu_rcc *c, uint32_t v)
{
    uint32_t old = c->r[RCC_CR / 4u];
    uint32_t sws = (c->r[RCC_CFGR / 4u] >> CFGR_SWS_Pos) & 3u;
    /* RM0383 6.3.1: the oscillator that clocks the system (or feeds the
       PLL that does) cannot be switched off. */
    if (sws == SW_HSI)
        v |= CR_HSION;
    if (sws == SW_HSE)
        v |= CR_HSEON;
    if (sws == SW_PLL)
        v |= CR_PLLON | ((c->r[RCC_PLLCFGR / 4u] & PLLCFGR_SRC_HSE) ? CR_HSEON : CR_HSION);
    const uint32_t status = CR_HSIRDY | CR_HSERDY | CR_PLLRDY | CR_PLLI2SRDY;
    c->r[RCC_CR / 4u] = (v & ~status) | (old & status);
    for (unsigned i = 0; i < sizeof c->osc / sizeof c->osc[0]; i++) {
        struct rcc_osc *o = &c->osc[i];
        if (o->reg != RCC_CR || ((old ^ v) & o->on) == 0u)
            continue;
        if (o->on == CR_PLLON && (v & CR_PLLON)) {
            (void)pll_vco(c, true);
            uint32_t src_rdy = (c->r[RCC_PLLCFGR / 4u] & PLLCFGR_SRC_HSE) ? CR_HSERDY : CR_HSIRDY;
            if (!ready(c, RCC_CR, src_rdy))
                emu_error(c->e, "PLL switched on before its input oscillator is ready");
        }
        osc_enable(c, o, (v & o->on) != 0u);
    }
}

static void check_usb_clock(struct emu_rcc *c)
{
    uint32_t q = ready(c, RCC_CR, CR_PLLRDY) ? pll_q_hz(c) : 0u;
    uint64_t diff = q > USB_HZ ? q - USB_HZ : USB_HZ - q;
    if (diff * 1000000u > (uint64_t)USB_HZ * USB_TOLERANCE_PPM)
        emu_error(c->e, "OTG FS clock on with the PLL's Q output at %u Hz: USB needs 48 MHz (RM0383 6.2.3)",
                  (unsigned)q);
}

static void enable_changed(struct emu_rcc *c, uint32_t enr, uint32_t old, uint32_t v)
{
    if (enr == RCC_AHB2ENR && (v & ~old & AHB2ENR_OTGFSEN)) {
        check_usb_clock(c);
        emu_note_drive(c->e);
    }
}

static void reset_bits(struct emu_rcc *c, uint32_t rstr, uint32_t set)
{
    for (unsigned i = 0; i < RCC_GATES; i++) {
        if (rcc_gates[i].enr - RCC_ENR_TO_RSTR == rstr && (set & (1u << rcc_gates[i].bit)))
            emu_rcc_reset_periph(c->e, rcc_gates[i].name);
    }
}

static uint32_t rcc_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_rcc *c = ctx;
    (void)width;
    if (off / 4u >= RCC_WORDS) {
        emu_error(c->e, "RCC: read of offset 0x%03x not modelled", (unsigned)off);
        return 0u;
    }
    rcc_poll(c, emu_now_ns(c->e));
    return c->r[off / 4u] >> (8u * (off % 4u));
}

static void rcc_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_rcc *c = ctx;
    if (width != 4u || off % 4u != 0u || off / 4u >= RCC_WORDS) {
        emu_error(c->e, "RCC: %u-byte write at +0x%02x not modelled", width, (unsigned)off);
        return;
    }
    uint32_t *r = &c->r[off / 4u];
    uint32_t old = *r;
    switch (off) {
    case RCC_CR:
        write_cr(c, v);
        break;
    case RCC_CFGR:
        *r = (v & ~(3u << CFGR_SWS_Pos)) | (old & (3u << CFGR_SWS_Pos));
        try_switch(c);
        update_hclk(c);
        break;
    case RCC_PLLCFGR:
        if (c->r[RCC_CR / 4u] & CR_PLLON) {
            emu_error(c->e, "RCC_PLLCFGR written while PLLON = 1 (RM0383 6.3.2: only while the PLL is off)");
            return;
        }
        *r = v;
        break;
    case RCC_CSR:
        if (v & CSR_RMVF)
            v &= ~CSR_FLAGS;
        else
            v = (v & ~CSR_FLAGS) | (old & CSR_FLAGS);
        *r = (v & ~(CSR_LSIRDY | CSR_RMVF)) | (old & CSR_LSIRDY);
        if ((old ^ v) & CSR_LSION)
            osc_enable(c, &c->osc[3], (v & CSR_LSION) != 0u);
        break;
    default:
        *r = v;
        if (off >= RCC_AHB1ENR && off <= RCC_APB2ENR)
            enable_changed(c, off, old, v);
        if (off >= RCC_AHB1RSTR && off <= RCC_APB2RSTR)
            reset_bits(c, off, v & ~old);
        break;
    }
}

static void rcc_reset(void *ctx, int kind)
{
    struct emu_rcc *c = ctx;
    if (kind == EMU_RESET_PERIPH)
        return;
    uint32_t csr = c->r[RCC_CSR / 4u];
    memset(c->r, 0, sizeof c->r);
    c->r[RCC_CR / 4u] = RCC_CR_RESET;
    c->r[RCC_PLLCFGR / 4u] = RCC_PLLCFGR_RESET;
    /* RM0383 6.3.20: the flags survive all but a power reset; every other
       reset drives NRST too, so PINRSTF joins. */
    switch (kind) {
    case EMU_RESET_POWER_ON: csr = RCC_CSR_POR; break;
    case EMU_RESET_NRST: csr = (csr & CSR_FLAGS) | CSR_PINRSTF; break;
    case EMU_RESET_SOFTWARE: csr = (csr & CSR_FLAGS) | CSR_SFTRSTF | CSR_PINRSTF; break;
    case EMU_RESET_IWDG: csr = (csr & CSR_FLAGS) | CSR_IWDGRSTF | CSR_PINRSTF; break;
    default: break;
    }
    c->r[RCC_CSR / 4u] = csr & CSR_FLAGS;
    for (unsigned i = 0; i < sizeof c->osc / sizeof c->osc[0]; i++)
        c->osc[i].ready_at = NEVER;
    emu_set_hclk(c->e, HSI_HZ);
}

uint32_t emu_rcc_csr(struct emu *e)
{
    return rcc_of(e)->r[RCC_CSR / 4u];
}

bool emu_rcc_lsi_on(const struct emu *e)
{
    return (rcc_of(e)->r[RCC_CSR / 4u] & CSR_LSIRDY) != 0u;
}

/* RM0383 15.3.2: starting the independent watchdog forces the LSI on. */
void emu_rcc_force_lsi(struct emu *e)
{
    struct emu_rcc *c = rcc_of(e);
    if ((c->r[RCC_CSR / 4u] & CSR_LSION) == 0u) {
        c->r[RCC_CSR / 4u] |= CSR_LSION;
        osc_enable(c, &c->osc[3], true);
    }
}

int emu_rcc_gate(const char *periph_name)
{
    return rcc_gate_find(rcc_gates, RCC_GATES, periph_name);
}

bool emu_rcc_gate_on(const struct emu *e, int gate)
{
    return rcc_gate_is_on(rcc_gates, rcc_of(e)->r, gate);
}

bool emu_clock_enabled(const struct emu *e, const char *periph_name)
{
    return emu_rcc_gate_on(e, emu_rcc_gate(periph_name));
}

void emu_rcc_attach(struct emu *e)
{
    struct emu_rcc *c = emu_alloc(e, sizeof *c);
    c->e = e;
    const struct rcc_osc osc[4] = {
        {"HSI", RCC_CR, CR_HSION, CR_HSIRDY, HSI_STARTUP_NS, NEVER},
        {"HSE", RCC_CR, CR_HSEON, CR_HSERDY, HSE_STARTUP_NS, NEVER},
        {"PLL", RCC_CR, CR_PLLON, CR_PLLRDY, PLL_LOCK_NS, NEVER},
        {"LSI", RCC_CSR, CSR_LSION, CSR_LSIRDY, LSI_STARTUP_NS, NEVER},
    };
    memcpy(c->osc, osc, sizeof osc);
    const struct emu_periph p = {"RCC", RCC_BASE, RCC_SIZE, c, rcc_read, rcc_write, rcc_reset};
    emu_add_periph(e, &p);
    emu_add_timer(e, c, rcc_poll);
    rcc_reset(c, EMU_RESET_POWER_ON);
}
