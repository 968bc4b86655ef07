/*
 * A model of the OTG FS core (Synopsys DWC2, device mode, slave mode) for
 * host tests of ports/stm32l4r5/dcd_dwc2.c. The registers live in RAM at
 * OTG_BASE = dwc2_model_space; every access of the driver comes through
 * dwc2_io_read/write (dwc2_io.h), where the model applies what the hardware
 * does: write-1-to-clear flags, GRXSTSP popping the RX status queue and the
 * FIFO port popping its data, TX FIFO pushes counted against DTXFSTS, DAINT
 * from the masked endpoint flags, self-clearing reset/flush bits, NAK and
 * disable handshakes. The "host" side sends SETUP/OUT packets and takes IN
 * packets the way the bus would, one packet at a time.
 */
#ifndef DB_DWC2_REGMODEL_H
#define DB_DWC2_REGMODEL_H

#include <stdbool.h>
#include <stdint.h>

#define MODEL_EPS 3u
#define MODEL_SPACE_BYTES (0x1000u * (MODEL_EPS + 1u))

extern uint8_t dwc2_model_space[MODEL_SPACE_BYTES];

enum model_in_result { MODEL_NAK = -1, MODEL_STALL = -2 };

void model_reset(void);
/* Bus events: reset (USBRST), then enumeration done (ENUMDNE). */
void model_bus_reset(void);
void model_enum_done(void);
void model_suspend(void);
void model_resume(void);
/* A SETUP packet; quirk_310a adds the extra "OUT complete" of core 3.10a. */
void model_setup(const uint8_t setup[8], bool quirk_310a);
/* One OUT packet of len bytes (len <= max packet); false = NAK or STALL. */
bool model_out(uint8_t ep, const uint8_t *data, uint32_t len);
/* One IN token: bytes of the packet sent into out, or MODEL_NAK / MODEL_STALL. */
int32_t model_in(uint8_t ep, uint8_t *out);

uint32_t model_reg(uint32_t offset);         /* raw register value */
/* Raise OUT endpoint flags by themselves, as core 3.10a does on its own. */
void model_raise_doepint(uint8_t ep, uint32_t flags);
uint32_t model_tx_words(uint8_t fifo);       /* words waiting in a TX FIFO */
uint32_t model_tx_flushes(uint8_t fifo);     /* flushes of that FIFO since model_reset */
bool model_wrote_sd0pid(uint8_t ep, bool in);/* a write set SD0PID (DATA0 toggle) */
/* Data toggle of the next packet the bus moves (0 = DATA0, 1 = DATA1). */
uint32_t model_next_pid(uint8_t ep, bool in);
uint32_t model_errors(void);                 /* driver did something the core forbids */

#endif
