/*
 * FLASH controller model of the STM32F411 (RM0383 3 "Embedded Flash memory
 * interface"): ACR wait states and caches (3.4), the KEYR and OPTKEYR
 * unlock sequences (3.5.1, 3.6.2), sector erase (3.5.3) and programming at
 * the parallelism PSIZE says (3.5.4) with BSY for the datasheet's time,
 * the error flags (3.8.4), and the option bytes' write protection (3.6,
 * 3.7: nWRP in OPTCR, OPTSTRT). The same job as flashctl.c for the L4R5's
 * controller, which has other registers, pages instead of sectors and ECC:
 * another file.
 *
 * What the F4 does that the L4R5 does not, each as RM0383 says it:
 * - One bank and no read-while-write (3.5): while BSY, an instruction fetch
 *   from flash waits (emu_flash_stall_until), the clock runs on.
 * - No ECC: programming a word that is not erased is no error; the cells
 *   take old AND new, since a program only turns 1s into 0s (3.5.4 note:
 *   successive writes that only clear bits need no erase).
 * - A store whose size is not PSIZE's sets PGPERR, one that crosses a
 *   128-bit row PGAERR, one without PG PGSERR; an erase or program of a
 *   sector whose nWRP bit is 0 sets WRPERR (3.8.4). Nothing is written.
 * - Option bytes: OPTCR holds the loaded values; OPTSTRT programs what the
 *   firmware wrote there (BSY meanwhile) and they apply from then on. They
 *   survive power: kept in FLASH.bin.optbytes beside the flash image (a
 *   missing file is a chip with factory option bytes).
 *
 * Erase times (STM32F411xC/E datasheet "Flash memory programming", x32,
 * docs/hw/stm32f411.md): 16 KB 250 ms, 64 KB 550 ms, 128 KB 1 s typical
 * (max 500 ms, 1.1 s, 2 s); word program 16 us typical (100 us max).
 * --flash-times ERASE:PROG gives the 128 KB sector's erase time and a
 * word's program time; smaller sectors keep the datasheet's ratios.
 *
 * Power cuts: operation N (sector erases and word programs since the
 * emulator started) can be cut cleanly (it never happens) or torn (an
 * erase leaves the first part erased, one word garbage and the rest old;
 * a program clears only some of the bits it would have cleared).
 */
#include <stdio.h>
#include <string.h>

#include "flash_cells.h"
#include "machine.h"

#define FLASH_BASE_ADDR 0x08000000u
#define FLASH_BYTES 0x00080000u
#define FLASHCTL_BASE 0x40023C00u
#define FLASHCTL_SIZE 0x400u
#define SECTORS 8u
#define ROW_BYTES 16u /* RM0383 3.3: 128-bit flash rows */

/* Registers (RM0383 3.8). */
#define F_ACR 0x00u
#define F_KEYR 0x04u
#define F_OPTKEYR 0x08u
#define F_SR 0x0Cu
#define F_CR 0x10u
#define F_OPTCR 0x14u

#define ACR_LATENCY_Msk 0xFu
#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_ICRST (1u << 11)
#define ACR_DCRST (1u << 12)
#define ACR_WRITABLE 0x00001F0Fu
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_RDERR (1u << 8)
#define SR_BSY (1u << 16)
#define SR_W1C (SR_EOP | SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR | SR_RDERR)
#define CR_RESET 0x80000000u
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB_Pos 3u
#define CR_SNB_Msk (0xFu << 3)
#define CR_PSIZE_Pos 8u
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_LOCK (1u << 31)
#define OPTCR_FACTORY 0x0FFFAAEDu /* RM0383 3.8.6: RDP level 0, no write protection, software watchdog */
#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_OPTSTRT (1u << 1)
#define OPTCR_RDP_Msk 0x0000FF00u
#define OPTCR_NWRP_Pos 16u
#define OPTCR_USER_Msk 0x8FFFFFECu /* what OPTSTRT programs: SPRMOD, nWRP, RDP, user bits, BOR_LEV */

/* Datasheet times (see the file comment), us. */
#define ERASE_US_16K 250000u
#define ERASE_US_64K 550000u
#define ERASE_US_128K 1000000u
#define PROGRAM_US_TYPICAL 16u
/* Option bytes: erasing and programming their own small sector; taken as
   a 16 KB sector's erase (the datasheet gives no figure of its own). */
