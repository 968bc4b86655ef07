/*
 * The emulator's USB host engine (ports/emu/usbhost.c) against the real
 * device: usb/ (usbd, msc, scsi) on ports/dwc2/dcd_dwc2.c over the
 * shared DWC2 model, with core/vfat and core/update on the flash model, as
 * the bootloader's main loop runs them. The host enumerates the board, reads
 * the synthesized volume, copies a UF2 file onto it the way Linux does (data,
 * then FAT and directory), ejects, and the update commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "flash.h"
#include "flash_model.h"
#include "msc.h"
#include "scsi.h"
#include "update.h"
#include "usbd.h"
#include "usbhost.h"
#include "vfat.h"

void usb_hw_init(void);
void usb_hw_init(void) {}
void clock_delay_ms(uint32_t ms);
void clock_delay_ms(uint32_t ms) { (void)ms; }

#define NS_PER_MS 1000000u
#define ATTACH_TIMEOUT_NS (1000u * NS_PER_MS)
#define READY_TRIES 4u
#define APP_BYTES 6000u            /* a few pages, not a multiple of the UF2 payload */
#define UF2_PAYLOAD 256u           /* what uf2conv.py puts in a block */
#define UF2_BLOCKS ((APP_BYTES + UF2_PAYLOAD - 1u) / UF2_PAYLOAD)
#define DIR_ENTRY 32u
#define FAT16_EOC 0xFFFFu

/* The device: what ports/stm32/main.c's drive loop runs. */
static struct update dev_update;
static struct update_report dev_report;
static struct vfat dev_vfat;
static struct scsi dev_scsi;
static struct msc dev_msc;
static struct usbd dev_usbd;
static bool dev_active, dev_reset_asked;
static uint64_t dev_ns_left;       /* bus time not yet a whole millisecond */

static uint32_t op_count(void *ctx) { (void)ctx; return vfat_sector_count(); }
static enum db_status op_read(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    vfat_read(&dev_vfat, lba, buf);
    return DB_OK;
}
static enum db_status op_write(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    vfat_write(&dev_vfat, lba, buf);
    return DB_OK;
}
static void op_eject(void *ctx) { (void)ctx; update_eject(&dev_update); }
static void op_active(void *ctx) { (void)ctx; dev_active = true; }
static const struct scsi_ops dev_ops = {op_count, op_read, op_write, op_eject, op_active};

/* The device runs while the bus time passes: its main loop polls USB, and
   each millisecond update_tick sees whether the host was active. */
static bool dev_run(void *ctx, uint64_t ns)
{
    (void)ctx;
    dcd_poll();
    for (dev_ns_left += ns; dev_ns_left >= NS_PER_MS; dev_ns_left -= NS_PER_MS) {
        if (!dev_reset_asked)
            dev_reset_asked = update_tick(&dev_update, 1, dev_active);
        dev_active = false;
    }
    return true;
}

static struct usbhost host;

static int boot_device(void **state)
{
    (void)state;
    flash_model_open_ram();
    memset(&dev_report, 0, sizeof dev_report);
    dev_reset_asked = false;
    dev_ns_left = 0;
    memset(&dwc2_regmodel, 0, sizeof dwc2_regmodel);
    model_reset();
    update_init(&dev_update, &dev_report);
    vfat_init(&dev_vfat, &dev_update);
    scsi_init(&dev_scsi, &board, &dev_ops, NULL);
    msc_init(&dev_msc, &dev_scsi);
    usbd_init(&dev_usbd, &board, &dev_msc);
    dcd_connect();
    usbhost_init(&host, &dwc2_regmodel, (struct usbhost_device){NULL, dev_run, NULL});
    return 0;
}

static void attach_and_wait_ready(void)
{
    int r = usbhost_attach(&host, ATTACH_TIMEOUT_NS);
    assert_int_equal(r, USBHOST_OK);
    assert_int_equal(usbhost_wait_ready(&host, READY_TRIES), USBHOST_OK);
}

static void no_bus_faults(void)
{
    assert_int_equal(model_errors(), 0);
    assert_int_equal(dwc2_regmodel.toggle_mismatches, 0);
    assert_int_equal(host.st.toggle_errors, 0);
    assert_int_equal(host.st.reset_recoveries, 0);
}

static void host_enumerates_the_drive_and_its_first_command_sees_unit_attention(void **state)
{
    (void)state;
    assert_int_equal(usbhost_attach(&host, ATTACH_TIMEOUT_NS), USBHOST_OK);
    assert_int_equal(host.address, 1);
    assert_int_equal(host.bulk_in, MSC_EP_IN);
    assert_int_equal(host.bulk_out, MSC_EP_OUT);
    assert_int_equal(host.max_lun, 0);
    uint8_t expect[18];
    usbd_descriptor(&dev_usbd, USBD_DESC_DEVICE, 0, expect, sizeof expect);
    assert_memory_equal(host.device_desc, expect, sizeof expect);
    /* A freshly started unit reports a power-on / reset once (SPC: UNIT ATTENTION). */
    assert_int_equal(usbhost_test_unit_ready(&host), USBHOST_CHECK);
    assert_int_equal(host.sense[0], 6);
    assert_int_equal(usbhost_test_unit_ready(&host), USBHOST_OK);
    no_bus_faults();
}

