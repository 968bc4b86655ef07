/*
 * The device controller driver door: what usb/ needs from a USB peripheral.
 *
 * Transfer level, not packet level: usb/ asks for "send these len bytes on
 * EP x" or "receive up to len bytes on EP x" and is told when it is done. The
 * driver splits into max-packet-size packets; an IN transfer whose length is
 * a multiple of the max packet size is not followed by a zero-length packet
 * unless usb/ asks for one with a separate zero-length transfer. An OUT
 * transfer completes on a short packet or when len bytes have arrived.
 *
 * Implemented per port: ports/dwc2/dcd_dwc2.c (Synopsys OTG FS core, every STM32 port) and
 * ports/sim/dcd_usbip.c (Linux USB/IP over TCP). Events go to the callbacks
 * the caller registered with dcd_init; they are called from dcd_poll(), never
 * from an interrupt, so usb/ needs no locking.
 */
#ifndef DB_DCD_H
#define DB_DCD_H

#include <stdbool.h>
#include <stdint.h>

#define DCD_EP_DIR_IN 0x80u
#define DCD_EP_NUM(ep_addr) ((ep_addr) & 0x0Fu)
#define DCD_EP_IS_IN(ep_addr) (((ep_addr) & DCD_EP_DIR_IN) != 0u)

enum dcd_ep_type { DCD_EP_CONTROL = 0, DCD_EP_ISO = 1, DCD_EP_BULK = 2, DCD_EP_INTERRUPT = 3 };

struct dcd_events {
    void *ctx;
    void (*bus_reset)(void *ctx);                       /* address 0, only EP0 open */
    void (*setup)(void *ctx, const uint8_t setup[8]);   /* a SETUP packet arrived on EP0 */
    void (*xfer_done)(void *ctx, uint8_t ep_addr, uint32_t len); /* bytes moved */
    void (*suspend)(void *ctx);
    void (*resume)(void *ctx);
};

/* Bring the controller up (disconnected); events go to ev. */
void dcd_init(const struct dcd_events *ev);
/* Attach / detach the pull-up: the host sees the device arrive / leave. */
void dcd_connect(void);
void dcd_disconnect(void);
/* Handle whatever the hardware has pending; call it from the main loop. */
void dcd_poll(void);

/* Takes effect after the status stage of SET_ADDRESS, as the spec requires. */
void dcd_set_address(uint8_t addr);
/* Opening an endpoint that is open already resets it: a queued transfer is
   dropped without xfer_done, the stall is cleared, the data toggle restarts
   at DATA0. usb/msc re-opens its pipes on SET_CONFIGURATION, SET_INTERFACE
   and Bulk-Only Mass Storage Reset to drop a transfer the host gave up on. */
void dcd_ep_open(uint8_t ep_addr, enum dcd_ep_type type, uint16_t max_packet);
/* Start a transfer; buf must stay valid until xfer_done. False if the EP is busy. */
bool dcd_ep_xfer(uint8_t ep_addr, uint8_t *buf, uint32_t len);
/* A stall of EP0 (usb/ stalls both 0x00 and 0x80) answers the rest of the
   control transfer with STALL and ends with the next SETUP. */
void dcd_ep_stall(uint8_t ep_addr);
/* Also restarts the data toggle at DATA0 (USB 2.0 9.4.5). */
void dcd_ep_clear_stall(uint8_t ep_addr);
bool dcd_ep_stalled(uint8_t ep_addr);

#endif