#define OPTION_US ERASE_US_16K
#define TEAR_SEED 0x7EA2u
#define NEVER UINT64_MAX
#define OPT_SUFFIX ".optbytes"
#define OPT_PATH_MAX 4096u

/* RM0383 3.3 Table 4: sector sizes. */
static const uint32_t sector_kb[SECTORS] = {16u, 16u, 16u, 16u, 64u, 128u, 128u, 128u};

struct emu_flashctl {
    struct emu *e;
    uint8_t *mem;
    uint32_t acr, cr, sr, optcr;
    uint32_t optbytes;       /* the option bytes as stored (loaded into OPTCR at reset) */
    unsigned keys, optkeys;  /* first key seen */
    bool key_locked;
    uint64_t busy_until;     /* 0: idle */
    struct flash_cells cells; /* the CPU's raw stores into the array this block */
    uint32_t ops, cut_at;
    bool torn, dead;
    uint32_t erase_us_128k, program_us;
    uint64_t busy_ns_total;
    uint32_t rng;
};

static struct emu_flashctl *fc_of(const struct emu *e)
{
    return emu_periph_ctx(e, "FLASH");
}

static uint32_t rng_next(struct emu_flashctl *f)
{
    uint32_t x = f->rng ? f->rng : 1u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    return x;
}

static uint32_t sector_start(unsigned n)
{
    uint32_t off = 0;
    for (unsigned i = 0; i < n && i < SECTORS; i++)
        off += sector_kb[i] * 1024u;
    return off;
}

static int sector_of(uint32_t off)
{
    for (unsigned n = 0; n < SECTORS; n++)
        if (off >= sector_start(n) && off < sector_start(n) + sector_kb[n] * 1024u)
            return (int)n;
    return -1;
}

static bool write_protected(const struct emu_flashctl *f, unsigned sector)
{
    return ((f->optcr >> (OPTCR_NWRP_Pos + sector)) & 1u) == 0u;
}

static uint32_t erase_us(const struct emu_flashctl *f, unsigned sector)
{
    uint32_t typ = sector_kb[sector] == 16u ? ERASE_US_16K : sector_kb[sector] == 64u ? ERASE_US_64K : ERASE_US_128K;
    return (uint32_t)((uint64_t)typ * f->erase_us_128k / ERASE_US_128K);
}

/* ---- the option bytes' file ---- */

static void opt_path(const struct emu_flashctl *f, char *out, size_t n)
{
    snprintf(out, n, "%s%s", emu_flash_path(f->e), OPT_SUFFIX);
}

static void opt_load(struct emu_flashctl *f)
{
    char path[OPT_PATH_MAX];
    opt_path(f, path, sizeof path);
    f->optbytes = OPTCR_FACTORY & OPTCR_USER_Msk;
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return;
    unsigned v = 0;
    if (fscanf(fp, "OPTCR 0x%x", &v) == 1)
        f->optbytes = (uint32_t)v & OPTCR_USER_Msk;
    else
        emu_error(f->e, "%s: not an option-bytes file (\"OPTCR 0x........\")", path);
    fclose(fp);
}

static void opt_store(struct emu_flashctl *f)
{
    char path[OPT_PATH_MAX];
    opt_path(f, path, sizeof path);
    FILE *fp = fopen(path, "w");
    if (fp == NULL || fprintf(fp, "OPTCR 0x%08x\n", (unsigned)f->optbytes) < 0)
        emu_error(f->e, "cannot write the option bytes to %s", path);
    if (fp != NULL)
        fclose(fp);
}

/* ---- CPU stores into the array ---- */

void emu_flash_settle(struct emu *e)
{
    struct emu_flashctl *f = fc_of(e);
    flash_cells_settle(&f->cells, f->mem);
}

static bool busy(const struct emu_flashctl *f)
{
    return f->busy_until != 0u && emu_now_ns(f->e) < f->busy_until;
}

static void op_done_later(struct emu_flashctl *f, uint32_t us)
{
    f->busy_ns_total += (uint64_t)us * 1000u;
    f->busy_until = emu_now_ns(f->e) + (uint64_t)us * 1000u;
    emu_flash_stall_until(f->e, f->busy_until);
}

