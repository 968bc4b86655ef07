/*
 * FLASH controller model (RM0432 3 "Embedded flash memory"): access
 * control (ACR wait states and caches), the KEYR unlock sequence and CR
 * lock, page erase and bank erase (MER1/MER2) per bank, standard
 * double-word programming (two word stores, the second starts it) and fast
 * programming of a row (FSTPG) checked the way the chip checks them, BSY for
 * the datasheet time, the CPU stalled while it fetches from the bank that is
 * busy (read-while-write works only across banks), ECC double errors raising
 * NMI, and OPTR.
 *
 * The CPU's stores into the flash array land in memory before anyone can
 * refuse them (unicorn); the model remembers what the cells must hold and
 * puts it back before the next instruction block runs (settle).
 *
 * Power cuts: operation N (erases and double-word programs counted from
 * when the emulator started) can be cut: cleanly (it never happens) or torn
 * (RM0432 3.3 "Error code correction (ECC)": a half-written double-word reads back with a double
 * error). The chip then powers up again (cold start).
 */
#include <string.h>

#include "flash_cells.h"
#include "machine.h"

#define FLASH_BASE_ADDR 0x08000000u
#define FLASH_BYTES 0x00200000u
#define FLASHCTL_BASE 0x40022000u
#define FLASHCTL_SIZE 0x400u
#define DW_BYTES 8u
#define ROW_DW 64u                        /* RM0432 3.3.7 "Fast programming": a row is 64 double-words */
#define ROW_BYTES (ROW_DW * DW_BYTES)     /* 512 B */
#define DW_COUNT (FLASH_BYTES / DW_BYTES)
#define BANK_BYTES (FLASH_BYTES / 2u)
#define PAGE_DUAL 4096u   /* DBANK = 1: 4 KB pages, 256 per bank */
#define PAGE_SINGLE 8192u /* DBANK = 0: 8 KB pages */

/* Registers (RM0432 3.7). */
#define F_ACR 0x00u
#define F_PDKEYR 0x04u
#define F_KEYR 0x08u
#define F_OPTKEYR 0x0Cu
#define F_SR 0x10u
#define F_CR 0x14u
#define F_ECCR 0x18u
#define F_OPTR 0x20u
#define F_LAST 0x4Cu /* PCROP/WRP registers up to here read as their reset values */

#define ACR_RESET 0x00000600u /* ICEN, DCEN */
#define ACR_LATENCY_Msk 0xFu
#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)
#define ACR_ICRST (1u << 11)
#define ACR_DCRST (1u << 12)
#define ACR_RESERVED 0xFFFF8000u /* bits 31:15 */
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define SR_W1C (SR_EOP | SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | \
                SR_FASTERR | SR_RDERR | SR_OPTVERR)
/* RM0432 3.7.5 PGSERR: set when a program or erase starts with one of these still set. */
#define SR_PROG_ERRORS (SR_PROGERR | SR_SIZERR | SR_PGAERR | SR_WRPERR | SR_MISERR | SR_FASTERR)
#define CR_RESET 0xC0000000u /* LOCK, OPTLOCK */
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_PNB_Pos 3u
#define CR_PNB_Msk (0xFFu << 3)
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_FSTPG (1u << 18)
#define CR_MER (CR_MER1 | CR_MER2)
#define CR_EOPIE (1u << 24)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK (1u << 31)
#define ECCR_ADDR_Msk 0x1FFFFFu /* ADDR_ECC: the double-word's offset in its bank */
#define ECCR_STATUS_Msk 0x7FFFFFu /* ADDR_ECC, BK_ECC, SYSF_ECC: replaced by a new error */
#define ECCR_BK_ECC (1u << 21)
#define ECCR_ECCIE (1u << 24)
#define ECCR_ECCC (1u << 30)
#define ECCR_ECCD (1u << 31)
#define OPTR_FACTORY 0xFFEFF8AAu /* RDP level 0 (0xAA), DBANK = 1, BFB2 = 0, software watchdogs */
#define OPTR_DBANK (1u << 22)

