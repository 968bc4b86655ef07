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

/* RM0432 8.4.1, 8.4.3, 8.4.4 reset values: port A's debug pins (PA13/14/15,
   SWD/JTAG) and port B's (PB3/4) are in their alternate functions with pulls. */
#define MODER_RESET 0xFFFFFFFFu /* every pin analog */
#define MODER_RESET_A 0xABFFFFFFu
#define OSPEEDR_RESET_A 0x0C000000u
#define PUPDR_RESET_A 0x64000000u
#define MODER_RESET_B 0xFFFFFEBFu
#define PUPDR_RESET_B 0x00000100u
#define PINS_Msk 0xFFFFu /* 16 pins per port */

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
        else if (m == GPIO_MODE_IN && p->index == PORT_C && pin == BUTTON_PIN) {
            level = emu_button(p->e);
            emu_note_button_read(p->e, level);
        }
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
    if (off / 4u == GPIO_IDR / 4u)
        p->r[GPIO_IDR / 4u] = idr(p);
    if (off / 4u == GPIO_BSRR / 4u || off / 4u == GPIO_BRR / 4u)
        return 0u; /* write-only */
    return emu_regs_read(p->e, gpio_names[p->index], p->r, GPIO_WORDS, off);
}

static void gpio_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct gpio_port *p = ctx;
    if (!emu_regs_write_ok(p->e, gpio_names[p->index], GPIO_WORDS, off, width))
        return;
    uint32_t *odr = &p->r[GPIO_ODR / 4u];
    switch (off) {
    case GPIO_IDR:
        return;
    case GPIO_BSRR:
        /* RM0432 8.4.7: set wins over reset when both bits are written. */
        *odr = (*odr & ~(v >> 16)) | (v & PINS_Msk);
        break;
    case GPIO_BRR:
        *odr &= ~(v & PINS_Msk);
        break;
    case GPIO_ODR:
        *odr = v & PINS_Msk;
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

/* Reset values differ on ports A and B (the debug pins, see above). */
static void gpio_reset(void *ctx, int kind)
{
    struct gpio_port *p = ctx;
    (void)kind;
    memset(p->r, 0, sizeof p->r);
    p->r[GPIO_MODER / 4u] = MODER_RESET;
    if (p->index == PORT_A) {
        p->r[GPIO_MODER / 4u] = MODER_RESET_A;
        p->r[GPIO_OSPEEDR / 4u] = OSPEEDR_RESET_A;
        p->r[GPIO_PUPDR / 4u] = PUPDR_RESET_A;
    } else if (p->index == PORT_B) {
        p->r[GPIO_MODER / 4u] = MODER_RESET_B;
        p->r[GPIO_PUPDR / 4u] = PUPDR_RESET_B;
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
