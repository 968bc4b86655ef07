/*
 * The flash model: flash.h on a PC with the STM32L4R5's rules (see
 * flash_model.h). The image lives in RAM; with a file behind it, every erase
 * and program is written through with pwrite before the call returns.
 *
 * Per double-word (DW) the model keeps two bits the chip keeps in its cells:
 * "programmed since the last erase" and "ECC broken" (a torn program or
 * erase). A DW may be programmed only when neither is set and it reads all
 * 0xFF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "flash.h"
#include "flash_model.h"
#include "geometry.h"

#define MODEL_DW_COUNT (DB_FLASH_SIZE / DB_PROG_UNIT)
#define MODEL_ERASED 0xFFu
/* The time model's defaults: the chip's datasheet figures when its config
   gives them (per DB_PAGE_SIZE of erase, per double-word), else the L4R5's. */
#ifdef DB_FLASH_PAGE_ERASE_US
#define MODEL_ERASE_US_DEFAULT DB_FLASH_PAGE_ERASE_US
#else
#define MODEL_ERASE_US_DEFAULT 22000u /* RM0432 typical page erase */
#endif
#ifdef DB_FLASH_DW_PROGRAM_US
#define MODEL_DW_US_DEFAULT DB_FLASH_DW_PROGRAM_US
#else
#define MODEL_DW_US_DEFAULT 82u       /* RM0432 typical 64-bit program */
#endif

static uint8_t image[DB_FLASH_SIZE];
static uint8_t dw_programmed[MODEL_DW_COUNT / 8u];
static uint8_t dw_ecc_broken[MODEL_DW_COUNT / 8u];

static int backing_fd = -1;
static bool powered = true;
static uint32_t cut_countdown; /* 0 = no cut armed; else ops until the cut, 1 = the next */
static bool tear;
static uint32_t seed = 1;
static uint32_t erase_us = MODEL_ERASE_US_DEFAULT;
static uint32_t dw_us = MODEL_DW_US_DEFAULT;
static struct flash_model_stats stats;

static bool bit_get(const uint8_t *map, uint32_t i) { return (map[i / 8u] >> (i % 8u)) & 1u; }
static void bit_set(uint8_t *map, uint32_t i) { map[i / 8u] |= (uint8_t)(1u << (i % 8u)); }
static void bit_clear(uint8_t *map, uint32_t i) { map[i / 8u] &= (uint8_t)~(1u << (i % 8u)); }

/* xorshift32: a torn operation's leftovers, reproducible from the seed. */
static uint32_t rng_state = 1;
static uint32_t rng_next(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}
static void rng_start(uint32_t salt)
{
    rng_state = (seed * 2654435761u) ^ (salt * 40503u) ^ 0x9E3779B9u;
    if (rng_state == 0)
        rng_state = 1;
    for (int i = 0; i < 4; i++)
        (void)rng_next();
}

static void write_through(uint32_t off, uint32_t len)
{
    if (backing_fd < 0)
        return;
    uint32_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(backing_fd, image + off + done, len - done, (off_t)(off + done));
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            fprintf(stderr, "flash_model: cannot write the image file: %s\n", strerror(errno));
            return;
        }
        done += (uint32_t)n;
    }
}

static void violation(const char *what, uint32_t addr, uint32_t len)
{
    stats.violations++;
    fprintf(stderr, "flash_model: rule broken: %s at 0x%08x (%u bytes)\n", what, (unsigned)addr, (unsigned)len);
}

/* Range of [addr, addr + len) in flash; false if any byte is outside. */
static bool in_flash(uint32_t addr, uint32_t len)
{
    return addr >= DB_FLASH_BASE && addr - DB_FLASH_BASE <= DB_FLASH_SIZE &&
           len <= DB_FLASH_SIZE - (addr - DB_FLASH_BASE);
}

/* Only for ranges already known to be in flash: the bootloader's code (its
 * region before the record log) is never erased or programmed. */
static bool touches_bootloader(uint32_t addr) { return addr < DB_RECORD_ADDR; }

static void image_reset(void)
{
    memset(image, MODEL_ERASED, sizeof image);
    memset(dw_programmed, 0, sizeof dw_programmed);
    memset(dw_ecc_broken, 0, sizeof dw_ecc_broken);
}

static void power_reset(void)
{
    powered = true;
    cut_countdown = 0;
    tear = false;
    memset(&stats, 0, sizeof stats);
}

static bool all_erased_bytes(const uint8_t *p)
{
    for (uint32_t b = 0; b < DB_PROG_UNIT; b++)
        if (p[b] != MODEL_ERASED)
            return false;
    return true;
}

