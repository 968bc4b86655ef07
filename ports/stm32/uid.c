/* Unique ID to serial string (see uid.h). */
#include "uid.h"

#define UID_WORDS 3u /* 96 bits */

_Static_assert(BOARD_SERIAL_LEN == UID_WORDS * 8u, "the serial is the 96-bit ID in hex");

void uid_serial(uint32_t uid_addr, char out[BOARD_SERIAL_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    const volatile uint32_t *uid = (const volatile uint32_t *)(uintptr_t)uid_addr;
    uint32_t pos = 0;
    for (uint32_t w = UID_WORDS; w-- > 0u;) {
        uint32_t v = uid[w];
        for (uint32_t nib = 8u; nib-- > 0u;)
            out[pos++] = hex[(v >> (4u * nib)) & 0xFu];
    }
    out[BOARD_SERIAL_LEN] = '\0';
}
