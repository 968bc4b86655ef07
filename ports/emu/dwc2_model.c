/* DWC2 OTG FS device-mode model (see dwc2_model.h). Offsets and bits are
   written here from RM0432's OTG_FS register descriptions, not taken from the
   driver's header, so a wrong bit in the driver shows up as a wrong effect. */
#include "dwc2_model.h"

#include <string.h>

#define WORD 4u

/* Global registers (RM0432 "OTG_FS global registers"). */
#define GOTGCTL 0x000u
#define GOTGINT 0x004u
#define GAHBCFG 0x008u
#define GUSBCFG 0x00Cu
#define GRSTCTL 0x010u
#define GINTSTS 0x014u
#define GINTMSK 0x018u
#define GRXSTSR 0x01Cu
#define GRXSTSP 0x020u
#define GRXFSIZ 0x024u
#define DIEPTXF0 0x028u
#define GNPTXSTS 0x02Cu
#define GCCFG 0x038u
#define CID 0x03Cu
#define GSNPSID 0x040u
#define HPTXFSIZ 0x100u
#define DIEPTXF(n) (0x104u + WORD * ((n) - 1u))
#define HOST_REGS_START 0x400u
#define HOST_REGS_END 0x800u
/* Device registers ("OTG_FS device-mode registers"). */
#define DCFG 0x800u
#define DCTL 0x804u
#define DSTS 0x808u
#define DIEPMSK 0x810u
#define DOEPMSK 0x814u
#define DAINT 0x818u
#define DAINTMSK 0x81Cu
#define DVBUSDIS 0x828u
#define DVBUSPULSE 0x82Cu
#define DIEPEMPMSK 0x834u
#define EP_STRIDE 0x20u
#define DIEP_BASE 0x900u
#define DOEP_BASE 0xB00u
#define EPCTL 0x00u
#define EPINT 0x08u
#define EPTSIZ 0x10u
#define DTXFSTS 0x18u
#define PCGCCTL 0xE00u
#define FIFO_PORT_BASE 0x1000u
#define FIFO_PORT_BYTES 0x1000u

#define DIEP(n, r) (DIEP_BASE + EP_STRIDE * (n) + (r))
#define DOEP(n, r) (DOEP_BASE + EP_STRIDE * (n) + (r))

#define GRSTCTL_CSRST (1u << 0)
#define GRSTCTL_RXFFLSH (1u << 4)
#define GRSTCTL_TXFFLSH (1u << 5)
#define GRSTCTL_TXFNUM_POS 6u
#define GRSTCTL_TXFNUM_MASK 0x1Fu
#define GRSTCTL_TXFNUM_ALL 0x10u
#define GRSTCTL_AHBIDL (1u << 31)

#define GINTSTS_SOF (1u << 3)
#define GINTSTS_RXFLVL (1u << 4)
#define GINTSTS_GINAKEFF (1u << 6)
#define GINTSTS_BOUTNAKEFF (1u << 7)
#define GINTSTS_USBSUSP (1u << 11)
#define GINTSTS_USBRST (1u << 12)
#define GINTSTS_ENUMDNE (1u << 13)
#define GINTSTS_IEPINT (1u << 18)
#define GINTSTS_OEPINT (1u << 19)
#define GINTSTS_WKUPINT (1u << 31)
/* rc_w1 bits of GINTSTS: MMIS, SOF, ESUSP, USBSUSP, USBRST, ENUMDNE, ISOODRP,
   EOPF, IISOIXFR, IPXFR, RSTDET, LPMINT, CIDSCHG, DISCINT, SRQINT, WKUPINT. */
#define GINTSTS_W1C ((1u << 1) | (1u << 3) | (0x3Fu << 10) | (3u << 20) | (1u << 23) | (0x1Fu << 27))
/* Bits computed from the core's state on every read (read-only summaries). */
#define GINTSTS_DERIVED (GINTSTS_RXFLVL | GINTSTS_GINAKEFF | GINTSTS_BOUTNAKEFF | GINTSTS_IEPINT | GINTSTS_OEPINT)

#define GRXSTS_BCNT_POS 4u
#define GRXSTS_DPID_POS 15u
#define GRXSTS_DPID_DATA1 2u
#define GRXSTS_PKTSTS_POS 17u
#define PKTSTS_OUT_DATA 2u
#define PKTSTS_OUT_DONE 3u
#define PKTSTS_SETUP_DONE 4u
#define PKTSTS_SETUP_DATA 6u

#define GCCFG_PWRDWN (1u << 16)
#define GCCFG_VBUSBSEN (1u << 19)   /* 2.81a: VBUS sensing as B-device */
#define GCCFG_NOVBUSSENS (1u << 21) /* 2.81a: no VBUS sensing, B-session valid (3.00a on: VBDEN) */