/* Read what the file holds; the programmed bit follows the content (a DW
 * that is not all 0xFF was programmed). */
static void derive_state(void)
{
    memset(dw_ecc_broken, 0, sizeof dw_ecc_broken);
    for (uint32_t dw = 0; dw < MODEL_DW_COUNT; dw++) {
        if (all_erased_bytes(image + dw * DB_PROG_UNIT))
            bit_clear(dw_programmed, dw);
        else
            bit_set(dw_programmed, dw);
    }
}

int flash_model_open(const char *path)
{
    flash_model_close();
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    image_reset();
    power_reset();
    backing_fd = fd;
    if (st.st_size == 0) {
        write_through(0, DB_FLASH_SIZE);
    } else if (st.st_size == (off_t)DB_FLASH_SIZE) {
        uint32_t done = 0;
        while (done < DB_FLASH_SIZE) {
            ssize_t n = pread(fd, image + done, DB_FLASH_SIZE - done, done);
            if (n <= 0) {
                int e = n < 0 ? errno : EIO;
                flash_model_close();
                errno = e;
                return -1;
            }
            done += (uint32_t)n;
        }
    } else {
        /* Not a flash image of this part: refuse rather than guess. */
        flash_model_close();
        errno = EINVAL;
        return -1;
    }
    derive_state();
    return 0;
}

void flash_model_open_ram(void)
{
    flash_model_close();
    image_reset();
    power_reset();
}

void flash_model_close(void)
{
    if (backing_fd >= 0)
        close(backing_fd);
    backing_fd = -1;
}

void flash_model_cut_after(uint32_t n) { cut_countdown = n; }
void flash_model_set_tear(bool torn) { tear = torn; }
void flash_model_set_seed(uint32_t s) { seed = s; }
bool flash_model_powered(void) { return powered; }

void flash_model_power_on(void)
{
    powered = true;
    cut_countdown = 0;
}

void flash_model_set_timing(uint32_t page_erase_us, uint32_t dw_program_us)
{
    erase_us = page_erase_us;
    dw_us = dw_program_us;
}

void flash_model_stats(struct flash_model_stats *s) { *s = stats; }
void flash_model_reset_stats(void) { memset(&stats, 0, sizeof stats); }

/* Count the op; true when the power goes at this op's start. */
static bool op_starts_cut(void)
{
    stats.ops++;
    if (cut_countdown == 0)
        return false;
    if (--cut_countdown != 0)
        return false;
    powered = false;
    return true;
}

static void erase_dw(uint32_t dw)
{
    memset(image + dw * DB_PROG_UNIT, MODEL_ERASED, DB_PROG_UNIT);
    bit_clear(dw_programmed, dw);
    bit_clear(dw_ecc_broken, dw);
}

static void garbage_dw(uint32_t dw, bool ecc_broken)
{
    for (uint32_t b = 0; b < DB_PROG_UNIT; b++)
        image[dw * DB_PROG_UNIT + b] = (uint8_t)rng_next();
    bit_set(dw_programmed, dw);
    if (ecc_broken)
        bit_set(dw_ecc_broken, dw);
}

/* An erase cut in the middle: each DW erased, left old, or garbage. */
static void tear_erase(uint32_t off, uint32_t size)
{
    rng_start(off ^ stats.ops);
    uint32_t first = off / DB_PROG_UNIT;
    for (uint32_t i = 0; i < size / DB_PROG_UNIT; i++) {
        switch (rng_next() % 4u) {
        case 0: erase_dw(first + i); break;
        case 1: break; /* still the old content */
        case 2: garbage_dw(first + i, false); break;
        default: garbage_dw(first + i, true); break;
        }
    }
}

enum flash_status flash_erase_page(uint32_t addr)
{
    if (!powered)
        return FLASH_ERR_HW;
    bool cut = op_starts_cut();
    struct geometry_unit unit;
    if (!geometry_unit_of(addr, &unit) || touches_bootloader(addr)) {
        violation("erase of the bootloader's code or outside flash", addr, DB_PAGE_SIZE);
        return FLASH_ERR_PROTECTED;
    }
    if (addr != unit.start) {
        violation("erase of an address that is not an erase unit's start", addr, unit.size);
        return FLASH_ERR_ALIGN;
    }
    uint32_t off = addr - DB_FLASH_BASE;
    if (cut) {
        if (!tear)
            return FLASH_ERR_HW;
        tear_erase(off, unit.size);
        stats.erases++;
        write_through(off, unit.size);
        return FLASH_ERR_HW;
    }
    for (uint32_t i = 0; i < unit.size / DB_PROG_UNIT; i++)
        erase_dw(off / DB_PROG_UNIT + i);
    stats.erases++;
    /* The timing is per page; a bigger unit costs its pages' worth. */
    stats.busy_us += (uint64_t)erase_us * (unit.size / DB_PAGE_SIZE);
    write_through(off, unit.size);
    return FLASH_OK;
}

