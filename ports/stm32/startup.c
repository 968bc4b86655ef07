/*
 * Reset and vector table of the bootloader (Cortex-M4F STM32s: 16 system
 * exceptions and the chip's IRQs, CHIP_VECTORS in all, from chip.h).
 *
 * The bootloader enables no peripheral interrupt (USB is polled); only
 * SysTick (the ms tick) and NMI (flash ECC double errors) have handlers.
 * A fault resets the chip instead of hanging: the boot decision then runs
 * again and the drive comes back.
 */
#include <stdint.h>

#include "chip.h"
#include "regs_core.h"
#include "startup.h"

extern uint32_t _sidata, _sdata, _edata, _edrive_bss, _sdrive_bss, _ebss, _estack;
int main(void);
void Reset_Handler(void);
void NMI_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

void Reset_Handler(void)
{
    /* Word loops written out: no libc, and .noinit is deliberately left alone.
       The drive's RAM (.bss.drive) waits for startup_zero_drive_bss(). */
    const uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_edrive_bss; dst < &_ebss;)
        *dst++ = 0u;
    (void)main();
    Fault_Handler();
}

void startup_zero_drive_bss(void)
{
    for (uint32_t *dst = &_sdrive_bss; dst < &_edrive_bss;)
        *dst++ = 0u;
    /* The objects were written behind the compiler's back (through the
       linker's symbols): it must not keep values of them from before. */
    __asm volatile("" ::: "memory");
}

void NMI_Handler(void)
{
    if (!flash_nmi())
        Fault_Handler(); /* not a flash ECC error: nothing here clears it */
}

void Fault_Handler(void)
{
    __asm volatile("dsb 0xF" ::: "memory");
    SCB->AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ_Msk;
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

typedef void (*startup_vector)(void);

__attribute__((section(".isr_vector"), used))
const startup_vector startup_vectors[CHIP_VECTORS] = {
    [0] = (startup_vector)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = Fault_Handler, /* HardFault */
    [4] = Fault_Handler, /* MemManage */
    [5] = Fault_Handler, /* BusFault */
    [6] = Fault_Handler, /* UsageFault */
    [11] = Fault_Handler, /* SVCall: never used */
    [14] = Fault_Handler, /* PendSV: never used */
    [15] = SysTick_Handler,
    [16 ... CHIP_VECTORS - 1u] = Fault_Handler, /* IRQs: none is enabled */
};
