/*
 * What the host tool's verbs share: exit codes, one-line errors, reading
 * firmware files and turning them into UF2, and the pre-check of a UF2
 * against a board. Owner: decoders.
 */
#ifndef DB_TOOL_CLI_H
#define DB_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drive.h"
#include "image.h"

/* Exit codes (also in `dropboot --help`). */
#define EXIT_OK 0
#define EXIT_REFUSED 1   /* the firmware file is not valid, or the pre-check or the device refused it */
#define EXIT_USAGE 2     /* bad arguments, unreadable input, unwritable output */
#define EXIT_NO_DEVICE 3 /* no dropboot drive, or several and none chosen */
#define EXIT_TIMEOUT 4   /* the device did not reset or come back in time */

#define DEFAULT_BASE 0x08008000u   /* App-Base of the first board; BIN files go here */
#define DEFAULT_FAMILY 0x00ff6919u /* STM32L4 */

/* "dropboot: <message>" on stderr, one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, a pointer to the verb's --help; returns EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_is_help(const char *arg);

/* Whole file into a malloc'd buffer; false (errno set) on failure. */
bool cli_read_file(const char *path, uint8_t **buf, size_t *len);

/* A firmware file ready to copy: the UF2 bytes and what they cover. */
struct firmware {
    enum fw_kind kind;
    uint8_t *uf2;
    size_t uf2_len;
};

/* Read any supported file and give its UF2 form (UF2 input is kept as is).
   base: where a BIN goes; family: the ID written into converted blocks.
   Returns 0, or an exit code after printing the error. */
int cli_prepare(const char *path, uint32_t base, bool base_given, uint32_t family, struct firmware *fw);
void cli_firmware_free(struct firmware *fw);

/* What the blocks meant for one family cover, for the pre-check. */
struct uf2_summary {
    size_t blocks;          /* all blocks in the file */
    size_t flash_blocks;    /* blocks for this family that go to main flash */
    uint32_t lowest;        /* first address they write */
    uint32_t highest;       /* one past the last */
    uint32_t other_family;  /* a family seen that is not the board's (0 when none) */
    bool unflagged;         /* some flash block has no family ID */
};

/* Walk a UF2 file; false with a reason when it is damaged. */
bool cli_uf2_summary(const uint8_t *uf2, size_t len, uint32_t family, struct uf2_summary *s, char err[FW_ERR_LEN]);

/* Would this board take this UF2 (family, app range, size)? false with the reason. */
bool cli_precheck(const struct firmware *fw, const struct drive *d, char err[FW_ERR_LEN]);

/* The one drive to work on: the one at path, the one with this serial, or
   the only one attached. Returns 0, or EXIT_NO_DEVICE after printing why
   (none, or several named). */
int cli_select_drive(const char *path, const char *serial, struct drive *out);

/* "0x00ff6919 (STM32L4)" */
void cli_family_text(uint32_t id, char *out, size_t n);

/* Parse a 32-bit number (decimal or 0x hex); false when it is not one. */
bool cli_parse_u32(const char *s, uint32_t *out);

#endif
