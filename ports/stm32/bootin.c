/* Boot inputs and the jump guard for the STM32 ports (see bootin.h). */
#include "bootin.h"

#include <stddef.h>

#include "chip.h"
#include "config.h"

#define BOOTIN_VTOR_ALIGN 512u /* both chips' tables (111, 102 words) round up to 128 words */
#define BOOTIN_VECTOR_BYTES (CHIP_VECTORS * 4u)

_Static_assert(BOOTIN_VECTOR_BYTES <= BOOTIN_VTOR_ALIGN, "VTOR alignment: the next power of two of the table");

bool bootin_pin_reset(uint32_t rcc_csr)
{
    return (rcc_csr & RCC_CSR_PINRSTF_Msk) != 0u && (rcc_csr & CHIP_CSR_OTHER_RESETS) == 0u;
}

bool bootin_ram_lost(uint32_t rcc_csr)
{
    return (rcc_csr & CHIP_CSR_RAM_LOST) != 0u;
}

enum bootin_dr bootin_double_reset(uint32_t rcc_csr, uint32_t marker)
{
    if (!bootin_pin_reset(rcc_csr))
        return BOOTIN_DR_NONE;
    return marker == BOOTIN_DR_MARK ? BOOTIN_DR_DETECTED : BOOTIN_DR_WAIT;
}

void bootin_gather(const struct bootin_noinit *ni, uint32_t rcc_csr, bool button,
                   struct boot_inputs *in)
{
    bool kept = !bootin_ram_lost(rcc_csr);
    in->stay_magic = kept && ni->stay == BOOT_MAGIC_STAY;
    in->button = button;
    in->double_reset = kept && bootin_double_reset(rcc_csr, ni->double_reset) == BOOTIN_DR_DETECTED;
    in->after_update = kept && ni->report.magic == UPDATE_REPORT_MAGIC &&
                       ni->report.stay == UPDATE_STAY_MAGIC;
    in->confirm_seq = (kept && ni->confirm_seq == ni->trial_seq) ? ni->confirm_seq : 0u;
    in->query_only = false;
}

bool bootin_jump_ok(uint32_t vtor, uint32_t sp, uint32_t pc)
{
    if (vtor % BOOTIN_VTOR_ALIGN != 0u || vtor < DB_APP_BASE || vtor >= DB_APP_END)
        return false;
    /* The initial SP may be the very end of RAM (full-descending stack);
       the chip may have other RAM some apps keep the stack in. */
    bool in_ram = sp > DB_RAM_BASE && sp <= DB_RAM_END;
    bool in_alt = sp > CHIP_ALT_RAM_BASE && sp <= CHIP_ALT_RAM_END;
    if (sp % 4u != 0u || !(in_ram || in_alt))
        return false;
    if ((pc & 1u) == 0u)
        return false; /* Cortex-M only runs Thumb code: bit 0 must be set */
    uint32_t entry = pc & ~1u;
    return entry >= vtor + BOOTIN_VECTOR_BYTES && entry < DB_APP_END;
}

bool bootin_reset_due(bool usb_idle, uint32_t waited_ms)
{
    return usb_idle || waited_ms >= BOOTIN_RESET_GRACE_MS;
}

_Static_assert(BOOTIN_STAY_ADDR + BOOTIN_TRIAL_OFFSET == 0x20000028u, "dropboot_app.h: DROPBOOT_TRIAL_ADDR");
_Static_assert(offsetof(struct bootin_noinit, trial_seq) == BOOTIN_TRIAL_OFFSET, "dropboot_app.h reads the trial here");
_Static_assert(offsetof(struct bootin_noinit, confirm_seq) == BOOTIN_CONFIRM_OFFSET, "dropboot_app.h writes the confirm here");
_Static_assert(sizeof(struct bootin_noinit) <= BOOTIN_NOINIT_BYTES, "the words that survive a reset fit their 64 bytes");
