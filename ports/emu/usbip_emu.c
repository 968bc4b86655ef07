/* USB/IP URBs onto the emulated bus (see usbip_emu.h). */
#include "usbip_emu.h"

#include <stdlib.h>
#include <string.h>

#include "usbip.h"

#define EP_NUMS 16u
#define SETUP_LEN 8u
#define USBIP_EPROTO (-71)     /* Linux URB status: the device broke the protocol */
#define USBIP_ETIMEDOUT (-110)
#define REQ_CLEAR_FEATURE 1u
#define REQ_SET_ADDRESS 5u
#define REQ_SET_CONFIGURATION 9u
#define REQ_SET_INTERFACE 11u
#define RECIPIENT_ENDPOINT 2u
#define FEATURE_ENDPOINT_HALT 0u
#define PORT_RESET_TIMEOUT_NS (3000u * USBHOST_MS) /* the device may still be booting */

struct urb {
    struct urb *next;
    uint32_t seqnum;
    uint32_t ep;             /* endpoint number */
    bool in;                 /* data direction */
    uint32_t length;         /* transfer_buffer_length */
    uint32_t actual;
    int32_t packets;         /* echoed in RET_SUBMIT */
    uint8_t setup[SETUP_LEN];
    uint8_t *buf;
};

static struct {
    struct usbhost *h;
    usbip_send_fn send;
    void *send_ctx;
    bool attached;
    bool need_port_reset;
    struct urb *head;        /* oldest first; the head is the one under way */
} g;

static void urb_free(struct urb *u)
{
    free(u->buf);
    free(u);
}

static void drop_all(void)
{
    while (g.head != NULL) {
        struct urb *u = g.head;
        g.head = u->next;
        urb_free(u);
    }
}

void usbip_emu_init(struct usbhost *h)
{
    drop_all();
    memset(&g, 0, sizeof g);
    g.h = h;
}

/* RET_SUBMIT for the head URB, then forget it. */
static void complete_head(int32_t status)
{
    struct urb *u = g.head;
    g.head = u->next;
    usbip_send_ret_submit(g.send, g.send_ctx, u->seqnum, status, u->actual, u->packets, u->in ? u->buf : NULL);
    urb_free(u);
}

static int32_t urb_status(int r)
{
    switch (r) {
    case USBHOST_OK: return 0;
    case USBHOST_STALL: return USBIP_EPIPE;
    case USBHOST_TIMEOUT: return USBIP_ETIMEDOUT;
    case USBHOST_PROTOCOL: return USBIP_EPROTO;
    default: return USBIP_EPROTO;
    }
}

/* What the host side keeps about requests it forwards (USB 2.0 9.4): the
   address, and data toggles back to DATA0 after a halt is cleared or a
   configuration / alternate setting is chosen. */
static void note_standard_request(const uint8_t s[SETUP_LEN])
{
    struct usbhost *h = g.h;
    uint16_t value = (uint16_t)(s[2] | (s[3] << 8));
    uint16_t index = (uint16_t)(s[4] | (s[5] << 8));
    if (s[0] == 0x00u && s[1] == REQ_SET_ADDRESS) {
        h->address = (uint8_t)value;
    } else if (s[0] == RECIPIENT_ENDPOINT && s[1] == REQ_CLEAR_FEATURE && value == FEATURE_ENDPOINT_HALT) {
        h->toggle[index & 0x0Fu][(index & 0x80u) ? 1 : 0] = 0u;
    } else if ((s[0] == 0x00u && s[1] == REQ_SET_CONFIGURATION) || (s[0] == 0x01u && s[1] == REQ_SET_INTERFACE)) {
        for (uint32_t n = 1; n < EP_NUMS; n++)
            h->toggle[n][0] = h->toggle[n][1] = 0u;
    }
}

