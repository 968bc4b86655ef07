/*
 * A test firmware for dropboot-emu's STM32F411 FLASH model (flashctl_f4.c),
 * with raw register accesses (RM0383 3.5, 3.8), linked like the F411
 * bootloader. Run on a flash image whose option bytes the bootloader has
 * already set (nWRP = 0 for sectors 0 and 1), at every boot it checks:
 *   1. erasing sector 1 is refused with WRPERR, sector 1 unchanged;
 *   2. programming a word in sector 1 is refused with WRPERR, unchanged;
 *   3. sector 5 (not protected) erases: no error flag, all 0xFF;
 *   4. a word programmed twice holds old AND new, with no error flag (no
 *      ECC on the F4: a program only clears bits, RM0383 3.5.4);
 *   5. a byte store while PSIZE is x32 sets PGPERR and changes nothing.
 * All as the reference manual says: the blue LED (PC13, lit when low) is
 * lit; otherwise it stays off.
 */
#include <stdbool.h>
#include <stdint.h>

#include "regs_flash.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define PROBE_SECTOR1 0x08004000u
#define PROBE_SECTOR5 0x08020000u
#define PROBE_SNB_1 1u
#define PROBE_SNB_5 5u
#define PROBE_LED_PIN 13u
#define PROBE_SPINS 100000000u /* a 128 KB erase is 1-2 s; polls are a few cycles */
#define FLASH_CR_SER_X32 (FLASH_CR_SER_Msk | FLASH_CR_PSIZE_X32)

/* What startup.c's vectors call: no flash NMI (no ECC on the F4), no tick. */
bool flash_nmi(void);
bool flash_nmi(void)
{
    return false;
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
}

static uint32_t probe_wait(void)
{
    struct flash_regs *f = FLASH_REGS;
    for (uint32_t i = 0; i < PROBE_SPINS && (f->SR & FLASH_SR_BSY_Msk); i++) {
    }
    uint32_t sr = f->SR;
    f->SR = FLASH_SR_ERRORS | FLASH_SR_EOP_Msk;
    return sr & (FLASH_SR_ERRORS | FLASH_SR_BSY_Msk);
}

static uint32_t probe_erase(uint32_t snb)
{
    struct flash_regs *f = FLASH_REGS;
    f->CR = FLASH_CR_SER_X32 | (snb << FLASH_CR_SNB_Pos);
    f->CR = FLASH_CR_SER_X32 | (snb << FLASH_CR_SNB_Pos) | FLASH_CR_STRT_Msk;
    return probe_wait();
}

static uint32_t probe_program(uint32_t addr, uint32_t v)
{
    struct flash_regs *f = FLASH_REGS;
    f->CR = FLASH_CR_PG_Msk | FLASH_CR_PSIZE_X32;
    *(volatile uint32_t *)addr = v;
    __asm volatile("dsb 0xF" ::: "memory");
    return probe_wait();
}

static bool probe_all(void)
{
    struct flash_regs *f = FLASH_REGS;
    volatile const uint32_t *s1 = (volatile const uint32_t *)PROBE_SECTOR1;
    volatile uint32_t *s5 = (volatile uint32_t *)PROBE_SECTOR5;
    f->KEYR = FLASH_KEY1;
    f->KEYR = FLASH_KEY2;
    f->SR = FLASH_SR_ERRORS | FLASH_SR_EOP_Msk;
    uint32_t before = s1[0];
    bool ok = probe_erase(PROBE_SNB_1) == FLASH_SR_WRPERR_Msk && s1[0] == before;
    ok = ok && probe_program(PROBE_SECTOR1, 0u) == FLASH_SR_WRPERR_Msk && s1[0] == before;
    ok = ok && probe_erase(PROBE_SNB_5) == 0u && s5[0] == 0xFFFFFFFFu && s5[1000] == 0xFFFFFFFFu;
    ok = ok && probe_program(PROBE_SECTOR5, 0xF0F0FF00u) == 0u && s5[0] == 0xF0F0FF00u;
    ok = ok && probe_program(PROBE_SECTOR5, 0x0FF0F0FFu) == 0u && s5[0] == 0x00F0F000u;
    /* PSIZE first, then PG: also keeps this step's register accesses from
       repeating the two programs' (three equal passes look like polling
       to the emulator, which then skips time to its next event). */
    f->CR = FLASH_CR_PSIZE_X32;
    f->CR = FLASH_CR_PG_Msk | FLASH_CR_PSIZE_X32;
    *(volatile uint8_t *)(PROBE_SECTOR5 + 8u) = 0x5Au;
    __asm volatile("dsb 0xF" ::: "memory");
    ok = ok && probe_wait() == FLASH_SR_PGPERR_Msk && s5[2] == 0xFFFFFFFFu;
    f->CR = FLASH_CR_LOCK_Msk;
    return ok;
}

int main(void);
int main(void)
{
    bool ok = probe_all();
    RCC->AHB1ENR |= RCC_AHB1ENR_GPIOCEN_Msk;
    (void)RCC->AHB1ENR;
    GPIOC->BSRR = ok ? (1u << (PROBE_LED_PIN + 16u)) : (1u << PROBE_LED_PIN);
    GPIOC->MODER = (GPIOC->MODER & ~(3u << (2u * PROBE_LED_PIN))) | (GPIO_MODE_OUTPUT << (2u * PROBE_LED_PIN));
    for (;;)
        __asm volatile("wfi");
}
