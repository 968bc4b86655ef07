/*
 * The update engine: what the host writes into the drive's data area becomes
 * firmware here, or a clear refusal.
 *
 * Formats are recognised by content, never by name. Each is a stream (a row
 * of the table in update.c: detect, open, write, complete) feeding one flash
 * sink (core/writer, which keeps the erase rule):
 * - UF2: self-describing blocks, any order, repeats (which must be identical);
 *   complete when every block number of one numBlocks arrived once.
 * - Intel HEX: text decoded in file order; sectors map to file offsets through
 *   the file's cluster chain, or by assuming the file runs on contiguously
 *   from its first sector while the directory is not written yet (Linux and
 *   macOS write data first). Complete at the end record.
 * - BIN: raw image for DB_APP_BASE, first sector a startable vector table;
 *   complete when every sector of the size the directory gives arrived.
 * Not firmware, said so in STATUS.TXT: ZIP archives, ELF files, other files.
 *
 * When it erases: see writer.h (only after a startable vector table; streams
 * hold data in the pending buffer until then). When it commits: see
 * commit_rule() in update.c (format complete, vector table, the host's
 * metadata agrees, a BIN's size has settled). When it resets: update_tick().
 *
 * The drive (core/vfat) tells this module about the files it learns from the
 * directories and FAT, as LBA extents; this module never sees clusters, but
 * it keeps maps by groups of UPDATE_GROUP_SECTORS sectors counted from the
 * data area's start (one cluster of the drive as it is synthesized). Time comes in through update_tick().
 * Everything is bounded and static; the caller owns the struct.
 */
#ifndef DB_UPDATE_H
#define DB_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ihex.h"
#include "status.h"
#include "writer.h"

/* A file of the host is described by at most this many runs of consecutive
 * sectors; a fresh volume hands out free clusters in one run, so a firmware
 * file split into more pieces than this is refused (DB_ERR_ORDER). */
#define UPDATE_EXTENTS_MAX 8u
/* Sectors held while they cannot be used yet: data that came before the first
 * sector of its file, HEX text ahead of the sector the decoder needs next,
 * and a stream's data until its vector table is known (the erase rule).
 * Sized by core/config.h DB_PENDING_SECTORS; a host order that needs more is
 * refused (DB_ERR_ORDER), before anything is erased when the table is not
 * known yet. */
#define UPDATE_PENDING_SECTORS DB_PENDING_SECTORS
/* Maps by groups of sectors (4 KB, the drive's cluster and a flash page) over
 * a volume of up to 32 MB: 1 KB each. */
#define UPDATE_GROUP_SECTORS 8u
#define UPDATE_VOLUME_SECTORS_MAX 65536u
#define UPDATE_GROUP_MAP_BYTES (UPDATE_VOLUME_SECTORS_MAX / UPDATE_GROUP_SECTORS / 8u)
/* UF2: one bit per block number; a whole-app file with 256-byte payloads has
 * DB_APP_SIZE / 256 blocks, the margin allows for a few shorter blocks. */
#define UPDATE_UF2_BLOCKS_MAX (DB_APP_SIZE / 256u + 64u)
/* BIN: one bit per sector of the image. */
#define UPDATE_BIN_SECTORS_MAX (DB_APP_SIZE / DB_SECTOR_SIZE)
/* A BIN's directory entry may still grow (a host that syncs as it writes
 * updates the size after every piece): its size counts once the host wrote
 * nothing for this long, or ejected. Hosts write a file's pieces back to back. */
#define UPDATE_BIN_SETTLE_MS 500u
/* Host idle this long after a finished attempt whose file the host has
 * described: reset. About a second: Finder and fseventsd are done with their
 * metadata writes well within it. */
#define UPDATE_IDLE_RESET_MS 1000u
/* Hosts poll a removable drive (TEST UNIT READY every second or two), so
 * "no command at all" may never come: this long without a sector write after
 * a finished attempt is enough too. */
