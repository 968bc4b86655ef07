/*
 * The update engine (see update.h for the formats and the reset policy).
 *
 * One attempt per session: the first firmware sector opens a stream; the
 * attempt ends committed or refused (FINISHED); then the engine waits for the
 * host to go idle or eject and asks for a reset. Sectors that cannot be used
 * yet (they came before the first sector of their file, or HEX text ahead of
 * the decoder) wait in the pending buffer; what falls out of it is remembered
 * as a range, so a stream that would need it is refused before it erases.
 */
#include <string.h>

#include "boot.h"
#include "bootrec.h"
#include "byteorder.h"
#include "uf2.h"
#include "update.h"

#define NO_SECTOR 0xFFFFFFFFu
#define HEX_TYPE_EXT_SEG "02"
#define HEX_TYPE_EXT_LIN "04"
#define HEX_TYPE_OFFSET 7u /* ":LLAAAATT": the type's two digits */

static bool bit_get(const uint8_t *map, uint32_t i) { return (map[i / 8u] >> (i % 8u)) & 1u; }
static void bit_set(uint8_t *map, uint32_t i) { map[i / 8u] |= (uint8_t)(1u << (i % 8u)); }

static void copy_name(char dst[UPDATE_NAME_LEN], const char *src)
{
    uint32_t i = 0;
    for (; i + 1u < UPDATE_NAME_LEN && src[i] != '\0'; i++)
        dst[i] = src[i];
    dst[i] = '\0';
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

static void commit(struct update *u, uint32_t app_size)
{
    finish(u, writer_commit(&u->writer, app_size, u->format));
}

/* A writer status: DB_BUSY means fine, anything else ends the attempt. */
static bool writer_ok(struct update *u, enum db_status s)
{
    if (s == DB_BUSY || s == DB_OK)
        return true;
    finish(u, s);
    return false;
}

static void open_stream(struct update *u, uint32_t format, uint32_t lba, const struct update_file *f)
{
    u->state = UPDATE_RECEIVING;
    u->status = DB_BUSY;
    u->format = format;
    u->start_lba = lba;
    u->assumed_max = 0;
    if (f != NULL) {
        u->host_file = *f;
        u->file_known = true;
        copy_name(u->file, f->name);
    } else {
        u->file[0] = '\0';
    }
}

/* ---- the pending buffer ---- */

static void pending_put(struct update *u, uint32_t lba, const uint8_t *s)
{
    uint32_t victim = 0;
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
        struct update_pending *p = &u->pending[i];
        if (p->used && p->lba == lba) {
            victim = i; /* the host wrote it again: keep the newest */
            break;
        }
        if (!p->used) {
            victim = i;
            break;
        }
        if (u->pending_stamp[i] < u->pending_stamp[victim])
            victim = i;
    }
    struct update_pending *p = &u->pending[victim];
    if (p->used && p->lba != lba) {
        /* remembered: a stream that needs this sector is refused up front */
        uint32_t group = p->lba / UPDATE_DROP_GROUP_SECTORS;
        if (group < UPDATE_DROP_MAP_BYTES * 8u)
            bit_set(u->dropped_map, group);
        u->dropped = true;
    }
    p->used = true;
    p->lba = lba;
    memcpy(p->data, s, DB_SECTOR_SIZE);
    u->pending_stamp[victim] = ++u->stamp;
}

static const uint8_t *pending_find(const struct update *u, uint32_t lba)
{
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++)
        if (u->pending[i].used && u->pending[i].lba == lba)
            return u->pending[i].data;
    return NULL;
}

/* ---- HEX and BIN: from LBA to the sector's index in the file ---- */

static uint32_t max_file_sectors(const struct update *u)
{
    /* A HEX file is text: about 2.8 characters per byte of image. */
    return (u->format == BOOTREC_FMT_BIN) ? UPDATE_BIN_SECTORS_MAX : 3u * UPDATE_BIN_SECTORS_MAX;
}

/* Index of lba in the stream's file, or NO_SECTOR. Uses the cluster chain as
 * far as it is known; past it (or without it) the file is assumed to run on
 * contiguously from its first sector, as on a fresh volume. */
