/*
 * dropboot on the NUCLEO-L4R5ZI: gather the boot inputs, let core/boot
 * decide, then either start the app or run the USB drive until an update
 * asks for a reset.
 *
 * The words that survive a reset live in .noinit at 0x20000000 (see
 * bootin.h and the linker scripts); an app sets the first one through
 * dropboot_app.h.
 */
#include <string.h>

#include "board.h"
#include "board_io.h"
#include "boot.h"
#include "bootin.h"
#include "clock.h"
#include "config.h"
#include "dcd.h"
#include "regs_core.h"
#include "regs_rcc.h"
#include "watchdog.h"

__attribute__((section(".noinit"))) static struct bootin_noinit noinit;

__attribute__((unused)) static void main_system_reset(void)
{
    __asm volatile("dsb 0xF" ::: "memory");
    SCB->AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ_Msk;
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

/* Hand the chip over as if the app came out of reset itself. */
__attribute__((noreturn)) static void main_start_app(uint32_t sp, uint32_t pc)
{
    __asm volatile("cpsid i" ::: "memory");
    board_io_deinit();
    clock_deinit();
    for (uint32_t i = 0; i < NVIC_WORDS; i++) {
        NVIC->ICER[i] = 0xFFFFFFFFu;
        NVIC->ICPR[i] = 0xFFFFFFFFu;
    }
    SCB->ICSR = SCB_ICSR_PENDSTCLR_Msk | SCB_ICSR_PENDSVCLR_Msk;
    SCB->VTOR = DB_APP_BASE;
    __asm volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
    /* Nothing can be pending now, so interrupts go back on as at reset. */
    __asm volatile("msr msp, %0\n\tcpsie i\n\tbx %1" : : "r"(sp), "r"(pc) : "memory");
    __builtin_unreachable();
}

/* The drive: USB mass storage over the virtual FAT volume, until reset. */
__attribute__((noreturn)) static void main_run_drive(const struct boot_decision *d)
{
    (void)d;
    clock_usb_init();
    clock_tick_start();
    watchdog_start();
    static const struct dcd_events no_events = {0};
    dcd_init(&no_events);
    dcd_connect();
    for (;;) {
        watchdog_refresh();
        dcd_poll();
        board_leds_show(BOARD_LEDS_WAITING, clock_ms());
    }
}

int main(void)
{
    uint32_t csr = RCC->CSR;
    RCC->CSR |= RCC_CSR_RMVF_Msk; /* the next reset's flags start clean */
    if (bootin_ram_lost(csr))
        memset(&noinit, 0, sizeof noinit);

    /* 80 MHz first: the boot decision CRCs the whole app image. */
    clock_init();
    board_io_init();

    struct boot_inputs in;
    bootin_gather(&noinit, csr, board_button_pressed(), &in);
    enum bootin_dr dr = bootin_double_reset(csr, noinit.double_reset);
    noinit.stay = 0u; /* consumed: the next plain reset boots normally */
    noinit.double_reset = 0u;
    noinit.after_update = 0u;

    struct boot_decision d;
    boot_decide(&in, &d);
    if (d.reason == BOOT_START_APP && dr == BOOTIN_DR_WAIT) {
        /* Reset button once: give the user half a second to press it again. */
        noinit.double_reset = BOOTIN_DR_MARK;
        board_leds_show(BOARD_LEDS_WAITING, 0u);
        clock_delay_ms(BOOTIN_DR_WINDOW_MS);
        noinit.double_reset = 0u;
    }
    if (d.reason == BOOT_START_APP && bootin_jump_ok(DB_APP_BASE, d.app_sp, d.app_pc))
        main_start_app(d.app_sp, d.app_pc);
    main_run_drive(&d);
}
