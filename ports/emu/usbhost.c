/* USB host engine over the DWC2 model's bus side (see usbhost.h). */
#include "usbhost.h"

#include <string.h>

/* Full speed: 12 Mbit/s, so a byte on the wire takes 8 bit times of 83.3 ns. */
#define BYTE_NS 667u
/* Per transaction beyond the data: token (sync, PID, address, CRC5, EOP),
   data packet framing (sync, PID, CRC16, EOP), handshake, two bus turnarounds. */
#define TXN_OVERHEAD_BYTES 13u
/* A NAKed IN: token and handshake only. */
#define NAK_IN_BYTES 7u
/* The controller comes back to a NAKing endpoint after other work; keeps the
   retry rate near a real host's and the emulator's run slices reasonable. */
#define NAK_RETRY_GAP_NS 10000u
#define NAK_RETRY_GAP_INSTANT_NS 1000u /* instant_bus: the measurement's resolution */
#define FRAME_NS USBHOST_MS               /* a full-speed frame: one SOF per 1 ms */
#define ATTACH_POLL_NS USBHOST_MS
#define ATTACH_DEBOUNCE_NS (100u * USBHOST_MS) /* USB 2.0 7.1.7.3 TATTDB */
#define RESET_NS (10u * USBHOST_MS)            /* 7.1.7.5 TDRST: at least 10 ms */
#define RESET_RECOVERY_NS (10u * USBHOST_MS)   /* 7.1.7.5 TRSTRCY */
#define SET_ADDRESS_RECOVERY_NS (2u * USBHOST_MS) /* 9.2.6.3 */
#define FS_MAX_PACKET 64u                 /* full-speed control and bulk */
#define MPSIZ_MAX 2048u                   /* largest packet a DWC2 endpoint can be programmed for */
#define CONFIG_MAX USBHOST_CONFIG_MAX
#define READY_GAP_NS (10u * USBHOST_MS)

/* Chapter 9 and class codes. */
#define REQ_GET_DESCRIPTOR 6u
#define REQ_SET_ADDRESS 5u
#define REQ_SET_CONFIGURATION 9u
#define REQ_CLEAR_FEATURE 1u
#define FEATURE_ENDPOINT_HALT 0u
#define DESC_DEVICE 1u
#define DESC_CONFIGURATION 2u
#define DESC_STRING 3u
#define DESC_INTERFACE 4u
#define DESC_ENDPOINT 5u
#define DEVICE_DESC_LEN 18u
#define CONFIG_DESC_LEN 9u
#define CLASS_MASS_STORAGE 8u
#define SUBCLASS_SCSI 6u
#define PROTOCOL_BULK_ONLY 0x50u
#define EP_TYPE_BULK 2u
#define BOT_RESET 0xFFu                   /* BOT 3.1 Bulk-Only Mass Storage Reset */
#define BOT_GET_MAX_LUN 0xFEu             /* BOT 3.2 */
#define CBW_LEN 31u
#define CSW_LEN 13u
#define CBW_SIGNATURE 0x43425355u         /* "USBC" */
#define CSW_SIGNATURE 0x53425355u         /* "USBS" */
#define CSW_PASSED 0u
#define CSW_FAILED 1u
#define CSW_PHASE_ERROR 2u
#define SCSI_TEST_UNIT_READY 0x00u
#define SCSI_REQUEST_SENSE 0x03u
#define SCSI_START_STOP_UNIT 0x1Bu
#define SCSI_READ_CAPACITY10 0x25u
#define SCSI_READ10 0x28u
#define SCSI_WRITE10 0x2Au
#define SENSE_LEN 18u
#define SENSE_NOT_READY 2u
#define SENSE_UNIT_ATTENTION 6u
#define READ_CAPACITY_LEN 8u

static void put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v);
    put_le16(p + 2, v >> 16);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void usbhost_init(struct usbhost *h, struct dwc2_model *m, struct usbhost_device dev)
{
    memset(h, 0, sizeof *h);
    h->m = m;
    h->dev = dev;
    h->ep0_mps = FS_MAX_PACKET;
    h->next_sof_ns = FRAME_NS;
    h->why = "";
}

