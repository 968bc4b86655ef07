/*
 * The flash writer (see writer.h for the rules it keeps).
 *
 * One page is held in RAM at a time. Moving to another page flushes the held
 * one: its complete new double-words are programmed and read back, its
 * half-filled ones move to the partial table. A page seen for the first time
 * in this update is erased; a page seen again is loaded from flash (and from
 * the partial table) so bytes given earlier are compared, not programmed twice.
 */
#include "writer.h"

#include <string.h>

#include "boot.h"
#include "bootrec.h"
#include "byteorder.h"
#include "flash.h"

#define WRITER_CHUNK 256u /* bytes read back per step to verify: a stack buffer, not a page */
#define WRITER_DW_PER_PAGE (DB_PAGE_SIZE / DB_PROG_UNIT)
#define WRITER_ERASED 0xFFu
#define WRITER_DW_FULL ((uint8_t)((1u << DB_PROG_UNIT) - 1u)) /* every byte of a double-word */
#define WRITER_VECTORS_BYTES 8u                               /* initial SP and reset handler */

#if DB_PROG_UNIT != 8u
#error "the partial table keeps one bit per byte of a double-word in a uint8_t"
#endif

static bool bit_get(const uint8_t *map, uint32_t i) { return (map[i / 8u] >> (i % 8u)) & 1u; }
static void bit_set(uint8_t *map, uint32_t i) { map[i / 8u] |= (uint8_t)(1u << (i % 8u)); }

static uint32_t page_of(uint32_t addr) { return addr - (addr - DB_FLASH_BASE) % DB_PAGE_SIZE; }
/* Where an image address lies in flash. */
static uint32_t phys_of(const struct writer *w, uint32_t addr) { return w->phys + (addr - DB_APP_BASE); }

static void target(struct writer *w, uint32_t slot)
{
    w->slot = slot;
    w->phys = bootrec_slot_base(slot);
    w->max = bootrec_slot_max(slot);
}

static enum db_status fail(struct writer *w, enum db_status s)
{
    w->status = s;
    return s;
}

void writer_init(struct writer *w)
{
    struct bootrec_state st;
    memset(w, 0, sizeof *w);
    w->status = DB_BUSY;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    /* Without A/B slot A is the one slot: the update replaces the app. */
    bool other_is_b = DB_AB_SLOTS && a != NULL && a->slot == BOOTREC_SLOT_A;
    target(w, other_is_b ? BOOTREC_SLOT_B : BOOTREC_SLOT_A);
}

void writer_size_hint(struct writer *w, uint32_t size)
{
    if (DB_AB_SLOTS && !w->started && size > DB_SLOT_SIZE)
        target(w, BOOTREC_SLOT_WHOLE);
}

enum db_status writer_check_vectors(uint32_t sp, uint32_t pc, uint32_t size)
{
    uint32_t entry = pc & ~1u;
    bool sp_in_ram = sp > DB_RAM_BASE && sp <= DB_RAM_END;
    if ((pc & 1u) && entry >= DB_FLASH_BASE && entry < DB_APP_BASE && sp_in_ram)
        return DB_ERR_ADDR_BOOT; /* linked for 0x08000000: it would run over the bootloader */
    return boot_vectors_plausible(sp, pc, size) ? DB_BUSY : DB_ERR_VECTORS;
}

enum db_status writer_arm(struct writer *w, uint32_t sp, uint32_t pc)
{
    enum db_status s = writer_check_vectors(sp, pc, DB_APP_SIZE);
    if (s == DB_BUSY)
        w->armed = true;
    return s;
}

enum db_status writer_check_range(uint32_t addr, uint32_t len)
{
    if (addr >= DB_FLASH_BASE && addr < DB_APP_BASE)
        return DB_ERR_ADDR_BOOT;
    if (addr < DB_FLASH_BASE || addr >= DB_APP_END)
        return DB_ERR_ADDR_RANGE;
    if (len > DB_APP_END - addr)
        return DB_ERR_TOO_LARGE;
    return DB_BUSY;
}

/* Compare flash at addr with expect; a read error is a verify failure too. */
static bool flash_matches(uint32_t addr, const uint8_t *expect, uint32_t len)
{
    uint8_t chunk[WRITER_CHUNK];
    for (uint32_t off = 0; off < len; off += WRITER_CHUNK) {
        uint32_t n = len - off < WRITER_CHUNK ? len - off : WRITER_CHUNK;
        if (flash_read(addr + off, chunk, n) != FLASH_OK || memcmp(chunk, expect + off, n) != 0)
            return false;
    }
    return true;
}

