/*
 * A test firmware for dropboot-emu's FLASH model: fast programming and bank
 * erase (RM0432 3.3.6, 3.3.7, 3.7.5) and read-while-write (3.3.8), with raw
 * register writes (written from the reference manual, not from the port's
 * driver). Runs at 80 MHz (fast programming needs HCLK >= 8 MHz). Steps:
 *   1. a fast-programmed row in bank 2 before any bank erase: PGSERR, the
 *      cells stay erased (3.3.7 step 1: mass erase of the bank first);
 *   2. MER2 erases bank 2;
 *   3. a row of 64 double-words written back to back from bank 1 code: no
 *      error flag, the row reads back, and the stores themselves took most
 *      of the row's time (the controller takes the next double-word only
 *      when the one before starts: the CPU feeds the row, it does not run on);
 *   4. a row whose 11th double-word comes late: MISERR and FASTERR, the
 *      first ten are programmed, the rest stays erased (the stores after
 *      the abort meet errors pending: PGSERR may be set with them);
 *   5. a row that does not start on a 512-byte boundary: PGAERR, FASTERR;
 *   6. a row in bank 1 (never bank-erased): PGSERR;
 *   7. a page erase in bank 2 lets the code in bank 1 run on at once; one
 *      in bank 1 stalls it until the erase is done (> 20 ms of cycles).
 * Green LED: all held. Red: the failing step's number in red blinks.
 */
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "regs_core.h"
#include "regs_flash.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define PROBE_BANK2 0x08100000u
#define PROBE_BANK1_PAGE 0x080FF000u  /* bank 1's last page: the probe's code is at its start */
#define PROBE_ROW_DW 64u
#define PROBE_ROW_BYTES 512u
#define PROBE_LATE_DW 10u             /* step 4: the double-word that comes late */
#define PROBE_LATE_CYCLES 400000u     /* 5 ms at 80 MHz: longer than the whole row takes */
#define PROBE_STALL_MIN_CYCLES 1600000u /* 20 ms at 80 MHz: a page erase takes ~22 ms */
#define PROBE_RUN_ON_MAX_CYCLES 80000u  /* 1 ms: the other bank's erase does not hold the CPU */
#define PROBE_FEED_MIN_CYCLES 240000u   /* 3 ms: 62 of the row's 64 double-word times (~59 us each) */
#define PROBE_SPINS 100000000u
#define PROBE_BLINK_CYCLES 80000u /* 1 ms at 80 MHz */
#define PROBE_LED_GREEN 7u /* PC7 */
#define PROBE_LED_RED 14u  /* PB14 */

static struct flash_regs *const probe_f = FLASH_REGS;
static uint32_t probe_feed_cycles; /* the last row's stores, in CPU cycles */

static uint32_t probe_word(uint32_t i) { return 0xA5000000u ^ (i * 0x01010101u); }

static void probe_wait(void)
{
    for (uint32_t i = 0; i < PROBE_SPINS && (probe_f->SR & FLASH_SR_BSY_Msk); i++) {
    }
}

static void probe_unlock(void)
{
    probe_wait();
    if (probe_f->CR & FLASH_CR_LOCK_Msk) {
        probe_f->KEYR = FLASH_KEY1;
        probe_f->KEYR = FLASH_KEY2;
    }
    probe_f->SR = FLASH_SR_ERRORS | FLASH_SR_EOP_Msk;
}

/* Fast-program the row at addr; late: the double-word index that waits first (>= 64: none).
   Returns the error flags seen. */
static uint32_t probe_row(uint32_t addr, uint32_t late)
{
    probe_unlock();
    probe_f->CR = FLASH_CR_FSTPG_Msk;
    __asm volatile("cpsid i" ::: "memory");
    uint32_t feed0 = DWT->CYCCNT;
    for (uint32_t i = 0; i < PROBE_ROW_DW; i++) {
        if (i == late) {
            uint32_t t0 = DWT->CYCCNT;
            while (DWT->CYCCNT - t0 < PROBE_LATE_CYCLES) {
            }
        }
        volatile uint32_t *p = (volatile uint32_t *)(addr + i * 8u);
        p[0] = probe_word(2u * i);
        p[1] = probe_word(2u * i + 1u);
    }
    probe_feed_cycles = DWT->CYCCNT - feed0;
    __asm volatile("cpsie i" ::: "memory");
    probe_wait();
    uint32_t sr = probe_f->SR & FLASH_SR_ERRORS;
    probe_f->SR = FLASH_SR_ERRORS | FLASH_SR_EOP_Msk;
    probe_f->CR = FLASH_CR_LOCK_Msk;
    return sr;
}

