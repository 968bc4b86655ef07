/*
 * The boot record log (see bootrec.h). A record is the struct's eight
 * little-endian words (Cortex-M and the PC agree), so no packing step.
 */
#include "bootrec.h"

#include <string.h>

#include "crc32.h"

#define ENTRY_SIZE sizeof(struct bootrec_entry)
#define ENTRY_CRC_LEN (ENTRY_SIZE - sizeof(uint32_t)) /* every field before rec_crc */
#define ENTRIES_PER_PAGE (DB_RECORD_UNIT_SIZE / ENTRY_SIZE) /* a log unit: a page on the L4R5, a sector on the F411 */
#define IMAGE_CRC_CHUNK 256u /* bytes read per step when checking an image: a stack buffer, not a page */
#define ERASED_BYTE 0xFFu
/* What boots may append about one committed image: its trial starts and a
 * confirm or reject, then as much for the image a rollback goes back to. An
 * IMAGE record leaves that much room or moves the log first, while the
 * update erases anyway, so no boot waits for a page erase. */
#define BOOT_RESERVE (2u * (DB_TRIAL_BOOTS + 1u))

_Static_assert(sizeof(struct bootrec_entry) == 32u, "a record is four double-words, no padding");
_Static_assert(sizeof(struct bootrec_entry) % DB_PROG_UNIT == 0, "records are programmed in whole double-words");
/* A moved log: header, per image IMAGE + DB_TRIAL_BOOTS + 1 attempts + confirm + reject; then an IMAGE and its reserve. */
_Static_assert(1u + 2u * (DB_TRIAL_BOOTS + 4u) + 1u + BOOT_RESERVE <= ENTRIES_PER_PAGE, "a log page holds a moved state and a commit");

enum entry_kind { ENTRY_ERASED, ENTRY_VALID, ENTRY_BAD };

static uint32_t page_addr(uint32_t page) { return DB_RECORD_ADDR + page * DB_RECORD_UNIT_SIZE; }

/* The entry's bytes are read in place (a character type may view any
 * object): every boot scans the whole log, so no copies on the way. */
static uint32_t entry_crc(const struct bootrec_entry *e)
{
    return crc32_update(0, (const uint8_t *)e, ENTRY_CRC_LEN);
}

static enum entry_kind read_entry(uint32_t page, uint32_t i, struct bootrec_entry *e)
{
    uint8_t *raw = (uint8_t *)e;
    /* A torn record write leaves a double-word with broken ECC: a bad entry. */
    if (flash_read(page_addr(page) + i * ENTRY_SIZE, raw, ENTRY_SIZE) != FLASH_OK)
        return ENTRY_BAD;
    uint32_t b = 0;
    while (b < ENTRY_SIZE && raw[b] == ERASED_BYTE)
        b++;
    if (b == ENTRY_SIZE)
        return ENTRY_ERASED;
    return (e->magic == BOOTREC_MAGIC && e->rec_crc == entry_crc(e)) ? ENTRY_VALID : ENTRY_BAD;
}

uint32_t bootrec_slot_base(uint32_t slot)
{
    return (slot == BOOTREC_SLOT_B) ? DB_SLOT_B_BASE : DB_SLOT_A_BASE;
}

uint32_t bootrec_slot_max(uint32_t slot)
{
    return (slot == BOOTREC_SLOT_WHOLE) ? DB_APP_SIZE : DB_SLOT_SIZE;
}

static struct bootrec *image_by_seq(struct bootrec_state *st, uint32_t seq)
{
    for (uint32_t i = 0; i < 2u; i++)
        if (st->img[i].valid && st->img[i].seq == seq)
            return &st->img[i];
    return NULL;
}

