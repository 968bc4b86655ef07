/* Little-endian fields in byte buffers (UF2, FAT, USB, flash words).
 *
 * Both targets (Cortex-M4 and the x86 simulator host) are little-endian and
 * allow unaligned word access, so a fixed-size copy is one load or store
 * instead of four byte moves and shifts. The builtin is spelled out because
 * -ffreestanding turns plain memcpy into a library call. */
#ifndef DB_LE_H
#define DB_LE_H

#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "le.h assumes a little-endian target"
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

#endif
