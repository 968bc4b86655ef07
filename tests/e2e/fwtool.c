/*
 * fwtool: test firmware for the e2e run, written from the specs, sharing no
 * code with dropboot (an independent oracle).
 *
 *   fwtool app SIZE SEED OUT.bin [BASE SP]
 *       a synthetic app for BASE (default 0x08008000, the NUCLEO-L4R5ZI's):
 *       a plausible Cortex-M vector table (initial SP, default 0x20050000;
 *       reset handler BASE + 0x201, other handlers odd addresses inside the
 *       image), then pseudo-random bytes from SEED.
 *   fwtool uf2 IN.bin ADDR FAMILY OUT.uf2
 *       UF2 (github.com/microsoft/uf2 README): 512-byte blocks, 256-byte
 *       payloads, flag 0x2000 "familyID present", unused data bytes zero.
 *   fwtool unuf2 IN.uf2 FAMILY ADDR OUT.bin
 *       the reverse, strict: every block's magics, the family, payload 256,
 *       block numbers 0..n-1 with the same count, addresses contiguous from
 *       ADDR. Writes the payloads in order. Exit 1 with the reason otherwise.
 *   fwtool junk SIZE SEED OUT
 *       pseudo-random bytes (a file that is not firmware).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UF2_BLOCK 512u
#define UF2_PAYLOAD 256u
#define UF2_DATA_AREA 476u
#define UF2_MAGIC0 0x0A324655u
#define UF2_MAGIC1 0x9E5D5157u
#define UF2_MAGIC_END 0x0AB16F30u
#define UF2_FLAG_FAMILY 0x00002000u
#define APP_BASE 0x08008000u
#define APP_SP 0x20050000u
#define APP_RESET_OFF 0x201u /* past the chip's vector table (111 words on the L4R5, 102 on the F411): the bootloader refuses an entry inside it */
#define APP_VECTORS 16u /* the Cortex-M core's own exceptions */
#define MAX_IMAGE (4u * 1024u * 1024u)

static uint32_t rng_state;

