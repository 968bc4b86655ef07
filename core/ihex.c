/*
 * Streaming Intel HEX decoder: one character at a time through a three-phase
 * state machine, so a record may be split across chunks at any point. Hex
 * digits are turned into bytes as they arrive; a record is checked and acted
 * on the moment its last checksum digit arrives (its length is known from the
 * byte count), so a file without a final line end still finishes.
 */
#include "ihex.h"

#include <stddef.h>

#define REC_COUNT 0u /* byte offsets inside a record */
#define REC_ADDR_HI 1u
#define REC_ADDR_LO 2u
#define REC_TYPE 3u
#define REC_DATA 4u
#define REC_OVERHEAD 5u      /* count, address (2), type, checksum */
#define HEADER_DIGITS 8u     /* count, address, type as hex digits */
#define SEGMENT_SIZE 0x10000u /* type 02 addressing: the 16-bit offset wraps inside the segment */

enum {
    TYPE_DATA = 0x00,
    TYPE_EOF = 0x01,
    TYPE_SEGMENT = 0x02, /* extended segment address: base = value << 4 */
    TYPE_START_SEG = 0x03,
    TYPE_LINEAR = 0x04, /* extended linear address: base = value << 16 */
    TYPE_START_LIN = 0x05,
};

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static bool is_line_end(uint8_t c)
{
    return c == '\r' || c == '\n';
}

static uint32_t be16(const uint8_t *p)
{
    return ((uint32_t)p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (be16(p) << 16) | be16(p + 2);
}

/* Hand a data record to the sink; it is split in two where its addresses wrap
   (end of a 64 KB segment in type 02 mode, end of the 32-bit space otherwise). */
static enum db_status emit_data(struct ihex *h, uint32_t offset, const uint8_t *data, uint32_t len)
{
    uint32_t addr = h->base + offset;
    uint64_t room = h->segmented ? (uint64_t)(SEGMENT_SIZE - offset) : (((uint64_t)1 << 32) - addr);
    uint32_t first = (uint64_t)len <= room ? len : (uint32_t)room;

    enum db_status st = h->sink(h->ctx, addr, data, first);
    if (st == DB_OK && first < len) {
        uint32_t wrapped = h->segmented ? h->base : 0u;
        st = h->sink(h->ctx, wrapped, data + first, len - first);
    }
    return st;
}

/* The record in h->rec is complete: check it and act on it. */
static enum db_status end_record(struct ihex *h)
{
    uint32_t n = h->rec[REC_COUNT];
    uint8_t sum = 0;
    for (uint32_t i = 0; i < n + REC_OVERHEAD; i++) {
        sum = (uint8_t)(sum + h->rec[i]);
    }
    if (sum != 0u) {
        return DB_ERR_HEX_CHECKSUM;
    }

    const uint8_t *d = &h->rec[REC_DATA];
    uint8_t type = h->rec[REC_TYPE];
    /* Every type but data has a fixed byte count. */
    static const uint8_t fixed_count[] = {
        [TYPE_EOF] = 0u, [TYPE_SEGMENT] = 2u, [TYPE_START_SEG] = 4u, [TYPE_LINEAR] = 2u, [TYPE_START_LIN] = 4u,
    };
    if (type > TYPE_START_LIN) {
        return DB_ERR_HEX_RECORD;
    }
    if (type != TYPE_DATA && n != fixed_count[type]) {
        return DB_ERR_HEX_SYNTAX;
    }
    switch (type) {
    case TYPE_DATA:
        return n == 0u ? DB_OK : emit_data(h, be16(&h->rec[REC_ADDR_HI]), d, n);
    case TYPE_EOF:
        return DB_DONE;
    case TYPE_SEGMENT:
        h->base = be16(d) << 4;
        h->segmented = true;
        return DB_OK;
    case TYPE_LINEAR:
        h->base = be16(d) << 16;
        h->segmented = false;
        return DB_OK;
    default: /* 03, 05 */
        h->start_type = type;
        h->start_addr = be32(d);
        return DB_OK;
    }
}

/* One character; updates h->status. */
static void step(struct ihex *h, uint8_t c)
{
    switch (h->phase) {
    case IHEX_LINE_START:
        if (c == ':') {
            h->phase = IHEX_IN_RECORD;
            h->digits = 0;
        } else if (!is_line_end(c)) {
            h->status = DB_ERR_HEX_SYNTAX;
        }
        return;
    case IHEX_IN_RECORD: {
        /* A line end here means the line is shorter than its byte count says. */
        int v = hex_value(c);
        if (v < 0) {
            h->status = DB_ERR_HEX_SYNTAX;
            return;
        }
        uint32_t i = h->digits / 2u;
        h->rec[i] = (h->digits % 2u == 0u) ? (uint8_t)(v << 4) : (uint8_t)(h->rec[i] | v);
        h->digits++;
        /* The count is known after two digits; a record is at most 520 digits, so i < IHEX_RECORD_MAX. */
        if (h->digits >= 2u && h->digits == 2u * (h->rec[REC_COUNT] + REC_OVERHEAD)) {
            enum db_status st = end_record(h);
            h->phase = IHEX_LINE_END;
            if (st != DB_OK) {
                h->status = st;
            }
        }
        return;
    }
    case IHEX_LINE_END:
        /* More characters than the byte count allows. */
        if (is_line_end(c)) {
            h->phase = IHEX_LINE_START;
        } else {
            h->status = DB_ERR_HEX_SYNTAX;
        }
        return;
    }
}

void ihex_init(struct ihex *h, ihex_sink_fn sink, void *ctx)
{
    h->sink = sink;
    h->ctx = ctx;
    h->base = 0;
    h->segmented = false;
    h->start_type = 0;
    h->start_addr = 0;
    h->status = DB_BUSY;
    h->phase = IHEX_LINE_START;
    h->digits = 0;
}

enum db_status ihex_feed(struct ihex *h, const uint8_t *text, uint32_t len)
{
    for (uint32_t i = 0; i < len && h->status == DB_BUSY; i++) {
        step(h, text[i]);
    }
    return h->status;
}

static enum db_status discard(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    (void)ctx;
    (void)addr;
    (void)data;
    (void)len;
    return DB_OK;
}

bool ihex_is_start(const uint8_t *sector, uint32_t len)
{
    if (len == 0u || sector[0] != ':') {
        return false;
    }
    struct ihex t;
    ihex_init(&t, discard, NULL);
    for (uint32_t i = 0; i < len; i++) {
        step(&t, sector[i]);
        if (t.status == DB_DONE) {
            return true; /* an end record first: an empty but valid file */
        }
        if (t.status != DB_BUSY) {
            return false;
        }
        if (t.phase == IHEX_LINE_END) {
            return i + 1u == len || is_line_end(sector[i + 1u]);
        }
    }
    /* The first record runs past the sector: judge the header it has so far. */
    return t.digits >= HEADER_DIGITS && t.rec[REC_TYPE] <= TYPE_START_LIN;
}