static uint32_t file_index(struct update *u, uint32_t lba)
{
    uint32_t idx = NO_SECTOR;
    bool assumed = false;
    if (u->file_known && u->host_file.extent_count > 0u) {
        const struct update_file *f = &u->host_file;
        uint32_t acc = 0;
        for (uint32_t x = 0; x < f->extent_count && idx == NO_SECTOR; x++) {
            if (lba >= f->ext[x].lba && lba < f->ext[x].lba + f->ext[x].count)
                idx = acc + (lba - f->ext[x].lba);
            acc += f->ext[x].count;
        }
        if (idx == NO_SECTOR && !f->chain_complete) {
            const struct update_extent *last = &f->ext[f->extent_count - 1u];
            if (lba >= last->lba + last->count) {
                idx = acc + (lba - (last->lba + last->count));
                assumed = true;
            }
        }
    } else if (lba >= u->start_lba) {
        idx = lba - u->start_lba;
        assumed = true;
    }
    if (idx == NO_SECTOR || idx >= max_file_sectors(u))
        return NO_SECTOR;
    if (u->file_known && (uint64_t)idx * DB_SECTOR_SIZE >= u->host_file.size)
        return NO_SECTOR;
    if (assumed && idx > u->assumed_max)
        u->assumed_max = idx;
    return idx;
}

static bool dropped_in(const struct update *u, uint32_t lba, uint32_t count)
{
    uint32_t last = UPDATE_DROP_MAP_BYTES * 8u;
    for (uint32_t g = lba / UPDATE_DROP_GROUP_SECTORS; count > 0u && g < last; g++) {
        if (bit_get(u->dropped_map, g))
            return true;
        uint32_t in_group = UPDATE_DROP_GROUP_SECTORS - (lba % UPDATE_DROP_GROUP_SECTORS);
        if (in_group >= count)
            break;
        count -= in_group;
        lba += in_group;
    }
    return false;
}

/* Did a sector this stream needs fall out of the pending buffer? Exact for
 * a known chain; without one, anything after the first sector counts. */
