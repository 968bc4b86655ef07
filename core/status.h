/*
 * Outcomes of an update, each with the plain sentence STATUS.TXT shows.
 *
 * One list for the whole core: decoders, writer and drive report these, the
 * host tool prints the same words. Add new codes at the end of their group.
 */
#ifndef DB_STATUS_H
#define DB_STATUS_H

#include "config.h" /* the chip's facts some sentences quote */

#define DB_STATUS_LIST(X) \
    X(DB_OK,                "ok") \
    X(DB_IDLE,              "waiting for a firmware file (.uf2, .bin or .hex)") \
    X(DB_BUSY,              "receiving firmware") \
    X(DB_DONE,              "new app written, verified and committed") \
    X(DB_ERR_UF2_FAMILY,    "refused: UF2 file is for another chip family (this board takes " DB_UF2_FAMILY_NAME ", " DB_UF2_FAMILY_TEXT ")") \
    X(DB_ERR_UF2_BLOCK,     "refused: damaged UF2 block (bad magic, payload size or block number)") \
    X(DB_ERR_UF2_MIXED,     "refused: UF2 blocks from two different files or block counts") \
    X(DB_ERR_UF2_CONFLICT,  "refused: two UF2 files were written at once, or a block came twice with different data; copy one file at a time") \
    X(DB_ERR_ADDR_BOOT,     "refused: firmware is aimed at the bootloader region (link your app at " DB_APP_BASE_TEXT ")") \
    X(DB_ERR_ADDR_RANGE,    "refused: firmware has data outside the app area") \
    X(DB_ERR_TOO_LARGE,     "refused: image is larger than the app area") \
    X(DB_ERR_HEX_CHECKSUM,  "refused: Intel HEX record with a bad checksum") \
    X(DB_ERR_HEX_SYNTAX,    "refused: malformed Intel HEX record") \
    X(DB_ERR_HEX_RECORD,    "refused: unsupported Intel HEX record type") \
    X(DB_ERR_VECTORS,       "refused: the image does not start with a vector table this board can start (stack pointer in RAM, reset handler inside the image at the app base)") \
    X(DB_ERR_NOT_FIRMWARE,  "ignored: file is not firmware (not UF2, Intel HEX or a BIN for this board)") \
    X(DB_ERR_ZIP,           "ignored: this is a .zip archive; extract it and drop the .uf2, .hex or .bin file inside") \
    X(DB_ERR_ELF,           "ignored: this is an ELF file; convert it first (dropboot convert app.elf -o app.uf2) or drop the .hex or .bin") \
    X(DB_ERR_ORDER,         "refused: file arrived too far out of order for the receive buffer (its start, with the vector table, must come within the first 16 KB written); copy it again") \
    X(DB_ERR_OVERLAP,       "refused: two different values for the same flash address") \
    X(DB_ERR_INCOMPLETE,    "refused: the file ended before the whole image arrived") \
    X(DB_ERR_FLASH,         "failed: flash erase or program error") \
    X(DB_ERR_VERIFY,        "failed: flash read-back does not match the data received") \
    X(DB_ERR_TIMEOUT,       "failed: the copy stopped before the image was complete") \
    X(DB_ERR_REFORMAT,      "the drive was reformatted with a layout this bootloader does not read (only FAT16 with 512-byte sectors); unplug and replug it to get the original drive back")

enum db_status {
#define DB_STATUS_ENUM(code, text) code,
    DB_STATUS_LIST(DB_STATUS_ENUM)
#undef DB_STATUS_ENUM
    DB_STATUS_COUNT
};

/* The sentence for STATUS.TXT; never NULL. */
const char *db_status_text(enum db_status s);
/* The code's name ("DB_ERR_UF2_FAMILY"), for logs and the host tool's --json. */
const char *db_status_name(enum db_status s);

#endif
