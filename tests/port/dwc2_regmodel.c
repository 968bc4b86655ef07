/* DWC2 OTG FS device-mode model for host tests (see dwc2_regmodel.h). */
#include "dwc2_regmodel.h"

#include <string.h>

#include "dwc2_io.h"
#include "regs_otg.h"

_Alignas(4) uint8_t dwc2_model_space[MODEL_SPACE_BYTES];

#define RXQ_WORDS 512u
#define TXQ_WORDS 128u
#define EP0_MPS 64u
/* Bits the driver writes to act, which the core does not keep (read as 0). */
#define EPCTL_ACTION_BITS (OTG_EPCTL_CNAK_Msk | OTG_EPCTL_SNAK_Msk | OTG_EPCTL_SD0PID_Msk | \
                           (1u << 29) | OTG_EPCTL_EPDIS_Msk)
#define GINTSTS_W1C (OTG_GINTSTS_USBSUSP_Msk | OTG_GINTSTS_USBRST_Msk | OTG_GINTSTS_ENUMDNE_Msk | \
                     OTG_GINTSTS_WKUPINT_Msk | (1u << 3) | (1u << 10) | (1u << 15))

static struct {
    uint32_t rxq[RXQ_WORDS];
    uint32_t rx_head, rx_tail;
    uint32_t rx_pending_done[RXQ_WORDS]; /* per status word: flag to set when popped */
    uint32_t tx[MODEL_EPS][TXQ_WORDS];
    uint32_t tx_count[MODEL_EPS];
    uint32_t tx_flushes[MODEL_EPS];
    bool sd0pid[MODEL_EPS][2];
    uint8_t toggle[MODEL_EPS][2];        /* data PID of the next packet: 0 = DATA0 */
    bool nak_effective;
    uint32_t errors;
} m;

#define REG(off) (*(uint32_t *)(dwc2_model_space + (off)))
#define OFF_GINTSTS 0x014u
#define OFF_GRXSTSP 0x020u
#define OFF_GRSTCTL 0x010u
#define OFF_DIEPTXF0 0x028u
#define OFF_DIEPTXF(n) (0x104u + 4u * ((n) - 1u))
#define OFF_DCTL 0x804u
#define OFF_DIEPMSK 0x810u
#define OFF_DOEPMSK 0x814u
#define OFF_DAINT 0x818u
#define OFF_DIEPCTL(n) (0x900u + 0x20u * (n))
#define OFF_DIEPINT(n) (0x908u + 0x20u * (n))
#define OFF_DIEPTSIZ(n) (0x910u + 0x20u * (n))
#define OFF_DTXFSTS(n) (0x918u + 0x20u * (n))
#define OFF_DOEPCTL(n) (0xB00u + 0x20u * (n))
#define OFF_DOEPINT(n) (0xB08u + 0x20u * (n))
#define OFF_DOEPTSIZ(n) (0xB10u + 0x20u * (n))
#define OFF_FIFO(n) (0x1000u * ((n) + 1u))

void model_reset(void)
{
    memset(dwc2_model_space, 0, sizeof dwc2_model_space);
    memset(&m, 0, sizeof m);
    REG(OFF_GRSTCTL) = OTG_GRSTCTL_AHBIDL_Msk;
    REG(0x040u) = 0x4F54310Au; /* GSNPSID: core 3.10a */
}

uint32_t model_reg(uint32_t offset)
{
    return REG(offset);
}

void model_raise_doepint(uint8_t ep, uint32_t flags)
{
    REG(OFF_DOEPINT(ep)) |= flags;
}

uint32_t model_tx_words(uint8_t fifo)
{
    return m.tx_count[fifo];
}

uint32_t model_tx_flushes(uint8_t fifo)
{
    return m.tx_flushes[fifo];
}

bool model_wrote_sd0pid(uint8_t ep, bool in)
{
    return m.sd0pid[ep][in ? 1 : 0];
}

uint32_t model_next_pid(uint8_t ep, bool in)
{
    return m.toggle[ep][in ? 1 : 0];
}

uint32_t model_errors(void)
{
    return m.errors;
}

static void rx_push(uint32_t word, uint32_t on_pop_flag_ep)
{
    if (m.rx_tail - m.rx_head >= RXQ_WORDS) {
        m.errors++;
        return;
    }
    m.rx_pending_done[m.rx_tail % RXQ_WORDS] = on_pop_flag_ep;
    m.rxq[m.rx_tail++ % RXQ_WORDS] = word;
}

