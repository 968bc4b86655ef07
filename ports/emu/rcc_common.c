/* What both RCC models do alike (rcc_common.h). */
#include <string.h>

#include "rcc_common.h"

void rcc_osc_enable(struct rcc_osc *o, uint32_t *regs, bool on, uint64_t now_ns)
{
    uint32_t *reg = &regs[o->reg / 4u];
    if (on) {
        if ((*reg & o->rdy) == 0u && o->ready_at == RCC_OSC_NEVER && o->startup_ns != RCC_OSC_NEVER)
            o->ready_at = now_ns + o->startup_ns;
    } else {
        *reg &= ~o->rdy;
        o->ready_at = RCC_OSC_NEVER;
    }
}

uint64_t rcc_osc_poll(struct rcc_osc *o, unsigned n, uint32_t *regs, uint64_t now_ns)
{
    uint64_t next = RCC_OSC_NEVER;
    for (unsigned i = 0; i < n; i++, o++) {
        if (o->ready_at == RCC_OSC_NEVER)
            continue;
        if (o->ready_at <= now_ns) {
            regs[o->reg / 4u] |= o->rdy;
            o->ready_at = RCC_OSC_NEVER;
        } else if (o->ready_at < next) {
            next = o->ready_at;
        }
    }
    return next;
}

int rcc_gate_find(const struct rcc_gate *t, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return (int)i;
    return -1;
}

bool rcc_gate_is_on(const struct rcc_gate *t, const uint32_t *regs, int g)
{
    return g < 0 || ((regs[t[g].enr / 4u] >> t[g].bit) & 1u) != 0u;
}
