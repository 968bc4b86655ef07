/*
 * The virtual FAT16 volume (see vfat.h for the geometry and why).
 *
 * Reads: overlay first (what the host wrote this session), else synthesized.
 * Writes: metadata into the overlay (a sector equal to what we would
 * synthesize frees its slot instead), data to core/update; after every FAT or
 * root directory write the root directory is parsed again and each host file
 * is handed to core/update as LBA extents. The synthesized files sit in the
 * first clusters: INFO_UF2.TXT, INDEX.HTM, STATUS.TXT (one cluster each),
 * then CURRENT.UF2, so the free space after them is one contiguous run.
 */
#include <stdarg.h>
#include <string.h>

#include "board.h"
#include "bootrec.h"
#include "crc32.h"
#include "flash.h"
#include "byteorder.h"
#include "uf2.h"
#include "vfat.h"

#if VFAT_CLUSTER_COUNT < 4085u || VFAT_CLUSTER_COUNT >= 65525u
#error "cluster count outside FAT16's range: hosts would take it for FAT12 or FAT32"
#endif
#if VFAT_SECTOR_COUNT > UPDATE_VOLUME_SECTORS_MAX
#error "core/update's map of dropped sectors is sized for a smaller volume"
#endif
#if VFAT_FAT_SECTORS * (DB_SECTOR_SIZE / 2u) < VFAT_CLUSTER_COUNT + 2u
#error "the FAT is too small for the clusters"
#endif

#define FAT_ENTRIES_PER_SECTOR (DB_SECTOR_SIZE / 2u)
#define DIRENT_SIZE 32u
#define DIRENTS_PER_SECTOR (DB_SECTOR_SIZE / DIRENT_SIZE)
#define FAT_EOC 0xFFFFu     /* end of chain as we write it */
#define FAT_EOC_MIN 0xFFF8u /* any value from here on ends a chain */
#define FAT_MEDIA 0xF8u     /* fixed disk */

#define ATTR_READ_ONLY 0x01u
#define ATTR_HIDDEN 0x02u
#define ATTR_SYSTEM 0x04u
#define ATTR_VOLUME_ID 0x08u
#define ATTR_DIRECTORY 0x10u
#define ATTR_ARCHIVE 0x20u
#define ATTR_LFN 0x0Fu
#define DIRENT_FREE 0x00u
#define DIRENT_DELETED 0xE5u

/* Fixed timestamps keep dumped images byte-identical run to run:
 * 2024-01-01 12:00:00 in FAT's packed date and time. */
#define FAT_DATE (((2024u - 1980u) << 9) | (1u << 5) | 1u)
#define FAT_TIME (12u << 11)

#define UF2_CURRENT_PAYLOAD UF2_PAYLOAD_STD /* CURRENT.UF2: 256 bytes per block, as converters write */

enum vfat_own_file { OWN_INFO, OWN_INDEX, OWN_STATUS, OWN_CURRENT, OWN_COUNT };
#define OWN_FIRST_CLUSTER 2u /* cluster numbers start at 2 */
#define CURRENT_CLUSTER (OWN_FIRST_CLUSTER + OWN_CURRENT)

static const char own_name[OWN_COUNT][11] = {
    {'I', 'N', 'F', 'O', '_', 'U', 'F', '2', 'T', 'X', 'T'},
    {'I', 'N', 'D', 'E', 'X', ' ', ' ', ' ', 'H', 'T', 'M'},
    {'S', 'T', 'A', 'T', 'U', 'S', ' ', ' ', 'T', 'X', 'T'},
    {'C', 'U', 'R', 'R', 'E', 'N', 'T', ' ', 'U', 'F', '2'},
};

/* ---- little helpers: text ---- */

/* Text files are built into a caller's buffer, cut (never overrun) at its end. */
struct text {
    char *p;
    uint32_t cap; /* bytes available, one kept for the NUL */
    uint32_t len;
};

static void text_str(struct text *t, const char *s)
{
    for (; *s != '\0' && t->len + 1u < t->cap; s++)
        t->p[t->len++] = *s;
    t->p[t->len] = '\0';
}

static void text_dec(struct text *t, uint32_t v)
{
    char digits[11]; /* 4294967295 and a NUL */
    uint32_t i = sizeof digits - 1u;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && i > 0u);
    text_str(t, &digits[i]);
}