static void host_reads_the_synthesized_volume_sector_for_sector(void **state)
{
    (void)state;
    attach_and_wait_ready();
    uint32_t sectors = 0, size = 0;
    assert_int_equal(usbhost_read_capacity(&host, &sectors, &size), USBHOST_OK);
    assert_int_equal(sectors, vfat_sector_count());
    assert_int_equal(size, DB_SECTOR_SIZE);
    /* One long READ(10) across the boot sector, FATs and root directory. */
    enum { SPAN = 64 };
    static uint8_t got[SPAN * DB_SECTOR_SIZE];
    uint8_t want[DB_SECTOR_SIZE];
    assert_int_equal(usbhost_read10(&host, 0, SPAN, got), USBHOST_OK);
    for (uint32_t lba = 0; lba < SPAN; lba++) {
        vfat_read(&dev_vfat, lba, want);
        assert_memory_equal(got + lba * DB_SECTOR_SIZE, want, DB_SECTOR_SIZE);
    }
    assert_int_equal(got[510], 0x55);
    assert_int_equal(got[511], 0xAA);
    /* Past the end of the medium: CHECK CONDITION, ILLEGAL REQUEST, LBA out of range. */
    assert_int_equal(usbhost_read10(&host, sectors, 1, got), USBHOST_CHECK);
    assert_int_equal(host.sense[0], 5);
    assert_int_equal(host.sense[1], 0x21);
    assert_int_equal(usbhost_test_unit_ready(&host), USBHOST_OK); /* the pipes still work */
    assert_int_equal(model_errors(), 0);
    assert_int_equal(host.st.toggle_errors, 0);
}

/* ---- a file copy as Linux makes it ---- */

static uint8_t app[APP_BYTES];
static uint8_t uf2[UF2_BLOCKS * DB_SECTOR_SIZE];

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

/* An app with a plausible vector table, as UF2 blocks (spec: microsoft/uf2). */
static void make_app_uf2(void)
{
    uint32_t x = 12345u;
    for (uint32_t i = 0; i < APP_BYTES; i++) {
        x = x * 1103515245u + 12345u;
        app[i] = (uint8_t)(x >> 16);
    }
    put32(app, DB_RAM_BASE + 0x10000u);   /* initial SP */
    put32(app + 4, DB_APP_BASE + 0x101u); /* reset handler, Thumb */
    memset(uf2, 0, sizeof uf2);
    for (uint32_t b = 0; b < UF2_BLOCKS; b++) {
        uint8_t *blk = uf2 + b * DB_SECTOR_SIZE;
        uint32_t len = APP_BYTES - b * UF2_PAYLOAD < UF2_PAYLOAD ? APP_BYTES - b * UF2_PAYLOAD : UF2_PAYLOAD;
        put32(blk, 0x0A324655u);
        put32(blk + 4, 0x9E5D5157u);
        put32(blk + 8, 0x00002000u); /* familyID present */
        put32(blk + 12, DB_APP_BASE + b * UF2_PAYLOAD);
        put32(blk + 16, UF2_PAYLOAD);
        put32(blk + 20, b);
        put32(blk + 24, UF2_BLOCKS);
        put32(blk + 28, DB_UF2_FAMILY);
        memset(blk + 32, 0xFF, UF2_PAYLOAD);
        memcpy(blk + 32, app + b * UF2_PAYLOAD, len);
        put32(blk + 508, 0x0AB16F30u);
    }
}

struct fat_geometry {
    uint32_t fat_lba, fats, fat_sectors, root_lba, root_sectors, data_lba, cluster_sectors;
};

static void read_geometry(struct fat_geometry *g)
{
    uint8_t bs[DB_SECTOR_SIZE];
    assert_int_equal(usbhost_read10(&host, 0, 1, bs), USBHOST_OK);
    assert_int_equal(get16(bs + 11), DB_SECTOR_SIZE);
    g->cluster_sectors = bs[13];
    g->fat_lba = get16(bs + 14);
    g->fats = bs[16];
    g->fat_sectors = get16(bs + 22);
    g->root_lba = g->fat_lba + g->fats * g->fat_sectors;
    g->root_sectors = get16(bs + 17) * DIR_ENTRY / DB_SECTOR_SIZE;
    g->data_lba = g->root_lba + g->root_sectors;
}

