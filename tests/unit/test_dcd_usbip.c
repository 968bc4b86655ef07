/*
 * ports/sim/dcd_usbip.c: how URBs map onto usb/'s transfers, in memory (no
 * socket): the real usbd/msc/scsi stack with a RAM disk behind it, URBs in,
 * RET_SUBMIT/RET_UNLINK captured. Covers what a well-behaved host rarely
 * does: URBs cut across device transfers, URBs shorter than the device's
 * packet (overflow), unlinks in the middle of a control transfer, detaching
 * with URBs queued.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "msc.h"
#include "scsi.h"
#include "usbd.h"
#include "usbip.h"

#define DISK_SECTORS 16u
#define MAX_RETS 32u
#define RET_DATA_MAX 2048u

static uint8_t disk[DISK_SECTORS][DB_SECTOR_SIZE];
static struct scsi t_scsi;
static struct msc t_msc;
static struct usbd t_usbd;
static uint32_t seqnum;

struct ret {
    struct usbip_header h;
    uint8_t data[RET_DATA_MAX];
    uint32_t len;
};
static struct ret rets[MAX_RETS];
static uint32_t nrets;

static uint32_t count(void *ctx)
{
    (void)ctx;
    return DISK_SECTORS;
}
static enum db_status rd(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    memcpy(buf, disk[lba], DB_SECTOR_SIZE);
    return DB_OK;
}
static enum db_status wr(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    memcpy(disk[lba], buf, DB_SECTOR_SIZE);
    return DB_OK;
}
static void nop(void *ctx)
{
    (void)ctx;
}
static const struct scsi_ops ops = {count, rd, wr, nop, nop};

static void sink(void *ctx, const uint8_t header[USBIP_HEADER_LEN], const uint8_t *data, uint32_t len)
{
    (void)ctx;
    assert_true(nrets < MAX_RETS);
    struct ret *r = &rets[nrets++];
    usbip_header_unpack(header, &r->h);
    assert_true(len <= RET_DATA_MAX);
    if (len > 0)
        memcpy(r->data, data, len);
    r->len = len;
}

static uint32_t submit(uint32_t ep, uint32_t dir, const uint8_t *setup, uint32_t len, const uint8_t *out)
{
    struct usbip_header h;
    memset(&h, 0, sizeof h);
    h.command = USBIP_CMD_SUBMIT;
    h.seqnum = ++seqnum;
    h.direction = dir;
    h.ep = ep;
    h.length = (int32_t)len;
    h.packets = -1;
    if (setup != NULL)
        memcpy(h.setup, setup, 8);
    assert_true(usbip_dev_submit(&h, out));
    return h.seqnum;
}

static uint32_t control(uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length)
{
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index, (uint8_t)(index >> 8),
                        (uint8_t)length, (uint8_t)(length >> 8)};
    return submit(0, (bm & 0x80u) ? USBIP_DIR_IN : USBIP_DIR_OUT, setup, (bm & 0x80u) ? length : 0u, NULL);
}

/* The reply for seq (asserts there is exactly one). */
static struct ret *ret_of(uint32_t seq)
{
    struct ret *found = NULL;
    for (uint32_t i = 0; i < nrets; i++)
        if (rets[i].h.seqnum == seq) {
            assert_null(found);
            found = &rets[i];
        }
    assert_non_null(found);
    return found;
}

static bool answered(uint32_t seq)
{
    for (uint32_t i = 0; i < nrets; i++)
        if (rets[i].h.seqnum == seq)
            return true;
    return false;
}

static void cbw(uint32_t tag, uint32_t len, bool in, const uint8_t *cdb, uint8_t cdb_len)
{
    uint8_t w[MSC_CBW_LEN] = {'U', 'S', 'B', 'C'};
    memcpy(&w[4], &tag, 4);
    memcpy(&w[8], &len, 4);
    w[12] = in ? 0x80 : 0;
    w[14] = cdb_len;
    memcpy(&w[15], cdb, cdb_len);
    uint32_t s = submit(1, USBIP_DIR_OUT, NULL, sizeof w, w);
    dcd_poll();
    assert_int_equal(ret_of(s)->h.status, 0);
}

static int setup_device(void **state)
{
    (void)state;
    for (uint32_t s = 0; s < DISK_SECTORS; s++)
        memset(disk[s], (int)(s + 1u), DB_SECTOR_SIZE);
    nrets = 0;
    scsi_init(&t_scsi, &board, &ops, NULL);
    msc_init(&t_msc, &t_scsi);
    usbd_init(&t_usbd, &board, &t_msc);
    dcd_connect();
    usbip_dev_attach(sink, NULL);
    uint32_t s = control(0x00, 9, 1, 0, 0);
    dcd_poll();
    assert_int_equal(ret_of(s)->h.status, 0);
    /* take the fresh unit's unit attention */
    uint8_t tur[6] = {0};
    cbw(1, 0, false, tur, 6);
    s = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_int_equal(ret_of(s)->len, 13);
    nrets = 0;
    return 0;
}

