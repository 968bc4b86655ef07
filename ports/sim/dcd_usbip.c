/*
 * dcd.h over USB/IP: the simulated device controller.
 *
 * The host's URBs (from usbip.c) wait in one queue per endpoint; usb/ queues
 * transfers with dcd_ep_xfer. dcd_poll matches the two packet by packet at
 * full speed (64-byte max packet), the way a bus would:
 *  - a bulk IN URB completes when it is full or the device ended a transfer
 *    with a short packet; a device transfer may span several URBs;
 *  - a bulk OUT URB's data is cut into packets that fill the device's OUT
 *    transfers; a transfer ends when full or at a short packet; the URB
 *    completes when all its data was taken;
 *  - a control URB is one SETUP event; the device's data stage fills (IN) or
 *    drains (OUT) the URB, and the device's status stage completes it;
 *  - a stalled endpoint completes its URBs with -EPIPE.
 * Completions of device transfers are reported from dcd_poll only, after the
 * current event returned, so usb/ is never re-entered.
 */
#include <stdlib.h>
#include <string.h>

#include "dcd.h"
#include "usbip.h"

#define EP_MPS 64u           /* full speed: bulk and control max packet size */
#define EP_NUMS 16u
#define POLL_ROUNDS 100000u  /* bound of one dcd_poll: far more steps than any queued work needs */

struct urb {
    struct urb *next;
    uint32_t seqnum;
    uint32_t length;         /* transfer_buffer_length */
    uint32_t actual;         /* bytes moved so far */
    int32_t packets;         /* echoed in RET_SUBMIT */
    int32_t status;
    bool in;                 /* data direction */
    uint8_t setup[8];
    bool setup_sent;         /* control: the SETUP event was delivered */
    uint8_t *buf;
};

struct ep {
    /* the device's transfer */
    uint8_t *buf;
    uint32_t len, pos;
    bool active;
    bool done;               /* finished, xfer_done not yet reported */
    uint32_t done_len;
    bool stalled;
    /* the host's URBs, oldest first */
    struct urb *head;
};

static struct {
    const struct dcd_events *ev;
    bool connected;
    bool attached;
    usbip_send_fn send;
    void *send_ctx;
    struct ep eps[2][EP_NUMS]; /* [is_in][number]; control uses both of number 0 */
    struct urb *control;     /* the control URB whose SETUP the device has */
    uint8_t address;
} d;

static struct ep *ep_of(uint8_t ep_addr)
{
    return &d.eps[DCD_EP_IS_IN(ep_addr) ? 1 : 0][DCD_EP_NUM(ep_addr)];
}

static void urb_free(struct urb *u)
{
    free(u->buf);
    free(u);
}

static void urb_unqueue(struct urb *u)
{
    for (uint32_t dir = 0; dir < 2u; dir++) {
        for (uint32_t n = 0; n < EP_NUMS; n++) {
            struct urb **pp = &d.eps[dir][n].head;
            while (*pp != NULL && *pp != u)
                pp = &(*pp)->next;
            if (*pp == u) {
                *pp = u->next;
                return;
            }
        }
    }
}

/* RET_SUBMIT for u, then forget it. */
static void urb_complete(struct urb *u, int32_t status)
{
    urb_unqueue(u);
    if (d.control == u)
        d.control = NULL;
    usbip_send_ret_submit(d.send, d.send_ctx, u->seqnum, status, u->actual, u->packets, u->in ? u->buf : NULL);
    urb_free(u);
}

static void xfer_finish(struct ep *e, uint32_t len)
{
    e->active = false;
    e->done = true;
    e->done_len = len;
}

/* ---- dcd.h ---- */

void dcd_init(const struct dcd_events *ev)
{
    struct urb *keep[2 * EP_NUMS];
    uint32_t k = 0;
    /* The host's URBs belong to the connection, not to the device stack. */
    for (uint32_t dir = 0; dir < 2u; dir++)
        for (uint32_t n = 0; n < EP_NUMS; n++)
            keep[k++] = d.eps[dir][n].head;
    bool attached = d.attached;
    usbip_send_fn send = d.send;
    void *ctx = d.send_ctx;
    memset(&d, 0, sizeof d);
    k = 0;
    for (uint32_t dir = 0; dir < 2u; dir++)
        for (uint32_t n = 0; n < EP_NUMS; n++)
            d.eps[dir][n].head = keep[k++];
    d.ev = ev;
    d.attached = attached;
    d.send = send;
    d.send_ctx = ctx;
}

void dcd_connect(void)
{
    d.connected = true;
}

void dcd_disconnect(void)
{
    d.connected = false;
}