const char *usbhost_status_text(int status)
{
    switch (status) {
    case USBHOST_OK: return "ok";
    case USBHOST_STALL: return "stall";
    case USBHOST_TIMEOUT: return "timeout";
    case USBHOST_DISCONNECTED: return "disconnected";
    case USBHOST_PROTOCOL: return "protocol error";
    case USBHOST_DEAD: return "device stopped";
    case USBHOST_CHECK: return "check condition";
    default: return "?";
    }
}

static int fail(struct usbhost *h, int status, const char *why)
{
    h->why = why;
    return status;
}

bool usbhost_connected(struct usbhost *h)
{
    if (h->attached && (!dwc2_model_connected(h->m) || h->m->resets != h->model_resets))
        h->attached = false; /* soft-disconnect or chip reset: the port sees the device go */
    return h->attached;
}

/* Bus time passes: the device runs, and a start of frame every 1 ms while
   the port is enabled. */
static int bus_time(struct usbhost *h, uint64_t ns)
{
    while (ns > 0u) {
        uint64_t step = h->next_sof_ns - h->st.bus_ns;
        if (step > ns)
            step = ns;
        if (step > 0u && !h->dev.run(h->dev.ctx, step))
            return fail(h, USBHOST_DEAD, "the device stopped");
        h->st.bus_ns += step;
        ns -= step;
        if (h->st.bus_ns >= h->next_sof_ns) {
            h->next_sof_ns += FRAME_NS;
            if (usbhost_connected(h))
                dwc2_model_sof(h->m);
        }
    }
    return USBHOST_OK;
}

int usbhost_idle(struct usbhost *h, uint64_t ns)
{
    return bus_time(h, ns);
}

static uint64_t txn_ns(const struct usbhost *h, uint32_t bytes)
{
    return h->instant_bus ? 0u : (uint64_t)(bytes + TXN_OVERHEAD_BYTES) * BYTE_NS;
}

/* One NAK: its own bus time, then the gap before the controller retries. */
static int nak_wait(struct usbhost *h, uint32_t bytes, uint64_t deadline)
{
    h->st.naks++;
    uint64_t ns = h->instant_bus ? NAK_RETRY_GAP_INSTANT_NS : (uint64_t)bytes * BYTE_NS + NAK_RETRY_GAP_NS;
    int r = bus_time(h, ns);
    if (r != USBHOST_OK)
        return r;
    if (!usbhost_connected(h))
        return fail(h, USBHOST_DISCONNECTED, "the device left the bus");
    return h->st.bus_ns >= deadline ? fail(h, USBHOST_TIMEOUT, "NAKed until the time limit") : USBHOST_OK;
}

/* One OUT data packet, retried while NAKed. */
static int out_packet(struct usbhost *h, uint8_t n, const uint8_t *data, uint32_t len, uint64_t deadline)
{
    for (;;) {
        if (!usbhost_connected(h))
            return fail(h, USBHOST_DISCONNECTED, "the device left the bus");
        h->st.transactions++;
        int hs = dwc2_model_out(h->m, n, h->toggle[n][0], data, len);
        if (hs == DWC2_NAK) {
            int r = nak_wait(h, len + TXN_OVERHEAD_BYTES, deadline);
            if (r != USBHOST_OK)
                return r;
            continue;
        }
        int r = bus_time(h, txn_ns(h, len));
        if (r != USBHOST_OK)
            return r;
        if (hs == DWC2_STALL) {
            h->st.stalls++;
            return fail(h, USBHOST_STALL, "OUT endpoint stalled");
        }
        h->toggle[n][0] ^= 1u;
        h->st.bytes_out += len;
        return USBHOST_OK;
    }
}

/* One IN data packet into pkt (FS_MAX_PACKET room is enough for a correct
   device; the model may send more, which is a protocol error). */
