/*
 * Outcomes of an update, each with the plain sentence STATUS.TXT shows.
 *
 * One list for the whole core: decoders, writer and drive report these, the
 * host tool prints the same words. Add new codes at the end of their group.
 */
#ifndef DB_STATUS_H
#define DB_STATUS_H

#include "config.h" /* the chip's facts some sentences quote */

/* Codes are listed without their "DB_" prefix: the enum adds it, and the
   firmware stores each name once without it (STATUS.TXT prints "DB_" in
   front), 3 bytes a code. */
#define DB_STATUS_LIST(X) \
    X(OK,                   "ok") \
    X(IDLE,                 "waiting for a firmware file (.uf2, .bin or .hex)") \
    X(BUSY,                 "receiving firmware") \
    X(DONE,                 "new app written, verified and committed") \
    X(ERR_UF2_FAMILY,       "UF2 for another chip family (this board: " DB_UF2_FAMILY_NAME ", " DB_UF2_FAMILY_TEXT ")") \
    X(ERR_UF2_BLOCK,        "damaged UF2 block (magic, payload size or block number)") \
    X(ERR_UF2_MIXED,        "UF2 blocks from two different files or block counts") \
    X(ERR_UF2_CONFLICT,     "two UF2 files at once, or a block repeated with other data") \
    X(ERR_ADDR_BOOT,        "linked for the bootloader's place (link at " DB_APP_BASE_TEXT ")") \
    X(ERR_ADDR_RANGE,       "firmware has data outside the app area") \
    X(ERR_TOO_LARGE,        "image is larger than the app area") \
    X(ERR_SLOT_FULL,        "image outgrew its slot, app kept; copy again to use both banks (app then lost)") \
    X(ERR_HEX_CHECKSUM,     "Intel HEX record with a bad checksum") \
    X(ERR_HEX_SYNTAX,       "malformed Intel HEX record") \
    X(ERR_HEX_RECORD,       "unsupported Intel HEX record type") \
    X(ERR_VECTORS,          "no vector table this board can start (SP in RAM, reset handler in the image)") \
    X(ERR_NOT_FIRMWARE,     "ignored: file is not firmware (not UF2, Intel HEX or a BIN for this board)") \
    X(ERR_ZIP,              "ignored: a .zip archive; extract it and drop the file inside") \
    X(ERR_ELF,              "ignored: an ELF file; drop the .hex/.bin, or: dropboot convert app.elf") \
    X(ERR_ORDER,            "too far out of order (its start must come among the first " DB_TEXT(DB_PENDING_SECTORS) " sectors written); copy it again") \
    X(ERR_OVERLAP,          "two different values for the same flash address") \
    X(ERR_INCOMPLETE,       "the file ended before the whole image arrived") \
    X(ERR_FLASH,            "failed: flash erase or program error") \
    X(ERR_VERIFY,           "failed: flash read-back does not match the data received") \
    X(ERR_TIMEOUT,          "failed: the copy stopped before the image was complete") \
    X(ERR_REFORMAT,         "reformatted as other than FAT16; replug to get the drive back")

enum db_status {
#define DB_STATUS_ENUM(code, text) DB_##code,
    DB_STATUS_LIST(DB_STATUS_ENUM)
#undef DB_STATUS_ENUM
    DB_STATUS_COUNT
};

/* The sentence for STATUS.TXT; never NULL. */
const char *db_status_text(enum db_status s);
/* The code's name without "DB_" ("ERR_UF2_FAMILY"); "UNKNOWN" outside the list. */
const char *db_status_tail(enum db_status s);
/* The code's whole name ("DB_ERR_UF2_FAMILY"), for logs and host programs:
   composed in a static buffer, valid until the next call. */
const char *db_status_name(enum db_status s);

#endif
