/*
 * The WeAct Black Pill board file: identity strings for the drive and USB,
 * the serial number from the chip's 96-bit unique ID, the KEY button and
 * the user LED.
 */
#include "board.h"
#include "board_io.h"
#include "regs_gpio.h"
#include "regs_rcc.h"
#include "uid.h"

#define BOARD_UID_ADDR 0x1FFF7A10u /* RM0383: 96-bit unique device ID, three words */
#define BOARD_KEY_PIN 0u     /* PA0, to ground when pressed */
#define BOARD_LED_PIN 13u    /* PC13, LED to 3.3 V: lit when low */
#define BOARD_SLOW_BLINK_MS 500u
#define BOARD_FAST_BLINK_MS 50u
#define BOARD_ERROR_PERIOD_MS 1000u
#define BOARD_ERROR_GAP_MS 100u
#define BOARD_GPIO_CLOCKS (RCC_AHB1ENR_GPIOAEN_Msk | RCC_AHB1ENR_GPIOCEN_Msk)

const struct board_info board = {
    .volume_label = "DROPBOOT",
    .model = "WeAct Black Pill STM32F411CE",
    .board_id = "STM32F411-BlackPill-dropboot",
    .url = "https://github.com/dropboot/dropboot",
    .usb_manufacturer = "dropboot",
    .usb_product = "dropboot STM32F411",
    .scsi_vendor = "dropboot",
    .scsi_product = "STM32F411 drive",
    .usb_vid = 0x1209, /* pid.codes open-source VID */
    .usb_pid = 0xDB01, /* placeholder until a pid.codes PID is granted (same as the L4R5's) */
};

void board_serial(char out[BOARD_SERIAL_LEN + 1])
{
    uid_serial(BOARD_UID_ADDR, out);
}

void board_io_init(void)
{
    RCC->AHB1ENR |= BOARD_GPIO_CLOCKS;
    (void)RCC->AHB1ENR;
    GPIOC->BSRR = 1u << BOARD_LED_PIN; /* high first: the LED stays off as the pin turns output */
    GPIOC->MODER = (GPIOC->MODER & ~(3u << (2u * BOARD_LED_PIN))) | (GPIO_MODE_OUTPUT << (2u * BOARD_LED_PIN));
    GPIOA->MODER &= ~(3u << (2u * BOARD_KEY_PIN)); /* input */
    /* The board has no resistor on KEY: without the pull-up it floats. */
    GPIOA->PUPDR = (GPIOA->PUPDR & ~(3u << (2u * BOARD_KEY_PIN))) | (GPIO_PULL_UP << (2u * BOARD_KEY_PIN));
}

void board_io_deinit(void)
{
    /* AHB1RSTR uses the same bit positions as AHB1ENR. */
    RCC->AHB1RSTR |= BOARD_GPIO_CLOCKS;
    RCC->AHB1RSTR &= ~BOARD_GPIO_CLOCKS;
    RCC->AHB1ENR &= ~BOARD_GPIO_CLOCKS;
}

bool board_button_pressed(void)
{
    return (GPIOA->IDR & (1u << BOARD_KEY_PIN)) == 0u;
}

uint32_t board_led_mask(enum board_leds pattern, uint32_t now_ms)
{
    switch (pattern) {
    case BOARD_LEDS_WAITING:
        return (now_ms / BOARD_SLOW_BLINK_MS) % 2u == 0u ? BOARD_LED_USER : 0u;
    case BOARD_LEDS_WRITING:
        return (now_ms / BOARD_FAST_BLINK_MS) % 2u == 0u ? BOARD_LED_USER : 0u;
    case BOARD_LEDS_ERROR:
        return now_ms % BOARD_ERROR_PERIOD_MS >= BOARD_ERROR_GAP_MS ? BOARD_LED_USER : 0u;
    case BOARD_LEDS_OFF:
    default:
        return 0u;
    }
}

void board_leds_show(enum board_leds pattern, uint32_t now_ms)
{
    /* Active low: reset (high half of BSRR) lights it. */
    bool lit = (board_led_mask(pattern, now_ms) & BOARD_LED_USER) != 0u;
    GPIOC->BSRR = lit ? (1u << (BOARD_LED_PIN + 16u)) : (1u << BOARD_LED_PIN);
}
