/*
 * The update engine (see update.h for the formats).
 *
 * One attempt per session: the first firmware sector opens a stream (a row of
 * the stream table below); the attempt ends committed or refused (FINISHED);
 * then the engine waits for the host to be done and asks for a reset.
 * Three rules decide everything, each stated once:
 * - when it erases: writer.h (the sink is armed only with a startable vector
 *   table; until then streams hold their sectors in the pending buffer);
 * - when it commits: commit_rule();
 * - when it resets: reset_rule().
 * Sectors that cannot be used yet wait in the pending buffer; what falls out
 * of it is remembered by group, so a stream that would need it is refused
 * before it erases.
 */
#include <string.h>

#include "bootrec.h"
#include "byteorder.h"
#include "uf2.h"
#include "update.h"

#define NO_SECTOR UPDATE_NO_SECTOR
#define VECTORS_ALL 0xFFu                /* all 8 bytes of the vector table arrived */
#define HEX_TYPE_OFFSET 7u               /* ":LLAAAATT": the type's two digits */
#define HEX_TYPE_FIRST_ADDRESSING '2'    /* types 02..05 set an address or a start: what a file opens with */
#define HEX_TYPE_LAST_ADDRESSING '5'
#define GROUP_COUNT (UPDATE_GROUP_MAP_BYTES * 8u)

static const uint8_t zip_magic[4] = {'P', 'K', 0x03, 0x04}; /* PKWARE APPNOTE: local file header */
static const uint8_t elf_magic[4] = {0x7F, 'E', 'L', 'F'};  /* System V ABI: e_ident */
static const uint8_t tar_magic[5] = {'u', 's', 't', 'a', 'r'}; /* POSIX ustar header, at offset 257 */
#define TAR_MAGIC_OFFSET 257u

static bool bit_get(const uint8_t *map, uint32_t i) { return (map[i / 8u] >> (i % 8u)) & 1u; }
static void bit_set(uint8_t *map, uint32_t i) { map[i / 8u] |= (uint8_t)(1u << (i % 8u)); }

/* Groups count from the data area's first sector, so with the drive's own
 * layout a group is exactly one cluster. */
static uint32_t group_of(const struct update *u, uint32_t lba)
{
    return (lba >= u->group_base) ? (lba - u->group_base) / UPDATE_GROUP_SECTORS : GROUP_COUNT;
}

static void group_mark(struct update *u, uint8_t *map, uint32_t lba)
{
    uint32_t g = group_of(u, lba);
    if (g < GROUP_COUNT)
        bit_set(map, g);
}

static bool group_marked(const struct update *u, const uint8_t *map, uint32_t lba)
{
    uint32_t g = group_of(u, lba);
    return g < GROUP_COUNT && bit_get(map, g);
}

/* Any group of [lba, lba + count) marked? */
static bool groups_any(const struct update *u, const uint8_t *map, uint32_t lba, uint32_t count)
{
    if (count == 0u)
        return false;
    uint32_t last = group_of(u, lba + count - 1u);
    for (uint32_t g = group_of(u, lba); g <= last && g < GROUP_COUNT; g++)
        if (bit_get(map, g))
            return true;
    return false;
}

static void copy_name(char dst[UPDATE_NAME_LEN], const char *src)
{
    uint32_t i = 0;
    for (; i + 1u < UPDATE_NAME_LEN && src[i] != '\0'; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

uint32_t update_file_sector(const struct update_file *f, uint32_t lba)
{
    uint32_t acc = 0;
    for (uint32_t x = 0; x < f->extent_count; x++) {
        if (lba >= f->ext[x].lba && lba - f->ext[x].lba < f->ext[x].count)
            return acc + (lba - f->ext[x].lba);
        acc += f->ext[x].count;
    }
    return NO_SECTOR;
}

static uint32_t file_sectors(const struct update_file *f)
{
    return (f->size + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
}

/* ---- outcome ---- */

static void finish(struct update *u, enum db_status s)
{
    if (u->state == UPDATE_FINISHED)
        return;
    u->state = UPDATE_FINISHED;
    u->status = s;
    u->report->magic = UPDATE_REPORT_MAGIC;
    u->report->status = (uint32_t)s;
    u->report->format = u->format;
    u->report->stay = (s == DB_DONE) ? 0u : UPDATE_STAY_MAGIC;
    copy_name(u->report->file, u->file);
}

/* A file that is not firmware: said in STATUS.TXT, no attempt, no reset. */
static void say_not_firmware(struct update *u, const struct update_file *f, enum db_status why)
{
    u->status = why;
    u->format = 0;
    copy_name(u->file, f->name);
}

/* ---- the pending buffer ---- */

static struct update_pending *pending_find(struct update *u, uint32_t lba)
{
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++)
        if (u->pending[i].used && u->pending[i].lba == lba)
            return &u->pending[i];
    return NULL;
}

/* Keep a sector: its own slot, a free one, else the oldest that is not held
 * (remembered as dropped). False when every slot is held. */
static bool pending_put(struct update *u, uint32_t lba, const uint8_t *s, bool held)
{
    struct update_pending *p = pending_find(u, lba);
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS && p == NULL; i++)
        if (!u->pending[i].used)
            p = &u->pending[i];
    if (p == NULL) {
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
            struct update_pending *c = &u->pending[i];
            if (!c->held && (p == NULL || c->stamp < p->stamp))
                p = c;
        }
        if (p == NULL)
            return false;
        group_mark(u, u->dropped_groups, p->lba); /* a stream that needs it is refused up front */
        u->dropped = true;
        p->held = false;
    }
    p->held = held || (p->used && p->held);
    p->used = true;
    p->lba = lba;
    p->stamp = ++u->stamp;
    memcpy(p->data, s, DB_SECTOR_SIZE);
    return true;
}

