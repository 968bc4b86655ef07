/*
 * GPIO model (RM0432 8 "General-purpose I/Os"; the F411's RM0383 8 is the
 * same block less BRR), the ports and the board's pins around them from
 * the chip table (emu_chip.h): on the NUCLEO-L4R5ZI (UM2179) user button B1 on
 * PC13 (high while pressed), LD1 green PC7, LD2 blue PB7, LD3 red PB14
 * (lit when the pin drives high); on the Black Pill KEY on PA0 (to ground)
 * and the blue LED on PC13 (lit when low). An LED is lit only when its pin
 * is an output driving its active level.
 */
#include <stddef.h>
#include <string.h>

#include "emu_chip.h"
#include "machine.h"

#define GPIO_PORT_SIZE 0x400u
#define GPIO_WORDS_BRR 11u   /* up to BRR at 0x28 (RM0432 8.4.12) */
#define GPIO_WORDS 10u       /* up to AFRH at 0x24 (RM0383 8.4: no BRR) */
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
#define PINS_Msk 0xFFFFu /* 16 pins per port */
#define PORT_A 0u
#define PORT_B 1u

struct emu_gpio;
struct gpio_port {
    struct emu *e;
    struct emu_gpio *owner;
    unsigned index;
    uint32_t r[GPIO_WORDS_BRR];
};

struct emu_gpio {
    struct gpio_port port[EMU_CHIP_GPIO_PORTS];
};

static unsigned gpio_words(void)
{
    return emu_chip.gpio_has_brr ? GPIO_WORDS_BRR : GPIO_WORDS;
}

static uint32_t mode(const struct gpio_port *p, unsigned pin)
{
    return (p->r[GPIO_MODER / 4u] >> (2u * pin)) & 3u;
}

static bool drives(const struct gpio_port *p, unsigned pin, bool level)
{
    return mode(p, pin) == GPIO_MODE_OUT && (((p->r[GPIO_ODR / 4u] >> pin) & 1u) != 0u) == level;
}

static void leds_changed(struct gpio_port *p)
{
    struct emu_gpio *g = p->owner;
    uint32_t leds = 0u;
    for (unsigned i = 0; i < emu_chip.nled; i++) {
        const struct emu_chip_pin *l = &emu_chip.led[i];
        if (drives(&g->port[l->port], l->pin, l->active_high))
            leds |= 1u << i;
    }
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
        else if (m == GPIO_MODE_IN && p->index == emu_chip.button.port && pin == emu_chip.button.pin) {
            /* The button drives its active level while held; released, a
               pull decides (an active-high button's external pull-down, or
               the PUPDR pull-up an active-low one needs). */
            bool pressed = emu_button(p->e);
            bool pulled_up = ((p->r[GPIO_PUPDR / 4u] >> (2u * pin)) & 3u) == GPIO_PULL_UP;
            level = pressed ? emu_chip.button.active_high : (emu_chip.button.active_high ? false : pulled_up);
            emu_note_button_read(p->e, level == emu_chip.button.active_high);
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
    if (off / 4u == GPIO_BSRR / 4u || (emu_chip.gpio_has_brr && off / 4u == GPIO_BRR / 4u))
        return 0u; /* write-only */
    return emu_regs_read(p->e, emu_chip.gpio_names[p->index], p->r, gpio_words(), off);
}

static void gpio_write(void *ctx, uint32_t off, uint32_t v, unsigned width)
{
    struct gpio_port *p = ctx;
    if (!emu_regs_write_ok(p->e, emu_chip.gpio_names[p->index], gpio_words(), off, width))
        return;
    uint32_t *odr = &p->r[GPIO_ODR / 4u];
    switch (off) {
    case GPIO_IDR:
        return;
    case GPIO_BSRR:
        /* RM0432 8.4.7: set wins over reset when both bits are written. */
        *odr = (*odr & ~(v >> 16)) | (v & PINS_Msk);
        break;
    case GPIO_BRR: /* only reached where the port has one (gpio_words) */
        *odr &= ~(v & PINS_Msk);
        break;
    case GPIO_ODR:
        *odr = v & PINS_Msk;
        break;
    case GPIO_LCKR:
        emu_error(p->e, "%s: pin locking (LCKR) is not modelled", emu_chip.gpio_names[p->index]);
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
    p->r[GPIO_MODER / 4u] = emu_chip.gpio_moder_reset;
    if (p->index == PORT_A) {
        p->r[GPIO_MODER / 4u] = emu_chip.gpio_moder_reset_a;
        p->r[GPIO_OSPEEDR / 4u] = emu_chip.gpio_ospeedr_reset_a;
        p->r[GPIO_PUPDR / 4u] = emu_chip.gpio_pupdr_reset_a;
    } else if (p->index == PORT_B) {
        p->r[GPIO_MODER / 4u] = emu_chip.gpio_moder_reset_b;
        p->r[GPIO_OSPEEDR / 4u] = emu_chip.gpio_ospeedr_reset_b;
        p->r[GPIO_PUPDR / 4u] = emu_chip.gpio_pupdr_reset_b;
    }
    if (kind == EMU_RESET_PERIPH)
        leds_changed(p);
}

void emu_gpio_attach(struct emu *e)
{
    struct emu_gpio *g = emu_alloc(e, sizeof *g);
    for (unsigned i = 0; i < emu_chip.gpio_ports && i < EMU_CHIP_GPIO_PORTS; i++) {
        if (emu_chip.gpio_names[i] == NULL)
            continue; /* no such port on this chip */
        struct gpio_port *p = &g->port[i];
        p->e = e;
        p->owner = g;
        p->index = i;
        gpio_reset(p, EMU_RESET_POWER_ON);
        const struct emu_periph d = {emu_chip.gpio_names[i], emu_chip.gpio_base + GPIO_PORT_SIZE * i, GPIO_PORT_SIZE, p,
                                     gpio_read, gpio_write, gpio_reset};
        emu_add_periph(e, &d);
    }
}
