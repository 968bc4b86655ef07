/*
 * The emulated board: a Cortex-M4 on libunicorn (Thumb, M class), the
 * chip's memory map from its table (emu_chip.h: the NUCLEO-L4R5ZI's RM0432 2.2
 * or the Black Pill's RM0383 2.3), peripheral dispatch, virtual time,
 * exceptions and resets.
 *
 * Assumptions, each stated where it is used:
 * - Unicorn runs the instructions; the NVIC is ours. QEMU inside unicorn
 *   stays in thread mode (IPSR 0): exception entry pushes the frame and
 *   jumps to the handler here, and a handler's return to an EXC_RETURN
 *   value (0xFFFFFFxx) is a branch to unmapped memory we catch and unwind.
 * - Time: a translated block costs one cycle per 16 bits of its code and
 *   two for the branch that ends it (pipeline refill), plus the flash wait states once when it runs from flash with the instruction
 *   cache off, plus EMU_PERIPH_CYCLES per peripheral access. A firmware whose
 *   last passes through a loop made the same register accesses is polling:
 *   time skips to the next moment a model changes state (note_access).
 * - Callbacks never stop the CPU themselves (unicorn would resume at the
 *   start of the block and re-run part of it): they set stop_soon and the
 *   block hook stops at the next block.
 * - Every access outside memory and the registered peripherals is an error
 *   (listed at exit, the machine stops): never a silent zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicorn/unicorn.h>

#include "emu_chip.h"
#include "elf.h"
#include "explain.h"
#include "machine.h"

/* The chip's memory map and the rest of its facts: emu_chip.h (one table per chip). */
#define EMU_FLASH_BASE (emu_chip.flash_base)
#define EMU_FLASH_SIZE (emu_chip.flash_size)
#define EMU_BANK_SIZE (emu_chip.bank_size)
#define EMU_APP_BASE DB_APP_BASE     /* dropboot's app area: the jump into the app */
#define EMU_NOINIT_BASE (emu_chip.ram[0].base)
#define EMU_EXC_RETURN_PAGE 0xFFFFF000u

#define EMU_MAX_PERIPHS 40u
#define EMU_MAX_TIMERS 16u
#define EMU_TIMER_UNKNOWN (-2)
#define EMU_MAX_ERRORS 32u
#define EMU_MAX_ACTIVE 8u        /* nesting depth of exceptions we allow */
#define EMU_PERIPH_CYCLES 2u     /* AHB-to-APB bridge: about two bus cycles per access */
#define EMU_BRANCH_REFILL_CYCLES 2u /* a block ends in a branch: Cortex-M4 TRM, 1 + P with P = 1..3 refill */
#define EMU_LOOP_HISTORY 64u     /* peripheral accesses remembered by the loop detector */
#define EMU_LOOP_MAX_PERIOD 16u  /* accesses in one pass of a loop it recognises */
#define EMU_LOOP_REPEATS 3u      /* identical passes in a row before time skips */
#define EMU_LOOP_MAX_CYCLES 20000u /* a pass longer than this is not "only polling" */
#define EMU_PS_PER_S 1000000000000ull
#define EMU_BACKTRACE_WORDS 64u  /* stack words scanned for return addresses */
#define EMU_STACK_PAINT 0xC5C5C5C5u

/* One peripheral access, for the loop detector. */
struct emu_access {
    uint32_t addr, value;
    bool write;
    uint64_t cycles;
};

struct emu_timer {
    void *ctx;
    uint64_t (*poll)(void *ctx, uint64_t now_ns);
};

struct emu {
    uc_engine *uc;
    uint8_t *flash;
    int flash_fd;
    uint8_t *ram[EMU_CHIP_RAMS];  /* emu_chip.ram[n] */
    uint8_t *sysinfo;
    struct elf_syms syms;
    struct emu_periph periph[EMU_MAX_PERIPHS];
    int gate[EMU_MAX_PERIPHS];   /* RCC clock gate of each, -1: none */
    int timer_of[EMU_MAX_PERIPHS]; /* its model's timer, -1: none, EMU_TIMER_UNKNOWN: not looked up */
    void *rcc;
    unsigned nperiph;
    const struct emu_periph *last_hit;
    struct emu_timer timer[EMU_MAX_TIMERS];
    unsigned ntimer;

    /* time */
    uint64_t cycles;
    uint64_t ps;
    uint64_t ps_per_cycle;
    uint32_t hclk;
    unsigned flash_ws;
    bool icache;
    uint64_t stop_ps;        /* the block hook stops the CPU at this time */

    /* polling detection */
    struct emu_access hist[EMU_LOOP_HISTORY]; /* ring of the last peripheral accesses */
    unsigned hist_head, hist_count;
    bool poll_skip;

    /* exceptions */
    uint32_t pending;        /* bit n: exception n pending (n < 16) */
    int active[EMU_MAX_ACTIVE];
    unsigned nactive;

    /* resets and failures */
    bool reset_requested;
    enum emu_reset_kind reset_kind, last_reset;
    bool stopped;            /* fault: stopped for good */
    bool halted;             /* WFI: sleeping until an exception */
    char *errors[EMU_MAX_ERRORS];
    unsigned nerrors, errors_dropped;

    bool button;
    int verbose;
    struct emu_watch watch;
    uc_hook flash_read_hook;
    bool flash_read_watched;
    bool flash_unsettled;
    bool stop_soon;          /* a callback wants the CPU stopped at the next block */
    bool code_dirty;         /* flash changed: translated code to drop */
    uint32_t dirty_lo, dirty_hi;
    bool no_usb_stop;        /* drive started and no OTG model: nothing more to run */
    bool pause_at_app;       /* emu_pause_at_app: hold before the app's first instruction */
    bool paused;             /* ... and it is held there until a reset */
    void *allocs[EMU_MAX_PERIPHS];
    unsigned nallocs;
    uint32_t stack_top, stack_bottom; /* _estack and _ebss of the image, for the painted stack */
    /* What the boot code sees after a reset, for explain_boot. */
    uint8_t noinit_at_reset[EXPLAIN_NOINIT_BYTES];
    uint8_t log_at_reset[EXPLAIN_LOG_BYTES];
    /* SYSCFG_MEMRMP.FB_MODE (RM0432 9.2.1): bank 2 seen at 0x08000000 and 0. */
    bool swapped, swap_wanted, swap_pending;
    uint32_t csr_at_reset;
    char *flash_path;        /* the flash image file (models keep their own state beside it) */
    uint64_t fetch_stall_ps; /* flash busy without read-while-write: fetches from flash wait until then */
    bool button_seen, button_at_read;
};

/* Hooks get the machine as their user pointer. */
static struct emu *emu_of(uc_engine *uc, void *user)
{
    (void)uc;
    return user;
}

/* ---- errors and logging ---- */

static void vlist(struct emu *e, const char *prefix, const char *fmt, va_list ap)
{
    char msg[320];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char line[400];
    snprintf(line, sizeof line, "[%10.3f ms] %s%s", (double)emu_now_ns(e) / 1e6, prefix, msg);
    if (e->nerrors < EMU_MAX_ERRORS)
        e->errors[e->nerrors++] = strdup(line);
    else
        e->errors_dropped++;
    fprintf(stderr, "dropboot-emu: %s\n", line);
}