static void text_hex32(struct text *t, uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    char s[11] = "0x";
    for (uint32_t i = 0; i < 8u; i++)
        s[2 + i] = hex[(v >> (28u - 4u * i)) & 0xFu];
    s[10] = '\0';
    text_str(t, s);
}

/* Literal text with %s (string), %x (uint32_t as 0x and 8 digits) and %u
 * (uint32_t in decimal) filled in from the arguments; nothing else is a
 * conversion. One call per file section keeps the fixed text in one string
 * instead of a call per piece. */
static void text_fmt(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt != '\0'; fmt++) {
        char c = *fmt;
        if (c == '%' && fmt[1] == 's') {
            text_str(t, va_arg(ap, const char *));
        } else if (c == '%' && fmt[1] == 'x') {
            text_hex32(t, va_arg(ap, uint32_t));
        } else if (c == '%' && fmt[1] == 'u') {
            text_dec(t, va_arg(ap, uint32_t));
        } else {
            if (t->len + 1u < t->cap)
                t->p[t->len++] = c;
            t->p[t->len] = '\0';
            continue;
        }
        fmt++; /* past the conversion letter */
    }
    va_end(ap);
}

/* ---- the synthesized content ---- */

static uint32_t current_blocks(const struct vfat *v)
{
    return (v->current_size + UF2_CURRENT_PAYLOAD - 1u) / UF2_CURRENT_PAYLOAD;
}

static uint32_t current_clusters(const struct vfat *v)
{
    return (current_blocks(v) * DB_SECTOR_SIZE + VFAT_CLUSTER_BYTES - 1u) / VFAT_CLUSTER_BYTES;
}

static uint32_t text_info(char *out, uint32_t n)
{
    char serial[BOARD_SERIAL_LEN + 1];
    struct text t = {out, n, 0};
    board_serial(serial);
    text_fmt(&t,
             "UF2 Bootloader v" DB_VERSION " dropboot\r\n"
             "Model: %s\r\n"
             "Board-ID: %s\r\n"
             "Family-ID: %x\r\n"
             "Serial: %s\r\n"
             "App-Base: %x\r\n"
             "App-Max-Size: %u\r\n"
             "Slot-Size: %u\r\n",
             board.model, board.board_id, (uint32_t)DB_UF2_FAMILY, serial, (uint32_t)DB_APP_BASE,
             (uint32_t)DB_APP_SIZE, (uint32_t)DB_SLOT_SIZE);
    return t.len;
}

static uint32_t text_index(char *out, uint32_t n)
{
    struct text t = {out, n, 0};
    text_fmt(&t,
             "<!doctype html>\r\n<html><head><meta http-equiv=\"refresh\" content=\"0; url=%s\">"
             "<title>dropboot</title></head>\r\n<body>dropboot: <a href=\"%s\">%s</a></body></html>\r\n",
             board.url, board.url, board.url);
    return t.len;
}

static const char *format_name(uint32_t format)
{
    switch (format) {
    case BOOTREC_FMT_UF2: return "UF2";
    case BOOTREC_FMT_HEX: return "Intel HEX";
    case BOOTREC_FMT_BIN: return "BIN";
    default: return "";
    }
}

uint32_t vfat_status_text(const struct vfat *v, char *out, uint32_t n)
{
    struct text t = {out, n, 0};
    enum db_status s = update_status(v->update);
    const char *file = update_file_name(v->update);

    text_fmt(&t, "dropboot " DB_VERSION " %s\r\nResult: DB_%s\r\n%s\r\n", board.model, db_status_tail(s),
             db_status_text(s));
    if (file[0] != '\0') {
        text_fmt(&t, "File: %s", file);
        if (update_format(v->update) != 0u)
            text_fmt(&t, " (%s)", format_name(update_format(v->update)));
        text_str(&t, "\r\n");
    }
    struct bootrec_state st;
    bootrec_load(&st);
    /* One line a slot; a single-slot chip (DB_AB_SLOTS 0) has no slot B to speak of. */
    for (uint32_t slot = BOOTREC_SLOT_A; slot <= (DB_AB_SLOTS ? BOOTREC_SLOT_B : BOOTREC_SLOT_A); slot++) {
        const struct bootrec *img = &st.img[slot];
        if (DB_AB_SLOTS)
            text_fmt(&t, "Slot %s: %s", slot == BOOTREC_SLOT_A ? "A" : "B", bootrec_state_name(&st, slot));
        else
            text_fmt(&t, "Slot: %s", bootrec_state_name(&st, slot));
        if (img->valid)
            text_fmt(&t, ", %u bytes CRC-32 %x, update %u%s", img->app_size, img->app_crc, img->seq,
                     img->slot == BOOTREC_SLOT_WHOLE ? ", over both banks" : "");
        if (img->valid && !img->confirmed && !img->rejected)
            text_fmt(&t, ", %u of %u trial starts", img->attempts, (uint32_t)DB_TRIAL_BOOTS);
        if (img->rejected)
            text_str(&t, " (the app never confirmed it)");
        text_str(&t, "\r\n");
    }
    const struct bootrec *r = bootrec_active(&st);
    if (r != NULL) {
        text_fmt(&t, "App: %x %u bytes CRC-32 %x from %s\r\n", r->app_base, r->app_size, r->app_crc,
                 format_name(r->format));
    } else {
        text_str(&t, "App: none (no verified app in flash)\r\n");
    }
    return t.len;
}