static uint64_t flashctl_poll(void *ctx, uint64_t now)
{
    struct emu_flashctl *f = ctx;
    if (f->busy_until == 0u)
        return NEVER;
    if (now >= f->busy_until) {
        f->busy_until = 0u;
        if (f->cr & CR_EOPIE)
            f->sr |= SR_EOP; /* RM0383 3.8.4: EOP only with EOPIE */
        return NEVER;
    }
    return f->busy_until;
}

static bool power_cut_here(struct emu_flashctl *f, const char *what, uint32_t addr)
{
    f->ops++;
    if (f->cut_at == 0u || f->ops != f->cut_at)
        return false;
    emu_log(f->e, "power cut at flash operation %u (%s at 0x%08x, %s)", (unsigned)f->ops, what, (unsigned)addr,
            f->torn ? "torn" : "clean");
    f->dead = true;
    emu_power_cut(f->e);
    return true;
}

/* The controller changed the cells at off to v. */
static void set_cells(struct emu_flashctl *f, uint32_t off, const uint8_t *v, unsigned len)
{
    flash_cells_note(&f->cells, off, v, len);
    memcpy(f->mem + off, v, len);
    emu_flash_changed(f->e, off, len);
}

bool emu_flash_store(struct emu *e, uint32_t addr, unsigned width, uint32_t value)
{
    struct emu_flashctl *f = fc_of(e);
    uint32_t off = addr - FLASH_BASE_ADDR;
    if (off >= FLASH_BYTES)
        return true; /* the boot alias at 0 maps to the same cells: phys address given */
    flash_cells_remember(&f->cells, f->e, f->mem, off, width);
    if (f->dead)
        return true;
    if (busy(f)) {
        emu_error(f->e, "FLASH: store into flash at 0x%08x while BSY: the driver must wait (RM0383 3.5.4)",
                  (unsigned)addr);
        return true;
    }
    /* RM0383 3.8.4 PGSERR: a write to flash without PG (CR not configured). */
    if (!(f->cr & CR_PG)) {
        f->sr |= SR_PGSERR;
        return true;
    }
    unsigned psize = 1u << ((f->cr >> CR_PSIZE_Pos) & 3u);
    if (width != psize) {
        f->sr |= SR_PGPERR; /* RM0383 3.5.4: access size must match PSIZE */
        return true;
    }
    if (off % ROW_BYTES + width > ROW_BYTES) {
        f->sr |= SR_PGAERR; /* RM0383 3.5.4: a write may not cross a 128-bit row */
        return true;
    }
    int s = sector_of(off);
    if (s < 0 || write_protected(f, (unsigned)s)) {
        f->sr |= SR_WRPERR; /* RM0383 3.6 nWRP = 0 for this sector, 3.8.4 WRPERR */
        return true;
    }
    uint8_t cur[4], v[4];
    flash_cells_read(&f->cells, f->mem, off, cur, width);
    memcpy(v, &value, width);
    if (power_cut_here(f, "program", addr)) {
        if (f->torn) {
            for (unsigned i = 0; i < width; i++)
                cur[i] &= (uint8_t)(v[i] | rng_next(f)); /* only some of the zeros made it */
            set_cells(f, off, cur, width);
        }
        return true;
    }
    for (unsigned i = 0; i < width; i++)
        v[i] &= cur[i]; /* programming only clears bits */
    set_cells(f, off, v, width);
    op_done_later(f, f->program_us);
    return true;
}

/* No ECC on the F4 (RM0383 3.5): reads never fault. */
void emu_flash_read_seen(struct emu *e, uint32_t addr)
{
    (void)e;
    (void)addr;
}

/* ---- registers ---- */

static void start_erase(struct emu_flashctl *f)
{
    unsigned snb = (f->cr & CR_SNB_Msk) >> CR_SNB_Pos;
    if (snb >= SECTORS) {
        f->sr |= SR_PGSERR; /* no such sector on this chip */
        return;
    }
    if (write_protected(f, snb)) {
        f->sr |= SR_WRPERR;
        return;
    }
    uint32_t off = sector_start(snb), len = sector_kb[snb] * 1024u;
    if (power_cut_here(f, "sector erase", FLASH_BASE_ADDR + off)) {
        if (f->torn) {
            uint32_t stop = (rng_next(f) % (len / 4u)) * 4u;
            memset(f->mem + off, 0xFF, stop);
            for (uint32_t i = 0; i < 4u; i++)
                f->mem[off + stop + i] = (uint8_t)rng_next(f);
            emu_flash_changed(f->e, off, len);
        }
        return;
    }
    memset(f->mem + off, 0xFF, len);
    emu_flash_changed(f->e, off, len);
    op_done_later(f, erase_us(f, snb));
}