#define DCFG_DAD_POS 4u
#define DCFG_DAD_MASK 0x7Fu
#define DCTL_SDIS (1u << 1)
#define DCTL_GINSTS (1u << 2)
#define DCTL_GONSTS (1u << 3)
#define DCTL_SGINAK (1u << 7)
#define DCTL_CGINAK (1u << 8)
#define DCTL_SGONAK (1u << 9)
#define DCTL_CGONAK (1u << 10)
#define DCTL_POPRGDNE (1u << 11)
#define DCTL_WRITE_ONLY (DCTL_SGINAK | DCTL_CGINAK | DCTL_SGONAK | DCTL_CGONAK | DCTL_POPRGDNE)
#define DSTS_SUSPSTS (1u << 0)
#define DSTS_ENUMSPD_FULL_48MHZ (3u << 1)
#define DSTS_FNSOF_POS 8u
#define DSTS_FNSOF_MASK 0x3FFFu

#define EPCTL_MPSIZ_MASK 0x7FFu
#define EPCTL0_MPSIZ_MASK 3u
#define EPCTL_USBAEP (1u << 15)
#define EPCTL_NAKSTS (1u << 17)
#define EPCTL_STALL (1u << 21)
#define EPCTL_TXFNUM_POS 22u
#define EPCTL_TXFNUM_MASK 0xFu
#define EPCTL_CNAK (1u << 26)
#define EPCTL_SNAK (1u << 27)
#define EPCTL_SD0PID (1u << 28)
#define EPCTL_SODDFRM (1u << 29)
#define EPCTL_EPDIS (1u << 30)
#define EPCTL_EPENA (1u << 31)
/* Bits software writes to act; the core does not keep them (they read as 0). */
#define EPCTL_ACTION_BITS (EPCTL_CNAK | EPCTL_SNAK | EPCTL_SD0PID | EPCTL_SODDFRM | EPCTL_EPDIS)

#define EPINT_XFRC (1u << 0)
#define EPINT_EPDISD (1u << 1)
#define DOEPINT_STUP (1u << 3)
#define DOEPINT_STPKTRX (1u << 15)
#define DIEPINT_INEPNE (1u << 6)
#define DIEPINT_TXFE (1u << 7)

#define TSIZ_PKTCNT_POS 19u
#define TSIZ_XFRSIZ_MASK 0x7FFFFu
#define TSIZ_PKTCNT_MASK 0x3FFu
#define TSIZ0_XFRSIZ_MASK 0x7Fu
#define TSIZ0_IN_PKTCNT_MASK 3u
#define TSIZ0_OUT_PKTCNT_MASK 1u
#define DOEPTSIZ0_STUPCNT_POS 29u
#define DOEPTSIZ0_STUPCNT_MASK 3u

#define SETUP_BYTES 8u
#define EP0_MPS_CODES {64u, 32u, 16u, 8u} /* DIEPCTL0.MPSIZ: 00 = 64 bytes ... 11 = 8 bytes */

/* Reset values (RM0432 register descriptions). */
#define RESET_GOTGCTL 0x00010000u   /* CIDSTS: B-device */
#define RESET_GUSBCFG 0x00001440u
#define RESET_GINTSTS 0x04000020u   /* NPTXFE, PTXFE */
#define RESET_GRXFSIZ 0x00000200u
#define RESET_DIEPTXF0 0x00000200u
#define RESET_GNPTXSTS 0x00080200u
#define RESET_CID 0x00002000u
#define RESET_HPTXFSIZ 0x02000600u
#define RESET_DIEPTXF 0x02000400u
#define RESET_DCFG 0x02200000u
#define RESET_DCTL DCTL_SDIS        /* soft-disconnected until the firmware connects */
#define RESET_DSTS 0x00000010u

#define REG(m, off) ((m)->csr[(off) / WORD])

static void model_error(struct dwc2_model *m, const char *what, uint32_t off)
{
    if (m->errors < DWC2_MODEL_ERRLOG)
        m->errlog[m->errors] = (struct dwc2_model_error){what, off};
    m->errors++;
}

static void fifos_clear(struct dwc2_model *m)
{
    m->rx_head = m->rx_tail = 0;
    m->rx_data_left = 0;
    memset(m->tx_count, 0, sizeof m->tx_count);
}

void dwc2_model_configure(struct dwc2_model *m, uint32_t gsnpsid, uint32_t eps, bool vbus_pin)
{
    m->cfg_gsnpsid = gsnpsid;
    m->cfg_eps = eps <= DWC2_MODEL_EPS ? eps : DWC2_MODEL_EPS;
    m->cfg_vbus_pin = vbus_pin;
    dwc2_model_reset(m);
}