static int in_packet(struct usbhost *h, uint8_t n, uint8_t pkt[MPSIZ_MAX], uint32_t *len, uint64_t deadline)
{
    for (;;) {
        if (!usbhost_connected(h))
            return fail(h, USBHOST_DISCONNECTED, "the device left the bus");
        h->st.transactions++;
        uint8_t pid = 0;
        int32_t got = dwc2_model_in(h->m, n, pkt, &pid);
        if (got == DWC2_NAK) {
            int r = nak_wait(h, NAK_IN_BYTES, deadline);
            if (r != USBHOST_OK)
                return r;
            continue;
        }
        int r = bus_time(h, txn_ns(h, got > 0 ? (uint32_t)got : 0u));
        if (r != USBHOST_OK)
            return r;
        if (got == DWC2_STALL) {
            h->st.stalls++;
            return fail(h, USBHOST_STALL, "IN endpoint stalled");
        }
        if ((uint32_t)got > FS_MAX_PACKET)
            return fail(h, USBHOST_PROTOCOL, "IN packet longer than a full-speed max packet");
        if (pid != h->toggle[n][1]) {
            /* USB 2.0 8.6.4: a packet with the wrong toggle is a repeat: ACKed, dropped. */
            h->st.toggle_errors++;
            continue;
        }
        h->toggle[n][1] ^= 1u;
        h->st.bytes_in += (uint32_t)got;
        *len = (uint32_t)got;
        return USBHOST_OK;
    }
}

int usbhost_control(struct usbhost *h, const uint8_t setup[8], uint8_t *data, uint32_t *actual)
{
    *actual = 0;
    if (!usbhost_connected(h))
        return fail(h, USBHOST_DISCONNECTED, "the device is not attached");
    if (dwc2_model_address(h->m) != h->address)
        return fail(h, USBHOST_TIMEOUT, "no answer at the device's address (DCFG.DAD differs)");
    uint64_t deadline = h->st.bus_ns + USBHOST_CONTROL_TIMEOUT_NS;
    uint32_t wlength = (uint32_t)setup[6] | ((uint32_t)setup[7] << 8);
    bool in = (setup[0] & 0x80u) != 0u;
    h->st.transactions++;
    dwc2_model_setup(h->m, setup);
    h->toggle[0][0] = h->toggle[0][1] = 1u; /* data and status stages start with DATA1 */
    int r = bus_time(h, txn_ns(h, 8u));
    if (r != USBHOST_OK)
        return r;
    uint8_t pkt[MPSIZ_MAX];
    if (in) {
        while (*actual < wlength) {
            uint32_t len = 0;
            r = in_packet(h, 0, pkt, &len, deadline);
            if (r != USBHOST_OK)
                return r;
            if (len > wlength - *actual)
                return fail(h, USBHOST_PROTOCOL, "control IN data beyond wLength");
            memcpy(data + *actual, pkt, len);
            *actual += len;
            if (len < h->ep0_mps)
                break;
        }
        r = out_packet(h, 0, NULL, 0, deadline); /* status stage: zero-length OUT */
    } else {
        while (*actual < wlength) {
            uint32_t len = wlength - *actual < h->ep0_mps ? wlength - *actual : h->ep0_mps;
            r = out_packet(h, 0, data + *actual, len, deadline);
            if (r != USBHOST_OK)
                return r;
            *actual += len;
        }
        uint32_t len = 0;
        r = in_packet(h, 0, pkt, &len, deadline); /* status stage: zero-length IN */
        if (r == USBHOST_OK && len != 0u)
            return fail(h, USBHOST_PROTOCOL, "status stage IN with data");
    }
    return r;
}

static int control_simple(struct usbhost *h, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                          uint16_t length, uint8_t *data, uint32_t *actual)
{
    uint8_t setup[8] = {type, req};
    put_le16(setup + 2, value);
    put_le16(setup + 4, index);
    put_le16(setup + 6, length);
    uint32_t dummy;
    return usbhost_control(h, setup, data, actual != NULL ? actual : &dummy);
}

