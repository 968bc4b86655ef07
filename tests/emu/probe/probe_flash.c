/*
 * A test firmware for dropboot-emu's FLASH model, built on the port's real
 * flash driver (ports/stm32l4r5/flash.c), startup and clock code, linked
 * like the bootloader (bootloader.ld). At every boot it:
 *   1. reads the first 16 bytes of a bank 2 page: an ECC error there (a
 *      torn program from a power cut) comes back through NMI as FLASH_ERR_ECC;
 *   2. erases that page and programs 16 bytes (two double-words), reads
 *      them back;
 *   3. programs one of them again with raw register writes: the controller
 *      must refuse it with PROGERR (RM0432 3.7.5) and leave the cells alone.
 * Then it shows the outcome on the LEDs and sleeps: green = steps 2 and 3
 * as the reference manual says, blue = step 1 saw an ECC error, red =
 * something else went wrong.
 */
#include <stdbool.h>
#include <string.h>

#include "clock.h"
#include "flash.h"
#include "regs_flash.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define PROBE_PAGE 0x08100000u /* bank 2, page 0: the other bank than the code */
#define PROBE_BYTES 16u
#define PROBE_LED_GREEN 7u     /* PC7 */
#define PROBE_LED_BLUE 7u      /* PB7 */
#define PROBE_LED_RED 14u      /* PB14 */

static const uint8_t probe_data[PROBE_BYTES] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                                0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x01};

/* Program the first double-word again by hand: PROGERR expected. */
static bool probe_reprogram_refused(void)
{
    struct flash_regs *f = FLASH_REGS;
    f->KEYR = FLASH_KEY1;
    f->KEYR = FLASH_KEY2;
    f->SR = FLASH_SR_ERRORS;
    f->CR = FLASH_CR_PG_Msk;
    *(volatile uint32_t *)PROBE_PAGE = 0x12345678u;
    __asm volatile("dsb 0xF" ::: "memory");
    *(volatile uint32_t *)(PROBE_PAGE + 4u) = 0x9ABCDEF0u;
    __asm volatile("dsb 0xF" ::: "memory");
    for (uint32_t i = 0; i < 1000000u && (f->SR & FLASH_SR_BSY_Msk); i++) {
    }
    bool refused = (f->SR & FLASH_SR_PROGERR_Msk) != 0u;
    f->SR = FLASH_SR_ERRORS;
    f->CR = FLASH_CR_LOCK_Msk;
    return refused && memcmp((const void *)PROBE_PAGE, probe_data, 8) == 0;
}

static void probe_led(struct gpio_regs *port, uint32_t pin, bool on)
{
    port->MODER = (port->MODER & ~(3u << (2u * pin))) | (GPIO_MODE_OUTPUT << (2u * pin));
    port->BSRR = on ? (1u << pin) : (1u << (pin + 16u));
}

int main(void);
int main(void)
{
    clock_init();
    uint8_t buf[PROBE_BYTES];
    bool ecc = flash_read(PROBE_PAGE, buf, sizeof buf) == FLASH_ERR_ECC;
    bool ok = flash_erase_page(PROBE_PAGE) == FLASH_OK &&
              flash_program(PROBE_PAGE, probe_data, sizeof probe_data) == FLASH_OK &&
              flash_read(PROBE_PAGE, buf, sizeof buf) == FLASH_OK && memcmp(buf, probe_data, sizeof buf) == 0 &&
              probe_reprogram_refused();
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk;
    (void)RCC->AHB2ENR;
    probe_led(GPIOC, PROBE_LED_GREEN, ok);
    probe_led(GPIOB, PROBE_LED_BLUE, ecc);
    probe_led(GPIOB, PROBE_LED_RED, !ok);
    for (;;)
        __asm volatile("wfi");
}
