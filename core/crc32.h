/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as zlib and `crc32` compute it. */
#ifndef DB_CRC32_H
#define DB_CRC32_H

#include <stdint.h>

/* Continue a CRC: start with crc = 0, pass the previous result to chain chunks. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, uint32_t len);

#endif