/* Content and length of a small own file, built into a sector buffer. */
#define STATUS_END "\r\n" /* STATUS.TXT's padding ends with a line end */
#if VFAT_STATUS_FILE_BYTES > DB_SECTOR_SIZE
#error "STATUS.TXT is built in one sector"
#endif

static uint32_t own_text(const struct vfat *v, enum vfat_own_file f, uint8_t buf[DB_SECTOR_SIZE])
{
    char *out = (char *)buf;
    memset(buf, 0, DB_SECTOR_SIZE);
    switch (f) {
    case OWN_INFO: return text_info(out, DB_SECTOR_SIZE);
    case OWN_INDEX: return text_index(out, DB_SECTOR_SIZE);
    case OWN_STATUS: {
        uint32_t len = vfat_status_text(v, out, VFAT_STATUS_FILE_BYTES - sizeof STATUS_END + 2u);
        memset(buf + len, ' ', VFAT_STATUS_FILE_BYTES - len);
        memcpy(buf + VFAT_STATUS_FILE_BYTES - 2u, STATUS_END, 2u);
        return VFAT_STATUS_FILE_BYTES;
    }
    default: return 0;
    }
}

static uint32_t own_size(const struct vfat *v, enum vfat_own_file f)
{
    uint8_t tmp[DB_SECTOR_SIZE];
    if (f == OWN_CURRENT)
        return current_blocks(v) * DB_SECTOR_SIZE;
    if (f == OWN_STATUS)
        return VFAT_STATUS_FILE_BYTES;
    /* the NUL of the text builder is not part of the file */
    return own_text(v, f, tmp);
}

/* Little-endian bytes of a constant, for the boot sector table below. */
#define LE16(v) (uint8_t)((v) & 0xFFu), (uint8_t)(((v) >> 8) & 0xFFu)
#define LE32(v) LE16((v) & 0xFFFFu), LE16(((v) >> 16) & 0xFFFFu)

/* Boot sector bytes 0..38: every field up to the volume serial is constant,
 * so it is one table rather than code storing each field. */
static const uint8_t boot_head[39] = {
    0xEB, 0x3C, 0x90,                       /* jmp over the BPB, nop */
    'M', 'S', 'W', 'I', 'N', '4', '.', '1', /* the OEM name the FAT spec recommends */
    LE16(DB_SECTOR_SIZE),
    (uint8_t)VFAT_SECTORS_PER_CLUSTER,
    LE16(VFAT_RESERVED_SECTORS),
    (uint8_t)VFAT_FAT_COUNT,
    LE16(VFAT_ROOT_ENTRIES),
    LE16(VFAT_SECTOR_COUNT < 0x10000u ? VFAT_SECTOR_COUNT : 0u),
    FAT_MEDIA,
    LE16(VFAT_FAT_SECTORS),
    LE16(63u),  /* sectors per track, as for any USB disk */
    LE16(255u), /* heads */
    LE32(0u),   /* hidden sectors: superfloppy, no partition table */
    LE32(VFAT_SECTOR_COUNT < 0x10000u ? 0u : VFAT_SECTOR_COUNT),
    0x80, /* drive number: Windows' command line wants a hard disk here */
    0x00,
    0x29, /* extended boot signature: ID, label and type follow */
};

static void synth_boot(const struct vfat *v, uint8_t *b)
{
    const char *label = board.volume_label;
    memcpy(b, boot_head, sizeof boot_head);
    le_put32(b + 39, v->serial);
    memset(b + 43, ' ', 11);
    for (uint32_t i = 0; i < 11u && label[i] != '\0'; i++)
        b[43 + i] = (uint8_t)label[i];
    memcpy(b + 54, "FAT16   ", 8);
    b[510] = 0x55;
    b[511] = 0xAA;
}

