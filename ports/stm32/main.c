/*
 * dropboot on an STM32 board (NUCLEO-L4R5ZI, Black Pill F411): gather the boot inputs, let core/boot
 * decide, then either start the app or run the USB drive until an update
 * asks for a reset.
 *
 * The words that survive a reset live in .noinit at 0x20000000 (see
 * bootin.h and the linker scripts): the stay word an app sets through
 * dropboot_app.h, the double-reset marker, and core/update's report of the
 * last attempt (STATUS.TXT after a refusal).
 */
#include <stddef.h>
#include <string.h>

#include "board.h"
#include "board_io.h"
#include "boot.h"
#include "bootin.h"
#include "chip.h"
#include "clock.h"
#include "config.h"
#include "dcd.h"
#include "msc.h"
#include "regs_core.h"
#include "regs_rcc.h"
#include "scsi.h"
#include "startup.h"
#include "update.h"
#include "usbd.h"
#include "vfat.h"
#include "watchdog.h"

/* Detached before the reset so the host sees the device leave cleanly. */
#define MAIN_DETACH_MS 20u

__attribute__((section(".noinit"))) static struct bootin_noinit noinit;

/* The drive's state: static, nothing allocated; zeroed only when the drive
   starts (a boot into the app never needs it). */
STARTUP_DRIVE_BSS static struct update main_update;
STARTUP_DRIVE_BSS static struct vfat main_vfat;
STARTUP_DRIVE_BSS static struct scsi main_scsi;
STARTUP_DRIVE_BSS static struct msc main_msc;
STARTUP_DRIVE_BSS static struct usbd main_usbd;
STARTUP_DRIVE_BSS static bool main_host_active;

static uint32_t main_sector_count(void *ctx)
{
    (void)ctx;
    return vfat_sector_count();
}

static enum db_status main_read(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    vfat_read(&main_vfat, lba, buf);
    return DB_OK;
}

/* Never fails at SCSI level: outcomes go to STATUS.TXT (the drive contract). */
static enum db_status main_write(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    vfat_write(&main_vfat, lba, buf);
    return DB_OK;
}

static void main_eject(void *ctx)
{
    (void)ctx;
    update_eject(&main_update);
}

static void main_activity(void *ctx)
{
    (void)ctx;
    main_host_active = true;
}

static const struct scsi_ops main_scsi_ops = {
    .sector_count = main_sector_count,
    .read = main_read,
    .write = main_write,
    .eject = main_eject,
    .activity = main_activity,
};

__attribute__((noreturn)) static void main_system_reset(void)
{
    __asm volatile("dsb 0xF" ::: "memory");
    SCB->AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ_Msk;
    __asm volatile("dsb 0xF" ::: "memory");
    for (;;) {
    }
}

/* The last steps of a start, from RAM: once the L4R5's FB_MODE maps bank 2
 * at 0x08000000 the instructions that followed in flash are the other
 * bank's. In .data, so the startup code copies it to RAM; long_call because
 * RAM is out of a BL's reach from flash. remap, value: the chip's remap
 * register and what to write there (chip_remap), with A/B only. */
__attribute__((section(".data.ramfunc"), noinline, long_call, noreturn)) static void
main_enter_app(uint32_t sp, uint32_t pc, volatile uint32_t *remap, uint32_t value)
{
    if (DB_AB_SLOTS)
        *remap = value; /* a constant test: a chip without A/B has nothing to remap */
    __asm volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
    /* Nothing can be pending now, so interrupts go back on as at reset. */
    __asm volatile("msr msp, %0\n\tcpsie i\n\tbx %1" : : "r"(sp), "r"(pc) : "memory");
    __builtin_unreachable();
}

/* Hand the chip over as if the app came out of reset itself.
 * swap: the image is in slot B (bank 2), which must appear at DB_APP_BASE. */
__attribute__((noreturn)) static void main_start_app(uint32_t sp, uint32_t pc, bool swap)
{
    __asm volatile("cpsid i" ::: "memory");
    board_io_deinit();
    clock_deinit();
    for (uint32_t i = 0; i < CHIP_NVIC_WORDS; i++) {
        NVIC->ICER[i] = 0xFFFFFFFFu;
        NVIC->ICPR[i] = 0xFFFFFFFFu;
    }
    SCB->ICSR = SCB_ICSR_PENDSTCLR_Msk | SCB_ICSR_PENDSVCLR_Msk;
    SCB->VTOR = DB_APP_BASE;
    uint32_t value;
    volatile uint32_t *remap = chip_remap(swap, &value);
    main_enter_app(sp, pc, remap, value);
}

