/*
 * libFuzzer property: two valid firmware files (UF2, BIN or HEX of two
 * different small apps) written as files on the drive of a device that holds
 * a working old app, their sectors interleaved in any order the input picks,
 * with junk sectors, partial and final metadata (FAT and root entries for
 * one file or both), idle time and an eject in between. Everything goes
 * through the simulator's device (simdev), as dropboot-sim replay writes.
 *
 * Properties (abort on a violation, so libFuzzer keeps the input):
 * - DB_DONE only if the app area equals one of the two images exactly (for
 *   its length), the boot record covers exactly that length, and then that
 *   app starts at a cold start;
 * - an app that starts is the old app or one of the two images;
 * - the old app still starts (bytes intact, in its slot) unless the session
 *   ended DB_DONE (A/B: an update writes the other slot); the weaker rule of
 *   a single slot is checked too: unless an erase happened after a plausible
 *   vector table for this board had been written;
 * - no flash rule broken.
 *
 * Junk never lands on a sector holding a file's bytes (slack and free
 * clusters only): a host that overwrote the file would make neither image
 * the right answer.
 *
 * Input: 4 header bytes (formats of A and B, layout, sizes), then ops of
 * 1-3 bytes; the harness then finishes the copy (remaining sectors, then the
 * metadata) unless the input asks it not to, and ejects or idles.
 * The files are made and placed here, independently of core/: the FAT is read
 * through hostfat (the host's view of the BPB), the encoders are our own.
 *
 * A violation prints the session (sectors as A3/B0, junk@LBA, meta(...)@LBA,
 * [erase], idle, eject, result); FUZZ_TWO_IMAGES_TRACE=1 prints it for any
 * input: FUZZ_TWO_IMAGES_TRACE=1 build/fuzz/fuzz_two_images INPUT.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootrec.h"
#include "config.h"
#include "flash.h"
#include "flash_model.h"
#include "hostfat.h"
#include "simdev.h"

#define APP_MIN 1024u  /* above the vector table, so the reset handler fits */
#define APP_MAX 6144u  /* small apps keep each run fast; HEX of it is ~17 KB */
#define FILE_MAX 24576u /* the largest encoded file (HEX of APP_MAX, ~17 KB) in whole 4 KB clusters */
#define FILE_SECTORS_MAX (FILE_MAX / DB_SECTOR_SIZE)
#define META_SECTORS_MAX 128u  /* the device's boot sector, FATs and root fit */
#define JUNK_SPAN_SECTORS 96u  /* junk lands on the files' clusters or just past them */
#define APP_SP 0x20050000u     /* a stack top inside SRAM */
#define APP_ENTRY_OFFSET 0x200u /* reset handler offset, behind the vector table */
#define UF2_PAYLOAD 256u /* what uf2conv.py and most UF2 writers use */
#define HEX_RECORD 16u   /* objcopy's and srec_cat's default record length */
#define IDLE_AFTER_MS 120000u  /* a host that never ejects: the device decides by idle time */
#define IDLE_SLICE_MS 100u     /* idle time passes in main-loop-sized ticks */
#define HOST_POLL_MS 2000u     /* Linux polls a removable drive every 2 s */
#define OPS_MAX 4096u          /* libFuzzer's default input limit is 4096 bytes */

enum fmt { FMT_UF2, FMT_BIN, FMT_HEX, FMT_COUNT };
static const char *const fmt_name[FMT_COUNT] = {"UF2", "BIN", "HEX"};

struct hfile {
    uint8_t app[APP_MAX];
    uint32_t app_size;
    uint8_t bytes[FILE_MAX];
    uint32_t size;
    uint32_t nsec;
    uint32_t lba[FILE_SECTORS_MAX];
    uint32_t cluster[FILE_SECTORS_MAX];
    uint32_t nclusters;
    bool written[FILE_SECTORS_MAX];
    uint32_t cursor;   /* next sector in file order */
    uint32_t vec_last; /* sectors 0..vec_last hold the vector table (HEX: with its address record) */
    uint32_t dir_slot; /* root entry index */
    char name[11];
};