static void apply(struct bootrec_state *st, const struct bootrec_entry *e)
{
    uint32_t idx = (e->slot == BOOTREC_SLOT_B) ? 1u : 0u;
    struct bootrec *img = image_by_seq(st, e->seq);
    switch (e->type) {
    case BOOTREC_IMAGE:
        if (e->slot > BOOTREC_SLOT_WHOLE || e->size == 0u || e->size > bootrec_slot_max(e->slot))
            return; /* not an image this bootloader could start: ignored */
        memset(&st->img[idx], 0, sizeof st->img[idx]);
        st->img[idx] = (struct bootrec){
            .valid = true, .slot = e->slot, .app_base = DB_APP_BASE, .phys = bootrec_slot_base(e->slot),
            .app_size = e->size, .app_crc = e->crc, .seq = e->seq, .format = e->format,
            .confirmed = (DB_TRIAL_BOOTS == 0u),
        };
        if (e->slot == BOOTREC_SLOT_WHOLE)
            st->img[1].valid = false; /* it runs over bank 2 */
        if (e->seq >= st->next_seq)
            st->next_seq = e->seq + 1u;
        break;
    case BOOTREC_ERASE:
        st->img[idx].valid = false;
        if (e->slot == BOOTREC_SLOT_WHOLE || st->img[0].slot == BOOTREC_SLOT_WHOLE)
            st->img[0].valid = st->img[1].valid = false;
        break;
    case BOOTREC_ATTEMPT:
        if (img != NULL)
            img->attempts++;
        break;
    case BOOTREC_CONFIRM:
        if (img != NULL)
            img->confirmed = true;
        break;
    case BOOTREC_REJECT:
        if (img != NULL)
            img->rejected = true;
        break;
    default:
        break;
    }
}

void bootrec_load(struct bootrec_state *st)
{
    memset(st, 0, sizeof *st);
    st->next_seq = 1;
    bool found = false;
    for (uint32_t p = 0; p < DB_RECORD_PAGES; p++) {
        struct bootrec_entry h;
        if (read_entry(p, 0, &h) == ENTRY_VALID && h.type == BOOTREC_PAGE && (!found || h.seq > st->generation)) {
            found = true;
            st->page = p;
            st->generation = h.seq;
        }
    }
    if (!found)
        return; /* generation 0: the first append starts a log */
    st->free_entry = ENTRIES_PER_PAGE;
    for (uint32_t i = 1; i < ENTRIES_PER_PAGE; i++) {
        struct bootrec_entry e;
        enum entry_kind k = read_entry(st->page, i, &e);
        if (k == ENTRY_ERASED) {
            st->free_entry = i;
            break;
        }
        if (k == ENTRY_VALID)
            apply(st, &e);
    }
}

static enum flash_status program_entry(uint32_t page, uint32_t i, struct bootrec_entry *e)
{
    e->magic = BOOTREC_MAGIC;
    e->rec_crc = entry_crc(e);
    return flash_program(page_addr(page) + i * ENTRY_SIZE, (const uint8_t *)e, ENTRY_SIZE);
}

/* The state as records on page `to`, from entry 1 on; the number written. */
static enum flash_status write_state(const struct bootrec_state *st, uint32_t to, uint32_t *n)
{
    *n = 1;
    for (uint32_t s = 0; s < 2u; s++) {
        const struct bootrec *img = &st->img[s];
        if (!img->valid)
            continue;
        struct bootrec_entry e = {.type = BOOTREC_IMAGE, .seq = img->seq, .slot = img->slot,
                                  .size = img->app_size, .crc = img->app_crc, .format = img->format};
        enum flash_status r = program_entry(to, (*n)++, &e);
        uint32_t follow[3] = {img->confirmed ? BOOTREC_CONFIRM : 0u, img->rejected ? BOOTREC_REJECT : 0u, 0u};
        for (uint32_t a = 0; a < img->attempts && a < DB_TRIAL_BOOTS + 1u && r == FLASH_OK; a++) {
            struct bootrec_entry t = {.type = BOOTREC_ATTEMPT, .seq = img->seq};
            r = program_entry(to, (*n)++, &t);
        }
        for (uint32_t f = 0; f < 2u && r == FLASH_OK; f++) {
            if (follow[f] == 0u)
                continue;
            struct bootrec_entry t = {.type = follow[f], .seq = img->seq};
            r = program_entry(to, (*n)++, &t);
        }
        if (r != FLASH_OK)
            return r;
    }
    return FLASH_OK;
}