static enum board_leds main_leds(void)
{
    enum db_status st = update_status(&main_update);
    if (update_state(&main_update) == UPDATE_RECEIVING)
        return BOARD_LEDS_WRITING;
    if (st > DB_DONE && st != DB_ERR_NOT_FIRMWARE)
        return BOARD_LEDS_ERROR;
    return BOARD_LEDS_WAITING;
}

/* The drive: USB mass storage over the virtual FAT volume, until reset. */
__attribute__((noreturn)) static void main_run_drive(void)
{
    startup_zero_drive_bss();
    clock_usb_init();
    clock_tick_start();
    watchdog_start();
    update_init(&main_update, &noinit.report);
    vfat_init(&main_vfat, &main_update);
    scsi_init(&main_scsi, &board, &main_scsi_ops, NULL);
    msc_init(&main_msc, &main_scsi);
    usbd_init(&main_usbd, &board, &main_msc); /* brings up the controller, detached */
    dcd_connect();

    uint32_t last = clock_ms();
    bool reset_asked = false;
    uint32_t reset_asked_at = 0u;
    for (;;) {
        watchdog_refresh();
        dcd_poll();
        uint32_t now = clock_ms();
        if (now != last && !reset_asked) {
            reset_asked = update_tick(&main_update, now - last, main_host_active);
            reset_asked_at = now;
            main_host_active = false;
        }
        last = now;
        /* Keep polling USB until the host has the last CSW (an eject's). */
        if (reset_asked && bootin_reset_due(msc_idle(&main_msc), now - reset_asked_at)) {
            dcd_disconnect();
            clock_delay_ms(MAIN_DETACH_MS);
            main_system_reset();
        }
        board_leds_show(main_leds(), now);
    }
}

int main(void)
{
    uint32_t csr = RCC->CSR;
    RCC->CSR |= RCC_CSR_RMVF_Msk; /* the next reset's flags start clean */
    /* The full clock first, before anything else runs: clock_init takes
       0.08 ms in dropboot-emu, and the boot decision (record CRCs, flash
       reads) then runs 20 times faster than at the 4 MHz reset clock
       (docs/boot-integrity.md). */
    clock_init();
    if (bootin_ram_lost(csr))
        memset(&noinit, 0, sizeof noinit);
    board_io_init();
    /* Where the chip can: the bootloader's own flash is write-protected
       from its first run on (undo: docs/board-*.md). */
    chip_protect_bootloader();

    struct boot_inputs in;
    bootin_gather(&noinit, csr, board_button_pressed(), &in);
    enum bootin_dr dr = bootin_double_reset(csr, noinit.double_reset);
    /* Consumed: the next plain reset boots normally. The report itself stays
       for STATUS.TXT; only its "stay" request is used up. */
    noinit.stay = 0u;
    noinit.double_reset = 0u;
    noinit.report.stay = 0u;

    struct boot_decision d;
    boot_decide(&in, &d);
    if (d.reason == BOOT_START_APP && dr == BOOTIN_DR_WAIT) {
        /* Reset button once: give the user half a second to press it again. */
        noinit.double_reset = BOOTIN_DR_MARK;
        /* A reset during the wait is what the window is for, so the mark
           (and the words consumed above) must be in RAM before it starts.
           The compiler cannot know that: to it the mark is a dead store,
           overwritten after the wait, and LTO removed it. The barrier
           makes every pending store happen here. */
        __asm volatile("dsb 0xF" ::: "memory");
        board_leds_show(BOARD_LEDS_WAITING, 0u);
        clock_delay_ms(BOOTIN_DR_WINDOW_MS);
        noinit.double_reset = 0u;
    }
    /* the app finds its trial in RAM (dropboot_confirm() hands the seq back) */
    noinit.confirm_seq = 0u;
    noinit.trial_seq = (d.reason == BOOT_START_APP && d.trial) ? d.seq : 0u;
    if (d.reason == BOOT_START_APP && bootin_jump_ok(DB_APP_BASE, d.app_sp, d.app_pc))
        main_start_app(d.app_sp, d.app_pc, d.swap);
    main_run_drive();
}