static void write_acr(struct emu_flashctl *f, uint32_t v)
{
    /* RM0383 3.8.1: a cache is reset only while it is off. */
    if ((v & ACR_ICRST) && ((v | f->acr) & ACR_ICEN))
        emu_error(f->e, "FLASH_ACR.ICRST set while the instruction cache is on (RM0383 3.8.1)");
    if ((v & ACR_DCRST) && ((v | f->acr) & ACR_DCEN))
        emu_error(f->e, "FLASH_ACR.DCRST set while the data cache is on (RM0383 3.8.1)");
    if ((v & ACR_LATENCY_Msk) != (f->acr & ACR_LATENCY_Msk))
        emu_log(f->e, "FLASH_ACR.LATENCY %u wait states", (unsigned)(v & ACR_LATENCY_Msk));
    f->acr = v & ACR_WRITABLE & ~(ACR_ICRST | ACR_DCRST);
    emu_set_flash_latency(f->e, f->acr & ACR_LATENCY_Msk, (f->acr & ACR_ICEN) != 0u);
}

/* RM0383 3.5.1 / 3.6.2: KEY1 then KEY2; anything else is a bus error and
   the register stays locked until the next reset. */
static void write_key(struct emu_flashctl *f, unsigned *stage, uint32_t k1, uint32_t k2, uint32_t v, bool opt)
{
    if (f->key_locked)
        return;
    if (*stage == 0u && v == k1) {
        *stage = 1u;
        return;
    }
    if (*stage == 1u && v == k2) {
        *stage = 0u;
        if (opt)
            f->optcr &= ~OPTCR_OPTLOCK;
        else
            f->cr &= ~CR_LOCK;
        return;
    }
    f->key_locked = true;
    emu_error(f->e, "FLASH_%s: wrong unlock sequence (0x%08x): bus error, locked until reset", opt ? "OPTKEYR" : "KEYR",
              (unsigned)v);
}

static void write_cr(struct emu_flashctl *f, uint32_t v)
{
    if (f->dead)
        return;
    if (f->cr & CR_LOCK) {
        if (!(v & CR_LOCK))
            emu_error(f->e, "FLASH_CR written while locked (0x%08x): the chip ignores it", (unsigned)v);
        return;
    }
    if (v & CR_MER) {
        emu_error(f->e, "FLASH_CR 0x%08x: mass erase is not modelled", (unsigned)v);
        return;
    }
    f->cr = v & ~CR_STRT;
    if (!(v & CR_STRT))
        return;
    if (busy(f)) {
        emu_error(f->e, "FLASH_CR.STRT while BSY: the driver must wait for the previous operation");
        return;
    }
    if (!(v & CR_SER)) {
        f->sr |= SR_PGSERR; /* STRT with nothing to start */
        return;
    }
    start_erase(f);
}

static void write_optcr(struct emu_flashctl *f, uint32_t v)
{
    if (f->optcr & OPTCR_OPTLOCK) {
        if (!(v & OPTCR_OPTLOCK))
            emu_error(f->e, "FLASH_OPTCR written while locked (0x%08x): the chip ignores it", (unsigned)v);
        return;
    }
    if ((v & OPTCR_RDP_Msk) != (f->optbytes & OPTCR_RDP_Msk)) {
        emu_error(f->e, "FLASH_OPTCR 0x%08x changes RDP: read protection is not modelled", (unsigned)v);
        return;
    }
    f->optcr = (v & (OPTCR_USER_Msk | OPTCR_OPTLOCK));
    if (!(v & OPTCR_OPTSTRT))
        return;
    if (busy(f)) {
        emu_error(f->e, "FLASH_OPTCR.OPTSTRT while BSY");
        return;
    }
    /* RM0383 3.6.2: the option bytes take what OPTCR holds; BSY meanwhile. */
    f->optbytes = f->optcr & OPTCR_USER_Msk;
    opt_store(f);
    emu_log(f->e, "option bytes programmed: OPTCR 0x%08x (nWRP 0x%03x)", (unsigned)f->optbytes,
            (unsigned)((f->optbytes >> OPTCR_NWRP_Pos) & 0xFFFu));
    op_done_later(f, OPTION_US);
}

