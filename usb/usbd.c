/*
 * Chapter 9 of USB 2.0 for a single-configuration, bus-powered, full-speed
 * device. A control transfer is: SETUP -> optional IN data (our reply, cut to
 * wLength, a zero-length packet when it ends short on a packet boundary) ->
 * status in the other direction. We never take OUT data on EP0: requests
 * that carry some are stalled. A stall of EP0 lasts until the next SETUP.
 */
#include <string.h>

#include "byteorder.h"
#include "usbd.h"

/* bmRequestType fields */
#define REQ_DIR_IN 0x80u
#define REQ_TYPE(bm) (((bm) >> 5) & 0x3u)
#define REQ_TYPE_STANDARD 0u
#define REQ_TYPE_CLASS 1u
#define REQ_RECIPIENT(bm) ((bm) & 0x1Fu)
#define REQ_TO_DEVICE 0u
#define REQ_TO_INTERFACE 1u
#define REQ_TO_ENDPOINT 2u

/* bRequest, standard */
#define GET_STATUS 0u
#define CLEAR_FEATURE 1u
#define SET_FEATURE 3u
#define SET_ADDRESS 5u
#define GET_DESCRIPTOR 6u
#define GET_CONFIGURATION 8u
#define SET_CONFIGURATION 9u
#define GET_INTERFACE 10u
#define SET_INTERFACE 11u

#define FEATURE_ENDPOINT_HALT 0u
#define CONFIG_VALUE 1u          /* bConfigurationValue of our only configuration */
#define MAX_ADDRESS 127u
#define LANGID_EN_US 0x0409u

enum string_index { STR_LANGUAGES = 0, STR_MANUFACTURER = 1, STR_PRODUCT = 2, STR_SERIAL = 3 };

#define DEVICE_DESC_LEN 18u
#define CONFIG_DESC_LEN 32u /* configuration 9 + interface 9 + two endpoints 7 */

/* Device descriptor; VID, PID and bcdDevice are filled in from the board and DB_VERSION_BCD. */
static const uint8_t device_desc_template[DEVICE_DESC_LEN] = {
    DEVICE_DESC_LEN, USBD_DESC_DEVICE,
    0x00, 0x02,       /* bcdUSB 2.00 (full speed only: device qualifier stalls) */
    0x00, 0x00, 0x00, /* class per interface */
    USBD_EP0_SIZE,
    0, 0, 0, 0, 0, 0, /* idVendor, idProduct, bcdDevice */
    STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL,
    1,                /* bNumConfigurations */
};

static const uint8_t config_desc[CONFIG_DESC_LEN] = {
    9, USBD_DESC_CONFIGURATION, CONFIG_DESC_LEN, 0,
    1,            /* bNumInterfaces */
    CONFIG_VALUE,
    0,            /* iConfiguration */
    0x80,         /* bmAttributes: bus powered, no remote wakeup */
    50,           /* bMaxPower: 100 mA in 2 mA units */
    /* interface 0: Mass Storage, SCSI transparent command set, Bulk-Only Transport */
    9, 4, MSC_INTERFACE, 0, 2, 0x08, 0x06, 0x50, 0,
    /* bulk IN, bulk OUT */
    7, 5, MSC_EP_IN, DCD_EP_BULK, MSC_EP_SIZE, 0, 0,
    7, 5, MSC_EP_OUT, DCD_EP_BULK, MSC_EP_SIZE, 0, 0,
};

static const uint8_t languages_desc[4] = {4, USBD_DESC_STRING, LANGID_EN_US & 0xFFu, LANGID_EN_US >> 8};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static uint32_t copy_out(uint8_t *buf, uint32_t max, const uint8_t *src, uint32_t len)
{
    uint32_t n = min_u32(len, max);
    memcpy(buf, src, n);
    return n;
}

/* ASCII into a UTF-16LE string descriptor; non-ASCII bytes become '?'. */
static uint32_t string_desc(const char *s, uint8_t *buf, uint32_t max)
{
    uint8_t tmp[USBD_EP0_BUF_SIZE];
    uint32_t n = 0;
    while (s != NULL && n < USBD_STRING_MAX_CHARS && s[n] != '\0') {
        uint8_t c = (uint8_t)s[n];
        tmp[2u + 2u * n] = (c < 0x80u) ? c : (uint8_t)'?';
        tmp[3u + 2u * n] = 0;
        n++;
    }
    tmp[0] = (uint8_t)(2u + 2u * n);
    tmp[1] = USBD_DESC_STRING;
    return copy_out(buf, max, tmp, tmp[0]);
}

