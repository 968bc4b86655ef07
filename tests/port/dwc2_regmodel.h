/*
 * The DWC2 OTG FS core model (ports/emu/dwc2_model.c, the one the emulator
 * uses too) wired as dcd_dwc2.c's register I/O for host tests: the driver is
 * built with DB_DWC2_IO_MODEL and OTG_BASE = dwc2_model_space, so every
 * dwc2_io_read/write lands here at (address - dwc2_model_space) and goes to
 * one model instance. The model_* calls are the bus side, one packet at a
 * time, for tests that play the host by hand.
 */
#ifndef DB_DWC2_REGMODEL_H
#define DB_DWC2_REGMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "dwc2_model.h"

#define MODEL_EPS 3u
#define MODEL_SPACE_BYTES (0x1000u * (MODEL_EPS + 1u))

/* Only an address range for OTG_BASE: the registers live in the model. */
extern uint8_t dwc2_model_space[MODEL_SPACE_BYTES];
/* The instance behind dwc2_model_space (for tests that drive its bus side directly). */
extern struct dwc2_model dwc2_regmodel;

enum model_in_result { MODEL_NAK = DWC2_NAK, MODEL_STALL = DWC2_STALL };

void model_reset(void);
/* Bus events: reset (USBRST), then enumeration done (ENUMDNE). */
void model_bus_reset(void);
void model_enum_done(void);
void model_suspend(void);
void model_resume(void);
/* A SETUP packet; quirk_310a: the core adds its extra "OUT complete" (3.10a). */
void model_setup(const uint8_t setup[8], bool quirk_310a);
/* One OUT packet of len bytes (len <= max packet) with the right data toggle; false = NAK or STALL. */
bool model_out(uint8_t ep, const uint8_t *data, uint32_t len);
/* One IN token: bytes of the packet sent into out, or MODEL_NAK / MODEL_STALL. */
int32_t model_in(uint8_t ep, uint8_t *out);

uint32_t model_reg(uint32_t offset);         /* raw register value */
/* Set a register's stored value as the silicon would show it (another
   core's GSNPSID, a GRSTCTL that never reports AHB idle) before the driver
   reads it. */
void model_poke(uint32_t offset, uint32_t value);
/* Raise OUT endpoint flags by themselves, as core 3.10a does on its own. */
void model_raise_doepint(uint8_t ep, uint32_t flags);
uint32_t model_tx_words(uint8_t fifo);       /* words waiting in a TX FIFO */
uint32_t model_tx_flushes(uint8_t fifo);     /* flushes of that FIFO since model_reset */
bool model_wrote_sd0pid(uint8_t ep, bool in);/* a write set SD0PID (DATA0 toggle) */
/* Data toggle of the next packet the bus moves (0 = DATA0, 1 = DATA1). */
uint32_t model_next_pid(uint8_t ep, bool in);
uint32_t model_errors(void);                 /* driver did something the core forbids */

#endif
