/*
 * GPIO model (RM0432 8 "General-purpose I/Os"), ports A..I, and the
 * NUCLEO-L4R5ZI's pins around them (UM2179): user button B1 on PC13 (high
 * while pressed), LD1 green PC7, LD2 blue PB7, LD3 red PB14 (lit when the
 * pin drives high). An LED is lit only when its pin is an output driving 1.
 */
#include <string.h>

#include "machine.h"

#define GPIO_BASE 0x48000000u
#define GPIO_PORT_SIZE 0x400u
#define GPIO_PORTS 9u
#define GPIO_WORDS 11u
#define GPIO_MODER 0x00u
#define GPIO_OTYPER 0x04u
#define GPIO_OSPEEDR 0x08u
#define GPIO_PUPDR 0x0Cu
#define GPIO_IDR 0x10u
#define GPIO_ODR 0x14u
#define GPIO_BSRR 0x18u
#define GPIO_LCKR 0x1Cu
#define GPIO_BRR 0x28u
#define GPIO_MODE_IN 0u
#define GPIO_MODE_OUT 1u
#define GPIO_PULL_UP 1u

#define PORT_A 0u
#define PORT_B 1u
#define PORT_C 2u
#define BUTTON_PIN 13u /* PC13 */
#define LD1_PIN 7u     /* PC7, green */
#define LD2_PIN 7u     /* PB7, blue */
#define LD3_PIN 14u    /* PB14, red */

struct emu_gpio;
struct gpio_port {
    struct emu *e;
    struct emu_gpio *owner;
    unsigned index;
    uint32_t r[GPIO_WORDS];
};

struct emu_gpio {
    struct gpio_port port[GPIO_PORTS];
};

static const char *const gpio_names[GPIO_PORTS] = {"GPIOA", "GPIOB", "GPIOC", "GPIOD", "GPIOE",
                                                   "GPIOF", "GPIOG", "GPIOH", "GPIOI"};

static uint32_t mode(const struct gpio_port *p, unsigned pin)
{
    return (p->r[GPIO_MODER / 4u] >> (2u * pin)) & 3u;
}

static bool drives_high(const struct gpio_port *p, unsigned pin)
{
    return mode(p, pin) == GPIO_MODE_OUT && ((p->r[GPIO_ODR / 4u] >> pin) & 1u);
}

static void leds_changed(struct gpio_port *p)
{
    struct emu_gpio *g = p->owner;
    uint32_t leds = 0u;
    if (drives_high(&g->port[PORT_C], LD1_PIN))
        leds |= 1u;
    if (drives_high(&g->port[PORT_B], LD2_PIN))
        leds |= 2u;
    if (drives_high(&g->port[PORT_B], LD3_PIN))
        leds |= 4u;
    emu_note_leds(p->e, leds);
}

/* What the input data register sees on each pin (RM0432 8.3.10..8.3.12). */
static uint32_t idr(const struct gpio_port *p)
{
    uint32_t v = 0u;
    for (unsigned pin = 0; pin < 16u; pin++) {
        uint32_t m = mode(p, pin);
        bool level;
        if (m == GPIO_MODE_OUT)
            level = (p->r[GPIO_ODR / 4u] >> pin) & 1u;
        else if (m == GPIO_MODE_IN && p->index == PORT_C && pin == BUTTON_PIN)
            level = emu_button(p->e);
        else if (m == GPIO_MODE_IN)
            level = ((p->r[GPIO_PUPDR / 4u] >> (2u * pin)) & 3u) == GPIO_PULL_UP;
        else
            level = false; /* analog: Schmitt trigger off, reads 0; AF: USB and co., not modelled */
        v |= (uint32_t)level << pin;
    }
    return v;
}

static uint32_t gpio_read(void *ctx, uint32_t off, unsigned width)
{
    struct gpio_port *p = ctx;
    (void)width;
    if (off / 4u >= GPIO_WORDS) {
        emu_error(p->e, "%s: read of offset 0x%03x not modelled", gpio_names[p->index], (unsigned)off);
        return 0u;
    }
    if (off / 4u == GPIO_IDR / 4u)
        return idr(p) >> (8u * (off % 4u));
    if (off / 4u == GPIO_BSRR / 4u || off / 4u == GPIO_BRR / 4u)
        return 0u; /* write-only */
    return p->r[off / 4u] >> (8u * (off % 4u));
}

static void gpio_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct gpio_port *p = ctx;
    if (width != 4u || off % 4u != 0u || off / 4u >= GPIO_WORDS) {
        emu_error(p->e, "%s: %u-byte write at +0x%03x not modelled", gpio_names[p->index], width, (unsigned)off);
        return;
    }
    uint32_t *odr = &p->r[GPIO_ODR / 4u];
    switch (off) {
    case GPIO_IDR:
        return;
    case GPIO_BSRR:
        /* RM0432 8.4.7: set wins over reset when both bits are written. */
        *odr = (*odr & ~(v >> 16)) | (v & 0xFFFFu);
        break;
    case GPIO_BRR:
        *odr &= ~(v & 0xFFFFu);
        break;
    case GPIO_ODR:
        *odr = v & 0xFFFFu;
        break;
    case GPIO_LCKR:
        emu_error(p->e, "%s: pin locking (LCKR) is not modelled", gpio_names[p->index]);
        return;
    default:
        p->r[off / 4u] = v;
        break;
    }
    leds_changed(p);
}

/* RM0432 8.4.*: reset values differ on ports A (debug pins) and B. */
static void gpio_reset(void *ctx, int kind)
{
    struct gpio_port *p = ctx;
    (void)kind;
    memset(p->r, 0, sizeof p->r);
    p->r[GPIO_MODER / 4u] = 0xFFFFFFFFu;
    if (p->index == PORT_A) {
        p->r[GPIO_MODER / 4u] = 0xABFFFFFFu;
        p->r[GPIO_OSPEEDR / 4u] = 0x0C000000u;
        p->r[GPIO_PUPDR / 4u] = 0x64000000u;
    } else if (p->index == PORT_B) {
        p->r[GPIO_MODER / 4u] = 0xFFFFFEBFu;
        p->r[GPIO_PUPDR / 4u] = 0x00000100u;
    }
    if (kind == EMU_RESET_PERIPH)
        leds_changed(p);
}

void emu_gpio_attach(struct emu *e)
{
    struct emu_gpio *g = emu_alloc(e, sizeof *g);
    for (unsigned i = 0; i < GPIO_PORTS; i++) {
        struct gpio_port *p = &g->port[i];
        p->e = e;
        p->owner = g;
        p->index = i;
        gpio_reset(p, EMU_RESET_POWER_ON);
        const struct emu_periph d = {gpio_names[i], GPIO_BASE + GPIO_PORT_SIZE * i, GPIO_PORT_SIZE, p,
                                     gpio_read, gpio_write, gpio_reset};
        emu_add_periph(e, &d);
    }
}
