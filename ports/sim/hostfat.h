/*
 * A computer's reading of a FAT volume image held in memory: the BPB the
 * image carries, its FAT chains and its directory tree.
 *
 * Used by dropboot-sim's replay to write like a host's page cache (whole
 * files, then their metadata) and by the fuzz harness that plays a host. It
 * deliberately shares nothing with core/vfat: a host knows the drive only by
 * the boot sector it reads (or wrote, after a reformat), so this module takes
 * every number from the image and assumes no geometry. FAT12, FAT16 and
 * FAT32 are read; the sector size must be DB_SECTOR_SIZE (what the device
 * reports). Read-only and bounded: chains stop after cluster_count links, the
 * tree walk after HOSTFAT_DEPTH_MAX levels. Owner: host model.
 */
#ifndef DB_HOSTFAT_H
#define DB_HOSTFAT_H

#include <stdbool.h>
#include <stdint.h>

#define HOSTFAT_DIRENT_SIZE 32u /* FAT spec: one directory entry */
#define HOSTFAT_DEPTH_MAX 8u    /* deeper trees are not what hosts write to a flash drive */
#define HOSTFAT_NAME_LEN 13u    /* "NAME.EXT" plus NUL */

struct hostfat {
    uint32_t sectors_per_cluster;
    uint32_t reserved_sectors; /* boot sector (and FAT32's FSInfo, backup) */
    uint32_t fat_count;
    uint32_t fat_sectors;  /* per FAT */
    uint32_t root_lba;     /* FAT12/16: fixed root region; FAT32: 0 */
    uint32_t root_sectors; /* FAT12/16 only */
    uint32_t root_cluster; /* FAT32 only */
    uint32_t data_lba;     /* cluster 2 */
    uint32_t total_sectors;
    uint32_t cluster_count;
    uint32_t fat_bits; /* 12, 16 or 32, from the cluster count as the spec says */
};

struct hostfat_entry {
    char name[HOSTFAT_NAME_LEN]; /* 8.3 as "NAME.EXT" */
    uint8_t attr;
    bool is_dir;
    uint32_t first_cluster;
    uint32_t size;
    uint32_t lba;    /* where the 32-byte entry lives */
    uint32_t offset; /* byte offset inside that sector */
};

/* Read the BPB from sector 0 of an image of image_sectors sectors.
 * 0 on success; -1 when it is not a FAT boot sector this module can read. */
int hostfat_parse(struct hostfat *h, const uint8_t *img, uint32_t image_sectors);

uint32_t hostfat_cluster_lba(const struct hostfat *h, uint32_t cluster);
/* The FAT1 entry of a cluster (the next cluster, or an end/free/bad mark). */
uint32_t hostfat_next(const struct hostfat *h, const uint8_t *img, uint32_t cluster);
/* Is this a cluster number a chain may continue to (2..cluster_count+1)? */
bool hostfat_is_cluster(const struct hostfat *h, uint32_t cluster);

/* Call fn for every entry of the tree (files and directories, not "." and
 * "..", not volume labels, not LFN pieces), parents before children.
 * Returns the number of entries visited. */
typedef void (*hostfat_visit_fn)(void *ctx, const struct hostfat_entry *e);
uint32_t hostfat_walk(const struct hostfat *h, const uint8_t *img, hostfat_visit_fn fn, void *ctx);

/* The sectors of a cluster chain starting at first, in chain order, whole
 * clusters, at most max; returns how many were stored. */
uint32_t hostfat_chain_sectors(const struct hostfat *h, const uint8_t *img, uint32_t first, uint32_t *lbas,
                               uint32_t max);

#endif