void emu_error(struct emu *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlist(e, "", fmt, ap);
    va_end(ap);
    e->stopped = true;
    e->stop_soon = true;
    /* Stopped for good: stop now, so the registers (LR, SP) still show the
       place (the PC reads as the start of the block it is in). */
    uc_emu_stop(e->uc);
}

void emu_log(struct emu *e, const char *fmt, ...)
{
    if (e->verbose < 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("[%10.3f ms] ", (double)emu_now_ns(e) / 1e6);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

unsigned emu_error_count(const struct emu *e)
{
    return e->nerrors + e->errors_dropped;
}

void emu_report_errors(const struct emu *e, FILE *out)
{
    if (emu_error_count(e) == 0)
        return;
    fprintf(out, "dropboot-emu: %u error(s):\n", emu_error_count(e));
    for (unsigned i = 0; i < e->nerrors; i++)
        fprintf(out, "  %s\n", e->errors[i]);
    if (e->errors_dropped)
        fprintf(out, "  ... and %u more\n", e->errors_dropped);
}

void emu_set_verbose(struct emu *e, int level)
{
    e->verbose = level;
}

int emu_verbose(const struct emu *e)
{
    return e->verbose;
}

const struct emu_watch *emu_watch(const struct emu *e)
{
    return &e->watch;
}

void emu_note_leds(struct emu *e, uint32_t leds)
{
    if (leds == e->watch.leds)
        return;
    e->watch.leds = leds;
    /* "LED green on , blue off, red off": one entry per LED of the board. */
    char line[96];
    size_t at = 0;
    for (unsigned i = 0; i < emu_chip.nled && at < sizeof line; i++)
        at += (size_t)snprintf(line + at, sizeof line - at, "%s%s %s", i ? ", " : "", emu_chip.led[i].name,
                               (leds >> i) & 1u ? "on " : "off");
    emu_log(e, "LED %s", line);
}

static void check_decision(struct emu *e, bool started_app);

void emu_note_scsi_command(struct emu *e, uint8_t opcode, uint64_t ns)
{
    e->watch.scsi_commands++;
    if (ns > e->watch.longest_scsi_ns) {
        e->watch.longest_scsi_ns = ns;
        e->watch.longest_scsi_op = opcode;
    }
}

void emu_note_drive(struct emu *e)
{
    if (e->watch.drive_started || e->watch.app_started)
        return;
    e->watch.drive_started = true;
    e->watch.drive_start_ns = emu_now_ns(e);
    emu_log(e, "bootloader starts the USB drive (OTG FS clock on)");
    check_decision(e, false);
    if (emu_periph_ctx(e, "OTG_FS") == NULL) {
        /* Without the USB half the next access would be unclaimed: end the
           run here, cleanly, with the decision made. */
        e->no_usb_stop = true;
        e->stop_soon = true;
    }
}

/* ---- time ---- */

uint64_t emu_now_ns(const struct emu *e)
{
    return e->ps / 1000u;
}

uint64_t emu_cycles(const struct emu *e)
{
    return e->cycles;
}

uint32_t emu_hclk(const struct emu *e)
{
    return e->hclk;
}

static void check_latency(struct emu *e)
{
    /* The chip's wait-state table (emu_chip.ws_source): the highest HCLK
       each number of wait states allows; past the last entry, none does. */
    uint32_t max_hz = e->flash_ws < EMU_CHIP_WS ? emu_chip.ws_max_hz[e->flash_ws] : 0u;
    for (unsigned ws = e->flash_ws; max_hz == 0u && ws > 0u; ws--)
        max_hz = emu_chip.ws_max_hz[ws - 1u]; /* more wait states than the table lists: its last row */
    if (e->hclk > max_hz)
        emu_error(e, "FLASH_ACR.LATENCY %u wait states is too few for HCLK %u Hz (%s): "
                  "the CPU would read wrong instructions", e->flash_ws, (unsigned)e->hclk, emu_chip.ws_source);
}

void emu_set_hclk(struct emu *e, uint32_t hz)
{
    if (hz == 0u)
        hz = 1u;
    e->hclk = hz;
    e->ps_per_cycle = EMU_PS_PER_S / hz;
    check_latency(e);
}

void emu_set_flash_latency(struct emu *e, unsigned ws, bool icache)
{
    e->flash_ws = ws;
    e->icache = icache;
    check_latency(e);
}

static void add_cycles(struct emu *e, uint64_t n)
{
    e->cycles += n;
    e->ps += n * e->ps_per_cycle;
}

/* Move time forward to at least t (ps), in whole processor cycles. */
static void skip_to_ps(struct emu *e, uint64_t t)
{
    if (t <= e->ps)
        return;
    uint64_t n = (t - e->ps + e->ps_per_cycle - 1u) / e->ps_per_cycle;
    add_cycles(e, n);
}

void emu_stall_until_ns(struct emu *e, uint64_t ns)
{
    skip_to_ps(e, ns * 1000u);
}

uint32_t emu_regs_read(struct emu *e, const char *name, const uint32_t *r, unsigned words, uint32_t off)
{
    if (off / 4u >= words) {
        emu_error(e, "%s: read of offset 0x%03x not modelled", name, (unsigned)off);
        return 0u;
    }
    return r[off / 4u] >> (8u * (off % 4u));
}

bool emu_regs_write_ok(struct emu *e, const char *name, unsigned words, uint32_t off, unsigned width)
{
    if (width == 4u && off % 4u == 0u && off / 4u < words)
        return true;
    emu_error(e, "%s: %u-byte write at +0x%03x not modelled", name, width, (unsigned)off);
    return false;
}

void *emu_alloc(struct emu *e, size_t n)
{
    void *p = calloc(1, n);
    if (p == NULL || e->nallocs >= EMU_MAX_PERIPHS) {
        fprintf(stderr, "dropboot-emu: out of memory for models\n");
        abort();
    }
    e->allocs[e->nallocs++] = p;
    return p;
}

void emu_add_timer(struct emu *e, void *ctx, uint64_t (*poll)(void *ctx, uint64_t now_ns))
{
    if (e->ntimer >= EMU_MAX_TIMERS) {
        fprintf(stderr, "dropboot-emu: too many timers\n");
        abort();
    }
    e->timer[e->ntimer++] = (struct emu_timer){ctx, poll};
}

/* Bring every timed model up to now; the earliest next event in ps. */
static uint64_t poll_timers(struct emu *e)
{
    uint64_t next = UINT64_MAX;
    uint64_t now = emu_now_ns(e);
    for (unsigned i = 0; i < e->ntimer; i++) {
        uint64_t t = e->timer[i].poll(e->timer[i].ctx, now);
        if (t != UINT64_MAX && t * 1000u < next)
            next = t * 1000u;
    }
    return next;
}

/* ---- peripherals ---- */

void emu_add_periph(struct emu *e, const struct emu_periph *p)
{
    if (e->nperiph >= EMU_MAX_PERIPHS) {
        fprintf(stderr, "dropboot-emu: too many peripherals (%s)\n", p->name);
        abort();
    }
    e->gate[e->nperiph] = emu_rcc_gate(p->name);
    e->timer_of[e->nperiph] = EMU_TIMER_UNKNOWN;
    if (strcmp(p->name, "RCC") == 0)
        e->rcc = p->ctx;
    e->periph[e->nperiph++] = *p;
}

void *emu_rcc_ctx(const struct emu *e)
{
    return e->rcc;
}

void emu_flash_unsettled(struct emu *e)
{
    e->flash_unsettled = true;
}

static void settle(struct emu *e)
{
    if (e->flash_unsettled) {
        e->flash_unsettled = false;
        emu_flash_settle(e);
    }
}

static const struct emu_periph *find_periph(struct emu *e, uint32_t addr)
{
    if (e->last_hit && addr - e->last_hit->base < e->last_hit->size)
        return e->last_hit;
    for (unsigned i = 0; i < e->nperiph; i++) {
        if (addr - e->periph[i].base < e->periph[i].size) {
            e->last_hit = &e->periph[i];
            return e->last_hit;
        }
    }
    return NULL;
}

void *emu_periph_ctx(const struct emu *e, const char *name)
{
    for (unsigned i = 0; i < e->nperiph; i++)
        if (strcmp(e->periph[i].name, name) == 0)
            return e->periph[i].ctx;
    return NULL;
}

void emu_rcc_reset_periph(struct emu *e, const char *name)
{
    for (unsigned i = 0; i < e->nperiph; i++)
        if (strcmp(e->periph[i].name, name) == 0 && e->periph[i].reset)
            e->periph[i].reset(e->periph[i].ctx, EMU_RESET_PERIPH);
}

static uint32_t pc_now(struct emu *e)
{
    uint32_t pc = 0;
    uc_reg_read(e->uc, UC_ARM_REG_PC, &pc);
    return pc;
}

/* Where the CPU is, for a report: inside a memory callback unicorn's PC is
   the start of the block being run, so the function name is the useful part. */
static const char *where(struct emu *e, char *buf, size_t n)
{
    uint32_t pc = pc_now(e);
    char sym[96];
    const char *s = elf_symbolize(&e->syms, pc, sym, sizeof sym);
    snprintf(buf, n, "in the block at 0x%08x (%s)", (unsigned)pc, s ? s : "no symbol");
    return buf;
}

static const struct emu_periph *claim(struct emu *e, uint32_t addr, unsigned width, bool write,
                                      uint32_t value)
{
    char at[160];
    add_cycles(e, EMU_PERIPH_CYCLES);
    const struct emu_periph *p = find_periph(e, addr);
    if (p == NULL) {
        if (write)
            emu_error(e, "unclaimed write of 0x%08x (%u bytes) to 0x%08x, %s", (unsigned)value, width,
                      (unsigned)addr, where(e, at, sizeof at));
        else
            emu_error(e, "unclaimed read (%u bytes) of 0x%08x, %s", width, (unsigned)addr,
                      where(e, at, sizeof at));
        return NULL;
    }
    if (!emu_rcc_gate_on(e, e->gate[p - e->periph])) {
        emu_error(e, "%s %s at +0x%03x while its RCC clock enable bit is 0 (RM0432 6.2.18), %s",
                  write ? "write to" : "read of", p->name, (unsigned)(addr - p->base), where(e, at, sizeof at));
        return NULL;
    }
    return p;
}

static const struct emu_access *hist_at(const struct emu *e, unsigned back)
{
    return &e->hist[(e->hist_head + EMU_LOOP_HISTORY - 1u - back) % EMU_LOOP_HISTORY];
}

static void forget_loop(struct emu *e)
{
    e->hist_count = 0;
}

/* The timer of the model behind a peripheral (same ctx), -1 when none;
   looked up once per peripheral. */
static int timer_of(struct emu *e, const struct emu_periph *p)
{
    unsigned i = (unsigned)(p - e->periph);
    if (e->timer_of[i] == EMU_TIMER_UNKNOWN) {
        e->timer_of[i] = -1;
        for (unsigned t = 0; t < e->ntimer; t++)
            if (e->timer[t].ctx == p->ctx)
                e->timer_of[i] = (int)t;
    }
    return e->timer_of[i];
}

/* The firmware only polls when its last few passes through a loop made the
   same peripheral accesses with the same values (reads and writes) and
   nothing else happened (no exception, which clears the history): its RAM
   and registers then come back to the same state each pass, and nothing
   changes until a model's next event. Time skips there. */
static void note_access(struct emu *e, uint32_t addr, uint32_t value, bool write)
{
    e->hist[e->hist_head] = (struct emu_access){addr, value, write, e->cycles};
    e->hist_head = (e->hist_head + 1u) % EMU_LOOP_HISTORY;
    if (e->hist_count < EMU_LOOP_HISTORY)
        e->hist_count++;
    for (unsigned p = 1; p <= EMU_LOOP_MAX_PERIOD && p * EMU_LOOP_REPEATS <= e->hist_count; p++) {
        if (hist_at(e, 0)->cycles - hist_at(e, p)->cycles > EMU_LOOP_MAX_CYCLES)
            break;
        bool same = true;
        for (unsigned i = 0; same && i < p * (EMU_LOOP_REPEATS - 1u); i++) {
            const struct emu_access *a = hist_at(e, i), *b = hist_at(e, i + p);
            same = a->addr == b->addr && a->value == b->value && a->write == b->write;
        }
        if (same) {
            e->poll_skip = true;
            e->stop_soon = true;
            return;
        }
    }
}

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    struct emu *e = user;
    (void)uc;
    uint32_t addr = (uint32_t)offset; /* the window trampolines pass absolute addresses */
    settle(e);
    const struct emu_periph *p = claim(e, addr, size, false, 0);
    if (p == NULL)
        return 0;
    uint32_t v = p->read(p->ctx, addr - p->base, size);
    if (e->verbose >= 2)
        emu_log(e, "read  %-6s +0x%03x = 0x%08x (%u)", p->name, (unsigned)(addr - p->base), (unsigned)v, size);
    note_access(e, addr, v, false);
    return v;
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    struct emu *e = user;
    (void)uc;
    uint32_t addr = (uint32_t)offset;
    settle(e);
    note_access(e, addr, (uint32_t)value, true);
    const struct emu_periph *p = claim(e, addr, size, true, (uint32_t)value);
    if (p != NULL && e->verbose >= 2)
        emu_log(e, "write %-6s +0x%03x = 0x%08x (%u)", p->name, (unsigned)(addr - p->base), (unsigned)value, size);
    if (p == NULL)
        return;
    p->write(p->ctx, addr - p->base, (uint32_t)value, size);
    /* The write may have started something (SysTick, a flash operation,
       an oscillator): the current run must stop by its first event. */
    int t = timer_of(e, p);
    if (t >= 0) {
        uint64_t next = e->timer[t].poll(e->timer[t].ctx, emu_now_ns(e));
        if (next != UINT64_MAX && next * 1000u < e->stop_ps)
            e->stop_ps = next * 1000u;
    }
}

/* One trampoline per window so each callback knows its window's base. */
#define EMU_WINDOW_TRAMPOLINE(n)                                                                 \
    static uint64_t mmio_read_##n(uc_engine *uc, uint64_t off, unsigned size, void *user)        \
    {                                                                                            \
        return mmio_read(uc, emu_chip.window[n].base + off, size, user);                             \
    }                                                                                            \
    static void mmio_write_##n(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *user) \
    {                                                                                            \
        mmio_write(uc, emu_chip.window[n].base + off, size, v, user);                                \
    }
EMU_WINDOW_TRAMPOLINE(0)
EMU_WINDOW_TRAMPOLINE(1)
EMU_WINDOW_TRAMPOLINE(2)
EMU_WINDOW_TRAMPOLINE(3)

static const uc_cb_mmio_read_t window_read[EMU_CHIP_WINDOWS] = {mmio_read_0, mmio_read_1, mmio_read_2, mmio_read_3};
static const uc_cb_mmio_write_t window_write[EMU_CHIP_WINDOWS] = {mmio_write_0, mmio_write_1, mmio_write_2,
                                                              mmio_write_3};

/* ---- CPU hooks ---- */

void emu_power_cut(struct emu *e)
{
    e->watch.power_cuts++;
    emu_request_reset(e, EMU_RESET_POWER_ON);
}

static int exception_to_take(struct emu *e);

/* The firmware decided (app or drive): compare with its own boot logic
   compiled for the PC, on the inputs it saw. */
static void check_decision(struct emu *e, bool started_app)
{
    struct boot_decision d;
    bool button = e->button_seen ? e->button_at_read : e->button;
    explain_boot(e->flash, e->log_at_reset, e->noinit_at_reset, e->csr_at_reset, button, &d);
    e->watch.reason = (int)d.reason;
    e->watch.decision = d;
    if (!started_app && d.reason != BOOT_START_APP)
        emu_log(e, "stay in bootloader: %s", boot_reason_text(d.reason));
    if (started_app != (d.reason == BOOT_START_APP)) {
        e->watch.mismatches++;
        emu_log(e, "MISMATCH: the firmware %s, its boot logic compiled for the PC says: %s",
                started_app ? "started the app" : "stayed in the bootloader", boot_reason_text(d.reason));
        fprintf(stderr, "dropboot-emu: [%10.3f ms] MISMATCH: the firmware %s, its boot logic compiled for the PC "
                "says: %s\n", (double)emu_now_ns(e) / 1e6, started_app ? "started the app" : "stayed in the bootloader",
                boot_reason_text(d.reason));
    }
}

static uint32_t cpu_to_phys(const struct emu *e, uint32_t a);

static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct emu *e = emu_of(uc, user);
    settle(e);
    uint32_t a = (uint32_t)address;
    uint64_t n = (size + 1u) / 2u + EMU_BRANCH_REFILL_CYCLES;
    bool from_flash = a - EMU_FLASH_BASE < EMU_FLASH_SIZE || a < EMU_FLASH_SIZE;
    if (from_flash && !e->icache)
        n += e->flash_ws;
    /* No read-while-write (emu_chip.fetch_stalls_while_busy): the fetch
       waits for the flash operation to end, the clock runs on. With it
       (the L4R5's two banks, flashctl.c) only a fetch from the bank being
       erased or programmed waits. Never past the end of this run (stop_ps):
       whoever runs the machine in slices (the USB host between its packets)
       sees the stall go by at its own pace; the block is fetched again when
       the next slice starts. */
    uint64_t stall_ps = e->fetch_stall_ps;
    if (from_flash) {
        uint64_t bank_ps = emu_flash_fetch(e, cpu_to_phys(e, a)) * 1000u;
        if (bank_ps > stall_ps)
            stall_ps = bank_ps;
    }
    if (from_flash && stall_ps > e->ps) {
        skip_to_ps(e, stall_ps < e->stop_ps ? stall_ps : e->stop_ps);
        if (e->ps < stall_ps) {
            uc_emu_stop(uc);
            return;
        }
    }
    add_cycles(e, n);
    if (!e->watch.app_started && a - EMU_APP_BASE < EMU_FLASH_SIZE - (EMU_APP_BASE - EMU_FLASH_BASE)) {
        e->watch.app_started = true;
        e->watch.app_start_ns = emu_now_ns(e);
        e->watch.app_pc = a | 1u;
        uc_reg_read(uc, UC_ARM_REG_SP, &e->watch.app_sp);
        emu_log(e, "jump into the app at 0x%08x (SP 0x%08x)", (unsigned)a, (unsigned)e->watch.app_sp);
        if (!e->watch.drive_started)
            check_decision(e, true);
        if (e->pause_at_app) {
            /* A stop from the block hook ends the run before the block executes. */
            e->paused = true;
            uc_emu_stop(uc);
        }
    }
    /* Stopping here, at the start of a block, leaves the PC right; from a
       memory callback unicorn would resume at the start of the current
       block and run its first instructions twice. */
    if (e->ps >= e->stop_ps || e->stop_soon)
        uc_emu_stop(uc);
    /* A pended exception masked by PRIMASK (or by a running handler) is
       taken as soon as it can be, not at the next timer event. */
    if (e->pending != 0u && exception_to_take(e) != 0)
        uc_emu_stop(uc);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                        void *user)
{
    struct emu *e = emu_of(uc, user);
    uint32_t a = (uint32_t)address;
    if (type == UC_MEM_FETCH_UNMAPPED && a >= EMU_EXC_RETURN_PAGE)
        return false; /* an exception return: the run loop unwinds it */
    const char *what = type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch from"
                       : type == UC_MEM_WRITE_UNMAPPED ? "write to" : "read of";
    char at[160];
    emu_error(e, "bus fault: %s unmapped 0x%08x (%d bytes, value 0x%08x), %s", what, (unsigned)a, size,
              (unsigned)value, where(e, at, sizeof at));
    return false;
}