static int step_control(struct urb *u)
{
    uint32_t actual = 0;
    int r = usbhost_control(g.h, u->setup, u->buf, &actual);
    if (r == USBHOST_DISCONNECTED || r == USBHOST_DEAD)
        return r;
    u->actual = actual;
    if (r == USBHOST_OK)
        note_standard_request(u->setup);
    complete_head(urb_status(r));
    return USBHOST_OK;
}

static int step_bulk(struct urb *u, uint64_t slice_ns)
{
    uint32_t got = 0;
    uint8_t ep = (uint8_t)(u->ep | (u->in ? 0x80u : 0u));
    int r = usbhost_bulk(g.h, ep, u->buf + u->actual, u->length - u->actual, &got, slice_ns);
    u->actual += got;
    if (r == USBHOST_TIMEOUT)
        return USBHOST_OK; /* NAKed for this slice: goes on at the next */
    if (r == USBHOST_DISCONNECTED || r == USBHOST_DEAD)
        return r;
    complete_head(r == USBHOST_PROTOCOL ? USBIP_EOVERFLOW : urb_status(r));
    return USBHOST_OK;
}

int usbip_emu_step(uint64_t slice_ns)
{
    if (!g.attached)
        return usbhost_idle(g.h, slice_ns);
    if (g.need_port_reset) {
        /* A new import: the host resets the port before it talks to the device. */
        int r = usbhost_port_reset(g.h, PORT_RESET_TIMEOUT_NS);
        if (r != USBHOST_OK)
            return r == USBHOST_DEAD ? r : USBHOST_DISCONNECTED;
        g.need_port_reset = false;
    }
    if (!usbhost_connected(g.h))
        return USBHOST_DISCONNECTED;
    struct urb *u = g.head;
    if (u == NULL)
        return usbhost_idle(g.h, slice_ns);
    return u->ep == 0u ? step_control(u) : step_bulk(u, slice_ns);
}

/* ---- the usbip.h door ---- */

void usbip_dev_attach(usbip_send_fn send, void *ctx)
{
    drop_all();
    g.send = send;
    g.send_ctx = ctx;
    g.attached = true;
    g.need_port_reset = true;
}

void usbip_dev_detach(void)
{
    drop_all();
    g.attached = false;
    g.send = NULL;
    g.send_ctx = NULL;
}

bool usbip_dev_attached(void)
{
    return g.attached;
}

bool usbip_dev_submit(const struct usbip_header *h, const uint8_t *out_data)
{
    if (!g.attached || !usbip_submit_ok(h, EP_NUMS))
        return false;
    struct urb *u = calloc(1, sizeof *u);
    if (u == NULL)
        return false;
    u->seqnum = h->seqnum;
    u->ep = h->ep;
    u->length = (uint32_t)h->length;
    u->packets = h->packets;
    memcpy(u->setup, h->setup, SETUP_LEN);
    u->in = usbip_submit_in(h);
    /* Room for wLength too: the device fills what the SETUP asks for. */
    uint32_t wlength = (uint32_t)h->setup[6] | ((uint32_t)h->setup[7] << 8);
    uint32_t room = u->length > wlength ? u->length : wlength;
    u->buf = calloc(1, room > 0u ? room : 1u);
    if (u->buf == NULL) {
        free(u);
        return false;
    }
    if (!u->in && u->length > 0u)
        memcpy(u->buf, out_data, u->length);
    struct urb **pp = &g.head;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = u;
    return true;
}

void usbip_dev_unlink(const struct usbip_header *h)
{
    int32_t status = 0; /* not found: it completed already, its RET_SUBMIT went out */
    for (struct urb **pp = &g.head; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->seqnum == h->flags) {
            /* Dropped where it stands; packets already moved stay moved. */
            struct urb *u = *pp;
            *pp = u->next;
            urb_free(u);
            status = USBIP_ECONNRESET;
            break;
        }
    }
    usbip_send_ret_unlink(g.send, g.send_ctx, h->seqnum, status);
}