static struct hfile files[3]; /* old app, A, B */
static uint8_t disk[META_SECTORS_MAX * DB_SECTOR_SIZE];
static uint8_t meta_img[4][META_SECTORS_MAX * DB_SECTOR_SIZE]; /* metadata with files by mask */
static struct hostfat geo;
static uint32_t rng_state;
/* What the host did, printed with a violation so the input reads as a story. */
#define TRACE_MAX 6000u
static char trace[TRACE_MAX];
static uint32_t trace_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (trace_len < TRACE_MAX) {
        int n = vsnprintf(trace + trace_len, TRACE_MAX - trace_len, fmt, ap);
        trace_len += n > 0 ? (uint32_t)n : 0u;
        if (trace_len > TRACE_MAX)
            trace_len = TRACE_MAX;
    }
    va_end(ap);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (uint32_t i = 0; i < 4u; i++)
        p[i] = (uint8_t)(v >> (8u * i));
}

static void make_app(struct hfile *f, uint32_t size, uint32_t seed)
{
    rng_state = seed * 2654435761u + 7u;
    f->app_size = size;
    for (uint32_t i = 0; i < size; i++)
        f->app[i] = (uint8_t)rnd();
    put32(f->app, APP_SP);
    put32(f->app + 4, (DB_APP_BASE + APP_ENTRY_OFFSET) | 1u);
}

static uint32_t hex_line(char *out, uint8_t type, uint16_t addr, const uint8_t *d, uint32_t n)
{
    uint32_t sum = n + (addr >> 8) + (addr & 0xFFu) + type;
    uint32_t k = (uint32_t)sprintf(out, ":%02X%04X%02X", (unsigned)n, (unsigned)addr, (unsigned)type);
    for (uint32_t i = 0; i < n; i++) {
        k += (uint32_t)sprintf(out + k, "%02X", (unsigned)d[i]);
        sum += d[i];
    }
    return k + (uint32_t)sprintf(out + k, "%02X\r\n", (unsigned)((0x100u - (sum & 0xFFu)) & 0xFFu));
}