/* A CPU address in flash or its alias at 0, as a physical flash address:
 * while the banks are swapped (RM0432 9.2.1) the CPU sees bank 2 first. */
static uint32_t cpu_to_phys(const struct emu *e, uint32_t a)
{
    uint32_t off = (a < EMU_FLASH_SIZE) ? a : a - EMU_FLASH_BASE;
    if (e->swapped)
        off ^= EMU_BANK_SIZE;
    return EMU_FLASH_BASE + off;
}

/* Map flash (and its boot alias at 0) as the swap says: each bank is half
 * of the flash array, so swapping maps the halves the other way round. */
static void map_flash(struct emu *e, bool swapped)
{
    uc_prot rx = UC_PROT_READ | UC_PROT_EXEC;
    uc_err err = uc_mem_unmap(e->uc, EMU_FLASH_BASE, EMU_FLASH_SIZE);
    err |= uc_mem_unmap(e->uc, 0, EMU_FLASH_SIZE);
    const uint32_t bases[2] = {EMU_FLASH_BASE, 0u};
    for (uint32_t i = 0; i < 2u; i++) {
        err |= uc_mem_map_ptr(e->uc, bases[i], EMU_BANK_SIZE, rx, e->flash + (swapped ? EMU_BANK_SIZE : 0u));
        err |= uc_mem_map_ptr(e->uc, bases[i] + EMU_BANK_SIZE, EMU_BANK_SIZE, rx,
                              e->flash + (swapped ? 0u : EMU_BANK_SIZE));
    }
    if (err != UC_ERR_OK)
        emu_error(e, "remapping flash for the bank swap failed");
    uc_ctl_remove_cache(e->uc, EMU_FLASH_BASE, EMU_FLASH_BASE + EMU_FLASH_SIZE);
    uc_ctl_remove_cache(e->uc, 0, EMU_FLASH_SIZE);
    e->swapped = swapped;
}