static uint32_t rng(void)
{
    /* xorshift32: deterministic bytes, reproducible from the seed */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t image[MAX_IMAGE];

static int write_file(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static long read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t n = fread(image, 1, sizeof image, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    if (more) {
        fprintf(stderr, "%s: larger than %u bytes\n", path, MAX_IMAGE);
        return -1;
    }
    return (long)n;
}

static int cmd_app(uint32_t size, uint32_t seed, const char *out, uint32_t base, uint32_t sp)
{
    if (size < APP_VECTORS * 4u + 4u || size > MAX_IMAGE) {
        fprintf(stderr, "app: size out of range\n");
        return 2;
    }
    rng_state = seed ? seed : 1u;
    for (uint32_t i = 0; i < size; i++)
        image[i] = (uint8_t)rng();
    put32(image, sp);
    put32(image + 4, base + APP_RESET_OFF);
    for (uint32_t v = 2; v < APP_VECTORS; v++)
        put32(image + 4 * v, base + APP_RESET_OFF + 4u * v); /* odd: Thumb handlers inside the image */
    return write_file(out, image, size);
}

static int cmd_junk(uint32_t size, uint32_t seed, const char *out)
{
    if (size > MAX_IMAGE)
        return 2;
    rng_state = seed ? seed : 1u;
    for (uint32_t i = 0; i < size; i++)
        image[i] = (uint8_t)rng();
    return write_file(out, image, size);
}

static int cmd_uf2(const char *in, uint32_t addr, uint32_t family, const char *out)
{
    long n = read_file(in);
    if (n <= 0)
        return 1;
    uint32_t blocks = ((uint32_t)n + UF2_PAYLOAD - 1) / UF2_PAYLOAD;
    FILE *f = fopen(out, "wb");
    if (f == NULL) {
        perror(out);
        return 1;
    }
    for (uint32_t b = 0; b < blocks; b++) {
        uint8_t blk[UF2_BLOCK];
        memset(blk, 0, sizeof blk);
        put32(blk + 0, UF2_MAGIC0);
        put32(blk + 4, UF2_MAGIC1);
        put32(blk + 8, UF2_FLAG_FAMILY);
        put32(blk + 12, addr + b * UF2_PAYLOAD);
        put32(blk + 16, UF2_PAYLOAD);
        put32(blk + 20, b);
        put32(blk + 24, blocks);
        put32(blk + 28, family);
        uint32_t off = b * UF2_PAYLOAD;
        uint32_t len = (uint32_t)n - off < UF2_PAYLOAD ? (uint32_t)n - off : UF2_PAYLOAD;
        /* the last block's tail: 0xFF, what erased flash reads as */
        memset(blk + 32, 0xFF, UF2_PAYLOAD);
        memcpy(blk + 32, image + off, len);
        put32(blk + 32 + UF2_DATA_AREA, UF2_MAGIC_END);
        if (fwrite(blk, 1, sizeof blk, f) != sizeof blk) {
            perror(out);
            fclose(f);
            return 1;
        }
    }
    return fclose(f) == 0 ? 0 : 1;
}

static int cmd_unuf2(const char *in, uint32_t family, uint32_t addr, const char *out)
{
    long n = read_file(in);
    if (n < 0)
        return 1;
    if (n == 0 || n % UF2_BLOCK != 0) {
        fprintf(stderr, "unuf2: %s: size %ld is not a whole number of 512-byte blocks\n", in, n);
        return 1;
    }
    uint32_t blocks = (uint32_t)n / UF2_BLOCK;
    static uint8_t payload[MAX_IMAGE / 2];
    for (uint32_t b = 0; b < blocks; b++) {
        const uint8_t *blk = image + b * UF2_BLOCK;
        const char *why = NULL;
        if (get32(blk) != UF2_MAGIC0 || get32(blk + 4) != UF2_MAGIC1 || get32(blk + 32 + UF2_DATA_AREA) != UF2_MAGIC_END)
            why = "bad magic";
        else if (!(get32(blk + 8) & UF2_FLAG_FAMILY) || get32(blk + 28) != family)
            why = "family missing or wrong";
        else if (get32(blk + 16) != UF2_PAYLOAD)
            why = "payload size not 256";
        else if (get32(blk + 20) != b || get32(blk + 24) != blocks)
            why = "block number or count wrong";
        else if (get32(blk + 12) != addr + b * UF2_PAYLOAD)
            why = "target address not contiguous";
        if (why != NULL) {
            fprintf(stderr, "unuf2: %s: block %u: %s (flags 0x%08x addr 0x%08x size %u no %u/%u family 0x%08x)\n", in, b,
                    why, get32(blk + 8), get32(blk + 12), get32(blk + 16), get32(blk + 20), get32(blk + 24),
                    get32(blk + 28));
            return 1;
        }
        memcpy(payload + b * UF2_PAYLOAD, blk + 32, UF2_PAYLOAD);
    }
    printf("%u blocks, 0x%08x..0x%08x\n", blocks, addr, addr + blocks * UF2_PAYLOAD);
    return write_file(out, payload, blocks * UF2_PAYLOAD);
}

static uint32_t num(const char *s)
{
    return (uint32_t)strtoul(s, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "app") == 0)
        return cmd_app(num(argv[2]), num(argv[3]), argv[4], APP_BASE, APP_SP);
    if (argc == 7 && strcmp(argv[1], "app") == 0)
        return cmd_app(num(argv[2]), num(argv[3]), argv[4], num(argv[5]), num(argv[6]));
    if (argc == 5 && strcmp(argv[1], "junk") == 0)
        return cmd_junk(num(argv[2]), num(argv[3]), argv[4]);
    if (argc == 6 && strcmp(argv[1], "uf2") == 0)
        return cmd_uf2(argv[2], num(argv[3]), num(argv[4]), argv[5]);
    if (argc == 6 && strcmp(argv[1], "unuf2") == 0)
        return cmd_unuf2(argv[2], num(argv[3]), num(argv[4]), argv[5]);
    fprintf(stderr, "usage: fwtool app SIZE SEED OUT [BASE SP] | junk SIZE SEED OUT | uf2 IN ADDR FAMILY OUT | unuf2 IN FAMILY ADDR OUT\n");
    return 2;
}