uint32_t usbd_descriptor(const struct usbd *u, uint8_t type, uint8_t index, uint8_t *buf, uint32_t max)
{
    if (type == USBD_DESC_DEVICE && index == 0u) {
        uint8_t d[DEVICE_DESC_LEN];
        memcpy(d, device_desc_template, sizeof d);
        le_put16(d + 8, u->board->usb_vid);
        le_put16(d + 10, u->board->usb_pid);
        le_put16(d + 12, DB_VERSION_BCD);
        return copy_out(buf, max, d, sizeof d);
    }
    if (type == USBD_DESC_CONFIGURATION && index == 0u)
        return copy_out(buf, max, config_desc, sizeof config_desc);
    if (type != USBD_DESC_STRING)
        return 0; /* device qualifier, other-speed configuration: full speed only */
    switch (index) {
    case STR_LANGUAGES:
        return copy_out(buf, max, languages_desc, sizeof languages_desc);
    case STR_MANUFACTURER:
        return string_desc(u->board->usb_manufacturer, buf, max);
    case STR_PRODUCT:
        return string_desc(u->board->usb_product, buf, max);
    case STR_SERIAL: {
        char serial[BOARD_SERIAL_LEN + 1];
        board_serial(serial);
        serial[BOARD_SERIAL_LEN] = '\0';
        return string_desc(serial, buf, max);
    }
    default:
        return 0;
    }
}

static bool ep_valid(const struct usbd *u, uint8_t ep)
{
    if (DCD_EP_NUM(ep) == 0u)
        return true;
    return u->config != 0u && (ep == MSC_EP_IN || ep == MSC_EP_OUT);
}

static void set_configuration(struct usbd *u, uint8_t value)
{
    u->config = value;
    if (value == CONFIG_VALUE)
        msc_configure(u->msc); /* also on a repeated SET_CONFIGURATION: pipes start fresh */
    else
        msc_unconfigure(u->msc);
}

/* What a standard request must look like to be answered (USB 2.0 9.4): one
   row per request, checked in one place; a request that fails a check, or
   has no row, stalls. Rows are searched in order (no two share a key). */
#define RULE_IN 0x01u         /* device-to-host (else host-to-device) */
#define RULE_VALUE0 0x02u     /* wValue 0 */
#define RULE_INDEX0 0x04u     /* wIndex 0 */
#define RULE_CONFIGURED 0x08u /* only in the Configured state */
#define RULE_IFACE 0x10u      /* wIndex is our interface */
#define RULE_EP 0x20u         /* wIndex is an endpoint of ours */
#define RULE_ANY_LENGTH 0xFFu

enum std_req {
    DEV_GET_STATUS, DEV_SET_ADDRESS, DEV_GET_DESCRIPTOR, DEV_GET_CONFIGURATION, DEV_SET_CONFIGURATION,
    IF_GET_STATUS, IF_GET_INTERFACE, IF_SET_INTERFACE, EP_GET_STATUS, EP_CLEAR_FEATURE, EP_SET_FEATURE,
    STD_REQ_COUNT
};

struct std_rule {
    uint8_t recipient;
    uint8_t request;
    uint8_t flags;
    uint8_t length; /* the wLength it must have, or RULE_ANY_LENGTH */
};

static const struct std_rule std_rules[STD_REQ_COUNT] = {
    [DEV_GET_STATUS] = {REQ_TO_DEVICE, GET_STATUS, RULE_IN | RULE_VALUE0 | RULE_INDEX0, 2},
    [DEV_SET_ADDRESS] = {REQ_TO_DEVICE, SET_ADDRESS, RULE_INDEX0, RULE_ANY_LENGTH},
    [DEV_GET_DESCRIPTOR] = {REQ_TO_DEVICE, GET_DESCRIPTOR, RULE_IN, RULE_ANY_LENGTH},
    [DEV_GET_CONFIGURATION] = {REQ_TO_DEVICE, GET_CONFIGURATION, RULE_IN, 1},
    [DEV_SET_CONFIGURATION] = {REQ_TO_DEVICE, SET_CONFIGURATION, 0, RULE_ANY_LENGTH},
    [IF_GET_STATUS] = {REQ_TO_INTERFACE, GET_STATUS, RULE_IN | RULE_CONFIGURED | RULE_IFACE, 2},
    [IF_GET_INTERFACE] = {REQ_TO_INTERFACE, GET_INTERFACE, RULE_IN | RULE_CONFIGURED | RULE_IFACE, 1},
    [IF_SET_INTERFACE] = {REQ_TO_INTERFACE, SET_INTERFACE, RULE_CONFIGURED | RULE_IFACE | RULE_VALUE0, RULE_ANY_LENGTH},
    [EP_GET_STATUS] = {REQ_TO_ENDPOINT, GET_STATUS, RULE_IN | RULE_VALUE0 | RULE_EP, 2},
    /* wValue 0 is ENDPOINT_HALT, the only endpoint feature */
    [EP_CLEAR_FEATURE] = {REQ_TO_ENDPOINT, CLEAR_FEATURE, RULE_VALUE0 | RULE_EP, RULE_ANY_LENGTH},
    [EP_SET_FEATURE] = {REQ_TO_ENDPOINT, SET_FEATURE, RULE_VALUE0 | RULE_EP, RULE_ANY_LENGTH},
};
_Static_assert(FEATURE_ENDPOINT_HALT == 0u, "the endpoint feature rows check wValue 0");

