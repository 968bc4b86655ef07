/*
 * The NUCLEO-L4R5ZI board file: identity strings for the drive and USB,
 * the serial number from the chip's 96-bit unique ID, the user button and
 * the three user LEDs.
 */
#include "board.h"
#include "board_io.h"
#include "regs_gpio.h"
#include "regs_rcc.h"
#include "uid.h"

#define BOARD_UID_ADDR 0x1FFF7590u /* RM0432: 96-bit unique device ID, three words */
#define BOARD_BUTTON_PIN 13u /* PC13 */
#define BOARD_LD1_PIN 7u     /* PC7 green */
#define BOARD_LD2_PIN 7u     /* PB7 blue */
#define BOARD_LD3_PIN 14u    /* PB14 red */
#define BOARD_PULL_DOWN 2u   /* PUPDR code */
#define BOARD_SLOW_BLINK_MS 500u
#define BOARD_FAST_BLINK_MS 50u

const struct board_info board = {
    .volume_label = "DROPBOOT",
    .model = "NUCLEO-L4R5ZI",
    .board_id = "STM32L4R5-NUCLEO-dropboot",
    .url = "https://github.com/dropboot/dropboot",
    .usb_manufacturer = "dropboot",
    .usb_product = "dropboot STM32L4R5",
    .scsi_vendor = "dropboot",
    .scsi_product = "STM32L4R5 drive",
    .usb_vid = 0x1209, /* pid.codes open-source VID */
    .usb_pid = 0xDB01, /* placeholder until a pid.codes PID is granted */
};

void board_serial(char out[BOARD_SERIAL_LEN + 1])
{
    uid_serial(BOARD_UID_ADDR, out);
}

static void board_pin_mode(struct gpio_regs *port, uint32_t pin, uint32_t mode)
{
    port->MODER = (port->MODER & ~(3u << (2u * pin))) | (mode << (2u * pin));
}

void board_io_init(void)
{
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk;
    (void)RCC->AHB2ENR;
    GPIOB->BRR = (1u << BOARD_LD2_PIN) | (1u << BOARD_LD3_PIN);
    GPIOC->BRR = 1u << BOARD_LD1_PIN;
    board_pin_mode(GPIOC, BOARD_BUTTON_PIN, GPIO_MODE_INPUT);
    /* Pull-down as well: an unfitted board resistor must not read as "held". */
    GPIOC->PUPDR = (GPIOC->PUPDR & ~(3u << (2u * BOARD_BUTTON_PIN))) | (BOARD_PULL_DOWN << (2u * BOARD_BUTTON_PIN));
    board_pin_mode(GPIOC, BOARD_LD1_PIN, GPIO_MODE_OUTPUT);
    board_pin_mode(GPIOB, BOARD_LD2_PIN, GPIO_MODE_OUTPUT);
    board_pin_mode(GPIOB, BOARD_LD3_PIN, GPIO_MODE_OUTPUT);
}

void board_io_deinit(void)
{
    /* AHB2RSTR uses the same bit positions as AHB2ENR. */
    RCC->AHB2RSTR |= RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk;
    RCC->AHB2RSTR &= ~(RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk);
    RCC->AHB2ENR &= ~(RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk);
}

bool board_button_pressed(void)
{
    return (GPIOC->IDR & (1u << BOARD_BUTTON_PIN)) != 0u;
}

uint32_t board_led_mask(enum board_leds pattern, uint32_t now_ms)
{
    bool slow = (now_ms / BOARD_SLOW_BLINK_MS) % 2u == 0u;
    bool fast = (now_ms / BOARD_FAST_BLINK_MS) % 2u == 0u;
    switch (pattern) {
    case BOARD_LEDS_WAITING:
        return slow ? BOARD_LED_GREEN : 0u;
    case BOARD_LEDS_WRITING:
        return BOARD_LED_GREEN | (fast ? BOARD_LED_BLUE : 0u);
    case BOARD_LEDS_ERROR:
        return BOARD_LED_RED | (slow ? BOARD_LED_GREEN : 0u);
    case BOARD_LEDS_OFF:
    default:
        return 0u;
    }
}

void board_leds_show(enum board_leds pattern, uint32_t now_ms)
{
    uint32_t m = board_led_mask(pattern, now_ms);
    /* BSRR: low half sets, high half resets, one write per port. */
    GPIOC->BSRR = (m & BOARD_LED_GREEN) ? (1u << BOARD_LD1_PIN) : (1u << (BOARD_LD1_PIN + 16u));
    GPIOB->BSRR = ((m & BOARD_LED_BLUE) ? (1u << BOARD_LD2_PIN) : (1u << (BOARD_LD2_PIN + 16u))) |
                  ((m & BOARD_LED_RED) ? (1u << BOARD_LD3_PIN) : (1u << (BOARD_LD3_PIN + 16u)));
}