/* Linux's order: the file's clusters, then the FATs, then the directory entry. */
static void copy_uf2_as_linux_does(void)
{
    struct fat_geometry g;
    read_geometry(&g);
    uint8_t fat[DB_SECTOR_SIZE], dir[DB_SECTOR_SIZE];
    assert_int_equal(usbhost_read10(&host, g.fat_lba, 1, fat), USBHOST_OK);
    uint32_t first = 2;
    while (get16(fat + 2u * first) != 0u) /* the first free cluster after the drive's own files */
        first++;
    uint32_t clusters = (sizeof uf2 + g.cluster_sectors * DB_SECTOR_SIZE - 1u) / (g.cluster_sectors * DB_SECTOR_SIZE);
    assert_true(first + clusters <= DB_SECTOR_SIZE / 2u);
    uint32_t lba = g.data_lba + (first - 2u) * g.cluster_sectors;
    assert_int_equal(usbhost_write10(&host, lba, UF2_BLOCKS, uf2), USBHOST_OK);
    for (uint32_t c = 0; c < clusters; c++) {
        uint32_t next = c + 1u == clusters ? FAT16_EOC : first + c + 1u;
        fat[2u * (first + c)] = (uint8_t)next;
        fat[2u * (first + c) + 1u] = (uint8_t)(next >> 8);
    }
    for (uint32_t f = 0; f < g.fats; f++)
        assert_int_equal(usbhost_write10(&host, g.fat_lba + f * g.fat_sectors, 1, fat), USBHOST_OK);
    assert_int_equal(usbhost_read10(&host, g.root_lba, 1, dir), USBHOST_OK);
    uint32_t e = 0;
    while (dir[e * DIR_ENTRY] != 0u && dir[e * DIR_ENTRY] != 0xE5u)
        e++;
    uint8_t *d = dir + e * DIR_ENTRY;
    memset(d, 0, DIR_ENTRY);
    memcpy(d, "FIRMWAREUF2", 11);
    d[11] = 0x20; /* archive */
    d[26] = (uint8_t)first;
    d[27] = (uint8_t)(first >> 8);
    put32(d + 28, sizeof uf2);
    assert_int_equal(usbhost_write10(&host, g.root_lba, 1, dir), USBHOST_OK);
}

static void uf2_copied_through_bulk_only_transport_commits_after_eject(void **state)
{
    (void)state;
    make_app_uf2();
    attach_and_wait_ready();
    copy_uf2_as_linux_does();
    assert_int_equal(usbhost_start_stop(&host, false, true), USBHOST_OK); /* eject */
    for (int ms = 0; ms < 100 && !dev_reset_asked; ms++)
        assert_int_equal(usbhost_idle(&host, NS_PER_MS), USBHOST_OK);
    assert_true(dev_reset_asked);
    assert_int_equal(update_status(&dev_update), DB_DONE);
    uint8_t flashed[APP_BYTES];
    assert_int_equal(flash_read(DB_APP_BASE, flashed, sizeof flashed), FLASH_OK);
    assert_memory_equal(flashed, app, sizeof app);
    assert_true(host.st.bytes_out >= sizeof uf2);
    no_bus_faults();
}

static void soft_disconnect_ends_every_transfer_until_the_host_attaches_again(void **state)
{
    (void)state;
    attach_and_wait_ready();
    dcd_disconnect();
    uint8_t buf[DB_SECTOR_SIZE];
    assert_int_equal(usbhost_read10(&host, 0, 1, buf), USBHOST_DISCONNECTED);
    assert_false(usbhost_connected(&host));
    /* A bus reset after re-attach: usb/ starts over, the host enumerates again. */
    dcd_connect();
    attach_and_wait_ready();
    assert_int_equal(usbhost_read10(&host, 0, 1, buf), USBHOST_OK);
    assert_int_equal(host.st.attaches, 2);
    assert_int_equal(model_errors(), 0);
}

static void a_stalled_data_phase_is_cleared_and_the_csw_still_arrives(void **state)
{
    (void)state;
    attach_and_wait_ready();
    /* The host asks for 1024 bytes of INQUIRY data; the device has 36 (BOT
       case Hi > Di): a short packet or a stall ends the data, then the CSW
       carries the residue. */
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};
    uint8_t buf[1024];
    assert_int_equal(usbhost_scsi(&host, cdb, sizeof cdb, true, buf, sizeof buf), USBHOST_OK);
    assert_int_equal(host.csw_residue, sizeof buf - 36u);
    assert_int_equal(buf[0], 0x00); /* direct-access device */
    assert_int_equal(usbhost_test_unit_ready(&host), USBHOST_OK);
    no_bus_faults();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(host_enumerates_the_drive_and_its_first_command_sees_unit_attention, boot_device),
        cmocka_unit_test_setup(host_reads_the_synthesized_volume_sector_for_sector, boot_device),
        cmocka_unit_test_setup(uf2_copied_through_bulk_only_transport_commits_after_eject, boot_device),
        cmocka_unit_test_setup(soft_disconnect_ends_every_transfer_until_the_host_attaches_again, boot_device),
        cmocka_unit_test_setup(a_stalled_data_phase_is_cleared_and_the_csw_still_arrives, boot_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
