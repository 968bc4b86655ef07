/*
 * flash.h for the STM32F411: sector erase and word programming of the
 * 512 KB single-bank flash through the FLASH controller (RM0383 §3).
 *
 * Assumes a 2.7-3.6 V supply (the Black Pill's 3.3 V): program parallelism
 * x32, so a door double-word is two word writes. Erase is by sector (16,
 * 64 or 128 KB: core/geometry.h with config_chip.h's runs, the unit index
 * being the sector number): flash_erase_page takes the start of a sector
 * and erases that whole sector; any other address is refused as misaligned
 * rather than erasing more than the caller asked. Sectors 0-1 (the
 * bootloader's code) are refused; sectors 2-3 hold the boot record log.
 * The CPU executes from this flash, so it stalls while the controller
 * works; the data and instruction caches are reset afterwards (RM0383:
 * they may hold the erased or old contents).
 * No ECC: a torn program reads back as wrong bytes, never as FLASH_ERR_ECC.
 */
#include "config.h"
#include "flash.h"
#include "flash_f4.h"
#include "flash_io.h"
#include "byteorder.h"
#include "geometry.h"
#include "regs_flash.h"

#define FLASH_ERASED_WORD 0xFFFFFFFFu
#define FLASH_WORD 4u

_Static_assert(FLASH_F4_BOOT_SECTORS * FLASH_F4_SMALL_SECTOR == DB_CODE_SIZE,
               "nWRP protects exactly the bootloader's code sectors, not its record log");

/* Everything past the bootloader's code: the record log's sectors and the app. */
static bool flash_region_ok(uint32_t addr, uint32_t len)
{
    const uint32_t end = DB_FLASH_BASE + DB_FLASH_SIZE;
    return addr >= DB_RECORD_ADDR && addr < end && len <= end - addr;
}

static bool flash_wait_idle(void)
{
    struct flash_regs *f = FLASH_REGS;
    for (uint32_t i = 0; i < FLASH_BSY_SPINS; i++) {
        if ((flash_io_read(&f->SR) & FLASH_SR_BSY_Msk) == 0u)
            return true;
    }
    return false;
}

/* Unlock and clear stale flags. */
static enum flash_status flash_begin(void)
{
    struct flash_regs *f = FLASH_REGS;
    if (!flash_wait_idle())
        return FLASH_ERR_HW;
    if (flash_io_read(&f->CR) & FLASH_CR_LOCK_Msk) {
        flash_io_write(&f->KEYR, FLASH_KEY1);
        flash_io_write(&f->KEYR, FLASH_KEY2);
        if (flash_io_read(&f->CR) & FLASH_CR_LOCK_Msk)
            return FLASH_ERR_HW; /* a wrong key sequence locks until reset */
    }
    flash_io_write(&f->SR, FLASH_SR_ERRORS | FLASH_SR_EOP_Msk);
    return FLASH_OK;
}

/* Lock, and bring both caches back clean: reset bits work only while off. */
static void flash_end(void)
{
    struct flash_regs *f = FLASH_REGS;
    flash_io_write(&f->CR, FLASH_CR_LOCK_Msk);
    uint32_t acr = flash_io_read(&f->ACR);
    uint32_t on = acr & (FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk);
    acr &= ~(FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk);
    flash_io_write(&f->ACR, acr);
    flash_io_write(&f->ACR, acr | FLASH_ACR_ICRST_Msk | FLASH_ACR_DCRST_Msk);
    flash_io_write(&f->ACR, acr);
    flash_io_write(&f->ACR, acr | on);
}

/* After an operation: busy gone and no error flag, else clear them and fail. */
static enum flash_status flash_finish_op(void)
{
    struct flash_regs *f = FLASH_REGS;
    if (!flash_wait_idle())
        return FLASH_ERR_HW;
    uint32_t sr = flash_io_read(&f->SR);
    if (sr & FLASH_SR_ERRORS) {
        flash_io_write(&f->SR, sr & FLASH_SR_ERRORS);
        return FLASH_ERR_HW;
    }
    if (sr & FLASH_SR_EOP_Msk)
        flash_io_write(&f->SR, FLASH_SR_EOP_Msk);
    return FLASH_OK;
}

