/*
 * A host's reading of a FAT image: see hostfat.h. Field offsets and the
 * FAT12/16/32 rule (by cluster count) are the FAT specification's.
 */
#include <string.h>

#include "config.h"
#include "hostfat.h"

#define BPB_BYTES_PER_SECTOR 11u
#define BPB_SECTORS_PER_CLUSTER 13u
#define BPB_RESERVED 14u
#define BPB_FAT_COUNT 16u
#define BPB_ROOT_ENTRIES 17u
#define BPB_TOTAL16 19u
#define BPB_FAT_SIZE16 22u
#define BPB_TOTAL32 32u
#define BPB_FAT_SIZE32 36u
#define BPB_ROOT_CLUSTER32 44u
#define BOOT_SIGNATURE_OFFSET 510u
#define FAT12_MAX_CLUSTERS 4084u  /* spec: fewer than 4085 clusters is FAT12 */
#define FAT16_MAX_CLUSTERS 65524u /* spec: fewer than 65525 is FAT16 */
#define FAT32_ENTRY_MASK 0x0FFFFFFFu /* the top 4 bits are reserved */
#define FIRST_CLUSTER 2u             /* clusters 0 and 1 are the FAT's own header */

#define DIRENT_ATTR 11u
#define DIRENT_CLUSTER_HI 20u
#define DIRENT_CLUSTER_LO 26u
#define DIRENT_SIZE_FIELD 28u
#define ATTR_VOLUME 0x08u
#define ATTR_DIR 0x10u
#define ATTR_LFN 0x0Fu         /* read-only|hidden|system|volume: a long-name piece */
#define NAME_END 0x00u         /* this and every later entry are free */
#define NAME_DELETED 0xE5u
#define NAME_KANJI_E5 0x05u    /* a real first byte 0xE5, escaped */

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (get16(p + 2) << 16);
}

int hostfat_parse(struct hostfat *h, const uint8_t *img, uint32_t image_sectors)
{
    memset(h, 0, sizeof *h);
    if (img[BOOT_SIGNATURE_OFFSET] != 0x55u || img[BOOT_SIGNATURE_OFFSET + 1u] != 0xAAu)
        return -1;
    if (get16(img + BPB_BYTES_PER_SECTOR) != DB_SECTOR_SIZE)
        return -1;
    uint32_t spc = img[BPB_SECTORS_PER_CLUSTER];
    if (spc == 0u || (spc & (spc - 1u)) != 0u)
        return -1;
    h->sectors_per_cluster = spc;
    h->reserved_sectors = get16(img + BPB_RESERVED);
    h->fat_count = img[BPB_FAT_COUNT];
    uint32_t root_entries = get16(img + BPB_ROOT_ENTRIES);
    h->fat_sectors = get16(img + BPB_FAT_SIZE16);
    if (h->fat_sectors == 0u)
        h->fat_sectors = get32(img + BPB_FAT_SIZE32);
    h->total_sectors = get16(img + BPB_TOTAL16);
    if (h->total_sectors == 0u)
        h->total_sectors = get32(img + BPB_TOTAL32);
    if (h->reserved_sectors == 0u || h->fat_count == 0u || h->fat_sectors == 0u ||
        h->total_sectors > image_sectors)
        return -1;
    h->root_lba = h->reserved_sectors + h->fat_count * h->fat_sectors;
    h->root_sectors = (root_entries * HOSTFAT_DIRENT_SIZE + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    h->data_lba = h->root_lba + h->root_sectors;
    if (h->data_lba >= h->total_sectors)
        return -1;
    h->cluster_count = (h->total_sectors - h->data_lba) / spc;
    if (h->cluster_count <= FAT12_MAX_CLUSTERS)
        h->fat_bits = 12u;
    else if (h->cluster_count <= FAT16_MAX_CLUSTERS)
        h->fat_bits = 16u;
    else
        h->fat_bits = 32u;
    if (h->fat_bits == 32u) {
        h->root_cluster = get32(img + BPB_ROOT_CLUSTER32);
        h->root_lba = 0u;
        h->root_sectors = 0u;
    }
    /* The FAT must be able to hold an entry for every cluster. */
    if ((uint64_t)h->fat_sectors * DB_SECTOR_SIZE * 8u < (uint64_t)(h->cluster_count + FIRST_CLUSTER) * h->fat_bits)
        return -1;
    return 0;
}

uint32_t hostfat_cluster_lba(const struct hostfat *h, uint32_t cluster)
{
    return h->data_lba + (cluster - FIRST_CLUSTER) * h->sectors_per_cluster;
}

bool hostfat_is_cluster(const struct hostfat *h, uint32_t cluster)
{
    return cluster >= FIRST_CLUSTER && cluster < h->cluster_count + FIRST_CLUSTER;
}

uint32_t hostfat_next(const struct hostfat *h, const uint8_t *img, uint32_t cluster)
{
    const uint8_t *fat = img + (size_t)h->reserved_sectors * DB_SECTOR_SIZE;
    if (h->fat_bits == 12u) {
        uint32_t v = get16(fat + cluster + cluster / 2u);
        return (cluster & 1u) ? (v >> 4) : (v & 0xFFFu);
    }
    if (h->fat_bits == 16u)
        return get16(fat + cluster * 2u);
    return get32(fat + cluster * 4u) & FAT32_ENTRY_MASK;
}

uint32_t hostfat_chain_sectors(const struct hostfat *h, const uint8_t *img, uint32_t first, uint32_t *lbas,
                               uint32_t max)
{
    uint32_t n = 0;
    uint32_t c = first;
    /* A chain visits each cluster at most once; more links is a loop. */
    for (uint32_t links = 0; links < h->cluster_count && hostfat_is_cluster(h, c); links++) {
        for (uint32_t s = 0; s < h->sectors_per_cluster && n < max; s++)
            lbas[n++] = hostfat_cluster_lba(h, c) + s;
        c = hostfat_next(h, img, c);
    }
    return n;
}

static void entry_name(const uint8_t *d, char out[HOSTFAT_NAME_LEN])
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < 8u && d[i] != ' '; i++)
        out[k++] = (char)((i == 0u && d[0] == NAME_KANJI_E5) ? NAME_DELETED : d[i]);
    if (d[8] != ' ') {
        out[k++] = '.';
        for (uint32_t i = 8; i < 11u && d[i] != ' '; i++)
            out[k++] = (char)d[i];
    }
    out[k] = '\0';
}