static uint32_t fat_synth(const struct vfat *v, uint32_t c)
{
    if (c == 0u)
        return 0xFF00u | FAT_MEDIA;
    if (c == 1u)
        return FAT_EOC;
    if (c < CURRENT_CLUSTER)
        return FAT_EOC; /* the one-cluster text files */
    uint32_t n = current_clusters(v);
    if (c < CURRENT_CLUSTER + n)
        return (c + 1u == CURRENT_CLUSTER + n) ? FAT_EOC : c + 1u;
    return 0; /* free */
}

static void dirent(uint8_t *e, const char name[11], uint8_t attr, uint32_t cluster, uint32_t size)
{
    memcpy(e, name, 11);
    e[11] = attr;
    le_put16(e + 14, FAT_TIME); /* created */
    le_put16(e + 16, FAT_DATE);
    le_put16(e + 18, FAT_DATE); /* accessed */
    le_put16(e + 22, FAT_TIME); /* written */
    le_put16(e + 24, FAT_DATE);
    le_put16(e + 26, cluster);
    le_put32(e + 28, size);
}

static void synth_root(const struct vfat *v, uint8_t *b)
{
    char label[11];
    memset(label, ' ', sizeof label);
    for (uint32_t i = 0; i < 11u && board.volume_label[i] != '\0'; i++)
        label[i] = board.volume_label[i];
    dirent(b, label, ATTR_VOLUME_ID, 0, 0);
    b += DIRENT_SIZE;
    for (uint32_t f = 0; f < OWN_COUNT; f++) {
        if (f == OWN_CURRENT && v->current_size == 0u)
            break; /* no valid app: no CURRENT.UF2 */
        dirent(b, own_name[f], ATTR_READ_ONLY | ATTR_ARCHIVE, OWN_FIRST_CLUSTER + f,
               own_size(v, (enum vfat_own_file)f));
        b += DIRENT_SIZE;
    }
}

/* Block i of CURRENT.UF2: the app as UF2, bytes past the app's end 0xFF. */
static void synth_current(const struct vfat *v, uint32_t i, uint8_t *b)
{
    uint8_t payload[UF2_CURRENT_PAYLOAD];
    uint32_t off = i * UF2_CURRENT_PAYLOAD;
    uint32_t len = v->current_size - off;
    if (len > UF2_CURRENT_PAYLOAD)
        len = UF2_CURRENT_PAYLOAD;
    memset(payload, 0xFF, sizeof payload);
    if (flash_read(v->current_phys + off, payload, len) != FLASH_OK)
        memset(payload, 0xFF, sizeof payload); /* unreadable (torn) flash reads as erased */
    struct uf2_block blk = {
        .flags = UF2_FLAG_FAMILY_ID,
        .target_addr = DB_APP_BASE + off,
        .payload_size = UF2_CURRENT_PAYLOAD,
        .block_no = i,
        .num_blocks = current_blocks(v),
        .family_or_size = DB_UF2_FAMILY,
        .payload = payload,
    };
    uf2_encode(b, &blk);
}

static void synth_data(const struct vfat *v, uint32_t lba, uint8_t *b)
{
    uint32_t rel = lba - VFAT_DATA_LBA;
    uint32_t c = OWN_FIRST_CLUSTER + rel / VFAT_SECTORS_PER_CLUSTER;
    uint32_t s = rel % VFAT_SECTORS_PER_CLUSTER;
    if (c < CURRENT_CLUSTER) {
        if (s == 0u)
            (void)own_text(v, (enum vfat_own_file)(c - OWN_FIRST_CLUSTER), b);
        return;
    }
    uint32_t block = (c - CURRENT_CLUSTER) * VFAT_SECTORS_PER_CLUSTER + s;
    if (block < current_blocks(v))
        synth_current(v, block, b);
}

/* FAT2 is shown as FAT1: both copies are one overlay slot. */
static uint32_t overlay_key(const struct vfat *v, uint32_t lba)
{
    const struct vfat_geom *g = &v->g;
    uint32_t fat_end = g->fat_lba + g->fat_count * g->fat_sectors;
    if (lba >= g->fat_lba + g->fat_sectors && lba < fat_end)
        return g->fat_lba + (lba - g->fat_lba) % g->fat_sectors;
    return lba;
}