static uint32_t rx_status(uint32_t ep, uint32_t bcnt, uint32_t kind)
{
    return ep | (bcnt << OTG_GRXSTSP_BCNT_Pos) | (kind << OTG_GRXSTSP_PKTSTS_Pos);
}

static uint32_t fifo_depth(uint32_t n)
{
    uint32_t r = (n == 0u) ? REG(OFF_DIEPTXF0) : REG(OFF_DIEPTXF(n));
    return r >> 16;
}

static uint32_t daint(void)
{
    uint32_t v = 0;
    for (uint32_t n = 0; n < MODEL_EPS; n++) {
        if (REG(OFF_DIEPINT(n)) & REG(OFF_DIEPMSK))
            v |= 1u << n;
        /* STPKTRX is not maskable on 3.10a: it shows up in DAINT by itself. */
        if (REG(OFF_DOEPINT(n)) & (REG(OFF_DOEPMSK) | OTG_DOEPINT_STPKTRX_Msk))
            v |= 1u << (16u + n);
    }
    return v;
}

/* Popping a status word can raise the flag the hardware sets then (STUP, XFRC). */
static uint32_t rx_pop_status(void)
{
    if (m.rx_head == m.rx_tail) {
        m.errors++;
        return 0;
    }
    uint32_t i = m.rx_head++ % RXQ_WORDS;
    uint32_t flag = m.rx_pending_done[i];
    if (flag) {
        uint32_t ep = flag >> 24;
        REG(OFF_DOEPINT(ep)) |= flag & 0xFFFFFFu;
    }
    return m.rxq[i];
}

uint32_t dwc2_io_read(volatile uint32_t *reg)
{
    uint32_t off = (uint32_t)((uintptr_t)reg - (uintptr_t)dwc2_model_space);
    if (off >= MODEL_SPACE_BYTES) {
        m.errors++;
        return 0;
    }
    if (off == OFF_GRXSTSP)
        return rx_pop_status();
    if (off >= OFF_FIFO(0)) {
        if (off != OFF_FIFO(0) || m.rx_head == m.rx_tail) {
            m.errors++; /* reading a TX FIFO, or more data than the packet had */
            return 0;
        }
        return m.rxq[m.rx_head++ % RXQ_WORDS];
    }
    if (off == OFF_GINTSTS) {
        uint32_t v = REG(OFF_GINTSTS) & ~(OTG_GINTSTS_RXFLVL_Msk | OTG_GINTSTS_IEPINT_Msk |
                                          OTG_GINTSTS_OEPINT_Msk | OTG_GINTSTS_BOUTNAKEFF_Msk);
        if (m.rx_head != m.rx_tail)
            v |= OTG_GINTSTS_RXFLVL_Msk;
        if (daint() & 0xFFFFu)
            v |= OTG_GINTSTS_IEPINT_Msk;
        if (daint() >> 16)
            v |= OTG_GINTSTS_OEPINT_Msk;
        if (m.nak_effective)
            v |= OTG_GINTSTS_BOUTNAKEFF_Msk;
        return v;
    }
    if (off == OFF_DAINT)
        return daint();
    for (uint32_t n = 0; n < MODEL_EPS; n++) {
        if (off == OFF_DTXFSTS(n))
            return fifo_depth(n) - m.tx_count[n];
    }
    return REG(off);
}

static void write_epctl(uint32_t off, uint32_t n, bool in, uint32_t v)
{
    uint32_t old = REG(off);
    if (v & OTG_EPCTL_SD0PID_Msk) {
        m.sd0pid[n][in ? 1 : 0] = true;
        m.toggle[n][in ? 1 : 0] = 0u;
    }
    if (in && (v & OTG_EPCTL_SNAK_Msk))
        REG(OFF_DIEPINT(n)) |= OTG_DIEPINT_INEPNE_Msk; /* NAK takes effect at once here */
    uint32_t keep = v & ~EPCTL_ACTION_BITS;
    if (n == 0u) /* EP0: type and (for OUT) size are fixed by the core */
        keep = (keep & ~OTG_EPCTL_MPSIZ_Msk) | (in ? (v & 3u) : 0u);
    /* EPENA is set by software and cleared only by the core (transfer done
       or EPDIS): writing 0 there leaves an armed transfer armed. */
    keep |= old & OTG_EPCTL_EPENA_Msk;
    if (v & OTG_EPCTL_EPDIS_Msk) {
        if (!(old & OTG_EPCTL_EPENA_Msk))
            m.errors++; /* disabling an endpoint that is not enabled */
        if (!in && !m.nak_effective)
            m.errors++; /* OUT disable needs global OUT NAK in effect */
        if (in && !(REG(OFF_DIEPINT(n)) & OTG_DIEPINT_INEPNE_Msk))
            m.errors++; /* IN disable needs the endpoint's NAK in effect */
        keep &= ~OTG_EPCTL_EPENA_Msk;
        REG(in ? OFF_DIEPINT(n) : OFF_DOEPINT(n)) |= OTG_EPINT_EPDISD_Msk;
    }
    REG(off) = keep;
}

