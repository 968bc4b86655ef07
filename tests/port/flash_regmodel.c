/* FLASH controller model for host tests (see flash_regmodel.h). */
#include "flash_regmodel.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flash_io.h"
#include "flash_l4.h"

struct flash_regs flash_regmodel_regs;
struct flash_regmodel regmodel;

#define REGMODEL_BUSY_POLLS 3u
#define REGMODEL_KEY_FAILED 2u

static uint32_t key_stage;      /* 0 none, 1 KEY1 seen, 2 wrong key: locked until reset */
static uint32_t pending_lo_addr;/* first half of a double-word being programmed, or 0 */
static uint32_t pending_lo;
static uint32_t pending_row_next; /* the fast row's next double-word */

void regmodel_reset(void)
{
    static uint8_t *mem;
    if (mem == NULL)
        mem = malloc(DB_FLASH_SIZE);
    uint8_t *keep = mem;
    memset(&regmodel, 0, sizeof regmodel);
    regmodel.mem = keep;
    memset(regmodel.mem, 0xFF, DB_FLASH_SIZE);
    regmodel.busy_polls = REGMODEL_BUSY_POLLS;
    memset(&flash_regmodel_regs, 0, sizeof flash_regmodel_regs);
    flash_regmodel_regs.ACR = FLASH_ACR_ICEN_Msk | FLASH_ACR_DCEN_Msk | 3u;
    flash_regmodel_regs.CR = FLASH_CR_LOCK_Msk;
    flash_regmodel_regs.SR = FLASH_SR_OPTVERR_Msk | FLASH_SR_PEMPTY_Msk;
    flash_regmodel_regs.OPTR = FLASH_OPTR_DBANK_Msk | 0xAAu;
    key_stage = 0;
    pending_lo_addr = 0;
}

void regmodel_tear(uint32_t addr)
{
    uint32_t dw = (addr - DB_FLASH_BASE) / DB_PROG_UNIT;
    regmodel.torn[dw / 8u] |= (uint8_t)(1u << (dw % 8u));
}

static bool regmodel_is_torn(uint32_t dw)
{
    return (regmodel.torn[dw / 8u] >> (dw % 8u)) & 1u;
}

static void regmodel_start_busy(void)
{
    flash_regmodel_regs.SR |= FLASH_SR_BSY_Msk;
    if (flash_regmodel_regs.ACR & FLASH_ACR_DCEN_Msk)
        regmodel.ops_with_dcache_on++;
}

static uint32_t regmodel_finish(void)
{
    uint32_t err = regmodel.inject_sr;
    regmodel.inject_sr = 0;
    return err;
}

/* An erase starts: logged, BSY for its polls; false when it ends in an error
   (flagged in SR, nothing erased). */
static bool regmodel_erase_begin(uint32_t cr)
{
    if (regmodel.erases < REGMODEL_LOG_MAX)
        regmodel.erase_cr[regmodel.erases] = cr;
    regmodel.erases++;
    regmodel_start_busy();
    uint32_t err = regmodel_finish();
    if (err) {
        flash_regmodel_regs.SR |= err;
        return false;
    }
    return true;
}

/* Bytes [off, off + len) erased: 0xFF, and no double-word there torn any more. */
static void regmodel_erased(uint32_t off, uint32_t len)
{
    memset(regmodel.mem + off, 0xFF, len);
    for (uint32_t dw = off / DB_PROG_UNIT; dw < (off + len) / DB_PROG_UNIT; dw++)
        regmodel.torn[dw / 8u] &= (uint8_t)~(1u << (dw % 8u));
}

static void regmodel_erase(uint32_t cr)
{
    if (!regmodel_erase_begin(cr))
        return;
    uint32_t page = ((cr & FLASH_CR_PNB_Msk) >> FLASH_CR_PNB_Pos) +
                    ((cr & FLASH_CR_BKER_Msk) ? FLASH_BANK_PAGES : 0u);
    regmodel_erased(page * DB_PAGE_SIZE, DB_PAGE_SIZE);
}

/* RM0432 3.3.6 bank 2 mass erase. */
static void regmodel_erase_bank2(uint32_t cr)
{
    if (!regmodel_erase_begin(cr))
        return;
    regmodel_erased(DB_FLASH_SIZE / 2u, DB_FLASH_SIZE / 2u);
    regmodel.bank2_erased = true;
}

uint32_t flash_io_read(const volatile uint32_t *reg)
{
    regmodel.reg_accesses++;
    if (reg == &flash_regmodel_regs.SR && (flash_regmodel_regs.SR & FLASH_SR_BSY_Msk) &&
        !regmodel.busy_forever) {
        static uint32_t polls;
        if (++polls >= regmodel.busy_polls) {
            polls = 0;
            flash_regmodel_regs.SR &= ~FLASH_SR_BSY_Msk;
            if ((flash_regmodel_regs.SR & FLASH_SR_ERRORS) == 0u)
                flash_regmodel_regs.SR |= FLASH_SR_EOP_Msk;
        }
    }
    return *reg;
}