struct walk {
    const struct hostfat *h;
    const uint8_t *img;
    hostfat_visit_fn fn;
    void *ctx;
    uint32_t visited;
};

static void walk_dir(struct walk *w, uint32_t first_cluster, uint32_t depth);

/* One directory sector; false at the end-of-directory mark. */
static bool walk_sector(struct walk *w, uint32_t lba, uint32_t depth)
{
    const uint8_t *sec = w->img + (size_t)lba * DB_SECTOR_SIZE;
    for (uint32_t off = 0; off < DB_SECTOR_SIZE; off += HOSTFAT_DIRENT_SIZE) {
        const uint8_t *d = sec + off;
        if (d[0] == NAME_END)
            return false;
        if (d[0] == NAME_DELETED || d[DIRENT_ATTR] == ATTR_LFN || (d[DIRENT_ATTR] & ATTR_VOLUME) != 0u)
            continue;
        if (d[0] == '.' && (d[1] == ' ' || d[1] == '.'))
            continue; /* "." and "..": the tree's own links */
        struct hostfat_entry e;
        entry_name(d, e.name);
        e.attr = d[DIRENT_ATTR];
        e.is_dir = (e.attr & ATTR_DIR) != 0u;
        e.first_cluster = get16(d + DIRENT_CLUSTER_LO);
        if (w->h->fat_bits == 32u)
            e.first_cluster |= get16(d + DIRENT_CLUSTER_HI) << 16;
        e.size = get32(d + DIRENT_SIZE_FIELD);
        e.lba = lba;
        e.offset = off;
        w->visited++;
        w->fn(w->ctx, &e);
        if (e.is_dir && depth + 1u < HOSTFAT_DEPTH_MAX && hostfat_is_cluster(w->h, e.first_cluster))
            walk_dir(w, e.first_cluster, depth + 1u);
    }
    return true;
}

static void walk_dir(struct walk *w, uint32_t first_cluster, uint32_t depth)
{
    uint32_t c = first_cluster;
    for (uint32_t links = 0; links < w->h->cluster_count && hostfat_is_cluster(w->h, c); links++) {
        for (uint32_t s = 0; s < w->h->sectors_per_cluster; s++)
            if (!walk_sector(w, hostfat_cluster_lba(w->h, c) + s, depth))
                return;
        c = hostfat_next(w->h, w->img, c);
    }
}

uint32_t hostfat_walk(const struct hostfat *h, const uint8_t *img, hostfat_visit_fn fn, void *ctx)
{
    struct walk w = {h, img, fn, ctx, 0};
    if (h->fat_bits == 32u) {
        walk_dir(&w, h->root_cluster, 0);
        return w.visited;
    }
    for (uint32_t s = 0; s < h->root_sectors; s++)
        if (!walk_sector(&w, h->root_lba + s, 0))
            break;
    return w.visited;
}