/* ---- the stream's file: from LBA to the sector's index in the file ---- */

static uint32_t max_file_sectors(const struct update *u)
{
    /* HEX is text: any length the volume holds (short records make ~3.5 bytes per byte). */
    return (u->format == BOOTREC_FMT_BIN) ? UPDATE_BIN_SECTORS_MAX : UPDATE_VOLUME_SECTORS_MAX;
}

/* Index of lba in the stream's file, or NO_SECTOR. Uses the cluster chain as
 * far as it is known; past it the file is assumed to run on contiguously, as
 * on a fresh volume: before the chain is complete that is the only guess,
 * after it the file may still grow (a host that syncs as it writes). */
static uint32_t file_index(struct update *u, uint32_t lba)
{
    uint32_t idx = NO_SECTOR;
    bool guess_checked_later = false;
    if (u->file_known && u->host_file.extent_count > 0u) {
        const struct update_file *f = &u->host_file;
        idx = update_file_sector(f, lba);
        const struct update_extent *last = &f->ext[f->extent_count - 1u];
        if (idx == NO_SECTOR && lba >= last->lba + last->count) {
            idx = (file_sectors(f) > 0u ? update_file_sector(f, last->lba) + last->count : 0u) +
                  (lba - (last->lba + last->count));
            guess_checked_later = !f->chain_complete;
        }
    } else if (lba >= u->start_lba) {
        idx = lba - u->start_lba;
        guess_checked_later = true;
    }
    if (idx == NO_SECTOR || idx >= max_file_sectors(u))
        return NO_SECTOR;
    if (guess_checked_later && idx > u->assumed_max)
        u->assumed_max = idx;
    return idx;
}

/* Did a sector this stream needs fall out of the pending buffer? Exact for
 * a known chain; without one, anything after the first sector counts. */
static bool needed_sector_dropped(const struct update *u)
{
    if (!u->dropped)
        return false;
    if (!u->file_known)
        return groups_any(u, u->dropped_groups, u->start_lba, max_file_sectors(u));
    const struct update_file *f = &u->host_file;
    uint32_t have = 0;
    for (uint32_t x = 0; x < f->extent_count; x++) {
        if (groups_any(u, u->dropped_groups, f->ext[x].lba, f->ext[x].count))
            return true;
        have += f->ext[x].count;
    }
    uint32_t need = file_sectors(f);
    if (!f->chain_complete && f->extent_count > 0u && need > have) {
        const struct update_extent *e = &f->ext[f->extent_count - 1u];
        return groups_any(u, u->dropped_groups, e->lba + e->count, need - have);
    }
    return false;
}

/* ---- the vector table and the sink ---- */

/* Collect the bytes of [DB_APP_BASE, DB_APP_BASE + 8) from a piece of the image. */
static void vectors_collect(struct update *u, uint32_t addr, const uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < sizeof u->vectors; i++) {
        uint32_t a = DB_APP_BASE + i;
        if (a >= addr && a - addr < len) {
            u->vectors[i] = data[a - addr];
            u->vectors_have |= (uint8_t)(1u << i);
        }
    }
}

/* Arm the writer once the whole table is in (the erase rule lives in the
 * writer). False when the table is one this board can't start: refused,
 * nothing erased. */
static bool vectors_arm(struct update *u)
{
    if (u->writer.armed || u->vectors_have != VECTORS_ALL)
        return true;
    enum db_status s = writer_arm(&u->writer, le_get32(u->vectors), le_get32(u->vectors + 4));
    if (s != DB_BUSY) {
        finish(u, s);
        return false;
    }
    return true;
}

/* Where every decoded byte goes: the range is checked at once (a refusal
 * before any erase); before the writer is armed only the vector table is
 * picked out (the stream keeps the sector and plays it again). */
static enum db_status sink(struct update *u, uint32_t addr, const uint8_t *data, uint32_t len)
{
    enum db_status s = writer_check_range(addr, len);
    if (s != DB_BUSY)
        return s;
    if (!u->writer.armed) {
        vectors_collect(u, addr, data, len);
        return DB_BUSY;
    }
    return writer_write(&u->writer, addr, data, len);
}

/* A writer status: DB_BUSY means fine, anything else ends the attempt. */
static bool sink_ok(struct update *u, enum db_status s)
{
    if (s == DB_BUSY || s == DB_OK)
        return true;
    finish(u, s);
    return false;
}

/* ---- UF2 ---- */

static bool uf2_detect(const uint8_t *s, bool file_start, const struct update_file *f)
{
    (void)file_start;
    (void)f;
    return uf2_is_block(s);
}

static void uf2_open(struct update *u)
{
    memset(&u->f.uf2, 0, sizeof u->f.uf2);
}

static bool uf2_complete(const struct update *u)
{
    return u->f.uf2.num_blocks != 0u && u->f.uf2.seen == u->f.uf2.num_blocks;
}

