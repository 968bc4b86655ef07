/* Flash geometry from DB_FLASH_UNIT_RUNS (see geometry.h). */
#include "geometry.h"

struct geometry_run {
    uint32_t count;
    uint32_t size;
};

static const struct geometry_run geometry_runs[] = DB_FLASH_UNIT_RUNS;
#define GEOMETRY_RUNS (sizeof geometry_runs / sizeof geometry_runs[0])

bool geometry_unit_of(uint32_t addr, struct geometry_unit *out)
{
    if (addr < DB_FLASH_BASE)
        return false;
    uint32_t off = addr - DB_FLASH_BASE;
    uint32_t start = 0;
    uint32_t index = 0;
    for (uint32_t r = 0; r < GEOMETRY_RUNS; r++) {
        uint32_t run_bytes = geometry_runs[r].count * geometry_runs[r].size;
        if (off - start < run_bytes) {
            uint32_t k = (off - start) / geometry_runs[r].size;
            *out = (struct geometry_unit){.start = DB_FLASH_BASE + start + k * geometry_runs[r].size,
                                          .size = geometry_runs[r].size,
                                          .index = index + k};
            return true;
        }
        start += run_bytes;
        index += geometry_runs[r].count;
    }
    return false;
}
