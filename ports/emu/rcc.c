/*
 * RCC model (RM0432 6 "Reset and clock control"): oscillators whose ready
 * flags follow their enables after a start-up time, the system clock switch
 * (SWS follows SW once the source is ready), the PLL, the AHB prescaler
 * that sets the CPU clock, peripheral clock enables and resets, and the
 * reset flags in RCC_CSR.
 *
 * Start-up times are the order of magnitude the STM32L4R5 datasheet gives
 * (tSU/tLOCK); they only decide how long the firmware polls a ready flag.
 * HSE and LSE never become ready: the NUCLEO-L4R5ZI ships with no HSE
 * crystal fitted and no firmware here uses LSE.
 */
#include <string.h>

#include "machine.h"
#include "rcc_common.h"

#define RCC_BASE 0x40021000u
#define RCC_SIZE 0x400u
#define RCC_WORDS (0xA0u / 4u)

/* Register offsets (RM0432 6.4). */
#define RCC_CR 0x00u
#define RCC_ICSCR 0x04u
#define RCC_CFGR 0x08u
#define RCC_PLLCFGR 0x0Cu
#define RCC_PLLSAI1CFGR 0x10u
#define RCC_PLLSAI2CFGR 0x14u
#define RCC_AHB1RSTR 0x28u
#define RCC_AHB2RSTR 0x2Cu
#define RCC_APB1RSTR1 0x38u
#define RCC_APB2RSTR 0x40u
#define RCC_AHB1ENR 0x48u
#define RCC_AHB2ENR 0x4Cu
#define RCC_APB1ENR1 0x58u
#define RCC_APB2ENR 0x60u
#define RCC_BDCR 0x90u
#define RCC_CSR 0x94u
#define RCC_CRRCR 0x98u
#define RCC_ENR_TO_RSTR 0x20u /* xxxRSTR sits 0x20 below its xxxENR, same bit positions */

/* Reset values (RM0432 6.4.1..6.4.33). */
#define RCC_CR_RESET 0x00000063u      /* MSION, MSIRDY, MSIRANGE 6 (4 MHz) */
#define RCC_ICSCR_RESET 0x40000000u   /* HSITRIM 0x40 */
#define RCC_PLLCFGR_RESET 0x00001000u /* PLLN 16 */
#define RCC_AHB1ENR_RESET 0x00000100u /* FLASHEN */
#define RCC_CSR_POR 0x0C000600u       /* BORRSTF, PINRSTF, MSISRANGE 6 */

#define CR_MSION (1u << 0)
#define CR_MSIRDY (1u << 1)
#define CR_MSIRGSEL (1u << 3)
#define CR_MSIRANGE_Pos 4u
#define CR_HSION (1u << 8)
#define CR_HSIRDY (1u << 10)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CR_PLLSAI1RDY (1u << 27)
#define CR_PLLSAI2RDY (1u << 29)
#define CFGR_SW_Msk 3u
#define CFGR_SWS_Pos 2u
#define CFGR_HPRE_Pos 4u
#define CSR_LSION (1u << 0)
#define CSR_LSIRDY (1u << 1)
#define CSR_MSISRANGE_Pos 8u
#define CSR_RMVF (1u << 23)
#define CSR_FLAGS 0xFF000000u
#define CSR_PINRSTF (1u << 26)
#define CSR_SFTRSTF (1u << 28)
#define CSR_IWDGRSTF (1u << 29)
#define CRRCR_HSI48ON (1u << 0)
#define CRRCR_HSI48RDY (1u << 1)
#define PLLCFGR_SRC_Msk 3u
#define PLLCFGR_M_Pos 4u
#define PLLCFGR_N_Pos 8u
#define PLLCFGR_REN (1u << 24)
#define PLLCFGR_R_Pos 25u

#define SW_MSI 0u
#define SW_HSI16 1u
#define SW_HSE 2u
#define SW_PLL 3u
#define HSI16_HZ 16000000u

/* Start-up times, ns (datasheet order of magnitude, see the file comment). */
#define MSI_STARTUP_NS 6000u
#define HSI16_STARTUP_NS 1200u
#define HSI48_STARTUP_NS 2500u
#define PLL_LOCK_NS 40000u
#define LSI_STARTUP_NS 80000u
#define NEVER UINT64_MAX

/* PLL limits (STM32L4R5 datasheet, PLL characteristics). */
#define PLL_IN_MIN 2660000u
#define PLL_IN_MAX 16000000u
#define PLL_VCO_MIN 64000000u
#define PLL_VCO_MAX 344000000u