/* Blocks of the file in, ours and skipped ones: all of the file's sectors? */
static bool uf2_settled(const struct update *u, bool quiet)
{
    if (quiet || u->ejected || !u->file_known)
        return true;
    return u->f.uf2.seen + u->f.uf2.other >= file_sectors(&u->host_file);
}

/* The stream's file and its whole chain are known: sectors can be told apart by owner. */
static bool uf2_owner_known(const struct update *u)
{
    return u->file_known && u->host_file.chain_complete && !u->host_file.fragmented;
}

static void uf2_program(struct update *u, const struct uf2_block *b)
{
    enum db_status s = writer_write(&u->writer, b->target_addr, b->payload, b->payload_size);
    if (s == DB_ERR_OVERLAP)
        s = DB_ERR_UF2_CONFLICT; /* two blocks for the same bytes: two files, or a bad one */
    (void)sink_ok(u, s);
}

/* A repeated block number: the data must be what came first. */
static bool uf2_repeat_same(struct update *u, const struct uf2_block *b)
{
    if (u->writer.armed)
        return writer_same(&u->writer, b->target_addr, b->payload, b->payload_size);
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
        struct uf2_block h;
        const struct update_pending *p = &u->pending[i];
        if (p->used && p->held && uf2_decode(p->data, &h) == DB_OK && h.block_no == b->block_no)
            return h.target_addr == b->target_addr && h.payload_size == b->payload_size &&
                   memcmp(h.payload, b->payload, b->payload_size) == 0;
    }
    return false;
}

/* The table is known: program the held blocks, lowest address first (half
 * double-words at block edges then meet inside one page). */
static void uf2_release_held(struct update *u)
{
    for (uint32_t round = 0; round < UPDATE_PENDING_SECTORS && u->state == UPDATE_RECEIVING; round++) {
        struct update_pending *low = NULL;
        struct uf2_block b, lb;
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
            struct update_pending *p = &u->pending[i];
            if (p->used && p->held && uf2_decode(p->data, &b) == DB_OK &&
                (low == NULL || b.target_addr < lb.target_addr)) {
                low = p;
                lb = b;
            }
        }
        if (low == NULL)
            return;
        low->used = false;
        low->held = false;
        (void)uf2_decode(low->data, &lb);
        uf2_program(u, &lb);
    }
}

static bool uf2_write(struct update *u, uint32_t lba, const uint8_t *s)
{
    struct uf2_block b;
    if (!uf2_is_block(s))
        return false;
    /* Streams are separated by file where the directory allows it. */
    if (uf2_owner_known(u) && update_file_sector(&u->host_file, lba) == NO_SECTOR)
        return false;
    if (uf2_decode(s, &b) != DB_OK) {
        finish(u, DB_ERR_UF2_BLOCK);
        return true;
    }
    group_mark(u, u->used_groups, lba);
    if ((b.flags & (UF2_FLAG_NOT_MAIN_FLASH | UF2_FLAG_FILE_CONTAINER)) ||
        ((b.flags & UF2_FLAG_FAMILY_ID) && b.family_or_size != DB_UF2_FAMILY)) {
        /* not for this flash (skipped, as the spec says), or another chip's part of a multi-family file */
        u->f.uf2.other++;
        if (b.flags & UF2_FLAG_FAMILY_ID)
            u->f.uf2.foreign++;
        return true;
    }
    if (u->f.uf2.num_blocks == 0u) {
        if (b.num_blocks > UPDATE_UF2_BLOCKS_MAX || (uint64_t)b.num_blocks * b.payload_size > DB_APP_SIZE) {
            finish(u, DB_ERR_TOO_LARGE);
            return true;
        }
        u->f.uf2.num_blocks = b.num_blocks;
        memset(u->seen, 0, sizeof u->seen);
        writer_size_hint(&u->writer, b.num_blocks * b.payload_size);
    } else if (b.num_blocks != u->f.uf2.num_blocks) {
        finish(u, DB_ERR_UF2_MIXED);
        return true;
    }
    if (!sink_ok(u, writer_check_range(b.target_addr, b.payload_size)))
        return true;
    if (bit_get(u->seen, b.block_no)) {
        if (!uf2_repeat_same(u, &b))
            finish(u, DB_ERR_UF2_CONFLICT);
        return true;
    }
    bit_set(u->seen, b.block_no);
    u->f.uf2.seen++;
    if (u->writer.armed) {
        uf2_program(u, &b);
        return true;
    }
    vectors_collect(u, b.target_addr, b.payload, b.payload_size);
    if (!pending_put(u, lba, s, true)) {
        finish(u, DB_ERR_ORDER); /* the vector table is not among the first blocks: nothing erased */
        return true;
    }
    if (vectors_arm(u) && u->writer.armed)
        uf2_release_held(u);
    else if (u->state == UPDATE_RECEIVING && uf2_complete(u))
        finish(u, DB_ERR_VECTORS); /* every block in, none at the app base */
    return true;
}

/* ---- HEX ---- */

static bool hex_detect(const uint8_t *s, bool file_start, const struct update_file *f)
{
    if (!file_start || !ihex_is_start(s, DB_SECTOR_SIZE))
        return false;
    if (f != NULL)
        return true;
    /* No directory yet: an app at 0x08008000 needs an address record (02/04)
     * before any data, a start record (03/05) may come first; a sector in the
     * middle of a file rarely starts with one. */
    return s[HEX_TYPE_OFFSET] == '0' && s[HEX_TYPE_OFFSET + 1u] >= HEX_TYPE_FIRST_ADDRESSING &&
           s[HEX_TYPE_OFFSET + 1u] <= HEX_TYPE_LAST_ADDRESSING;
}

