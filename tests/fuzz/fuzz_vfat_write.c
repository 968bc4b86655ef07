/*
 * libFuzzer: any sequence of sector writes, reads, idle time and ejects into
 * the virtual drive. Each write patches what the device shows at that LBA
 * (so FAT and directory mutations stay close to real ones), aimed at the
 * metadata area or the first part of the data area. Must never crash, never
 * break a flash rule, and never leave a boot record that does not match the
 * flash it describes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootrec.h"
#include "flash_model.h"
#include "update.h"
#include "vfat.h"

#define FUZZ_DATA_SPAN 4096u /* data sectors reachable: the first 2 MB of the data area */

static struct update u;
static struct vfat v;
static struct update_report report;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sec[DB_SECTOR_SIZE];
    size_t pos = 0;
    flash_model_open_ram();
    memset(&report, 0, sizeof report);
    update_init(&u, &report);
    vfat_init(&v, &u);
    while (pos + 4u <= size) {
        uint8_t op = data[pos];
        uint32_t sel = (uint32_t)data[pos + 1] | ((uint32_t)data[pos + 2] << 8);
        uint32_t len = data[pos + 3];
        pos += 4;
        uint32_t lba = (sel & 0x8000u) ? (sel % VFAT_DATA_LBA) : VFAT_DATA_LBA + (sel % FUZZ_DATA_SPAN);
        switch (op & 3u) {
        case 0: { /* patch len*2 bytes at offset (op >> 2) * 8 */
            uint32_t off = (uint32_t)(op >> 2) * 8u;
            uint32_t n = len * 2u;
            if (n > size - pos)
                n = (uint32_t)(size - pos);
            if (off + n > DB_SECTOR_SIZE)
                n = DB_SECTOR_SIZE - off;
            vfat_read(&v, lba, sec);
            memcpy(sec + off, data + pos, n);
            pos += n;
            vfat_write(&v, lba, sec);
            break;
        }
        case 1:
            vfat_read(&v, lba, sec);
            break;
        case 2:
            (void)update_tick(&u, len * 10u, (op & 4u) != 0);
            break;
        default:
            update_eject(&u);
            break;
        }
    }
    struct flash_model_stats st;
    flash_model_stats(&st);
    if (st.violations != 0)
        abort();
    struct bootrec r;
    if (bootrec_read(&r) && !bootrec_app_intact(&r))
        abort();
    return 0;
}