static bool needed_sector_dropped(const struct update *u)
{
    if (!u->dropped)
        return false;
    if (!u->file_known)
        return dropped_in(u, u->start_lba, max_file_sectors(u));
    const struct update_file *f = &u->host_file;
    uint32_t have = 0;
    for (uint32_t x = 0; x < f->extent_count; x++) {
        if (dropped_in(u, f->ext[x].lba, f->ext[x].count))
            return true;
        have += f->ext[x].count;
    }
    uint32_t need = (f->size + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    if (!f->chain_complete && f->extent_count > 0u && need > have) {
        const struct update_extent *e = &f->ext[f->extent_count - 1u];
        return dropped_in(u, e->lba + e->count, need - have);
    }
    return false;
}

/* ---- BIN ---- */

static uint32_t bin_sector_len(const struct update *u, uint32_t idx)
{
    uint32_t off = idx * DB_SECTOR_SIZE;
    if (!u->file_known || u->host_file.size - off >= DB_SECTOR_SIZE)
        return DB_SECTOR_SIZE;
    return u->host_file.size - off;
}

static bool bin_program(struct update *u, uint32_t idx, const uint8_t *s)
{
    return writer_ok(u, writer_write(&u->writer, DB_APP_BASE + idx * DB_SECTOR_SIZE, s, bin_sector_len(u, idx)));
}

static void bin_check_done(struct update *u)
{
    if (u->state != UPDATE_RECEIVING || !u->file_known)
        return;
    uint32_t n = (u->host_file.size + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    if (u->bin_count < n)
        return; /* cheap test first: the full one runs once */
    for (uint32_t i = 0; i < n; i++)
        if (!bit_get(u->seen, i))
            return;
    if (u->bin_tail_off != NO_SECTOR) {
        uint32_t t = u->bin_tail_off;
        u->bin_tail_off = NO_SECTOR;
        if (t < n && !bin_program(u, t, u->bin_tail))
            return;
    }
    commit(u, u->host_file.size);
}

/* Without the directory entry the file's length is unknown, so a sector
 * after a gap in the indices may belong to the next file (Linux and macOS
 * write a file's data before its directory entry, and Finder writes the
 * ._ file right after): it waits in the pending buffer until the gap fills
 * or the directory tells the length. */
static bool bin_must_wait(const struct update *u, uint32_t idx)
{
    return !u->file_known && u->bin_tail_off != NO_SECTOR && idx > u->bin_tail_off + 1u;
}

/* The sector with the highest index is held back while the length is not
 * known: its end may be padding past the file, which must stay 0xFF.
 * False when the sector has to wait (see bin_must_wait). */
static bool bin_sector(struct update *u, uint32_t idx, const uint8_t *s)
{
    if (bit_get(u->seen, idx)) {
        if (idx == u->bin_tail_off)
            memcpy(u->bin_tail, s, DB_SECTOR_SIZE);
        return true; /* a repeat: the first copy is in flash already */
    }
    if (bin_must_wait(u, idx)) {
        pending_put(u, u->start_lba + idx, s); /* no directory yet: idx is lba - start_lba */
        return false;
    }
    bit_set(u->seen, idx);
    u->bin_count++;
    if (u->file_known) {
        (void)bin_program(u, idx, s);
    } else if (u->bin_tail_off == NO_SECTOR || idx > u->bin_tail_off) {
        uint32_t old = u->bin_tail_off;
        uint8_t prev[DB_SECTOR_SIZE];
        if (old != NO_SECTOR)
            memcpy(prev, u->bin_tail, DB_SECTOR_SIZE);
        u->bin_tail_off = idx;
        memcpy(u->bin_tail, s, DB_SECTOR_SIZE);
        if (old != NO_SECTOR)
            (void)bin_program(u, old, prev);
    } else {
        (void)bin_program(u, idx, s);
    }
    bin_check_done(u);
    return true;
}

/* ---- HEX ---- */

static enum db_status hex_sink(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    struct update *u = ctx;
    uint32_t highest = u->writer.highest;
    enum db_status s = writer_write(&u->writer, addr, data, len);
    if (s == DB_ERR_ADDR_RANGE && addr == highest && addr == DB_APP_END)
        s = DB_ERR_TOO_LARGE; /* the image runs on past the app area's end */
    return (s == DB_BUSY) ? DB_OK : s;
}

static void hex_check_done(struct update *u)
{
    if (u->state != UPDATE_RECEIVING || !u->hex_ended)
        return;
    /* Without the directory a sector in the middle of a file could have
     * passed for its start: wait for it (or for eject / idle) to be sure. */
    if (u->file_known)
        commit(u, 0);
}

static void hex_feed(struct update *u, const uint8_t *s)
{
    uint32_t len = DB_SECTOR_SIZE;
    if (u->file_known && u->host_file.size - u->hex_next * DB_SECTOR_SIZE < DB_SECTOR_SIZE)
        len = u->host_file.size - u->hex_next * DB_SECTOR_SIZE;
    enum db_status r = ihex_feed(&u->hex, s, len);
    u->hex_next++;
    if (r == DB_DONE)
        u->hex_ended = true;
    else if (r != DB_BUSY)
        finish(u, r);
}

/* ---- streams: pending sectors that now have a place ---- */

static void drain_pending(struct update *u)
{
    bool progress = true;
    for (uint32_t round = 0; progress && round <= UPDATE_PENDING_SECTORS && u->state == UPDATE_RECEIVING; round++) {
        progress = false;
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS && u->state == UPDATE_RECEIVING; i++) {
            struct update_pending *p = &u->pending[i];
            if (!p->used)
                continue;
            uint32_t idx = file_index(u, p->lba);
            if (idx == NO_SECTOR)
                continue;
            if (u->format == BOOTREC_FMT_BIN) {
                if (bin_must_wait(u, idx))
                    continue;
                p->used = false;
                (void)bin_sector(u, idx, p->data);
                progress = true;
            } else if (idx < u->hex_next || u->hex_ended) {
                p->used = false; /* already fed, or after the end record */
            } else if (idx == u->hex_next) {
                p->used = false;
                hex_feed(u, p->data);
                progress = true;
            }
        }
    }
    if (u->format == BOOTREC_FMT_HEX)
        hex_check_done(u);
}

/* Before the stream's first erase: what we know already may refuse it. */
static bool stream_may_start(struct update *u)
{
    if (u->file_known && u->host_file.fragmented) {
        finish(u, DB_ERR_ORDER);
        return false;
    }
    if (u->format == BOOTREC_FMT_BIN && u->file_known && u->host_file.size > DB_APP_SIZE) {
        finish(u, DB_ERR_TOO_LARGE);
        return false;
    }
    if (needed_sector_dropped(u)) {
        finish(u, DB_ERR_ORDER);
        return false;
    }
    return true;
}

static bool hex_is_first_sector(const uint8_t *s, const struct update_file *f, uint32_t lba)
{
    if (!ihex_is_start(s, DB_SECTOR_SIZE))
        return false;
    if (f != NULL)
        return f->ext[0].lba == lba;
    /* No directory yet: an app at 0x08008000 needs an extended address
     * record before any data; a sector in the middle of a file rarely
     * starts with one, so this is the test for a file's first sector. */
    return memcmp(s + HEX_TYPE_OFFSET, HEX_TYPE_EXT_LIN, 2) == 0 ||
           memcmp(s + HEX_TYPE_OFFSET, HEX_TYPE_EXT_SEG, 2) == 0;
}

static void open_hex(struct update *u, uint32_t lba, const uint8_t *s, const struct update_file *f)
{
    open_stream(u, BOOTREC_FMT_HEX, lba, f);
    ihex_init(&u->hex, hex_sink, u);
    u->hex_next = 0;
    u->hex_ended = false;
    if (!stream_may_start(u))
        return;
    hex_feed(u, s);
    drain_pending(u);
}

static void open_bin(struct update *u, uint32_t lba, const uint8_t *s, const struct update_file *f)
{
    open_stream(u, BOOTREC_FMT_BIN, lba, f);
    u->bin_tail_off = NO_SECTOR;
    u->bin_count = 0;
    memset(u->seen, 0, sizeof u->seen);
    if (!stream_may_start(u))
        return;
    (void)bin_sector(u, 0, s);
    drain_pending(u);
}

/* HEX/BIN sector while the stream is open. */
static bool stream_sector(struct update *u, uint32_t lba, const uint8_t *s)
{
    uint32_t idx = file_index(u, lba);
    if (idx == NO_SECTOR) {
        if (!u->file_known && lba < u->start_lba && u->format == BOOTREC_FMT_HEX &&
            hex_is_first_sector(s, NULL, lba))
            finish(u, DB_ERR_ORDER); /* a HEX file started before the sector we took for its start */
        return false;
    }
    if (u->format == BOOTREC_FMT_BIN) {
        if (!bin_sector(u, idx, s))
            return false; /* waits in the pending buffer; may be another file's data */
        drain_pending(u); /* the gap before a waiting sector may just have closed */
        return true;
    }
    if (u->hex_ended || idx < u->hex_next)
        return true;
    if (idx == u->hex_next) {
        hex_feed(u, s);
        drain_pending(u);
        return true;
    }
    /* ahead of the decoder: wait, but never push out a sector it will need */
    for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++) {
        struct update_pending *p = &u->pending[i];
        if (p->used && p->lba != lba && file_index(u, p->lba) == NO_SECTOR)
            p->used = false;
    }
    if (pending_find(u, lba) == NULL) {
        uint32_t used = 0;
        for (uint32_t i = 0; i < UPDATE_PENDING_SECTORS; i++)
            used += u->pending[i].used ? 1u : 0u;
        if (used == UPDATE_PENDING_SECTORS) {
            finish(u, DB_ERR_ORDER);
            return true;
        }
    }
    pending_put(u, lba, s);
    return true;
}