int usbhost_bulk(struct usbhost *h, uint8_t ep, uint8_t *data, uint32_t len, uint32_t *actual,
                 uint64_t timeout_ns)
{
    uint8_t n = ep & 0x0Fu;
    uint64_t deadline = h->st.bus_ns + timeout_ns;
    uint32_t mps = h->bulk_mps ? h->bulk_mps : FS_MAX_PACKET;
    *actual = 0;
    if (ep & 0x80u) {
        uint8_t pkt[MPSIZ_MAX];
        while (*actual < len) {
            uint32_t got = 0;
            int r = in_packet(h, n, pkt, &got, deadline);
            if (r != USBHOST_OK)
                return r;
            if (got > len - *actual)
                return fail(h, USBHOST_PROTOCOL, "bulk IN babble: more data than the transfer asked");
            memcpy(data + *actual, pkt, got);
            *actual += got;
            if (got < mps)
                break; /* a short packet ends the transfer */
        }
        return USBHOST_OK;
    }
    do {
        uint32_t pkt = len - *actual < mps ? len - *actual : mps;
        int r = out_packet(h, n, data + *actual, pkt, deadline);
        if (r != USBHOST_OK)
            return r;
        *actual += pkt;
    } while (*actual < len);
    return USBHOST_OK;
}

int usbhost_clear_halt(struct usbhost *h, uint8_t ep)
{
    int r = control_simple(h, 0x02, REQ_CLEAR_FEATURE, FEATURE_ENDPOINT_HALT, ep, 0, NULL, NULL);
    if (r == USBHOST_OK)
        h->toggle[ep & 0x0Fu][(ep & 0x80u) ? 1 : 0] = 0u; /* 9.4.5: the halt's clear resets the toggle */
    return r;
}

/* Parse the configuration: the mass-storage interface and its bulk pipes. */
static int parse_config(struct usbhost *h, const uint8_t *cfg, uint32_t len)
{
    bool msc = false;
    for (uint32_t at = 0; at + 2u <= len && cfg[at] >= 2u; at += cfg[at]) {
        const uint8_t *d = cfg + at;
        if (at + d[0] > len)
            return fail(h, USBHOST_PROTOCOL, "descriptor runs past the configuration");
        if (d[1] == DESC_INTERFACE && d[0] >= 9u) {
            msc = d[5] == CLASS_MASS_STORAGE && d[6] == SUBCLASS_SCSI && d[7] == PROTOCOL_BULK_ONLY;
            if (msc)
                h->interface = d[2];
        } else if (d[1] == DESC_ENDPOINT && d[0] >= 7u && msc && (d[3] & 3u) == EP_TYPE_BULK) {
            if (d[2] & 0x80u)
                h->bulk_in = d[2];
            else
                h->bulk_out = d[2];
            h->bulk_mps = (uint16_t)(d[4] | (d[5] << 8));
        }
    }
    if (h->bulk_in == 0u || h->bulk_out == 0u)
        return fail(h, USBHOST_PROTOCOL, "no Bulk-Only mass-storage interface with two bulk pipes");
    if (h->bulk_mps != FS_MAX_PACKET)
        return fail(h, USBHOST_PROTOCOL, "bulk max packet is not 64 at full speed");
    return USBHOST_OK;
}

