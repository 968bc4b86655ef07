/*
 * The update engine: what the host writes into the drive's data area becomes
 * firmware here, or a clear refusal.
 *
 * Formats are recognised by content, never by name. Each is a stream with the
 * same steps (detect, open, write, close) feeding one flash sink (core/writer):
 * - UF2: self-describing blocks, any order, repeats; complete when every block
 *   of our family arrived (bitmap by block number).
 * - Intel HEX: text that must be decoded in file order; sectors map to file
 *   offsets through the file's cluster chain (when the directory and FAT are
 *   known) or by assuming the file is contiguous from its first sector (when
 *   the data comes first, as Linux writes); out-of-order sectors wait in a
 *   bounded buffer. Complete at the end record.
 * - BIN: raw image for DB_APP_BASE, first sector a plausible vector table;
 *   complete when the directory gives the length and every sector arrived.
 * The drive (core/vfat) tells this module about files it learns from the
 * directory and FAT, as LBA extents; this module never sees clusters.
 *
 * Time comes in through update_tick(); after a finished attempt the engine
 * asks for a reset once the host has been idle or ejected the drive, never in
 * the middle of the host's metadata writes (macOS Finder writes ._ files after
 * the data). Everything is bounded and static; the caller owns the struct.
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
 * sector of its file, or HEX text ahead of the sector the decoder needs next.
 * 32 sectors = 16 KB: covers reordering inside one 16 KB host request and
 * small whole files written backwards; beyond it a refusal (DB_ERR_ORDER). */
#define UPDATE_PENDING_SECTORS 32u
/* Sectors that fall out of the pending buffer are remembered, one bit per
 * group of 8 sectors (4 KB, the drive's cluster size), over a volume of up to 32 MB:
 * 1 KB. A stream whose file lost a sector this way is refused before it
 * erases anything, and a stream whose file did not is not disturbed. */
#define UPDATE_DROP_GROUP_SECTORS 8u
#define UPDATE_VOLUME_SECTORS_MAX 65536u
#define UPDATE_DROP_MAP_BYTES (UPDATE_VOLUME_SECTORS_MAX / UPDATE_DROP_GROUP_SECTORS / 8u)
/* UF2: one bit per block number; a whole-app file with 256-byte payloads has
 * DB_APP_SIZE / 256 blocks, the margin allows for a few shorter blocks. */
#define UPDATE_UF2_BLOCKS_MAX (DB_APP_SIZE / 256u + 64u)
/* BIN: one bit per sector of the image. */
#define UPDATE_BIN_SECTORS_MAX (DB_APP_SIZE / DB_SECTOR_SIZE)
/* Host idle this long after a finished attempt: reset (about a second: Finder
 * and fseventsd are done with their metadata writes well within it). */
#define UPDATE_IDLE_RESET_MS 1000u
/* Hosts poll a removable drive (TEST UNIT READY every second or two), so
 * "no command at all" may never come: this long without a sector write after
 * a finished attempt is enough too (Finder's ._ files follow the data within
 * a fraction of a second). */
#define UPDATE_WRITE_IDLE_RESET_MS 3000u
/* A firmware stream that gets no sector for this long has stopped for good
 * (cable pulled, copy cancelled): it ends as DB_ERR_TIMEOUT, so the device
 * comes back with a STATUS.TXT that says so instead of "receiving" forever.
 * Longer than Linux's 30 s dirty-page expiry plus its 5 s writeback period,
 * so data a host is merely holding back still arrives in time. */
#define UPDATE_STALL_MS 60000u
#if UPDATE_STALL_MS <= UPDATE_WRITE_IDLE_RESET_MS
#error "one write-idle counter serves both limits: the stall limit must be the longer"
#endif
#define UPDATE_NAME_LEN 13u /* "NAME.EXT" plus NUL */

#define UPDATE_REPORT_MAGIC 0x44425354u /* "DBST": the report below is valid */
#define UPDATE_STAY_MAGIC 0x53544159u   /* "STAY": come back as the drive after the reset */

/* A run of consecutive sectors of a host file. */
struct update_extent {
    uint32_t lba;
    uint32_t count;
};

