/*
 * A model of the STM32L4R5's OTG FS core (Synopsys DWC2 3.10a, device mode,
 * slave mode: no DMA), shared by the host tests of ports/dwc2/dcd_dwc2.c
 * (tests/port) and by the emulator (ports/emu/otg.c).
 *
 * Two sides:
 *  - the register side is what the firmware does: 32-bit reads and writes at
 *    an offset from the core's base (0x50000000 on the chip). The model applies
 *    what the hardware does on each access: write-1-to-clear flags, GRXSTSP
 *    popping the RX status queue and the FIFO port popping its data, TX FIFO
 *    pushes counted against DTXFSTS, DAINT and GINTSTS summary bits derived from
 *    the endpoint flags, self-clearing reset/flush bits, NAK and disable
 *    handshakes. Anything the core forbids or the model does not know is
 *    counted in errors (and the first few are kept for a report).
 *  - the bus side is what a USB host does, one packet at a time: bus reset,
 *    SETUP, OUT data packets (ACK, NAK or STALL), IN tokens (a packet, NAK or
 *    STALL), suspend/resume, start of frame. It also tells whether the device
 *    shows itself on the bus at all (transceiver on, DCTL.SDIS clear).
 *
 * Behaviours are those RM0432 describes in its OTG_FS chapter ("OTG_FS
 * registers", "Device programming model", "FIFO RAM allocation"); each is
 * cited at the code that does it. Registers the firmware may touch but whose
 * effect is not modelled (host mode, LPM, battery charging) are errors.
 */
#ifndef DB_DWC2_MODEL_H
#define DB_DWC2_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define DWC2_MODEL_SIZE 0x40000u      /* RM0432 memory map: OTG_FS owns 256 KB from 0x50000000 */
#define DWC2_MODEL_CSR_BYTES 0x1000u  /* control and status registers; FIFO ports start above */
#define DWC2_MODEL_FIFO_PORTS_END 0x20000u /* 0x1000..0x1FFFF: one 4 KB push/pop window per endpoint */
#define DWC2_MODEL_EPS 6u             /* OTG_FS: endpoints 0..5 in each direction */
#define DWC2_MODEL_FIFO_WORDS 320u    /* 1.25 KB of FIFO RAM shared by RX and every TX FIFO */
#define DWC2_MODEL_ERRLOG 8u          /* first errors kept for the report */
#define DWC2_MODEL_GSNPSID_310A 0x4F54310Au
#define DWC2_MODEL_GSNPSID_300A 0x4F54300Au /* first core with VBDEN and STPKTRX */

/* Bus-side answers. An IN token returns the packet's length (>= 0) or one of these. */
enum dwc2_model_handshake { DWC2_ACK = 0, DWC2_NAK = -1, DWC2_STALL = -2 };

struct dwc2_model_error {
    const char *what;
    uint32_t off;
};

struct dwc2_model {
    uint32_t csr[DWC2_MODEL_CSR_BYTES / 4u];  /* stored register values */
    /* The RX FIFO as the firmware sees it: status words and data words in
       arrival order; popped[] says what popping a status word raises. */
    uint32_t rxq[DWC2_MODEL_FIFO_WORDS];
    uint32_t rx_flag[DWC2_MODEL_FIFO_WORDS];
    uint32_t rx_head, rx_tail;                /* free-running word counters */
    uint32_t rx_data_left;                    /* words of the popped packet not read yet */
    uint32_t tx[DWC2_MODEL_EPS][DWC2_MODEL_FIFO_WORDS];
    uint32_t tx_count[DWC2_MODEL_EPS];
    uint32_t tx_flushes[DWC2_MODEL_EPS];
    bool sd0pid[DWC2_MODEL_EPS][2];           /* a write set SD0PID ([ep][is_in]) */
    uint8_t toggle[DWC2_MODEL_EPS][2];        /* data PID of the next packet: 0 = DATA0 */
    bool out_nak_effective;                   /* global OUT NAK */
    bool in_nak_effective;                    /* global IN NAK */
    bool core_310a;                           /* extra "OUT complete" after SETUP (GSNPSID 3.00a on) */
    uint32_t gsnpsid, eps;                    /* the core's version and endpoints per direction */
    bool vbus_pin;                            /* VBUS reaches the core's sensing pin (2.81a) */
    uint32_t cfg_gsnpsid, cfg_eps;            /* dwc2_model_configure's choice (0: the 3.10a, 6 endpoints default) */
    bool cfg_vbus_pin;
    uint32_t errors;
    struct dwc2_model_error errlog[DWC2_MODEL_ERRLOG];
    /* Bus statistics, for the emulator's figures. */
    uint32_t setups, out_packets, in_packets, naks, toggle_mismatches;
    uint32_t resets;                          /* dwc2_model_reset calls so far: a host sees the chip was reset */
};

/* Power-on / RCC reset: every register at its reset value, FIFOs empty
   (the resets count goes on; zero the struct before the first call). */
void dwc2_model_reset(struct dwc2_model *m);
/* Another core (kept across resets): its GSNPSID, endpoints per direction
   (at most DWC2_MODEL_EPS) and whether the board wires VBUS to its sensing
   pin; then a reset. Without a call: 3.10a, 6 endpoints. */
void dwc2_model_configure(struct dwc2_model *m, uint32_t gsnpsid, uint32_t eps, bool vbus_pin);

/* ---- register side ---- */
uint32_t dwc2_model_read(struct dwc2_model *m, uint32_t off, unsigned width);
void dwc2_model_write(struct dwc2_model *m, uint32_t off, uint32_t value, unsigned width);
/* A register's stored value, without the side effects of a read. */
uint32_t dwc2_model_peek(const struct dwc2_model *m, uint32_t off);

/* ---- bus side ---- */
/* The device pulls DP up: transceiver powered (GCCFG.PWRDWN) and DCTL.SDIS clear. */
bool dwc2_model_connected(const struct dwc2_model *m);
uint8_t dwc2_model_address(const struct dwc2_model *m);  /* DCFG.DAD */
void dwc2_model_bus_reset(struct dwc2_model *m);         /* reset signalling starts: USBRST */
void dwc2_model_enum_done(struct dwc2_model *m);         /* reset ends at full speed: ENUMDNE */
void dwc2_model_suspend(struct dwc2_model *m);
void dwc2_model_resume(struct dwc2_model *m);
void dwc2_model_sof(struct dwc2_model *m);               /* a start-of-frame token (every 1 ms) */
/* A SETUP packet to EP0. A device always accepts SETUP (USB 2.0 8.5.3). */
void dwc2_model_setup(struct dwc2_model *m, const uint8_t setup[8]);
/* One OUT data packet (len <= max packet) with data PID pid (0/1): ACK, NAK or STALL. */
int dwc2_model_out(struct dwc2_model *m, uint8_t ep, uint8_t pid, const uint8_t *data, uint32_t len);
/* One IN token: the packet's bytes into out (max packet room), its data PID
   into *pid; or DWC2_NAK / DWC2_STALL. */
int32_t dwc2_model_in(struct dwc2_model *m, uint8_t ep, uint8_t *out, uint8_t *pid);
/* Max packet size the endpoint is programmed with (EP0: DIEPCTL0.MPSIZ code). */
uint32_t dwc2_model_max_packet(const struct dwc2_model *m, uint8_t ep, bool in);

#endif
