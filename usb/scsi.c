/*
 * SCSI block commands (SBC/SPC subset) for one removable direct-access unit.
 *
 * Small replies (INQUIRY, sense, capacities, mode pages) are built whole into
 * the transport's sector buffer; READ(10)/WRITE(10) move one sector per
 * piece. Every field offset below is from SPC-4 / SBC-3 (and the UFI spec for
 * READ FORMAT CAPACITIES). The allocation length of a command cuts its reply,
 * as SPC requires; the transport deals with what the host asked for.
 */
#include <string.h>

#include "byteorder.h"
#include "scsi.h"

enum scsi_op {
    OP_TEST_UNIT_READY = 0x00,
    OP_REQUEST_SENSE = 0x03,
    OP_INQUIRY = 0x12,
    OP_MODE_SENSE6 = 0x1A,
    OP_START_STOP_UNIT = 0x1B,
    OP_PREVENT_ALLOW = 0x1E,
    OP_READ_FORMAT_CAPACITIES = 0x23,
    OP_READ_CAPACITY10 = 0x25,
    OP_READ10 = 0x28,
    OP_WRITE10 = 0x2A,
    OP_VERIFY10 = 0x2F,
    OP_SYNC_CACHE10 = 0x35,
    OP_MODE_SENSE10 = 0x5A,
};

#define INQUIRY_LEN 36u          /* standard INQUIRY data, additional length 31 */
#define INQUIRY_VENDOR_LEN 8u
#define INQUIRY_PRODUCT_LEN 16u
#define INQUIRY_REV_LEN 4u
#define READ_CAPACITY_LEN 8u     /* last LBA + block length */
#define FORMAT_CAPACITIES_LEN 12u /* list header + one current capacity descriptor */
#define MODE6_HEADER_LEN 4u
#define MODE10_HEADER_LEN 8u
#define CACHING_PAGE 0x08u
#define CACHING_PAGE_LEN 20u     /* page code, page length 0x12, 18 bytes of fields */
#define ALL_PAGES 0x3Fu
#define MODE_PC_CHANGEABLE 1u    /* page control: report which fields may change (none) */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static void set_sense(struct scsi *s, uint8_t key, uint8_t asc)
{
    s->sense_key = key;
    s->asc = asc;
    s->ascq = 0;
}

/* The command fails: no data, CHECK CONDITION, the sense says why. */
static enum scsi_dir fail(struct scsi *s, uint8_t key, uint8_t asc)
{
    set_sense(s, key, asc);
    s->status = SCSI_CHECK_CONDITION;
    s->dir = SCSI_DIR_NONE;
    s->length = 0;
    return SCSI_DIR_NONE;
}

static enum scsi_dir reply(struct scsi *s, enum scsi_dir dir, uint32_t length)
{
    s->dir = (length == 0u) ? SCSI_DIR_NONE : dir;
    s->length = length;
    return s->dir;
}

void scsi_init(struct scsi *s, const struct board_info *info, const struct scsi_ops *ops, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->ops = ops;
    s->ctx = ctx;
    s->board = info;
    s->unit_attention = true;
}

void scsi_media_changed(struct scsi *s)
{
    s->unit_attention = true;
    s->ejected = false;
}

/* READ/WRITE/VERIFY address check: the whole range must lie on the medium. */
static bool range_ok(struct scsi *s, uint32_t lba, uint32_t count)
{
    uint64_t end = (uint64_t)lba + count;
    return end <= s->ops->sector_count(s->ctx);
}

static enum scsi_dir begin_rw(struct scsi *s, enum scsi_dir dir)
{
    uint32_t lba = be_get32(&s->cdb[2]);
    uint32_t count = be_get16(&s->cdb[7]);
    if (!range_ok(s, lba, count))
        return fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
    s->lba = lba;
    return reply(s, dir, count * DB_SECTOR_SIZE);
}

static bool mode_page_known(uint8_t page)
{
    return page == ALL_PAGES || page == CACHING_PAGE;
}

static enum scsi_dir begin_mode_sense(struct scsi *s, uint32_t header_len, uint32_t alloc)
{
    if (!mode_page_known(s->cdb[2] & 0x3Fu))
        return fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
    return reply(s, SCSI_DIR_IN, min_u32(alloc, header_len + CACHING_PAGE_LEN));
}

static enum scsi_dir begin_start_stop(struct scsi *s)
{
    uint8_t power_condition = s->cdb[4] >> 4;
    bool load_eject = (s->cdb[4] & 0x02u) != 0u;
    bool start = (s->cdb[4] & 0x01u) != 0u;
    /* A power condition change is accepted and ignored: we have one power state. */
    if (power_condition != 0u || !load_eject)
        return reply(s, SCSI_DIR_NONE, 0);
    if (start) {
        s->ejected = false;
    } else {
        s->ejected = true;
        s->ops->eject(s->ctx);
    }
    return reply(s, SCSI_DIR_NONE, 0);
}

