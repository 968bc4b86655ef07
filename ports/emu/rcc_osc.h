/*
 * Oscillators and PLLs as both RCC models see them: an enable bit, a ready
 * bit that follows it after a start-up time, in a register of the model's
 * own register file (RM0432 6.2 and RM0383 6.2 describe the same
 * handshake: software sets xxxON, hardware sets xxxRDY once the source is
 * stable, clearing xxxON clears xxxRDY).
 */
#ifndef EMU_RCC_OSC_H
#define EMU_RCC_OSC_H

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

#endif
