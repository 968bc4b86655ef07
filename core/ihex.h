/*
 * Streaming Intel HEX decoder.
 *
 * Text arrives in chunks of any size (sector by sector, records split across
 * them anywhere); every record is checked (syntax, byte count against the
 * line length, checksum, type) and each data record is handed to a sink with
 * its absolute address. Record types 00-05; upper and lower case hex digits;
 * LF, CRLF or CR line ends; blank lines are skipped. Everything after the end
 * record (01) is ignored. Digits are decoded as they arrive, so the only
 * buffer is one record's bytes. Owner: decoders.
 */
#ifndef DB_IHEX_H
#define DB_IHEX_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#define IHEX_DATA_MAX 255u /* a record's byte count field is one byte */
/* A record's bytes: count, address (2), type, data, checksum. */
#define IHEX_RECORD_MAX (4u + IHEX_DATA_MAX + 1u)

/* Receives decoded data; a non-DB_OK return stops the decoder with that status. */
typedef enum db_status (*ihex_sink_fn)(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len);

enum ihex_phase {
    IHEX_LINE_START, /* before a record: blank lines or ':' */
    IHEX_IN_RECORD,  /* collecting hex digits */
    IHEX_LINE_END,   /* record complete: only a line end may follow */
};

struct ihex {
    ihex_sink_fn sink;
    void *ctx;
    uint32_t base;         /* from type 02 (segment << 4) or 04 (upper 16 bits << 16) */
    bool segmented;        /* base came from a type 02 record: offsets wrap at 64 KB */
    uint8_t start_type;    /* 3 or 5 when a start address record was seen, else 0 */
    uint32_t start_addr;   /* type 03: CS << 16 | IP; type 05: EIP; 0 if none */
    enum db_status status; /* DB_BUSY while decoding, DB_DONE after the 01 record, or the error */
    enum ihex_phase phase;
    uint16_t digits; /* hex digits of the current record received */
    uint8_t rec[IHEX_RECORD_MAX];
};

void ihex_init(struct ihex *h, ihex_sink_fn sink, void *ctx);

/* Feed text; returns DB_BUSY (want more), DB_DONE (end record seen; the rest is ignored) or an error.
   Once not DB_BUSY, further calls return the same status and consume nothing. */
enum db_status ihex_feed(struct ihex *h, const uint8_t *text, uint32_t len);

/* Does this sector look like the start of an Intel HEX file? True when it
   begins with ':' and a complete valid record (types 00-05, right length,
   right checksum) followed by a line end or the end of the sector; a record
   too long to finish inside the sector counts when everything up to the
   sector's end is valid hex and its type is 00-05. */
bool ihex_is_start(const uint8_t *sector, uint32_t len);

#endif
