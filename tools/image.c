/*
 * Firmware image: loaders for BIN, Intel HEX (through core/ihex) and ELF
 * program headers, and the UF2 writer (through core/uf2).
 */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ihex.h"
#include "uf2.h"

#define HEX_FILL 0xFFu /* uf2conv: bytes of a HEX block no record wrote read as erased flash */
#define BIN_FILL 0x00u /* uf2conv: the tail of a BIN's last block is zero */
#define PAGE_MASK (~(uint32_t)(FW_BLOCK_PAYLOAD - 1u))

/* ELF32 (System V gABI): the fields the tool reads. */
#define ELF_IDENT_SIZE 16u
#define ELF_CLASS_32 1u
#define ELF_DATA_LSB 1u
#define ELF32_EHDR_SIZE 52u
#define ELF32_PHDR_SIZE 32u
#define ELF_PT_LOAD 1u

/* A few names from the UF2 spec's family list (utils/uf2families.json). */
static const struct {
    const char *name;
    uint32_t id;
} families[] = {
    {"STM32L4", 0x00ff6919u}, {"STM32F0", 0x647824b6u}, {"STM32F1", 0x5ee21072u},  {"STM32F4", 0x57755a57u},
    {"STM32F7", 0x53b80f00u}, {"STM32G0", 0x300f5633u}, {"STM32G4", 0x4c71240au},  {"STM32H7", 0x6db66082u},
    {"STM32L0", 0x202e3a91u}, {"STM32L5", 0x04240bdfu}, {"STM32WB", 0x70d16653u},  {"STM32WL", 0x21460ff0u},
    {"SAMD21", 0x68ed2b88u},  {"SAMD51", 0x55114460u},  {"NRF52840", 0xada52840u}, {"RP2040", 0xe48bff56u},
    {"ESP32S2", 0xbfdd4eeeu},
};
#define FAMILY_COUNT (sizeof(families) / sizeof(families[0]))

bool fw_family_parse(const char *s, uint32_t *id)
{
    for (size_t i = 0; i < FAMILY_COUNT; i++) {
        if (strcasecmp(s, families[i].name) == 0) {
            *id = families[i].id;
            return true;
        }
    }
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 0);
    if (*s == '\0' || *s == '-' || end == NULL || *end != '\0' || v > 0xFFFFFFFFul) {
        return false;
    }
    *id = (uint32_t)v;
    return true;
}

const char *fw_family_name(uint32_t id)
{
    for (size_t i = 0; i < FAMILY_COUNT; i++) {
        if (families[i].id == id) {
            return families[i].name;
        }
    }
    return NULL;
}

const char *fw_kind_name(enum fw_kind k)
{
    static const char *const names[] = {[FW_BIN] = "BIN", [FW_HEX] = "Intel HEX", [FW_ELF] = "ELF", [FW_UF2] = "UF2"};
    return names[k];
}

enum fw_kind fw_detect(const uint8_t *buf, size_t len)
{
    if (len >= UF2_BLOCK_SIZE && uf2_is_block(buf)) {
        return FW_UF2;
    }
    if (len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0) {
        return FW_ELF;
    }
    if (ihex_is_start(buf, (uint32_t)(len < UF2_BLOCK_SIZE ? len : UF2_BLOCK_SIZE))) {
        return FW_HEX;
    }
    return FW_BIN;
}

void fw_init(struct fw_image *img)
{
    memset(img, 0, sizeof(*img));
}

void fw_free(struct fw_image *img)
{
    free(img->blocks);
    fw_init(img);
}

/* The block holding page `page`, created filled with `fill` when new; NULL when out of memory. */
static struct fw_block *block_for(struct fw_image *img, uint32_t page, uint8_t fill)
{
    if (img->count > 0 && img->blocks[img->last].addr == page) {
        return &img->blocks[img->last];
    }
    for (size_t i = 0; i < img->count; i++) {
        if (img->blocks[i].addr == page) {
            img->last = i;
            return &img->blocks[i];
        }
    }
    if (img->count == img->cap) {
        size_t cap = img->cap ? img->cap * 2u : 64u;
        struct fw_block *b = realloc(img->blocks, cap * sizeof(*b));
        if (b == NULL) {
            return NULL;
        }
        img->blocks = b;
        img->cap = cap;
    }
    struct fw_block *b = &img->blocks[img->count];
    memset(b, 0, sizeof(*b));
    memset(b->data, fill, sizeof(b->data));
    b->addr = page;
    img->last = img->count++;
    return b;
}

/* Put bytes at an address; the same address twice with two values is an error. */
static int put_bytes(struct fw_image *img, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t block_base,
                     uint8_t fill, char err[FW_ERR_LEN])
{
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = addr + i;
        if (a < addr) {
            snprintf(err, FW_ERR_LEN, "data runs past the end of the 32-bit address space");
            return -1;
        }
        /* Blocks start at block_base + k * 256: page-aligned for HEX/ELF, the base for BIN. */
        uint32_t start = a - ((a - block_base) % FW_BLOCK_PAYLOAD);
        struct fw_block *b = block_for(img, start, fill);
        if (b == NULL) {
            snprintf(err, FW_ERR_LEN, "out of memory");
            return -1;
        }
        uint32_t o = a - start;
        uint8_t bit = (uint8_t)(1u << (o % 8u));
        if ((b->used[o / 8u] & bit) != 0u) {
            if (b->data[o] != data[i]) {
                snprintf(err, FW_ERR_LEN, "two different values for address 0x%08x", (unsigned)a);
                return -1;
            }
            continue;
        }
        b->used[o / 8u] |= bit;
        b->data[o] = data[i];
        if (img->data_bytes == 0 || a < img->lowest) {
            img->lowest = a;
        }
        if (img->data_bytes == 0 || a + 1u > img->highest || a + 1u == 0u) {
            img->highest = a + 1u;
        }
        img->data_bytes++;
    }
    return 0;
}