void dwc2_io_write(volatile uint32_t *reg, uint32_t v)
{
    uint32_t off = (uint32_t)((uintptr_t)reg - (uintptr_t)dwc2_model_space);
    if (off >= MODEL_SPACE_BYTES) {
        m.errors++;
        return;
    }
    if (off >= OFF_FIFO(0)) {
        uint32_t n = off / 0x1000u - 1u;
        if (off % 0x1000u != 0u || n >= MODEL_EPS || !(REG(OFF_DIEPCTL(n)) & OTG_EPCTL_EPENA_Msk) ||
            m.tx_count[n] >= fifo_depth(n) || m.tx_count[n] >= TXQ_WORDS) {
            m.errors++; /* push into a disabled endpoint or past its FIFO */
            return;
        }
        m.tx[n][m.tx_count[n]++] = v;
        return;
    }
    if (off == OFF_GINTSTS) {
        REG(off) &= ~(v & GINTSTS_W1C);
        return;
    }
    if (off == OFF_GRSTCTL) {
        if (v & OTG_GRSTCTL_CSRST_Msk)
            model_reset();
        if (v & OTG_GRSTCTL_TXFFLSH_Msk) {
            uint32_t f = (v >> OTG_GRSTCTL_TXFNUM_Pos) & 0x1Fu;
            for (uint32_t n = 0; n < MODEL_EPS; n++) {
                if (f == 0x10u || f == n) {
                    m.tx_count[n] = 0;
                    m.tx_flushes[n]++;
                }
            }
        }
        if (v & OTG_GRSTCTL_RXFFLSH_Msk)
            m.rx_head = m.rx_tail;
        return; /* reset and flush bits clear themselves; AHBIDL stays set */
    }
    if (off == OFF_DCTL) {
        if (v & OTG_DCTL_SGONAK_Msk)
            m.nak_effective = true;
        if (v & OTG_DCTL_CGONAK_Msk)
            m.nak_effective = false;
        REG(off) = v & ~(OTG_DCTL_SGONAK_Msk | OTG_DCTL_CGONAK_Msk | OTG_DCTL_CGINAK_Msk | (1u << 7));
        return;
    }
    for (uint32_t n = 0; n < MODEL_EPS; n++) {
        if (off == OFF_DIEPINT(n) || off == OFF_DOEPINT(n)) {
            REG(off) &= ~v;
            return;
        }
        if (off == OFF_DIEPCTL(n)) {
            write_epctl(off, n, true, v);
            return;
        }
        if (off == OFF_DOEPCTL(n)) {
            write_epctl(off, n, false, v);
            return;
        }
    }
    REG(off) = v;
}

void model_bus_reset(void)
{
    REG(OFF_GINTSTS) |= OTG_GINTSTS_USBRST_Msk;
}

void model_enum_done(void)
{
    REG(OFF_GINTSTS) |= OTG_GINTSTS_ENUMDNE_Msk;
    REG(0x808u) = 3u << 1; /* DSTS.ENUMSPD: full speed */
}

void model_suspend(void)
{
    REG(OFF_GINTSTS) |= OTG_GINTSTS_USBSUSP_Msk;
}

void model_resume(void)
{
    REG(OFF_GINTSTS) |= OTG_GINTSTS_WKUPINT_Msk;
}

void model_setup(const uint8_t setup[8], bool quirk_310a)
{
    uint32_t w[2];
    memcpy(w, setup, 8);
    /* The core takes a SETUP whatever EP0's state and clears its stalls. */
    REG(OFF_DIEPCTL(0)) &= ~OTG_EPCTL_STALL_Msk;
    REG(OFF_DOEPCTL(0)) &= ~OTG_EPCTL_STALL_Msk;
    uint32_t stupcnt = (REG(OFF_DOEPTSIZ(0)) >> OTG_DOEPTSIZ_STUPCNT_Pos) & 3u;
    if (stupcnt == 0u)
        m.errors++; /* EP0 OUT was not prepared for SETUP packets */
    rx_push(rx_status(0, 8, OTG_PKTSTS_SETUP_DATA), 0);
    rx_push(w[0], 0);
    rx_push(w[1], 0);
    uint32_t flags = OTG_DOEPINT_STUP_Msk;
    if (quirk_310a)
        flags |= OTG_EPINT_XFRC_Msk | OTG_DOEPINT_STPKTRX_Msk;
    rx_push(rx_status(0, 0, OTG_PKTSTS_SETUP_DONE), (0u << 24) | flags);
}