/* The row the request matches, or STD_REQ_COUNT: none, or a check fails. */
static uint32_t std_match(const struct usbd *u, const uint8_t *setup, uint16_t value, uint16_t index,
                          uint16_t length)
{
    uint32_t i = 0;
    while (i < STD_REQ_COUNT &&
           (std_rules[i].recipient != REQ_RECIPIENT(setup[0]) || std_rules[i].request != setup[1]))
        i++;
    if (i == STD_REQ_COUNT)
        return i;
    const struct std_rule *r = &std_rules[i];
    bool ok = ((setup[0] & REQ_DIR_IN) != 0u) == ((r->flags & RULE_IN) != 0u) &&
              (!(r->flags & RULE_VALUE0) || value == 0u) && (!(r->flags & RULE_INDEX0) || index == 0u) &&
              (!(r->flags & RULE_CONFIGURED) || u->config != 0u) &&
              (!(r->flags & RULE_IFACE) || index == MSC_INTERFACE) &&
              (!(r->flags & RULE_EP) || ep_valid(u, (uint8_t)index)) &&
              (r->length == RULE_ANY_LENGTH || length == r->length);
    return ok ? i : STD_REQ_COUNT;
}

/* Returns the reply length for IN requests, 0 for accepted no-data requests,
   -1 to stall. */
static int32_t standard_request(struct usbd *u, const uint8_t *setup, uint16_t value, uint16_t index,
                                uint16_t length)
{
    uint8_t *out = u->ep0_buf;
    out[0] = 0; /* GET_STATUS: bus powered, remote wakeup off, not halted; the only alternate setting */
    out[1] = 0;
    switch (std_match(u, setup, value, index, length)) {
    case DEV_GET_STATUS:
    case IF_GET_STATUS:
        return 2;
    case DEV_SET_ADDRESS:
        if (value > MAX_ADDRESS || u->config != 0u)
            return -1;
        u->pending_address = (uint8_t)value;
        u->address_pending = true;
        dcd_set_address((uint8_t)value); /* the controller applies it after the status stage */
        return 0;
    case DEV_GET_DESCRIPTOR: {
        uint32_t n = usbd_descriptor(u, (uint8_t)(value >> 8), (uint8_t)value, out, sizeof u->ep0_buf);
        return n == 0u ? -1 : (int32_t)n;
    }
    case DEV_GET_CONFIGURATION:
        out[0] = u->config;
        return 1;
    case DEV_SET_CONFIGURATION:
        if (value != 0u && value != CONFIG_VALUE)
            return -1;
        set_configuration(u, (uint8_t)value);
        return 0;
    case IF_GET_INTERFACE:
        return 1;
    case IF_SET_INTERFACE:
        msc_configure(u->msc); /* USB 2.0 9.4.10: the interface's pipes start fresh */
        return 0;
    case EP_GET_STATUS:
        out[0] = (DCD_EP_NUM(index) != 0u && dcd_ep_stalled((uint8_t)index)) ? 1u : 0u;
        return 2;
    case EP_CLEAR_FEATURE:
    case EP_SET_FEATURE:
        if (DCD_EP_NUM(index) == 0u)
            return 0; /* EP0's halt ends with the next SETUP anyway */
        if (setup[1] == SET_FEATURE) {
            dcd_ep_stall((uint8_t)index);
        } else {
            dcd_ep_clear_stall((uint8_t)index);
            msc_halt_cleared(u->msc, (uint8_t)index);
        }
        return 0;
    default:
        return -1; /* device features (no remote wakeup, no test mode at full speed), SET_DESCRIPTOR, SYNCH_FRAME */
    }
}