void dwc2_model_reset(struct dwc2_model *m)
{
    uint32_t resets = m->resets;
    uint32_t gsnpsid = m->cfg_gsnpsid ? m->cfg_gsnpsid : DWC2_MODEL_GSNPSID_310A;
    uint32_t eps = m->cfg_eps ? m->cfg_eps : DWC2_MODEL_EPS;
    bool vbus_pin = m->cfg_vbus_pin;
    memset(m, 0, sizeof *m);
    m->resets = resets + 1u;
    m->cfg_gsnpsid = gsnpsid;
    m->cfg_eps = eps;
    m->cfg_vbus_pin = vbus_pin;
    m->gsnpsid = gsnpsid;
    m->eps = eps;
    m->vbus_pin = vbus_pin;
    /* The extra "OUT complete" after SETUP (STPKTRX) came with core 3.00a. */
    m->core_310a = gsnpsid >= DWC2_MODEL_GSNPSID_300A;
    REG(m, GOTGCTL) = RESET_GOTGCTL;
    REG(m, GUSBCFG) = RESET_GUSBCFG;
    REG(m, GRSTCTL) = GRSTCTL_AHBIDL;
    REG(m, GINTSTS) = RESET_GINTSTS;
    REG(m, GRXFSIZ) = RESET_GRXFSIZ;
    REG(m, DIEPTXF0) = RESET_DIEPTXF0;
    REG(m, GNPTXSTS) = RESET_GNPTXSTS;
    REG(m, CID) = RESET_CID;
    REG(m, GSNPSID) = gsnpsid;
    REG(m, HPTXFSIZ) = RESET_HPTXFSIZ;
    for (uint32_t n = 1; n < eps; n++)
        REG(m, DIEPTXF(n)) = RESET_DIEPTXF;
    REG(m, DCFG) = RESET_DCFG;
    REG(m, DCTL) = RESET_DCTL;
    REG(m, DSTS) = RESET_DSTS;
    /* "USBAEP: always 1 for endpoint 0": control EP0 is active in every configuration. */
    REG(m, DIEP(0, EPCTL)) = EPCTL_USBAEP;
    REG(m, DOEP(0, EPCTL)) = EPCTL_USBAEP;
}

/* GRSTCTL.CSRST: the interrupts, the endpoint state machines and every FIFO
   go back to idle; the configuration the firmware wrote (speed, DCTL.SDIS,
   GCCFG, FIFO sizes, masks) is kept. */
static void core_soft_reset(struct dwc2_model *m)
{
    REG(m, GINTSTS) = RESET_GINTSTS;
    for (uint32_t n = 0; n < DWC2_MODEL_EPS; n++) {
        REG(m, DIEP(n, EPINT)) = 0;
        REG(m, DOEP(n, EPINT)) = 0;
        REG(m, DIEP(n, EPCTL)) &= ~(EPCTL_EPENA | EPCTL_NAKSTS | EPCTL_STALL);
        REG(m, DOEP(n, EPCTL)) &= ~(EPCTL_EPENA | EPCTL_NAKSTS | EPCTL_STALL);
    }
    memset(m->toggle, 0, sizeof m->toggle);
    m->out_nak_effective = m->in_nak_effective = false;
    fifos_clear(m);
}

uint32_t dwc2_model_peek(const struct dwc2_model *m, uint32_t off)
{
    return off < DWC2_MODEL_CSR_BYTES ? m->csr[off / WORD] : 0u;
}

uint32_t dwc2_model_max_packet(const struct dwc2_model *m, uint8_t ep, bool in)
{
    static const uint32_t ep0_codes[] = EP0_MPS_CODES;
    if (ep == 0u) /* DOEPCTL0.MPSIZ is read-only and mirrors DIEPCTL0's */
        return ep0_codes[REG(m, DIEP(0, EPCTL)) & EPCTL0_MPSIZ_MASK];
    return REG(m, in ? DIEP(ep, EPCTL) : DOEP(ep, EPCTL)) & EPCTL_MPSIZ_MASK;
}

/* ---- RX FIFO ---- */

static uint32_t rx_capacity(const struct dwc2_model *m)
{
    uint32_t words = REG(m, GRXFSIZ) & 0xFFFFu;
    return words < DWC2_MODEL_FIFO_WORDS ? words : DWC2_MODEL_FIFO_WORDS;
}

static uint32_t rx_used(const struct dwc2_model *m)
{
    return m->rx_tail - m->rx_head;
}

static void rx_push(struct dwc2_model *m, uint32_t word, uint32_t flag_on_pop)
{
    if (rx_used(m) >= DWC2_MODEL_FIFO_WORDS) {
        model_error(m, "RX FIFO overrun", GRXFSIZ);
        return;
    }
    m->rx_flag[m->rx_tail % DWC2_MODEL_FIFO_WORDS] = flag_on_pop;
    m->rxq[m->rx_tail++ % DWC2_MODEL_FIFO_WORDS] = word;
}