bool model_out(uint8_t ep, const uint8_t *data, uint32_t len)
{
    uint32_t ctl = REG(OFF_DOEPCTL(ep));
    if (ctl & OTG_EPCTL_STALL_Msk)
        return false;
    if (!(ctl & OTG_EPCTL_EPENA_Msk) || m.nak_effective)
        return false; /* NAK: the host retries later */
    uint32_t tsiz = REG(OFF_DOEPTSIZ(ep));
    uint32_t pktcnt = (tsiz >> OTG_EPTSIZ_PKTCNT_Pos) & (ep == 0u ? 1u : 0x3FFu);
    uint32_t xfrsize = tsiz & (ep == 0u ? 0x7Fu : 0x7FFFFu);
    uint32_t mps = ep == 0u ? EP0_MPS : (ctl & OTG_EPCTL_MPSIZ_Msk);
    if (len > mps || pktcnt == 0u) {
        m.errors++;
        return false;
    }
    m.toggle[ep][0] ^= 1u;
    rx_push(rx_status(ep, len, OTG_PKTSTS_OUT_DATA), 0);
    for (uint32_t i = 0; i < len; i += 4u) {
        uint32_t w = 0;
        memcpy(&w, data + i, (len - i) < 4u ? (len - i) : 4u);
        rx_push(w, 0);
    }
    pktcnt--;
    xfrsize = xfrsize > len ? xfrsize - len : 0u;
    uint32_t keep = tsiz & ~((ep == 0u ? 1u : 0x3FFu) << OTG_EPTSIZ_PKTCNT_Pos) & ~(ep == 0u ? 0x7Fu : 0x7FFFFu);
    REG(OFF_DOEPTSIZ(ep)) = keep | (pktcnt << OTG_EPTSIZ_PKTCNT_Pos) | xfrsize;
    if (pktcnt == 0u || len < mps) {
        REG(OFF_DOEPCTL(ep)) &= ~OTG_EPCTL_EPENA_Msk;
        rx_push(rx_status(ep, 0, OTG_PKTSTS_OUT_DONE), ((uint32_t)ep << 24) | OTG_EPINT_XFRC_Msk);
    }
    return true;
}

int32_t model_in(uint8_t ep, uint8_t *out)
{
    uint32_t ctl = REG(OFF_DIEPCTL(ep));
    if (ctl & OTG_EPCTL_STALL_Msk)
        return MODEL_STALL;
    if (!(ctl & OTG_EPCTL_EPENA_Msk))
        return MODEL_NAK;
    uint32_t tsiz = REG(OFF_DIEPTSIZ(ep));
    uint32_t pktcnt = (tsiz >> OTG_EPTSIZ_PKTCNT_Pos) & (ep == 0u ? 3u : 0x3FFu);
    uint32_t xfrsize = tsiz & (ep == 0u ? 0x7Fu : 0x7FFFFu);
    uint32_t mps = ep == 0u ? EP0_MPS : (ctl & OTG_EPCTL_MPSIZ_Msk);
    uint32_t len = xfrsize < mps ? xfrsize : mps;
    uint32_t words = (len + 3u) / 4u;
    if (pktcnt == 0u) {
        m.errors++;
        return MODEL_NAK;
    }
    if (m.tx_count[ep] < words)
        return MODEL_NAK; /* the packet is not in the FIFO yet */
    m.toggle[ep][1] ^= 1u;
    memcpy(out, m.tx[ep], len);
    memmove(m.tx[ep], m.tx[ep] + words, (m.tx_count[ep] - words) * 4u);
    m.tx_count[ep] -= words;
    pktcnt--;
    xfrsize -= len;
    uint32_t keep = tsiz & ~((ep == 0u ? 3u : 0x3FFu) << OTG_EPTSIZ_PKTCNT_Pos) & ~(ep == 0u ? 0x7Fu : 0x7FFFFu);
    REG(OFF_DIEPTSIZ(ep)) = keep | (pktcnt << OTG_EPTSIZ_PKTCNT_Pos) | xfrsize;
    if (pktcnt == 0u) {
        REG(OFF_DIEPCTL(ep)) &= ~OTG_EPCTL_EPENA_Msk;
        REG(OFF_DIEPINT(ep)) |= OTG_EPINT_XFRC_Msk;
    }
    return (int32_t)len;
}