static enum db_status hex_sink(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    struct update *u = ctx;
    uint32_t highest = u->writer.highest;
    enum db_status s = sink(u, addr, data, len);
    if (s == DB_ERR_ADDR_RANGE && addr == highest && addr == DB_APP_END)
        s = DB_ERR_TOO_LARGE; /* the image runs on past the app area's end */
    return (s == DB_BUSY) ? DB_OK : s;
}

static void hex_open(struct update *u)
{
    ihex_init(&u->f.hex.dec, hex_sink, u);
    u->f.hex.next = 0;
    u->f.hex.ended = false;
}

static bool hex_complete(const struct update *u)
{
    return u->f.hex.ended;
}

static void hex_feed(struct update *u, const uint8_t *s)
{
    uint32_t len = DB_SECTOR_SIZE;
    uint32_t off = u->f.hex.next * DB_SECTOR_SIZE;
    if (u->file_known && u->host_file.size > off && u->host_file.size - off < DB_SECTOR_SIZE)
        len = u->host_file.size - off;
    enum db_status r = ihex_feed(&u->f.hex.dec, s, len);
    u->f.hex.next++;
    if (r == DB_DONE)
        u->f.hex.ended = true;
    else if (r != DB_BUSY)
        finish(u, r);
}

/* The table became known while the decoder ran over held sectors: decode them
 * again from the start, now into flash. */
static void hex_replay_held(struct update *u)
{
    uint32_t upto = u->f.hex.next;
    hex_open(u);
    for (uint32_t idx = 0; idx < upto && u->state == UPDATE_RECEIVING; idx++) {
        struct update_pending *hit = NULL;
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS && hit == NULL; i++) {
            struct update_pending *p = &u->pending[i];
            if (p->used && p->held && file_index(u, p->lba) == idx)
                hit = p;
        }
        if (hit == NULL) {
            finish(u, DB_ERR_ORDER); /* cannot happen: held sectors are never dropped */
            return;
        }
        hit->used = false;
        hit->held = false;
        hex_feed(u, hit->data);
    }
}

/* The sector the decoder needs next. */
static void hex_next_sector(struct update *u, uint32_t lba, const uint8_t *s)
{
    bool probing = !u->writer.armed;
    if (probing && !pending_put(u, lba, s, true)) {
        finish(u, DB_ERR_ORDER); /* no vector table within the first sectors: nothing erased */
        return;
    }
    hex_feed(u, s);
    if (!probing || u->state != UPDATE_RECEIVING)
        return;
    if (vectors_arm(u) && u->writer.armed)
        hex_replay_held(u);
    else if (u->state == UPDATE_RECEIVING && u->f.hex.ended)
        finish(u, DB_ERR_VECTORS); /* the end record came and no data for the app base */
}

static bool hex_write(struct update *u, uint32_t lba, const uint8_t *s)
{
    uint32_t idx = file_index(u, lba);
    if (idx == NO_SECTOR)
        return false;
    if (u->f.hex.ended || idx < u->f.hex.next)
        return true; /* after the end record, or fed already */
    if (idx == u->f.hex.next) {
        hex_next_sector(u, lba, s);
        return true;
    }
    /* ahead of the decoder: wait, but never push out a sector it will need */
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
        struct update_pending *p = &u->pending[i];
        if (p->used && !p->held && p->lba != lba && file_index(u, p->lba) == NO_SECTOR)
            p->used = false;
    }
    bool room = pending_find(u, lba) != NULL;
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS && !room; i++)
        room = !u->pending[i].used;
    if (!room) {
        finish(u, DB_ERR_ORDER);
        return true;
    }
    (void)pending_put(u, lba, s, false);
    return true;
}

/* ---- BIN ---- */

static bool bin_detect(const uint8_t *s, bool file_start, const struct update_file *f)
{
    if (!file_start)
        return false;
    (void)f;
    return writer_check_vectors(le_get32(s), le_get32(s + 4), DB_APP_SIZE) == DB_BUSY;
}

static void bin_open(struct update *u)
{
    u->f.bin.count = 0;
    memset(u->seen, 0, sizeof u->seen);
}

static bool bin_complete(const struct update *u)
{
    if (!u->file_known || !u->host_file.chain_complete)
        return false;
    uint32_t n = file_sectors(&u->host_file);
    if (u->f.bin.count < n)
        return false; /* cheap test first: the full one runs once */
    for (uint32_t i = 0; i < n; i++)
        if (!bit_get(u->seen, i))
            return false;
    return true;
}

/* Sectors wholly inside the size the directory gives are programmed as they
 * come. The highest sector past that (or while no size is known) is the
 * tail: it may end inside the file with slack after it, and a file that grows
 * rewrites it; it waits in the pending buffer, held, until a higher sector
 * comes (then it was not the last) or the commit. Sectors wholly past a known
 * size are programmed too: the entry may still grow into them, and if it does
 * not they lie past the image (another file's data: never part of the app,
 * its record or CURRENT.UF2). */
static bool bin_inside(const struct update *u, uint32_t idx)
{
    return u->file_known && (uint64_t)(idx + 1u) * DB_SECTOR_SIZE <= u->host_file.size;
}