static uint32_t rx_status(uint32_t ep, uint32_t bcnt, uint32_t kind, uint32_t pid)
{
    return ep | (bcnt << GRXSTS_BCNT_POS) | ((pid ? GRXSTS_DPID_DATA1 : 0u) << GRXSTS_DPID_POS) |
           (kind << GRXSTS_PKTSTS_POS);
}

/* flag_on_pop: endpoint number in bits 31:24, DOEPINT flags in 23:0. */
#define RX_FLAG(ep, flags) (((uint32_t)(ep) << 24) | (flags))

/* GRXSTSP: "a read pops the top status entry". Popping an OUT-transfer-done
   or SETUP-stage-done entry is what raises XFRC / STUP in DOEPINT ("Device
   programming model", OUT data transfers and SETUP handling). */
static uint32_t rx_pop_status(struct dwc2_model *m, bool pop)
{
    if (m->rx_data_left != 0u) {
        model_error(m, "GRXSTSP read before the last packet's data was read", GRXSTSP);
        m->rx_head += m->rx_data_left;
        m->rx_data_left = 0;
    }
    if (m->rx_head == m->rx_tail) {
        model_error(m, "GRXSTSP read with the RX FIFO empty", GRXSTSP);
        return 0;
    }
    uint32_t i = m->rx_head % DWC2_MODEL_FIFO_WORDS;
    uint32_t st = m->rxq[i];
    if (!pop)
        return st;
    m->rx_head++;
    m->rx_data_left = (((st >> GRXSTS_BCNT_POS) & 0x7FFu) + WORD - 1u) / WORD;
    uint32_t flag = m->rx_flag[i];
    if (flag != 0u)
        REG(m, DOEP(flag >> 24, EPINT)) |= flag & 0xFFFFFFu;
    return st;
}

static uint32_t rx_pop_data(struct dwc2_model *m, uint32_t off)
{
    if (m->rx_data_left == 0u) {
        model_error(m, "FIFO read past the popped packet's data", off);
        return 0;
    }
    m->rx_data_left--;
    return m->rxq[m->rx_head++ % DWC2_MODEL_FIFO_WORDS];
}

/* ---- derived registers ---- */

static uint32_t daint(const struct dwc2_model *m)
{
    uint32_t v = 0;
    for (uint32_t n = 0; n < DWC2_MODEL_EPS; n++) {
        if (REG(m, DIEP(n, EPINT)) & REG(m, DIEPMSK))
            v |= 1u << n;
        /* STPKTRX (core 3.10a) has no mask bit: it reaches DAINT by itself. */
        if (REG(m, DOEP(n, EPINT)) & (REG(m, DOEPMSK) | DOEPINT_STPKTRX))
            v |= 1u << (16u + n);
    }
    return v;
}

static uint32_t tx_depth(const struct dwc2_model *m, uint32_t n)
{
    return (n == 0u ? REG(m, DIEPTXF0) : REG(m, DIEPTXF(n))) >> 16;
}

static uint32_t read_gintsts(const struct dwc2_model *m)
{
    uint32_t v = REG(m, GINTSTS) & ~GINTSTS_DERIVED;
    uint32_t pending = daint(m) & REG(m, DAINTMSK);
    if (m->rx_head != m->rx_tail && m->rx_data_left == 0u)
        v |= GINTSTS_RXFLVL;
    if (pending & 0xFFFFu)
        v |= GINTSTS_IEPINT;
    if (pending >> 16)
        v |= GINTSTS_OEPINT;
    if (m->in_nak_effective)
        v |= GINTSTS_GINAKEFF;
    if (m->out_nak_effective)
        v |= GINTSTS_BOUTNAKEFF;
    return v;
}

static bool ep_reg(const struct dwc2_model *m, uint32_t off, uint32_t base, uint32_t *n, uint32_t *r)
{
    if (off < base || off >= base + EP_STRIDE * m->eps)
        return false;
    *n = (off - base) / EP_STRIDE;
    *r = (off - base) % EP_STRIDE;
    return true;
}