static bool dw_all_erased(const uint8_t *p)
{
    for (uint32_t b = 0; b < DB_PROG_UNIT; b++)
        if (p[b] != WRITER_ERASED)
            return false;
    return true;
}

/* Which bytes of double-word dw of the held page have a value: a bit per
   byte and eight bytes per double-word make it byte dw of the map. */
static uint8_t dw_has(const struct writer *w, uint32_t dw)
{
    return w->buf_has[dw];
}

/* Whole double-words [off, off + n) of the held page none of whose bytes has a value yet. */
static bool dws_free(const struct writer *w, uint32_t off, uint32_t n)
{
    if ((off | n) % DB_PROG_UNIT != 0u)
        return false;
    for (uint32_t dw = off / DB_PROG_UNIT; dw < (off + n) / DB_PROG_UNIT; dw++)
        if (dw_has(w, dw) != 0u)
            return false;
    return true;
}

static struct writer_partial *partial_find(struct writer *w, uint32_t addr)
{
    for (uint32_t i = 0; i < WRITER_PARTIAL_MAX; i++)
        if (w->partial[i].addr == addr)
            return &w->partial[i];
    return NULL;
}

/* Park a half-filled double-word; false when the table is full (the caller programs it). */
static bool partial_park(struct writer *w, uint32_t addr, const uint8_t *b, uint8_t has)
{
    struct writer_partial *p = partial_find(w, 0);
    if (p == NULL)
        return false;
    p->addr = addr;
    p->has = has;
    memcpy(p->b, b, DB_PROG_UNIT);
    return true;
}

/* Program the held page's new double-words, one flash_program per run of
 * them, and verify. Half-filled ones are parked unless final (commit: the
 * missing bytes stay 0xFF) or the table is full. */
static enum db_status flush(struct writer *w, bool final)
{
    if (w->buf_page == 0)
        return DB_BUSY;
    for (uint32_t dw = 0; dw < WRITER_DW_PER_PAGE && !final; dw++) {
        if (!bit_get(w->buf_dirty, dw))
            continue;
        uint8_t has = dw_has(w, dw);
        if (has != WRITER_DW_FULL && partial_park(w, w->buf_page + dw * DB_PROG_UNIT, w->buf + dw * DB_PROG_UNIT, has))
            w->buf_dirty[dw / 8u] &= (uint8_t)~(1u << (dw % 8u));
    }
    uint32_t dw = 0;
    while (dw < WRITER_DW_PER_PAGE) {
        if (!bit_get(w->buf_dirty, dw)) {
            dw++;
            continue;
        }
        uint32_t first = dw;
        while (dw < WRITER_DW_PER_PAGE && bit_get(w->buf_dirty, dw)) {
            if (!dw_all_erased(w->buf + dw * DB_PROG_UNIT))
                w->program_count++;
            dw++;
        }
        uint32_t off = first * DB_PROG_UNIT;
        uint32_t len = (dw - first) * DB_PROG_UNIT;
        if (flash_program(w->buf_page + off, w->buf + off, len) != FLASH_OK)
            return fail(w, DB_ERR_FLASH);
        if (!flash_matches(w->buf_page + off, w->buf + off, len))
            return fail(w, DB_ERR_VERIFY);
    }
    memset(w->buf_dirty, 0, sizeof w->buf_dirty);
    return DB_BUSY;
}

/* Bring the page's parked double-words back into the page buffer. */
static void partials_unpark(struct writer *w, uint32_t page)
{
    for (uint32_t i = 0; i < WRITER_PARTIAL_MAX; i++) {
        struct writer_partial *p = &w->partial[i];
        if (p->addr == 0 || page_of(p->addr) != page)
            continue;
        uint32_t off = p->addr - page;
        for (uint32_t b = 0; b < DB_PROG_UNIT; b++) {
            if (!(p->has & (1u << b)))
                continue;
            w->buf[off + b] = p->b[b];
            bit_set(w->buf_has, off + b);
        }
        bit_set(w->buf_dirty, off / DB_PROG_UNIT);
        p->addr = 0;
    }
}

/* Erase the unit holding addr unless this update did already. True when
   it erased it now (the whole unit reads 0xFF after, whichever page of it
   came first); a failure is left in w->status. */