void emu_flash_swap(struct emu *e, bool on)
{
    if (on == e->swapped && !e->swap_pending)
        return;
    /* not from inside a hook: the loop applies it between blocks */
    e->swap_wanted = on;
    e->swap_pending = true;
    e->stop_soon = true;
    emu_log(e, "flash banks %s (SYSCFG_MEMRMP.FB_MODE = %d)", on ? "swapped" : "back in order", on ? 1 : 0);
}

/* Flash double-words with broken ECC are read: RM0432 3.3 "Error code correction (ECC)": the read
   returns the cell content, ECCR.ECCD is set and NMI raised (flash model). */
static void on_flash_read(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                          void *user)
{
    struct emu *e = emu_of(uc, user);
    (void)type;
    (void)value;
    uint32_t a = cpu_to_phys(e, (uint32_t)address);
    emu_flash_read_seen(e, a);
    if (size > 1)
        emu_flash_read_seen(e, a + (uint32_t)size - 1u);
}

void emu_watch_flash_reads(struct emu *e, bool on)
{
    if (on == e->flash_read_watched)
        return;
    e->flash_read_watched = on;
    if (on)
        uc_hook_add(e->uc, &e->flash_read_hook, UC_HOOK_MEM_READ, on_flash_read, e, EMU_FLASH_BASE,
                    EMU_FLASH_BASE + EMU_FLASH_SIZE - 1u);
    else
        uc_hook_del(e->uc, e->flash_read_hook);
}

