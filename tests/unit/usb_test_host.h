/*
 * A test controller for usb/: implements dcd.h inside the test and plays the
 * host. The host side moves real packets (64 bytes at full speed, a short
 * packet ends a transfer, SETUP clears an EP0 stall, a stalled pipe answers
 * STALL, an idle pipe NAKs), so usbd/msc/scsi are driven exactly as a bus
 * would drive them. Behind the SCSI layer sits a RAM block device with real
 * contents. Included by test_usbd.c, test_msc.c and test_scsi.c.
 */
#ifndef USB_TEST_HOST_H
#define USB_TEST_HOST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "dcd.h"
#include "msc.h"
#include "scsi.h"
#include "usbd.h"

#define TH_MPS 64u          /* full-speed max packet size of every pipe here */
#define TH_EP_COUNT 16u
#define TH_DISK_SECTORS 64u /* 32 KB RAM disk */

/* Host-side outcome of a transfer: a byte count (>= 0) or one of these. */
#define TH_STALL (-1)
#define TH_NAK (-2)    /* the device had nothing queued: the host would keep polling */
#define TH_BABBLE (-3) /* more data than the receiving side had room for */

struct th_pipe {
    uint8_t *buf;
    uint32_t len, pos;
    bool active, stalled, open;
};

static struct th_pipe th_pipes[2][TH_EP_COUNT]; /* [is_in][number] */
static const struct dcd_events *th_ev;
static int th_set_address_value = -1;
static bool th_connected;

static struct usbd th_usbd;
static struct msc th_msc;
static struct scsi th_scsi;

static uint8_t th_disk[TH_DISK_SECTORS][DB_SECTOR_SIZE];
static int32_t th_bad_sector = -1; /* a sector whose read fails (fault injection) */
static unsigned th_ejects, th_activity;

static inline struct th_pipe *th_pipe(uint8_t ep)
{
    return &th_pipes[DCD_EP_IS_IN(ep) ? 1 : 0][DCD_EP_NUM(ep)];
}

/* ---- dcd.h, the device side ---- */
void dcd_init(const struct dcd_events *ev)
{
    th_ev = ev;
    memset(th_pipes, 0, sizeof th_pipes);
}
void dcd_connect(void) { th_connected = true; }
void dcd_disconnect(void) { th_connected = false; }
void dcd_poll(void) {}
void dcd_set_address(uint8_t addr) { th_set_address_value = addr; }
void dcd_ep_open(uint8_t ep_addr, enum dcd_ep_type type, uint16_t max_packet)
{
    (void)type;
    assert_int_equal(max_packet, TH_MPS);
    struct th_pipe *p = th_pipe(ep_addr);
    memset(p, 0, sizeof *p);
    p->open = true;
}
bool dcd_ep_xfer(uint8_t ep_addr, uint8_t *buf, uint32_t len)
{
    struct th_pipe *p = th_pipe(ep_addr);
    if (p->active)
        return false;
    p->buf = buf;
    p->len = len;
    p->pos = 0;
    p->active = true;
    return true;
}
void dcd_ep_stall(uint8_t ep_addr) { th_pipe(ep_addr)->stalled = true; }
void dcd_ep_clear_stall(uint8_t ep_addr) { th_pipe(ep_addr)->stalled = false; }
bool dcd_ep_stalled(uint8_t ep_addr) { return th_pipe(ep_addr)->stalled; }

/* ---- the host side ---- */

/* IN transfer of up to max bytes: packets until a short one or max. */
static inline int th_in(uint8_t ep, uint8_t *dst, uint32_t max)
{
    uint32_t got = 0;
    for (uint32_t guard = 0; guard <= max / TH_MPS + 1u; guard++) {
        struct th_pipe *p = th_pipe(ep);
        if (p->stalled)
            return TH_STALL;
        if (!p->active)
            return TH_NAK; /* the transfer has not ended: the host keeps waiting */
        uint32_t pkt = p->len - p->pos;
        if (pkt > TH_MPS)
            pkt = TH_MPS;
        if (got + pkt > max)
            return TH_BABBLE;
        if (pkt > 0)
            memcpy(dst + got, p->buf + p->pos, pkt);
        got += pkt;
        p->pos += pkt;
        if (p->pos == p->len) {
            p->active = false;
            th_ev->xfer_done(th_ev->ctx, ep, p->len);
        }
        if (pkt < TH_MPS || got == max)
            return (int)got;
    }
    return (int)got;
}