/* ---- UF2 ---- */

static bool uf2_block_in(struct update *u, uint32_t lba, const uint8_t *s, const struct update_file *f)
{
    struct uf2_block b;
    if (u->state == UPDATE_IDLE)
        open_stream(u, BOOTREC_FMT_UF2, lba, NULL);
    if (f != NULL && u->file[0] == '\0')
        copy_name(u->file, f->name);
    if (uf2_decode(s, &b) != DB_OK) {
        finish(u, DB_ERR_UF2_BLOCK);
        return true;
    }
    if (b.flags & (UF2_FLAG_NOT_MAIN_FLASH | UF2_FLAG_FILE_CONTAINER))
        return true; /* not for the flash: skipped, as the spec says */
    if ((b.flags & UF2_FLAG_FAMILY_ID) && b.family_or_size != DB_UF2_FAMILY) {
        u->uf2_foreign++; /* another chip's part of a multi-family file */
        return true;
    }
    if (u->uf2_num_blocks == 0u) {
        if (b.num_blocks > UPDATE_UF2_BLOCKS_MAX ||
            (uint64_t)b.num_blocks * b.payload_size > DB_APP_SIZE) {
            finish(u, DB_ERR_TOO_LARGE);
            return true;
        }
        u->uf2_num_blocks = b.num_blocks;
        memset(u->seen, 0, sizeof u->seen);
    } else if (b.num_blocks != u->uf2_num_blocks) {
        finish(u, DB_ERR_UF2_MIXED);
        return true;
    }
    if (bit_get(u->seen, b.block_no))
        return true; /* repeated block */
    if (!writer_ok(u, writer_write(&u->writer, b.target_addr, b.payload, b.payload_size)))
        return true;
    bit_set(u->seen, b.block_no);
    if (++u->uf2_seen == u->uf2_num_blocks)
        commit(u, 0);
    return true;
}

