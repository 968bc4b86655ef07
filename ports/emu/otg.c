/* The OTG FS peripheral of the emulated chip (see otg.h). */
#include "otg.h"

#include "emu_chip.h"
#include "machine.h"

struct emu_otg {
    struct emu *e;
    struct dwc2_model model;
    uint32_t errors_reported; /* model errors already passed to emu_error */
};

/* Every rule the firmware broke on the core becomes a machine error (listed
   at exit, the run stops), as for an access no model claims. */
static void otg_report(struct emu_otg *o)
{
    struct dwc2_model *m = &o->model;
    for (; o->errors_reported < m->errors; o->errors_reported++) {
        if (o->errors_reported < DWC2_MODEL_ERRLOG)
            emu_error(o->e, "OTG_FS: %s (offset 0x%05x)", m->errlog[o->errors_reported].what,
                      (unsigned)m->errlog[o->errors_reported].off);
        else
            emu_error(o->e, "OTG_FS: more errors");
    }
}

static uint32_t otg_read(void *ctx, uint32_t off, unsigned width)
{
    struct emu_otg *o = ctx;
    uint32_t v = dwc2_model_read(&o->model, off, width);
    otg_report(o);
    return v;
}

static void otg_write(void *ctx, uint32_t off, uint32_t value, unsigned width)
{
    struct emu_otg *o = ctx;
    dwc2_model_write(&o->model, off, value, width);
    otg_report(o);
}

/* Every reset kind (power-on, NRST, software, IWDG, RCC's AHB2RSTR.OTGFSRST)
   puts the core back to its reset values; the device leaves the bus
   (DCTL.SDIS resets to 1). */
static void otg_reset(void *ctx, int kind)
{
    (void)kind;
    struct emu_otg *o = ctx;
    dwc2_model_reset(&o->model);
    o->errors_reported = 0;
}

void emu_otg_attach(struct emu *e)
{
    struct emu_otg *o = emu_alloc(e, sizeof *o);
    o->e = e;
    /* The chip's core version and endpoints; VBUS sensing: the Black Pill
       does not wire VBUS to PA9 (docs/hw/stm32f411.md), and a 3.x core
       (the L4R5's) is taken as session-valid by the model anyway. */
    dwc2_model_configure(&o->model, emu_chip.otg_gsnpsid, emu_chip.otg_eps, false);
    struct emu_periph p = {
        .name = EMU_OTG_NAME,
        .base = EMU_OTG_BASE,
        .size = DWC2_MODEL_SIZE,
        .ctx = o,
        .read = otg_read,
        .write = otg_write,
        .reset = otg_reset,
    };
    emu_add_periph(e, &p);
}

struct dwc2_model *emu_otg_model(struct emu *e)
{
    struct emu_otg *o = emu_periph_ctx(e, EMU_OTG_NAME);
    return o != NULL ? &o->model : NULL;
}
