/*
 * usb/dcd.h for the Synopsys DWC2 OTG full-speed core, one driver for every
 * STM32 that has it (the L4R5's core 3.x, the F411's 2.81a). The chip's
 * facts (base, endpoints, FIFO RAM, clock and pins) come from the port's
 * dwc2_chip.h; what differs between core versions is keyed on GSNPSID,
 * read once in dcd_init.
 *
 * Slave mode (no DMA), polled: dcd_poll reads GINTSTS from the main loop, so
 * no USB interrupt is enabled and usb/ sees every event from dcd_poll. EP0
 * moves one packet per hardware transfer; bulk endpoints hand the core the
 * whole transfer and refill the TX FIFO whenever it has room. VBUS is not
 * sensed (neither the NUCLEO-L4R5ZI nor the Black Pill wires VBUS to the
 * core): the session is declared valid and connect/disconnect is DCTL.SDIS.
 * A bounded wait that runs out and a FIFO plan that does not fit are
 * recorded in dwc2_faults() rather than dropped.
 * Every access goes through dwc2_io.h so a host test can run this file
 * against a model of the core.
 */
#include <string.h>

#include "clock.h"
#include "dcd.h"
#include "dcd_dwc2.h"
#include "dwc2_fifo.h"
#include "dwc2_io.h"
#include "regs_otg.h"

#define DCD_EPS 3u               /* EP0 + endpoints 1 and 2: a bulk pair for MSC, either numbering */
#define DCD_EP0_MPS 64u          /* full-speed control endpoint */
#define DCD_BULK_MPS 64u         /* full-speed bulk endpoints */
#define DCD_SETUP_BYTES 8u
#define DCD_SETUP_BACK_TO_BACK 3u /* DOEPTSIZ0.STUPCNT: SETUPs the core may take unasked */
#define DCD_SPINS 100000u        /* core reset, FIFO flush, endpoint disable: microseconds in practice */
#define DCD_FORCE_MODE_MS 25u    /* RM0432: wait at least 25 ms after forcing device mode */
#define DCD_RX_POPS_PER_POLL 32u /* bounds one dcd_poll; the rest waits for the next call */
#define DCD_WORD 4u

_Static_assert(DCD_EPS <= OTG_EP_COUNT, "the chip has fewer endpoints than the MSC function needs");

struct dcd_ep {
    uint8_t *buf;
    uint32_t len;      /* bytes asked for */
    uint32_t done;     /* IN: acknowledged by the host; OUT: received */
    uint32_t queued;   /* IN: pushed into the TX FIFO */
    uint32_t chunk;    /* EP0 IN: bytes in the packet now in flight */
    uint16_t mps;
    bool busy;
    bool short_rx;     /* OUT: last packet was short, the transfer is over */
    bool got_packet;   /* OUT: a data packet (maybe zero-length) arrived since arming */
};

static struct {
    const struct dcd_events *ev;
    struct dcd_ep in[DCD_EPS];
    struct dcd_ep out[DCD_EPS];
    uint32_t setup[DCD_SETUP_BYTES / DCD_WORD];
    struct dwc2_fifo_layout fifo;
    uint32_t core_id; /* GSNPSID */
    uint32_t faults;  /* DWC2_FAULT_* seen since dcd_init */
} dcd;

/* Cores from 3.00a moved VBUS handling (GCCFG.VBDEN, GOTGCTL overrides)
   and flag the SETUP stage's extra OUT complete (DOEPINT.STPKTRX). */
static bool dcd_core_3x(void)
{
    return dcd.core_id >= OTG_GSNPSID_3_00A;
}

static bool dcd_spin_until(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < DCD_SPINS; i++) {
        if ((dwc2_io_read(reg) & mask) == want)
            return true;
    }
    dcd.faults |= DWC2_FAULT_TIMEOUT;
    return false;
}

uint32_t dwc2_faults(void)
{
    return dcd.faults;
}

uint32_t dwc2_core_id(void)
{
    return dcd.core_id;
}

static void dcd_flush_tx(uint32_t fifo_num_field)
{
    volatile uint32_t *rst = &OTG_GLOBAL->GRSTCTL;
    dwc2_io_write(rst, OTG_GRSTCTL_TXFFLSH_Msk | fifo_num_field);
    (void)dcd_spin_until(rst, OTG_GRSTCTL_TXFFLSH_Msk, 0u);
}

