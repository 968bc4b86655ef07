/*
 * USB OTG full-speed core (Synopsys DWC2), device mode only, as the STM32
 * parts have it (RM0432 / RM0383 "OTG_FS registers"). The layout is the
 * same on every core version the ports use; where a bit's meaning changed
 * between versions (GCCFG, GOTGCTL) both are named with the version that
 * has it. The chip's base, endpoint count and FIFO size come from the
 * port's dwc2_chip.h.
 */
#ifndef DB_REGS_OTG_H
#define DB_REGS_OTG_H

#include <stdint.h>

#include "dwc2_chip.h"

#ifndef OTG_BASE /* a host test points it at a RAM model */
#define OTG_BASE DWC2_CHIP_BASE
#endif
#define OTG_EP_COUNT DWC2_CHIP_EPS          /* endpoints in each direction, EP0 included */
#define OTG_FIFO_WORDS DWC2_CHIP_FIFO_WORDS /* FIFO RAM shared by RX and every TX FIFO */

/* GSNPSID values ("OT" and the release): the driver keys quirks on these. */
#define OTG_GSNPSID_ID_Msk 0xFFFF0000u
#define OTG_GSNPSID_ID 0x4F540000u        /* "OT": an OTG core at all */
#define OTG_GSNPSID_3_00A 0x4F54300Au     /* first release with VBDEN / BVALOEN and STPKTRX */

struct otg_global_regs {          /* OTG_BASE + 0x000 */
    volatile uint32_t GOTGCTL;    /* 0x000 */
    volatile uint32_t GOTGINT;    /* 0x004 */
    volatile uint32_t GAHBCFG;    /* 0x008 */
    volatile uint32_t GUSBCFG;    /* 0x00C */
    volatile uint32_t GRSTCTL;    /* 0x010 */
    volatile uint32_t GINTSTS;    /* 0x014 */
    volatile uint32_t GINTMSK;    /* 0x018 */
    volatile uint32_t GRXSTSR;    /* 0x01C */
    volatile uint32_t GRXSTSP;    /* 0x020 */
    volatile uint32_t GRXFSIZ;    /* 0x024 */
    volatile uint32_t DIEPTXF0;   /* 0x028: EP0 TX FIFO start (15:0) and depth (31:16) */
    volatile uint32_t GNPTXSTS;   /* 0x02C */
    uint32_t reserved0[2];        /* 0x030, 0x034 */
    volatile uint32_t GCCFG;      /* 0x038 */
    volatile uint32_t CID;        /* 0x03C */
    volatile uint32_t GSNPSID;    /* 0x040 */
    uint32_t reserved1[47];       /* 0x044..0x0FC */
    volatile uint32_t HPTXFSIZ;   /* 0x100 */
    volatile uint32_t DIEPTXF[OTG_EP_COUNT - 1u]; /* 0x104..: TX FIFO of IN EP 1.. */
};
#define OTG_GLOBAL ((struct otg_global_regs *)OTG_BASE)

struct otg_device_regs {          /* OTG_BASE + 0x800 */
    volatile uint32_t DCFG;       /* 0x800 */
    volatile uint32_t DCTL;       /* 0x804 */
    volatile uint32_t DSTS;       /* 0x808 */
    uint32_t reserved0;           /* 0x80C */
    volatile uint32_t DIEPMSK;    /* 0x810 */
    volatile uint32_t DOEPMSK;    /* 0x814 */
    volatile uint32_t DAINT;      /* 0x818: IN EPs 15:0, OUT EPs 31:16 */
    volatile uint32_t DAINTMSK;   /* 0x81C */
    uint32_t reserved1[2];        /* 0x820, 0x824 */
    volatile uint32_t DVBUSDIS;   /* 0x828 */
    volatile uint32_t DVBUSPULSE; /* 0x82C */
    uint32_t reserved2;           /* 0x830 */
    volatile uint32_t DIEPEMPMSK; /* 0x834 */
};
#define OTG_DEVICE ((struct otg_device_regs *)(OTG_BASE + 0x800u))

struct otg_in_ep_regs {           /* OTG_BASE + 0x900 + 0x20 * ep */
    volatile uint32_t DIEPCTL;    /* 0x00 */
    uint32_t reserved0;           /* 0x04 */
    volatile uint32_t DIEPINT;    /* 0x08 */
    uint32_t reserved1;           /* 0x0C */
    volatile uint32_t DIEPTSIZ;   /* 0x10 */
    uint32_t reserved2;           /* 0x14 */
    volatile uint32_t DTXFSTS;    /* 0x18: free words in this EP's TX FIFO */
    uint32_t reserved3;           /* 0x1C */
};
#define OTG_IN(ep) ((struct otg_in_ep_regs *)(OTG_BASE + 0x900u + 0x20u * (ep)))

struct otg_out_ep_regs {          /* OTG_BASE + 0xB00 + 0x20 * ep */
    volatile uint32_t DOEPCTL;    /* 0x00 */
    uint32_t reserved0;           /* 0x04 */
    volatile uint32_t DOEPINT;    /* 0x08 */
    uint32_t reserved1;           /* 0x0C */
    volatile uint32_t DOEPTSIZ;   /* 0x10 */
    uint32_t reserved2[3];        /* 0x14..0x1C */
};
#define OTG_OUT(ep) ((struct otg_out_ep_regs *)(OTG_BASE + 0xB00u + 0x20u * (ep)))

#define OTG_PCGCCTL (*(volatile uint32_t *)(OTG_BASE + 0xE00u))
/* Each endpoint's FIFO is one word-wide port: push (IN) or pop (RX) by 32-bit access. */
#define OTG_FIFO(ep) (*(volatile uint32_t *)(OTG_BASE + 0x1000u * ((ep) + 1u)))

