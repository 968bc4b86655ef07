/*
 * The real USB device core (usb/usbd, msc, scsi) on the real DWC2 driver,
 * against the DWC2 core model: a host enumerating the board gets the same
 * device descriptor usbd_descriptor builds, an address, and a configuration
 * that opens the bulk endpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "dwc2_regmodel.h"
#include "msc.h"
#include "regs_otg.h"
#include "scsi.h"
#include "usbd.h"

void usb_hw_init(void);
void usb_hw_init(void) {}
void clock_delay_ms(uint32_t ms);
void clock_delay_ms(uint32_t ms) { (void)ms; }

#define RAMDISK_SECTORS 64u

static uint8_t ramdisk[RAMDISK_SECTORS][DB_SECTOR_SIZE];

static uint32_t rd_count(void *ctx) { (void)ctx; return RAMDISK_SECTORS; }
static enum db_status rd_read(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    memcpy(buf, ramdisk[lba], DB_SECTOR_SIZE);
    return DB_OK;
}
static enum db_status rd_write(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    memcpy(ramdisk[lba], buf, DB_SECTOR_SIZE);
    return DB_OK;
}
static void rd_eject(void *ctx) { (void)ctx; }
static void rd_active(void *ctx) { (void)ctx; }
static const struct scsi_ops rd_ops = {rd_count, rd_read, rd_write, rd_eject, rd_active};

static struct scsi sc;
static struct msc ms;
static struct usbd ud;

/* One control transfer with an IN data stage, as a host runs it. */
static int32_t control_in(const uint8_t setup[8], uint8_t *reply, uint32_t max)
{
    model_setup(setup, true);
    dcd_poll();
    uint32_t got = 0;
    for (int guard = 0; guard < 64; guard++) {
        uint8_t pkt[64];
        int32_t n = model_in(0, pkt);
        if (n == MODEL_STALL)
            return -1;
        if (n >= 0) {
            memcpy(reply + got, pkt, (size_t)n < max - got ? (size_t)n : max - got);
            got += (uint32_t)n;
            if (n < 64 || got >= max)
                break;
        }
        dcd_poll();
    }
    dcd_poll();
    assert_true(model_out(0, NULL, 0)); /* status stage */
    dcd_poll();
    return (int32_t)got;
}

static bool control_out_nodata(const uint8_t setup[8])
{
    model_setup(setup, true);
    dcd_poll();
    uint8_t pkt[64];
    int32_t n = model_in(0, pkt); /* status stage: zero-length IN */
    dcd_poll();
    return n == 0;
}

static void host_enumerates_the_board_through_the_dwc2_driver(void **state)
{
    (void)state;
    model_reset();
    scsi_init(&sc, &board, &rd_ops, NULL);
    msc_init(&ms, &sc);
    usbd_init(&ud, &board, &ms);
    dcd_connect();
    model_bus_reset();
    dcd_poll();
    model_enum_done();
    dcd_poll();

    uint8_t dev[64], expect[64];
    static const uint8_t get_dev[8] = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x40, 0x00};
    int32_t n = control_in(get_dev, dev, sizeof dev);
    uint32_t want = usbd_descriptor(&ud, USBD_DESC_DEVICE, 0, expect, sizeof expect);
    assert_int_equal(n, want);
    assert_memory_equal(dev, expect, want);
    assert_int_equal(dev[0], 18);
    assert_int_equal(dev[7], 64); /* bMaxPacketSize0 */

    static const uint8_t set_addr[8] = {0x00, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_true(control_out_nodata(set_addr));
    assert_int_equal((model_reg(0x800) & OTG_DCFG_DAD_Msk) >> OTG_DCFG_DAD_Pos, 7);

    /* The configuration descriptor is longer than one packet: two pieces. */
    uint8_t cfg[255], cfg_expect[255];
    static const uint8_t get_cfg[8] = {0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0xFF, 0x00};
    n = control_in(get_cfg, cfg, sizeof cfg);
    want = usbd_descriptor(&ud, USBD_DESC_CONFIGURATION, 0, cfg_expect, sizeof cfg_expect);
    assert_int_equal(n, want);
    assert_memory_equal(cfg, cfg_expect, want);

    static const uint8_t set_cfg[8] = {0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_true(control_out_nodata(set_cfg));
    /* Bulk endpoints are open and the OUT one waits for a CBW. */
    assert_true(model_reg(0x900 + 0x20 * 1) & OTG_EPCTL_USBAEP_Msk);
    assert_true(model_reg(0xB00 + 0x20 * 1) & OTG_EPCTL_USBAEP_Msk);
    assert_true(model_reg(0xB00 + 0x20 * 1) & OTG_EPCTL_EPENA_Msk);

    /* A TEST UNIT READY command over Bulk-Only Transport gets its CSW. */
    uint8_t cbw[31] = {0x55, 0x53, 0x42, 0x43, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0x00, 0x00, 6};
    assert_true(model_out(1, cbw, sizeof cbw));
    uint8_t csw[64];
    int32_t got = MODEL_NAK;
    for (int guard = 0; guard < 8 && got == MODEL_NAK; guard++) {
        dcd_poll();
        got = model_in(1, csw);
    }
    assert_int_equal(got, 13);
    assert_memory_equal(csw, "USBS", 4);
    assert_memory_equal(csw + 4, cbw + 4, 4); /* the tag comes back */
    assert_int_equal(model_errors(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_enumerates_the_board_through_the_dwc2_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