static bool erase_unit_of(struct writer *w, uint32_t addr)
{
    struct geometry_unit u;
    bool known = geometry_unit_of(addr, &u);
    if (known && bit_get(w->erased, u.index))
        return false;
#if DB_BANK2_FAST
    /* Data for bank 2 (slot B, or a whole image's tail): the whole bank at
       once, its pages counted erased. Its first DB_BOOT_SIZE bytes belong to
       no slot (only a whole image runs into them), and the slot's old image
       is gone with any erase in it, so nothing kept is lost. */
    if (known && addr >= DB_FLASH_BASE + DB_BANK_SIZE) {
        if (flash_erase_bank(DB_FLASH_BASE + DB_BANK_SIZE) != FLASH_OK) {
            (void)fail(w, DB_ERR_FLASH);
            return false;
        }
        memset(w->erased + DB_BANK_SIZE / DB_PAGE_SIZE / 8u, 0xFF, DB_BANK_SIZE / DB_PAGE_SIZE / 8u);
        w->erase_count++;
        return true;
    }
#endif
    if (!known || flash_erase_page(u.start) != FLASH_OK) {
        (void)fail(w, DB_ERR_FLASH);
        return false;
    }
    bit_set(w->erased, u.index);
    w->erase_count++;
    return true;
}

/* Make page the held one: erase its unit on first touch, else load what
   this update put there (a page of a unit erased for another page is 0xFF). */
static enum db_status hold_page(struct writer *w, uint32_t page)
{
    enum db_status s = flush(w, false);
    if (s != DB_BUSY)
        return s;
    w->buf_page = page;
    memset(w->buf_has, 0, sizeof w->buf_has);
    memset(w->buf_dirty, 0, sizeof w->buf_dirty);
    if (erase_unit_of(w, page)) {
        memset(w->buf, WRITER_ERASED, sizeof w->buf);
        return DB_BUSY;
    }
    if (w->status != DB_BUSY)
        return w->status;
    if (flash_read(page, w->buf, DB_PAGE_SIZE) != FLASH_OK)
        return fail(w, DB_ERR_VERIFY);
    /* A programmed double-word holds all its 8 bytes: later data must match them. */
    for (uint32_t dw = 0; dw < WRITER_DW_PER_PAGE; dw++) {
        if (dw_all_erased(w->buf + dw * DB_PROG_UNIT))
            continue;
        for (uint32_t b = 0; b < DB_PROG_UNIT; b++)
            bit_set(w->buf_has, dw * DB_PROG_UNIT + b);
    }
    partials_unpark(w, page);
    return DB_BUSY;
}

/* Before the first erase in the target: the log says what it held is gone. */
static enum db_status start(struct writer *w)
{
    struct bootrec_state st;
    bootrec_load(&st);
    w->seq = st.next_seq;
    bool holds = (w->slot == BOOTREC_SLOT_WHOLE) ? (st.img[0].valid || st.img[1].valid)
                                                  : st.img[w->slot].valid;
    struct bootrec_entry e = {.type = BOOTREC_ERASE, .seq = 0, .slot = w->slot};
    if (holds && bootrec_append(&st, &e) != FLASH_OK)
        return fail(w, DB_ERR_FLASH);
    w->started = true;
    return DB_BUSY;
}

/* Data past the slot's end: slot A runs on into bank 2 (single slot), slot B can't. */
static enum db_status grow(struct writer *w, uint32_t end)
{
    if (end - DB_APP_BASE <= w->max)
        return DB_BUSY;
    if (!DB_AB_SLOTS)
        return fail(w, DB_ERR_TOO_LARGE); /* slot A is already the whole app area */
    if (w->slot != BOOTREC_SLOT_A)
        return fail(w, (w->slot == BOOTREC_SLOT_B) ? DB_ERR_SLOT_FULL : DB_ERR_TOO_LARGE);
    target(w, BOOTREC_SLOT_WHOLE); /* same base: what is written stays where it is */
    if (!w->started)
        return DB_BUSY;
    struct bootrec_state st;
    bootrec_load(&st);
    struct bootrec_entry e = {.type = BOOTREC_ERASE, .seq = 0, .slot = BOOTREC_SLOT_WHOLE};
    if (st.img[1].valid && bootrec_append(&st, &e) != FLASH_OK)
        return fail(w, DB_ERR_FLASH);
    return DB_BUSY;
}