/* Bytes of sector idx to program: up to the known size when the sector holds
 * the file's end (its slack never reaches flash; a file that grows rewrites
 * the sector and the rest follows), else all of it. */
static void bin_program(struct update *u, uint32_t idx, const uint8_t *s)
{
    uint32_t off = idx * DB_SECTOR_SIZE, len = DB_SECTOR_SIZE;
    if (u->file_known && off < u->host_file.size && u->host_file.size - off < DB_SECTOR_SIZE)
        len = u->host_file.size - off;
    (void)sink_ok(u, writer_write(&u->writer, DB_APP_BASE + off, s, len));
}

static struct update_pending *bin_tail(struct update *u)
{
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++)
        if (u->pending[i].used && u->pending[i].held)
            return &u->pending[i];
    return NULL;
}

static void bin_sector(struct update *u, uint32_t idx, uint32_t lba, const uint8_t *s)
{
    if (!bit_get(u->seen, idx)) {
        bit_set(u->seen, idx);
        u->f.bin.count++;
    }
    struct update_pending *tail = bin_tail(u);
    uint32_t tail_idx = (tail != NULL) ? file_index(u, tail->lba) : NO_SECTOR;
    if (bin_inside(u, idx) || (tail_idx != NO_SECTOR && idx < tail_idx)) {
        bin_program(u, idx, s);
        return;
    }
    if (tail != NULL && idx > tail_idx) {
        tail->held = false;
        tail->used = false;
        bin_program(u, tail_idx, tail->data);
    }
    if (tail != NULL && idx == tail_idx)
        tail->used = false; /* a newer copy of the tail */
    if (!pending_put(u, lba, s, true))
        finish(u, DB_ERR_ORDER);
}

/* At commit: the tail up to the file's size (its slack never reaches flash). */
static void bin_flush_tail(struct update *u)
{
    struct update_pending *tail = bin_tail(u);
    if (tail == NULL)
        return;
    uint32_t idx = file_index(u, tail->lba);
    tail->used = false;
    tail->held = false;
    if (idx == NO_SECTOR || idx * DB_SECTOR_SIZE >= u->host_file.size)
        return; /* past the end: the next file's data */
    bin_program(u, idx, tail->data);
}

/* Without the directory the file's length is unknown, so a sector after a
 * gap in the indices may belong to the next file (Linux and macOS write a
 * file's data before its directory entry, and Finder writes the ._ file
 * right after): it waits until the gap fills or the directory tells. */
static bool bin_must_wait(struct update *u, uint32_t idx)
{
    if (u->file_known)
        return false;
    struct update_pending *tail = bin_tail(u);
    uint32_t top = (tail != NULL) ? file_index(u, tail->lba) : 0u;
    return idx > top + 1u;
}

static bool bin_write(struct update *u, uint32_t lba, const uint8_t *s)
{
    uint32_t idx = file_index(u, lba);
    if (idx == NO_SECTOR)
        return false;
    if (idx == 0u && u->f.bin.count == 0u) {
        /* the sector that opened the stream: its table arms the writer */
        uint32_t size = u->file_known ? u->host_file.size : DB_APP_SIZE;
        enum db_status v = writer_check_vectors(le_get32(s), le_get32(s + 4), size);
        if (v != DB_BUSY) {
            finish(u, v); /* e.g. the reset handler lies past the file's end: nothing erased */
            return true;
        }
        vectors_collect(u, DB_APP_BASE, s, sizeof u->vectors);
        if (u->file_known)
            writer_size_hint(&u->writer, u->host_file.size);
        if (!vectors_arm(u))
            return true;
    }
    if (bin_must_wait(u, idx)) {
        if (!pending_put(u, lba, s, false))
            finish(u, DB_ERR_ORDER);
        return false; /* may be another file's data: the drive keeps it too */
    }
    bin_sector(u, idx, lba, s);
    return true;
}

/* ---- the stream table ---- */

struct update_stream {
    uint32_t format; /* enum bootrec_format */
    /* Does this sector open the format? file_start: a file may begin at it;
     * f: the file that does begin there, if the directory says so. */
    bool (*detect)(const uint8_t *s, bool file_start, const struct update_file *f);
    void (*open)(struct update *u);
    /* A sector while the stream is open; true when it was taken. */
    bool (*write)(struct update *u, uint32_t lba, const uint8_t *s);
    bool (*complete)(const struct update *u);
};

/* Row order is detection order: UF2 identifies itself anywhere; HEX and BIN
 * only at a file's first sector. */
static const struct update_stream streams[] = {
    {BOOTREC_FMT_UF2, uf2_detect, uf2_open, uf2_write, uf2_complete},
    {BOOTREC_FMT_HEX, hex_detect, hex_open, hex_write, hex_complete},
    {BOOTREC_FMT_BIN, bin_detect, bin_open, bin_write, bin_complete},
};
#define STREAM_COUNT (sizeof streams / sizeof streams[0])
_Static_assert(STREAM_COUNT == 3u, "one row per format: UF2, HEX, BIN");

/* A BIN sector that waited while the entry came, and lies past the size the
 * entry gives: the next file's data, not the file growing (growth arrives
 * after the entry that it extends). It stays out of flash unless the entry grows. */
static bool bin_past_known_end(const struct update *u, uint32_t idx)
{
    return u->format == BOOTREC_FMT_BIN && u->file_known && u->host_file.chain_complete &&
           (uint64_t)idx * DB_SECTOR_SIZE >= u->host_file.size;
}