static int enumerate(struct usbhost *h)
{
    uint8_t buf[CONFIG_MAX];
    uint32_t got = 0;
    /* Linux asks for 64 bytes of the device descriptor first, at address 0. */
    int r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, DESC_DEVICE << 8, 0, FS_MAX_PACKET, buf, &got);
    if (r != USBHOST_OK)
        return r;
    if (got < 8u || buf[1] != DESC_DEVICE)
        return fail(h, USBHOST_PROTOCOL, "first GET_DESCRIPTOR(device) is not a device descriptor");
    h->ep0_mps = buf[7];
    if (h->ep0_mps != 8u && h->ep0_mps != 16u && h->ep0_mps != 32u && h->ep0_mps != 64u)
        return fail(h, USBHOST_PROTOCOL, "bMaxPacketSize0 is not 8, 16, 32 or 64");
    uint8_t address = 1u;
    r = control_simple(h, 0x00, REQ_SET_ADDRESS, address, 0, 0, NULL, NULL);
    if (r != USBHOST_OK)
        return r;
    h->address = address;
    if ((r = bus_time(h, SET_ADDRESS_RECOVERY_NS)) != USBHOST_OK)
        return r;
    r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, DESC_DEVICE << 8, 0, DEVICE_DESC_LEN, h->device_desc, &got);
    if (r != USBHOST_OK)
        return r;
    if (got != DEVICE_DESC_LEN || h->device_desc[0] != DEVICE_DESC_LEN)
        return fail(h, USBHOST_PROTOCOL, "device descriptor is not 18 bytes");
    r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, DESC_CONFIGURATION << 8, 0, CONFIG_DESC_LEN, buf, &got);
    if (r != USBHOST_OK)
        return r;
    uint32_t total = (uint32_t)buf[2] | ((uint32_t)buf[3] << 8);
    if (got != CONFIG_DESC_LEN || total < CONFIG_DESC_LEN || total > CONFIG_MAX)
        return fail(h, USBHOST_PROTOCOL, "bad configuration descriptor header");
    uint8_t config_value = buf[5];
    r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, DESC_CONFIGURATION << 8, 0, (uint16_t)total, buf, &got);
    if (r != USBHOST_OK)
        return r;
    if (got != total)
        return fail(h, USBHOST_PROTOCOL, "configuration shorter than its wTotalLength");
    if ((r = parse_config(h, buf, got)) != USBHOST_OK)
        return r;
    memcpy(h->config_desc, buf, got);
    h->config_len = got;
    /* String 0 (languages) and the serial number, as an OS reads them. */
    r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, DESC_STRING << 8, 0, CONFIG_MAX, buf, &got);
    if (r != USBHOST_OK)
        return r;
    uint8_t iserial = h->device_desc[16];
    if (iserial != 0u && got >= 4u) {
        uint16_t lang = (uint16_t)(buf[2] | (buf[3] << 8));
        r = control_simple(h, 0x80, REQ_GET_DESCRIPTOR, (DESC_STRING << 8) | iserial, lang, CONFIG_MAX, buf, &got);
        if (r != USBHOST_OK)
            return r;
    }
    r = control_simple(h, 0x00, REQ_SET_CONFIGURATION, config_value, 0, 0, NULL, NULL);
    if (r != USBHOST_OK)
        return r;
    memset(h->toggle[h->bulk_in & 0x0Fu], 0, 2);
    memset(h->toggle[h->bulk_out & 0x0Fu], 0, 2);
    /* BOT 3.2: a device with one LUN may stall GET MAX LUN. */
    uint8_t lun = 0;
    r = control_simple(h, 0xA1, BOT_GET_MAX_LUN, 0, h->interface, 1, &lun, &got);
    if (r == USBHOST_STALL)
        lun = 0;
    else if (r != USBHOST_OK)
        return r;
    h->max_lun = lun;
    return USBHOST_OK;
}

int usbhost_port_reset(struct usbhost *h, uint64_t timeout_ns)
{
    uint64_t deadline = h->st.bus_ns + timeout_ns;
    h->attached = false;
    while (!dwc2_model_connected(h->m)) {
        if (h->st.bus_ns >= deadline)
            return fail(h, USBHOST_TIMEOUT, "the device did not connect");
        int r = bus_time(h, ATTACH_POLL_NS);
        if (r != USBHOST_OK)
            return r;
    }
    int r = bus_time(h, ATTACH_DEBOUNCE_NS);
    if (r != USBHOST_OK)
        return r;
    if (!dwc2_model_connected(h->m))
        return fail(h, USBHOST_DISCONNECTED, "the device left during the attach debounce");
    h->attached = true;
    h->model_resets = h->m->resets;
    h->address = 0;
    h->ep0_mps = FS_MAX_PACKET;
    h->bulk_in = h->bulk_out = 0;
    h->bulk_mps = FS_MAX_PACKET;
    memset(h->toggle, 0, sizeof h->toggle);
    h->st.resets++;
    dwc2_model_bus_reset(h->m);
    if ((r = bus_time(h, RESET_NS)) != USBHOST_OK)
        return r;
    dwc2_model_enum_done(h->m);
    return bus_time(h, RESET_RECOVERY_NS);
}