/* CPU stores into the flash array: the FLASH model decides what the cell
   takes (flashctl.c); the store itself is undone after it lands. */
static bool on_flash_store(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                           void *user)
{
    struct emu *e = emu_of(uc, user);
    (void)type;
    uint32_t a = cpu_to_phys(e, (uint32_t)address);
    /* A store into the flash array starts work: the register reads around
       it are not a poll loop going nowhere (note_access). */
    forget_loop(e);
    return emu_flash_store(e, a, (unsigned)size, (uint32_t)value);
}

uint32_t emu_flash_size(const struct emu *e)
{
    (void)e;
    return EMU_FLASH_SIZE;
}

uint8_t *emu_flash_mem(struct emu *e)
{
    return e->flash;
}

const char *emu_flash_path(const struct emu *e)
{
    return e->flash_path;
}

void emu_flash_stall_until(struct emu *e, uint64_t ns)
{
    if (emu_chip.fetch_stalls_while_busy)
        e->fetch_stall_ps = ns * 1000u;
}

void emu_flash_changed(struct emu *e, uint32_t off, uint32_t len)
{
    /* Code translated from the old content must go, but not from inside a
       hook (unicorn may be translating or running that block): remember
       the range and drop it when the CPU has stopped (at the latest at the
       next event or reset: no firmware runs code it has just programmed
       before a reset). */
    if (!e->code_dirty || off < e->dirty_lo)
        e->dirty_lo = off;
    if (!e->code_dirty || off + len > e->dirty_hi)
        e->dirty_hi = off + len;
    e->code_dirty = true;
}

static void drop_stale_code(struct emu *e)
{
    if (!e->code_dirty)
        return;
    e->code_dirty = false;
    /* Flash is mapped from our buffer, so unicorn does not see the change itself. */
    uc_ctl_remove_cache(e->uc, EMU_FLASH_BASE + e->dirty_lo, EMU_FLASH_BASE + e->dirty_hi);
    uc_ctl_remove_cache(e->uc, e->dirty_lo, e->dirty_hi);
}

/* ---- exceptions (ARMv7-M ARM B1.5.6 entry, B1.5.8 return) ---- */

#define EMU_EXC_RETURN_HANDLER 0xFFFFFFF1u /* back to handler mode, main stack */
#define EMU_EXC_RETURN_THREAD 0xFFFFFFF9u  /* back to thread mode, main stack */
#define EMU_XPSR_ALIGN_Msk (1u << 9)       /* the frame was padded to 8 bytes */
#define EMU_XPSR_IPSR_Msk 0x1FFu           /* exception number */
#define EMU_FRAME_WORDS 8u
#define EMU_VECTOR_TABLE_ALIGN 0x80u       /* VTOR bits 6:0 are zero */


void emu_pend_exception(struct emu *e, int exc)
{
    e->pending |= 1u << exc;
    if (e->halted || exc == EMU_EXC_NMI)
        e->stop_soon = true;
}

void emu_clear_pending(struct emu *e, int exc)
{
    e->pending &= ~(1u << exc);
}

bool emu_exception_pending(const struct emu *e, int exc)
{
    return (e->pending >> exc) & 1u;
}

bool emu_exception_active(const struct emu *e, int exc)
{
    for (unsigned i = 0; i < e->nactive; i++)
        if (e->active[i] == exc)
            return true;
    return false;
}

static int exc_priority(struct emu *e, int exc)
{
    if (exc == EMU_EXC_NMI)
        return -2;
    if (exc == EMU_EXC_HARDFAULT)
        return -1;
    return emu_scs_priority(e, exc);
}

/* Which pending exception preempts now, or 0. */
static int exception_to_take(struct emu *e)
{
    if (e->pending == 0u)
        return 0;
    uint32_t primask = 0;
    uc_reg_read(e->uc, UC_ARM_REG_PRIMASK, &primask);
    int running = 256; /* thread mode: lower than any exception */
    for (unsigned i = 0; i < e->nactive; i++) {
        int p = exc_priority(e, e->active[i]);
        if (p < running)
            running = p;
    }
    int best = 0, best_prio = running;
    for (int exc = 2; exc < 16; exc++) {
        if (!((e->pending >> exc) & 1u))
            continue;
        int p = exc_priority(e, exc);
        if (p >= 0 && (primask & 1u))
            continue; /* PRIMASK masks everything with configurable priority */
        if (p < best_prio) {
            best = exc;
            best_prio = p;
        }
    }
    return best;
}

static bool mem_word(struct emu *e, uint32_t addr, uint32_t *v)
{
    return uc_mem_read(e->uc, addr, v, 4) == UC_ERR_OK;
}

static void backtrace(struct emu *e, FILE *out);

