/*
 * Firmware image for the host tool: what a BIN, Intel HEX or ELF file puts
 * where, held as 256-byte UF2 payload blocks, and the UF2 file made from it.
 *
 * The layout follows the UF2 spec's reference converter (uf2conv.py) so the
 * output is byte-identical to it: a BIN becomes consecutive blocks from the
 * base address, its last block padded with zeros; HEX and ELF data land in
 * 256-byte aligned blocks, bytes no record mentions are 0xFF, and a block no
 * data touches is not written at all (gaps cost nothing). Blocks are written
 * in address order. Host code: allocates. Owner: decoders.
 */
#ifndef DB_TOOL_IMAGE_H
#define DB_TOOL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_BLOCK_PAYLOAD 256u /* UF2_PAYLOAD_STD: what uf2conv writes */
#define FW_ERR_LEN 256u       /* room for one error line */

enum fw_kind { FW_BIN, FW_HEX, FW_ELF, FW_UF2 };

struct fw_block {
    uint32_t addr;
    uint8_t data[FW_BLOCK_PAYLOAD];
    uint8_t used[FW_BLOCK_PAYLOAD / 8u]; /* one bit per byte some input put there */
};

struct fw_image {
    struct fw_block *blocks;
    size_t count;
    size_t cap;
    size_t last; /* block the previous byte went to: input is mostly in order */
    uint32_t data_bytes;
    uint32_t lowest;  /* first address with data */
    uint32_t highest; /* one past the last address with data */
};

/* What the file is, by content: UF2 magics, ELF magic, a valid first HEX record, else BIN. */
enum fw_kind fw_detect(const uint8_t *buf, size_t len);
const char *fw_kind_name(enum fw_kind k);

void fw_init(struct fw_image *img);
void fw_free(struct fw_image *img);

/* Loaders; each returns 0, or -1 with one line of explanation in err. */
int fw_load_bin(struct fw_image *img, const uint8_t *buf, size_t len, uint32_t base, char err[FW_ERR_LEN]);
int fw_load_hex(struct fw_image *img, const uint8_t *buf, size_t len, char err[FW_ERR_LEN]);
int fw_load_elf(struct fw_image *img, const uint8_t *buf, size_t len, char err[FW_ERR_LEN]);

/* Sort the blocks by address (loaders call it). */
void fw_sort(struct fw_image *img);

/* The UF2 file: one 512-byte block per image block; family 0 leaves the family flag off.
   Returns a malloc'd buffer of *out_len bytes, NULL when out of memory. */
uint8_t *fw_to_uf2(const struct fw_image *img, uint32_t family, size_t *out_len);

/* A family ID from a number (0x...) or one of the names the UF2 family list
   uses (STM32L4, RP2040, ...); false when neither. */
bool fw_family_parse(const char *s, uint32_t *id);
/* The list name of a family ID, or NULL. */
const char *fw_family_name(uint32_t id);

#endif