#define UPDATE_WRITE_IDLE_RESET_MS 3000u
/* The host may hold directory and FAT writes back: macOS 14+ for up to about
 * 25 s, Linux until its 30 s dirty expiry. A stream that came with no
 * directory entry (a UF2 or HEX written to the raw device, or metadata not
 * written yet) commits, and the device resets, only after this long without
 * a write, or at an eject. */
#define UPDATE_META_WAIT_MS 30000u
/* A firmware stream that gets no sector for this long has stopped for good
 * (cable pulled, copy cancelled): it ends as DB_ERR_TIMEOUT, so the device
 * comes back with a STATUS.TXT that says so instead of "receiving" forever. */
#define UPDATE_STALL_MS 60000u
#if UPDATE_STALL_MS <= UPDATE_META_WAIT_MS || UPDATE_META_WAIT_MS <= UPDATE_WRITE_IDLE_RESET_MS
#error "one write-idle counter serves every limit: stall > metadata wait > write-idle reset"
#endif
#define UPDATE_NAME_LEN 13u /* "NAME.EXT" plus NUL */

#define UPDATE_REPORT_MAGIC 0x44425354u /* "DBST": the report below is valid */
#define UPDATE_STAY_MAGIC 0x53544159u   /* "STAY": come back as the drive after the reset */

/* A run of consecutive sectors of a host file. */
struct update_extent {
    uint32_t lba;
    uint32_t count;
};

/* A host file as the drive learned it from a directory and the FAT. */
struct update_file {
    char name[UPDATE_NAME_LEN]; /* 8.3 as "NAME.EXT" */
    uint32_t size;              /* bytes, from the directory entry */
    bool user_file;             /* not hidden, not system, not OS metadata: worth a "not firmware" status */
    bool chain_complete;        /* extents cover size (the FAT for it has been written) */
    bool fragmented;            /* more runs than UPDATE_EXTENTS_MAX: cannot be mapped */
    uint8_t extent_count;       /* at least 1 when size > 0 */
    struct update_extent ext[UPDATE_EXTENTS_MAX];
};

/* Index of lba among the file's sectors (its extents in order), or
 * UPDATE_NO_SECTOR: the one "which file owns this LBA" helper. */
#define UPDATE_NO_SECTOR 0xFFFFFFFFu
uint32_t update_file_sector(const struct update_file *f, uint32_t lba);

/*
 * The result of the last finished attempt. The port keeps it in RAM that
 * survives a reset (not zeroed at a warm start), so that after a refusal the
 * bootloader comes back as the drive (stay) and STATUS.TXT says why.
 */
struct update_report {
    uint32_t magic;  /* UPDATE_REPORT_MAGIC when valid */
    uint32_t stay;   /* UPDATE_STAY_MAGIC: boot decision "after update", stay */
    uint32_t status; /* enum db_status */
    uint32_t format; /* enum bootrec_format, 0 if none */
    char file[UPDATE_NAME_LEN];
};

enum update_state {
    UPDATE_IDLE,      /* no firmware stream has started */
    UPDATE_RECEIVING, /* a stream is open */
    UPDATE_FINISHED,  /* committed or refused; waiting for the host to go idle */
};

struct update_pending {
    uint32_t lba;
    uint32_t stamp;   /* arrival order, oldest dropped first */
    bool used;
    bool held;        /* the stream's data kept until its vector table is known: never dropped */
    uint8_t data[DB_SECTOR_SIZE];
};

struct update_stream;

struct update {
    struct writer writer;
    struct update_report *report; /* the port's retained copy */
    const struct update_stream *stream; /* the open stream's row, NULL when idle */
    enum update_state state;
    enum db_status status;        /* what STATUS.TXT says now */
    uint32_t format;              /* enum bootrec_format of the stream */
    bool reset_wanted;
    bool ejected;
    uint32_t idle_ms;             /* since the last command of any kind */
    uint32_t write_idle_ms;       /* since the last sector write, capped at UPDATE_STALL_MS */
    char file[UPDATE_NAME_LEN];   /* name of the firmware file, once known */