/* OUT transfer of len bytes: packets until done; a short last packet (or a
   zero-length one for len 0) ends it. Returns bytes the device took. */
static inline int th_out(uint8_t ep, const uint8_t *src, uint32_t len)
{
    uint32_t sent = 0;
    for (uint32_t guard = 0; guard <= len / TH_MPS + 1u; guard++) {
        struct th_pipe *p = th_pipe(ep);
        if (p->stalled)
            return TH_STALL;
        if (!p->active)
            return TH_NAK;
        uint32_t pkt = len - sent;
        if (pkt > TH_MPS)
            pkt = TH_MPS;
        if (pkt > p->len - p->pos)
            return TH_BABBLE;
        if (pkt > 0)
            memcpy(p->buf + p->pos, src + sent, pkt);
        p->pos += pkt;
        sent += pkt;
        if (pkt < TH_MPS || p->pos == p->len) {
            p->active = false;
            th_ev->xfer_done(th_ev->ctx, ep, p->pos);
        }
        if (pkt < TH_MPS || sent == len)
            return (int)sent;
    }
    return (int)sent;
}

/* A control transfer without OUT data: SETUP, IN data if any, status. Returns
   the data length or TH_STALL. The status stage must be answered. */
static inline int th_control(uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length,
                             uint8_t *data)
{
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index, (uint8_t)(index >> 8),
                        (uint8_t)length, (uint8_t)(length >> 8)};
    uint8_t scratch[8];
    /* A SETUP is always accepted: it ends EP0's stall and any old control transfer. */
    th_pipes[0][0].stalled = th_pipes[1][0].stalled = false;
    th_pipes[0][0].active = th_pipes[1][0].active = false;
    th_ev->setup(th_ev->ctx, setup);
    int n = 0;
    if ((bm & 0x80u) != 0u && length > 0u) {
        n = th_in(0x80, data, length);
        if (n == TH_STALL)
            return TH_STALL;
        /* a reply ending on a packet boundary short of wLength must end with a
           zero-length packet, or the host would still be waiting (TH_NAK) */
        assert_true(n >= 0);
        assert_int_equal(th_out(0x00, NULL, 0), 0); /* status */
        return n;
    }
    int st = th_in(0x80, scratch, 0); /* status: the device's zero-length packet */
    if (st == TH_STALL)
        return TH_STALL;
    assert_int_equal(st, 0);
    return 0;
}

static inline int th_clear_halt(uint8_t ep)
{
    return th_control(0x02, 1, 0, ep, 0, NULL);
}

static inline int th_bot_reset(void)
{
    return th_control(0x21, 0xFF, 0, 0, 0, NULL);
}

/* ---- the RAM block device behind SCSI ---- */
static inline uint32_t th_count(void *ctx)
{
    (void)ctx;
    return TH_DISK_SECTORS;
}
static inline enum db_status th_read(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    assert_true(lba < TH_DISK_SECTORS);
    if ((int32_t)lba == th_bad_sector)
        return DB_ERR_FLASH;
    memcpy(buf, th_disk[lba], DB_SECTOR_SIZE);
    return DB_OK;
}
static inline enum db_status th_write(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    assert_true(lba < TH_DISK_SECTORS);
    memcpy(th_disk[lba], buf, DB_SECTOR_SIZE);
    return DB_OK;
}
static inline void th_eject(void *ctx)
{
    (void)ctx;
    th_ejects++;
}
static inline void th_active(void *ctx)
{
    (void)ctx;
    th_activity++;
}
static const struct scsi_ops th_ops = {th_count, th_read, th_write, th_eject, th_active};

/* Every sector filled with a pattern that names it. */
static inline void th_fill_disk(void)
{
    for (uint32_t s = 0; s < TH_DISK_SECTORS; s++)
        for (uint32_t i = 0; i < DB_SECTOR_SIZE; i++)
            th_disk[s][i] = (uint8_t)(s * 7u + i);
}

/* A fresh device plugged in and reset by the host. */
static inline void th_plug(const struct board_info *info)
{
    th_fill_disk();
    th_bad_sector = -1;
    th_ejects = th_activity = 0;
    th_set_address_value = -1;
    scsi_init(&th_scsi, info, &th_ops, NULL);
    msc_init(&th_msc, &th_scsi);
    usbd_init(&th_usbd, info, &th_msc);
    dcd_connect();
    th_ev->bus_reset(th_ev->ctx);
}