/* STM32L4R5 datasheet, flash memory characteristics, typical values
   (docs/hw/stm32l4r5.md "Flash timing"). */
#define ERASE_NS_TYPICAL 22020000u   /* tERASE: one 4 KB page */
#define PROGRAM_NS_TYPICAL 81700u    /* tprog: one 64-bit double-word, standard programming */
#define ROW_FAST_NS_TYPICAL 3800000u /* tprog_row: one row of 64 double-words, fast programming */
#define BANK_ERASE_NS_TYPICAL 22130000u /* tME: a bank (or both) */
#define NS_PER_US 1000u
#define TEAR_SEED 0x7EA2u
#define NEVER UINT64_MAX

struct emu_flashctl {
    struct emu *e;
    uint8_t *mem;
    uint32_t acr, cr, sr, eccr, optr;
    unsigned keys;          /* KEY1 seen: 1 */
    bool key_locked;        /* a wrong key: locked until the next reset */
    bool half;              /* first word of a double-word stored */
    uint32_t half_addr, half_value;
    uint64_t busy_until;    /* 0: idle */
    struct flash_cells cells; /* the CPU's raw stores into the array this block */
    uint8_t broken[DW_COUNT / 8u]; /* double-words with an uncorrectable ECC error */
    uint32_t nbroken;
    uint32_t ops;           /* erases + double-word programs since the emulator started */
    uint32_t cut_at;        /* 0: no cut armed */
    bool torn;
    bool dead;              /* power cut: nothing more happens until power-on */
    uint64_t erase_ns, program_ns, row_ns, bank_erase_ns;
    uint64_t busy_ns_total; /* erase and program time since the emulator started */
    uint32_t busy_banks;    /* bit per bank the operation under way works in */
    /* Fast programming (RM0432 3.3.7): the row under way. */
    uint32_t row_off;       /* flash offset of its first double-word */
    uint32_t row_n;         /* double-words received; 0: no row open */
    uint64_t row_t0;        /* when its first double-word started the high voltage */
    bool bank_erased[2];    /* bank erased by MER1/MER2 since the last reset */
    uint32_t rng;
};

static struct emu_flashctl *fc_of(const struct emu *e)
{
    return emu_periph_ctx(e, "FLASH");
}

static bool bit(const uint8_t *m, uint32_t i) { return (m[i / 8u] >> (i % 8u)) & 1u; }