enum scsi_dir scsi_begin(struct scsi *s, const uint8_t *cdb, uint8_t cdb_len, uint32_t *length)
{
    memset(s->cdb, 0, sizeof s->cdb);
    memcpy(s->cdb, cdb, min_u32(cdb_len, SCSI_CDB_MAX));
    s->status = SCSI_GOOD;
    s->done = 0;
    s->dir = SCSI_DIR_NONE;
    s->length = 0;
    s->ops->activity(s->ctx);

    enum scsi_dir dir = SCSI_DIR_NONE;
    uint8_t op = s->cdb[0];
    if (op == OP_REQUEST_SENSE) {
        /* REQUEST SENSE reports a pending unit attention and clears it (SPC 5.12). */
        if (s->unit_attention) {
            s->unit_attention = false;
            set_sense(s, SCSI_SK_UNIT_ATTENTION, SCSI_ASC_MEDIUM_CHANGED);
        }
        dir = reply(s, SCSI_DIR_IN, min_u32(s->cdb[4], SCSI_SENSE_LEN));
        *length = s->length;
        return dir;
    }
    set_sense(s, SCSI_SK_NO_SENSE, 0);
    if (s->unit_attention && op != OP_INQUIRY) {
        s->unit_attention = false;
        dir = fail(s, SCSI_SK_UNIT_ATTENTION, SCSI_ASC_MEDIUM_CHANGED);
        *length = 0;
        return dir;
    }
    bool media_op = op == OP_TEST_UNIT_READY || op == OP_READ_CAPACITY10 || op == OP_READ_FORMAT_CAPACITIES ||
                    op == OP_READ10 || op == OP_WRITE10 || op == OP_VERIFY10 || op == OP_SYNC_CACHE10;
    if (media_op && s->ejected) {
        dir = fail(s, SCSI_SK_NOT_READY, SCSI_ASC_MEDIUM_NOT_PRESENT);
        *length = 0;
        return dir;
    }

