/*
 * The USB/IP URB engine of dropboot-emu: ports/sim/usbip.c's server (the
 * wire format and the TCP side, shared with dropboot-sim) hands its URBs to
 * the usbip_dev_* door (usbip.h); here they become packets on the emulated
 * chip's bus through the host engine (usbhost.c). A control URB is one
 * control transfer, a bulk URB as many packets as its length (NAKs retried,
 * a short IN packet ends it); a STALL completes the URB with -EPIPE; a
 * device that leaves the bus (soft-disconnect, its reset) ends the import.
 */
#ifndef DB_USBIP_EMU_H
#define DB_USBIP_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include "usbhost.h"

/* The engine moves URBs through h (its device is the emulated chip). */
void usbip_emu_init(struct usbhost *h);
/* Let up to slice_ns of bus time pass: the device runs, and the oldest URB
   (if any) makes progress. USBHOST_OK, or USBHOST_DISCONNECTED when the
   device left the bus (the caller ends the import), or USBHOST_DEAD. */
int usbip_emu_step(uint64_t slice_ns);

#endif