enum db_status writer_write(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len)
{
    if (w->status != DB_BUSY || len == 0)
        return w->status;
    enum db_status s = writer_check_range(addr, len);
    if (s != DB_BUSY)
        return fail(w, s);
    if (!w->armed)
        return fail(w, DB_ERR_VECTORS); /* the erase rule: a stream wrote before it knew the table */
    if (grow(w, addr + len) != DB_BUSY)
        return w->status;
    if (!w->started && start(w) != DB_BUSY)
        return w->status;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = phys_of(w, addr + i);
        uint32_t page = page_of(a);
        if (page != w->buf_page && hold_page(w, page) != DB_BUSY)
            return w->status;
        uint32_t off = a - page;
        uint32_t n = DB_PAGE_SIZE - off < len - i ? DB_PAGE_SIZE - off : len - i;
        if (dws_free(w, off, n)) {
            /* Whole new double-words (UF2 payloads, BIN sectors): in bulk. */
            memcpy(w->buf + off, data + i, n);
            memset(w->buf_has + off / DB_PROG_UNIT, WRITER_DW_FULL, n / DB_PROG_UNIT);
            for (uint32_t dw = off / DB_PROG_UNIT; dw < (off + n) / DB_PROG_UNIT; dw++)
                bit_set(w->buf_dirty, dw);
            i += n - 1u;
            continue;
        }
        if (bit_get(w->buf_has, off)) {
            if (w->buf[off] != data[i])
                return fail(w, DB_ERR_OVERLAP);
            continue;
        }
        w->buf[off] = data[i];
        bit_set(w->buf_has, off);
        bit_set(w->buf_dirty, off / DB_PROG_UNIT);
    }
    if (addr + len > w->highest)
        w->highest = addr + len;
    return DB_BUSY;
}

bool writer_same(struct writer *w, uint32_t addr, const uint8_t *data, uint32_t len)
{
    if (addr + len - DB_APP_BASE > w->max)
        return false;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = phys_of(w, addr + i);
        uint8_t have = WRITER_ERASED;
        const struct writer_partial *p = partial_find(w, a - a % DB_PROG_UNIT);
        if (w->buf_page != 0 && page_of(a) == w->buf_page) {
            have = w->buf[a - w->buf_page];
        } else if (p != NULL && (p->has & (1u << (a % DB_PROG_UNIT)))) {
            have = p->b[a % DB_PROG_UNIT];
        } else if (w->started && flash_read(a, &have, 1) != FLASH_OK) {
            return false;
        }
        if (have != data[i])
            return false;
    }
    return true;
}

/* Units inside the image that got no data still hold an older app: erase them to 0xFF. */
static enum db_status erase_gaps(struct writer *w, uint32_t size)
{
    for (uint32_t off = 0; off < size; off += DB_PAGE_SIZE) {
        (void)erase_unit_of(w, w->phys + off);
        if (w->status != DB_BUSY)
            return w->status;
    }
    return DB_BUSY;
}

/* Program every parked double-word as it is (missing bytes 0xFF). */
static enum db_status flush_partials(struct writer *w)
{
    if (flush(w, true) != DB_BUSY)
        return w->status;
    for (uint32_t i = 0; i < WRITER_PARTIAL_MAX; i++) {
        uint32_t addr = w->partial[i].addr;
        if (addr == 0)
            continue;
        if (page_of(addr) != w->buf_page && hold_page(w, page_of(addr)) != DB_BUSY)
            return w->status;
        if (flush(w, true) != DB_BUSY)
            return w->status;
    }
    return DB_BUSY;
}

enum db_status writer_commit(struct writer *w, uint32_t size, uint32_t format)
{
    if (w->status != DB_BUSY)
        return w->status;
    if (!w->started)
        return fail(w, DB_ERR_INCOMPLETE);
    if (flush_partials(w) != DB_BUSY)
        return w->status;
    if (size == 0u)
        size = w->highest - DB_APP_BASE;
    if (size > w->max)
        return fail(w, DB_ERR_TOO_LARGE);
    if (erase_gaps(w, size) != DB_BUSY)
        return w->status;
    uint8_t vec[WRITER_VECTORS_BYTES];
    if (flash_read(w->phys, vec, sizeof vec) != FLASH_OK)
        return fail(w, DB_ERR_VERIFY);
    enum db_status v = writer_check_vectors(le_get32(vec), le_get32(vec + 4), size);
    if (v != DB_BUSY)
        return fail(w, v); /* e.g. the reset handler lies past the image's end */
    struct bootrec_entry e = {.type = BOOTREC_IMAGE, .seq = w->seq, .slot = w->slot, .size = size, .format = format};
    if (bootrec_image_crc(w->phys, size, &e.crc) != FLASH_OK)
        return fail(w, DB_ERR_VERIFY);
    struct bootrec_state st;
    bootrec_load(&st);
    e.seq = st.next_seq;
    if (bootrec_append(&st, &e) != FLASH_OK)
        return fail(w, DB_ERR_FLASH);
    struct bootrec back;
    if (!bootrec_read(&back) || back.seq != e.seq || back.app_crc != e.crc || back.app_size != size ||
        back.slot != w->slot)
        return fail(w, DB_ERR_VERIFY);
    w->seq = e.seq;
    w->app_size = size;
    w->app_crc = e.crc;
    return fail(w, DB_DONE);
}
