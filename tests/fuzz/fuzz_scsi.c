/*
 * libFuzzer harness: bytes from the host into the whole USB stack.
 *
 * The input is a list of host actions fed to the real USB/IP controller
 * (ports/sim/dcd_usbip.c) in memory, in front of the real usbd, msc and scsi
 * with a RAM disk: Command Block Wrappers (with or without the right
 * signature), bulk IN and OUT URBs of any length, raw control SETUPs, unlinks
 * and halt clears. Whatever the bytes say: no crash, no out-of-bounds access,
 * no leak (ASan/UBSan), no sector outside the disk touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "msc.h"
#include "scsi.h"
#include "usbd.h"
#include "usbip.h"

#define DISK_SECTORS 40u       /* small: range checks are hit often */
#define MAX_IN_URB 16384u      /* bounds one IN URB of the harness */
#define MAX_ACTIONS 64u

static uint8_t disk[DISK_SECTORS][DB_SECTOR_SIZE];
static struct scsi fz_scsi;
static struct msc fz_msc;
static struct usbd fz_usbd;
static uint32_t seqnum;

static uint32_t count(void *ctx)
{
    (void)ctx;
    return DISK_SECTORS;
}

static enum db_status rd(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    if (lba >= DISK_SECTORS)
        abort(); /* scsi must have refused this */
    memcpy(buf, disk[lba], DB_SECTOR_SIZE);
    return lba == 13u ? DB_ERR_FLASH : DB_OK; /* one unreadable sector */
}

static enum db_status wr(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    if (lba >= DISK_SECTORS)
        abort();
    memcpy(disk[lba], buf, DB_SECTOR_SIZE);
    return DB_OK;
}

static void nop(void *ctx)
{
    (void)ctx;
}

static const struct scsi_ops ops = {count, rd, wr, nop, nop};

/* Replies are checked for shape, then dropped. */
static void sink(void *ctx, const uint8_t header[USBIP_HEADER_LEN], const uint8_t *data, uint32_t len)
{
    (void)ctx;
    struct usbip_header h;
    usbip_header_unpack(header, &h);
    if (h.command != USBIP_RET_SUBMIT && h.command != USBIP_RET_UNLINK)
        abort();
    volatile uint8_t x = 0;
    for (uint32_t i = 0; i < len; i++)
        x ^= data[i]; /* every reported byte must be readable */
    (void)x;
}

static void submit(uint32_t ep, uint32_t dir, const uint8_t setup[8], uint32_t len, const uint8_t *out)
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
    (void)usbip_dev_submit(&h, out);
    dcd_poll();
}

static void control(uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length)
{
    uint8_t setup[8] = {bm, req, (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)index, (uint8_t)(index >> 8),
                        (uint8_t)length, (uint8_t)(length >> 8)};
    submit(0, (bm & 0x80u) ? USBIP_DIR_IN : USBIP_DIR_OUT, setup, (bm & 0x80u) ? length : 0u, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scsi_init(&fz_scsi, &board, &ops, NULL);
    msc_init(&fz_msc, &fz_scsi);
    usbd_init(&fz_usbd, &board, &fz_msc);
    dcd_connect();
    usbip_dev_attach(sink, NULL);
    control(0x00, 9, 1, 0, 0); /* SET_CONFIGURATION(1) */

    size_t i = 0;
    for (uint32_t n = 0; n < MAX_ACTIONS && i < size; n++) {
        uint8_t kind = data[i++];
        size_t left = size - i;
        switch (kind % 7u) {
        case 0: { /* a CBW with the right signature, the rest from the input */
            uint8_t cbw[MSC_CBW_LEN] = {'U', 'S', 'B', 'C'};
            size_t k = left < MSC_CBW_LEN - 4u ? left : MSC_CBW_LEN - 4u;
            memcpy(&cbw[4], &data[i], k);
            i += k;
            submit(1, USBIP_DIR_OUT, NULL, MSC_CBW_LEN, cbw);
            break;
        }
        case 1: { /* raw bulk OUT of the next len bytes */
            if (left < 1u)
                break;
            size_t len = data[i++] * 4u;
            if (len > size - i)
                len = size - i;
            submit(1, USBIP_DIR_OUT, NULL, (uint32_t)len, &data[i]);
            i += len;
            break;
        }
        case 2: { /* bulk IN of some length */
            if (left < 2u)
                break;
            uint32_t len = ((uint32_t)data[i] << 8 | data[i + 1]) % (MAX_IN_URB + 1u);
            i += 2;
            submit(1, USBIP_DIR_IN, NULL, len, NULL);
            break;
        }
        case 3: /* clear both halts, as a host does after a stall */
            control(0x02, 1, 0, 0x81, 0);
            control(0x02, 1, 0, 0x01, 0);
            break;
        case 4: /* Reset Recovery */
            control(0x21, 0xFF, 0, 0, 0);
            control(0x02, 1, 0, 0x81, 0);
            control(0x02, 1, 0, 0x01, 0);
            break;
        case 5: { /* any SETUP */
            if (left < 8u)
                break;
            uint8_t setup[8];
            memcpy(setup, &data[i], 8);
            i += 8;
            uint16_t wlen = (uint16_t)(setup[6] | setup[7] << 8);
            bool in = (setup[0] & 0x80u) != 0u;
            uint8_t zeros[64] = {0};
            uint32_t out_len = in ? 0u : (wlen < sizeof zeros ? wlen : sizeof zeros);
            submit(0, in ? USBIP_DIR_IN : USBIP_DIR_OUT, setup, in ? wlen : out_len, zeros);
            break;
        }
        default: { /* unlink one of the recent URBs */
            if (left < 1u)
                break;
            struct usbip_header h;
            memset(&h, 0, sizeof h);
            h.command = USBIP_CMD_UNLINK;
            h.seqnum = ++seqnum;
            h.flags = seqnum - 1u - (data[i++] % 4u);
            usbip_dev_unlink(&h);
            dcd_poll();
            break;
        }
        }
    }
    usbip_dev_detach();
    return 0;
}