static void enter_exception(struct emu *e, int exc)
{
    static const int frame_regs[EMU_FRAME_WORDS - 1u] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,
                                                          UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR,
                                                          UC_ARM_REG_PC};
    uint32_t frame[EMU_FRAME_WORDS];
    for (unsigned i = 0; i < EMU_FRAME_WORDS - 1u; i++)
        uc_reg_read(e->uc, frame_regs[i], &frame[i]);
    uint32_t apsr_epsr = 0, control = 0, sp = 0;
    uc_reg_read(e->uc, UC_ARM_REG_EAPSR, &apsr_epsr);
    uc_reg_read(e->uc, UC_ARM_REG_CONTROL, &control);
    if (control & 2u) {
        emu_error(e, "exception %d taken while thread mode uses the process stack: not modelled", exc);
        return;
    }
    frame[6] &= ~1u; /* the return address is a halfword address */
    uint32_t ipsr = e->nactive ? (uint32_t)e->active[e->nactive - 1u] : 0u;
    frame[7] = apsr_epsr | ipsr | (1u << 24); /* T bit: Thumb state */
    uc_reg_read(e->uc, UC_ARM_REG_SP, &sp);
    if (sp & 4u) { /* CCR.STKALIGN = 1 (reset value on the M4): 8-byte aligned frames */
        sp -= 4u;
        frame[7] |= EMU_XPSR_ALIGN_Msk;
    }
    sp -= EMU_FRAME_WORDS * 4u;
    if (uc_mem_write(e->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
        emu_error(e, "stacking for exception %d failed: SP 0x%08x is not RAM (MSTKERR)", exc, (unsigned)sp);
        return;
    }
    uint32_t vtor = emu_scs_vtor(e), handler = 0;
    if (!mem_word(e, vtor + 4u * (uint32_t)exc, &handler)) {
        emu_error(e, "vector %d at 0x%08x cannot be read (VTOR 0x%08x)", exc, (unsigned)(vtor + 4u * (uint32_t)exc),
                  (unsigned)vtor);
        return;
    }
    if ((handler & 1u) == 0u) {
        emu_error(e, "vector %d is 0x%08x: not a Thumb address (UsageFault INVSTATE)", exc, (unsigned)handler);
        return;
    }
    uint32_t lr = e->nactive ? EMU_EXC_RETURN_HANDLER : EMU_EXC_RETURN_THREAD;
    uint32_t xpsr_clean = 0;
    uc_reg_write(e->uc, UC_ARM_REG_SP, &sp);
    uc_reg_write(e->uc, UC_ARM_REG_LR, &lr);
    uc_reg_write(e->uc, UC_ARM_REG_EAPSR_NZCVQG, &xpsr_clean);
    uc_reg_write(e->uc, UC_ARM_REG_PC, &handler);
    if (e->verbose >= 2)
        emu_log(e, "exception %d taken, return to 0x%08x, handler 0x%08x", exc, (unsigned)frame[6],
                (unsigned)handler);
    e->pending &= ~(1u << exc);
    e->active[e->nactive++] = exc;
    forget_loop(e);
    add_cycles(e, 12u); /* Cortex-M4 TRM 3.3: 12 cycles interrupt latency */
}

static void return_from_exception(struct emu *e, uint32_t exc_return)
{
    if (e->nactive == 0u) {
        emu_error(e, "EXC_RETURN 0x%08x in thread mode", (unsigned)exc_return);
        return;
    }
    bool to_handler = exc_return == EMU_EXC_RETURN_HANDLER;
    if (exc_return != EMU_EXC_RETURN_HANDLER && exc_return != EMU_EXC_RETURN_THREAD) {
        emu_error(e, "EXC_RETURN 0x%08x not modelled (process stack or FP frame)", (unsigned)exc_return);
        return;
    }
    if (to_handler != (e->nactive > 1u)) {
        emu_error(e, "EXC_RETURN 0x%08x does not match the nesting (INVPC UsageFault)", (unsigned)exc_return);
        return;
    }
    uint32_t sp = 0, frame[EMU_FRAME_WORDS];
    uc_reg_read(e->uc, UC_ARM_REG_SP, &sp);
    if (uc_mem_read(e->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
        emu_error(e, "unstacking from 0x%08x failed", (unsigned)sp);
        return;
    }
    static const int frame_regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R12,
                                      UC_ARM_REG_LR};
    for (unsigned i = 0; i < 6u; i++)
        uc_reg_write(e->uc, frame_regs[i], &frame[i]);
    sp += EMU_FRAME_WORDS * 4u;
    if (frame[7] & EMU_XPSR_ALIGN_Msk)
        sp += 4u;
    uint32_t psr = frame[7] & ~EMU_XPSR_IPSR_Msk; /* QEMU stays in thread mode: IPSR 0 */
    uint32_t pc = frame[6] | 1u;
    uc_reg_write(e->uc, UC_ARM_REG_SP, &sp);
    uc_reg_write(e->uc, UC_ARM_REG_EAPSR_NZCVQG, &psr);
    uc_reg_write(e->uc, UC_ARM_REG_PC, &pc);
    e->nactive--;
    forget_loop(e);
    add_cycles(e, 12u);
}

static void backtrace(struct emu *e, FILE *out)
{
    uint32_t pc = 0, lr = 0, sp = 0;
    uc_reg_read(e->uc, UC_ARM_REG_PC, &pc);
    uc_reg_read(e->uc, UC_ARM_REG_LR, &lr);
    uc_reg_read(e->uc, UC_ARM_REG_SP, &sp);
    char a[96], b[96];
    const char *ps = elf_symbolize(&e->syms, pc, a, sizeof a);
    const char *ls = elf_symbolize(&e->syms, lr, b, sizeof b);
    fprintf(out, "  pc 0x%08x %s\n  lr 0x%08x %s\n  sp 0x%08x\n", (unsigned)pc, ps ? ps : "?", (unsigned)lr,
            ls ? ls : "?", (unsigned)sp);
    /* No unwind tables in the image: words on the stack that point just
       after a call inside a known function are the likely callers. */
    fprintf(out, "  backtrace (stack scan):\n");
    for (uint32_t i = 0; i < EMU_BACKTRACE_WORDS; i++) {
        uint32_t w = 0;
        if (!mem_word(e, sp + 4u * i, &w))
            break;
        char c[96];
        if ((w & 1u) && elf_symbolize(&e->syms, w - 1u, c, sizeof c))
            fprintf(out, "    [sp+0x%03x] 0x%08x %s\n", (unsigned)(4u * i), (unsigned)w, c);
    }
}

/* ---- resets ---- */

static const char *reset_name(enum emu_reset_kind k)
{
    switch (k) {
    case EMU_RESET_POWER_ON: return "power-on reset";
    case EMU_RESET_NRST: return "NRST pin reset";
    case EMU_RESET_SOFTWARE: return "software reset (SYSRESETREQ)";
    case EMU_RESET_IWDG: return "independent watchdog reset";
    case EMU_RESET_PERIPH: return "peripheral reset";
    }
    return "reset";
}

void emu_request_reset(struct emu *e, enum emu_reset_kind kind)
{
    if (!e->reset_requested || kind == EMU_RESET_POWER_ON) {
        e->reset_requested = true;
        e->reset_kind = kind;
    }
    e->stop_soon = true;
}

void emu_nrst(struct emu *e)
{
    emu_request_reset(e, EMU_RESET_NRST);
}

enum emu_reset_kind emu_last_reset(const struct emu *e)
{
    return e->last_reset;
}


/* xorshift32: RAM content after power-on is not zero on silicon. */
static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* Paint the bootloader's stack area (from the end of .bss to the initial
   SP, in the first SRAM) so the deepest use can be found afterwards. */
static void paint_stack(struct emu *e)
{
    uint32_t lo = e->stack_bottom, hi = e->stack_top;
    if (lo < emu_chip.ram[0].base || hi > emu_chip.ram[0].base + emu_chip.ram[0].size || lo >= hi)
        return;
    for (uint32_t a = (lo + 3u) & ~3u; a + 4u <= hi; a += 4u) {
        uint32_t v = EMU_STACK_PAINT;
        memcpy(e->ram[0] + (a - emu_chip.ram[0].base), &v, 4);
    }
}