static int by_addr(const void *a, const void *b)
{
    uint32_t x = ((const struct fw_block *)a)->addr;
    uint32_t y = ((const struct fw_block *)b)->addr;
    return x < y ? -1 : x > y;
}

void fw_sort(struct fw_image *img)
{
    if (img->count > 1) {
        qsort(img->blocks, img->count, sizeof(img->blocks[0]), by_addr);
    }
    img->last = 0;
}

int fw_load_bin(struct fw_image *img, const uint8_t *buf, size_t len, uint32_t base, char err[FW_ERR_LEN])
{
    if (len == 0) {
        snprintf(err, FW_ERR_LEN, "the file is empty");
        return -1;
    }
    if ((uint64_t)base + len > ((uint64_t)1 << 32)) {
        snprintf(err, FW_ERR_LEN, "%zu bytes at 0x%08x run past the end of the 32-bit address space", len,
                 (unsigned)base);
        return -1;
    }
    if (put_bytes(img, base, buf, (uint32_t)len, base, BIN_FILL, err) != 0) {
        return -1;
    }
    fw_sort(img);
    return 0;
}

struct hex_ctx {
    struct fw_image *img;
    char *err;
};

static enum db_status hex_sink(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    struct hex_ctx *c = ctx;
    return put_bytes(c->img, addr, data, len, 0, HEX_FILL, c->err) == 0 ? DB_OK : DB_ERR_OVERLAP;
}

int fw_load_hex(struct fw_image *img, const uint8_t *buf, size_t len, char err[FW_ERR_LEN])
{
    struct hex_ctx c = {img, err};
    struct ihex h;
    ihex_init(&h, hex_sink, &c);
    err[0] = '\0';
    /* Byte by byte so an error can name its line. */
    uint32_t line = 1;
    size_t i = 0;
    enum db_status st = DB_BUSY;
    for (; i < len && st == DB_BUSY; i++) {
        st = ihex_feed(&h, &buf[i], 1);
        if (st == DB_BUSY && buf[i] == '\n') {
            line++;
        }
    }
    if (st == DB_DONE) {
        if (img->data_bytes == 0) {
            snprintf(err, FW_ERR_LEN, "the HEX file holds no data records");
            return -1;
        }
        fw_sort(img);
        return 0;
    }
    if (st == DB_BUSY) {
        snprintf(err, FW_ERR_LEN, "the HEX file ends without an end-of-file record (:00000001FF)");
    } else if (err[0] == '\0') {
        snprintf(err, FW_ERR_LEN, "line %u: %s", (unsigned)line, db_status_text(st));
    } else {
        char detail[FW_ERR_LEN];
        snprintf(detail, sizeof(detail), "%s", err);
        snprintf(err, FW_ERR_LEN, "line %u: %.200s", (unsigned)line, detail);
    }
    return -1;
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | (le16(p + 2) << 16);
}

int fw_load_elf(struct fw_image *img, const uint8_t *buf, size_t len, char err[FW_ERR_LEN])
{
    if (len < ELF32_EHDR_SIZE || buf[4] != ELF_CLASS_32 || buf[5] != ELF_DATA_LSB) {
        snprintf(err, FW_ERR_LEN, "only 32-bit little-endian ELF files are supported");
        return -1;
    }
    uint32_t phoff = le32(buf + 28);
    uint32_t phentsize = le16(buf + 42);
    uint32_t phnum = le16(buf + 44);
    if (phnum == 0 || phentsize < ELF32_PHDR_SIZE || phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        snprintf(err, FW_ERR_LEN, "the ELF file has no readable program headers");
        return -1;
    }
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
        uint32_t type = le32(ph);
        uint32_t offset = le32(ph + 4);
        uint32_t paddr = le32(ph + 12); /* the load address: where flash holds it */
        uint32_t filesz = le32(ph + 16);
        if (type != ELF_PT_LOAD || filesz == 0) {
            continue;
        }
        if (offset > len || filesz > len - offset) {
            snprintf(err, FW_ERR_LEN, "program header %u points past the end of the file", (unsigned)i);
            return -1;
        }
        if ((uint64_t)paddr + filesz > ((uint64_t)1 << 32)) {
            snprintf(err, FW_ERR_LEN, "program header %u runs past the 32-bit address space", (unsigned)i);
            return -1;
        }
        if (put_bytes(img, paddr, buf + offset, filesz, 0, HEX_FILL, err) != 0) {
            return -1;
        }
    }
    if (img->data_bytes == 0) {
        snprintf(err, FW_ERR_LEN, "the ELF file has no loadable segment with data");
        return -1;
    }
    fw_sort(img);
    return 0;
}

uint8_t *fw_to_uf2(const struct fw_image *img, uint32_t family, size_t *out_len)
{
    size_t n = img->count;
    uint8_t *out = malloc(n ? n * UF2_BLOCK_SIZE : 1u);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct uf2_block b = {
            .flags = family != 0 ? UF2_FLAG_FAMILY_ID : 0u,
            .target_addr = img->blocks[i].addr,
            .payload_size = FW_BLOCK_PAYLOAD,
            .block_no = (uint32_t)i,
            .num_blocks = (uint32_t)n,
            .family_or_size = family,
            .payload = img->blocks[i].data,
        };
        uf2_encode(out + i * UF2_BLOCK_SIZE, &b);
    }
    *out_len = n * UF2_BLOCK_SIZE;
    return out;
}