enum flash_status flash_erase_page(uint32_t addr)
{
    struct geometry_unit s;
    if (!geometry_unit_of(addr, &s) || s.index >= FLASH_F4_SECTORS || !flash_region_ok(s.start, s.size))
        return FLASH_ERR_PROTECTED;
    if (addr != s.start)
        return FLASH_ERR_ALIGN;
    enum flash_status st = flash_begin();
    if (st == FLASH_OK) {
        struct flash_regs *f = FLASH_REGS;
        uint32_t cr = FLASH_CR_SER_Msk | FLASH_CR_PSIZE_X32 | ((s.index << FLASH_CR_SNB_Pos) & FLASH_CR_SNB_Msk);
        flash_io_write(&f->CR, cr);
        flash_io_write(&f->CR, cr | FLASH_CR_STRT_Msk);
        st = flash_finish_op();
    }
    flash_end();
    return st;
}

static bool flash_word_erased(uint32_t addr)
{
    uint8_t cur[FLASH_WORD];
    (void)flash_read(addr, cur, sizeof cur);
    return le_get32(cur) == FLASH_ERASED_WORD;
}

enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len)
{
    if (!flash_region_ok(addr, len))
        return FLASH_ERR_PROTECTED;
    if ((addr % DB_PROG_UNIT) != 0u || (len % DB_PROG_UNIT) != 0u)
        return FLASH_ERR_ALIGN;
    /* Check everything first: a refusal must leave flash untouched. Words
       are checked one by one but the door's unit is the double-word: an
       all-0xFF double-word is skipped whole, so it stays programmable. */
    for (uint32_t off = 0; off < len; off += DB_PROG_UNIT) {
        bool blank = le_get32(data + off) == FLASH_ERASED_WORD &&
                     le_get32(data + off + FLASH_WORD) == FLASH_ERASED_WORD;
        if (!blank && !(flash_word_erased(addr + off) && flash_word_erased(addr + off + FLASH_WORD)))
            return FLASH_ERR_NOT_ERASED;
    }
    enum flash_status st = flash_begin();
    struct flash_regs *f = FLASH_REGS;
    if (st == FLASH_OK)
        flash_io_write(&f->CR, FLASH_CR_PG_Msk | FLASH_CR_PSIZE_X32);
    for (uint32_t off = 0; st == FLASH_OK && off < len; off += DB_PROG_UNIT) {
        uint32_t lo = le_get32(data + off);
        uint32_t hi = le_get32(data + off + FLASH_WORD);
        if (lo == FLASH_ERASED_WORD && hi == FLASH_ERASED_WORD)
            continue; /* leave it erased so it can still be programmed later */
        flash_io_write_mem(addr + off, lo);
        st = flash_finish_op();
        if (st != FLASH_OK)
            break;
        flash_io_write_mem(addr + off + FLASH_WORD, hi);
        st = flash_finish_op();
    }
    flash_end();
    return st;
}

enum flash_status flash_read(uint32_t addr, uint8_t *dst, uint32_t len)
{
    const uint32_t end = DB_FLASH_BASE + DB_FLASH_SIZE;
    if (addr < DB_FLASH_BASE || addr >= end || len > end - addr)
        return FLASH_ERR_PROTECTED;
    flash_io_copy(dst, addr, len);
    return FLASH_OK;
}

bool flash_f4_protect_boot(void)
{
    struct flash_regs *f = FLASH_REGS;
    const uint32_t boot = ((1u << FLASH_F4_BOOT_SECTORS) - 1u) << FLASH_OPTCR_NWRP_Pos;
    uint32_t optcr = flash_io_read(&f->OPTCR);
    if ((optcr & boot) == 0u)
        return true; /* nWRP = 0 for both: protected already */
    if (!flash_wait_idle())
        return false;
    if (flash_io_read(&f->OPTCR) & FLASH_OPTCR_OPTLOCK_Msk) {
        flash_io_write(&f->OPTKEYR, FLASH_OPTKEY1);
        flash_io_write(&f->OPTKEYR, FLASH_OPTKEY2);
        if (flash_io_read(&f->OPTCR) & FLASH_OPTCR_OPTLOCK_Msk)
            return false;
    }
    flash_io_write(&f->SR, FLASH_SR_ERRORS | FLASH_SR_EOP_Msk);
    optcr = flash_io_read(&f->OPTCR) & ~boot;
    flash_io_write(&f->OPTCR, optcr);
    flash_io_write(&f->OPTCR, optcr | FLASH_OPTCR_OPTSTRT_Msk);
    bool ok = flash_finish_op() == FLASH_OK;
    flash_io_write(&f->OPTCR, flash_io_read(&f->OPTCR) | FLASH_OPTCR_OPTLOCK_Msk);
    return ok && (flash_io_read(&f->OPTCR) & boot) == 0u;
}

bool flash_nmi(void)
{
    return false;
}
