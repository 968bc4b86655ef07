/*
 * The OTG FS core of the emulated chip: the shared DWC2 model
 * (dwc2_model.c) registered as the peripheral at 0x50000000. The CPU's
 * accesses reach its register side; the host engine (usbhost.c) and the
 * USB verbs use its bus side through emu_otg_model.
 */
#ifndef DB_EMU_OTG_H
#define DB_EMU_OTG_H

#include "dwc2_model.h"
#include "emu.h"

#define EMU_OTG_NAME "OTG_FS"      /* the RCC model gates this name (AHB2ENR.OTGFSEN) */
#define EMU_OTG_BASE 0x50000000u   /* RM0432 memory map: AHB2, OTG_FS */

/* Register the OTG FS peripheral (reset with the chip, reset alone by RCC). */
void emu_otg_attach(struct emu *e);
/* The model behind it (NULL before emu_otg_attach). */
struct dwc2_model *emu_otg_model(struct emu *e);

#endif
