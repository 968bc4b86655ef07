/*
 * flash.h for the STM32L4R5: page erase and double-word programming of the
 * 2 MB dual-bank flash through the FLASH controller (RM0432 "FLASH").
 *
 * Assumes dual-bank mode (OPTR.DBANK = 1, the factory setting): 4 KB pages,
 * 256 per bank, page N >= 256 is page N - 256 of bank 2. Anything else is
 * refused as a hardware error rather than erasing 8 KB pages by mistake.
 * The data cache is off while the controller erases or programs (erratum:
 * it can be corrupted by a read while writing); both caches are reset after.
 * Bank 2 (slot B) can be erased whole (MER2); after that, each whole
 * 512-byte row of a flash_program call there is fast-programmed, all 64
 * double-words, 0xFF ones too (flash.h allows it for such rows)
 * (RM0432 3.3.7: only in a bank mass-erased before; 3.8 ms a row instead of
 * 64 x 81.7 us). The code runs from bank 1, so the CPU is not stalled by
 * bank 2's operations (3.3.8) and a row's double-words follow each other
 * well inside the ~59 us each may take (only short interrupts are on).
 */
#include "config.h"
#include "flash.h"
#include "flash_io.h"
#include "flash_l4.h"
#include "byteorder.h"
#include "regs_flash.h"

#define FLASH_ERASED_WORD 0xFFFFFFFFu

/* Set by flash_nmi when a read hit a double ECC error; flash_read checks it. */
static volatile bool flash_ecc_fault;
/* Bank 2 was bank-erased since reset: fast programming is allowed there. */
static bool flash_bank2_fast;

static bool flash_region_ok(uint32_t addr, uint32_t len)
{
    const uint32_t end = DB_FLASH_BASE + DB_FLASH_SIZE;
    return addr >= DB_RECORD_ADDR && addr < end && len <= end - addr;
}

