/*
 * SCSI block commands for one direct-access, removable logical unit.
 *
 * The transport (usb/msc.c) hands over a command block; scsi_begin says which
 * way data flows and how much the device intends to move; the transport then
 * pulls the IN data piece by piece (scsi_in) or pushes the OUT data piece by
 * piece (scsi_out), each piece at most one sector, and finally asks for the
 * status (scsi_end). Sense data follows SPC fixed format. The medium is
 * reached through struct scsi_ops, which the caller registers; this module
 * knows nothing of what the sectors hold.
 */
#ifndef DB_SCSI_H
#define DB_SCSI_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "config.h"
#include "status.h"

#define SCSI_CDB_MAX 16u /* longest command block a CBW carries (BOT 5.1) */

/* The block device behind the logical unit. */
struct scsi_ops {
    uint32_t (*sector_count)(void *ctx);
    /* DB_OK, or anything else: the host gets MEDIUM ERROR sense. */
    enum db_status (*read)(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE]);
    enum db_status (*write)(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE]);
    /* START STOP UNIT with LoEj=1, Start=0: the user ejected the drive. */
    void (*eject)(void *ctx);
    /* A command arrived: the host is active (the caller's idle timer restarts). */
    void (*activity)(void *ctx);
};

enum scsi_dir { SCSI_DIR_NONE, SCSI_DIR_IN, SCSI_DIR_OUT };

enum scsi_status { SCSI_GOOD = 0x00, SCSI_CHECK_CONDITION = 0x02 };

/* Sense keys and additional sense codes this device reports (SPC-4 tables). */
enum scsi_sense_key {
    SCSI_SK_NO_SENSE = 0x0,
    SCSI_SK_NOT_READY = 0x2,
    SCSI_SK_MEDIUM_ERROR = 0x3,
    SCSI_SK_ILLEGAL_REQUEST = 0x5,
    SCSI_SK_UNIT_ATTENTION = 0x6,
};
#define SCSI_ASC_WRITE_ERROR 0x0Cu
#define SCSI_ASC_UNRECOVERED_READ 0x11u
#define SCSI_ASC_INVALID_OPCODE 0x20u
#define SCSI_ASC_LBA_OUT_OF_RANGE 0x21u
#define SCSI_ASC_INVALID_FIELD_IN_CDB 0x24u
#define SCSI_ASC_MEDIUM_CHANGED 0x28u
#define SCSI_ASC_MEDIUM_NOT_PRESENT 0x3Au

#define SCSI_SENSE_LEN 18u /* fixed-format sense data, additional length 10 */

struct scsi {
    const struct scsi_ops *ops;
    void *ctx;
    const struct board_info *board;
    /* Sense of the last failed command; REQUEST SENSE reports and clears it. */
    uint8_t sense_key, asc, ascq;
    bool unit_attention; /* report MEDIUM MAY HAVE CHANGED once */
    bool ejected;        /* after an eject, media commands report NOT READY */
    bool prevent;        /* PREVENT ALLOW MEDIUM REMOVAL state, reported only */
    /* The command under way. */
    uint8_t cdb[SCSI_CDB_MAX];
    enum scsi_dir dir;
    uint32_t length;     /* bytes the device intends to move */
    uint32_t done;       /* bytes moved so far */
    uint32_t lba;        /* next sector of READ/WRITE */
    uint8_t status;
};

/* The medium is the caller's; info gives INQUIRY vendor/product. A fresh
   unit reports a unit attention (the host may have seen another medium). */
void scsi_init(struct scsi *s, const struct board_info *info, const struct scsi_ops *ops, void *ctx);
/* The medium changed under the host: the next command reports UNIT ATTENTION. */
void scsi_media_changed(struct scsi *s);

/* Start a command; returns the device's data direction and fills *length with
   the bytes it intends to move (0 for none). A refused command returns
   SCSI_DIR_NONE and CHECK CONDITION from scsi_end. */
enum scsi_dir scsi_begin(struct scsi *s, const uint8_t *cdb, uint8_t cdb_len, uint32_t *length);
/* Next piece of IN data into buf (at most DB_SECTOR_SIZE bytes); returns its
   length, 0 when the command failed on the way (status says why). */
uint32_t scsi_in(struct scsi *s, uint8_t buf[DB_SECTOR_SIZE]);
/* Next piece of OUT data (len <= DB_SECTOR_SIZE; a partial sector is dropped). */
void scsi_out(struct scsi *s, const uint8_t *buf, uint32_t len);
/* The command's status, SCSI_GOOD or SCSI_CHECK_CONDITION. */
uint8_t scsi_end(struct scsi *s);

#endif