/* One oscillator: enable bit, ready bit and when it becomes ready. */
struct emu_rcc {
    struct emu *e;
    uint32_t r[RCC_WORDS];
    struct rcc_osc osc[6];
    uint64_t switch_at;
};

/* Peripheral clock gates: name, enable register, bit (RM0432 6.4.16..6.4.22). */
static const struct rcc_gate rcc_gates[] = {
    {"GPIOA", RCC_AHB2ENR, 0}, {"GPIOB", RCC_AHB2ENR, 1}, {"GPIOC", RCC_AHB2ENR, 2},
    {"GPIOD", RCC_AHB2ENR, 3}, {"GPIOE", RCC_AHB2ENR, 4}, {"GPIOF", RCC_AHB2ENR, 5},
    {"GPIOG", RCC_AHB2ENR, 6}, {"GPIOH", RCC_AHB2ENR, 7}, {"GPIOI", RCC_AHB2ENR, 8},
    {"OTG_FS", RCC_AHB2ENR, 12}, {"FLASH", RCC_AHB1ENR, 8}, {"CRS", RCC_APB1ENR1, 24},
    {"PWR", RCC_APB1ENR1, 28}, {"SYSCFG", RCC_APB2ENR, 0},
};
#define RCC_GATES (sizeof rcc_gates / sizeof rcc_gates[0])
#define RCC_OTGFS_BIT 12u

static struct emu_rcc *rcc_of(const struct emu *e);

static uint32_t msi_hz(uint32_t range)
{
    static const uint32_t hz[12] = {100000u, 200000u, 400000u, 800000u, 1000000u, 2000000u,
                                    4000000u, 8000000u, 16000000u, 24000000u, 32000000u, 48000000u};
    return range < 12u ? hz[range] : 0u;
}

static uint32_t rcc_msi_hz(const struct emu_rcc *c)
{
    uint32_t cr = c->r[RCC_CR / 4u];
    if (cr & CR_MSIRGSEL)
        return msi_hz((cr >> CR_MSIRANGE_Pos) & 0xFu);
    return msi_hz((c->r[RCC_CSR / 4u] >> CSR_MSISRANGE_Pos) & 0xFu);
}

static bool ready(const struct emu_rcc *c, uint32_t reg, uint32_t rdy)
{
    return (c->r[reg / 4u] & rdy) != 0u;
}

/* PLLCLK (R output) in Hz, 0 when not usable. */
static uint32_t pll_hz(struct emu_rcc *c, bool report)
{
    uint32_t cfg = c->r[RCC_PLLCFGR / 4u];
    uint32_t src = cfg & PLLCFGR_SRC_Msk, in = 0;
    if (src == 1u)
        in = rcc_msi_hz(c);
    else if (src == 2u)
        in = HSI16_HZ;
    uint32_t m = ((cfg >> PLLCFGR_M_Pos) & 0xFu) + 1u;
    uint32_t n = (cfg >> PLLCFGR_N_Pos) & 0x7Fu;
    uint32_t r = 2u * (((cfg >> PLLCFGR_R_Pos) & 3u) + 1u);
    uint64_t vco_in = in / m, vco = vco_in * n;
    if (report && (in == 0u || vco_in < PLL_IN_MIN || vco_in > PLL_IN_MAX || vco < PLL_VCO_MIN || vco > PLL_VCO_MAX))
        emu_error(c->e, "PLL on with input %u Hz / M %u = %llu Hz, VCO %llu Hz: outside the datasheet's "
                  "ranges (%u..%u, %u..%u)", (unsigned)in, (unsigned)m, (unsigned long long)vco_in,
                  (unsigned long long)vco, PLL_IN_MIN, PLL_IN_MAX, PLL_VCO_MIN, PLL_VCO_MAX);
    if ((cfg & PLLCFGR_REN) == 0u)
        return 0u; /* RM0432 6.4.4: PLLCLK output disabled */
    return (uint32_t)(vco / r);
}

static uint32_t source_hz(struct emu_rcc *c, uint32_t sw)
{
    switch (sw) {
    case SW_MSI: return rcc_msi_hz(c);
    case SW_HSI16: return HSI16_HZ;
    case SW_PLL: return pll_hz(c, false);
    default: return 0u;
    }
}

static bool source_ready(const struct emu_rcc *c, uint32_t sw)
{
    switch (sw) {
    case SW_MSI: return ready(c, RCC_CR, CR_MSIRDY);
    case SW_HSI16: return ready(c, RCC_CR, CR_HSIRDY);
    case SW_HSE: return ready(c, RCC_CR, CR_HSERDY);
    default: return ready(c, RCC_CR, CR_PLLRDY);
    }
}