uint32_t emu_stack_peak(const struct emu *e)
{
    uint32_t lo = e->stack_bottom, hi = e->stack_top;
    if (lo < emu_chip.ram[0].base || hi > emu_chip.ram[0].base + emu_chip.ram[0].size || lo >= hi)
        return 0;
    uint32_t a = (lo + 3u) & ~3u;
    for (; a + 4u <= hi; a += 4u) {
        uint32_t v;
        memcpy(&v, e->ram[0] + (a - emu_chip.ram[0].base), 4);
        if (v != EMU_STACK_PAINT)
            break;
    }
    return hi - a;
}

static void do_reset(struct emu *e, enum emu_reset_kind kind)
{
    settle(e);
    e->last_reset = kind;
    if (kind == EMU_RESET_POWER_ON) {
        /* Power was off: SRAM holds nothing useful (RM0432 2.2.3: no SRAM
           content guarantee after power down). */
        for (unsigned i = 0; i < emu_chip.nram; i++)
            fill_random(e->ram[i], emu_chip.ram[i].size, 0x5EED0001u + i + e->watch.power_cuts);
        paint_stack(e);
    } else {
        e->watch.resets++;
    }
    for (unsigned i = 0; i < e->nperiph; i++)
        if (e->periph[i].reset)
            e->periph[i].reset(e->periph[i].ctx, kind);
    e->swap_pending = false;
    if (e->swapped)
        map_flash(e, false); /* a system reset clears FB_MODE (RM0432 9.2.1) */
    memcpy(e->noinit_at_reset, e->ram[0], sizeof e->noinit_at_reset);
    memcpy(e->log_at_reset, e->flash + (DB_RECORD_ADDR - EMU_FLASH_BASE), sizeof e->log_at_reset);
    e->csr_at_reset = emu_rcc_csr(e);
    e->button_seen = false;
    e->pending = 0;
    e->nactive = 0;
    e->halted = false;
    forget_loop(e);
    /* No translation cache flush here: every flash change already dropped
       the code translated from it (emu_flash_changed), and a full flush
       costs a second (it clears unicorn's whole code buffer). */
    /* Cortex-M reset (ARMv7-M B1.5.5): MSP from the vector table at 0 (the
       flash boot alias), PC from its reset vector, thread mode, PRIMASK 0. */
    uint32_t sp = 0, pc = 0, zero = 0;
    mem_word(e, 0u, &sp);
    mem_word(e, 4u, &pc);
    static const int regs[] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
                               UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9,
                               UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        uc_reg_write(e->uc, regs[i], &zero);
    uint32_t lr = 0xFFFFFFFFu; /* ARMv7-M: LR reset value */
    uc_reg_write(e->uc, UC_ARM_REG_CONTROL, &zero);
    uc_reg_write(e->uc, UC_ARM_REG_PRIMASK, &zero);
    uc_reg_write(e->uc, UC_ARM_REG_SP, &sp);
    uc_reg_write(e->uc, UC_ARM_REG_LR, &lr);
    uc_reg_write(e->uc, UC_ARM_REG_EAPSR_NZCVQG, &zero);
    uc_reg_write(e->uc, UC_ARM_REG_PC, &pc);
    e->watch.app_started = false;
    e->watch.drive_started = false;
    e->no_usb_stop = false;
    e->paused = false;
    emu_set_hclk(e, emu_chip.reset_hz);
    emu_log(e, "%s: RCC_CSR 0x%08x, SP 0x%08x, reset handler 0x%08x", reset_name(kind), (unsigned)emu_rcc_csr(e),
            (unsigned)sp, (unsigned)pc);
    if ((pc & 1u) == 0u)
        emu_error(e, "reset vector 0x%08x is not a Thumb address: the chip would lock up", (unsigned)pc);
}

void emu_power_on(struct emu *e)
{
    e->stopped = false;
    do_reset(e, EMU_RESET_POWER_ON);
}

void emu_pause_at_app(struct emu *e, bool on)
{
    e->pause_at_app = on;
    if (!on)
        e->paused = false; /* held at the jump: the app goes on from there */
}

bool emu_paused(const struct emu *e)
{
    return e->paused;
}

/* ---- board inputs ---- */

void emu_set_button(struct emu *e, bool held)
{
    e->button = held;
}

bool emu_button(const struct emu *e)
{
    return e->button;
}

void emu_note_button_read(struct emu *e, bool level)
{
    if (!e->button_seen) {
        e->button_seen = true;
        e->button_at_read = level;
    }
}

/* ---- the run loop ---- */

#define EMU_WFI_INSN 0xBF30u /* Thumb WFI */

static bool halted_on_wfi(struct emu *e)
{
    uint32_t pc = pc_now(e);
    uint16_t insn = 0;
    return uc_mem_read(e->uc, pc - 2u, &insn, 2) == UC_ERR_OK && insn == EMU_WFI_INSN;
}

bool emu_run_until(struct emu *e, uint64_t until_ns)
{
    uint64_t until_ps = until_ns * 1000u;
    while (!e->stopped && !e->no_usb_stop && (!e->paused || e->reset_requested) && e->ps < until_ps) {
        if (e->reset_requested) {
            e->reset_requested = false;
            do_reset(e, e->reset_kind);
            continue;
        }
        if (e->swap_pending) {
            e->swap_pending = false;
            map_flash(e, e->swap_wanted);
            continue;
        }
        uint64_t next = poll_timers(e);
        if (e->reset_requested || e->stopped)
            continue;
        int exc = exception_to_take(e);
        if (exc != 0) {
            e->halted = false;
            enter_exception(e, exc);
            continue;
        }
        uint64_t stop = next < until_ps ? next : until_ps;
        if (e->halted || e->poll_skip) {
            /* Asleep in WFI or spinning on a register: nothing changes
               until the next event. */
            e->poll_skip = false;
            forget_loop(e);
            if (stop > e->ps)
                skip_to_ps(e, stop);
            if (e->halted && e->ps >= until_ps)
                break;
            if (e->halted)
                continue;
        }
        e->stop_ps = stop;
        uint32_t pc = pc_now(e) | 1u;
        uc_err err = uc_emu_start(e->uc, pc, 0, 0, 0);
        /* Unicorn also returns by itself when the CPU executes WFI. */
        bool asked = e->stop_soon || e->ps >= e->stop_ps || e->poll_skip || e->reset_requested;
        e->stop_soon = false;
        drop_stale_code(e);
        if (e->stopped || e->no_usb_stop || e->paused)
            break;
        uint32_t now_pc = pc_now(e);
        /* QEMU reports the branch to an EXC_RETURN value either as a fetch
           from unmapped memory or as its own exception-exit trap. */
        if ((err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_EXCEPTION) && now_pc >= EMU_EXC_RETURN_PAGE) {
            return_from_exception(e, now_pc | 1u);
            continue;
        }
        if (err != UC_ERR_OK) {
            emu_error(e, "CPU stopped: %s at pc 0x%08x (HardFault)", uc_strerror(err), (unsigned)now_pc);
            break;
        }
        /* WFI does not sleep while an exception is pending, masked or not. */
        if (!asked && e->pending == 0u && halted_on_wfi(e))
            e->halted = true;
    }
    if (e->stopped && emu_error_count(e) > 0)
        backtrace(e, stderr);
    return !e->stopped;
}