static void synth(const struct vfat *v, uint32_t lba, uint8_t *b)
{
    memset(b, 0, DB_SECTOR_SIZE);
    if (v->reformatted)
        return; /* the host's own volume: what it did not write reads as zeros, as mkfs leaves it */
    lba = overlay_key(v, lba);
    if (lba == 0u) {
        synth_boot(v, b);
    } else if (lba < VFAT_FAT2_LBA) {
        uint32_t first = (lba - VFAT_FAT1_LBA) * FAT_ENTRIES_PER_SECTOR;
        for (uint32_t i = 0; i < FAT_ENTRIES_PER_SECTOR; i++)
            le_put16(b + 2u * i, fat_synth(v, first + i));
    } else if (lba < VFAT_DATA_LBA) {
        if (lba == VFAT_ROOT_LBA)
            synth_root(v, b);
    } else if (lba < VFAT_SECTOR_COUNT) {
        synth_data(v, lba, b);
    }
}

/* ---- the overlay ---- */

static struct vfat_slot *slot_find(struct vfat *v, uint32_t key)
{
    for (uint32_t i = 0; i < VFAT_OVERLAY_SECTORS; i++)
        if (v->slot[i].kind != VFAT_FREE && v->slot[i].lba == key)
            return &v->slot[i];
    return NULL;
}

static const struct vfat_slot *slot_find_const(const struct vfat *v, uint32_t key)
{
    for (uint32_t i = 0; i < VFAT_OVERLAY_SECTORS; i++)
        if (v->slot[i].kind != VFAT_FREE && v->slot[i].lba == key)
            return &v->slot[i];
    return NULL;
}

/* A slot for key: its own, a free one, else the oldest plain data, else the
 * oldest metadata (the host then reads our synthesized view of it again). */
static struct vfat_slot *slot_claim(struct vfat *v, uint32_t key, uint8_t kind)
{
    struct vfat_slot *s = slot_find(v, key);
    if (s != NULL)
        return s;
    struct vfat_slot *oldest_data = NULL, *oldest_meta = NULL;
    for (uint32_t i = 0; i < VFAT_OVERLAY_SECTORS; i++) {
        struct vfat_slot *c = &v->slot[i];
        if (c->kind == VFAT_FREE)
            return c;
        struct vfat_slot **o = (c->kind == VFAT_DATA) ? &oldest_data : &oldest_meta;
        if (*o == NULL || c->stamp < (*o)->stamp)
            *o = c;
    }
    if (oldest_data != NULL)
        return oldest_data;
    /* plain data never evicts metadata */
    return (kind == VFAT_DATA) ? NULL : oldest_meta;
}

static void slot_store(struct vfat *v, uint32_t key, uint8_t kind, const uint8_t *buf)
{
    uint8_t now[DB_SECTOR_SIZE];
    synth(v, key, now);
    struct vfat_slot *s = slot_find(v, key);
    if (memcmp(now, buf, DB_SECTOR_SIZE) == 0) {
        if (s != NULL)
            s->kind = VFAT_FREE; /* same as synthesized: nothing to keep */
        return;
    }
    s = slot_claim(v, key, kind);
    if (s == NULL)
        return;
    s->lba = key;
    s->kind = kind;
    s->stamp = ++v->stamp;
    memcpy(s->data, buf, DB_SECTOR_SIZE);
}

/* ---- the host's layout ---- */

static void geom_ours(struct vfat_geom *g)
{
    g->fat_lba = VFAT_FAT1_LBA;
    g->fat_sectors = VFAT_FAT_SECTORS;
    g->fat_count = VFAT_FAT_COUNT;
    g->root_lba = VFAT_ROOT_LBA;
    g->root_sectors = VFAT_ROOT_SECTORS;
    g->data_lba = VFAT_DATA_LBA;
    g->spc = VFAT_SECTORS_PER_CLUSTER;
    g->clusters = VFAT_CLUSTER_COUNT;
    g->sectors = VFAT_SECTOR_COUNT;
}

/* The layout a boot sector describes (FAT spec: the BPB), if it is one this
 * drive can follow: 512-byte sectors, FAT16 by cluster count, inside the
 * volume. False for anything else (FAT12, FAT32, no BPB at all). */