static void update_hclk(struct emu_rcc *c)
{
    uint32_t cfgr = c->r[RCC_CFGR / 4u];
    uint32_t sws = (cfgr >> CFGR_SWS_Pos) & 3u;
    uint32_t hz = source_hz(c, sws);
    uint32_t hpre = (cfgr >> CFGR_HPRE_Pos) & 0xFu;
    static const uint32_t div[8] = {2u, 4u, 8u, 16u, 64u, 128u, 256u, 512u};
    if (hpre & 8u)
        hz /= div[hpre & 7u];
    if (hz == 0u) {
        emu_error(c->e, "system clock source %u gives no clock (PLL R output off?)", (unsigned)sws);
        return;
    }
    if (hz != emu_hclk(c->e))
        emu_set_hclk(c->e, hz);
}

/* RM0432 6.2.7: the switch happens once the selected source is ready. */
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

/* An oscillator's enable bit changed: schedule or drop its ready flag. */
static void osc_enable(struct emu_rcc *c, struct rcc_osc *o, bool on)
{
    rcc_osc_enable(o, c->r, on, emu_now_ns(c->e));
}

static uint32_t sysclk_source(const struct emu_rcc *c)
{
    return (c->r[RCC_CFGR / 4u] >> CFGR_SWS_Pos) & 3u;
}

static void write_cr(struct emu_rcc *c, uint32_t v)
{
    uint32_t old = c->r[RCC_CR / 4u];
    uint32_t sws = sysclk_source(c);
    /* RM0432 6.4.1: an oscillator that clocks the system cannot be switched off. */
    if (sws == SW_MSI)
        v |= CR_MSION;
    if (sws == SW_HSI16)
        v |= CR_HSION;
    if (sws == SW_PLL)
        v |= CR_PLLON;
    const uint32_t status = CR_MSIRDY | CR_HSIRDY | CR_HSERDY | CR_PLLRDY | CR_PLLSAI1RDY | CR_PLLSAI2RDY;
    c->r[RCC_CR / 4u] = (v & ~status) | (old & status);
    for (unsigned i = 0; i < sizeof c->osc / sizeof c->osc[0]; i++) {
        struct rcc_osc *o = &c->osc[i];
        if (o->reg != RCC_CR || ((old ^ v) & o->on) == 0u)
            continue;
        if (o->on == CR_PLLON && (v & CR_PLLON))
            (void)pll_hz(c, true);
        osc_enable(c, o, (v & o->on) != 0u);
    }
    if (sws == SW_MSI && ((old ^ v) & ((0xFu << CR_MSIRANGE_Pos) | CR_MSIRGSEL)))
        update_hclk(c);
}

static void enable_changed(struct emu_rcc *c, uint32_t enr, uint32_t old, uint32_t v)
{
    if (enr == RCC_AHB2ENR && (v & ~old & (1u << RCC_OTGFS_BIT)))
        emu_note_drive(c->e);
}

/* RM0432 6.4.10..: a 1 in xxxRSTR holds that peripheral in reset. */

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
    if (off / 4u >= RCC_WORDS)
        return 0u;
    rcc_poll(c, emu_now_ns(c->e));
    return c->r[off / 4u] >> (8u * (off % 4u));
}

