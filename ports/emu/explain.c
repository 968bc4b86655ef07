/* core/boot.c's decision over the emulated flash (see explain.h). */
#include "explain.h"

#include <string.h>

#include "bootin.h"
#include "config.h"
#include "flash.h"

/* flash.h for core/ on the PC: reads of the emulated array, no writes
   (explaining never changes flash). */
static const uint8_t *explain_flash;
static const uint8_t *explain_log; /* the record log at the reset, or NULL: read the flash */

enum flash_status flash_read(uint32_t addr, uint8_t *dst, uint32_t len)
{
    const uint32_t end = DB_FLASH_BASE + DB_FLASH_SIZE;
    if (explain_flash == NULL || addr < DB_FLASH_BASE || addr >= end || len > end - addr)
        return FLASH_ERR_PROTECTED;
    if (explain_log != NULL && addr >= DB_RECORD_ADDR && addr - DB_RECORD_ADDR + len <= EXPLAIN_LOG_BYTES)
        memcpy(dst, explain_log + (addr - DB_RECORD_ADDR), len);
    else
        memcpy(dst, explain_flash + (addr - DB_FLASH_BASE), len);
    return FLASH_OK;
}

enum flash_status flash_erase_page(uint32_t addr)
{
    (void)addr;
    return FLASH_ERR_HW;
}

enum flash_status flash_erase_bank(uint32_t addr)
{
    (void)addr;
    return FLASH_ERR_HW;
}

enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len)
{
    (void)addr;
    (void)data;
    (void)len;
    return FLASH_ERR_HW;
}

void explain_decide(const uint8_t *flash, const struct boot_inputs *in, struct boot_decision *d)
{
    explain_flash = flash;
    boot_decide(in, d);
    explain_flash = NULL;
}

void explain_boot(const uint8_t *flash, const uint8_t log_at_reset[EXPLAIN_LOG_BYTES],
                  const uint8_t noinit[EXPLAIN_NOINIT_BYTES], uint32_t rcc_csr, bool button, struct boot_decision *d)
{
    _Static_assert(sizeof(struct bootin_noinit) <= EXPLAIN_NOINIT_BYTES, "the .noinit words fit the snapshot");
    struct bootin_noinit ni;
    memcpy(&ni, noinit, sizeof ni);
    struct boot_inputs in;
    bootin_gather(&ni, rcc_csr, button, &in);
    explain_log = log_at_reset;
    explain_decide(flash, &in, d);
    explain_log = NULL;
}
