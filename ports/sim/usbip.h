/*
 * Linux USB/IP, device side ("server"), for the simulated board.
 *
 * Three parts:
 *  - the wire format: the 48-byte URB headers and the device record of the
 *    OP_REP_DEVLIST / OP_REP_IMPORT replies, all big-endian (facts from the
 *    kernel's Documentation/usb/usbip_protocol.rst);
 *  - the URB engine (ports/sim/dcd_usbip.c): takes CMD_SUBMIT / CMD_UNLINK,
 *    maps URBs onto the transfers usb/ queued through dcd.h, and hands each
 *    RET_SUBMIT / RET_UNLINK to a send function;
 *  - the TCP server (ports/sim/usbip.c): listens, answers the OP_REQ_*
 *    requests, turns one imported connection's byte stream into commands for
 *    the engine. Single-threaded: usbip_server_poll waits in poll(2).
 */
#ifndef DB_USBIP_H
#define DB_USBIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USBIP_VERSION 0x0111u          /* protocol v1.1.1 */
#define USBIP_DEFAULT_PORT 3240u
#define USBIP_BUSID "1-1"              /* the only exported device */
#define USBIP_BUSID_LEN 32u
#define USBIP_PATH_LEN 256u
#define USBIP_BUSNUM 1u
#define USBIP_DEVNUM 2u
#define USBIP_SPEED_FULL 2u            /* enum usb_device_speed: USB_SPEED_FULL */

#define USBIP_OP_REQ_DEVLIST 0x8005u
#define USBIP_OP_REP_DEVLIST 0x0005u
#define USBIP_OP_REQ_IMPORT 0x8003u
#define USBIP_OP_REP_IMPORT 0x0003u
#define USBIP_OP_HEADER_LEN 8u         /* version, code, status */
#define USBIP_DEVICE_LEN 312u          /* path, busid, busnum ... bNumInterfaces */
#define USBIP_INTERFACE_LEN 4u         /* class, subclass, protocol, padding */
#define USBIP_MAX_INTERFACES 4u

#define USBIP_CMD_SUBMIT 1u
#define USBIP_CMD_UNLINK 2u
#define USBIP_RET_SUBMIT 3u
#define USBIP_RET_UNLINK 4u
#define USBIP_HEADER_LEN 48u           /* every URB header, padded to the same size */
#define USBIP_DIR_OUT 0u
#define USBIP_DIR_IN 1u
#define USBIP_NOT_ISO 0xFFFFFFFFu      /* number_of_packets of a non-isochronous URB */
/* Largest URB we take: Linux usb-storage moves at most a few hundred KB per
   command; anything beyond this is a broken peer and ends the connection. */
#define USBIP_URB_MAX (4u * 1024u * 1024u)

/* URB status values (negative Linux errno, as the kernel's URB status). */
#define USBIP_EPIPE (-32)              /* the endpoint stalled */
#define USBIP_EOVERFLOW (-75)          /* the device sent more than the URB holds */
#define USBIP_ECONNRESET (-104)        /* unlinked */

/* One URB header in host byte order; which fields count depends on command. */
struct usbip_header {
    uint32_t command, seqnum, devid, direction, ep;
    uint32_t flags;          /* CMD_SUBMIT: transfer_flags; CMD_UNLINK: unlink_seqnum */
    int32_t status;          /* RET_SUBMIT, RET_UNLINK (same offset as flags) */
    int32_t length;          /* CMD_SUBMIT: transfer_buffer_length; RET_SUBMIT: actual_length */
    int32_t start_frame;
    int32_t packets;         /* number_of_packets */
    int32_t interval;        /* CMD_SUBMIT: interval; RET_SUBMIT: error_count */
    uint8_t setup[8];        /* CMD_SUBMIT only */
};

void usbip_header_pack(const struct usbip_header *h, uint8_t out[USBIP_HEADER_LEN]);
void usbip_header_unpack(const uint8_t in[USBIP_HEADER_LEN], struct usbip_header *h);