/* Pending sectors that now have a place in an open HEX or BIN stream. */
static void drain_pending(struct update *u)
{
    if (u->format == BOOTREC_FMT_UF2)
        return;
    bool progress = true;
    for (uint32_t round = 0; progress && round <= UPDATE_PENDING_SECTORS && u->state == UPDATE_RECEIVING; round++) {
        progress = false;
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS && u->state == UPDATE_RECEIVING; i++) {
            struct update_pending *p = &u->pending[i];
            uint32_t idx = (p->used && !p->held) ? file_index(u, p->lba) : NO_SECTOR;
            if (idx == NO_SECTOR || bin_past_known_end(u, idx))
                continue;
            uint8_t copy[DB_SECTOR_SIZE];
            uint32_t lba = p->lba;
            memcpy(copy, p->data, sizeof copy);
            p->used = false;
            if (u->stream->write(u, lba, copy)) {
                struct update_pending *again = pending_find(u, lba);
                progress = progress || again == NULL || again->held;
            }
        }
    }
}

/* ---- when it commits ---- */

/* Does every group that carried the stream's data lie in its file? */
static bool used_inside_file(const struct update *u)
{
    for (uint32_t g = 0; g < GROUP_COUNT; g++) {
        if (!bit_get(u->used_groups, g))
            continue;
        uint32_t first = u->group_base + g * UPDATE_GROUP_SECTORS;
        if (update_file_sector(&u->host_file, first) == NO_SECTOR &&
            update_file_sector(&u->host_file, first + UPDATE_GROUP_SECTORS - 1u) == NO_SECTOR)
            return false;
    }
    return true;
}

static bool host_quiet(const struct update *u)
{
    return u->idle_ms >= UPDATE_IDLE_RESET_MS || u->write_idle_ms >= UPDATE_WRITE_IDLE_RESET_MS;
}

/*
 * The commit rule: an open stream's image becomes the app when
 *   1. complete:  the format says the image is whole (the stream's row);
 *   2. described: the host's directory entry for the stream's file is known
 *                 and its chain reaches its size, and every sector the stream
 *                 used lies in that file (UF2: no block came from another
 *                 file's sectors); or no entry ever came (UF2 or HEX written
 *                 to the raw device) and the host wrote nothing for
 *                 UPDATE_META_WAIT_MS or ejected. A BIN's length is only in
 *                 its entry: a BIN is always described;
 *   3. settled:   BIN: no write for UPDATE_BIN_SETTLE_MS or an eject (its
 *                 entry may still grow); UF2: the file's sectors all came, or
 *                 the host is quiet (a file may carry other blocks too);
 * and the vector table in flash is checked again against the final size
 * (writer_commit). A contradiction refuses at once; anything else waits.
 */
static void commit_rule(struct update *u)
{
    if (u->state != UPDATE_RECEIVING)
        return;
    bool foreign = u->foreign_used ||
                   (u->format == BOOTREC_FMT_UF2 && uf2_owner_known(u) && uf2_complete(u) && !used_inside_file(u));
    if (foreign) {
        finish(u, DB_ERR_UF2_CONFLICT);
        return;
    }
    bool complete = u->stream->complete(u);
    bool long_quiet = u->ejected || u->write_idle_ms >= UPDATE_META_WAIT_MS;
    bool described = (u->file_known && u->host_file.chain_complete) ||
                     (!u->file_known && u->format != BOOTREC_FMT_BIN && long_quiet);
    bool settled = true;
    if (u->format == BOOTREC_FMT_BIN)
        settled = u->ejected || u->write_idle_ms >= UPDATE_BIN_SETTLE_MS;
    else if (u->format == BOOTREC_FMT_UF2)
        settled = uf2_settled(u, host_quiet(u));
    if (!(complete && described && settled))
        return;
    uint32_t size = 0;
    if (u->format == BOOTREC_FMT_BIN) {
        bin_flush_tail(u);
        size = u->host_file.size;
        if (u->state != UPDATE_RECEIVING)
            return;
    }
    finish(u, writer_commit(&u->writer, size, u->format));
}

/* ---- opening ---- */

/* What a file's first sector is, when it is no firmware. */
static enum db_status not_firmware_kind(const uint8_t *s)
{
    if (memcmp(s, zip_magic, sizeof zip_magic) == 0)
        return DB_ERR_ZIP;
    if (memcmp(s, elf_magic, sizeof elf_magic) == 0)
        return DB_ERR_ELF;
    enum db_status v = writer_check_vectors(le_get32(s), le_get32(s + 4), DB_APP_SIZE);
    return (v == DB_ERR_ADDR_BOOT) ? v : DB_ERR_NOT_FIRMWARE;
}

/* A file that holds other files: a vector table inside it is not a file's start. */
static bool is_container(const uint8_t *s)
{
    return memcmp(s, zip_magic, sizeof zip_magic) == 0 || memcmp(s, elf_magic, sizeof elf_magic) == 0 ||
           memcmp(s + TAR_MAGIC_OFFSET, tar_magic, sizeof tar_magic) == 0;
}

/* A sector that is no firmware: remembered, and a run that began with a
 * container (ELF, ZIP, tar) goes on through the groups written after it. */