static bool geom_parse(const uint8_t *b, struct vfat_geom *g)
{
    uint32_t spc = b[13], fats = b[16];
    uint32_t total = le_get16(b + 19) != 0u ? le_get16(b + 19) : le_get32(b + 32);
    if (le_get16(b + 11) != DB_SECTOR_SIZE || spc == 0u || (spc & (spc - 1u)) != 0u || fats == 0u ||
        fats > 2u || le_get16(b + 14) == 0u || le_get16(b + 22) == 0u || b[510] != 0x55u || b[511] != 0xAAu)
        return false;
    g->fat_lba = le_get16(b + 14);
    g->fat_sectors = le_get16(b + 22);
    g->fat_count = fats;
    g->root_lba = g->fat_lba + fats * g->fat_sectors;
    g->root_sectors = (le_get16(b + 17) * DIRENT_SIZE + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    g->data_lba = g->root_lba + g->root_sectors;
    g->spc = spc;
    g->sectors = total;
    if (total > VFAT_SECTOR_COUNT || g->data_lba >= total)
        return false;
    g->clusters = (total - g->data_lba) / spc;
    return g->clusters >= 4085u && g->clusters < 65525u; /* FAT16 by the spec's rule */
}

/* The host wrote a boot sector. Same layout: nothing changes. Another FAT16
 * layout: followed from now on, nothing of ours is synthesized any more (the
 * host formatted it away). Anything else: refused in STATUS.TXT. */
static bool boot_written(struct vfat *v, const uint8_t *b)
{
    struct vfat_geom g;
    if (!geom_parse(b, &g)) {
        update_refuse_volume(v->update);
        return false;
    }
    if (memcmp(&g, &v->g, sizeof g) == 0)
        return true;
    v->g = g;
    v->reformatted = true;
    update_volume(v->update, g.data_lba);
    v->subdir_count = 0;
    for (uint32_t i = 0; i < VFAT_OVERLAY_SECTORS; i++)
        v->slot[i].kind = VFAT_FREE; /* written under the old layout */
    return true;
}

/* ---- learning the host's files ---- */

static uint32_t fat_get(const struct vfat *v, uint32_t c)
{
    const struct vfat_slot *s = slot_find_const(v, v->g.fat_lba + c / FAT_ENTRIES_PER_SECTOR);
    if (s != NULL)
        return le_get16(s->data + 2u * (c % FAT_ENTRIES_PER_SECTOR));
    return v->reformatted ? 0u : fat_synth(v, c);
}

static uint32_t cluster_lba(const struct vfat *v, uint32_t c)
{
    return v->g.data_lba + (c - OWN_FIRST_CLUSTER) * v->g.spc;
}

static bool cluster_valid(const struct vfat *v, uint32_t c)
{
    return c >= OWN_FIRST_CLUSTER && c < OWN_FIRST_CLUSTER + v->g.clusters;
}

/* Follow the chain from first as far as size needs: runs of consecutive
 * clusters become extents. Stops at end of chain, a free or bad entry, or
 * after as many clusters as the volume has (a loop). */
static void learn_chain(const struct vfat *v, uint32_t first, struct update_file *f)
{
    uint32_t c = first, have = 0;
    uint32_t cluster_bytes = v->g.spc * DB_SECTOR_SIZE;
    f->extent_count = 0;
    f->chain_complete = (f->size == 0u);
    for (uint32_t steps = 0; cluster_valid(v, c) && steps < v->g.clusters; steps++) {
        uint32_t lba = cluster_lba(v, c);
        struct update_extent *last = f->extent_count ? &f->ext[f->extent_count - 1u] : NULL;
        if (last != NULL && last->lba + last->count == lba) {
            last->count += v->g.spc;
        } else if (f->extent_count < UPDATE_EXTENTS_MAX) {
            f->ext[f->extent_count].lba = lba;
            f->ext[f->extent_count].count = v->g.spc;
            f->extent_count++;
        } else {
            f->fragmented = true;
            return;
        }
        have += cluster_bytes;
        if (have >= f->size) {
            f->chain_complete = true;
            return;
        }
        c = fat_get(v, c);
    }
}

static void name_83(const uint8_t *e, char out[UPDATE_NAME_LEN])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < 8u && e[i] != ' '; i++)
        out[n++] = (char)e[i];
    if (e[8] != ' ') {
        out[n++] = '.';
        for (uint32_t i = 8; i < 11u && e[i] != ' '; i++)
            out[n++] = (char)e[i];
    }
    out[n] = '\0';
}

/* One of our own entries, as we synthesize it (a host file written over
 * CURRENT.UF2 keeping its name is the host's: its size or attributes differ). */
