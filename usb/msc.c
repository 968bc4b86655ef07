/*
 * Bulk-Only Transport: one command at a time, one sector buffer.
 *
 * Notation of BOT 6.7: the host expects no data (Hn), data in (Hi) or data
 * out (Ho); the device intends none (Dn), in (Di) or out (Do). The data
 * phase moves min(host, device) bytes; if the host expected more than was
 * moved, the pipe it waits on is stalled, and the CSW tells the residue.
 * When the two disagree on direction, or the device had more to move than
 * the host allowed, the CSW says phase error and the host resets us.
 *
 * Transfers are queued only on pipes that are not stalled; a cleared halt
 * (msc_halt_cleared) resumes whatever waits for that pipe.
 */
#include <string.h>

#include "byteorder.h"
#include "msc.h"

#define CBW_SIGNATURE 0x43425355u /* "USBC" little-endian */
#define CSW_SIGNATURE 0x53425355u /* "USBS" little-endian */
#define CBW_FLAG_IN 0x80u
#define CBW_OFF_TAG 4u
#define CBW_OFF_LEN 8u
#define CBW_OFF_FLAGS 12u
#define CBW_OFF_LUN 13u
#define CBW_OFF_CBLEN 14u
#define CBW_OFF_CB 15u
#define CBW_LUN_MASK 0x0Fu
/* A CBW is received into one max-packet-size piece: a longer write from the
   host can then never spill into the next phase unnoticed. */
#define CBW_RX_LEN MSC_EP_SIZE

#define REQ_BOT_RESET 0xFFu       /* Bulk-Only Mass Storage Reset */
#define REQ_GET_MAX_LUN 0xFEu
#define REQTYPE_CLASS_IFACE_OUT 0x21u
#define REQTYPE_CLASS_IFACE_IN 0xA1u
#define MAX_LUN 0u                /* one logical unit */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

void msc_init(struct msc *m, struct scsi *scsi)
{
    memset(m, 0, sizeof *m);
    m->scsi = scsi;
    m->stage = MSC_OFF;
}

static void start_in(struct msc *m, uint8_t *buf, uint32_t len)
{
    m->piece = len;
    m->in_busy = dcd_ep_xfer(MSC_EP_IN, buf, len);
}

static void start_out(struct msc *m, uint32_t len)
{
    m->piece = len;
    m->out_busy = dcd_ep_xfer(MSC_EP_OUT, m->buf, len);
}

/* Move on to the status stage; host_len - moved is the residue. */
static void to_csw(struct msc *m, uint8_t status)
{
    m->csw_status = status;
    m->stage = MSC_CSW;
}

/* Queue whatever the current stage waits for, if its pipe is free. */
static void kick(struct msc *m)
{
    switch (m->stage) {
    case MSC_CBW:
        if (!m->out_busy && !dcd_ep_stalled(MSC_EP_OUT))
            start_out(m, CBW_RX_LEN);
        break;
    case MSC_CSW:
        if (!m->in_busy && !dcd_ep_stalled(MSC_EP_IN)) {
            le_put32(&m->csw[0], CSW_SIGNATURE);
            le_put32(&m->csw[4], m->tag);
            le_put32(&m->csw[8], m->host_len - m->moved);
            m->csw[12] = m->csw_status;
            start_in(m, m->csw, MSC_CSW_LEN);
        }
        break;
    default:
        break;
    }
}

/* The data phase is over (all moved, the command failed on the way, or the
   host ended an OUT phase short). stall_ep: the pipe the host still waits on
   when less was moved than it expected. */
static void finish(struct msc *m, uint8_t stall_ep)
{
    uint8_t status = scsi_end(m->scsi) == SCSI_GOOD ? MSC_CSW_PASSED : MSC_CSW_FAILED;
    if (m->dev_len > m->host_len)
        status = MSC_CSW_PHASE_ERROR; /* cases 7 (Hi < Di) and 13 (Ho < Do) */
    if (m->moved < m->host_len && stall_ep != 0u)
        dcd_ep_stall(stall_ep);       /* cases 4, 5 (IN); 9, 11 (OUT: refuse the rest) */
    to_csw(m, status);
    kick(m);
}

static void next_in_piece(struct msc *m)
{
    uint32_t limit = min_u32(m->host_len, m->dev_len);
    if (m->moved >= limit) {
        finish(m, MSC_EP_IN);
        return;
    }
    uint32_t n = scsi_in(m->scsi, m->buf);
    if (n == 0u) {
        finish(m, MSC_EP_IN);
        return;
    }
    start_in(m, m->buf, min_u32(n, limit - m->moved));
}

static void next_out_piece(struct msc *m)
{
    uint32_t limit = min_u32(m->host_len, m->dev_len);
    if (m->moved >= limit) {
        finish(m, MSC_EP_OUT);
        return;
    }
    start_out(m, min_u32(MSC_BUF_SIZE, limit - m->moved));
}

static void stall_both(struct msc *m)
{
    m->stage = MSC_NEED_RESET;
    dcd_ep_stall(MSC_EP_IN);
    dcd_ep_stall(MSC_EP_OUT);
}

static bool cbw_valid(const uint8_t *cbw, uint32_t len)
{
    if (len != MSC_CBW_LEN || le_get32(cbw) != CBW_SIGNATURE)
        return false;
    /* Meaningful too: our only LUN, a command block length the spec allows. */
    return (cbw[CBW_OFF_LUN] & CBW_LUN_MASK) == MAX_LUN && cbw[CBW_OFF_CBLEN] >= 1u &&
           cbw[CBW_OFF_CBLEN] <= SCSI_CDB_MAX;
}