static void note_junk(struct update *u, uint32_t lba, const uint8_t *s, bool file_start)
{
    group_mark(u, u->junk_groups, lba);
    bool run = lba > 0u && group_marked(u, u->container_groups, lba - 1u) &&
               !group_marked(u, u->file_end_groups, lba - 1u);
    if ((file_start && is_container(s)) || run || group_marked(u, u->container_groups, lba))
        group_mark(u, u->container_groups, lba);
}

static void open_stream(struct update *u, const struct update_stream *st, uint32_t lba, const struct update_file *f)
{
    u->state = UPDATE_RECEIVING;
    u->status = DB_BUSY;
    u->stream = st;
    u->format = st->format;
    u->start_lba = lba;
    u->assumed_max = 0;
    u->file[0] = '\0';
    if (f != NULL) {
        u->host_file = *f;
        u->file_known = true;
        copy_name(u->file, f->name);
    }
    st->open(u);
}

/* Before the stream's first sector: what we know already may refuse it. */
static bool stream_may_start(struct update *u)
{
    if (u->format != BOOTREC_FMT_UF2 && u->file_known && u->host_file.fragmented) {
        finish(u, DB_ERR_ORDER);
        return false;
    }
    if (u->format == BOOTREC_FMT_BIN && u->file_known && u->host_file.size > DB_APP_SIZE) {
        finish(u, DB_ERR_TOO_LARGE);
        return false;
    }
    if (u->format != BOOTREC_FMT_UF2 && needed_sector_dropped(u)) {
        finish(u, DB_ERR_ORDER);
        return false;
    }
    return true;
}

/* A sector that may open a stream. file_start: a file may begin here; f: the
 * file that does, if known. True when it was taken as firmware. */
static bool detect_and_open(struct update *u, uint32_t lba, const uint8_t *s, bool file_start,
                            const struct update_file *f)
{
    for (uint32_t i = 0; i < STREAM_COUNT; i++) {
        const struct update_stream *st = &streams[i];
        if (!st->detect(s, file_start, f))
            continue;
        open_stream(u, st, lba, f);
        if (!stream_may_start(u))
            return true;
        bool taken = st->write(u, lba, s);
        drain_pending(u);
        commit_rule(u);
        return taken;
    }
    if (!file_start)
        return false;
    enum db_status why = not_firmware_kind(s);
    if (why != DB_ERR_NOT_FIRMWARE) {
        u->reject_lba = lba;
        u->reject_status = why;
    }
    if (f != NULL && why == DB_ERR_ADDR_BOOT) {
        open_stream(u, &streams[STREAM_COUNT - 1u], lba, f);
        finish(u, why); /* linked for the bootloader's place: refused, nothing erased */
        return true;
    }
    if (f != NULL && f->user_file)
        say_not_firmware(u, f, why);
    return false;
}

/* ---- the door ---- */

void update_init(struct update *u, struct update_report *report)
{
    memset(u, 0, sizeof *u);
    writer_init(&u->writer);
    u->report = report;
    u->state = UPDATE_IDLE;
    u->status = DB_IDLE;
    u->reject_lba = NO_SECTOR;
    if (report->magic == UPDATE_REPORT_MAGIC) {
        /* what the last attempt ended with, until something new happens */
        u->status = (enum db_status)report->status;
        u->format = report->format;
        copy_name(u->file, report->file);
        /* an image outgrew slot B before its size was known: the copy that
         * follows goes over both banks from the start */
        if (report->status == DB_ERR_SLOT_FULL)
            writer_size_hint(&u->writer, DB_APP_SIZE);
    }
}

bool update_data(struct update *u, uint32_t lba, const uint8_t sector[DB_SECTOR_SIZE], bool cluster_start,
                 const struct update_file *file)
{
    if (u->state == UPDATE_FINISHED)
        return false; /* one attempt per session: the rest waits for the reset */
    if (file != NULL && file->size == 0u)
        file = NULL; /* an entry still being written (size 0): its length is not known yet */
    bool taken = false;
    if (u->state == UPDATE_RECEIVING) {
        taken = u->stream->write(u, lba, sector);
        drain_pending(u); /* the gap before a waiting sector may just have closed */
        commit_rule(u);
    } else {
        /* A file begins at a cluster's first sector, unless the sector before
         * belongs to a container written in this attach (an ELF, ZIP or tar)
         * that no directory entry says has ended there: then this one
         * continues it (an ELF's or a tar's inner vector table). */
        bool inside = lba > 0u && group_marked(u, u->container_groups, lba - 1u) &&
                      !group_marked(u, u->file_end_groups, lba - 1u);
        bool file_start = cluster_start && (file != NULL || !inside);
        taken = detect_and_open(u, lba, sector, file_start, file);
        if (!taken && u->state == UPDATE_IDLE)
            (void)pending_put(u, lba, sector, false);
        if (!taken)
            note_junk(u, lba, sector, file_start);
        return taken;
    }
    if (!taken)
        note_junk(u, lba, sector, false);
    return taken;
}