static void dcd_flush_fifos(void)
{
    volatile uint32_t *rst = &OTG_GLOBAL->GRSTCTL;
    dcd_flush_tx(OTG_GRSTCTL_TXFNUM_ALL);
    dwc2_io_write(rst, OTG_GRSTCTL_RXFFLSH_Msk);
    (void)dcd_spin_until(rst, OTG_GRSTCTL_RXFFLSH_Msk, 0u);
}

static void dcd_fifo_setup(void)
{
    struct otg_global_regs *g = OTG_GLOBAL;
    uint16_t in_mps[DWC2_TX_FIFOS_MAX] = {0};
    in_mps[0] = DCD_EP0_MPS;
    for (uint32_t i = 1; i < DCD_EPS; i++)
        in_mps[i] = DCD_BULK_MPS;
    /* Static configuration, proven to fit by tests/port/test_port_dwc2_fifo.c;
       a chip header with too little FIFO RAM is a fault, not a silent mess. */
    if (!dwc2_fifo_plan(OTG_FIFO_WORDS, in_mps, DCD_EPS, DCD_BULK_MPS, &dcd.fifo)) {
        dcd.faults |= DWC2_FAULT_FIFO_PLAN;
        return;
    }
    dwc2_io_write(&g->GRXFSIZ, dcd.fifo.rx_words);
    dwc2_io_write(&g->DIEPTXF0, ((uint32_t)dcd.fifo.tx_words[0] << 16) | dcd.fifo.tx_start[0]);
    for (uint32_t i = 1; i < OTG_EP_COUNT && i < DWC2_TX_FIFOS_MAX; i++)
        dwc2_io_write(&g->DIEPTXF[i - 1u], ((uint32_t)dcd.fifo.tx_words[i] << 16) | dcd.fifo.tx_start[i]);
    dcd_flush_fifos();
}

/* EP0 OUT ready for SETUP packets; in slave mode this needs no EPENA. */
static void dcd_ep0_expect_setup(void)
{
    dwc2_io_write(&OTG_OUT(0)->DOEPTSIZ, (DCD_SETUP_BACK_TO_BACK << OTG_DOEPTSIZ_STUPCNT_Pos) |
                                             (1u << OTG_EPTSIZ_PKTCNT_Pos) |
                                             (DCD_SETUP_BACK_TO_BACK * DCD_SETUP_BYTES));
}