/* A vector table of an image linked for the bootloader's place (0x08000000)? */
static bool aimed_at_boot(const uint8_t *s)
{
    uint32_t sp = le_get32(s), pc = le_get32(s + 4);
    uint32_t entry = pc & ~1u;
    return (pc & 1u) && entry >= DB_FLASH_BASE && entry < DB_APP_BASE && sp > DB_RAM_BASE && sp <= DB_RAM_END;
}

static void refuse_boot_image(struct update *u, uint32_t lba, const struct update_file *f)
{
    open_stream(u, BOOTREC_FMT_BIN, lba, f);
    finish(u, DB_ERR_ADDR_BOOT);
}

/* ---- the door ---- */

void update_init(struct update *u, struct update_report *report)
{
    memset(u, 0, sizeof *u);
    writer_init(&u->writer);
    u->report = report;
    u->state = UPDATE_IDLE;
    u->status = DB_IDLE;
    u->bin_tail_off = NO_SECTOR;
    if (report->magic == UPDATE_REPORT_MAGIC) {
        /* what the last attempt ended with, until something new happens */
        u->status = (enum db_status)report->status;
        u->format = report->format;
        copy_name(u->file, report->file);
    }
}

bool update_data(struct update *u, uint32_t lba, const uint8_t sector[DB_SECTOR_SIZE],
                 const struct update_file *file)
{
    if (u->state == UPDATE_FINISHED)
        return false; /* one attempt per session: the rest waits for the reset */
    if (file != NULL && file->size == 0u)
        file = NULL; /* an entry still being written (size 0): its length is not known yet */
    if (uf2_is_block(sector)) {
        if (u->state == UPDATE_RECEIVING && u->format != BOOTREC_FMT_UF2)
            return false;
        return uf2_block_in(u, lba, sector, file);
    }
    if (u->state == UPDATE_RECEIVING)
        return (u->format == BOOTREC_FMT_UF2) ? false : stream_sector(u, lba, sector);

    bool first = (file == NULL || (file->extent_count > 0u && file->ext[0].lba == lba));
    if (first && hex_is_first_sector(sector, file, lba)) {
        open_hex(u, lba, sector, file);
        return true;
    }
    uint32_t sp = le_get32(sector), pc = le_get32(sector + 4);
    if (first && boot_vectors_plausible(sp, pc, DB_APP_SIZE)) {
        open_bin(u, lba, sector, file);
        return true;
    }
    if (first && file != NULL && aimed_at_boot(sector)) {
        refuse_boot_image(u, lba, file);
        return true;
    }
    if (file != NULL && first && file->user_file) {
        u->status = DB_ERR_NOT_FIRMWARE; /* no attempt: no reset for a text file */
        copy_name(u->file, file->name);
        u->format = 0;
    }
    pending_put(u, lba, sector);
    return false;
}

static bool file_contains(const struct update_file *f, uint32_t lba)
{
    for (uint32_t x = 0; x < f->extent_count; x++)
        if (lba >= f->ext[x].lba && lba < f->ext[x].lba + f->ext[x].count)
            return true;
    return false;
}