void update_file(struct update *u, const struct update_file *f)
{
    if (f->extent_count == 0u || f->size == 0u)
        return; /* no data yet, or an entry whose size comes later */
    uint32_t first = f->ext[0].lba;
    if (f->chain_complete && !f->fragmented) {
        const struct update_extent *e = &f->ext[f->extent_count - 1u];
        group_mark(u, u->file_end_groups, e->lba + e->count - 1u);
    }
    if (u->state == UPDATE_IDLE) {
        struct update_pending *p = pending_find(u, first);
        if (p != NULL) {
            /* its first sector came and started nothing: now it is known to begin a file */
            uint8_t copy[DB_SECTOR_SIZE];
            memcpy(copy, p->data, sizeof copy);
            p->used = false;
            if (detect_and_open(u, first, copy, true, f) || u->state != UPDATE_IDLE)
                return;
            (void)pending_put(u, first, copy, false);
        } else if (f->user_file && group_marked(u, u->junk_groups, first)) {
            say_not_firmware(u, f, first == u->reject_lba ? u->reject_status : DB_ERR_NOT_FIRMWARE);
        }
        return;
    }
    bool ours = update_file_sector(f, u->start_lba) != NO_SECTOR;
    if (u->state == UPDATE_FINISHED) {
        if (ours && u->file[0] == '\0') {
            copy_name(u->file, f->name); /* the data came first: the name arrives with the directory */
            copy_name(u->report->file, f->name);
        }
        u->file_known = u->file_known || ours; /* the host has described it: the reset need not wait longer */
        return;
    }
    if (u->format == BOOTREC_FMT_UF2) {
        if (!ours) {
            for (uint32_t x = 0; x < f->extent_count && !u->foreign_used; x++)
                u->foreign_used = groups_any(u, u->used_groups, f->ext[x].lba, f->ext[x].count);
            commit_rule(u);
            return;
        }
    } else if (first != u->start_lba) {
        if (ours)
            finish(u, DB_ERR_ORDER); /* the file begins before the sector we took for its start */
        return;
    }
    u->host_file = *f;
    u->file_known = true;
    copy_name(u->file, f->name);
    if (u->format != BOOTREC_FMT_UF2 && !stream_may_start(u))
        return;
    /* Sectors mapped by assuming a contiguous file must be where the chain
     * says. Past the end of a file in one piece they were the next file's. */
    if (u->format != BOOTREC_FMT_UF2 && f->chain_complete && f->extent_count > 1u &&
        u->assumed_max >= f->ext[0].count) {
        finish(u, DB_ERR_ORDER);
        return;
    }
    drain_pending(u);
    commit_rule(u);
}

/* Every sector of the stream's file, as its entry describes it, has come. */
static bool file_received(const struct update *u)
{
    if (!u->file_known || !u->host_file.chain_complete)
        return false;
    uint32_t n = file_sectors(&u->host_file);
    if (u->format == BOOTREC_FMT_UF2)
        return u->f.uf2.seen + u->f.uf2.other >= n;
    if (u->format == BOOTREC_FMT_HEX)
        return u->f.hex.next >= n;
    return false; /* a BIN is complete exactly when its file is */
}

/* The host went quiet, or ejected, with a stream open that did not commit. */
static void stream_stopped(struct update *u)
{
    if (u->state != UPDATE_RECEIVING)
        return;
    if (u->format == BOOTREC_FMT_UF2 && u->f.uf2.num_blocks == 0u && u->f.uf2.foreign > 0u) {
        finish(u, DB_ERR_UF2_FAMILY); /* nothing for this chip in the file */
        return;
    }
    /* The host wrote the whole file and is quiet, and the image is not whole:
     * the file was cut short (a copy that failed half way). */
    if (u->ejected || file_received(u))
        finish(u, DB_ERR_INCOMPLETE);
}

static uint32_t add_ms(uint32_t t, uint32_t elapsed, uint32_t cap)
{
    return (t >= cap || elapsed >= cap - t) ? cap : t + elapsed;
}

/*
 * The reset rule: after a finished attempt the device resets when the host
 * ejected; or when it is quiet and has written the directory entry of the
 * stream's file (what it may still hold back is written); or when it wrote
 * nothing for UPDATE_META_WAIT_MS (a host that never describes the file).
 */
static bool reset_rule(const struct update *u)
{
    if (u->state != UPDATE_FINISHED)
        return false;
    return u->ejected || (host_quiet(u) && u->file_known) || u->write_idle_ms >= UPDATE_META_WAIT_MS;
}

bool update_tick(struct update *u, uint32_t elapsed_ms, bool host_active)
{
    u->idle_ms = host_active ? 0u : add_ms(u->idle_ms, elapsed_ms, UPDATE_IDLE_RESET_MS);
    u->write_idle_ms = add_ms(u->write_idle_ms, elapsed_ms, UPDATE_STALL_MS);
    commit_rule(u); /* time may have settled a BIN or ended a metadata wait */
    if (host_quiet(u))
        stream_stopped(u);
    if (u->state == UPDATE_RECEIVING && u->write_idle_ms >= UPDATE_STALL_MS)
        finish(u, DB_ERR_TIMEOUT);
    if (reset_rule(u))
        u->reset_wanted = true;
    return u->reset_wanted;
}

void update_note_write(struct update *u)
{
    u->write_idle_ms = 0;
}

void update_eject(struct update *u)
{
    u->ejected = true;
    commit_rule(u);
    stream_stopped(u);
}

void update_volume(struct update *u, uint32_t data_lba)
{
    u->group_base = data_lba;
}

void update_refuse_volume(struct update *u)
{
    if (u->state == UPDATE_IDLE)
        u->format = 0;
    finish(u, DB_ERR_REFORMAT);
}

enum db_status update_status(const struct update *u) { return u->status; }
enum update_state update_state(const struct update *u) { return u->state; }
const char *update_file_name(const struct update *u) { return u->file; }
uint32_t update_format(const struct update *u) { return u->format; }