/* What Linux does before a driver binds: device descriptor (64 at address 0),
   reset, SET_ADDRESS, descriptors, SET_CONFIGURATION(1). */
static inline void th_enumerate(void)
{
    uint8_t buf[255];
    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 64, buf), 18);
    th_ev->bus_reset(th_ev->ctx);
    assert_int_equal(th_control(0x00, 5, 7, 0, 0, NULL), 0);
    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 18, buf), 18);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, 9, buf), 9);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, 32, buf), 32);
    assert_int_equal(th_control(0x00, 9, 1, 0, 0, NULL), 0);
}

/* ---- Bulk-Only Transport, as the host's usb-storage driver runs it ---- */
#define TH_CBW_IN 0x80u
#define TH_CBW_OUT 0x00u

struct th_bot {
    int data;          /* bytes moved in the data phase, or TH_STALL/TH_NAK */
    int csw_first;     /* the first try at the CSW: 13 or TH_STALL */
    uint32_t residue;
    uint8_t status;
};

static uint32_t th_tag = 0x1000;

static inline void th_make_cbw(uint8_t cbw[MSC_CBW_LEN], uint32_t tag, uint8_t flags, uint32_t host_len,
                               const uint8_t *cdb, uint8_t cdb_len)
{
    memset(cbw, 0, MSC_CBW_LEN);
    cbw[0] = 'U';
    cbw[1] = 'S';
    cbw[2] = 'B';
    cbw[3] = 'C';
    memcpy(&cbw[4], &tag, 4); /* little-endian host */
    memcpy(&cbw[8], &host_len, 4);
    cbw[12] = flags;
    cbw[13] = 0;
    cbw[14] = cdb_len;
    memcpy(&cbw[15], cdb, cdb_len);
}

/* Read the CSW; a stalled IN pipe is cleared and the CSW read again. */
static inline void th_read_csw(struct th_bot *r, uint32_t tag)
{
    uint8_t csw[64];
    int n = th_in(0x81, csw, sizeof csw);
    r->csw_first = n;
    if (n == TH_STALL) {
        assert_int_equal(th_clear_halt(0x81), 0);
        n = th_in(0x81, csw, sizeof csw);
    }
    assert_int_equal(n, MSC_CSW_LEN);
    assert_memory_equal(csw, "USBS", 4);
    uint32_t got_tag, residue;
    memcpy(&got_tag, &csw[4], 4);
    memcpy(&residue, &csw[8], 4);
    assert_int_equal(got_tag, tag);
    r->residue = residue;
    r->status = csw[12];
}

static inline struct th_bot th_command(const uint8_t *cdb, uint8_t cdb_len, uint8_t flags, uint32_t host_len,
                                       uint8_t *data)
{
    struct th_bot r = {0, 0, 0, 0};
    uint8_t cbw[MSC_CBW_LEN];
    uint32_t tag = th_tag++;
    th_make_cbw(cbw, tag, flags, host_len, cdb, cdb_len);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), MSC_CBW_LEN);
    if (host_len > 0) {
        if (flags & TH_CBW_IN)
            r.data = th_in(0x81, data, host_len);
        else
            r.data = th_out(0x01, data, host_len);
        if (r.data == TH_STALL)
            assert_int_equal(th_clear_halt((flags & TH_CBW_IN) ? 0x81 : 0x01), 0);
    }
    th_read_csw(&r, tag);
    return r;
}

/* Ten-byte CDB helpers. */
static inline void th_cdb10(uint8_t cdb[10], uint8_t op, uint32_t lba, uint16_t count)
{
    memset(cdb, 0, 10);
    cdb[0] = op;
    cdb[2] = (uint8_t)(lba >> 24);
    cdb[3] = (uint8_t)(lba >> 16);
    cdb[4] = (uint8_t)(lba >> 8);
    cdb[5] = (uint8_t)lba;
    cdb[7] = (uint8_t)(count >> 8);
    cdb[8] = (uint8_t)count;
}

/* Plug, enumerate, and take the unit attention a fresh unit reports. */
static inline void th_ready(void)
{
    uint8_t tur[6] = {0};
    uint8_t sense[18];
    uint8_t rs[6] = {0x03, 0, 0, 0, 18, 0};
    th_plug(&board);
    th_enumerate();
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_FAILED);
    r = th_command(rs, 6, TH_CBW_IN, 18, sense);
    assert_int_equal(r.status, MSC_CSW_PASSED);
}

#endif