uint32_t flash_erase_cr(uint32_t addr)
{
    uint32_t page = (addr - DB_FLASH_BASE) / DB_PAGE_SIZE;
    uint32_t cr = FLASH_CR_PER_Msk;
    if (page >= FLASH_BANK_PAGES)
        cr |= FLASH_CR_BKER_Msk;
    cr |= ((page % FLASH_BANK_PAGES) << FLASH_CR_PNB_Pos) & FLASH_CR_PNB_Msk;
    return cr;
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

/* Unlock, clear stale flags (PEMPTY is a status, left alone), data cache off. */
static enum flash_status flash_begin(void)
{
    struct flash_regs *f = FLASH_REGS;
    if ((flash_io_read(&f->OPTR) & FLASH_OPTR_DBANK_Msk) == 0u)
        return FLASH_ERR_HW; /* single-bank mode: 8 KB pages, not the map core/ assumes */
    if (!flash_wait_idle())
        return FLASH_ERR_HW;
    if (flash_io_read(&f->CR) & FLASH_CR_LOCK_Msk) {
        flash_io_write(&f->KEYR, FLASH_KEY1);
        flash_io_write(&f->KEYR, FLASH_KEY2);
        if (flash_io_read(&f->CR) & FLASH_CR_LOCK_Msk)
            return FLASH_ERR_HW; /* a wrong key sequence locks until reset */
    }
    flash_io_write(&f->SR, FLASH_SR_ERRORS | FLASH_SR_EOP_Msk);
    uint32_t acr = flash_io_read(&f->ACR);
    flash_io_write(&f->ACR, acr & ~FLASH_ACR_DCEN_Msk);
    return FLASH_OK;
}

/* Lock, and bring both caches back clean: reset bits work only while off. */
static void flash_end(void)
{
    struct flash_regs *f = FLASH_REGS;
    flash_io_write(&f->CR, FLASH_CR_LOCK_Msk);
    uint32_t acr = flash_io_read(&f->ACR) & ~(FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk);
    flash_io_write(&f->ACR, acr);
    flash_io_write(&f->ACR, acr | FLASH_ACR_ICRST_Msk | FLASH_ACR_DCRST_Msk);
    flash_io_write(&f->ACR, acr);
    flash_io_write(&f->ACR, acr | FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk);
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

/* An erase that CR's value cr describes (a page, or a bank), started and waited for. */
static enum flash_status flash_erase_with(uint32_t cr)
{
    enum flash_status st = flash_begin();
    if (st == FLASH_OK) {
        struct flash_regs *f = FLASH_REGS;
        flash_io_write(&f->CR, cr);
        flash_io_write(&f->CR, cr | FLASH_CR_STRT_Msk);
        st = flash_finish_op();
    }
    flash_end();
    return st;
}

enum flash_status flash_erase_page(uint32_t addr)
{
    if (!flash_region_ok(addr, DB_PAGE_SIZE))
        return FLASH_ERR_PROTECTED;
    if ((addr % DB_PAGE_SIZE) != 0u)
        return FLASH_ERR_ALIGN;
    return flash_erase_with(flash_erase_cr(addr));
}

enum flash_status flash_erase_bank(uint32_t addr)
{
    if (addr != DB_FLASH_BASE + DB_BANK_SIZE)
        return FLASH_ERR_PROTECTED; /* bank 1 holds the bootloader */
    enum flash_status st = flash_erase_with(FLASH_CR_MER2_Msk);
    flash_bank2_fast = st == FLASH_OK;
    return st;
}

static bool flash_row_fast(uint32_t addr, uint32_t left)
{
    return flash_bank2_fast && addr >= DB_FLASH_BASE + DB_BANK_SIZE && addr % FLASH_ROW_BYTES == 0u &&
           left >= FLASH_ROW_BYTES;
}

static bool flash_dw_erased(uint32_t addr)
{
    uint8_t cur[DB_PROG_UNIT];
    if (flash_read(addr, cur, sizeof cur) != FLASH_OK)
        return false; /* unreadable: a torn program, certainly not erased */
    return le_get32(cur) == FLASH_ERASED_WORD && le_get32(cur + 4) == FLASH_ERASED_WORD;
}

enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len)
{
    if (!flash_region_ok(addr, len))
        return FLASH_ERR_PROTECTED;
    if ((addr % DB_PROG_UNIT) != 0u || (len % DB_PROG_UNIT) != 0u)
        return FLASH_ERR_ALIGN;
    /* Check everything first: a refusal must leave flash untouched. */
    for (uint32_t off = 0; off < len; off += DB_PROG_UNIT) {
        bool blank = le_get32(data + off) == FLASH_ERASED_WORD &&
                     le_get32(data + off + 4) == FLASH_ERASED_WORD;
        if (!blank && !flash_dw_erased(addr + off))
            return FLASH_ERR_NOT_ERASED;
    }
    enum flash_status st = flash_begin();
    struct flash_regs *f = FLASH_REGS;
    for (uint32_t off = 0, step; st == FLASH_OK && off < len; off += step) {
        /* A row: FSTPG, its 64 double-words back to back, one wait. Else one
           double-word with PG, each waited for. */
        bool row = flash_row_fast(addr + off, len - off);
        step = row ? FLASH_ROW_BYTES : DB_PROG_UNIT;
        flash_io_write(&f->CR, row ? FLASH_CR_FSTPG_Msk : FLASH_CR_PG_Msk);
        for (uint32_t dw = off; dw < off + step; dw += DB_PROG_UNIT) {
            uint32_t lo = le_get32(data + dw);
            uint32_t hi = le_get32(data + dw + 4);
            if (!row && lo == FLASH_ERASED_WORD && hi == FLASH_ERASED_WORD)
                continue; /* leave it erased so it can still be programmed later */
            flash_io_write_mem(addr + dw, lo);
            flash_io_barrier();
            flash_io_write_mem(addr + dw + 4u, hi);
            if (!row)
                st = flash_finish_op();
        }
        if (row)
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
    flash_ecc_fault = false;
    flash_io_copy(dst, addr, len);
    flash_io_barrier();
    return flash_ecc_fault ? FLASH_ERR_ECC : FLASH_OK;
}

bool flash_nmi(void)
{
    struct flash_regs *f = FLASH_REGS;
    uint32_t eccr = flash_io_read(&f->ECCR);
    if ((eccr & FLASH_ECCR_ECCD_Msk) == 0u)
        return false;
    /* Write-1-to-clear; keep ECCC's pending 1 out so only ECCD is cleared. */
    flash_io_write(&f->ECCR, (eccr & ~FLASH_ECCR_ECCC_Msk) | FLASH_ECCR_ECCD_Msk);
    flash_ecc_fault = true;
    return true;
}
