/* STM32F411 FLASH controller model for host tests (see flash_f4_regmodel.h). */
#include "flash_f4_regmodel.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flash_io.h"

struct flash_regs flash_f4_regmodel_regs;
struct flash_f4_regmodel f4model;

static const uint32_t sector_kb[F4MODEL_SECTORS] = {16, 16, 16, 16, 64, 128, 128, 128};
/* Datasheet "Flash memory programming", x32, typical: 16 KB 250 ms, 64 KB 550 ms, 128 KB 1 s. */
static const uint32_t erase_ms_by_kb16 = 250u, erase_ms_by_kb64 = 550u, erase_ms_by_kb128 = 1000u;

static struct {
    uint32_t key_stage, optkey_stage;
} m;

uint32_t f4model_erase_us(uint32_t sector)
{
    uint32_t kb = sector_kb[sector];
    uint32_t ms = kb == 16u ? erase_ms_by_kb16 : kb == 64u ? erase_ms_by_kb64 : erase_ms_by_kb128;
    return ms * 1000u;
}

static uint32_t sector_start(uint32_t n)
{
    uint32_t a = DB_FLASH_BASE;
    for (uint32_t i = 0; i < n; i++)
        a += sector_kb[i] * 1024u;
    return a;
}

static int sector_of(uint32_t addr)
{
    for (uint32_t n = 0; n < F4MODEL_SECTORS; n++) {
        uint32_t s = sector_start(n);
        if (addr >= s && addr < s + sector_kb[n] * 1024u)
            return (int)n;
    }
    return -1;
}

static bool writable(uint32_t n)
{
    return (f4model.option_wrp >> n) & 1u;
}

void f4model_reset(void)
{
    static uint8_t *mem;
    if (mem == NULL)
        mem = malloc(DB_FLASH_SIZE);
    memset(mem, 0xFF, DB_FLASH_SIZE);
    memset(&f4model, 0, sizeof f4model);
    memset(&m, 0, sizeof m);
    f4model.mem = mem;
    f4model.option_wrp = 0xFFFu;
    memset(&flash_f4_regmodel_regs, 0, sizeof flash_f4_regmodel_regs);
    flash_f4_regmodel_regs.CR = FLASH_CR_LOCK_Msk;
    flash_f4_regmodel_regs.OPTCR = FLASH_OPTCR_OPTLOCK_Msk | (0xFFFu << FLASH_OPTCR_NWRP_Pos);
}

uint32_t flash_io_read(const volatile uint32_t *reg)
{
    return *reg;
}

static void set_error(uint32_t flag)
{
    flash_f4_regmodel_regs.SR |= flag;
}

static void start_erase(uint32_t cr)
{
    uint32_t n = (cr & FLASH_CR_SNB_Msk) >> FLASH_CR_SNB_Pos;
    if (cr & FLASH_CR_PG_Msk) {
        set_error(FLASH_SR_PGSERR_Msk);
        return;
    }
    if (n >= F4MODEL_SECTORS) {
        set_error(FLASH_SR_PGSERR_Msk);
        return;
    }
    if (!writable(n)) {
        set_error(FLASH_SR_WRPERR_Msk);
        return;
    }
    memset(f4model.mem + (sector_start(n) - DB_FLASH_BASE), 0xFF, sector_kb[n] * 1024u);
    f4model.erases[n]++;
    f4model.busy_us += f4model_erase_us(n);
}

void flash_io_write(volatile uint32_t *reg, uint32_t value)
{
    struct flash_regs *r = &flash_f4_regmodel_regs;
    if (reg == &r->KEYR) {
        static const uint32_t keys[2] = {FLASH_KEY1, FLASH_KEY2};
        if (f4model.key_locked || value != keys[m.key_stage]) {
            f4model.key_locked = true; /* RM0383: a wrong sequence locks until reset */
            m.key_stage = 0;
            return;
        }
        if (++m.key_stage == 2u) {
            r->CR &= ~FLASH_CR_LOCK_Msk;
            m.key_stage = 0;
        }
    } else if (reg == &r->OPTKEYR) {
        static const uint32_t keys[2] = {FLASH_OPTKEY1, FLASH_OPTKEY2};
        if (value != keys[m.optkey_stage]) {
            m.optkey_stage = 0;
            return;
        }
        if (++m.optkey_stage == 2u) {
            r->OPTCR &= ~FLASH_OPTCR_OPTLOCK_Msk;
            m.optkey_stage = 0;
        }
    } else if (reg == &r->SR) {
        r->SR &= ~(value & (FLASH_SR_ERRORS | FLASH_SR_EOP_Msk));
    } else if (reg == &r->CR) {
        if (r->CR & FLASH_CR_LOCK_Msk)
            return; /* locked: only a reset or the keys change it */
        r->CR = value & ~FLASH_CR_STRT_Msk;
        if ((value & FLASH_CR_STRT_Msk) && (value & FLASH_CR_SER_Msk))
            start_erase(value);
    } else if (reg == &r->OPTCR) {
        if (r->OPTCR & FLASH_OPTCR_OPTLOCK_Msk)
            return;
        r->OPTCR = value & ~FLASH_OPTCR_OPTSTRT_Msk;
        if (value & FLASH_OPTCR_OPTSTRT_Msk) {
            f4model.option_wrp = (value & FLASH_OPTCR_NWRP_Msk) >> FLASH_OPTCR_NWRP_Pos;
            f4model.option_programs++;
        }
    } else {
        *reg = value;
    }
}

void flash_io_write_mem(uint32_t addr, uint32_t value)
{
    struct flash_regs *r = &flash_f4_regmodel_regs;
    int n = sector_of(addr);
    if ((r->CR & FLASH_CR_LOCK_Msk) || (r->CR & FLASH_CR_PG_Msk) == 0u || (r->CR & FLASH_CR_SER_Msk) || n < 0) {
        set_error(FLASH_SR_PGSERR_Msk);
        return;
    }
    if ((r->CR & FLASH_CR_PSIZE_Msk) != FLASH_CR_PSIZE_X32) {
        set_error(FLASH_SR_PGPERR_Msk); /* the model's writes are 32-bit: x32 only */
        return;
    }
    if (addr % 4u != 0u) {
        set_error(FLASH_SR_PGAERR_Msk);
        return;
    }
    if (!writable((uint32_t)n)) {
        set_error(FLASH_SR_WRPERR_Msk);
        return;
    }
    uint8_t *p = f4model.mem + (addr - DB_FLASH_BASE);
    uint32_t cur;
    memcpy(&cur, p, 4);
    if ((cur & value) != value)
        f4model.bits_set_attempts++;
    cur &= value; /* programming only clears bits */
    memcpy(p, &cur, 4);
    f4model.word_writes++;
    f4model.busy_us += F4MODEL_WORD_US;
}

void flash_io_copy(uint8_t *dst, uint32_t addr, uint32_t len)
{
    memcpy(dst, f4model.mem + (addr - DB_FLASH_BASE), len);
}