/* A host file as the drive learned it from the root directory and the FAT. */
struct update_file {
    char name[UPDATE_NAME_LEN]; /* 8.3 as "NAME.EXT" */
    uint32_t size;              /* bytes, from the directory entry */
    bool user_file;             /* not hidden, not system, not OS metadata: worth a "not firmware" status */
    bool chain_complete;        /* extents cover size (the FAT for it has been written) */
    bool fragmented;            /* more runs than UPDATE_EXTENTS_MAX: cannot be mapped */
    uint8_t extent_count;       /* at least 1 when size > 0 */
    struct update_extent ext[UPDATE_EXTENTS_MAX];
};

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
    bool used;
    uint8_t data[DB_SECTOR_SIZE];
};

struct update {
    struct writer writer;
    struct update_report *report; /* the port's retained copy */
    enum update_state state;
    enum db_status status;        /* what STATUS.TXT says now */
    uint32_t format;              /* enum bootrec_format of the open stream */
    bool reset_wanted;
    bool ejected;
    uint32_t idle_ms;             /* since the last command of any kind */
    uint32_t write_idle_ms;       /* since the last sector write, capped at UPDATE_STALL_MS */
    char file[UPDATE_NAME_LEN];   /* name of the firmware file, once known */

    /* HEX and BIN: where the file starts and how its sectors map. */
    uint32_t start_lba;
    bool file_known;
    struct update_file host_file;
    uint32_t assumed_max;         /* highest sector index mapped by the contiguity assumption */

    /* UF2 */
    uint32_t uf2_num_blocks;      /* 0 until the first block of our family */
    uint32_t uf2_seen;
    uint32_t uf2_foreign;         /* blocks of other families skipped */
    /* BIN */
    uint32_t bin_count;           /* sectors received (bits set in seen) */
    uint32_t bin_tail_off;        /* sector index held in bin_tail, or UINT32_MAX */
    uint8_t bin_tail[DB_SECTOR_SIZE]; /* highest sector so far: its padding is cut once the length is known */
    /* HEX */
    struct ihex hex;
    uint32_t hex_next;            /* sector index the decoder needs next */
    bool hex_ended;

    /* received blocks (UF2) or sectors (BIN) */
    uint8_t seen[(UPDATE_UF2_BLOCKS_MAX + 7u) / 8u];

    struct update_pending pending[UPDATE_PENDING_SECTORS];
    uint32_t pending_stamp[UPDATE_PENDING_SECTORS]; /* arrival order, oldest dropped first */
    uint32_t stamp;
    bool dropped;                 /* held data was dropped for lack of room */
    uint8_t dropped_map[UPDATE_DROP_MAP_BYTES]; /* which groups lost a sector */
};

/* Start a session. report: the port's retained result of the last attempt
 * (shown in STATUS.TXT until something new happens). */
void update_init(struct update *u, struct update_report *report);

/* A sector of the data area was written. file: the host file this LBA belongs
 * to, when the directory and FAT say so, else NULL. True when the sector was
 * taken as firmware (the drive need not keep it). */
bool update_data(struct update *u, uint32_t lba, const uint8_t sector[DB_SECTOR_SIZE],
                 const struct update_file *file);

/* The drive (re)learned a host file from the directory and FAT. */
void update_file(struct update *u, const struct update_file *file);

/* Time passes; host_active: a command arrived since the last tick. True when
 * the device should reset now: after a finished attempt, once the host sent
 * no command for UPDATE_IDLE_RESET_MS, or wrote nothing for
 * UPDATE_WRITE_IDLE_RESET_MS, or ejected. */
bool update_tick(struct update *u, uint32_t elapsed_ms, bool host_active);

/* The host wrote a sector, any sector (the drive calls this for every write). */
void update_note_write(struct update *u);

/* The host ejected the drive (SCSI START STOP UNIT, LoEj). */
void update_eject(struct update *u);

enum db_status update_status(const struct update *u);
enum update_state update_state(const struct update *u);
/* Name of the firmware file and its format (enum bootrec_format, 0 if none). */
const char *update_file_name(const struct update *u);
uint32_t update_format(const struct update *u);

#endif
