/*
 * Streaming Intel HEX decoder.
 *
 * Text arrives in chunks of any size (sector by sector, records split across
 * them); every data record is checked (checksum, length, syntax) and handed to
 * a sink with its absolute address. Record types 00-05; upper and lower case;
 * LF, CRLF or CR line ends. No buffer bigger than one record. Owner: decoders.
 */
#ifndef DB_IHEX_H
#define DB_IHEX_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#define IHEX_DATA_MAX 255u /* a record's byte count field is one byte */

/* Receives decoded data; a non-DB_OK return stops the decoder with that status. */
typedef enum db_status (*ihex_sink_fn)(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len);

struct ihex {
    ihex_sink_fn sink;
    void *ctx;
    uint32_t base;         /* from type 02 (segment << 4) or 04 (upper 16 bits << 16) */
    uint32_t start_addr;   /* from type 03 or 05, 0 if none */
    enum db_status status; /* DB_BUSY while decoding, DB_DONE after the 01 record, or the error */
    uint16_t fill;         /* characters of the current record held in line */
    char line[1u + 2u * (4u + IHEX_DATA_MAX + 1u)]; /* ':' + hex of count, addr(2), type, data, checksum */
};

void ihex_init(struct ihex *h, ihex_sink_fn sink, void *ctx);

/* Feed text; returns DB_BUSY (want more), DB_DONE (end record seen; the rest is ignored) or an error. */
enum db_status ihex_feed(struct ihex *h, const uint8_t *text, uint32_t len);

/* Does this sector look like the start of an Intel HEX file (a valid first record)? */
bool ihex_is_start(const uint8_t *sector, uint32_t len);

#endif