static int teardown_device(void **state)
{
    (void)state;
    usbip_dev_detach();
    return 0;
}

static void test_control_in_is_cut_to_the_urb(void **state)
{
    (void)state;
    uint32_t s = control(0x80, 6, 0x0200, 0, 9);
    dcd_poll();
    struct ret *r = ret_of(s);
    assert_int_equal(r->h.command, USBIP_RET_SUBMIT);
    assert_int_equal(r->h.status, 0);
    assert_int_equal(r->h.length, 9); /* actual_length */
    assert_int_equal(r->len, 9);
    assert_int_equal(r->data[2], 32); /* wTotalLength */
    assert_int_equal(r->h.packets, -1);
}

static void test_control_urbs_are_answered_in_order(void **state)
{
    (void)state;
    uint32_t a = control(0x80, 6, 0x0100, 0, 18);
    uint32_t b = control(0x80, 8, 0, 0, 1);
    uint32_t c = control(0x80, 6, 0x0600, 0, 10); /* stalls */
    uint32_t d = control(0x80, 0, 0, 0, 2);
    dcd_poll();
    assert_int_equal(nrets, 4);
    assert_int_equal(rets[0].h.seqnum, a);
    assert_int_equal(rets[1].h.seqnum, b);
    assert_int_equal(rets[1].data[0], 1);
    assert_int_equal(rets[2].h.seqnum, c);
    assert_int_equal(rets[2].h.status, USBIP_EPIPE);
    assert_int_equal(rets[3].h.seqnum, d);
    assert_int_equal(rets[3].h.status, 0); /* the stall ended with the next SETUP */
}

static void test_one_device_transfer_spans_several_in_urbs(void **state)
{
    (void)state;
    uint8_t rd10[10] = {0x28, 0, 0, 0, 0, 4, 0, 0, 2, 0}; /* sectors 4 and 5 */
    cbw(2, 2 * DB_SECTOR_SIZE, true, rd10, 10);
    uint32_t a = submit(1, USBIP_DIR_IN, NULL, 256, NULL);
    uint32_t b = submit(1, USBIP_DIR_IN, NULL, 512, NULL);
    uint32_t c = submit(1, USBIP_DIR_IN, NULL, 256, NULL);
    uint32_t csw = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_int_equal(ret_of(a)->len, 256);
    assert_int_equal(ret_of(a)->data[0], 5);
    assert_int_equal(ret_of(b)->len, 512);
    assert_int_equal(ret_of(b)->data[255], 5);
    assert_int_equal(ret_of(b)->data[256], 6);
    assert_int_equal(ret_of(c)->len, 256);
    assert_int_equal(ret_of(c)->data[255], 6);
    assert_int_equal(ret_of(csw)->len, 13);
    assert_int_equal(ret_of(csw)->data[12], 0);
}

static void test_urb_shorter_than_the_packet_overflows(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    cbw(3, 0, false, tur, 6);
    uint32_t s = submit(1, USBIP_DIR_IN, NULL, 10, NULL); /* the CSW is a 13-byte packet */
    dcd_poll();
    assert_int_equal(ret_of(s)->h.status, USBIP_EOVERFLOW);
    assert_int_equal(ret_of(s)->h.length, 10);
}

static void test_out_data_in_pieces_fills_one_sector(void **state)
{
    (void)state;
    uint8_t wr10[10] = {0x2A, 0, 0, 0, 0, 7, 0, 0, 1, 0};
    uint8_t data[DB_SECTOR_SIZE];
    memset(data, 0xA5, sizeof data);
    cbw(4, DB_SECTOR_SIZE, false, wr10, 10);
    uint32_t a = submit(1, USBIP_DIR_OUT, NULL, 192, data);
    dcd_poll();
    assert_true(answered(a)); /* three full packets taken, the sector not yet complete */
    assert_int_equal(disk[7][0], 8);
    uint32_t b = submit(1, USBIP_DIR_OUT, NULL, DB_SECTOR_SIZE - 192, data + 192);
    uint32_t csw = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_int_equal(ret_of(b)->h.status, 0);
    assert_int_equal(ret_of(b)->h.length, DB_SECTOR_SIZE - 192);
    assert_int_equal(ret_of(csw)->data[12], 0);
    assert_memory_equal(disk[7], data, DB_SECTOR_SIZE);
}

static void test_urbs_on_a_stalled_pipe_end_with_epipe(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    cbw(5, 64, true, tur, 6); /* case 4: IN stalls */
    uint32_t a = submit(1, USBIP_DIR_IN, NULL, 64, NULL);
    uint32_t b = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_int_equal(ret_of(a)->h.status, USBIP_EPIPE);
    assert_int_equal(ret_of(b)->h.status, USBIP_EPIPE);
    uint32_t clr = control(0x02, 1, 0, 0x81, 0);
    uint32_t csw = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_int_equal(ret_of(clr)->h.status, 0);
    assert_int_equal(ret_of(csw)->len, 13);
}