/* Encode the app as a file; note which of its sectors carry the vector table. */
static void encode(struct hfile *f, enum fmt fmt)
{
    f->size = 0;
    f->vec_last = 0;
    if (fmt == FMT_BIN) {
        memcpy(f->bytes, f->app, f->app_size);
        f->size = f->app_size;
    } else if (fmt == FMT_UF2) {
        uint32_t blocks = (f->app_size + UF2_PAYLOAD - 1u) / UF2_PAYLOAD;
        for (uint32_t n = 0; n < blocks; n++) {
            uint8_t *b = f->bytes + n * DB_SECTOR_SIZE;
            uint32_t len = f->app_size - n * UF2_PAYLOAD;
            len = len > UF2_PAYLOAD ? UF2_PAYLOAD : len;
            memset(b, 0, DB_SECTOR_SIZE);
            put32(b, 0x0A324655u); /* UF2 spec: first and second magic */
            put32(b + 4, 0x9E5D5157u);
            put32(b + 8, 0x00002000u); /* family ID present */
            put32(b + 12, DB_APP_BASE + n * UF2_PAYLOAD);
            put32(b + 16, len);
            put32(b + 20, n);
            put32(b + 24, blocks);
            put32(b + 28, DB_UF2_FAMILY);
            memcpy(b + 32, f->app + n * UF2_PAYLOAD, len);
            put32(b + 508, 0x0AB16F30u); /* final magic */
        }
        f->size = blocks * DB_SECTOR_SIZE;
    } else {
        char *t = (char *)f->bytes;
        uint8_t upper[2] = {(uint8_t)(DB_APP_BASE >> 24), (uint8_t)(DB_APP_BASE >> 16)};
        f->size += hex_line(t, 4, 0, upper, 2);
        for (uint32_t off = 0; off < f->app_size; off += HEX_RECORD) {
            uint32_t n = f->app_size - off < HEX_RECORD ? f->app_size - off : HEX_RECORD;
            f->size += hex_line(t + f->size, 0, (uint16_t)((DB_APP_BASE + off) & 0xFFFFu), f->app + off, n);
            if (off == 0)
                f->vec_last = (f->size - 1u) / DB_SECTOR_SIZE;
        }
        f->size += hex_line(t + f->size, 1, 0, NULL, 0);
    }
    f->nsec = (f->size + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    /* the page cache sends whole sectors: zeros past the end */
    memset(f->bytes + f->size, 0, f->nsec * DB_SECTOR_SIZE - f->size);
    f->cursor = 0;
    memset(f->written, 0, sizeof f->written);
}

static uint32_t fat16_get(const uint8_t *img, uint32_t c)
{
    const uint8_t *p = img + geo.reserved_sectors * DB_SECTOR_SIZE + c * 2u;
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static void fat16_set(uint8_t *img, uint32_t c, uint32_t v)
{
    for (uint32_t k = 0; k < geo.fat_count; k++) {
        uint8_t *p = img + (geo.reserved_sectors + k * geo.fat_sectors) * DB_SECTOR_SIZE + c * 2u;
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

/* Read what the device shows below its data area: the host's starting point. */
static bool read_geometry(void)
{
    simdev_read(0, disk);
    /* hostfat checks the volume against the image size; only the metadata is held here */
    if (hostfat_parse(&geo, disk, simdev_sector_count()) != 0 || geo.fat_bits != 16u ||
        geo.data_lba > META_SECTORS_MAX || geo.sectors_per_cluster * DB_SECTOR_SIZE > FILE_MAX)
        return false;
    for (uint32_t lba = 1; lba < geo.data_lba; lba++)
        simdev_read(lba, disk + lba * DB_SECTOR_SIZE);
    return true;
}

static uint32_t free_slot(const uint8_t *img, uint32_t skip)
{
    for (uint32_t i = 0; i < geo.root_sectors * DB_SECTOR_SIZE / HOSTFAT_DIRENT_SIZE; i++) {
        uint8_t c = img[geo.root_lba * DB_SECTOR_SIZE + i * HOSTFAT_DIRENT_SIZE];
        if ((c == 0x00u || c == 0xE5u) && skip-- == 0u)
            return i;
    }
    abort(); /* the device's root is nearly empty: a harness bug */
}

/* Place the files of list[] on the clusters after the last used one.
 * layout 0: one after the other; 1: A B B A ... cluster by cluster. */
static void place(struct hfile **list, uint32_t count, uint32_t layout)
{
    uint32_t last = 1;
    for (uint32_t c = 2; c < geo.cluster_count + 2u; c++)
        if (fat16_get(disk, c) != 0u)
            last = c;
    uint32_t spc = geo.sectors_per_cluster;
    uint32_t need[3], total = 0;
    for (uint32_t i = 0; i < count; i++) {
        need[i] = (list[i]->nsec + spc - 1u) / spc;
        list[i]->nclusters = 0;
        total += need[i];
    }
    uint32_t next = last + 1u;
    for (uint32_t n = 0; n < total; n++, next++) {
        uint32_t who = 0;
        if (layout == 1u && count == 2u) {
            bool first = (n % 4u) == 0u || (n % 4u) == 3u;
            who = (list[1]->nclusters == need[1] || (first && list[0]->nclusters < need[0])) ? 0u : 1u;
        } else {
            while (list[who]->nclusters == need[who])
                who++;
        }
        list[who]->cluster[list[who]->nclusters++] = next;
    }
    /* the page cache writes whole clusters: the slack after the end is zeros */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t whole = need[i] * spc;
        if (whole > FILE_SECTORS_MAX)
            abort(); /* FILE_MAX too small for this geometry: a harness bug */
        memset(list[i]->bytes + list[i]->nsec * DB_SECTOR_SIZE, 0, (whole - list[i]->nsec) * DB_SECTOR_SIZE);
        list[i]->nsec = whole;
    }
    for (uint32_t i = 0; i < count; i++)
        for (uint32_t s = 0; s < list[i]->nsec; s++)
            list[i]->lba[s] = hostfat_cluster_lba(&geo, list[i]->cluster[s / spc]) + s % spc;
}

/* A sector that holds bytes of the file (not only the slack after its end). */
static bool holds_file_bytes(const struct hfile *f, uint32_t lba)
{
    for (uint32_t s = 0; s * DB_SECTOR_SIZE < f->size; s++)
        if (f->lba[s] == lba)
            return true;
    return false;
}

static void add_entry(uint8_t *img, const struct hfile *f)
{
    for (uint32_t i = 0; i < f->nclusters; i++)
        fat16_set(img, f->cluster[i], i + 1u < f->nclusters ? f->cluster[i + 1u] : 0xFFFFu);
    uint8_t *e = img + geo.root_lba * DB_SECTOR_SIZE + f->dir_slot * HOSTFAT_DIRENT_SIZE;
    memset(e, 0, HOSTFAT_DIRENT_SIZE);
    memcpy(e, f->name, 11);
    e[11] = 0x20; /* archive */
    e[26] = (uint8_t)f->cluster[0];
    e[27] = (uint8_t)(f->cluster[0] >> 8);
    put32(e + 28, f->size);
}

/* meta_img[mask]: the device's metadata plus the entries of the files in mask (bit 0: first, bit 1: second). */
static void build_meta(struct hfile *first, struct hfile *second)
{
    for (uint32_t mask = 0; mask < 4u; mask++) {
        memcpy(meta_img[mask], disk, geo.data_lba * DB_SECTOR_SIZE);
        if (mask & 1u)
            add_entry(meta_img[mask], first);
        if ((mask & 2u) && second != NULL)
            add_entry(meta_img[mask], second);
    }
}

/* Sectors of meta_img[mask] that differ from the device's: what a host writes. */
static uint32_t meta_sectors(uint32_t mask, uint32_t *lbas)
{
    uint32_t n = 0;
    for (uint32_t lba = 0; lba < geo.data_lba; lba++)
        if (memcmp(meta_img[mask] + lba * DB_SECTOR_SIZE, disk + lba * DB_SECTOR_SIZE, DB_SECTOR_SIZE) != 0)
            lbas[n++] = lba;
    return n;
}

/* The session as the harness watches it. */
struct watch {
    uint32_t erases;
    bool justified;  /* an erase happened after a vector table was written */
    bool reset;      /* the device asked to reset: the host stops */
};

static bool vectors_written(const struct hfile *f)
{
    for (uint32_t s = 0; s <= f->vec_last; s++)
        if (!f->written[s])
            return false;
    return true;
}

static void after_op(struct watch *w, bool reset)
{
    struct flash_model_stats st;
    flash_model_stats(&st);
    if (st.erases != w->erases)
        note("[erase%s] ", (vectors_written(&files[1]) || vectors_written(&files[2])) ? "" : " before any vector table");
    if (reset && !w->reset)
        note("[device resets] ");
    if (st.erases != w->erases && (vectors_written(&files[1]) || vectors_written(&files[2])))
        w->justified = true;
    w->erases = st.erases;
    w->reset = w->reset || reset;
}

static void write_sector(struct watch *w, uint32_t lba, const uint8_t *buf)
{
    if (w->reset)
        return;
    simdev_write(lba, buf);
    after_op(w, simdev_tick(0, true));
}

static void write_file_sector(struct watch *w, struct hfile *f, uint32_t s)
{
    if (w->reset)
        return;
    note("%c%u ", f->name[0], (unsigned)s);
    f->written[s] = true; /* before the write: an erase it triggers is after the vector table */
    write_sector(w, f->lba[s], f->bytes + s * DB_SECTOR_SIZE);
}

static void idle(struct watch *w, uint32_t ms, bool polled)
{
    note("idle %u ms%s; ", (unsigned)ms, polled ? " (polled)" : "");
    for (uint32_t t = 0; t < ms && !w->reset; t += IDLE_SLICE_MS)
        after_op(w, simdev_tick(IDLE_SLICE_MS, polled && (t % HOST_POLL_MS) == 0u));
}

static void eject(struct watch *w)
{
    if (w->reset)
        return;
    note("eject; ");
    simdev_eject();
    after_op(w, simdev_tick(0, false));
}

static void power_on_drive(void)
{
    simdev_hold_button(true);
    simdev_power_on();
    simdev_hold_button(false);
}

/* The app that would start (A/B: in its slot; slot A when there is none) holds exactly f. */
static bool app_area_is(const struct hfile *f)
{
    static uint8_t buf[APP_MAX];
    struct bootrec r;
    uint32_t base = bootrec_read(&r) ? r.phys : DB_APP_BASE;
    if (flash_read(base, buf, f->app_size) != FLASH_OK)
        return false;
    return memcmp(buf, f->app, f->app_size) == 0;
}

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_two_images: property violated: %s\nsession: %.*s\n", why, (int)trace_len, trace);
    abort();
}

/* The old app, committed by a plain UF2 copy (data, metadata, eject). */
static bool setup_old_app(void)
{
    flash_model_open_ram();
    power_on_drive();
    if (!read_geometry())
        return false;
    struct hfile *o = &files[0];
    make_app(o, 2048u, 1u);
    encode(o, FMT_UF2);
    memcpy(o->name, "OLD     UF2", 11);
    o->dir_slot = free_slot(disk, 0);
    struct hfile *list[1] = {o};
    place(list, 1, 0);
    build_meta(o, NULL);
    struct watch w = {0};
    for (uint32_t s = 0; s < o->nsec; s++)
        write_file_sector(&w, o, s);
    uint32_t lbas[META_SECTORS_MAX];
    uint32_t n = meta_sectors(1, lbas);
    for (uint32_t i = 0; i < n; i++)
        write_sector(&w, lbas[i], meta_img[1] + lbas[i] * DB_SECTOR_SIZE);
    eject(&w);
    if (simdev_power_on() != SIMDEV_APP)
        return false;
    simdev_app_confirms(); /* a working app confirms its trial (A/B) */
    return simdev_mode() == SIMDEV_APP && app_area_is(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4u)
        return 0;
    trace_len = 0;
    if (!setup_old_app())
        fail("setup: a plain UF2 copy did not give a startable old app");
    power_on_drive();
    if (!read_geometry())
        fail("setup: the drive's boot sector is not a FAT16 BPB");
    flash_model_reset_stats();

    struct hfile *a = &files[1], *b = &files[2];
    uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3];
    make_app(a, APP_MIN + (uint32_t)h2 * (APP_MAX - APP_MIN) / 255u, 1000u + h2);
    make_app(b, APP_MIN + (uint32_t)h3 * (APP_MAX - APP_MIN) / 255u, 2000u + h3);
    a->app[8] ^= 0x01u; /* two different apps even when the sizes and seeds would match */
    encode(a, (enum fmt)(h0 % FMT_COUNT));
    encode(b, (enum fmt)((h0 / FMT_COUNT) % FMT_COUNT));
    memcpy(a->name, "A       FW ", 11);
    memcpy(b->name, "B       FW ", 11);
    a->dir_slot = free_slot(disk, 0);
    b->dir_slot = free_slot(disk, 1);
    struct hfile *list[2] = {a, b};
    if (h1 & 4u) {
        list[0] = b;
        list[1] = a;
    }
    place(list, 2, h1 & 1u);
    build_meta(a, b);
    bool finish = (h1 & 8u) == 0u;  /* the host completes the copy after the ops */
    bool ejects = (h1 & 16u) == 0u; /* or stays attached, idle */

    trace_len = 0;
    note("A: %s %u bytes (app %u) at LBA %u; B: %s %u bytes (app %u) at LBA %u; ", fmt_name[h0 % FMT_COUNT],
         (unsigned)a->size, (unsigned)a->app_size, (unsigned)a->lba[0], fmt_name[(h0 / FMT_COUNT) % FMT_COUNT],
         (unsigned)b->size, (unsigned)b->app_size, (unsigned)b->lba[0]);
    struct watch w = {0};
    uint32_t lbas[META_SECTORS_MAX];
    uint8_t junk[DB_SECTOR_SIZE];
    size_t pos = 4;
    for (uint32_t ops = 0; pos < size && ops < OPS_MAX && !w.reset; ops++) {
        uint8_t op = data[pos++];
        uint8_t arg = pos < size ? data[pos] : 0u;
        struct hfile *f = (op & 8u) ? b : a;
        switch (op & 7u) {
        case 0: /* the next sector of a file, in file order */
        case 1:
            if (f->cursor < f->nsec)
                write_file_sector(&w, f, f->cursor++);
            break;
        case 2: /* any sector of a file (repeats, out of order) */
            pos++;
            write_file_sector(&w, f, arg % f->nsec);
            break;
        case 3: { /* junk that is no firmware start: SP not in RAM, no HEX text, no UF2 magic */
            pos++;
            rng_state = (uint32_t)op << 8 | arg | 1u;
            for (uint32_t i = 0; i < DB_SECTOR_SIZE; i++) {
                junk[i] = pos + i < size ? data[pos + i] : (uint8_t)rnd();
                if (junk[i] == ':')
                    junk[i] = ';';
            }
            pos += (op & 16u) ? DB_SECTOR_SIZE : 0u;
            junk[3] = 0xFFu;
            uint32_t first = a->lba[0] < b->lba[0] ? a->lba[0] : b->lba[0];
            uint32_t lba = first + (uint32_t)arg % JUNK_SPAN_SECTORS;
            if (holds_file_bytes(a, lba) || holds_file_bytes(b, lba))
                break; /* junk there would change the file itself: then neither image is on the drive */
            note("junk@%u ", (unsigned)lba);
            write_sector(&w, lba, junk);
            break;
        }
        case 4: { /* one metadata sector: entries for A, B or both */
            pos++;
            uint32_t mask = 1u + (uint32_t)(op >> 4) % 3u;
            uint32_t n = meta_sectors(mask, lbas);
            note("meta(%s)@%u ", mask == 1u ? "A" : mask == 2u ? "B" : "A+B", n > 0u ? (unsigned)lbas[arg % n] : 0u);
            if (n > 0u)
                write_sector(&w, lbas[arg % n], meta_img[mask] + lbas[arg % n] * DB_SECTOR_SIZE);
            break;
        }
        case 5: /* the host pauses (polling, or silent) */
            pos++;
            idle(&w, (uint32_t)arg * 20u, (op & 16u) != 0u);
            break;
        case 6:
            eject(&w);
            break;
        default:
            break;
        }
        if ((op & 7u) == 6u)
            break; /* an ejected drive gets no more writes */
    }
    if (finish) {
        note("finish: ");
        for (uint32_t s = 0; s < a->nsec; s++)
            if (!a->written[s])
                write_file_sector(&w, a, s);
        for (uint32_t s = 0; s < b->nsec; s++)
            if (!b->written[s])
                write_file_sector(&w, b, s);
        uint32_t n = meta_sectors(3, lbas);
        for (uint32_t i = 0; i < n; i++)
            write_sector(&w, lbas[i], meta_img[3] + lbas[i] * DB_SECTOR_SIZE);
    }
    if (ejects)
        eject(&w);
    else
        idle(&w, IDLE_AFTER_MS, true);

    enum db_status result = simdev_update_status();
    note("result %s", db_status_name(result));
    struct flash_model_stats st;
    flash_model_stats(&st);
    if (st.violations != 0u)
        fail("a flash rule was broken");
    bool is_a = app_area_is(a), is_b = app_area_is(b), is_old = app_area_is(&files[0]);
    if (result == DB_DONE && !is_a && !is_b)
        fail("DB_DONE but the app area is neither image");
    struct bootrec rec;
    if (result == DB_DONE && (!bootrec_read(&rec) || rec.app_size != (is_a ? a : b)->app_size))
        fail("DB_DONE but the boot record does not cover exactly the image (size)");
    bool starts = simdev_power_on() == SIMDEV_APP;
    if (starts && !is_a && !is_b && !is_old)
        fail("an app starts that is neither the old app nor one of the images");
    if (result == DB_DONE && !starts)
        fail("DB_DONE but no app starts at a cold start");
    if (result != DB_DONE && !w.justified && !(starts && is_old))
        fail("the old app no longer starts, and no erase followed a written vector table");
    /* A/B: the update went to the other slot, so whatever happened the old app starts */
    if (result != DB_DONE && !(starts && is_old))
        fail("A/B: the old app no longer starts after an update that did not commit");
    /* FUZZ_TWO_IMAGES_TRACE=1 ./fuzz_two_images INPUT: the session and its outcome, to read a case */
    if (getenv("FUZZ_TWO_IMAGES_TRACE") != NULL)
        fprintf(stderr, "session: %.*s; flash holds %s; cold start: %s\n", (int)trace_len, trace,
                is_a ? "A" : is_b ? "B" : is_old ? "the old app" : "neither", starts ? "app" : "bootloader");
    return 0;
}
