/*
 * IWDG model (RM0432 "Independent watchdog (IWDG)" chapter): keys, the write-protected
 * prescaler and reload registers, their update flags, and the down-counter
 * on the LSI that resets the chip when it reaches zero. A system reset
 * stops it (software watchdog: option bit IWDG_SW = 1, the factory value).
 */
#include "machine.h"

#define IWDG_BASE 0x40003000u
#define IWDG_SIZE 0x400u
#define IWDG_KR 0x00u
#define IWDG_PR 0x04u
#define IWDG_RLR 0x08u
#define IWDG_SR 0x0Cu
#define IWDG_WINR 0x10u
#define IWDG_KEY_START 0xCCCCu
#define IWDG_KEY_RELOAD 0xAAAAu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_RLR_RESET 0xFFFu
#define IWDG_WINR_RESET 0xFFFu
#define IWDG_KEY_Msk 0xFFFFu   /* KR: 16-bit key */
#define IWDG_12BIT_Msk 0xFFFu  /* RLR and WINR are 12 bits */
#define IWDG_SR_PVU 1u
#define IWDG_SR_RVU 2u
#define IWDG_SR_WVU 4u
#define IWDG_LSI_HZ 32000u            /* RM0432 IWDG: LSI about 32 kHz */
#define IWDG_UPDATE_LSI_CYCLES 5u     /* RM0432 IWDG_SR: an update takes up to 5 LSI cycles */
#define NS_PER_S 1000000000ull
#define NEVER UINT64_MAX

struct emu_iwdg {
    struct emu *e;
    bool running, unlocked;
    uint32_t pr, rlr, winr, sr;
    uint64_t expires_ns;
    uint64_t sr_clear_ns;
};

static uint64_t period_ns(const struct emu_iwdg *w)
{
    uint64_t div = 4ull << (w->pr > 6u ? 6u : w->pr);
    return ((uint64_t)w->rlr + 1u) * div * NS_PER_S / IWDG_LSI_HZ;
}

static uint64_t iwdg_poll(void *ctx, uint64_t now)
{
    struct emu_iwdg *w = ctx;
    if (w->sr && now >= w->sr_clear_ns)
        w->sr = 0u;
    if (w->running && now >= w->expires_ns) {
        emu_log(w->e, "IWDG: counter reached 0 (%llu ms without refresh)",
                (unsigned long long)(period_ns(w) / 1000000u));
        w->running = false;
        emu_request_reset(w->e, EMU_RESET_IWDG);
        return NEVER;
    }
    uint64_t next = w->running ? w->expires_ns : NEVER;
    if (w->sr && w->sr_clear_ns < next)
        next = w->sr_clear_ns;
    return next;
}

static uint32_t iwdg_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_iwdg *w = ctx;
    (void)width;
    iwdg_poll(w, emu_now_ns(w->e));
    switch (off) {
    case IWDG_KR: return 0u;
    case IWDG_PR: return w->pr;
    case IWDG_RLR: return w->rlr;
    case IWDG_SR: return w->sr;
    case IWDG_WINR: return w->winr;
    default:
        emu_error(w->e, "IWDG: read of offset 0x%03x not modelled", (unsigned)off);
        return 0u;
    }
}

static void start_update(struct emu_iwdg *w, uint32_t flag)
{
    w->sr |= flag;
    w->sr_clear_ns = emu_now_ns(w->e) + IWDG_UPDATE_LSI_CYCLES * NS_PER_S / IWDG_LSI_HZ;
}

static void iwdg_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct emu_iwdg *w = ctx;
    (void)width;
    uint64_t now = emu_now_ns(w->e);
    switch (off) {
    case IWDG_KR:
        v &= IWDG_KEY_Msk;
        if (v == IWDG_KEY_START) {
            emu_rcc_force_lsi(w->e);
            w->running = true;
            w->expires_ns = now + period_ns(w);
        } else if (v == IWDG_KEY_RELOAD) {
            w->expires_ns = now + period_ns(w);
        }
        /* RM0432 IWDG register access protection: only 0x5555 opens PR/RLR/WINR; any other key closes them. */
        w->unlocked = v == IWDG_KEY_ACCESS;
        break;
    case IWDG_PR:
    case IWDG_RLR:
    case IWDG_WINR:
        if (!w->unlocked) {
            emu_error(w->e, "IWDG: write to +0x%02x without the 0x5555 key (RM0432 IWDG register access protection): ignored by "
                      "the chip", (unsigned)off);
            return;
        }
        if (off == IWDG_PR) {
            w->pr = v & 7u;
            start_update(w, IWDG_SR_PVU);
        } else if (off == IWDG_RLR) {
            w->rlr = v & IWDG_12BIT_Msk;
            start_update(w, IWDG_SR_RVU);
        } else {
            w->winr = v & IWDG_12BIT_Msk;
            start_update(w, IWDG_SR_WVU);
        }
        break;
    default:
        emu_error(w->e, "IWDG: write to offset 0x%03x not modelled", (unsigned)off);
        break;
    }
}

static void iwdg_reset(void *ctx, int kind)
{
    struct emu_iwdg *w = ctx;
    (void)kind;
    w->running = false;
    w->unlocked = false;
    w->pr = 0u;
    w->rlr = IWDG_RLR_RESET;
    w->winr = IWDG_WINR_RESET;
    w->sr = 0u;
}

void emu_iwdg_attach(struct emu *e)
{
    struct emu_iwdg *w = emu_alloc(e, sizeof *w);
    w->e = e;
    iwdg_reset(w, EMU_RESET_POWER_ON);
    const struct emu_periph d = {"IWDG", IWDG_BASE, IWDG_SIZE, w, iwdg_read, iwdg_write, iwdg_reset};
    emu_add_periph(e, &d);
    emu_add_timer(e, w, iwdg_poll);
}