void flash_io_write(volatile uint32_t *reg, uint32_t value)
{
    struct flash_regs *f = &flash_regmodel_regs;
    regmodel.reg_accesses++;
    if (reg == &f->KEYR) {
        if (regmodel.keyr_writes < 4u)
            regmodel.keyr_log[regmodel.keyr_writes] = value;
        regmodel.keyr_writes++;
        if (key_stage == 0u && value == FLASH_KEY1)
            key_stage = 1u;
        else if (key_stage == 1u && value == FLASH_KEY2) {
            key_stage = 0u;
            f->CR &= ~FLASH_CR_LOCK_Msk;
        } else
            key_stage = REGMODEL_KEY_FAILED;
    } else if (reg == &f->SR) {
        f->SR &= ~(value & (FLASH_SR_ERRORS | FLASH_SR_EOP_Msk)); /* write 1 to clear */
    } else if (reg == &f->CR) {
        if (f->CR & FLASH_CR_LOCK_Msk)
            return; /* locked: CR cannot be written */
        if (value & FLASH_CR_LOCK_Msk) {
            f->CR = FLASH_CR_LOCK_Msk;
            return;
        }
        f->CR = value & ~FLASH_CR_STRT_Msk;
        if ((value & FLASH_CR_STRT_Msk) && (value & FLASH_CR_MER2_Msk)) {
            if (value & (FLASH_CR_PG_Msk | FLASH_CR_PER_Msk | FLASH_CR_FSTPG_Msk))
                f->SR |= FLASH_SR_PGSERR_Msk;
            else
                regmodel_erase_bank2(value);
        } else if ((value & FLASH_CR_STRT_Msk) && (value & FLASH_CR_PER_Msk)) {
            if (value & FLASH_CR_PG_Msk)
                f->SR |= FLASH_SR_PGSERR_Msk;
            else
                regmodel_erase(value);
        }
    } else if (reg == &f->ACR) {
        uint32_t old = f->ACR;
        if (value & (FLASH_ACR_ICRST_Msk | FLASH_ACR_DCRST_Msk)) {
            bool ok = ((value & FLASH_ACR_ICRST_Msk) == 0u || (old & FLASH_ACR_ICEN_Msk) == 0u) &&
                      ((value & FLASH_ACR_DCRST_Msk) == 0u || (old & FLASH_ACR_DCEN_Msk) == 0u);
            if (ok)
                regmodel.cache_resets++;
            else
                regmodel.cache_reset_while_on++;
        }
        f->ACR = value;
    } else if (reg == &f->ECCR) {
        f->ECCR &= ~(value & (FLASH_ECCR_ECCC_Msk | FLASH_ECCR_ECCD_Msk));
    } else {
        *reg = value;
    }
}

void flash_io_write_mem(uint32_t addr, uint32_t value)
{
    struct flash_regs *f = &flash_regmodel_regs;
    if (regmodel.mem_writes < REGMODEL_LOG_MAX)
        regmodel.mem_log[regmodel.mem_writes] = (struct regmodel_write){addr, value};
    regmodel.mem_writes++;
    bool fast = (f->CR & FLASH_CR_FSTPG_Msk) != 0u;
    if (((f->CR & FLASH_CR_PG_Msk) == 0u) == !fast || (f->CR & FLASH_CR_LOCK_Msk)) {
        f->SR |= FLASH_SR_PGSERR_Msk; /* neither or both of PG and FSTPG */
        return;
    }
    if (fast && pending_lo_addr == 0u) {
        bool in_bank2 = addr >= DB_FLASH_BASE + DB_FLASH_SIZE / 2u;
        if (!in_bank2 || !regmodel.bank2_erased) {
            f->SR |= FLASH_SR_PGSERR_Msk; /* 3.3.7 step 1: the bank was not mass-erased */
            return;
        }
        if (regmodel.row_dws == 0u ? addr % 512u != 0u : addr != pending_row_next) {
            f->SR |= FLASH_SR_PGAERR_Msk | FLASH_SR_FASTERR_Msk;
            regmodel.row_dws = 0;
            return;
        }
    }
    if (pending_lo_addr == 0u) {
        if (addr % DB_PROG_UNIT != 0u) {
            f->SR |= FLASH_SR_PGAERR_Msk;
            return;
        }
        pending_lo_addr = addr;
        pending_lo = value;
        return;
    }
    uint32_t lo_addr = pending_lo_addr;
    pending_lo_addr = 0;
    if (addr != lo_addr + 4u) {
        f->SR |= FLASH_SR_PGAERR_Msk;
        return;
    }
    regmodel_start_busy();
    uint32_t err = regmodel_finish();
    if (err) {
        f->SR |= err;
        return;
    }
    uint8_t *p = regmodel.mem + (lo_addr - DB_FLASH_BASE);
    for (uint32_t i = 0; i < DB_PROG_UNIT; i++) {
        if (p[i] != 0xFFu) {
            f->SR |= FLASH_SR_PROGERR_Msk; /* RM0432: target double-word not erased */
            return;
        }
    }
    memcpy(p, &pending_lo, 4);
    memcpy(p + 4, &value, 4);
    if (fast) {
        pending_row_next = lo_addr + DB_PROG_UNIT;
        if (++regmodel.row_dws == 64u) {
            regmodel.row_dws = 0;
            regmodel.fast_rows++;
        }
    }
}

void flash_io_copy(uint8_t *dst, uint32_t addr, uint32_t len)
{
    memcpy(dst, regmodel.mem + (addr - DB_FLASH_BASE), len);
    if (len == 0u)
        return;
    uint32_t first = (addr - DB_FLASH_BASE) / DB_PROG_UNIT;
    uint32_t last = (addr + len - 1u - DB_FLASH_BASE) / DB_PROG_UNIT;
    for (uint32_t dw = first; dw <= last; dw++) {
        if (regmodel_is_torn(dw)) {
            /* The hardware sets ECCD and raises NMI during the read. */
            flash_regmodel_regs.ECCR |= FLASH_ECCR_ECCD_Msk;
            (void)flash_nmi();
            return;
        }
    }
}