/* Double-words [from, to) of the row at addr hold the pattern (want) or read erased. */
static bool probe_row_is(uint32_t addr, uint32_t from, uint32_t to, bool want)
{
    for (uint32_t i = from; i < to; i++) {
        const volatile uint32_t *p = (const volatile uint32_t *)(addr + i * 8u);
        bool programmed = p[0] == probe_word(2u * i) && p[1] == probe_word(2u * i + 1u);
        bool erased = p[0] == 0xFFFFFFFFu && p[1] == 0xFFFFFFFFu;
        if (want ? !programmed : !erased)
            return false;
    }
    return true;
}

/* Start an erase (page or bank: cr) and count the cycles until the next instruction runs. */
static uint32_t probe_erase_cycles(uint32_t cr)
{
    probe_unlock();
    probe_f->CR = cr;
    uint32_t t0 = DWT->CYCCNT;
    probe_f->CR = cr | FLASH_CR_STRT_Msk;
    __asm volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
    uint32_t t1 = DWT->CYCCNT;
    probe_wait();
    probe_f->CR = FLASH_CR_LOCK_Msk;
    return t1 - t0;
}

static uint32_t probe_steps(void)
{
    if (probe_row(PROBE_BANK2, PROBE_ROW_DW) != FLASH_SR_PGSERR_Msk || !probe_row_is(PROBE_BANK2, 0, PROBE_ROW_DW, false))
        return 1;
    (void)probe_erase_cycles(FLASH_CR_MER2_Msk);
    if ((probe_f->SR & FLASH_SR_ERRORS) != 0u || *(volatile uint32_t *)PROBE_BANK2 != 0xFFFFFFFFu)
        return 2;
    if (probe_row(PROBE_BANK2, PROBE_ROW_DW) != 0u || !probe_row_is(PROBE_BANK2, 0, PROBE_ROW_DW, true) ||
        probe_feed_cycles < PROBE_FEED_MIN_CYCLES)
        return 3;
    uint32_t row = PROBE_BANK2 + PROBE_ROW_BYTES;
    /* The stores after an aborted row find errors pending: PGSERR may come with them. */
    const uint32_t late = FLASH_SR_MISERR_Msk | FLASH_SR_FASTERR_Msk;
    if ((probe_row(row, PROBE_LATE_DW) & ~FLASH_SR_PGSERR_Msk) != late ||
        !probe_row_is(row, 0, PROBE_LATE_DW, true) || !probe_row_is(row, PROBE_LATE_DW, PROBE_ROW_DW, false))
        return 4;
    const uint32_t misaligned = FLASH_SR_PGAERR_Msk | FLASH_SR_FASTERR_Msk;
    if ((probe_row(PROBE_BANK2 + 2u * PROBE_ROW_BYTES + 8u, PROBE_ROW_DW) & ~FLASH_SR_PGSERR_Msk) != misaligned)
        return 5;
    if (probe_row(PROBE_BANK1_PAGE, PROBE_ROW_DW) != FLASH_SR_PGSERR_Msk)
        return 6;
    uint32_t other = probe_erase_cycles(FLASH_CR_PER_Msk | FLASH_CR_BKER_Msk);
    uint32_t same = probe_erase_cycles(FLASH_CR_PER_Msk | ((255u << FLASH_CR_PNB_Pos) & FLASH_CR_PNB_Msk));
    if (other > PROBE_RUN_ON_MAX_CYCLES || same < PROBE_STALL_MIN_CYCLES)
        return 7;
    return 0;
}

static void probe_led(struct gpio_regs *port, uint32_t pin, bool on)
{
    port->MODER = (port->MODER & ~(3u << (2u * pin))) | (GPIO_MODE_OUTPUT << (2u * pin));
    port->BSRR = on ? (1u << pin) : (1u << (pin + 16u));
}

/* Between blinks, so each shows as an LED change of its own. */
static void probe_pause(void)
{
    uint32_t t0 = DWT->CYCCNT;
    while (DWT->CYCCNT - t0 < PROBE_BLINK_CYCLES) {
    }
}

int main(void);
int main(void)
{
    clock_init();
    COREDEBUG_DEMCR |= COREDEBUG_DEMCR_TRCENA_Msk;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
    uint32_t failed = probe_steps();
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk;
    (void)RCC->AHB2ENR;
    probe_led(GPIOC, PROBE_LED_GREEN, failed == 0u);
    for (uint32_t i = 0; i < failed; i++) {
        probe_led(GPIOB, PROBE_LED_RED, true);
        probe_pause();
        probe_led(GPIOB, PROBE_LED_RED, false);
        probe_pause();
    }
    probe_led(GPIOB, PROBE_LED_RED, failed != 0u);
    for (;;)
        __asm volatile("wfi");
}