    switch (op) {
    case OP_TEST_UNIT_READY:
    case OP_SYNC_CACHE10: /* every write goes straight to the medium: nothing cached */
        dir = reply(s, SCSI_DIR_NONE, 0);
        break;
    case OP_INQUIRY:
        /* Only standard data: no vital product data pages, no CmdDt. */
        if ((s->cdb[1] & 0x03u) != 0u || s->cdb[2] != 0u)
            dir = fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
        else
            dir = reply(s, SCSI_DIR_IN, min_u32(be_get16(&s->cdb[3]), INQUIRY_LEN));
        break;
    case OP_MODE_SENSE6:
        dir = begin_mode_sense(s, MODE6_HEADER_LEN, s->cdb[4]);
        break;
    case OP_MODE_SENSE10:
        dir = begin_mode_sense(s, MODE10_HEADER_LEN, be_get16(&s->cdb[7]));
        break;
    case OP_START_STOP_UNIT:
        dir = begin_start_stop(s);
        break;
    case OP_PREVENT_ALLOW:
        s->prevent = (s->cdb[4] & 0x03u) != 0u;
        dir = reply(s, SCSI_DIR_NONE, 0);
        break;
    case OP_READ_FORMAT_CAPACITIES:
        dir = reply(s, SCSI_DIR_IN, min_u32(be_get16(&s->cdb[7]), FORMAT_CAPACITIES_LEN));
        break;
    case OP_READ_CAPACITY10:
        dir = reply(s, SCSI_DIR_IN, READ_CAPACITY_LEN);
        break;
    case OP_READ10:
        dir = begin_rw(s, SCSI_DIR_IN);
        break;
    case OP_WRITE10:
        dir = begin_rw(s, SCSI_DIR_OUT);
        break;
    case OP_VERIFY10:
        /* BYTCHK (compare against data from the host) is not offered. */
        if ((s->cdb[1] & 0x06u) != 0u)
            dir = fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
        else if (!range_ok(s, be_get32(&s->cdb[2]), be_get16(&s->cdb[7])))
            dir = fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
        else
            dir = reply(s, SCSI_DIR_NONE, 0);
        break;
    default:
        dir = fail(s, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
        break;
    }
    *length = s->length;
    return dir;
}

/* Copy a string into a space-padded fixed-width INQUIRY field. */
static void put_padded(uint8_t *dst, const char *src, uint32_t width)
{
    memset(dst, ' ', width);
    for (uint32_t i = 0; i < width && src != NULL && src[i] != '\0'; i++)
        dst[i] = (uint8_t)src[i];
}

static void build_inquiry(const struct scsi *s, uint8_t *buf)
{
    memset(buf, 0, INQUIRY_LEN);
    buf[0] = 0x00; /* connected direct-access block device */
    buf[1] = 0x80; /* RMB: removable medium */
    buf[2] = 0x02; /* version: SCSI-2, as USB flash drives claim; keeps hosts from probing SPC-3 pages */
    buf[3] = 0x02; /* response data format 2 */
    buf[4] = INQUIRY_LEN - 5u;
    put_padded(&buf[8], s->board->scsi_vendor, INQUIRY_VENDOR_LEN);
    put_padded(&buf[16], s->board->scsi_product, INQUIRY_PRODUCT_LEN);
    put_padded(&buf[32], DB_VERSION, INQUIRY_REV_LEN);
    if (buf[32 + INQUIRY_REV_LEN - 1u] == '.')
        buf[32 + INQUIRY_REV_LEN - 1u] = ' '; /* "0.1.0" reads "0.1 ", not "0.1." */
}

static uint32_t build_mode_sense(const struct scsi *s, uint8_t *buf, bool ten)
{
    uint32_t header = ten ? MODE10_HEADER_LEN : MODE6_HEADER_LEN;
    uint32_t total = header + CACHING_PAGE_LEN;
    memset(buf, 0, total);
    /* Mode data length counts the bytes after itself; device-specific byte 0: not write protected. */
    if (ten)
        buf[1] = (uint8_t)(total - 2u);
    else
        buf[0] = (uint8_t)(total - 1u);
    uint8_t *page = &buf[header];
    page[0] = CACHING_PAGE;
    page[1] = CACHING_PAGE_LEN - 2u;
    /* WCE = 0, RCD = 0: no write cache; changeable values are all zero too. */
    (void)s;
    return total;
}

static uint32_t build_reply(struct scsi *s, uint8_t *buf)
{
    uint32_t count = s->ops->sector_count(s->ctx);
    switch (s->cdb[0]) {
    case OP_REQUEST_SENSE:
        memset(buf, 0, SCSI_SENSE_LEN);
        buf[0] = 0x70; /* current error, fixed format */
        buf[2] = s->sense_key;
        buf[7] = SCSI_SENSE_LEN - 8u;
        buf[12] = s->asc;
        buf[13] = s->ascq;
        set_sense(s, SCSI_SK_NO_SENSE, 0);
        return SCSI_SENSE_LEN;
    case OP_INQUIRY:
        build_inquiry(s, buf);
        return INQUIRY_LEN;
    case OP_MODE_SENSE6:
        return build_mode_sense(s, buf, false);
    case OP_MODE_SENSE10:
        return build_mode_sense(s, buf, true);
    case OP_READ_FORMAT_CAPACITIES:
        memset(buf, 0, FORMAT_CAPACITIES_LEN);
        buf[3] = 8;                       /* capacity list length: one descriptor */
        be_put32(&buf[4], count);         /* number of blocks */
        buf[8] = 0x02;                    /* descriptor type: formatted media */
        buf[9] = (uint8_t)(DB_SECTOR_SIZE >> 16);
        buf[10] = (uint8_t)(DB_SECTOR_SIZE >> 8);
        buf[11] = (uint8_t)DB_SECTOR_SIZE;
        return FORMAT_CAPACITIES_LEN;
    case OP_READ_CAPACITY10:
        be_put32(&buf[0], count - 1u);    /* last logical block address */
        be_put32(&buf[4], DB_SECTOR_SIZE);
        return READ_CAPACITY_LEN;
    default:
        return 0;
    }
}

uint32_t scsi_in(struct scsi *s, uint8_t buf[DB_SECTOR_SIZE])
{
    if (s->dir != SCSI_DIR_IN || s->done >= s->length || s->status != SCSI_GOOD)
        return 0;
    if (s->cdb[0] == OP_READ10) {
        if (s->ops->read(s->ctx, s->lba, buf) != DB_OK) {
            fail(s, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ);
            return 0;
        }
        s->lba++;
        s->done += DB_SECTOR_SIZE;
        return DB_SECTOR_SIZE;
    }
    /* A small reply goes in one piece, cut to the allocation length. */
    (void)build_reply(s, buf);
    s->done = s->length;
    return s->length;
}

void scsi_out(struct scsi *s, const uint8_t *buf, uint32_t len)
{
    if (s->dir != SCSI_DIR_OUT || s->done >= s->length)
        return;
    s->done += len;
    /* A partial sector (the host sent less than it announced) is not written. */
    if (len != DB_SECTOR_SIZE || s->status != SCSI_GOOD)
        return;
    if (s->ops->write(s->ctx, s->lba, buf) != DB_OK) {
        set_sense(s, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
        s->status = SCSI_CHECK_CONDITION;
    }
    s->lba++;
}

uint8_t scsi_end(struct scsi *s)
{
    return s->status;
}