void update_file(struct update *u, const struct update_file *f)
{
    if (f->extent_count == 0u || f->size == 0u)
        return; /* no data yet, or an entry whose size comes later */
    if (u->state != UPDATE_IDLE && u->file[0] == '\0' && file_contains(f, u->start_lba)) {
        /* the data came first (Linux): the name arrives with the directory */
        copy_name(u->file, f->name);
        if (u->state == UPDATE_FINISHED)
            copy_name(u->report->file, f->name);
    }
    if (u->state == UPDATE_IDLE) {
        if (f->user_file && pending_find(u, f->ext[0].lba) != NULL) {
            /* its first sector came and started nothing: say so */
            const uint8_t *first = pending_find(u, f->ext[0].lba);
            if (aimed_at_boot(first)) {
                refuse_boot_image(u, f->ext[0].lba, f);
                return;
            }
            u->status = DB_ERR_NOT_FIRMWARE;
            copy_name(u->file, f->name);
            u->format = 0;
        }
        return;
    }
    if (u->state != UPDATE_RECEIVING || u->format == BOOTREC_FMT_UF2)
        return;
    if (f->ext[0].lba != u->start_lba) {
        if (file_contains(f, u->start_lba))
            finish(u, DB_ERR_ORDER); /* the file begins before the sector we took for its start */
        return;
    }
    u->host_file = *f;
    u->file_known = true;
    copy_name(u->file, f->name);
    if (f->fragmented) {
        finish(u, DB_ERR_ORDER);
        return;
    }
    if (u->format == BOOTREC_FMT_BIN && f->size > DB_APP_SIZE) {
        finish(u, DB_ERR_TOO_LARGE);
        return;
    }
    /* Sectors mapped by assuming a contiguous file must be where the chain
     * says. Past the end of a file in one piece they were the next file's
     * (BIN held them back; HEX stops at its end record): no harm done. */
    if (f->chain_complete && f->extent_count > 1u && u->assumed_max >= f->ext[0].count) {
        finish(u, DB_ERR_ORDER);
        return;
    }
    drain_pending(u);
    if (u->format == BOOTREC_FMT_BIN)
        bin_check_done(u);
    else
        hex_check_done(u);
}

/* The host stopped writing (idle or eject) with a stream open. */
static void stream_stopped(struct update *u, bool ejected)
{
    if (u->state != UPDATE_RECEIVING)
        return;
    if (u->format == BOOTREC_FMT_UF2 && u->uf2_num_blocks == 0u && u->uf2_foreign > 0u) {
        finish(u, DB_ERR_UF2_FAMILY); /* nothing for this chip in the file */
        return;
    }
    if (u->format == BOOTREC_FMT_HEX && u->hex_ended) {
        commit(u, 0);
        return;
    }
    if (ejected)
        finish(u, DB_ERR_INCOMPLETE);
}

static uint32_t add_ms(uint32_t t, uint32_t elapsed, uint32_t cap)
{
    return (t >= cap || elapsed >= cap - t) ? cap : t + elapsed;
}

bool update_tick(struct update *u, uint32_t elapsed_ms, bool host_active)
{
    u->idle_ms = host_active ? 0u : add_ms(u->idle_ms, elapsed_ms, UPDATE_IDLE_RESET_MS);
    u->write_idle_ms = add_ms(u->write_idle_ms, elapsed_ms, UPDATE_STALL_MS);
    bool quiet = u->idle_ms >= UPDATE_IDLE_RESET_MS || u->write_idle_ms >= UPDATE_WRITE_IDLE_RESET_MS;
    if (quiet)
        stream_stopped(u, false);
    if (u->state == UPDATE_RECEIVING && u->write_idle_ms >= UPDATE_STALL_MS)
        finish(u, DB_ERR_TIMEOUT);
    if (u->state == UPDATE_FINISHED && (u->ejected || quiet))
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
    stream_stopped(u, true);
}

enum db_status update_status(const struct update *u) { return u->status; }
enum update_state update_state(const struct update *u) { return u->state; }
const char *update_file_name(const struct update *u) { return u->file; }
uint32_t update_format(const struct update *u) { return u->format; }