void dcd_set_address(uint8_t addr)
{
    /* The host side (vhci-hcd) answers SET_ADDRESS itself; kept for completeness. */
    d.address = addr;
}

void dcd_ep_open(uint8_t ep_addr, enum dcd_ep_type type, uint16_t max_packet)
{
    (void)type;
    (void)max_packet; /* full speed: every endpoint here is 64 bytes */
    struct ep *e = ep_of(ep_addr);
    e->active = false;
    e->done = false;
    e->stalled = false;
}

bool dcd_ep_xfer(uint8_t ep_addr, uint8_t *buf, uint32_t len)
{
    struct ep *e = ep_of(ep_addr);
    if (e->active || e->done)
        return false;
    e->buf = buf;
    e->len = len;
    e->pos = 0;
    e->active = true;
    return true;
}

void dcd_ep_stall(uint8_t ep_addr)
{
    ep_of(ep_addr)->stalled = true;
}

void dcd_ep_clear_stall(uint8_t ep_addr)
{
    ep_of(ep_addr)->stalled = false;
}

bool dcd_ep_stalled(uint8_t ep_addr)
{
    return ep_of(ep_addr)->stalled;
}

/* ---- the engine ---- */

/* One packet from the device's IN transfer into the host's IN URB. */
static bool move_in_packet(struct ep *e, uint8_t ep_addr, struct urb *u)
{
    (void)ep_addr;
    uint32_t pkt = e->len - e->pos;
    if (pkt > EP_MPS)
        pkt = EP_MPS;
    uint32_t room = u->length - u->actual;
    uint32_t copy = pkt < room ? pkt : room;
    if (copy > 0u)
        memcpy(u->buf + u->actual, e->buf + e->pos, copy);
    u->actual += copy;
    e->pos += pkt;
    if (e->pos == e->len)
        xfer_finish(e, e->len);
    if (pkt > room)
        urb_complete(u, USBIP_EOVERFLOW);
    else if (pkt < EP_MPS || u->actual == u->length)
        urb_complete(u, 0);
    return true;
}

/* One packet of the host's OUT URB into the device's OUT transfer. */
static bool move_out_packet(struct ep *e, struct urb *u)
{
    uint32_t pkt = u->length - u->actual;
    if (pkt > EP_MPS)
        pkt = EP_MPS;
    uint32_t room = e->len - e->pos;
    uint32_t copy = pkt < room ? pkt : room; /* more than the device asked for is lost (babble) */
    if (copy > 0u)
        memcpy(e->buf + e->pos, u->buf + u->actual, copy);
    e->pos += copy;
    u->actual += pkt;
    if (pkt < EP_MPS || e->pos == e->len)
        xfer_finish(e, e->pos);
    if (u->actual == u->length)
        urb_complete(u, 0);
    return true;
}

static bool step_bulk(uint8_t ep_addr)
{
    struct ep *e = ep_of(ep_addr);
    struct urb *u = e->head;
    if (u == NULL)
        return false;
    if (e->stalled) {
        urb_complete(u, USBIP_EPIPE);
        return true;
    }
    if (!e->active)
        return false;
    return DCD_EP_IS_IN(ep_addr) ? move_in_packet(e, ep_addr, u) : move_out_packet(e, u);
}

/* Control transfers on endpoint 0: the URB sits in the OUT queue of EP 0. */
static bool step_control(void)
{
    struct ep *in = &d.eps[1][0];
    struct ep *out = &d.eps[0][0];
    struct urb *u = d.control;
    if (u == NULL) {
        u = out->head;
        if (u == NULL || in->done || out->done)
            return false; /* the last control transfer's ends are reported first */
        /* A SETUP ends a stall of EP0 and whatever control transfer was under way. */
        in->stalled = out->stalled = false;
        in->active = out->active = false;
        in->done = out->done = false;
        u->setup_sent = true;
        d.control = u;
        d.ev->setup(d.ev->ctx, u->setup);
        return true;
    }
    if (in->stalled || out->stalled) {
        urb_complete(u, USBIP_EPIPE);
        return true;
    }
    if (u->in) {
        if (in->active) { /* data stage: all of the device's transfer, cut to wLength */
            uint32_t room = u->length - u->actual;
            uint32_t n = in->len < room ? in->len : room;
            if (n > 0u)
                memcpy(u->buf + u->actual, in->buf, n);
            u->actual += n;
            xfer_finish(in, in->len);
            return true;
        }
        if (out->active) { /* status stage */
            xfer_finish(out, 0);
            urb_complete(u, 0);
            return true;
        }
        return false;
    }
    if (out->active) { /* OUT data stage */
        uint32_t left = u->length - u->actual;
        uint32_t n = out->len < left ? out->len : left;
        if (n > 0u)
            memcpy(out->buf, u->buf + u->actual, n);
        u->actual += n;
        xfer_finish(out, n);
        return true;
    }
    if (in->active) { /* status stage */
        xfer_finish(in, 0);
        urb_complete(u, 0);
        return true;
    }
    return false;
}