void dcd_init(const struct dcd_events *ev)
{
    memset(&dcd, 0, sizeof dcd);
    dcd.ev = ev;
    usb_hw_init();

    struct otg_global_regs *g = OTG_GLOBAL;
    struct otg_device_regs *d = OTG_DEVICE;
    /* Read-only and fixed in silicon: who we talk to, before touching it. */
    dcd.core_id = dwc2_io_read(&g->GSNPSID);
    (void)dcd_spin_until(&g->GRSTCTL, OTG_GRSTCTL_AHBIDL_Msk, OTG_GRSTCTL_AHBIDL_Msk);
    dwc2_io_write(&g->GRSTCTL, OTG_GRSTCTL_CSRST_Msk);
    (void)dcd_spin_until(&g->GRSTCTL, OTG_GRSTCTL_CSRST_Msk, 0u);
    (void)dcd_spin_until(&g->GRSTCTL, OTG_GRSTCTL_AHBIDL_Msk, OTG_GRSTCTL_AHBIDL_Msk);

    /* Transceiver on, no VBUS sensing: the session is declared valid
       instead, each core version its own way (bit 21 changed sense). */
    if (dcd_core_3x()) {
        dwc2_io_write(&g->GCCFG, OTG_GCCFG_PWRDWN_Msk);
        dwc2_io_set(&g->GOTGCTL, OTG_GOTGCTL_BVALOEN_Msk | OTG_GOTGCTL_BVALOVAL_Msk);
    } else {
        dwc2_io_write(&g->GCCFG, OTG_GCCFG_PWRDWN_Msk | OTG_GCCFG_NOVBUSSENS_Msk);
    }
    uint32_t usbcfg = dwc2_io_read(&g->GUSBCFG) & ~(OTG_GUSBCFG_TRDT_Msk | OTG_GUSBCFG_FHMOD_Msk);
    dwc2_io_write(&g->GUSBCFG, usbcfg | OTG_GUSBCFG_PHYSEL_Msk | OTG_GUSBCFG_TOCAL_MAX |
                                   OTG_GUSBCFG_FDMOD_Msk |
                                   (OTG_GUSBCFG_TRDT_AHB_ABOVE_32MHZ << OTG_GUSBCFG_TRDT_Pos));
    clock_delay_ms(DCD_FORCE_MODE_MS);

    dwc2_io_write(&OTG_PCGCCTL, 0u);
    dwc2_io_write(&d->DCTL, OTG_DCTL_SDIS_Msk);
    /* NZLSOHSK: a non-zero-length status OUT is answered with STALL. */
    dwc2_io_write(&d->DCFG, OTG_DCFG_DSPD_FULL | OTG_DCFG_NZLSOHSK_Msk);
    dcd_fifo_setup();
    dwc2_io_write(&d->DIEPMSK, OTG_EPINT_XFRC_Msk);
    dwc2_io_write(&d->DOEPMSK, OTG_EPINT_XFRC_Msk | OTG_DOEPINT_STUP_Msk);
    dwc2_io_write(&d->DAINTMSK, 0u);
    dwc2_io_write(&g->GAHBCFG, 0u); /* polled: the core's interrupt line stays off */
    dwc2_io_write(&g->GINTSTS, 0xFFFFFFFFu);
    dwc2_io_write(&g->GINTMSK, OTG_GINTSTS_RXFLVL_Msk | OTG_GINTSTS_USBSUSP_Msk |
                                   OTG_GINTSTS_USBRST_Msk | OTG_GINTSTS_ENUMDNE_Msk |
                                   OTG_GINTSTS_IEPINT_Msk | OTG_GINTSTS_OEPINT_Msk |
                                   OTG_GINTSTS_WKUPINT_Msk);
}

void dcd_connect(void)
{
    dwc2_io_clear(&OTG_DEVICE->DCTL, OTG_DCTL_SDIS_Msk);
}

void dcd_disconnect(void)
{
    dwc2_io_set(&OTG_DEVICE->DCTL, OTG_DCTL_SDIS_Msk);
}

void dcd_set_address(uint8_t addr)
{
    /* The core itself finishes the status stage at the old address. */
    volatile uint32_t *dcfg = &OTG_DEVICE->DCFG;
    dwc2_io_write(dcfg, (dwc2_io_read(dcfg) & ~OTG_DCFG_DAD_Msk) |
                            (((uint32_t)addr << OTG_DCFG_DAD_Pos) & OTG_DCFG_DAD_Msk));
}

/* RM0432 "IN endpoint disable": NAK, wait for it, disable, flush its FIFO.
   halt: STALL it on the way (dcd_ep_stall); without, the endpoint is just
   stopped with nothing armed (dcd_ep_open). EP0 is only NAKed. */
static void dcd_in_stop(uint8_t n, uint32_t halt)
{
    struct otg_in_ep_regs *i = OTG_IN(n);
    if (n == 0u || (dwc2_io_read(&i->DIEPCTL) & OTG_EPCTL_EPENA_Msk) == 0u) {
        dwc2_io_set(&i->DIEPCTL, OTG_EPCTL_SNAK_Msk | halt);
    } else {
        dwc2_io_set(&i->DIEPCTL, OTG_EPCTL_SNAK_Msk);
        (void)dcd_spin_until(&i->DIEPINT, OTG_DIEPINT_INEPNE_Msk, OTG_DIEPINT_INEPNE_Msk);
        dwc2_io_set(&i->DIEPCTL, OTG_EPCTL_SNAK_Msk | OTG_EPCTL_EPDIS_Msk | halt);
        (void)dcd_spin_until(&i->DIEPINT, OTG_EPINT_EPDISD_Msk, OTG_EPINT_EPDISD_Msk);
        dwc2_io_write(&i->DIEPINT, OTG_EPINT_EPDISD_Msk | OTG_DIEPINT_INEPNE_Msk);
    }
    dcd_flush_tx((uint32_t)n << OTG_GRSTCTL_TXFNUM_Pos);
    dcd.in[n].busy = false;
}