static void set_broken(struct emu_flashctl *f, uint32_t dw, bool on)
{
    uint8_t m = (uint8_t)(1u << (dw % 8u));
    if (on && !(f->broken[dw / 8u] & m)) {
        f->broken[dw / 8u] |= m;
        f->nbroken++;
    } else if (!on && (f->broken[dw / 8u] & m)) {
        f->broken[dw / 8u] &= (uint8_t)~m;
        f->nbroken--;
    }
    emu_watch_flash_reads(f->e, f->nbroken > 0u);
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

/* Put back what the cells hold after the CPU's raw stores landed. */
void emu_flash_settle(struct emu *e)
{
    struct emu_flashctl *f = fc_of(e);
    flash_cells_settle(&f->cells, f->mem);
}

static bool busy(const struct emu_flashctl *f)
{
    /* NEVER marks "no operation under way", not "busy forever". */
    return f->busy_until != NEVER && emu_now_ns(f->e) < f->busy_until;
}

static void op_done_later(struct emu_flashctl *f, uint64_t ns, uint32_t banks)
{
    f->busy_ns_total += ns;
    f->busy_until = emu_now_ns(f->e) + ns;
    f->busy_banks = banks;
}

static uint32_t bank_bit(const struct emu_flashctl *f, uint32_t off)
{
    return ((f->optr & OPTR_DBANK) && off >= BANK_BYTES) ? 2u : 1u;
}

static uint64_t flashctl_poll(void *ctx, uint64_t now)
{
    struct emu_flashctl *f = ctx;
    if (f->busy_until == 0u)
        return NEVER;
    if (now >= f->busy_until) {
        f->busy_until = 0u;
        if (f->cr & CR_EOPIE)
            f->sr |= SR_EOP; /* RM0432 3.7.5: EOP only with EOPIE */
        return NEVER;
    }
    return f->busy_until;
}

/* Count an operation; true when the power is cut at it (the caller stops). */
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

static uint32_t page_bytes(const struct emu_flashctl *f)
{
    return (f->optr & OPTR_DBANK) ? PAGE_DUAL : PAGE_SINGLE;
}

static void flash_changed(struct emu_flashctl *f, uint32_t off, uint32_t len)
{
    emu_flash_changed(f->e, off, len);
}

/* RM0432 3.3.7 "Page erase": PER, PNB, BKER, then STRT. */
static void start_erase(struct emu_flashctl *f)
{
    uint32_t pnb = (f->cr & CR_PNB_Msk) >> CR_PNB_Pos;
    uint32_t psize = page_bytes(f);
    uint32_t off = (f->optr & OPTR_DBANK) ? ((f->cr & CR_BKER) ? BANK_BYTES : 0u) + pnb * psize : pnb * psize;
    if (off + psize > FLASH_BYTES) {
        f->sr |= SR_PGSERR;
        return;
    }
    if (power_cut_here(f, "page erase", FLASH_BASE_ADDR + off)) {
        if (f->torn) {
            /* Part erased, part old, one double-word caught mid-way. */
            uint32_t stop = rng_next(f) % (psize / DW_BYTES);
            memset(f->mem + off, 0xFF, stop * DW_BYTES);
            for (uint32_t i = 0; i < DW_BYTES; i++)
                f->mem[off + stop * DW_BYTES + i] = (uint8_t)rng_next(f);
            set_broken(f, (off / DW_BYTES) + stop, true);
            for (uint32_t d = 0; d < stop; d++)
                set_broken(f, off / DW_BYTES + d, false);
            flash_changed(f, off, psize);
        }
        return;
    }
    memset(f->mem + off, 0xFF, psize);
    for (uint32_t d = 0; d < psize / DW_BYTES; d++)
        set_broken(f, off / DW_BYTES + d, false);
    flash_changed(f, off, psize);
    op_done_later(f, f->erase_ns, bank_bit(f, off));
}

/* RM0432 3.3.6 "Bank 1, bank 2 mass erase": MER1 and/or MER2, then STRT;
   dual-bank mode only here (single-bank mass erase is not modelled). */
static void start_bank_erase(struct emu_flashctl *f, uint32_t cr)
{
    if (!(f->optr & OPTR_DBANK)) {
        emu_error(f->e, "FLASH_CR.MER1/MER2 in single-bank mode: not modelled");
        return;
    }
    uint32_t banks = ((cr & CR_MER1) ? 1u : 0u) | ((cr & CR_MER2) ? 2u : 0u);
    uint32_t first = (banks & 1u) ? 0u : BANK_BYTES;
    uint32_t len = (banks == 3u) ? FLASH_BYTES : BANK_BYTES;
    if (power_cut_here(f, "bank erase", FLASH_BASE_ADDR + first)) {
        if (f->torn) {
            /* Cut part-way: some pages erased, one caught mid-way (as a page erase's tear). */
            uint32_t stop = rng_next(f) % (len / DW_BYTES);
            memset(f->mem + first, 0xFF, stop * DW_BYTES);
            for (uint32_t d = 0; d < stop; d++)
                set_broken(f, first / DW_BYTES + d, false);
            for (uint32_t i = 0; i < DW_BYTES; i++)
                f->mem[first + stop * DW_BYTES + i] = (uint8_t)rng_next(f);
            set_broken(f, first / DW_BYTES + stop, true);
            flash_changed(f, first, len);
        }
        return;
    }
    memset(f->mem + first, 0xFF, len);
    for (uint32_t d = 0; d < len / DW_BYTES; d++)
        set_broken(f, first / DW_BYTES + d, false);
    flash_changed(f, first, len);
    for (uint32_t b = 0; b < 2u; b++)
        if (banks & (1u << b))
            f->bank_erased[b] = true;
    op_done_later(f, f->bank_erase_ns, banks);
}

/* The second word of a double-word arrived: RM0432 3.3.7 "Standard programming". */
static void program_dw(struct emu_flashctl *f, uint32_t off, uint32_t lo, uint32_t hi)
{
    uint8_t cur[DW_BYTES];
    /* The first word's raw store may already be in memory: the cells still
       hold what the first fix remembered. */
    flash_cells_read(&f->cells, f->mem, off, cur, DW_BYTES);
    bool erased = true, zeros = lo == 0u && hi == 0u;
    for (unsigned i = 0; i < DW_BYTES; i++)
        erased = erased && cur[i] == 0xFFu;
    if (bit(f->broken, off / DW_BYTES))
        erased = false;
    /* RM0432 3.7.5 PROGERR: the double-word was not erased (all zeros may
       be written over anything). */
    if (!erased && !zeros) {
        f->sr |= SR_PROGERR;
        return;
    }
    if (power_cut_here(f, "double-word program", FLASH_BASE_ADDR + off)) {
        if (f->torn) {
            for (unsigned i = 0; i < DW_BYTES; i++)
                cur[i] &= (uint8_t)rng_next(f); /* programming only clears bits */
            set_broken(f, off / DW_BYTES, true);
            flash_cells_note(&f->cells, off, cur, DW_BYTES);
            memcpy(f->mem + off, cur, DW_BYTES);
            flash_changed(f, off, DW_BYTES);
        }
        return;
    }
    uint8_t v[DW_BYTES];
    memcpy(v, &lo, 4);
    memcpy(v + 4, &hi, 4);
    flash_cells_note(&f->cells, off, v, DW_BYTES);
    memcpy(f->mem + off, v, DW_BYTES);
    flash_changed(f, off, DW_BYTES);
    op_done_later(f, f->program_ns, bank_bit(f, off));
}

/* The row stops short (RM0432 3.7.5 FASTERR: set with the flag of the cause):
   BSY drops now, what was programmed stays, the rest stays erased. */
static void fast_abort(struct emu_flashctl *f, uint32_t why)
{
    f->sr |= why | ((why & SR_PROGERR) ? 0u : SR_FASTERR);
    f->half = false;
    f->row_n = 0u;
    uint64_t now = emu_now_ns(f->e);
    if (f->busy_until != 0u && f->busy_until > now) {
        f->busy_ns_total -= f->busy_until - now;
        f->busy_until = now;
    }
}

/* The cells of double-word off as they are (the first word's raw store undone). */
static bool dw_erased_now(const struct emu_flashctl *f, uint32_t off)
{
    uint8_t cur[DW_BYTES];
    flash_cells_read(&f->cells, f->mem, off, cur, DW_BYTES);
    for (unsigned i = 0; i < DW_BYTES; i++)
        if (cur[i] != 0xFFu)
            return false;
    return !bit(f->broken, off / DW_BYTES);
}

/*
 * RM0432 3.3.7 "Fast programming" (FSTPG set): a row of 64 double-words,
 * each as two word stores, written one after the other from the row's
 * start. The first double-word starts the high voltage (BSY) for the row's
 * time; each next one must arrive before the one before it is programmed,
 * else MISSERR (3.7.5). The controller holds one double-word waiting while
 * another is programmed, so a store of the next one waits on the bus: the
 * CPU feeds the row for about the row's time, it cannot do other work
 * meanwhile. Only in a bank mass-erased before (3.3.7 step 1: else
 * PGSERR), only into erased cells (PROGERR).
 */
static void fast_store(struct emu_flashctl *f, uint32_t off, uint32_t value)
{
    uint64_t now = emu_now_ns(f->e);
    if (!f->half) {
        if (f->row_n == 0u) {
            if (busy(f)) {
                emu_error(f->e, "FLASH: fast programming data while BSY: the driver must wait for the previous row");
                return;
            }
            if (off % ROW_BYTES != 0u) {
                fast_abort(f, SR_PGAERR);
                return;
            }
            if (!f->bank_erased[bank_bit(f, off) - 1u]) {
                f->sr |= SR_PGSERR; /* 3.3.7 step 1: the bank was not mass-erased */
                return;
            }
        } else if (off != f->row_off + f->row_n * DW_BYTES) {
            fast_abort(f, SR_PGAERR); /* not the row's next double-word */
            return;
        } else if (now > f->row_t0 + f->row_n * (f->row_ns / ROW_DW)) {
            fast_abort(f, SR_MISERR); /* came after the previous one was programmed */
            return;
        } else if (f->row_n >= 2u && now < f->row_t0 + (f->row_n - 1u) * (f->row_ns / ROW_DW)) {
            /* double-word row_n - 1 still waits for row_n - 2 to be done: this store waits for room */
            emu_stall_until_ns(f->e, f->row_t0 + (f->row_n - 1u) * (f->row_ns / ROW_DW));
        }
        f->half = true;
        f->half_addr = off;
        f->half_value = value;
        return;
    }
    f->half = false;
    if (off != f->half_addr + 4u) {
        fast_abort(f, SR_PGAERR);
        return;
    }
    uint32_t dw = f->half_addr;
    if (!dw_erased_now(f, dw)) {
        fast_abort(f, SR_PROGERR);
        return;
    }
    if (f->row_n == 0u) {
        if (power_cut_here(f, "fast row program", FLASH_BASE_ADDR + dw)) {
            if (f->torn) {
                /* The high voltage stopped inside the row: its first double-words
                   hold part of their bits, one is unreadable. */
                uint32_t k = rng_next(f) % ROW_DW;
                set_broken(f, dw / DW_BYTES + k, true);
                for (uint32_t i = 0; i < DW_BYTES; i++)
                    f->mem[dw + k * DW_BYTES + i] &= (uint8_t)rng_next(f);
                flash_changed(f, dw, ROW_BYTES);
            }
            return;
        }
        f->row_off = dw;
        f->row_t0 = now;
        op_done_later(f, f->row_ns, bank_bit(f, dw));
    }
    uint8_t v[DW_BYTES];
    memcpy(v, &f->half_value, 4);
    memcpy(v + 4, &value, 4);
    flash_cells_note(&f->cells, dw, v, DW_BYTES);
    memcpy(f->mem + dw, v, DW_BYTES);
    flash_changed(f, dw, DW_BYTES);
    f->row_n = (f->row_n + 1u) % ROW_DW; /* the 64th closes the row; BSY runs to its end */
}

uint64_t emu_flash_fetch(struct emu *e, uint32_t addr)
{
    struct emu_flashctl *f = fc_of(e);
    uint32_t off = addr - FLASH_BASE_ADDR;
    if (off >= FLASH_BYTES || !busy(f) || !(f->busy_banks & bank_bit(f, off)))
        return 0u;
    if (f->row_n != 0u) {
        /* RM0432 3.3.7 note: a read of the bank being fast-programmed aborts
           the row, and no flag says so. */
        emu_log(e, "FLASH: instruction fetch at 0x%08x from the bank being fast-programmed: the row is aborted "
                "(RM0432 3.3.7, no error flag)", (unsigned)addr);
        f->half = false;
        f->row_n = 0u;
        f->busy_ns_total -= f->busy_until - emu_now_ns(e);
        f->busy_until = emu_now_ns(e);
        return 0u;
    }
    /* RM0432 3.3.8 read-while-write: only the other bank can be read while
       one is erased or programmed; a fetch from the busy bank waits. */
    return f->busy_until;
}

bool emu_flash_store(struct emu *e, uint32_t addr, unsigned width, uint32_t value)
{
    struct emu_flashctl *f = fc_of(e);
    uint32_t off = addr - FLASH_BASE_ADDR;
    flash_cells_remember(&f->cells, f->e, f->mem, off, width);
    if (f->dead)
        return true;
    if (width != 4u) {
        f->sr |= SR_SIZERR | SR_PGSERR; /* RM0432 3.7.5: only word writes program */
        f->half = false;
        return true;
    }
    /* A fast row stops at its first error: later stores change nothing (3.7.5 PGSERR). */
    if ((f->cr & CR_FSTPG) && !(f->cr & (CR_PG | CR_PER | CR_MER)) && !(f->sr & (SR_PROG_ERRORS | SR_PGSERR))) {
        fast_store(f, off, value);
        return true;
    }
    if (!(f->cr & CR_PG) || (f->cr & CR_FSTPG) || (f->sr & SR_PROG_ERRORS)) {
        f->sr |= SR_PGSERR;
        f->half = false;
        return true;
    }
    if (!f->half) {
        if (off % DW_BYTES != 0u) {
            f->sr |= SR_PGAERR;
            return true;
        }
        f->half = true;
        f->half_addr = off;
        f->half_value = value;
        return true;
    }
    f->half = false;
    if (off != f->half_addr + 4u) {
        f->sr |= SR_PGAERR; /* the two words are not one double-word */
        return true;
    }
    program_dw(f, f->half_addr, f->half_value, value);
    return true;
}

/* RM0432 3.3 "Error code correction (ECC)": a double error on a read sets ECCD with the address and raises NMI. */
void emu_flash_read_seen(struct emu *e, uint32_t addr)
{
    struct emu_flashctl *f = fc_of(e);
    uint32_t off = addr - FLASH_BASE_ADDR;
    if (off >= FLASH_BYTES || !bit(f->broken, off / DW_BYTES))
        return;
    if (f->eccr & ECCR_ECCD)
        return; /* the first error stays recorded until cleared */
    uint32_t in_bank = (f->optr & OPTR_DBANK) ? off % BANK_BYTES : off;
    f->eccr = (f->eccr & ~ECCR_STATUS_Msk) | (in_bank & ECCR_ADDR_Msk) |
              (((f->optr & OPTR_DBANK) && off >= BANK_BYTES) ? ECCR_BK_ECC : 0u) | ECCR_ECCD;
    emu_pend_exception(e, EMU_EXC_NMI);
}

static void write_acr(struct emu_flashctl *f, uint32_t v)
{
    /* RM0432 3.7.1: the cache reset bits work only while that cache is off. */
    if ((v & ACR_ICRST) && ((v | f->acr) & ACR_ICEN))
        emu_error(f->e, "FLASH_ACR.ICRST set while the instruction cache is on (RM0432 3.7.1)");
    if ((v & ACR_DCRST) && ((v | f->acr) & ACR_DCEN))
        emu_error(f->e, "FLASH_ACR.DCRST set while the data cache is on (RM0432 3.7.1)");
    f->acr = v & ~(ACR_ICRST | ACR_DCRST | ACR_RESERVED); /* the reset bits do not stay set */
    emu_set_flash_latency(f->e, f->acr & ACR_LATENCY_Msk, (f->acr & ACR_ICEN) != 0u);
}

static void write_keyr(struct emu_flashctl *f, uint32_t v)
{
    if (f->key_locked)
        return;
    if (f->keys == 0u && v == KEY1) {
        f->keys = 1u;
        return;
    }
    if (f->keys == 1u && v == KEY2 && (f->cr & CR_LOCK)) {
        f->keys = 0u;
        f->cr &= ~CR_LOCK;
        return;
    }
    /* RM0432 3.3.6: a wrong sequence locks FLASH_CR until the next reset
       and raises a bus error (HardFault). */
    f->key_locked = true;
    emu_error(f->e, "FLASH_KEYR: wrong unlock sequence (0x%08x): bus error, CR locked until reset", (unsigned)v);
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
    if (v & (CR_OPTSTRT | CR_OBL_LAUNCH)) {
        emu_error(f->e, "FLASH_CR 0x%08x: option byte programming is not modelled", (unsigned)v);
        return;
    }
    if (!(v & CR_FSTPG) && f->row_n != 0u) {
        fast_abort(f, SR_MISERR); /* FSTPG cleared inside a row: the rest never comes */
    }
    f->cr = v & ~CR_STRT;
    if (f->cr & CR_LOCK)
        f->keys = 0u;
    if (!(v & CR_STRT))
        return;
    if (busy(f)) {
        emu_error(f->e, "FLASH_CR.STRT while BSY: the driver must wait for the previous operation");
        return;
    }
    /* RM0432 3.7.5 PGSERR: an erase that starts with errors not cleared, PG
       or FSTPG set, or page and bank erase asked together. */
    if ((f->sr & SR_PROG_ERRORS) || (v & (CR_PG | CR_FSTPG)) || !(v & (CR_PER | CR_MER)) ||
        ((v & CR_PER) && (v & CR_MER))) {
        f->sr |= SR_PGSERR;
        return;
    }
    if (v & CR_MER)
        start_bank_erase(f, v);
    else
        start_erase(f);
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
    case F_ECCR: return f->eccr;
    case F_OPTR: return f->optr;
    case F_PDKEYR: case F_KEYR: case F_OPTKEYR: return 0u;
    default:
        if (off <= F_LAST)
            return 0u;
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
    switch (off) {
    case F_ACR: write_acr(f, v); break;
    case F_KEYR: write_keyr(f, v); break;
    case F_SR: f->sr &= ~(v & SR_W1C); break;
    case F_CR: write_cr(f, v); break;
    case F_ECCR:
        f->eccr &= ~(v & (ECCR_ECCC | ECCR_ECCD));
        f->eccr = (f->eccr & ~ECCR_ECCIE) | (v & ECCR_ECCIE);
        break;
    case F_PDKEYR: case F_OPTKEYR: break;
    default:
        emu_error(f->e, "FLASH: write to offset 0x%03x not modelled (option bytes, PCROP, WRP)", (unsigned)off);
        break;
    }
}

static void flashctl_reset(void *ctx, int kind)
{
    struct emu_flashctl *f = ctx;
    if (kind == EMU_RESET_POWER_ON)
        f->dead = false;
    f->acr = ACR_RESET;
    f->cr = CR_RESET;
    f->sr = 0u;
    f->eccr = 0u;
    f->keys = 0u;
    f->key_locked = false;
    f->half = false;
    f->busy_until = 0u;
    f->row_n = 0u;
    f->bank_erased[0] = f->bank_erased[1] = false;
    emu_set_flash_latency(f->e, 0u, true);
}

void emu_flash_cut_at(struct emu *e, uint32_t n, bool torn)
{
    struct emu_flashctl *f = fc_of(e);
    f->cut_at = n;
    f->torn = torn;
    f->rng = TEAR_SEED + n; /* the same cut tears the same way every run */
}

/* A scaled time: the row and the bank erase keep their datasheet ratio to
   the double-word and the page. */
void emu_flash_set_times(struct emu *e, uint32_t erase_us, uint32_t program_us)
{
    struct emu_flashctl *f = fc_of(e);
    f->erase_ns = erase_us ? (uint64_t)erase_us * NS_PER_US : ERASE_NS_TYPICAL;
    f->program_ns = program_us ? (uint64_t)program_us * NS_PER_US : PROGRAM_NS_TYPICAL;
    f->row_ns = f->program_ns * ROW_FAST_NS_TYPICAL / PROGRAM_NS_TYPICAL;
    f->bank_erase_ns = f->erase_ns * BANK_ERASE_NS_TYPICAL / ERASE_NS_TYPICAL;
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
    fc_of(e)->optr &= ~OPTR_DBANK;
}

void emu_flashctl_attach(struct emu *e)
{
    struct emu_flashctl *f = emu_alloc(e, sizeof *f);
    f->e = e;
    f->mem = emu_flash_mem(e);
    f->optr = OPTR_FACTORY;
    f->erase_ns = ERASE_NS_TYPICAL;
    f->program_ns = PROGRAM_NS_TYPICAL;
    f->row_ns = ROW_FAST_NS_TYPICAL;
    f->bank_erase_ns = BANK_ERASE_NS_TYPICAL;
    flashctl_reset(f, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"FLASH", FLASHCTL_BASE, FLASHCTL_SIZE, f, flashctl_read, flashctl_write,
                                 flashctl_reset};
    emu_add_periph(e, &d);
    emu_add_timer(e, f, flashctl_poll);
}