/* Plain read/write registers: configuration the core keeps as written. */
static bool plain_register(const struct dwc2_model *m, uint32_t off)
{
    static const uint32_t plain[] = {GOTGCTL, GAHBCFG, GUSBCFG, GINTMSK, GRXFSIZ, DIEPTXF0, GCCFG, CID,
                                     HPTXFSIZ, DCFG, DIEPMSK, DOEPMSK, DAINTMSK, DVBUSDIS, DVBUSPULSE,
                                     DIEPEMPMSK, PCGCCTL};
    for (uint32_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (plain[i] == off)
            return true;
    return off >= DIEPTXF(1) && off <= DIEPTXF(m->eps - 1u);
}

uint32_t dwc2_model_read(struct dwc2_model *m, uint32_t off, unsigned width)
{
    if (width != WORD || (off % WORD) != 0u) {
        model_error(m, "OTG access not a 32-bit word", off); /* RM0432: the core is word-accessed */
        return 0;
    }
    if (off >= FIFO_PORT_BASE) {
        if (off < FIFO_PORT_BASE + FIFO_PORT_BYTES) /* any address of EP0's window pops the RX FIFO */
            return rx_pop_data(m, off);
        model_error(m, off < DWC2_MODEL_FIFO_PORTS_END ? "read of a TX FIFO port" : "direct FIFO RAM access", off);
        return 0;
    }
    uint32_t n, r;
    if (ep_reg(m, off, DIEP_BASE, &n, &r)) {
        if (r == EPINT)
            return (REG(m, off) & ~DIEPINT_TXFE) | (m->tx_count[n] == 0u ? DIEPINT_TXFE : 0u);
        if (r == DTXFSTS)
            return tx_depth(m, n) - m->tx_count[n];
        if (r == EPCTL || r == EPTSIZ)
            return REG(m, off);
    } else if (ep_reg(m, off, DOEP_BASE, &n, &r)) {
        if (r == EPCTL || r == EPINT || r == EPTSIZ)
            return REG(m, off);
    } else if (off == GINTSTS) {
        return read_gintsts(m);
    } else if (off == GRXSTSP || off == GRXSTSR) {
        return rx_pop_status(m, off == GRXSTSP);
    } else if (off == DAINT) {
        return daint(m);
    } else if (off == DCTL) {
        return REG(m, DCTL) | (m->in_nak_effective ? DCTL_GINSTS : 0u) | (m->out_nak_effective ? DCTL_GONSTS : 0u);
    } else if (off == GRSTCTL || off == GOTGINT || off == GNPTXSTS || off == GSNPSID || off == DSTS ||
               plain_register(m, off)) {
        return REG(m, off);
    }
    model_error(m, off >= HOST_REGS_START && off < HOST_REGS_END ? "host-mode register read" : "unmodelled OTG register read", off);
    return 0;
}

static void tx_flush(struct dwc2_model *m, uint32_t fifo)
{
    for (uint32_t n = 0; n < DWC2_MODEL_EPS; n++) {
        if (fifo == GRSTCTL_TXFNUM_ALL || fifo == n) {
            m->tx_count[n] = 0;
            m->tx_flushes[n]++;
        }
    }
}

static void write_grstctl(struct dwc2_model *m, uint32_t v)
{
    if (v & GRSTCTL_CSRST)
        core_soft_reset(m);
    if (v & GRSTCTL_TXFFLSH)
        tx_flush(m, (v >> GRSTCTL_TXFNUM_POS) & GRSTCTL_TXFNUM_MASK);
    if (v & GRSTCTL_RXFFLSH) {
        m->rx_head = m->rx_tail;
        m->rx_data_left = 0;
    }
    /* Reset and flush bits clear themselves when done (at once here); AHBIDL stays set. */
    REG(m, GRSTCTL) = GRSTCTL_AHBIDL | (v & (GRSTCTL_TXFNUM_MASK << GRSTCTL_TXFNUM_POS));
}

static void write_dctl(struct dwc2_model *m, uint32_t v)
{
    /* SGONAK/SGINAK take effect at once here: the effective flags
       (GINTSTS.BOUTNAKEFF/GINAKEFF) are set on the next read. */
    if (v & DCTL_SGONAK)
        m->out_nak_effective = true;
    if (v & DCTL_CGONAK)
        m->out_nak_effective = false;
    if (v & DCTL_SGINAK)
        m->in_nak_effective = true;
    if (v & DCTL_CGINAK)
        m->in_nak_effective = false;
    REG(m, DCTL) = v & ~(DCTL_WRITE_ONLY | DCTL_GINSTS | DCTL_GONSTS);
}

static void write_epctl(struct dwc2_model *m, uint32_t n, bool in, uint32_t v)
{
    uint32_t off = in ? DIEP(n, EPCTL) : DOEP(n, EPCTL);
    uint32_t old = REG(m, off);
    if (v & EPCTL_SD0PID) {
        m->sd0pid[n][in ? 1 : 0] = true;
        m->toggle[n][in ? 1 : 0] = 0u;
    }
    uint32_t keep = v & ~(EPCTL_ACTION_BITS | EPCTL_NAKSTS);
    if (n == 0u) {
        /* EP0: always active, control type; DOEPCTL0.MPSIZ is read-only. */
        keep = (keep & ~(EPCTL_MPSIZ_MASK | (3u << 18))) | EPCTL_USBAEP |
               (in ? (v & EPCTL0_MPSIZ_MASK) : (old & EPCTL0_MPSIZ_MASK));
    }
    if (in && n != 0u && (v & EPCTL_USBAEP) && ((v >> EPCTL_TXFNUM_POS) & EPCTL_TXFNUM_MASK) != n)
        model_error(m, "IN endpoint given another endpoint's TX FIFO (not modelled)", off);
    /* NAKSTS follows SNAK/CNAK; EPENA is set by software and cleared only by
       the core (transfer done or EPDIS): writing 0 there leaves it armed. */
    keep |= old & (EPCTL_NAKSTS | EPCTL_EPENA);
    if (v & EPCTL_SNAK) {
        keep |= EPCTL_NAKSTS;
        if (in) /* "INEPNE: the core has sampled the NAK bit": at once here */
            REG(m, DIEP(n, EPINT)) |= DIEPINT_INEPNE;
    }
    if (v & EPCTL_CNAK)
        keep &= ~EPCTL_NAKSTS;
    if (v & EPCTL_EPDIS) {
        /* "Disabling an IN endpoint" / "Disabling an OUT endpoint": only an
           enabled endpoint, IN with its NAK in effect, OUT under global OUT NAK. */
        if (!(old & EPCTL_EPENA))
            model_error(m, "EPDIS on an endpoint that is not enabled", off);
        if (!in && !m->out_nak_effective)
            model_error(m, "OUT EPDIS without global OUT NAK in effect", off);
        if (in && !(REG(m, DIEP(n, EPINT)) & DIEPINT_INEPNE))
            model_error(m, "IN EPDIS without the endpoint's NAK in effect", off);
        keep &= ~EPCTL_EPENA;
        REG(m, in ? DIEP(n, EPINT) : DOEP(n, EPINT)) |= EPINT_EPDISD;
    }
    REG(m, off) = keep;
}

static void tx_push(struct dwc2_model *m, uint32_t off, uint32_t v)
{
    uint32_t n = (off - FIFO_PORT_BASE) / FIFO_PORT_BYTES;
    if (n >= m->eps) {
        model_error(m, "write to a FIFO port of no endpoint", off);
        return;
    }
    if (!(REG(m, DIEP(n, EPCTL)) & EPCTL_EPENA)) {
        model_error(m, "TX FIFO push into a disabled IN endpoint", off);
        return;
    }
    if (m->tx_count[n] >= tx_depth(m, n) || m->tx_count[n] >= DWC2_MODEL_FIFO_WORDS) {
        model_error(m, "TX FIFO push past the FIFO's depth", off);
        return;
    }
    m->tx[n][m->tx_count[n]++] = v;
}

void dwc2_model_write(struct dwc2_model *m, uint32_t off, uint32_t v, unsigned width)
{
    if (width != WORD || (off % WORD) != 0u) {
        model_error(m, "OTG access not a 32-bit word", off);
        return;
    }
    if (off >= FIFO_PORT_BASE) {
        if (off < DWC2_MODEL_FIFO_PORTS_END)
            tx_push(m, off, v);
        else
            model_error(m, "direct FIFO RAM access", off);
        return;
    }
    uint32_t n, r;
    if (ep_reg(m, off, DIEP_BASE, &n, &r) || ep_reg(m, off, DOEP_BASE, &n, &r)) {
        bool in = off < DOEP_BASE;
        if (r == EPCTL)
            write_epctl(m, n, in, v);
        else if (r == EPINT)
            REG(m, off) &= ~v; /* rc_w1 */
        else if (r == EPTSIZ)
            REG(m, off) = v;
        else if (!(in && r == DTXFSTS)) /* DTXFSTS is read-only: a write does nothing */
            model_error(m, "unmodelled OTG endpoint register write", off);
        return;
    }
    if (off == GRSTCTL)
        write_grstctl(m, v);
    else if (off == GINTSTS)
        REG(m, off) &= ~(v & GINTSTS_W1C);
    else if (off == GOTGINT)
        REG(m, off) &= ~v;
    else if (off == DCTL)
        write_dctl(m, v);
    else if (plain_register(m, off))
        REG(m, off) = v;
    else if (off == GRXSTSR || off == GRXSTSP || off == GNPTXSTS || off == GSNPSID || off == DSTS || off == DAINT)
        return; /* read-only */
    else
        model_error(m, off >= HOST_REGS_START && off < HOST_REGS_END ? "host-mode register write" : "unmodelled OTG register write", off);
}

/* ---- bus side ---- */

/* Before core 3.00a (the F4's 2.81a, RM0383 22.16.2 OTG_FS_GCCFG) the
   B-session is valid only through VBUS sensing (VBUSBSEN with VBUS on its
   pin) or with sensing off (NOVBUSSENS); without it the core does not pull
   DP up. From 3.00a the model takes VBUS as valid, as before. */
bool dwc2_model_connected(const struct dwc2_model *m)
{
    uint32_t gccfg = REG(m, GCCFG);
    bool session = m->gsnpsid >= DWC2_MODEL_GSNPSID_300A || (gccfg & GCCFG_NOVBUSSENS) ||
                   ((gccfg & GCCFG_VBUSBSEN) && m->vbus_pin);
    return (gccfg & GCCFG_PWRDWN) && !(REG(m, DCTL) & DCTL_SDIS) && session;
}

uint8_t dwc2_model_address(const struct dwc2_model *m)
{
    return (uint8_t)((REG(m, DCFG) >> DCFG_DAD_POS) & DCFG_DAD_MASK);
}

void dwc2_model_bus_reset(struct dwc2_model *m)
{
    REG(m, GINTSTS) |= GINTSTS_USBRST;
    REG(m, DSTS) &= ~DSTS_SUSPSTS;
}

void dwc2_model_enum_done(struct dwc2_model *m)
{
    REG(m, GINTSTS) |= GINTSTS_ENUMDNE;
    REG(m, DSTS) = (REG(m, DSTS) & ~(3u << 1)) | DSTS_ENUMSPD_FULL_48MHZ;
}

void dwc2_model_suspend(struct dwc2_model *m)
{
    REG(m, GINTSTS) |= GINTSTS_USBSUSP;
    REG(m, DSTS) |= DSTS_SUSPSTS;
}

void dwc2_model_resume(struct dwc2_model *m)
{
    REG(m, GINTSTS) |= GINTSTS_WKUPINT;
    REG(m, DSTS) &= ~DSTS_SUSPSTS;
}

void dwc2_model_sof(struct dwc2_model *m)
{
    uint32_t fn = ((REG(m, DSTS) >> DSTS_FNSOF_POS) + 1u) & DSTS_FNSOF_MASK;
    REG(m, DSTS) = (REG(m, DSTS) & ~(DSTS_FNSOF_MASK << DSTS_FNSOF_POS)) | (fn << DSTS_FNSOF_POS);
    REG(m, GINTSTS) |= GINTSTS_SOF;
}

void dwc2_model_setup(struct dwc2_model *m, const uint8_t setup[8])
{
    uint32_t w[SETUP_BYTES / WORD];
    memcpy(w, setup, SETUP_BYTES);
    m->setups++;
    /* A SETUP clears EP0's STALL in both directions and the core NAKs the
       data stage until the firmware clears NAK (DxEPCTL0 STALL, NAKSTS). */
    REG(m, DIEP(0, EPCTL)) = (REG(m, DIEP(0, EPCTL)) & ~EPCTL_STALL) | EPCTL_NAKSTS;
    REG(m, DOEP(0, EPCTL)) = (REG(m, DOEP(0, EPCTL)) & ~EPCTL_STALL) | EPCTL_NAKSTS;
    /* SETUP is always DATA0; the data stage starts with DATA1. */
    m->toggle[0][0] = m->toggle[0][1] = 1u;
    uint32_t tsiz = REG(m, DOEP(0, EPTSIZ));
    uint32_t stupcnt = (tsiz >> DOEPTSIZ0_STUPCNT_POS) & DOEPTSIZ0_STUPCNT_MASK;
    if (stupcnt == 0u)
        model_error(m, "SETUP with DOEPTSIZ0.STUPCNT at 0 (EP0 not prepared)", DOEP(0, EPTSIZ));
    else
        REG(m, DOEP(0, EPTSIZ)) = (tsiz & ~(DOEPTSIZ0_STUPCNT_MASK << DOEPTSIZ0_STUPCNT_POS)) |
                                  ((stupcnt - 1u) << DOEPTSIZ0_STUPCNT_POS);
    rx_push(m, rx_status(0, SETUP_BYTES, PKTSTS_SETUP_DATA, 0), 0);
    rx_push(m, w[0], 0);
    rx_push(m, w[1], 0);
    /* Core 3.10a also flags STPKTRX and an "OUT transfer complete" for the
       SETUP stage, which the driver must not take as a data stage. */
    uint32_t flags = DOEPINT_STUP | (m->core_310a ? (EPINT_XFRC | DOEPINT_STPKTRX) : 0u);
    rx_push(m, rx_status(0, 0, PKTSTS_SETUP_DONE, 0), RX_FLAG(0, flags));
}

static uint32_t tsiz_pktcnt_mask(uint8_t ep, bool in)
{
    if (ep != 0u)
        return TSIZ_PKTCNT_MASK;
    return in ? TSIZ0_IN_PKTCNT_MASK : TSIZ0_OUT_PKTCNT_MASK;
}

int dwc2_model_out(struct dwc2_model *m, uint8_t ep, uint8_t pid, const uint8_t *data, uint32_t len)
{
    if (ep >= m->eps)
        return DWC2_NAK;
    uint32_t ctl = REG(m, DOEP(ep, EPCTL));
    if (ctl & EPCTL_STALL)
        return DWC2_STALL;
    uint32_t words = (len + WORD - 1u) / WORD;
    /* NAK: not armed, NAK set, global OUT NAK, or no room in the RX FIFO for
       the packet, its status word and a transfer-done word. */
    if (!(ctl & EPCTL_EPENA) || (ctl & EPCTL_NAKSTS) || m->out_nak_effective ||
        rx_used(m) + words + 2u > rx_capacity(m)) {
        m->naks++;
        return DWC2_NAK;
    }
    uint32_t mps = dwc2_model_max_packet(m, ep, false);
    uint32_t pmask = tsiz_pktcnt_mask(ep, false);
    uint32_t xmask = ep == 0u ? TSIZ0_XFRSIZ_MASK : TSIZ_XFRSIZ_MASK;
    uint32_t tsiz = REG(m, DOEP(ep, EPTSIZ));
    uint32_t pktcnt = (tsiz >> TSIZ_PKTCNT_POS) & pmask;
    uint32_t xfrsize = tsiz & xmask;
    if (len > mps || pktcnt == 0u) {
        model_error(m, len > mps ? "OUT packet larger than max packet" : "OUT endpoint enabled with PKTCNT 0",
                    DOEP(ep, EPTSIZ));
        return DWC2_NAK;
    }
    if (pid != m->toggle[ep][0]) {
        /* USB 2.0 8.6.4: a retried packet (wrong toggle) is ACKed and dropped. */
        m->toggle_mismatches++;
        return DWC2_ACK;
    }
    m->out_packets++;
    m->toggle[ep][0] ^= 1u;
    rx_push(m, rx_status(ep, len, PKTSTS_OUT_DATA, pid), 0);
    for (uint32_t i = 0; i < len; i += WORD) {
        uint32_t w = 0;
        memcpy(&w, data + i, (len - i) < WORD ? (len - i) : WORD);
        rx_push(m, w, 0);
    }
    pktcnt--;
    xfrsize = xfrsize > len ? xfrsize - len : 0u;
    REG(m, DOEP(ep, EPTSIZ)) = (tsiz & ~(pmask << TSIZ_PKTCNT_POS) & ~xmask) | (pktcnt << TSIZ_PKTCNT_POS) | xfrsize;
    /* The transfer ends when PKTCNT reaches 0 or on a short packet. */
    if (pktcnt == 0u || len < mps) {
        REG(m, DOEP(ep, EPCTL)) &= ~EPCTL_EPENA;
        rx_push(m, rx_status(ep, 0, PKTSTS_OUT_DONE, 0), RX_FLAG(ep, EPINT_XFRC));
    }
    return DWC2_ACK;
}

int32_t dwc2_model_in(struct dwc2_model *m, uint8_t ep, uint8_t *out, uint8_t *pid)
{
    if (ep >= m->eps)
        return DWC2_NAK;
    uint32_t ctl = REG(m, DIEP(ep, EPCTL));
    if (ctl & EPCTL_STALL)
        return DWC2_STALL;
    if (!(ctl & EPCTL_EPENA) || (ctl & EPCTL_NAKSTS) || m->in_nak_effective) {
        m->naks++;
        return DWC2_NAK;
    }
    uint32_t pmask = tsiz_pktcnt_mask(ep, true);
    uint32_t xmask = ep == 0u ? TSIZ0_XFRSIZ_MASK : TSIZ_XFRSIZ_MASK;
    uint32_t tsiz = REG(m, DIEP(ep, EPTSIZ));
    uint32_t pktcnt = (tsiz >> TSIZ_PKTCNT_POS) & pmask;
    uint32_t xfrsize = tsiz & xmask;
    uint32_t mps = dwc2_model_max_packet(m, ep, true);
    uint32_t len = xfrsize < mps ? xfrsize : mps;
    uint32_t words = (len + WORD - 1u) / WORD;
    if (pktcnt == 0u) {
        model_error(m, "IN endpoint enabled with PKTCNT 0", DIEP(ep, EPTSIZ));
        return DWC2_NAK;
    }
    if (m->tx_count[ep] < words) {
        m->naks++;
        return DWC2_NAK; /* the whole packet is not in the FIFO yet */
    }
    m->in_packets++;
    *pid = m->toggle[ep][1];
    m->toggle[ep][1] ^= 1u;
    memcpy(out, m->tx[ep], len);
    memmove(m->tx[ep], m->tx[ep] + words, (m->tx_count[ep] - words) * WORD);
    m->tx_count[ep] -= words;
    pktcnt--;
    xfrsize -= len;
    REG(m, DIEP(ep, EPTSIZ)) = (tsiz & ~(pmask << TSIZ_PKTCNT_POS) & ~xmask) | (pktcnt << TSIZ_PKTCNT_POS) | xfrsize;
    if (pktcnt == 0u) {
        REG(m, DIEP(ep, EPCTL)) &= ~EPCTL_EPENA;
        REG(m, DIEP(ep, EPINT)) |= EPINT_XFRC;
    }
    return (int32_t)len;
}