/* RM0432 "OUT endpoint disable": global OUT NAK first, then disable. */
static void dcd_out_stop(uint8_t n, uint32_t halt)
{
    struct otg_out_ep_regs *o = OTG_OUT(n);
    if (n == 0u || (dwc2_io_read(&o->DOEPCTL) & OTG_EPCTL_EPENA_Msk) == 0u) {
        if (halt != 0u)
            dwc2_io_set(&o->DOEPCTL, halt); /* nothing armed: NAKs already */
    } else {
        struct otg_device_regs *d = OTG_DEVICE;
        dwc2_io_set(&d->DCTL, OTG_DCTL_SGONAK_Msk);
        (void)dcd_spin_until(&OTG_GLOBAL->GINTSTS, OTG_GINTSTS_BOUTNAKEFF_Msk, OTG_GINTSTS_BOUTNAKEFF_Msk);
        dwc2_io_set(&o->DOEPCTL, OTG_EPCTL_SNAK_Msk | OTG_EPCTL_EPDIS_Msk | halt);
        (void)dcd_spin_until(&o->DOEPINT, OTG_EPINT_EPDISD_Msk, OTG_EPINT_EPDISD_Msk);
        dwc2_io_write(&o->DOEPINT, OTG_EPINT_EPDISD_Msk);
        dwc2_io_set(&d->DCTL, OTG_DCTL_CGONAK_Msk);
    }
    dcd.out[n].busy = false;
}

void dcd_ep_open(uint8_t ep_addr, enum dcd_ep_type type, uint16_t max_packet)
{
    uint8_t n = DCD_EP_NUM(ep_addr);
    if (n >= DCD_EPS)
        return;
    struct otg_device_regs *d = OTG_DEVICE;
    /* Rewriting DxEPCTL leaves an armed transfer armed (EPENA is cleared
       only by the core): stop it first so nothing stale goes out or comes
       in, then program the endpoint afresh (no STALL, DATA0, NAK until armed). */
    uint32_t ctl = (max_packet & OTG_EPCTL_MPSIZ_Msk) | OTG_EPCTL_USBAEP_Msk |
                   ((uint32_t)type << OTG_EPCTL_EPTYP_Pos) | OTG_EPCTL_SD0PID_Msk | OTG_EPCTL_SNAK_Msk;
    if (DCD_EP_IS_IN(ep_addr)) {
        if (n != 0u) {
            dcd_in_stop(n, 0u);
            dwc2_io_write(&OTG_IN(n)->DIEPCTL, ctl | ((uint32_t)n << OTG_DIEPCTL_TXFNUM_Pos));
            dwc2_io_set(&d->DAINTMSK, 1u << n);
        }
        dcd.in[n] = (struct dcd_ep){.mps = max_packet};
    } else {
        if (n != 0u) {
            dcd_out_stop(n, 0u);
            dwc2_io_write(&OTG_OUT(n)->DOEPCTL, ctl);
            dwc2_io_set(&d->DAINTMSK, 1u << (16u + n));
        }
        dcd.out[n] = (struct dcd_ep){.mps = max_packet};
    }
}

/* Push whole packets while the endpoint's TX FIFO has room for them. */
static void dcd_in_push(uint8_t n)
{
    struct dcd_ep *ep = &dcd.in[n];
    uint32_t limit = (n == 0u) ? ep->done + ep->chunk : ep->len;
    for (uint32_t guard = 0; guard < OTG_FIFO_WORDS && ep->queued < limit; guard++) {
        uint32_t pkt = limit - ep->queued;
        if (pkt > ep->mps)
            pkt = ep->mps;
        uint32_t words = (pkt + DCD_WORD - 1u) / DCD_WORD;
        if ((dwc2_io_read(&OTG_IN(n)->DTXFSTS) & 0xFFFFu) < words)
            return;
        const uint8_t *src = ep->buf + ep->queued;
        for (uint32_t w = 0; w < words; w++) {
            uint32_t v = 0;
            uint32_t take = pkt - DCD_WORD * w;
            memcpy(&v, src + DCD_WORD * w, take < DCD_WORD ? take : DCD_WORD);
            dwc2_io_write(&OTG_FIFO(n), v);
        }
        ep->queued += pkt;
    }
}

