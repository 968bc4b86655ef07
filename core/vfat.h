/*
 * The virtual FAT16 volume: a USB drive made of nothing.
 *
 * Every sector the host reads is synthesized on the spot (boot sector, two
 * FATs, root directory, INFO_UF2.TXT, INDEX.HTM, STATUS.TXT, CURRENT.UF2 read
 * back from flash as UF2). Every sector the host writes is classified: boot
 * sector, FAT, root directory, or data. Metadata is kept in a bounded RAM
 * overlay so the host reads back what it wrote in this session (the copied
 * file is listed, directories re-read fine); data goes to core/update, which
 * recognises firmware by content. From the written directory and FAT the drive
 * learns each new file (name, size, cluster chain) and tells core/update.
 *
 * Geometry (superfloppy: no partition table, boot sector at LBA 0):
 *   32 MB = 65536 sectors of 512 bytes, 4 KB clusters (8 sectors), 2 FATs of
 *   32 sectors, 512 root entries (32 sectors), 8179 clusters.
 * Why: the volume must hold CURRENT.UF2 (up to ~4 MB: a UF2 is twice the app)
 * plus a new UF2 of the whole app area plus room for multi-family UF2 files
 * and OS metadata, so 32 MB (FAT16's comfortable maximum with small clusters,
 * what TinyUF2 and the Adafruit bootloaders use). 4 KB clusters keep the FAT
 * small (a whole-app UF2 spans 4 FAT sectors, so the overlay can keep every
 * FAT sector the host writes) and equal one flash page; 8179 clusters is well
 * inside FAT16's range (4085..65524) and far from its edges, so Linux, macOS
 * and Windows all agree it is FAT16.
 */
#ifndef DB_VFAT_H
#define DB_VFAT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "status.h"
#include "update.h"

#define VFAT_SECTOR_COUNT 65536u     /* 32 MB volume, see above */
#define VFAT_SECTORS_PER_CLUSTER 8u  /* 4 KB clusters */
#define VFAT_RESERVED_SECTORS 1u     /* just the boot sector */
#define VFAT_FAT_COUNT 2u            /* what every FAT driver expects */
#define VFAT_FAT_SECTORS 32u         /* 8192 16-bit entries >= 8179 clusters + 2 */
#define VFAT_ROOT_ENTRIES 512u       /* FAT16 custom; room for OS metadata entries */
#define VFAT_ROOT_SECTORS (VFAT_ROOT_ENTRIES * 32u / DB_SECTOR_SIZE)
#define VFAT_FAT1_LBA VFAT_RESERVED_SECTORS
#define VFAT_FAT2_LBA (VFAT_FAT1_LBA + VFAT_FAT_SECTORS)
#define VFAT_ROOT_LBA (VFAT_FAT1_LBA + VFAT_FAT_COUNT * VFAT_FAT_SECTORS)
#define VFAT_DATA_LBA (VFAT_ROOT_LBA + VFAT_ROOT_SECTORS)
#define VFAT_CLUSTER_BYTES (VFAT_SECTORS_PER_CLUSTER * DB_SECTOR_SIZE)
#define VFAT_CLUSTER_COUNT ((VFAT_SECTOR_COUNT - VFAT_DATA_LBA) / VFAT_SECTORS_PER_CLUSTER)

/* Written metadata kept for read-back: FAT sectors (both copies share one
 * slot, the host writes them identically), root and subdirectory sectors,
 * the boot sector, and small non-firmware files (macOS ._ files) while room
 * is left. A whole-app copy needs ~4 FAT + 1-2 root sectors; macOS adds
 * .fseventsd, .Trashes, .Spotlight-V100 and ._ files (a few sectors each).
 * Sized by core/config.h DB_OVERLAY_SECTORS. When full, plain data goes
 * first, then the oldest metadata; a dropped sector reads as synthesized
 * again (docs/size.md: what the host sees then). */
#define VFAT_OVERLAY_SECTORS DB_OVERLAY_SECTORS
/* Subdirectories whose clusters hold directory entries (macOS and Windows
 * make a few; a user may copy into a folder). */
#define VFAT_SUBDIRS_MAX 8u
/* Clusters followed per subdirectory: 16 x 4 KB = 2048 entries. */
#define VFAT_SUBDIR_CLUSTERS_MAX 16u
/* STATUS.TXT has this fixed size (its text padded with spaces and a final
 * CRLF): a host that caches the directory entry still reads all of it after
 * the text changed. */
#define VFAT_STATUS_FILE_BYTES DB_SECTOR_SIZE

enum vfat_kind { VFAT_FREE = 0, VFAT_META, VFAT_DATA };

struct vfat_slot {
    uint32_t lba;   /* FAT2 sectors are kept under their FAT1 LBA */
    uint32_t stamp; /* write order, for eviction */
    uint8_t kind;   /* enum vfat_kind */
    uint8_t data[DB_SECTOR_SIZE];
};

/* Where things are on the volume: ours as synthesized, or the host's after
 * it reformatted the drive as FAT16 with another layout (the host's BPB is
 * followed so it reads back what it wrote). */
struct vfat_geom {
    uint32_t fat_lba;      /* first FAT */
    uint32_t fat_sectors;  /* per FAT */
    uint32_t fat_count;
    uint32_t root_lba;
    uint32_t root_sectors;
    uint32_t data_lba;
    uint32_t spc;          /* sectors per cluster */
    uint32_t clusters;
    uint32_t sectors;      /* on the volume */
};

struct vfat {
    struct update *update;
    struct vfat_geom g;
    bool reformatted;       /* the host formatted the drive: nothing of ours is synthesized any more */
    uint32_t serial;        /* volume ID, from the board serial */
    uint32_t current_size;  /* app bytes behind CURRENT.UF2, 0: no file */
    uint32_t current_phys;  /* where the active image lies in flash */
    uint32_t stamp;
    struct vfat_slot slot[VFAT_OVERLAY_SECTORS];
    uint32_t subdir_count;
    uint16_t subdir[VFAT_SUBDIRS_MAX]; /* first clusters */
    /* Their chains' clusters (up to VFAT_SUBDIR_CLUSTERS_MAX each), listed
       once per learn() so that telling a directory sector from data, on
       every sector written, does not follow the chains through the FAT. */
    uint32_t dir_cluster_count;
    uint16_t dir_cluster[VFAT_SUBDIRS_MAX * VFAT_SUBDIR_CLUSTERS_MAX];
};

/* Build the volume for this session: reads the boot record (CURRENT.UF2's
 * size) and the board strings; the layout stays fixed until the next init. */
void vfat_init(struct vfat *v, struct update *u);

uint32_t vfat_sector_count(void);
void vfat_read(struct vfat *v, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE]);
void vfat_write(struct vfat *v, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE]);

/* STATUS.TXT as the host would read it now; returns its length (< n). */
uint32_t vfat_status_text(const struct vfat *v, char *out, uint32_t n);

/* Is this LBA FAT, directory or boot sector (for tools that order writes)? */
bool vfat_is_metadata_lba(uint32_t lba);

#endif