static void rcc_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_rcc *c = ctx;
    if (width != 4u || off % 4u != 0u) {
        emu_error(c->e, "RCC: %u-byte write at +0x%02x: the model takes word writes only", width, (unsigned)off);
        return;
    }
    if (off / 4u >= RCC_WORDS) {
        emu_error(c->e, "RCC: write to reserved offset 0x%03x", (unsigned)off);
        return;
    }
    uint32_t *r = &c->r[off / 4u];
    uint32_t old = *r;
    switch (off) {
    case RCC_CR:
        write_cr(c, v);
        break;
    case RCC_CFGR: {
        /* SWS (3:2) and the MCO/PPRE status are read-only here; only SW and HPRE matter. */
        *r = (v & ~(3u << CFGR_SWS_Pos)) | (old & (3u << CFGR_SWS_Pos));
        try_switch(c);
        update_hclk(c);
        break;
    }
    case RCC_PLLCFGR:
    case RCC_PLLSAI1CFGR:
    case RCC_PLLSAI2CFGR:
        if (off == RCC_PLLCFGR && (c->r[RCC_CR / 4u] & CR_PLLON)) {
            emu_error(c->e, "RCC_PLLCFGR written while PLLON = 1 (RM0432 6.4.4: configure the PLL "
                      "only while it is off)");
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
            osc_enable(c, &c->osc[4], (v & CSR_LSION) != 0u);
        break;
    case RCC_CRRCR:
        *r = (v & CRRCR_HSI48ON) | (old & ~CRRCR_HSI48ON);
        if ((old ^ v) & CRRCR_HSI48ON)
            osc_enable(c, &c->osc[3], (v & CRRCR_HSI48ON) != 0u);
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
    uint32_t csr = c->r[RCC_CSR / 4u], bdcr = c->r[RCC_BDCR / 4u];
    memset(c->r, 0, sizeof c->r);
    c->r[RCC_CR / 4u] = RCC_CR_RESET;
    c->r[RCC_ICSCR / 4u] = RCC_ICSCR_RESET;
    c->r[RCC_PLLCFGR / 4u] = RCC_PLLCFGR_RESET;
    c->r[RCC_PLLSAI1CFGR / 4u] = RCC_PLLCFGR_RESET;
    c->r[RCC_PLLSAI2CFGR / 4u] = RCC_PLLCFGR_RESET;
    c->r[RCC_AHB1ENR / 4u] = RCC_AHB1ENR_RESET;
    /* RM0432 6.4.29: the reset flags survive everything but a power reset;
       other resets add PINRSTF because they drive the NRST pin too. */
    switch (kind) {
    case EMU_RESET_POWER_ON:
        csr = RCC_CSR_POR;
        bdcr = 0u;
        break;
    case EMU_RESET_NRST:
        csr = (csr & CSR_FLAGS) | CSR_PINRSTF;
        break;
    case EMU_RESET_SOFTWARE:
        csr = (csr & CSR_FLAGS) | CSR_SFTRSTF | CSR_PINRSTF;
        break;
    case EMU_RESET_IWDG:
        csr = (csr & CSR_FLAGS) | CSR_IWDGRSTF | CSR_PINRSTF;
        break;
    default:
        break;
    }
    c->r[RCC_CSR / 4u] = (csr & CSR_FLAGS) | (6u << CSR_MSISRANGE_Pos);
    c->r[RCC_BDCR / 4u] = bdcr;
    for (unsigned i = 0; i < sizeof c->osc / sizeof c->osc[0]; i++)
        c->osc[i].ready_at = NEVER;
    emu_set_hclk(c->e, rcc_msi_hz(c));
}

static struct emu_rcc *rcc_of(const struct emu *e)
{
    return emu_rcc_ctx(e);
}

uint32_t emu_rcc_csr(struct emu *e)
{
    return rcc_of(e)->r[RCC_CSR / 4u];
}

bool emu_rcc_lsi_on(const struct emu *e)
{
    return (rcc_of(e)->r[RCC_CSR / 4u] & CSR_LSIRDY) != 0u;
}

/* RM0432 "Independent watchdog (IWDG)": starting the watchdog forces the LSI on. */
void emu_rcc_force_lsi(struct emu *e)
{
    struct emu_rcc *c = rcc_of(e);
    if ((c->r[RCC_CSR / 4u] & CSR_LSION) == 0u) {
        c->r[RCC_CSR / 4u] |= CSR_LSION;
        osc_enable(c, &c->osc[4], true);
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
    const struct rcc_osc osc[6] = {
        {"MSI", RCC_CR, CR_MSION, CR_MSIRDY, MSI_STARTUP_NS, NEVER},
        {"HSI16", RCC_CR, CR_HSION, CR_HSIRDY, HSI16_STARTUP_NS, NEVER},
        {"PLL", RCC_CR, CR_PLLON, CR_PLLRDY, PLL_LOCK_NS, NEVER},
        {"HSI48", RCC_CRRCR, CRRCR_HSI48ON, CRRCR_HSI48RDY, HSI48_STARTUP_NS, NEVER},
        {"LSI", RCC_CSR, CSR_LSION, CSR_LSIRDY, LSI_STARTUP_NS, NEVER},
        {"HSE", RCC_CR, CR_HSEON, CR_HSERDY, NEVER, NEVER}, /* no crystal fitted */
    };
    memcpy(c->osc, osc, sizeof osc);
    const struct emu_periph p = {"RCC", RCC_BASE, RCC_SIZE, c, rcc_read, rcc_write, rcc_reset};
    emu_add_periph(e, &p);
    emu_add_timer(e, c, rcc_poll);
    rcc_reset(c, EMU_RESET_POWER_ON);
}