static bool is_own_entry(const struct vfat *v, const uint8_t *e)
{
    if (v->reformatted)
        return false;
    for (uint32_t f = 0; f < OWN_COUNT; f++)
        if (memcmp(e, own_name[f], 11) == 0 && le_get16(e + 26) == OWN_FIRST_CLUSTER + f)
            return (f != OWN_CURRENT || v->current_size != 0u) && e[11] == (ATTR_READ_ONLY | ATTR_ARCHIVE) &&
                   le_get32(e + 28) == own_size(v, (enum vfat_own_file)f);
    return false;
}

static bool entry_is_file(const uint8_t *e)
{
    uint8_t attr = e[11];
    return e[0] != DIRENT_FREE && e[0] != DIRENT_DELETED && attr != ATTR_LFN &&
           !(attr & (ATTR_VOLUME_ID | ATTR_DIRECTORY));
}

/* A directory entry for a subdirectory (not "." or ".."). */
static bool entry_is_subdir(const uint8_t *e)
{
    return e[0] != DIRENT_FREE && e[0] != DIRENT_DELETED && e[0] != '.' && e[11] != ATTR_LFN &&
           (e[11] & ATTR_DIRECTORY) && !(e[11] & ATTR_VOLUME_ID);
}

static void make_file(const struct vfat *v, const uint8_t *e, struct update_file *f)
{
    uint32_t cluster = le_get16(e + 26);
    memset(f, 0, sizeof *f);
    name_83(e, f->name);
    f->size = le_get32(e + 28);
    /* macOS "._x" files get short names starting with '_'; hidden and system
     * files are the OS's own: none of them earns a "not firmware" status. */
    f->user_file = !(e[11] & (ATTR_HIDDEN | ATTR_SYSTEM)) && e[0] != '_' && e[0] != '.' && f->size > 0u;
    if (cluster_valid(v, cluster))
        learn_chain(v, cluster, f);
}

/* Does lba hold directory entries: the root, or a cluster of a known subdirectory? */
static bool dir_sector(const struct vfat *v, uint32_t lba)
{
    if (lba >= v->g.root_lba && lba < v->g.data_lba)
        return true;
    if (lba < v->g.data_lba)
        return false;
    uint32_t c = OWN_FIRST_CLUSTER + (lba - v->g.data_lba) / v->g.spc;
    for (uint32_t i = 0; i < v->dir_cluster_count; i++)
        if (v->dir_cluster[i] == c)
            return true;
    return false;
}

/* The first sector of a directory's first cluster: "." then "..". */
static bool looks_like_dir_start(const uint8_t *b)
{
    return memcmp(b, ".          ", 11) == 0 && (b[11] & ATTR_DIRECTORY) &&
           memcmp(b + DIRENT_SIZE, "..         ", 11) == 0 && (b[DIRENT_SIZE + 11] & ATTR_DIRECTORY);
}

/* Every subdirectory reachable from the written root, up to VFAT_SUBDIRS_MAX;
 * their sectors become metadata (kept before plain data). */
static void collect_subdirs(struct vfat *v)
{
    v->subdir_count = 0;
    v->dir_cluster_count = 0;
    for (uint32_t round = 0; round <= VFAT_SUBDIRS_MAX; round++) {
        uint32_t before = v->subdir_count;
        for (uint32_t i = 0; i < VFAT_OVERLAY_SECTORS; i++) {
            struct vfat_slot *s = &v->slot[i];
            if (s->kind == VFAT_FREE || s->lba < v->g.root_lba || !dir_sector(v, s->lba))
                continue;
            s->kind = VFAT_META;
            for (uint32_t k = 0; k < DIRENTS_PER_SECTOR; k++) {
                const uint8_t *e = s->data + k * DIRENT_SIZE;
                uint32_t c = le_get16(e + 26);
                bool known = false;
                for (uint32_t j = 0; j < v->subdir_count; j++)
                    known = known || v->subdir[j] == c;
                if (!entry_is_subdir(e) || !cluster_valid(v, c) || known || v->subdir_count >= VFAT_SUBDIRS_MAX)
                    continue;
                v->subdir[v->subdir_count++] = (uint16_t)c;
                for (uint32_t n = 0; n < VFAT_SUBDIR_CLUSTERS_MAX && cluster_valid(v, c); n++) {
                    v->dir_cluster[v->dir_cluster_count++] = (uint16_t)c;
                    c = fat_get(v, c);
                }
            }
        }
        if (v->subdir_count == before)
            return;
    }
}

