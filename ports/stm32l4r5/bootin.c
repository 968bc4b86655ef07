/* Boot inputs and the jump guard for the STM32L4R5 port (see bootin.h). */
#include "bootin.h"

#include <stddef.h>

#include "config.h"
#include "regs_rcc.h"

#define BOOTIN_VTOR_ALIGN 512u     /* 111 vectors round up to 128 words: VTOR alignment */
#define BOOTIN_VECTOR_BYTES (111u * 4u)
#define BOOTIN_SRAM2_BASE 0x10000000u /* RM0432: SRAM2, 64 KB, also aliased at 0x20030000 */
#define BOOTIN_SRAM2_END 0x10010000u

#define BOOTIN_OTHER_RESETS (RCC_CSR_OBLRSTF_Msk | RCC_CSR_BORRSTF_Msk | RCC_CSR_SFTRSTF_Msk | \
                             RCC_CSR_IWDGRSTF_Msk | RCC_CSR_WWDGRSTF_Msk | RCC_CSR_LPWRRSTF_Msk)

bool bootin_pin_reset(uint32_t rcc_csr)
{
    return (rcc_csr & RCC_CSR_PINRSTF_Msk) != 0u && (rcc_csr & BOOTIN_OTHER_RESETS) == 0u;
}

bool bootin_ram_lost(uint32_t rcc_csr)
{
    return (rcc_csr & RCC_CSR_BORRSTF_Msk) != 0u;
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
       SRAM2 at its own address is a place some apps keep the stack. */
    bool in_ram = sp > DB_RAM_BASE && sp <= DB_RAM_END;
    bool in_sram2 = sp > BOOTIN_SRAM2_BASE && sp <= BOOTIN_SRAM2_END;
    if (sp % 4u != 0u || !(in_ram || in_sram2))
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
