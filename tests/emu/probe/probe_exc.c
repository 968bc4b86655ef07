/*
 * A test firmware for dropboot-emu's exception model (ARMv7-M ARM B1.5):
 *   1. SysTick pended while PRIMASK is set is not taken, ICSR.PENDSTSET
 *      shows it, and it is taken right after CPSIE (before the next
 *      instruction that looks);
 *   2. the handler sees EXC_RETURN 0xFFFFFFF9 in LR (thread mode, main stack);
 *   3. with VTOR moved to a copy of the table in SRAM whose SysTick entry
 *      is another handler, that handler runs;
 *   4. a long computation gives the same result with SysTick firing every
 *      few hundred cycles as with interrupts off (the frame restores
 *      R0-R3, R12, LR, PC and the flags).
 * Green LED: all four hold. Red: one failed (which one: blue on for 1-2).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "regs_core.h"
#include "regs_gpio.h"
#include "regs_rcc.h"

#define PROBE_VECTORS 111u
#define PROBE_LED_GREEN 7u /* PC7 */
#define PROBE_LED_BLUE 7u  /* PB7 */
#define PROBE_LED_RED 14u  /* PB14 */
#define PROBE_FAST_TICK 300u  /* SysTick reload for step 4: an interrupt every 300 cycles */
#define PROBE_SLOW_TICK 4000u /* 1 ms at the 4 MHz reset clock */
#define PROBE_ROUNDS 20000u

#define PROBE_FLASH_TABLE 0x08000000u /* startup.c's vector table, at the start of flash */
static uint32_t probe_ram_vectors[128] __attribute__((aligned(512)));
static volatile uint32_t probe_ticks, probe_other_ticks, probe_lr;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    uint32_t lr;
    __asm volatile("mov %0, lr" : "=r"(lr));
    probe_lr = lr;
    probe_ticks++;
}

static void probe_other_handler(void)
{
    probe_other_ticks++;
}

static void probe_systick(uint32_t reload)
{
    SYSTICK->CTRL = 0u;
    SYSTICK->LOAD = reload - 1u;
    SYSTICK->VAL = 0u;
    SYSTICK->CTRL = SYSTICK_CTRL_CLKSOURCE_Msk | SYSTICK_CTRL_TICKINT_Msk | SYSTICK_CTRL_ENABLE_Msk;
}

static bool probe_masked_then_taken(void)
{
    __asm volatile("cpsid i" ::: "memory");
    probe_ticks = 0u;
    probe_systick(PROBE_SLOW_TICK);
    while ((SCB->ICSR & (1u << 26)) == 0u) { /* PENDSTSET */
    }
    bool held = probe_ticks == 0u;
    __asm volatile("cpsie i\n\tisb 0xF" ::: "memory");
    bool taken = probe_ticks == 1u;
    SYSTICK->CTRL = 0u;
    return held && taken;
}

static volatile uint32_t probe_seed = 0x12345678u;

/* xorshift rounds with the flags and low registers busy; noipa and the
   volatile seed keep the compiler from computing it once for both calls. */
__attribute__((noipa)) static uint32_t probe_work(void)
{
    uint32_t x = probe_seed, sum = 0u;
    for (uint32_t i = 0; i < PROBE_ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sum += (x > sum) ? x : (x >> 3);
    }
    return sum ^ x;
}

static void probe_led(struct gpio_regs *port, uint32_t pin, bool on)
{
    port->MODER = (port->MODER & ~(3u << (2u * pin))) | (GPIO_MODE_OUTPUT << (2u * pin));
    port->BSRR = on ? (1u << pin) : (1u << (pin + 16u));
}

int main(void);
int main(void)
{
    bool first = probe_masked_then_taken();
    bool lr_ok = probe_lr == 0xFFFFFFF9u;

    memcpy(probe_ram_vectors, (const void *)PROBE_FLASH_TABLE, PROBE_VECTORS * 4u);
    probe_ram_vectors[15] = (uint32_t)(uintptr_t)probe_other_handler;
    SCB->VTOR = (uint32_t)(uintptr_t)probe_ram_vectors;
    probe_systick(PROBE_SLOW_TICK);
    while (probe_other_ticks < 3u) {
    }
    SYSTICK->CTRL = 0u;
    bool vtor_ok = probe_ticks == 1u;
    SCB->VTOR = PROBE_FLASH_TABLE;

    __asm volatile("cpsid i" ::: "memory");
    uint32_t quiet = probe_work();
    __asm volatile("cpsie i" ::: "memory");
    probe_ticks = 0u;
    probe_systick(PROBE_FAST_TICK);
    uint32_t busy = probe_work();
    SYSTICK->CTRL = 0u;
    bool frames_ok = quiet == busy && probe_ticks > 100u;

    bool ok = first && lr_ok && vtor_ok && frames_ok;
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOBEN_Msk | RCC_AHB2ENR_GPIOCEN_Msk;
    (void)RCC->AHB2ENR;
    probe_led(GPIOC, PROBE_LED_GREEN, ok);
    probe_led(GPIOB, PROBE_LED_BLUE, !(first && lr_ok));
    probe_led(GPIOB, PROBE_LED_RED, !ok);
    for (;;)
        __asm volatile("wfi");
}