/* Report finished device transfers, one at a time (each may queue more). */
static bool report_done(void)
{
    for (uint32_t dir = 0; dir < 2u; dir++) {
        for (uint32_t n = 0; n < EP_NUMS; n++) {
            struct ep *e = &d.eps[dir][n];
            if (e->done) {
                e->done = false;
                d.ev->xfer_done(d.ev->ctx, (uint8_t)(n | (dir ? DCD_EP_DIR_IN : 0u)), e->done_len);
                return true;
            }
        }
    }
    return false;
}

void dcd_poll(void)
{
    if (d.ev == NULL || !d.attached || !d.connected)
        return;
    for (uint32_t round = 0; round < POLL_ROUNDS; round++) {
        bool progress = report_done();
        progress = step_control() || progress;
        for (uint8_t n = 1; n < EP_NUMS; n++) {
            progress = step_bulk((uint8_t)(n | DCD_EP_DIR_IN)) || progress;
            progress = step_bulk(n) || progress;
        }
        if (!progress)
            return;
    }
}

/* ---- the connection side ---- */

static void drop_all_urbs(void)
{
    for (uint32_t dir = 0; dir < 2u; dir++) {
        for (uint32_t n = 0; n < EP_NUMS; n++) {
            struct urb *u = d.eps[dir][n].head;
            while (u != NULL) {
                struct urb *next = u->next;
                urb_free(u);
                u = next;
            }
            d.eps[dir][n].head = NULL;
        }
    }
    d.control = NULL;
}

void usbip_dev_attach(usbip_send_fn send, void *ctx)
{
    drop_all_urbs();
    d.send = send;
    d.send_ctx = ctx;
    d.attached = true;
    /* The host resets the port before it talks to a new device. */
    for (uint32_t dir = 0; dir < 2u; dir++) {
        for (uint32_t n = 0; n < EP_NUMS; n++) {
            d.eps[dir][n].active = d.eps[dir][n].done = d.eps[dir][n].stalled = false;
        }
    }
    if (d.ev != NULL)
        d.ev->bus_reset(d.ev->ctx);
}

void usbip_dev_detach(void)
{
    drop_all_urbs();
    d.attached = false;
    d.send = NULL;
    d.send_ctx = NULL;
}

bool usbip_dev_attached(void)
{
    return d.attached;
}

bool usbip_dev_submit(const struct usbip_header *h, const uint8_t *out_data)
{
    uint32_t num = h->ep;
    if (!d.attached || !usbip_submit_ok(h, EP_NUMS))
        return false;
    struct urb *u = calloc(1, sizeof *u);
    if (u == NULL)
        return false;
    u->seqnum = h->seqnum;
    u->length = (uint32_t)h->length;
    u->packets = h->packets;
    memcpy(u->setup, h->setup, sizeof u->setup);
    u->in = usbip_submit_in(h);
    u->buf = malloc(u->length > 0u ? u->length : 1u);
    if (u->buf == NULL) {
        free(u);
        return false;
    }
    if (!u->in && u->length > 0u)
        memcpy(u->buf, out_data, u->length);
    /* Control URBs of both directions queue on EP 0 OUT, where SETUPs arrive. */
    struct ep *e = (num == 0u) ? &d.eps[0][0] : &d.eps[u->in ? 1 : 0][num];
    struct urb **pp = &e->head;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = u;
    return true;
}

void usbip_dev_unlink(const struct usbip_header *h)
{
    struct urb *found = NULL;
    for (uint32_t dir = 0; dir < 2u && found == NULL; dir++)
        for (uint32_t n = 0; n < EP_NUMS && found == NULL; n++)
            for (struct urb *u = d.eps[dir][n].head; u != NULL; u = u->next)
                if (u->seqnum == h->flags) {
                    found = u;
                    break;
                }
    int32_t status = 0; /* already completed: its RET_SUBMIT went out */
    if (found != NULL) {
        if (d.control == found) {
            /* The control transfer is abandoned; the next SETUP starts over. */
            d.control = NULL;
            d.eps[0][0].active = d.eps[1][0].active = false;
        }
        urb_unqueue(found);
        urb_free(found);
        status = USBIP_ECONNRESET;
    }
    usbip_send_ret_unlink(d.send, d.send_ctx, h->seqnum, status);
}