static void dcd_ep0_in_next(void)
{
    struct dcd_ep *ep = &dcd.in[0];
    uint32_t chunk = ep->len - ep->done;
    if (chunk > ep->mps)
        chunk = ep->mps;
    ep->chunk = chunk;
    dwc2_io_write(&OTG_IN(0)->DIEPTSIZ, (1u << OTG_EPTSIZ_PKTCNT_Pos) | chunk);
    dwc2_io_set(&OTG_IN(0)->DIEPCTL, OTG_EPCTL_EPENA_Msk | OTG_EPCTL_CNAK_Msk);
    dcd_in_push(0);
}

static void dcd_out_arm(uint8_t n)
{
    struct dcd_ep *ep = &dcd.out[n];
    if (n == 0u) {
        dwc2_io_write(&OTG_OUT(0)->DOEPTSIZ, (DCD_SETUP_BACK_TO_BACK << OTG_DOEPTSIZ_STUPCNT_Pos) |
                                                 (1u << OTG_EPTSIZ_PKTCNT_Pos) | ep->mps);
    } else {
        uint32_t pkts = (ep->len + ep->mps - 1u) / ep->mps;
        if (pkts == 0u)
            pkts = 1u;
        dwc2_io_write(&OTG_OUT(n)->DOEPTSIZ, (pkts << OTG_EPTSIZ_PKTCNT_Pos) | (pkts * ep->mps));
    }
    dwc2_io_set(&OTG_OUT(n)->DOEPCTL, OTG_EPCTL_EPENA_Msk | OTG_EPCTL_CNAK_Msk);
}

bool dcd_ep_xfer(uint8_t ep_addr, uint8_t *buf, uint32_t len)
{
    uint8_t n = DCD_EP_NUM(ep_addr);
    if (n >= DCD_EPS)
        return false;
    struct dcd_ep *ep = DCD_EP_IS_IN(ep_addr) ? &dcd.in[n] : &dcd.out[n];
    if (ep->busy || ep->mps == 0u)
        return false;
    ep->buf = buf;
    ep->len = len;
    ep->done = 0;
    ep->queued = 0;
    ep->short_rx = false;
    ep->got_packet = false;
    ep->busy = true;
    if (!DCD_EP_IS_IN(ep_addr)) {
        dcd_out_arm(n);
    } else if (n == 0u) {
        dcd_ep0_in_next();
    } else {
        uint32_t pkts = (len + ep->mps - 1u) / ep->mps;
        if (pkts == 0u)
            pkts = 1u; /* a zero-length packet */
        dwc2_io_write(&OTG_IN(n)->DIEPTSIZ, (pkts << OTG_EPTSIZ_PKTCNT_Pos) | len);
        dwc2_io_set(&OTG_IN(n)->DIEPCTL, OTG_EPCTL_EPENA_Msk | OTG_EPCTL_CNAK_Msk);
        dcd_in_push(n);
    }
    return true;
}

void dcd_ep_stall(uint8_t ep_addr)
{
    uint8_t n = DCD_EP_NUM(ep_addr);
    if (n >= DCD_EPS)
        return;
    /* A control endpoint stalls both ways; the next SETUP clears it in hardware. */
    if (DCD_EP_IS_IN(ep_addr) || n == 0u)
        dcd_in_stop(n, OTG_EPCTL_STALL_Msk);
    if (!DCD_EP_IS_IN(ep_addr) || n == 0u)
        dcd_out_stop(n, OTG_EPCTL_STALL_Msk);
}

void dcd_ep_clear_stall(uint8_t ep_addr)
{
    uint8_t n = DCD_EP_NUM(ep_addr);
    if (n >= DCD_EPS)
        return;
    /* Clearing a halt also resets the data toggle to DATA0 (USB 2.0 9.4.5). */
    volatile uint32_t *ctl = DCD_EP_IS_IN(ep_addr) ? &OTG_IN(n)->DIEPCTL : &OTG_OUT(n)->DOEPCTL;
    dwc2_io_write(ctl, (dwc2_io_read(ctl) & ~OTG_EPCTL_STALL_Msk) | OTG_EPCTL_SD0PID_Msk);
}

bool dcd_ep_stalled(uint8_t ep_addr)
{
    uint8_t n = DCD_EP_NUM(ep_addr);
    if (n >= DCD_EPS)
        return false;
    volatile uint32_t *ctl = DCD_EP_IS_IN(ep_addr) ? &OTG_IN(n)->DIEPCTL : &OTG_OUT(n)->DOEPCTL;
    return (dwc2_io_read(ctl) & OTG_EPCTL_STALL_Msk) != 0u;
}

