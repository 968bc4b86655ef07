/* Multi-byte fields in byte buffers: little-endian (UF2, FAT, USB, MSC,
 * flash words) and big-endian (SCSI).
 *
 * Both targets (Cortex-M4 and the x86 simulator host) are little-endian and
 * allow unaligned word access, so a fixed-size copy is one load or store
 * instead of four byte moves and shifts. The builtin is spelled out because
 * -ffreestanding turns plain memcpy into a library call. */
#ifndef DB_BYTEORDER_H
#define DB_BYTEORDER_H

#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "byteorder.h assumes a little-endian target"
#endif

static inline void le_put16(uint8_t *p, uint16_t v) { __builtin_memcpy(p, &v, sizeof v); }
static inline void le_put32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, sizeof v); }

static inline uint16_t le_get16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t le_get32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/* Big-endian fields: the same moves, bytes swapped. */
static inline uint16_t be_get16(const uint8_t *p) { return __builtin_bswap16(le_get16(p)); }
static inline uint32_t be_get32(const uint8_t *p) { return __builtin_bswap32(le_get32(p)); }
static inline void be_put32(uint8_t *p, uint32_t v) { le_put32(p, __builtin_bswap32(v)); }

#endif
