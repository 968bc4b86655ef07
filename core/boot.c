/*
 * The boot decision. Requests to stay win over a good app (the user or the
 * app asked); otherwise the app starts only with a valid record and a vector
 * table a Cortex-M could start from. The image's CRC-32 was checked at
 * commit, before its record was written; it is read again here only with
 * DB_BOOT_FULL_CRC (the reasons: docs/boot-integrity.md).
 */
#include "boot.h"

#include <string.h>

#include "bootrec.h"
#include "config.h"
#include "flash.h"

#define BOOT_THUMB_BIT 1u      /* ARMv7-M: a vector's bit 0 must be 1 (Thumb state) */
#define BOOT_SP_ALIGN 4u       /* ARMv7-M: the core ignores SP bits [1:0]; a value with them set is not a stack */
#define BOOT_VECTORS_BYTES 8u  /* initial SP and reset handler, the first two words */

bool boot_vectors_plausible(uint32_t sp, uint32_t pc, uint32_t app_size)
{
    /* Full-descending stack: the initial SP is one past the top, so the end of RAM is fine. */
    if (sp % BOOT_SP_ALIGN != 0 || sp <= DB_RAM_BASE || sp > DB_RAM_END)
        return false;
    if ((pc & BOOT_THUMB_BIT) == 0)
        return false;
    uint32_t entry = pc & ~BOOT_THUMB_BIT;
    return entry >= DB_APP_BASE + BOOT_VECTORS_BYTES && entry - DB_APP_BASE < app_size;
}

static enum boot_reason stay_request(const struct boot_inputs *in)
{
    /* The app's request first: it is why the chip reset, even when the
       button that made the app ask is still held when the bootloader looks. */
    if (in->stay_magic)
        return BOOT_STAY_REQUESTED;
    if (in->button)
        return BOOT_STAY_BUTTON;
    if (in->double_reset)
        return BOOT_STAY_DOUBLE_RESET;
    if (in->after_update)
        return BOOT_STAY_AFTER_UPDATE;
    return BOOT_START_APP;
}

/* Can this image start: a vector table a Cortex-M could start from, read
 * through ECC (and, with DB_BOOT_FULL_CRC, every byte matching the CRC)? */
static enum boot_reason image_ok(const struct bootrec *r, uint32_t vec[2])
{
    if (DB_BOOT_FULL_CRC && !bootrec_app_intact(r))
        return BOOT_STAY_APP_CORRUPT;
    if (r->app_size < BOOT_VECTORS_BYTES || flash_read(r->phys, (uint8_t *)vec, BOOT_VECTORS_BYTES) != FLASH_OK)
        return BOOT_STAY_BAD_VECTORS;
    if (!boot_vectors_plausible(vec[0], vec[1], r->app_size))
        return BOOT_STAY_BAD_VECTORS;
    return BOOT_START_APP;
}

static void log_about(struct bootrec_state *st, const struct boot_inputs *in, uint32_t type, const struct bootrec *r)
{
    if (in->query_only)
        return;
    struct bootrec_entry e = {.type = type, .seq = r->seq, .slot = r->slot};
    (void)bootrec_append(st, &e); /* a failed write only costs the count: the next boot writes again */
}

/*
 * Which image starts: the newest one, unless it is on trial and was started
 * DB_TRIAL_BOOTS times without a confirm (then it is rejected and the other
 * slot's image starts: a rollback), or it is broken (then the other one).
 */
static enum boot_reason check_app(const struct boot_inputs *in, struct boot_decision *d)
{
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    if (a == NULL)
        return BOOT_STAY_NO_RECORD;
    if (!a->confirmed && in->confirm_seq == a->seq)
        log_about(&st, in, BOOTREC_CONFIRM, a);
    bool confirmed = a->confirmed || in->confirm_seq == a->seq;
    /* attempts >= DB_TRIAL_BOOTS, written so that DB_TRIAL_BOOTS 0 (no
       trial: the F411, or -DDB_TRIAL_BOOTS=0) is not an always-true compare
       to -Wtype-limits. */
    if (DB_TRIAL_BOOTS > 0u && !confirmed && a->attempts + 1u > DB_TRIAL_BOOTS) {
        const struct bootrec *back = bootrec_other(&st, a);
        log_about(&st, in, BOOTREC_REJECT, a);
        if (back == NULL)
            return BOOT_STAY_NO_RECORD;
        d->rolled_back = true;
        a = back;
        confirmed = a->confirmed;
    }
    uint32_t vec[2];
    enum boot_reason why = image_ok(a, vec);
    if (why != BOOT_START_APP) {
        const struct bootrec *o = bootrec_other(&st, a);
        if (o == NULL || image_ok(o, vec) != BOOT_START_APP)
            return why;
        a = o;
        confirmed = a->confirmed;
    }
    d->trial = !confirmed;
    d->attempts = a->attempts + (d->trial ? 1u : 0u);
    if (d->trial)
        log_about(&st, in, BOOTREC_ATTEMPT, a);
    d->slot = a->slot;
    d->swap = (a->slot == BOOTREC_SLOT_B);
    d->seq = a->seq;
    d->app_sp = vec[0];
    d->app_pc = vec[1];
    return BOOT_START_APP;
}

void boot_decide(const struct boot_inputs *in, struct boot_decision *d)
{
    memset(d, 0, sizeof *d);
    d->reason = stay_request(in);
    if (d->reason != BOOT_START_APP)
        return;
    d->reason = check_app(in, d);
    if (d->reason != BOOT_START_APP)
        d->app_sp = d->app_pc = 0;
}

const char *boot_reason_text(enum boot_reason r)
{
    switch (r) {
    case BOOT_START_APP: return "start app: valid boot record (image CRC-32 checked at commit), vectors plausible";
    case BOOT_STAY_NO_RECORD: return "no valid boot record (no app yet, or an update did not finish)";
    case BOOT_STAY_APP_CORRUPT: return "app image does not match its boot record (CRC-32 mismatch or unreadable flash)";
    case BOOT_STAY_BAD_VECTORS: return "app vector table is not plausible (stack pointer or reset handler)";
    case BOOT_STAY_REQUESTED: return "the app asked to stay in the bootloader";
    case BOOT_STAY_BUTTON: return "user button held at reset";
    case BOOT_STAY_DOUBLE_RESET: return "double reset";
    case BOOT_STAY_AFTER_UPDATE: return "update attempt ended without a new app; see STATUS.TXT";
    }
    return "unknown boot reason";
}
