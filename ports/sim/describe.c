/*
 * A boot decision in words, the same for dropboot-sim and dropboot-emu (so
 * scripts that read one read the other): "start app at 0x08008000 (slot B at
 * 0x08108000, banks swapped, trial start 1 of 3, ...)" or "stay in
 * bootloader: <why>".
 */
#include "describe.h"

#include <stdio.h>

#include "bootrec.h"
#include "config.h"

void describe_boot(const struct boot_decision *d, char *out, size_t n)
{
    static const char *const slot_name[] = {"A", "B", "A+B (single slot)"};
    if (d->reason != BOOT_START_APP) {
        snprintf(out, n, "stay in bootloader: %s", boot_reason_text(d->reason));
        return;
    }
    char trial[48] = "confirmed";
    if (d->trial)
        snprintf(trial, sizeof trial, "trial start %u of %u", (unsigned)d->attempts, (unsigned)DB_TRIAL_BOOTS);
    snprintf(out, n, "start app at 0x%08x (slot %s at 0x%08x%s, %s%s, initial SP 0x%08x, reset handler 0x%08x)",
             (unsigned)DB_APP_BASE, slot_name[d->slot % 3u], (unsigned)bootrec_slot_base(d->slot),
             d->swap ? ", banks swapped" : "", trial,
             d->rolled_back ? ", rolled back: the newest image was never confirmed" : "", (unsigned)d->app_sp,
             (unsigned)d->app_pc);
}