static void handle_cbw(struct msc *m, uint32_t len)
{
    if (!cbw_valid(m->buf, len)) {
        stall_both(m);
        return;
    }
    m->tag = le_get32(&m->buf[CBW_OFF_TAG]);
    m->host_len = le_get32(&m->buf[CBW_OFF_LEN]);
    bool host_in = (m->buf[CBW_OFF_FLAGS] & CBW_FLAG_IN) != 0u;
    m->moved = 0;
    uint8_t cb[SCSI_CDB_MAX];
    memcpy(cb, &m->buf[CBW_OFF_CB], SCSI_CDB_MAX);
    enum scsi_dir dev = scsi_begin(m->scsi, cb, m->buf[CBW_OFF_CBLEN], &m->dev_len);
    uint8_t status = scsi_end(m->scsi) == SCSI_GOOD ? MSC_CSW_PASSED : MSC_CSW_FAILED;

    if (m->host_len == 0u) {
        /* case 1 (Hn = Dn), cases 2 and 3 (Hn < Di, Hn < Do) */
        to_csw(m, dev == SCSI_DIR_NONE ? status : MSC_CSW_PHASE_ERROR);
        kick(m);
    } else if (host_in) {
        if (dev == SCSI_DIR_IN) {
            m->stage = MSC_DATA_IN;       /* cases 5, 6, 7 */
            next_in_piece(m);
        } else if (dev == SCSI_DIR_NONE) {
            finish(m, MSC_EP_IN);         /* case 4: Hi > Dn */
        } else {
            dcd_ep_stall(MSC_EP_IN);      /* case 8: Hi <> Do */
            to_csw(m, MSC_CSW_PHASE_ERROR);
        }
    } else {
        if (dev == SCSI_DIR_OUT) {
            m->stage = MSC_DATA_OUT;      /* cases 11, 12, 13 */
            next_out_piece(m);
        } else if (dev == SCSI_DIR_NONE) {
            finish(m, MSC_EP_OUT);        /* case 9: Ho > Dn */
        } else {
            dcd_ep_stall(MSC_EP_OUT);     /* case 10: Ho <> Di */
            to_csw(m, MSC_CSW_PHASE_ERROR);
            kick(m);
        }
    }
}

void msc_xfer_done(struct msc *m, uint8_t ep_addr, uint32_t len)
{
    if (ep_addr == MSC_EP_IN) {
        m->in_busy = false;
        if (m->stage == MSC_DATA_IN) {
            m->moved += len;
            next_in_piece(m);
        } else if (m->stage == MSC_CSW) {
            m->stage = MSC_CBW;
            kick(m);
        }
    } else if (ep_addr == MSC_EP_OUT) {
        m->out_busy = false;
        if (m->stage == MSC_CBW) {
            handle_cbw(m, len);
        } else if (m->stage == MSC_DATA_OUT) {
            scsi_out(m->scsi, m->buf, len);
            m->moved += len;
            if (len < m->piece)
                finish(m, 0u); /* the host ended its data early: no stall */
            else
                next_out_piece(m);
        }
    }
}

/* Open both pipes fresh: no transfer queued, not stalled, DATA0. */
static void open_pipes(struct msc *m)
{
    dcd_ep_open(MSC_EP_IN, DCD_EP_BULK, MSC_EP_SIZE);
    dcd_ep_open(MSC_EP_OUT, DCD_EP_BULK, MSC_EP_SIZE);
    m->in_busy = false;
    m->out_busy = false;
}

bool msc_idle(const struct msc *m)
{
    return m->stage == MSC_OFF || m->stage == MSC_NEED_RESET || m->stage == MSC_CBW;
}

void msc_configure(struct msc *m)
{
    open_pipes(m);
    m->stage = MSC_CBW;
    kick(m);
}

void msc_unconfigure(struct msc *m)
{
    m->stage = MSC_OFF;
    m->in_busy = false;
    m->out_busy = false;
}

void msc_halt_cleared(struct msc *m, uint8_t ep_addr)
{
    if (m->stage == MSC_NEED_RESET) {
        /* BOT 6.6.1: only Reset Recovery ends an invalid CBW's stall. */
        dcd_ep_stall(ep_addr);
        return;
    }
    kick(m);
}

/* Bulk-Only Mass Storage Reset: drop the command under way, wait for a CBW.
   Stall conditions survive it (BOT 3.1); the host clears them next. */
static void bot_reset(struct msc *m)
{
    if (m->stage == MSC_OFF)
        return;
    bool in_stalled = dcd_ep_stalled(MSC_EP_IN) || m->stage == MSC_NEED_RESET;
    bool out_stalled = dcd_ep_stalled(MSC_EP_OUT) || m->stage == MSC_NEED_RESET;
    open_pipes(m); /* cancels a transfer the host gave up on */
    if (in_stalled)
        dcd_ep_stall(MSC_EP_IN);
    if (out_stalled)
        dcd_ep_stall(MSC_EP_OUT);
    m->stage = MSC_CBW;
    kick(m);
}

int32_t msc_control(struct msc *m, const uint8_t setup[8], uint8_t *data)
{
    uint16_t value = le_get16(setup + 2);
    uint16_t index = le_get16(setup + 4);
    uint16_t length = le_get16(setup + 6);
    if (index != MSC_INTERFACE || value != 0u)
        return -1;
    if (setup[0] == REQTYPE_CLASS_IFACE_OUT && setup[1] == REQ_BOT_RESET && length == 0u) {
        bot_reset(m);
        return 0;
    }
    if (setup[0] == REQTYPE_CLASS_IFACE_IN && setup[1] == REQ_GET_MAX_LUN && length >= 1u) {
        data[0] = MAX_LUN;
        return 1;
    }
    return -1;
}