static void test_unlink_answers_once_and_drops_the_urb(void **state)
{
    (void)state;
    uint32_t waiting = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_false(answered(waiting));
    struct usbip_header h;
    memset(&h, 0, sizeof h);
    h.command = USBIP_CMD_UNLINK;
    h.seqnum = ++seqnum;
    h.flags = waiting;
    usbip_dev_unlink(&h);
    assert_int_equal(ret_of(h.seqnum)->h.command, USBIP_RET_UNLINK);
    assert_int_equal(ret_of(h.seqnum)->h.status, USBIP_ECONNRESET);
    /* a later CSW goes to the next URB, not to the unlinked one */
    uint8_t tur[6] = {0};
    cbw(6, 0, false, tur, 6);
    uint32_t csw = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    dcd_poll();
    assert_false(answered(waiting));
    assert_int_equal(ret_of(csw)->len, 13);
    /* unlinking what was answered already: status 0 */
    h.seqnum = ++seqnum;
    h.flags = csw;
    usbip_dev_unlink(&h);
    assert_int_equal(ret_of(h.seqnum)->h.status, 0);
}

static void test_detach_drops_queued_urbs_without_replies(void **state)
{
    (void)state;
    uint32_t a = submit(1, USBIP_DIR_IN, NULL, 13, NULL);
    uint32_t b = submit(1, USBIP_DIR_IN, NULL, 512, NULL);
    usbip_dev_detach();
    dcd_poll();
    assert_false(answered(a));
    assert_false(answered(b));
    assert_false(usbip_dev_attached());
    /* and a new import starts clean, with a bus reset */
    usbip_dev_attach(sink, NULL);
    uint32_t s = control(0x80, 8, 0, 0, 1);
    dcd_poll();
    assert_int_equal(ret_of(s)->data[0], 0); /* unconfigured after the reset */
}

static void test_bad_urbs_are_refused(void **state)
{
    (void)state;
    struct usbip_header h;
    memset(&h, 0, sizeof h);
    h.command = USBIP_CMD_SUBMIT;
    h.seqnum = ++seqnum;
    h.ep = 16; /* no such endpoint number */
    h.direction = USBIP_DIR_IN;
    h.length = 8;
    h.packets = -1;
    assert_false(usbip_dev_submit(&h, NULL));
    h.ep = 1;
    h.packets = 3; /* isochronous */
    assert_false(usbip_dev_submit(&h, NULL));
    h.packets = -1;
    h.length = -5;
    assert_false(usbip_dev_submit(&h, NULL));
}

static void test_header_round_trip_is_big_endian(void **state)
{
    (void)state;
    struct usbip_header h, back;
    uint8_t raw[USBIP_HEADER_LEN];
    memset(&h, 0, sizeof h);
    h.command = USBIP_CMD_SUBMIT;
    h.seqnum = 0x01020304u;
    h.devid = 0x00010002u;
    h.direction = USBIP_DIR_IN;
    h.ep = 1;
    h.flags = 0x200;
    h.length = 0x1000;
    h.packets = -1;
    h.interval = 0;
    memcpy(h.setup, "\x80\x06\x00\x01\x00\x00\x12\x00", 8);
    usbip_header_pack(&h, raw);
    assert_int_equal(raw[0], 0);
    assert_int_equal(raw[3], 1);
    assert_int_equal(raw[4], 1);
    assert_int_equal(raw[7], 4);
    assert_int_equal(raw[26], 0x10);
    assert_int_equal(raw[32], 0xFF);
    assert_memory_equal(&raw[40], h.setup, 8);
    usbip_header_unpack(raw, &back);
    assert_int_equal(back.seqnum, h.seqnum);
    assert_int_equal(back.length, h.length);
    assert_int_equal(back.packets, -1);
    /* RET_UNLINK: status at offset 20, padding after */
    memset(&h, 0, sizeof h);
    h.command = USBIP_RET_UNLINK;
    h.status = USBIP_ECONNRESET;
    h.length = 77; /* not on the wire for an unlink */
    usbip_header_pack(&h, raw);
    assert_int_equal((int32_t)((uint32_t)raw[20] << 24 | (uint32_t)raw[21] << 16 | (uint32_t)raw[22] << 8 | raw[23]),
                     USBIP_ECONNRESET);
    for (uint32_t i = 24; i < USBIP_HEADER_LEN; i++)
        assert_int_equal(raw[i], 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_device, teardown_device)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_control_in_is_cut_to_the_urb),
        T(test_control_urbs_are_answered_in_order),
        T(test_one_device_transfer_spans_several_in_urbs),
        T(test_urb_shorter_than_the_packet_overflows),
        T(test_out_data_in_pieces_fills_one_sector),
        T(test_urbs_on_a_stalled_pipe_end_with_epipe),
        T(test_unlink_answers_once_and_drops_the_urb),
        T(test_detach_drops_queued_urbs_without_replies),
        T(test_bad_urbs_are_refused),
        T(test_header_round_trip_is_big_endian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
