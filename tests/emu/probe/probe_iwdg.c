/*
 * A test firmware for dropboot-emu's IWDG and reset flags, on the port's
 * real watchdog driver (ports/stm32/watchdog.c, 20 s timeout). After
 * power on it starts the watchdog and sleeps without refreshing it; after
 * the watchdog's reset (RCC_CSR.IWDGRSTF, RM0432 6.4.29) it lights the
 * green LED and sleeps for good.
 */
#include "regs_gpio.h"
#include "regs_rcc.h"
#include "watchdog.h"

#define PROBE_LED_GREEN 7u /* PC7 */

int main(void);
int main(void)
{
    if (RCC->CSR & RCC_CSR_IWDGRSTF_Msk) {
        RCC->AHB2ENR |= RCC_AHB2ENR_GPIOCEN_Msk;
        (void)RCC->AHB2ENR;
        GPIOC->MODER = (GPIOC->MODER & ~(3u << (2u * PROBE_LED_GREEN))) | (GPIO_MODE_OUTPUT << (2u * PROBE_LED_GREEN));
        GPIOC->BSRR = 1u << PROBE_LED_GREEN;
    } else {
        watchdog_start();
    }
    for (;;)
        __asm volatile("wfi");
}

/* startup.c's vector table names these; this probe never uses them. */
void SysTick_Handler(void);
void SysTick_Handler(void)
{
}