static void dcd_bus_reset(void)
{
    struct otg_device_regs *d = OTG_DEVICE;
    for (uint32_t n = 0; n < DCD_EPS; n++) {
        dwc2_io_set(&OTG_OUT(n)->DOEPCTL, OTG_EPCTL_SNAK_Msk);
        dwc2_io_set(&OTG_IN(n)->DIEPCTL, OTG_EPCTL_SNAK_Msk);
        dwc2_io_write(&OTG_OUT(n)->DOEPINT, 0xFFFFu);
        dwc2_io_write(&OTG_IN(n)->DIEPINT, 0xFFFFu);
        dcd.in[n] = (struct dcd_ep){0};
        dcd.out[n] = (struct dcd_ep){0};
    }
    dcd.in[0].mps = DCD_EP0_MPS;
    dcd.out[0].mps = DCD_EP0_MPS;
    dwc2_io_clear(&d->DCFG, OTG_DCFG_DAD_Msk);
    dwc2_io_write(&d->DAINTMSK, 1u | (1u << 16)); /* EP0 IN and OUT */
    dcd_fifo_setup();
    dcd_ep0_expect_setup();
    if (dcd.ev && dcd.ev->bus_reset)
        dcd.ev->bus_reset(dcd.ev->ctx);
}

static void dcd_rx_pop(void)
{
    uint32_t st = dwc2_io_read(&OTG_GLOBAL->GRXSTSP);
    uint32_t n = st & OTG_GRXSTSP_EPNUM_Msk;
    uint32_t bcnt = (st & OTG_GRXSTSP_BCNT_Msk) >> OTG_GRXSTSP_BCNT_Pos;
    uint32_t kind = (st & OTG_GRXSTSP_PKTSTS_Msk) >> OTG_GRXSTSP_PKTSTS_Pos;
    uint32_t words = (bcnt + DCD_WORD - 1u) / DCD_WORD;

    if (kind == OTG_PKTSTS_SETUP_DATA && n == 0u) {
        for (uint32_t w = 0; w < words; w++) {
            uint32_t v = dwc2_io_read(&OTG_FIFO(0));
            if (w < DCD_SETUP_BYTES / DCD_WORD)
                dcd.setup[w] = v;
        }
        return;
    }
    if (kind == OTG_PKTSTS_SETUP_DONE && n == 0u)
        dcd_ep0_expect_setup(); /* room for the next back-to-back SETUPs */
    if (kind != OTG_PKTSTS_OUT_DATA) {
        for (uint32_t w = 0; w < words; w++)
            (void)dwc2_io_read(&OTG_FIFO(0));
        return;
    }
    struct dcd_ep *ep = (n < DCD_EPS) ? &dcd.out[n] : NULL;
    for (uint32_t w = 0; w < words; w++) {
        uint32_t v = dwc2_io_read(&OTG_FIFO(0));
        if (ep == NULL || !ep->busy)
            continue;
        uint32_t room = ep->len - ep->done;
        uint32_t take = bcnt - DCD_WORD * w;
        if (take > DCD_WORD)
            take = DCD_WORD;
        if (take > room)
            take = room; /* the host sent more than asked: drop the excess */
        memcpy(ep->buf + ep->done, &v, take);
        ep->done += take;
    }
    if (ep != NULL && ep->busy) {
        ep->got_packet = true;
        if (bcnt < ep->mps)
            ep->short_rx = true;
    }
}

static void dcd_xfer_done(uint8_t ep_addr, struct dcd_ep *ep)
{
    ep->busy = false;
    if (dcd.ev && dcd.ev->xfer_done)
        dcd.ev->xfer_done(dcd.ev->ctx, ep_addr, ep->done);
}