    /* The stream's place on the drive. */
    uint32_t start_lba;           /* the sector that opened it */
    bool file_known;              /* host_file is the directory's word on the stream's file */
    struct update_file host_file;
    uint32_t assumed_max;         /* highest sector index mapped by the contiguity assumption */
    bool foreign_used;            /* a sector the stream used belongs to another file (UF2) */

    /* The image's vector table as it arrives (the erase rule). */
    uint8_t vectors[8];
    uint8_t vectors_have;         /* bit per byte */

    union {
        struct {
            uint32_t num_blocks;  /* 0 until the first block of our family */
            uint32_t seen;        /* distinct block numbers */
            uint32_t other;       /* blocks of the file skipped (other family, not main flash) */
            uint32_t foreign;     /* of those, other families' */
        } uf2;
        struct {
            struct ihex dec;
            uint32_t next;        /* sector index the decoder needs next */
            bool ended;
        } hex;
        struct {
            uint32_t count;       /* distinct sectors received */
        } bin;
    } f;

    /* received blocks (UF2) or sectors (BIN) */
    uint8_t seen[(UPDATE_UF2_BLOCKS_MAX + 7u) / 8u];
    uint32_t group_base;                            /* first sector of the data area: groups start there */
    uint8_t used_groups[UPDATE_GROUP_MAP_BYTES];    /* groups that carried the stream's data */
    uint8_t junk_groups[UPDATE_GROUP_MAP_BYTES];    /* groups with a sector of this attach that was not firmware */
    uint8_t container_groups[UPDATE_GROUP_MAP_BYTES]; /* written runs that began with an ELF, ZIP or tar file */
    uint8_t file_end_groups[UPDATE_GROUP_MAP_BYTES];  /* last groups of the files the directories describe */
    uint8_t dropped_groups[UPDATE_GROUP_MAP_BYTES]; /* groups that lost a sector from the pending buffer */
    bool dropped;

    /* The first sector of a file recognised as not firmware (ZIP, ELF, an
     * image for the bootloader's place), named once its entry arrives. */
    uint32_t reject_lba;
    enum db_status reject_status;

    struct update_pending pending[UPDATE_PENDING_SECTORS];
    uint32_t stamp;
};

/* Start a session. report: the port's retained result of the last attempt
 * (shown in STATUS.TXT until something new happens). */
void update_init(struct update *u, struct update_report *report);

/*
 * A sector of the data area was written. cluster_start: lba is the first
 * sector of a cluster (only there can a file begin). file: the host file
 * whose first sector lba is, when a directory says so, else NULL. True when
 * the sector was taken as firmware (the drive need not keep it).
 */
bool update_data(struct update *u, uint32_t lba, const uint8_t sector[DB_SECTOR_SIZE], bool cluster_start,
                 const struct update_file *file);

/* The drive (re)learned a host file from a directory and the FAT. */
void update_file(struct update *u, const struct update_file *file);

/* Time passes; host_active: a command arrived since the last tick. True when
 * the device should reset now (see update.c for when that is). */
bool update_tick(struct update *u, uint32_t elapsed_ms, bool host_active);

/* The host wrote a sector, any sector (the drive calls this for every write). */
void update_note_write(struct update *u);

/* The host ejected the drive (SCSI START STOP UNIT, LoEj). */
void update_eject(struct update *u);

/* Where the drive's data area starts (the groups of the maps start there). */
void update_volume(struct update *u, uint32_t data_lba);

/* The host wrote a boot sector with a layout the drive can't follow. */
void update_refuse_volume(struct update *u);

enum db_status update_status(const struct update *u);
enum update_state update_state(const struct update *u);
/* Name of the firmware file and its format (enum bootrec_format, 0 if none). */
const char *update_file_name(const struct update *u);
uint32_t update_format(const struct update *u);

#endif