static void ep0_stall(struct usbd *u)
{
    dcd_ep_stall(DCD_EP_DIR_IN | 0u);
    dcd_ep_stall(0u);
    u->ep0 = USBD_EP0_IDLE;
}

static void on_setup(void *ctx, const uint8_t setup[8])
{
    struct usbd *u = ctx;
    uint16_t value = le_get16(setup + 2);
    uint16_t index = le_get16(setup + 4);
    uint16_t length = le_get16(setup + 6);
    bool dir_in = (setup[0] & REQ_DIR_IN) != 0u;
    int32_t n = -1;

    u->ep0 = USBD_EP0_IDLE;
    u->ep0_zlp = false;
    u->address_pending = false;
    if (!dir_in && length != 0u) {
        n = -1; /* we take no OUT data on EP0 */
    } else if (REQ_TYPE(setup[0]) == REQ_TYPE_STANDARD) {
        n = standard_request(u, setup, value, index, length);
    } else if (REQ_TYPE(setup[0]) == REQ_TYPE_CLASS && REQ_RECIPIENT(setup[0]) == REQ_TO_INTERFACE &&
               u->config != 0u) {
        n = msc_control(u->msc, setup, u->ep0_buf);
    }
    if (n < 0) {
        ep0_stall(u);
        return;
    }
    if (!dir_in) {
        u->ep0 = USBD_EP0_STATUS_IN;
        (void)dcd_ep_xfer(DCD_EP_DIR_IN | 0u, NULL, 0);
        return;
    }
    uint32_t len = min_u32((uint32_t)n, length);
    u->ep0_zlp = len < length && (len % USBD_EP0_SIZE) == 0u && len != 0u;
    u->ep0 = USBD_EP0_DATA_IN;
    (void)dcd_ep_xfer(DCD_EP_DIR_IN | 0u, u->ep0_buf, len);
}

static void on_ep0_done(struct usbd *u, uint8_t ep)
{
    if (ep == (DCD_EP_DIR_IN | 0u) && u->ep0 == USBD_EP0_DATA_IN) {
        if (u->ep0_zlp) {
            u->ep0_zlp = false;
            (void)dcd_ep_xfer(DCD_EP_DIR_IN | 0u, NULL, 0);
            return;
        }
        u->ep0 = USBD_EP0_STATUS_OUT;
        (void)dcd_ep_xfer(0u, NULL, 0);
    } else if (ep == (DCD_EP_DIR_IN | 0u) && u->ep0 == USBD_EP0_STATUS_IN) {
        if (u->address_pending) {
            u->address = u->pending_address;
            u->address_pending = false;
        }
        u->ep0 = USBD_EP0_IDLE;
    } else if (ep == 0u && u->ep0 == USBD_EP0_STATUS_OUT) {
        u->ep0 = USBD_EP0_IDLE;
    }
}

static void on_xfer_done(void *ctx, uint8_t ep_addr, uint32_t len)
{
    struct usbd *u = ctx;
    if (DCD_EP_NUM(ep_addr) == 0u)
        on_ep0_done(u, ep_addr);
    else if (u->config != 0u)
        msc_xfer_done(u->msc, ep_addr, len);
}

static void on_bus_reset(void *ctx)
{
    struct usbd *u = ctx;
    u->address = 0;
    u->address_pending = false;
    u->config = 0;
    u->ep0 = USBD_EP0_IDLE;
    msc_unconfigure(u->msc);
    dcd_ep_open(0u, DCD_EP_CONTROL, USBD_EP0_SIZE);
    dcd_ep_open(DCD_EP_DIR_IN | 0u, DCD_EP_CONTROL, USBD_EP0_SIZE);
}

static void on_bus_state(void *ctx)
{
    /* Suspend and resume: a bus-powered bootloader keeps running (it draws
       little at full speed and must not miss the host's return). */
    (void)ctx;
}

void usbd_init(struct usbd *u, const struct board_info *info, struct msc *msc)
{
    memset(u, 0, sizeof *u);
    u->board = info;
    u->msc = msc;
    u->ev.ctx = u;
    u->ev.bus_reset = on_bus_reset;
    u->ev.setup = on_setup;
    u->ev.xfer_done = on_xfer_done;
    u->ev.suspend = on_bus_state;
    u->ev.resume = on_bus_state;
    dcd_init(&u->ev);
}