static void dcd_out_events(uint32_t n)
{
    struct otg_out_ep_regs *o = OTG_OUT(n);
    uint32_t flags = dwc2_io_read(&o->DOEPINT);
    dwc2_io_write(&o->DOEPINT, flags);
    if (n == 0u && (flags & OTG_DOEPINT_STUP_Msk)) {
        /* A new SETUP ends whatever control transfer was going on. */
        dcd.in[0].busy = false;
        dcd.out[0].busy = false;
        dcd_ep0_expect_setup();
        if (dcd.ev && dcd.ev->setup)
            dcd.ev->setup(dcd.ev->ctx, (const uint8_t *)dcd.setup);
        return;
    }
    if ((flags & OTG_EPINT_XFRC_Msk) == 0u)
        return;
    /* Cores from 3.00a report an extra OUT complete for the SETUP stage,
       flagged by STPKTRX: not the end of a transfer usb/ asked for. Any
       core: an OUT complete with no data packet before it is not one either
       (the flag comes separately from the SETUP on some 3.x releases). */
    if (n == 0u && dcd_core_3x() && (flags & OTG_DOEPINT_STPKTRX_Msk))
        return;
    struct dcd_ep *ep = &dcd.out[n];
    if (!ep->busy || !ep->got_packet)
        return;
    if (n == 0u && !ep->short_rx && ep->done < ep->len) {
        ep->got_packet = false;
        dcd_out_arm(0); /* EP0 takes one packet per hardware transfer */
        return;
    }
    dcd_xfer_done((uint8_t)n, ep);
}

static void dcd_in_events(uint32_t n)
{
    struct otg_in_ep_regs *i = OTG_IN(n);
    uint32_t flags = dwc2_io_read(&i->DIEPINT);
    dwc2_io_write(&i->DIEPINT, flags);
    if ((flags & OTG_EPINT_XFRC_Msk) == 0u)
        return;
    struct dcd_ep *ep = &dcd.in[n];
    if (!ep->busy)
        return;
    if (n == 0u) {
        ep->done += ep->chunk;
        if (ep->done < ep->len) {
            dcd_ep0_in_next();
            return;
        }
    } else {
        ep->done = ep->len;
    }
    dcd_xfer_done((uint8_t)(n | DCD_EP_DIR_IN), ep);
}

void dcd_poll(void)
{
    struct otg_global_regs *g = OTG_GLOBAL;
    struct otg_device_regs *d = OTG_DEVICE;
    uint32_t sts = dwc2_io_read(&g->GINTSTS);

    if (sts & OTG_GINTSTS_USBRST_Msk) {
        dwc2_io_write(&g->GINTSTS, OTG_GINTSTS_USBRST_Msk);
        dcd_bus_reset();
    }
    if (sts & OTG_GINTSTS_ENUMDNE_Msk) {
        dwc2_io_write(&g->GINTSTS, OTG_GINTSTS_ENUMDNE_Msk);
        dwc2_io_clear(&OTG_IN(0)->DIEPCTL, OTG_EPCTL_MPSIZ_Msk); /* EP0 code 0: 64-byte packets */
        dwc2_io_set(&d->DCTL, OTG_DCTL_CGINAK_Msk);
    }
    for (uint32_t k = 0; k < DCD_RX_POPS_PER_POLL && (dwc2_io_read(&g->GINTSTS) & OTG_GINTSTS_RXFLVL_Msk); k++)
        dcd_rx_pop();

    uint32_t daint = dwc2_io_read(&d->DAINT) & dwc2_io_read(&d->DAINTMSK);
    for (uint32_t n = 0; n < DCD_EPS; n++) {
        if (daint & (1u << (16u + n)))
            dcd_out_events(n);
        if (daint & (1u << n))
            dcd_in_events(n);
    }
    /* Bulk IN transfers longer than the TX FIFO: top it up as packets leave. */
    for (uint8_t n = 1; n < DCD_EPS; n++) {
        if (dcd.in[n].busy && dcd.in[n].queued < dcd.in[n].len)
            dcd_in_push(n);
    }
    if (sts & OTG_GINTSTS_USBSUSP_Msk) {
        dwc2_io_write(&g->GINTSTS, OTG_GINTSTS_USBSUSP_Msk);
        if (dcd.ev && dcd.ev->suspend)
            dcd.ev->suspend(dcd.ev->ctx);
    }
    if (sts & OTG_GINTSTS_WKUPINT_Msk) {
        dwc2_io_write(&g->GINTSTS, OTG_GINTSTS_WKUPINT_Msk);
        if (dcd.ev && dcd.ev->resume)
            dcd.ev->resume(dcd.ev->ctx);
    }
}
