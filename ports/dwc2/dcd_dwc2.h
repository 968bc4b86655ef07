/*
 * What the DWC2 driver tells its port besides usb/dcd.h: the core version
 * it found and the faults it recorded (a bounded wait that ran out, a FIFO
 * plan that did not fit the chip's FIFO RAM). A port may show them (LED,
 * STATUS.TXT); tests check them.
 */
#ifndef DB_DCD_DWC2_H
#define DB_DCD_DWC2_H

#include <stdint.h>

#define DWC2_FAULT_TIMEOUT (1u << 0)   /* a reset, flush or endpoint handshake never finished */
#define DWC2_FAULT_FIFO_PLAN (1u << 1) /* the endpoints' FIFOs do not fit the chip's FIFO RAM */

uint32_t dwc2_faults(void);
/* GSNPSID as read at dcd_init ("OT" in the top half, release below). */
uint32_t dwc2_core_id(void);

#endif
