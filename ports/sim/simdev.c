/*
 * The simulated device: what the chip's main loop does, minus USB. The boot
 * decision, the drive and the update engine are core/'s; this file only
 * keeps the RAM that survives a reset and wires them together.
 */
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "describe.h"
#include "simdev.h"
#include "update.h"
#include "vfat.h"

static struct update dev_update;
static struct vfat dev_vfat;
static struct update_report dev_retained; /* the chip keeps it in .noinit RAM */
static struct boot_decision dev_boot;
static enum simdev_mode dev_mode;
static bool dev_button;
static bool dev_query_only;
static uint32_t dev_confirm_seq; /* the app's dropboot_confirm(), kept in RAM over its reset */

static enum simdev_mode boot(void)
{
    struct boot_inputs in;
    memset(&in, 0, sizeof in);
    in.button = dev_button;
    in.after_update = (dev_retained.stay == UPDATE_STAY_MAGIC);
    in.confirm_seq = dev_confirm_seq;
    in.query_only = dev_query_only;
    dev_retained.stay = 0; /* one stay per request */
    dev_confirm_seq = 0;
    boot_decide(&in, &dev_boot);
    if (dev_boot.reason == BOOT_START_APP) {
        dev_mode = SIMDEV_APP;
        return dev_mode;
    }
    update_init(&dev_update, &dev_retained);
    vfat_init(&dev_vfat, &dev_update);
    dev_mode = SIMDEV_BOOTLOADER;
    return dev_mode;
}

enum simdev_mode simdev_power_on(void)
{
    memset(&dev_retained, 0, sizeof dev_retained);
    dev_confirm_seq = 0;
    return boot();
}

void simdev_query_only(bool query)
{
    dev_query_only = query;
}

enum simdev_mode simdev_app_confirms(void)
{
    if (dev_mode == SIMDEV_APP && dev_boot.trial)
        dev_confirm_seq = dev_boot.seq; /* dropboot_confirm(): the word in RAM, then a reset */
    return (dev_confirm_seq != 0u) ? boot() : dev_mode;
}

enum simdev_mode simdev_reset(void)
{
    return boot();
}

void simdev_hold_button(bool held)
{
    dev_button = held;
}

enum simdev_mode simdev_mode(void)
{
    return dev_mode;
}

void simdev_describe_boot(char *out, size_t n)
{
    describe_boot(&dev_boot, out, n);
}

uint32_t simdev_sector_count(void)
{
    return vfat_sector_count();
}

void simdev_read(uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    if (dev_mode != SIMDEV_BOOTLOADER) {
        memset(buf, 0, DB_SECTOR_SIZE);
        return;
    }
    vfat_read(&dev_vfat, lba, buf);
}

void simdev_write(uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    if (dev_mode == SIMDEV_BOOTLOADER)
        vfat_write(&dev_vfat, lba, buf);
}

void simdev_eject(void)
{
    if (dev_mode == SIMDEV_BOOTLOADER)
        update_eject(&dev_update);
}

bool simdev_tick(uint32_t elapsed_ms, bool host_active)
{
    if (dev_mode != SIMDEV_BOOTLOADER)
        return false;
    return update_tick(&dev_update, elapsed_ms, host_active);
}

size_t simdev_status_text(char *out, size_t n)
{
    if (dev_mode != SIMDEV_BOOTLOADER || n == 0) {
        if (n > 0)
            out[0] = '\0';
        return 0;
    }
    return vfat_status_text(&dev_vfat, out, (uint32_t)n);
}

enum db_status simdev_update_status(void)
{
    return update_status(&dev_update);
}