static uint32_t flashctl_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_flashctl *f = ctx;
    (void)width;
    flashctl_poll(f, emu_now_ns(f->e));
    switch (off) {
    case F_ACR: return f->acr;
    case F_SR: return f->sr | (busy(f) ? SR_BSY : 0u);
    case F_CR: return f->cr;
    case F_OPTCR: return f->optcr;
    case F_KEYR: case F_OPTKEYR: return 0u;
    default:
        emu_error(f->e, "FLASH: read of offset 0x%03x not modelled", (unsigned)off);
        return 0u;
    }
}

static void flashctl_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_flashctl *f = ctx;
    if (width != 4u) {
        emu_error(f->e, "FLASH: %u-byte register write at +0x%02x", width, (unsigned)off);
        return;
    }
    flashctl_poll(f, emu_now_ns(f->e));
    switch (off) {
    case F_ACR: write_acr(f, v); break;
    case F_KEYR: write_key(f, &f->keys, KEY1, KEY2, v, false); break;
    case F_OPTKEYR: write_key(f, &f->optkeys, OPTKEY1, OPTKEY2, v, true); break;
    case F_SR: f->sr &= ~(v & SR_W1C); break;
    case F_CR: write_cr(f, v); break;
    case F_OPTCR: write_optcr(f, v); break;
    default:
        emu_error(f->e, "FLASH: write to offset 0x%03x not modelled", (unsigned)off);
        break;
    }
}

static void flashctl_reset(void *ctx, int kind)
{
    struct emu_flashctl *f = ctx;
    if (kind == EMU_RESET_POWER_ON)
        f->dead = false;
    f->acr = 0u;
    f->cr = CR_RESET;
    f->sr = 0u;
    f->optcr = f->optbytes | OPTCR_OPTLOCK; /* RM0383 3.8.6: loaded from the option bytes at reset */
    f->keys = f->optkeys = 0u;
    f->key_locked = false;
    f->busy_until = 0u;
    emu_flash_stall_until(f->e, 0u);
    emu_set_flash_latency(f->e, 0u, false);
}

void emu_flash_cut_at(struct emu *e, uint32_t n, bool torn)
{
    struct emu_flashctl *f = fc_of(e);
    f->cut_at = n;
    f->torn = torn;
    f->rng = TEAR_SEED + n;
}

void emu_flash_set_times(struct emu *e, uint32_t erase_us, uint32_t program_us)
{
    struct emu_flashctl *f = fc_of(e);
    f->erase_us_128k = erase_us ? erase_us : ERASE_US_128K;
    f->program_us = program_us ? program_us : PROGRAM_US_TYPICAL;
}

uint32_t emu_flash_ops(const struct emu *e)
{
    return fc_of(e)->ops;
}

uint64_t emu_flash_busy_ns(const struct emu *e)
{
    return fc_of(e)->busy_ns_total;
}

void emu_flash_set_single_bank(struct emu *e)
{
    emu_error(e, "--single-bank: the F411 has one bank already");
}

/* Fetches wait through emu_flash_stall_until (one bank, no read-while-write). */
uint64_t emu_flash_fetch(struct emu *e, uint32_t addr)
{
    (void)e;
    (void)addr;
    return 0u;
}

void emu_flashctl_attach(struct emu *e)
{
    struct emu_flashctl *f = emu_alloc(e, sizeof *f);
    f->e = e;
    f->mem = emu_flash_mem(e);
    f->erase_us_128k = ERASE_US_128K;
    f->program_us = PROGRAM_US_TYPICAL;
    opt_load(f);
    flashctl_reset(f, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"FLASH", FLASHCTL_BASE, FLASHCTL_SIZE, f, flashctl_read, flashctl_write,
                                 flashctl_reset};
    emu_add_periph(e, &d);
    emu_add_timer(e, f, flashctl_poll);
}

