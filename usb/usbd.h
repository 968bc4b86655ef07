/*
 * USB device core: enumeration and control transfers on endpoint 0.
 *
 * One full-speed configuration with one Mass Storage interface (usb/msc).
 * Standard requests of USB 2.0 chapter 9 that a bus-powered, full-speed-only
 * device must answer; class requests to the interface go to msc; anything
 * else stalls EP0. Descriptors are const tables except what comes from the
 * board (VID/PID, strings) and the serial number, which is the chip's unique
 * ID as UTF-16. Everything runs inside dcd_poll() through the dcd_events
 * registered by usbd_init; the caller then calls dcd_connect().
 */
#ifndef DB_USBD_H
#define DB_USBD_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "dcd.h"
#include "msc.h"

#define USBD_EP0_SIZE 64u          /* full-speed control max packet size */
#define USBD_STRING_MAX_CHARS 63u  /* longest string we send; longer board strings are cut */
/* EP0 reply buffer: the longest descriptor is a string of the maximum length. */
#define USBD_EP0_BUF_SIZE (2u + 2u * USBD_STRING_MAX_CHARS)

#define USBD_DESC_DEVICE 1u
#define USBD_DESC_CONFIGURATION 2u
#define USBD_DESC_STRING 3u
#define USBD_DESC_DEVICE_QUALIFIER 6u

enum usbd_ep0_stage {
    USBD_EP0_IDLE,
    USBD_EP0_DATA_IN,    /* reply being sent */
    USBD_EP0_STATUS_OUT, /* waiting for the host's zero-length status */
    USBD_EP0_STATUS_IN,  /* our zero-length status being sent */
};

struct usbd {
    const struct board_info *board;
    struct msc *msc;
    struct dcd_events ev;   /* registered with dcd_init; must outlive the stack */
    uint8_t address;        /* valid after SET_ADDRESS's status stage */
    uint8_t pending_address;
    bool address_pending;
    uint8_t config;         /* 0: addressed, 1: configured */
    enum usbd_ep0_stage ep0;
    bool ep0_zlp;           /* the reply ended on a packet boundary short of wLength */
    uint8_t ep0_buf[USBD_EP0_BUF_SIZE];
};

/* Set up the stack and register its events with dcd_init. */
void usbd_init(struct usbd *u, const struct board_info *info, struct msc *msc);

/* The descriptor GET_DESCRIPTOR(type, index) returns, written to buf (at most
   max bytes, cut like a short wLength). Returns its length, 0 if there is none. */
uint32_t usbd_descriptor(const struct usbd *u, uint8_t type, uint8_t index, uint8_t *buf, uint32_t max);

#endif