/* The entries of the written directories, one at a time: *cursor starts at
 * 0 and counts (overlay slot, entry); NULL at the end. */
static const uint8_t *next_dir_entry(const struct vfat *v, uint32_t *cursor)
{
    for (; *cursor < VFAT_OVERLAY_SECTORS * DIRENTS_PER_SECTOR; (*cursor)++) {
        const struct vfat_slot *s = &v->slot[*cursor / DIRENTS_PER_SECTOR];
        if (s->kind == VFAT_FREE || s->lba < v->g.root_lba || !dir_sector(v, s->lba)) {
            *cursor |= DIRENTS_PER_SECTOR - 1u; /* the next slot */
            continue;
        }
        const uint8_t *e = s->data + (*cursor % DIRENTS_PER_SECTOR) * DIRENT_SIZE;
        if (entry_is_file(e) && !is_own_entry(v, e)) {
            (*cursor)++;
            return e;
        }
    }
    return NULL;
}

/* Tell core/update about every host file in the written directories. */
static void learn(struct vfat *v)
{
    collect_subdirs(v);
    uint32_t cursor = 0;
    for (const uint8_t *e = next_dir_entry(v, &cursor); e != NULL; e = next_dir_entry(v, &cursor)) {
        struct update_file f;
        make_file(v, e, &f);
        update_file(v->update, &f);
    }
}

/* The host file that begins at lba, if a written directory says so. */
static bool file_starting_at(const struct vfat *v, uint32_t lba, struct update_file *f)
{
    uint32_t c = OWN_FIRST_CLUSTER + (lba - v->g.data_lba) / v->g.spc;
    uint32_t cursor = 0;
    for (const uint8_t *e = next_dir_entry(v, &cursor); e != NULL; e = next_dir_entry(v, &cursor)) {
        if (le_get16(e + 26) == c) {
            make_file(v, e, f);
            return true;
        }
    }
    return false;
}

/* ---- the door ---- */

void vfat_init(struct vfat *v, struct update *u)
{
    char serial[BOARD_SERIAL_LEN + 1];
    struct bootrec r;
    memset(v, 0, sizeof *v);
    v->update = u;
    geom_ours(&v->g);
    update_volume(u, v->g.data_lba);
    board_serial(serial);
    v->serial = crc32_update(0, (const uint8_t *)serial, BOARD_SERIAL_LEN);
    if (bootrec_read(&r)) {
        v->current_size = r.app_size;
        v->current_phys = r.phys;
    }
}

uint32_t vfat_sector_count(void)
{
    return VFAT_SECTOR_COUNT;
}

bool vfat_is_metadata_lba(uint32_t lba)
{
    return lba < VFAT_DATA_LBA;
}

void vfat_read(struct vfat *v, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    const struct vfat_slot *s = slot_find_const(v, overlay_key(v, lba));
    if (s != NULL)
        memcpy(buf, s->data, DB_SECTOR_SIZE);
    else
        synth(v, lba, buf);
}

void vfat_write(struct vfat *v, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    update_note_write(v->update);
    if (lba >= VFAT_SECTOR_COUNT)
        return;
    if (lba == 0u && !boot_written(v, buf))
        return;
    if (lba < v->g.data_lba) {
        slot_store(v, overlay_key(v, lba), VFAT_META, buf);
        if (lba >= v->g.fat_lba)
            learn(v);
        return;
    }
    if (dir_sector(v, lba) || looks_like_dir_start(buf)) {
        /* a subdirectory's entries: metadata, never firmware */
        slot_store(v, lba, VFAT_META, buf);
        learn(v);
        return;
    }
    uint32_t rel = lba - v->g.data_lba;
    bool cluster_start = rel % v->g.spc == 0u;
    struct update_file f;
    bool known = cluster_start && file_starting_at(v, lba, &f);
    enum update_state before = update_state(v->update);
    if (update_data(v->update, lba, buf, cluster_start, known ? &f : NULL)) {
        struct vfat_slot *s = slot_find(v, lba);
        if (s != NULL)
            s->kind = VFAT_FREE; /* firmware is not kept; a stale copy must not show */
        if (before == UPDATE_IDLE)
            learn(v); /* a stream opened: it hears what the directory already says of its file */
        return;
    }
    slot_store(v, lba, VFAT_DATA, buf);
}