/* What the OP_REP_* device record says, read from the device's own descriptors. */
struct usbip_device_info {
    uint16_t vid, pid, bcd_device;
    uint8_t dev_class, dev_subclass, dev_protocol;
    uint8_t config_value, num_configs, num_interfaces;
    uint8_t if_class[USBIP_MAX_INTERFACES], if_subclass[USBIP_MAX_INTERFACES], if_protocol[USBIP_MAX_INTERFACES];
};
/* From a device descriptor (18 bytes) and a whole configuration descriptor. */
bool usbip_device_info_parse(struct usbip_device_info *info, const uint8_t *dev, uint32_t dev_len,
                             const uint8_t *cfg, uint32_t cfg_len);
/* The device record (and, for DEVLIST, its interfaces); returns bytes written. */
size_t usbip_device_pack(const struct usbip_device_info *info, bool with_interfaces, uint8_t *out, size_t max);

/* ---- the URB engine (dcd_usbip.c; dropboot-emu: ports/emu/usbip_emu.c) ---- */
typedef void (*usbip_send_fn)(void *ctx, const uint8_t header[USBIP_HEADER_LEN], const uint8_t *data, uint32_t len);
/* Helpers both engines use (usbip.c). A CMD_SUBMIT an engine can take: not
   isochronous, an endpoint number below ep_count, a length up to USBIP_URB_MAX. */
bool usbip_submit_ok(const struct usbip_header *h, uint32_t ep_count);
/* The URB's data direction: a control transfer's is bmRequestType's, whatever the header says. */
bool usbip_submit_in(const struct usbip_header *h);
/* Send a RET_SUBMIT (in_data: the IN data, actual bytes; NULL for OUT) / a RET_UNLINK. */
void usbip_send_ret_submit(usbip_send_fn send, void *ctx, uint32_t seqnum, int32_t status, uint32_t actual,
                           int32_t packets, const uint8_t *in_data);
void usbip_send_ret_unlink(usbip_send_fn send, void *ctx, uint32_t seqnum, int32_t status);
/* A host imported the device: replies go to send; the device sees a bus reset. */
void usbip_dev_attach(usbip_send_fn send, void *ctx);
/* The connection is gone: every URB is dropped without a reply. */
void usbip_dev_detach(void);
bool usbip_dev_attached(void);
/* A CMD_SUBMIT with its OUT data (h->length bytes for OUT). The engine copies
   what it keeps. False: a URB we cannot take (ISO, too large, bad endpoint). */
bool usbip_dev_submit(const struct usbip_header *h, const uint8_t *out_data);
/* A CMD_UNLINK: answered at once (RET_UNLINK). */
void usbip_dev_unlink(const struct usbip_header *h);

/* ---- the TCP server (usbip.c) ---- */
/* "ADDR:PORT" of a --usbip option into host (NUL-terminated) and port. 0 or -1. */
int usbip_parse_addr(const char *arg, char *host, size_t host_len, uint16_t *port);

#define USBIP_MAX_CLIENTS 8u /* connections still in the OP_REQ stage (usbip list, attach) */

struct usbip_conn {
    int fd;
    bool imported;
    uint8_t hdr[USBIP_HEADER_LEN]; /* header or OP request being received */
    uint32_t hdr_got;
    uint8_t *data;                 /* OUT data of the CMD_SUBMIT being received */
    uint32_t data_len, data_got;
    bool broken;                   /* a write failed: close at the next poll */
    char peer[64];
};

struct usbip_server {
    int listen_fd;
    struct usbip_conn clients[USBIP_MAX_CLIENTS];
    struct usbip_device_info info;
    bool quiet;
};

/* Listen on addr:port (port 0: any free port, see usbip_server_port). 0 or -1 with errno. */
int usbip_server_open(struct usbip_server *s, const char *addr, uint16_t port,
                      const struct usbip_device_info *info, bool quiet);
uint16_t usbip_server_port(const struct usbip_server *s);
/* Wait up to timeout_ms for traffic and handle it (commands go to the engine;
   call dcd_poll afterwards to run them). */
void usbip_server_poll(struct usbip_server *s, int timeout_ms);
/* Close the imported connection: the host sees the device unplugged. */
void usbip_server_drop_device(struct usbip_server *s);
bool usbip_server_has_device(const struct usbip_server *s);
void usbip_server_close(struct usbip_server *s);

#endif