int usbhost_attach(struct usbhost *h, uint64_t timeout_ns)
{
    int r = usbhost_port_reset(h, timeout_ns);
    if (r == USBHOST_OK)
        r = enumerate(h);
    if (r == USBHOST_OK)
        h->st.attaches++;
    return r;
}

/* BOT 5.3.4: class reset, then clear both pipes' halts. */
static void reset_recovery(struct usbhost *h)
{
    h->st.reset_recoveries++;
    if (control_simple(h, 0x21, BOT_RESET, 0, h->interface, 0, NULL, NULL) != USBHOST_OK)
        return;
    (void)usbhost_clear_halt(h, h->bulk_in);
    (void)usbhost_clear_halt(h, h->bulk_out);
}

static int request_sense(struct usbhost *h)
{
    uint8_t cdb[6] = {SCSI_REQUEST_SENSE, 0, 0, 0, SENSE_LEN, 0};
    uint8_t sense[SENSE_LEN] = {0};
    int r = usbhost_scsi(h, cdb, sizeof cdb, true, sense, sizeof sense);
    if (r != USBHOST_OK)
        return r;
    h->sense[0] = sense[2] & 0x0Fu;
    h->sense[1] = sense[12];
    h->sense[2] = sense[13];
    return USBHOST_OK;
}

static int read_csw(struct usbhost *h, uint8_t csw[CSW_LEN], uint32_t *got)
{
    int r = usbhost_bulk(h, h->bulk_in, csw, CSW_LEN, got, USBHOST_COMMAND_TIMEOUT_NS);
    if (r != USBHOST_STALL)
        return r;
    /* BOT 5.3.3: a stalled CSW read is cleared and tried once more. */
    if ((r = usbhost_clear_halt(h, h->bulk_in)) != USBHOST_OK)
        return r;
    return usbhost_bulk(h, h->bulk_in, csw, CSW_LEN, got, USBHOST_COMMAND_TIMEOUT_NS);
}

static int scsi_once(struct usbhost *h, const uint8_t *cdb, uint8_t cdb_len, bool in, uint8_t *data, uint32_t len)
{
    uint8_t cbw[CBW_LEN] = {0};
    uint32_t tag = ++h->tag;
    uint32_t got = 0;
    put_le32(cbw, CBW_SIGNATURE);
    put_le32(cbw + 4, tag);
    put_le32(cbw + 8, len);
    cbw[12] = in ? 0x80u : 0x00u;
    cbw[14] = cdb_len;
    memcpy(cbw + 15, cdb, cdb_len);
    int r = usbhost_bulk(h, h->bulk_out, cbw, CBW_LEN, &got, USBHOST_COMMAND_TIMEOUT_NS);
    if (r == USBHOST_STALL) {
        reset_recovery(h);
        return fail(h, USBHOST_PROTOCOL, "CBW stalled");
    }
    if (r != USBHOST_OK)
        return r;
    if (len > 0u) {
        uint8_t ep = in ? h->bulk_in : h->bulk_out;
        r = usbhost_bulk(h, ep, data, len, &got, USBHOST_COMMAND_TIMEOUT_NS);
        if (r == USBHOST_STALL)
            r = usbhost_clear_halt(h, ep); /* BOT 6.7: the device ends the data phase early */
        if (r != USBHOST_OK)
            return r;
    }
    uint8_t csw[CSW_LEN];
    r = read_csw(h, csw, &got);
    if (r == USBHOST_STALL) {
        reset_recovery(h);
        return fail(h, USBHOST_PROTOCOL, "CSW stalled twice");
    }
    if (r != USBHOST_OK)
        return r;
    if (got != CSW_LEN || get_le32(csw) != CSW_SIGNATURE || get_le32(csw + 4) != tag || csw[12] > CSW_PHASE_ERROR) {
        reset_recovery(h);
        return fail(h, USBHOST_PROTOCOL, "CSW not valid (length, signature, tag or status)");
    }
    h->csw_residue = get_le32(csw + 8);
    if (csw[12] == CSW_PHASE_ERROR) {
        reset_recovery(h);
        return fail(h, USBHOST_PROTOCOL, "CSW phase error");
    }
    if (csw[12] == CSW_FAILED) {
        if (cdb[0] != SCSI_REQUEST_SENSE && (r = request_sense(h)) != USBHOST_OK)
            return r;
        return fail(h, USBHOST_CHECK, "CHECK CONDITION");
    }
    return USBHOST_OK;
}

