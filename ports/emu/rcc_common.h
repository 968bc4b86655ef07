/*
 * What both RCC models (rcc.c: RM0432, rcc_f4.c: RM0383) do alike.
 *
 * Oscillators and PLLs: an enable bit, a ready
 * bit that follows it after a start-up time, in a register of the model's
 * own register file (RM0432 6.2 and RM0383 6.2 describe the same
 * handshake: software sets xxxON, hardware sets xxxRDY once the source is
 * stable, clearing xxxON clears xxxRDY).
 */
#ifndef EMU_RCC_COMMON_H
#define EMU_RCC_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#define RCC_OSC_NEVER UINT64_MAX

struct rcc_osc {
    const char *name;
    uint32_t reg, on, rdy; /* byte offset of the register, its ON and RDY bits */
    uint64_t startup_ns;   /* RCC_OSC_NEVER: never gets ready (not fitted) */
    uint64_t ready_at;     /* RCC_OSC_NEVER: off, or never starts */
};

/* ON changed to `on` at now_ns: schedule its RDY, or drop it at once. */
void rcc_osc_enable(struct rcc_osc *o, uint32_t *regs, bool on, uint64_t now_ns);
/* Set the RDY bits that are due; the next virtual time one is, or RCC_OSC_NEVER. */
uint64_t rcc_osc_poll(struct rcc_osc *o, unsigned n, uint32_t *regs, uint64_t now_ns);

/* Peripheral clock gates: the enable bit in an xxxENR register that a
   model's peripheral (by name) needs set before it is touched. */
struct rcc_gate {
    const char *name;
    uint32_t enr; /* byte offset of the ENR register */
    uint32_t bit;
};

/* The gate of the peripheral called name in table t, or -1 when it has none. */
int rcc_gate_find(const struct rcc_gate *t, unsigned n, const char *name);
/* Is gate g's enable bit set in regs (a gate of -1 is always on)? */
bool rcc_gate_is_on(const struct rcc_gate *t, const uint32_t *regs, int g);

#endif