#if DB_AB_SLOTS
/* Bank 2 only (bank 1 holds the bootloader); one operation, torn as a whole
   when cut; its time is one page erase's (RM0432 datasheet: tME ~ tERASE). */
enum flash_status flash_erase_bank(uint32_t addr)
{
    if (!powered)
        return FLASH_ERR_HW;
    bool cut = op_starts_cut();
    if (addr != DB_FLASH_BASE + DB_BANK_SIZE) {
        violation("bank erase of the bootloader's bank or not a bank's start", addr, DB_BANK_SIZE);
        return FLASH_ERR_PROTECTED;
    }
    uint32_t off = addr - DB_FLASH_BASE;
    stats.erases++;
    if (cut) {
        if (!tear)
            return FLASH_ERR_HW;
        tear_erase(off, DB_BANK_SIZE);
        write_through(off, DB_BANK_SIZE);
        return FLASH_ERR_HW;
    }
    for (uint32_t i = 0; i < DB_BANK_SIZE / DB_PROG_UNIT; i++)
        erase_dw(off / DB_PROG_UNIT + i);
    stats.busy_us += erase_us;
    write_through(off, DB_BANK_SIZE);
    return FLASH_OK;
}
#endif

enum flash_status flash_program(uint32_t addr, const uint8_t *data, uint32_t len)
{
    if (!powered)
        return FLASH_ERR_HW;
    bool cut = op_starts_cut();
    if (!in_flash(addr, len) || touches_bootloader(addr)) {
        violation("program of the bootloader's code or outside flash", addr, len);
        return FLASH_ERR_PROTECTED;
    }
    if ((addr - DB_FLASH_BASE) % DB_PROG_UNIT != 0 || len % DB_PROG_UNIT != 0) {
        violation("program not in whole aligned double-words", addr, len);
        return FLASH_ERR_ALIGN;
    }
    uint32_t off = addr - DB_FLASH_BASE;
    uint32_t first = off / DB_PROG_UNIT;
    uint32_t count = len / DB_PROG_UNIT;
    /* Check every DW before touching any, so a refused call changes nothing. */
    for (uint32_t i = 0; i < count; i++) {
        if (all_erased_bytes(data + i * DB_PROG_UNIT))
            continue;
        uint32_t dw = first + i;
        if (bit_get(dw_programmed, dw) || bit_get(dw_ecc_broken, dw) ||
            !all_erased_bytes(image + dw * DB_PROG_UNIT)) {
            violation("program of a double-word that is not erased", addr + i * DB_PROG_UNIT, DB_PROG_UNIT);
            return FLASH_ERR_NOT_ERASED;
        }
    }
    uint32_t to_program = 0;
    for (uint32_t i = 0; i < count; i++)
        to_program += all_erased_bytes(data + i * DB_PROG_UNIT) ? 0u : 1u;
    /* A clean cut programs nothing; a torn one programs a prefix, then tears one DW. */
    uint32_t stop_at = to_program;
    if (cut) {
        if (!tear || to_program == 0)
            return FLASH_ERR_HW;
        rng_start(off ^ (stats.ops << 8));
        stop_at = rng_next() % to_program;
    }
    uint32_t done = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *src = data + i * DB_PROG_UNIT;
        if (all_erased_bytes(src))
            continue;
        uint32_t dw = first + i;
        if (done == stop_at) {
            garbage_dw(dw, true);
            break;
        }
        memcpy(image + dw * DB_PROG_UNIT, src, DB_PROG_UNIT);
        bit_set(dw_programmed, dw);
        done++;
    }
    stats.programs += done;
    stats.busy_us += (uint64_t)done * dw_us;
    write_through(off, len);
    return cut ? FLASH_ERR_HW : FLASH_OK;
}

enum flash_status flash_read(uint32_t addr, uint8_t *dst, uint32_t len)
{
    if (!in_flash(addr, len)) {
        violation("read outside flash", addr, len);
        return FLASH_ERR_PROTECTED;
    }
    uint32_t off = addr - DB_FLASH_BASE;
    memcpy(dst, image + off, len);
    if (len == 0)
        return FLASH_OK;
    uint32_t last = (off + len - 1u) / DB_PROG_UNIT;
    for (uint32_t dw = off / DB_PROG_UNIT; dw <= last; dw++)
        if (bit_get(dw_ecc_broken, dw))
            return FLASH_ERR_ECC;
    return FLASH_OK;
}