/* Cores from 3.00a (L4R5): B-session valid override; reserved on 2.81a (F411). */
#define OTG_GOTGCTL_BVALOEN_Msk (1u << 6)
#define OTG_GOTGCTL_BVALOVAL_Msk (1u << 7)

#define OTG_GUSBCFG_TOCAL_MAX 7u   /* bits 2:0: extra PHY clocks of inter-packet timeout */
#define OTG_GUSBCFG_PHYSEL_Msk (1u << 6) /* full-speed serial transceiver (the embedded PHY) */
#define OTG_GUSBCFG_TRDT_Pos 10u
#define OTG_GUSBCFG_TRDT_Msk (0xFu << 10)
#define OTG_GUSBCFG_TRDT_AHB_ABOVE_32MHZ 6u /* turnaround time for AHB >= 32 MHz */
#define OTG_GUSBCFG_FHMOD_Msk (1u << 29)
#define OTG_GUSBCFG_FDMOD_Msk (1u << 30)

#define OTG_GRSTCTL_CSRST_Msk (1u << 0)
#define OTG_GRSTCTL_RXFFLSH_Msk (1u << 4)
#define OTG_GRSTCTL_TXFFLSH_Msk (1u << 5)
#define OTG_GRSTCTL_TXFNUM_Pos 6u
#define OTG_GRSTCTL_TXFNUM_ALL (0x10u << 6)
#define OTG_GRSTCTL_AHBIDL_Msk (1u << 31)

#define OTG_GINTSTS_RXFLVL_Msk (1u << 4)
#define OTG_GINTSTS_BOUTNAKEFF_Msk (1u << 7)
#define OTG_GINTSTS_USBSUSP_Msk (1u << 11)
#define OTG_GINTSTS_USBRST_Msk (1u << 12)
#define OTG_GINTSTS_ENUMDNE_Msk (1u << 13)
#define OTG_GINTSTS_IEPINT_Msk (1u << 18)
#define OTG_GINTSTS_OEPINT_Msk (1u << 19)
#define OTG_GINTSTS_WKUPINT_Msk (1u << 31)

#define OTG_GRXSTSP_EPNUM_Msk 0xFu
#define OTG_GRXSTSP_BCNT_Pos 4u
#define OTG_GRXSTSP_BCNT_Msk (0x7FFu << 4)
#define OTG_GRXSTSP_PKTSTS_Pos 17u
#define OTG_GRXSTSP_PKTSTS_Msk (0xFu << 17)
#define OTG_PKTSTS_OUT_DATA 2u
#define OTG_PKTSTS_OUT_DONE 3u
#define OTG_PKTSTS_SETUP_DONE 4u
#define OTG_PKTSTS_SETUP_DATA 6u

#define OTG_GCCFG_PWRDWN_Msk (1u << 16) /* 1 = transceiver on */
/* Bit 21 has opposite senses: VBDEN (3.00a on, 1 = sense VBUS) and
   NOVBUSSENS (2.81a, 1 = do not sense VBUS, session valid). */
#define OTG_GCCFG_VBDEN_Msk (1u << 21)
#define OTG_GCCFG_NOVBUSSENS_Msk (1u << 21)
#define OTG_GCCFG_VBUSASEN_Msk (1u << 18) /* 2.81a: sense VBUS as A-device */
#define OTG_GCCFG_VBUSBSEN_Msk (1u << 19) /* 2.81a: sense VBUS as B-device */

#define OTG_DCFG_DSPD_FULL 3u          /* bits 1:0: full speed, internal PHY */
#define OTG_DCFG_NZLSOHSK_Msk (1u << 2)
#define OTG_DCFG_DAD_Pos 4u
#define OTG_DCFG_DAD_Msk (0x7Fu << 4)

#define OTG_DCTL_SDIS_Msk (1u << 1)
#define OTG_DCTL_CGINAK_Msk (1u << 8)
#define OTG_DCTL_SGONAK_Msk (1u << 9)
#define OTG_DCTL_CGONAK_Msk (1u << 10)

#define OTG_EPCTL_MPSIZ_Msk 0x7FFu
#define OTG_EPCTL_USBAEP_Msk (1u << 15)
#define OTG_EPCTL_EPTYP_Pos 18u
#define OTG_EPCTL_STALL_Msk (1u << 21)
#define OTG_DIEPCTL_TXFNUM_Pos 22u
#define OTG_EPCTL_CNAK_Msk (1u << 26)
#define OTG_EPCTL_SNAK_Msk (1u << 27)
#define OTG_EPCTL_SD0PID_Msk (1u << 28)
#define OTG_EPCTL_EPDIS_Msk (1u << 30)
#define OTG_EPCTL_EPENA_Msk (1u << 31)

#define OTG_EPINT_XFRC_Msk (1u << 0)
#define OTG_EPINT_EPDISD_Msk (1u << 1)
#define OTG_DIEPINT_INEPNE_Msk (1u << 6)  /* IN endpoint NAK effective */
#define OTG_DOEPINT_STUP_Msk (1u << 3)
#define OTG_DOEPINT_STSPHSRX_Msk (1u << 5)  /* status phase received (cores from 3.00a) */
#define OTG_DOEPINT_STPKTRX_Msk (1u << 15)  /* SETUP packet received (cores from 3.00a) */

#define OTG_EPTSIZ_PKTCNT_Pos 19u
#define OTG_DOEPTSIZ_STUPCNT_Pos 29u

#endif