/* ---- creation ---- */

static int open_flash(struct emu *e, const char *path)
{
    e->flash_fd = open(path, O_RDWR | O_CREAT, 0644);
    if (e->flash_fd < 0) {
        fprintf(stderr, "dropboot-emu: cannot open flash image %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(e->flash_fd, &st) != 0)
        return -1;
    if (st.st_size == 0) {
        /* A new image is an erased chip, as dropboot-sim creates it. */
        uint8_t *erased = malloc(EMU_FLASH_SIZE);
        if (erased == NULL)
            return -1;
        memset(erased, 0xFF, EMU_FLASH_SIZE);
        ssize_t n = pwrite(e->flash_fd, erased, EMU_FLASH_SIZE, 0);
        free(erased);
        if (n != (ssize_t)EMU_FLASH_SIZE)
            return -1;
    } else if (st.st_size != (off_t)EMU_FLASH_SIZE) {
        fprintf(stderr, "dropboot-emu: %s is %lld bytes, not a %u-byte flash image\n", path, (long long)st.st_size,
                (unsigned)EMU_FLASH_SIZE);
        return -1;
    }
    /* Shared mapping: every change the chip makes is in the file at once. */
    void *m = mmap(NULL, EMU_FLASH_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, e->flash_fd, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return -1;
    }
    e->flash = m;
    return 0;
}

void emu_set_uid(struct emu *e, const uint32_t uid[3])
{
    memcpy(e->sysinfo + (emu_chip.uid_addr - emu_chip.sysinfo_base), uid, 3u * sizeof uid[0]);
}

static void init_sysinfo(struct emu *e)
{
    memset(e->sysinfo, 0xFF, emu_chip.sysinfo_size);
    /* A fixed 96-bit unique ID: lot, wafer and X/Y as the factory writes them. */
    static const uint32_t uid[3] = {0x00470025u, 0x4D4B5011u, 0x20383650u};
    memcpy(e->sysinfo + (emu_chip.uid_addr - emu_chip.sysinfo_base), uid, sizeof uid);
    uint16_t kb = EMU_FLASH_SIZE / 1024u;
    memcpy(e->sysinfo + (emu_chip.flashsize_addr - emu_chip.sysinfo_base), &kb, sizeof kb);
    if (emu_chip.package_addr != 0u)
        memcpy(e->sysinfo + (emu_chip.package_addr - emu_chip.sysinfo_base), &emu_chip.package,
               sizeof emu_chip.package);
    /* The OTP area (the first 1 KB) reads erased, 0xFF, as on a new chip. */
}

static int map_memory(struct emu *e)
{
    uc_err err = UC_ERR_OK;
    const uint32_t rx = UC_PROT_READ | UC_PROT_EXEC, rwx = UC_PROT_ALL;
    /* Flash at its address and at 0 (boot from main flash: BOOT0 low, RM0432 2.6). */
    err |= uc_mem_map_ptr(e->uc, EMU_FLASH_BASE, EMU_FLASH_SIZE, rx, e->flash);
    err |= uc_mem_map_ptr(e->uc, 0, EMU_FLASH_SIZE, rx, e->flash);
    for (unsigned i = 0; i < emu_chip.nram; i++) {
        const struct emu_chip_ram *r = &emu_chip.ram[i];
        err |= uc_mem_map_ptr(e->uc, r->base, r->size, rwx, e->ram[i]);
        if (r->alias != 0u)
            err |= uc_mem_map_ptr(e->uc, r->alias, r->size, rwx, e->ram[i]);
    }
    err |= uc_mem_map_ptr(e->uc, emu_chip.sysinfo_base, emu_chip.sysinfo_size, UC_PROT_READ, e->sysinfo);
    for (unsigned w = 0; w < emu_chip.nwindow; w++)
        err |= uc_mmio_map(e->uc, emu_chip.window[w].base, emu_chip.window[w].size, window_read[w], e,
                           window_write[w], e);
    if (err != UC_ERR_OK) {
        fprintf(stderr, "dropboot-emu: memory map failed\n");
        return -1;
    }
    uc_hook h;
    err |= uc_hook_add(e->uc, &h, UC_HOOK_BLOCK, on_block, e, 1, 0);
    err |= uc_hook_add(e->uc, &h, UC_HOOK_MEM_UNMAPPED, on_unmapped, e, 1, 0);
    err |= uc_hook_add(e->uc, &h, UC_HOOK_MEM_WRITE_PROT, on_flash_store, e, EMU_FLASH_BASE,
                       EMU_FLASH_BASE + EMU_FLASH_SIZE - 1u);
    err |= uc_hook_add(e->uc, &h, UC_HOOK_MEM_WRITE_PROT, on_flash_store, e, 0, EMU_FLASH_SIZE - 1u);
    return err == UC_ERR_OK ? 0 : -1;
}

struct emu *emu_create(const char *firmware_path, const char *flash_file)
{
    struct emu *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->flash_fd = -1;
    e->verbose = 0;
    bool rams = true;
    for (unsigned i = 0; i < emu_chip.nram; i++) {
        e->ram[i] = calloc(1, emu_chip.ram[i].size);
        rams = rams && e->ram[i] != NULL;
    }
    e->sysinfo = malloc(emu_chip.sysinfo_size);
    e->flash_path = strdup(flash_file);
    emu_set_hclk(e, emu_chip.reset_hz);
    if (e->sysinfo != NULL)
        init_sysinfo(e);
    if (!rams || e->sysinfo == NULL || e->flash_path == NULL || open_flash(e, flash_file) != 0 ||
        elf_load(firmware_path, e->flash, EMU_FLASH_BASE, EMU_FLASH_SIZE, &e->syms) != 0) {
        emu_destroy(e);
        return NULL;
    }
    e->stack_top = elf_lookup(&e->syms, "_estack");
    e->stack_bottom = elf_lookup(&e->syms, "_ebss");
    uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &e->uc);
    if (err == UC_ERR_OK)
        err = uc_ctl_set_cpu_model(e->uc, UC_CPU_ARM_CORTEX_M4);
    if (err != UC_ERR_OK || map_memory(e) != 0) {
        fprintf(stderr, "dropboot-emu: unicorn: %s\n", uc_strerror(err));
        emu_destroy(e);
        return NULL;
    }
    emu_chip.attach(e);
    return e;
}

void emu_destroy(struct emu *e)
{
    if (e == NULL)
        return;
    if (e->uc)
        uc_close(e->uc);
    if (e->flash) {
        msync(e->flash, EMU_FLASH_SIZE, MS_SYNC);
        munmap(e->flash, EMU_FLASH_SIZE);
    }
    if (e->flash_fd >= 0)
        close(e->flash_fd);
    for (unsigned i = 0; i < e->nerrors; i++)
        free(e->errors[i]);
    elf_syms_free(&e->syms);
    for (unsigned i = 0; i < e->nallocs; i++)
        free(e->allocs[i]);
    for (unsigned i = 0; i < EMU_CHIP_RAMS; i++)
        free(e->ram[i]);
    free(e->sysinfo);
    free(e->flash_path);
    free(e);
}

