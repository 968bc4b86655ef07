/*
 * The boot decision. Requests to stay win over a good app (the user or the
 * app asked); otherwise the app starts only with a valid record, an image
 * whose CRC matches it, and a vector table a Cortex-M could start from.
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
    if (in->button)
        return BOOT_STAY_BUTTON;
    if (in->stay_magic)
        return BOOT_STAY_REQUESTED;
    if (in->double_reset)
        return BOOT_STAY_DOUBLE_RESET;
    if (in->after_update)
        return BOOT_STAY_AFTER_UPDATE;
    return BOOT_START_APP;
}

static enum boot_reason check_app(struct boot_decision *d)
{
    struct bootrec rec;
    if (!bootrec_read(&rec))
        return BOOT_STAY_NO_RECORD;
    if (!bootrec_app_intact(&rec))
        return BOOT_STAY_APP_CORRUPT;
    uint32_t vec[2];
    if (rec.app_size < sizeof vec || flash_read(DB_APP_BASE, (uint8_t *)vec, sizeof vec) != FLASH_OK)
        return BOOT_STAY_BAD_VECTORS;
    if (!boot_vectors_plausible(vec[0], vec[1], rec.app_size))
        return BOOT_STAY_BAD_VECTORS;
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
    d->reason = check_app(d);
    if (d->reason != BOOT_START_APP)
        d->app_sp = d->app_pc = 0;
}

const char *boot_reason_text(enum boot_reason r)
{
    switch (r) {
    case BOOT_START_APP: return "start app: valid boot record, image CRC-32 matches, vectors plausible";
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