/* The command, timed in bus time: what a host's per-command timeout
   (Linux sd: 30 s) is measured against. */
int usbhost_scsi(struct usbhost *h, const uint8_t *cdb, uint8_t cdb_len, bool in, uint8_t *data, uint32_t len)
{
    uint64_t start = h->st.bus_ns;
    int r = scsi_once(h, cdb, cdb_len, in, data, len);
    uint64_t took = h->st.bus_ns - start;
    if (took > h->st.longest_command_ns) {
        h->st.longest_command_ns = took;
        h->st.longest_command_op = cdb[0];
    }
    if (h->dev.command_done != NULL)
        h->dev.command_done(h->dev.ctx, cdb[0], took);
    return r;
}

int usbhost_test_unit_ready(struct usbhost *h)
{
    uint8_t cdb[6] = {SCSI_TEST_UNIT_READY};
    return usbhost_scsi(h, cdb, sizeof cdb, false, NULL, 0);
}

int usbhost_wait_ready(struct usbhost *h, uint32_t tries)
{
    int r = USBHOST_TIMEOUT;
    for (uint32_t i = 0; i < tries; i++) {
        r = usbhost_test_unit_ready(h);
        if (r != USBHOST_CHECK)
            return r;
        if (h->sense[0] != SENSE_UNIT_ATTENTION && h->sense[0] != SENSE_NOT_READY)
            return r;
        if ((r = bus_time(h, READY_GAP_NS)) != USBHOST_OK)
            return r;
        r = USBHOST_CHECK;
    }
    return r;
}

int usbhost_read_capacity(struct usbhost *h, uint32_t *sectors, uint32_t *sector_size)
{
    uint8_t cdb[10] = {SCSI_READ_CAPACITY10};
    uint8_t reply[READ_CAPACITY_LEN] = {0};
    int r = usbhost_scsi(h, cdb, sizeof cdb, true, reply, sizeof reply);
    if (r != USBHOST_OK)
        return r;
    *sectors = get_be32(reply) + 1u; /* the reply holds the last LBA */
    *sector_size = get_be32(reply + 4);
    return USBHOST_OK;
}

static int rw10(struct usbhost *h, uint8_t op, uint32_t lba, uint16_t count, uint8_t *data)
{
    uint8_t cdb[10] = {op};
    put_be32(cdb + 2, lba);
    cdb[7] = (uint8_t)(count >> 8);
    cdb[8] = (uint8_t)count;
    return usbhost_scsi(h, cdb, sizeof cdb, op == SCSI_READ10, data, (uint32_t)count * USBHOST_SECTOR);
}

int usbhost_read10(struct usbhost *h, uint32_t lba, uint16_t count, uint8_t *data)
{
    return rw10(h, SCSI_READ10, lba, count, data);
}

int usbhost_write10(struct usbhost *h, uint32_t lba, uint16_t count, uint8_t *data)
{
    return rw10(h, SCSI_WRITE10, lba, count, data);
}

int usbhost_start_stop(struct usbhost *h, bool start, bool load_eject)
{
    uint8_t cdb[6] = {SCSI_START_STOP_UNIT, 0, 0, 0, (uint8_t)((load_eject ? 2u : 0u) | (start ? 1u : 0u)), 0};
    return usbhost_scsi(h, cdb, sizeof cdb, false, NULL, 0);
}
