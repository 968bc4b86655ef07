/*
 * USB Mass Storage Bulk-Only Transport (BOT 1.0) for one logical unit.
 *
 * Receives a Command Block Wrapper on bulk OUT, runs its command through
 * usb/scsi, moves the data phase in sector-sized pieces through one buffer,
 * and answers with a Command Status Wrapper on bulk IN. Host/device
 * disagreements about the data phase are resolved as the spec's thirteen
 * cases say (BOT 6.7): stall the pipe the host expects data on, report the
 * residue, or report a phase error. A CBW that is not valid stalls both pipes
 * until Reset Recovery (class reset + CLEAR_FEATURE on both pipes).
 *
 * Driven by usb/usbd: it opens the endpoints on SET_CONFIGURATION and routes
 * bulk completions, halt clears and class requests here.
 */
#ifndef DB_MSC_H
#define DB_MSC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dcd.h"
#include "scsi.h"

#define MSC_EP_OUT 0x01u  /* bulk OUT: CBWs and write data */
#define MSC_EP_IN 0x81u   /* bulk IN: read data and CSWs */
#define MSC_EP_SIZE 64u   /* full-speed bulk max packet size */
#define MSC_INTERFACE 0u  /* the only interface of the only configuration */

#define MSC_CBW_LEN 31u   /* BOT 5.1: a valid CBW is exactly 31 bytes */
#define MSC_CSW_LEN 13u   /* BOT 5.2 */
/* One sector: the data phase moves one at a time, the CBW is received here too. */
#define MSC_BUF_SIZE DB_SECTOR_SIZE

enum msc_stage {
    MSC_OFF,        /* not configured */
    MSC_CBW,        /* waiting for a command */
    MSC_DATA_IN,
    MSC_DATA_OUT,
    MSC_CSW,        /* status to send (after the host cleared a stalled IN pipe) */
    MSC_NEED_RESET, /* invalid CBW: both pipes stall until Reset Recovery */
};

enum msc_csw_status { MSC_CSW_PASSED = 0, MSC_CSW_FAILED = 1, MSC_CSW_PHASE_ERROR = 2 };

struct msc {
    struct scsi *scsi;
    enum msc_stage stage;
    bool in_busy, out_busy;   /* a transfer of ours is queued on the pipe */
    uint32_t tag;             /* dCBWTag, echoed in the CSW */
    uint32_t host_len;        /* dCBWDataTransferLength */
    uint32_t dev_len;         /* what the command means to move */
    uint32_t moved;           /* data-phase bytes moved so far */
    uint32_t piece;           /* bytes of the transfer in flight */
    uint8_t csw_status;
    uint8_t buf[MSC_BUF_SIZE];
    uint8_t csw[MSC_CSW_LEN];
};

void msc_init(struct msc *m, struct scsi *scsi);

/* No command under way: nothing received that still needs its CSW sent.
   A device about to reset waits for this so the host sees the last command
   (e.g. the eject) complete. */
bool msc_idle(const struct msc *m);

/* Called by usbd. */
void msc_configure(struct msc *m);   /* SET_CONFIGURATION(1): open pipes, wait for a CBW */
void msc_unconfigure(struct msc *m); /* bus reset or SET_CONFIGURATION(0) */
void msc_xfer_done(struct msc *m, uint8_t ep_addr, uint32_t len);
/* CLEAR_FEATURE(ENDPOINT_HALT) cleared ep_addr's stall; msc may stall it again. */
void msc_halt_cleared(struct msc *m, uint8_t ep_addr);
/* A class request to the interface (Bulk-Only Reset, Get Max LUN). Returns the
   number of reply bytes written to data (at most wLength), or -1 to stall. */
int32_t msc_control(struct msc *m, const uint8_t setup[8], uint8_t *data);

#endif
