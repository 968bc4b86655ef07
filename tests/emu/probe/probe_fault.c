/*
 * A test firmware that touches what no model claims: a register of the
 * LPTIM1 block (0x40007C00, not modelled), from a function main calls, then
 * a bus fault on an address outside the memory map. dropboot-emu must stop
 * at the first and name the place. Built with -DPROBE_UDF, the function
 * executes a permanently undefined instruction instead (a UsageFault).
 */
#include <stdint.h>


#define PROBE_UNMODELLED_REG 0x40007C00u /* LPTIM1_ISR */

__attribute__((noinline)) uint32_t probe_read_unmodelled(void);
__attribute__((noinline)) uint32_t probe_read_unmodelled(void)
{
#ifdef PROBE_UDF
    __asm volatile("udf #0");
#endif
    return *(volatile uint32_t *)PROBE_UNMODELLED_REG + 1u;
}

int main(void);
int main(void)
{
    volatile uint32_t sink = probe_read_unmodelled();
    sink += *(volatile uint32_t *)0x60000000u; /* FMC bank 1: nothing there */
    for (;;)
        __asm volatile("wfi");
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
}