/* Move the log to the other page: erase it, write the state, the header
 * last. Until the header is in, the old page is the log. */
static enum flash_status move_log(struct bootrec_state *st)
{
    uint32_t to = (st->generation == 0u) ? 0u : (st->page + 1u) % DB_RECORD_PAGES;
    uint32_t n = 1;
    enum flash_status r = flash_erase_page(page_addr(to));
    if (r == FLASH_OK)
        r = write_state(st, to, &n);
    struct bootrec_entry h = {.type = BOOTREC_PAGE, .seq = st->generation + 1u};
    if (r == FLASH_OK)
        r = program_entry(to, 0, &h);
    if (r != FLASH_OK)
        return r;
    st->page = to;
    st->generation++;
    st->free_entry = n;
    return FLASH_OK;
}

enum flash_status bootrec_append(struct bootrec_state *st, const struct bootrec_entry *e)
{
    uint32_t need = (e->type == BOOTREC_IMAGE) ? 1u + BOOT_RESERVE : 1u;
    if (st->generation == 0u || st->free_entry + need > ENTRIES_PER_PAGE) {
        enum flash_status r = move_log(st);
        if (r != FLASH_OK)
            return r;
    }
    struct bootrec_entry copy = *e;
    enum flash_status r = program_entry(st->page, st->free_entry, &copy);
    st->free_entry++; /* a failed write is stepped over, never written twice */
    if (r == FLASH_OK)
        apply(st, &copy);
    return r;
}

const struct bootrec *bootrec_active(const struct bootrec_state *st)
{
    const struct bootrec *best = NULL;
    for (uint32_t i = 0; i < 2u; i++) {
        const struct bootrec *img = &st->img[i];
        if (img->valid && !img->rejected && (best == NULL || img->seq > best->seq))
            best = img;
    }
    return best;
}

const struct bootrec *bootrec_other(const struct bootrec_state *st, const struct bootrec *active)
{
    for (uint32_t i = 0; i < 2u; i++) {
        const struct bootrec *img = &st->img[i];
        if (img != active && img->valid && !img->rejected)
            return img;
    }
    return NULL;
}

const char *bootrec_state_name(const struct bootrec_state *st, uint32_t slot)
{
    const struct bootrec *img = &st->img[slot == BOOTREC_SLOT_B ? 1u : 0u];
    if (!img->valid)
        return "empty";
    if (img->rejected)
        return "rolled back";
    if (img == bootrec_active(st))
        return img->confirmed ? "active" : "trial";
    return "previous";
}

bool bootrec_read(struct bootrec *r)
{
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    if (a == NULL)
        return false;
    *r = *a;
    return true;
}

enum flash_status bootrec_image_crc(uint32_t phys, uint32_t size, uint32_t *crc)
{
    uint8_t chunk[IMAGE_CRC_CHUNK];
    *crc = 0;
    for (uint32_t off = 0; off < size; off += IMAGE_CRC_CHUNK) {
        uint32_t n = size - off < IMAGE_CRC_CHUNK ? size - off : IMAGE_CRC_CHUNK;
        enum flash_status st = flash_read(phys + off, chunk, n);
        if (st != FLASH_OK)
            return st;
        *crc = crc32_update(*crc, chunk, n);
    }
    return FLASH_OK;
}

bool bootrec_app_intact(const struct bootrec *r)
{
    if (!r->valid || r->app_size == 0 || r->app_size > bootrec_slot_max(r->slot))
        return false;
    uint32_t crc;
    return bootrec_image_crc(r->phys, r->app_size, &crc) == FLASH_OK && crc == r->app_crc;
}
