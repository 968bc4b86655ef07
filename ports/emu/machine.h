/*
 * The machine's side door for its own models and verbs (not part of the
 * fixed interface in emu.h): errors, logging, exceptions, resets, the clock
 * the CPU runs at, timers, and what the run verb watches.
 */
#ifndef DB_EMU_MACHINE_H
#define DB_EMU_MACHINE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "boot.h"
#include "emu.h"

/* Exception numbers (ARMv7-M ARM B1.5.2). */
#define EMU_EXC_NMI 2
#define EMU_EXC_HARDFAULT 3
#define EMU_EXC_SYSTICK 15

/* A rule of the chip broken (or an access nobody models): listed at exit,
   and the machine stops after the current instruction. */
void emu_error(struct emu *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line of the event log with the virtual time in front (LEDs, resets, the app start). */
void emu_log(struct emu *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A model asks for a system reset (SYSRESETREQ, IWDG); done at the next instruction boundary. */
void emu_request_reset(struct emu *e, enum emu_reset_kind kind);
/* Pend an exception (NMI, SysTick) the way the NVIC would. */
void emu_pend_exception(struct emu *e, int exc);
void emu_clear_pending(struct emu *e, int exc);
bool emu_exception_pending(const struct emu *e, int exc);
bool emu_exception_active(const struct emu *e, int exc);

/* Processor clock (HCLK) in Hz: the RCC model says when it changes. */
void emu_set_hclk(struct emu *e, uint32_t hz);
uint32_t emu_hclk(const struct emu *e);
/* Flash wait states and whether the instruction cache is on (FLASH_ACR). */
void emu_set_flash_latency(struct emu *e, unsigned ws, bool icache);
/* Processor clock cycles since power on (SysTick, DWT count these). */
uint64_t emu_cycles(const struct emu *e);

/* A model with time-driven behaviour: poll brings it up to now and returns
   the next virtual time (ns) it needs to be polled at, UINT64_MAX for never. */
void emu_add_timer(struct emu *e, void *ctx, uint64_t (*poll)(void *ctx, uint64_t now_ns));

/* The flash array (emu_chip.flash_size) as the CPU sees it, for the FLASH model. */
uint8_t *emu_flash_mem(struct emu *e);
/* Its size in bytes. */
uint32_t emu_flash_size(const struct emu *e);
/* The flash image's file name (the FLASH model keeps the option bytes beside it). */
const char *emu_flash_path(const struct emu *e);
/* The flash controller is busy until virtual time ns: on a chip without
   read-while-write (emu_chip.fetch_stalls_while_busy) instruction fetches
   from flash wait until then; elsewhere a no-op. */
void emu_flash_stall_until(struct emu *e, uint64_t ns);
/* Make the CPU see a change the model made to the flash array (drops translated code). */
void emu_flash_changed(struct emu *e, uint32_t off, uint32_t len);
/* The firmware is reading flash double-words listed as broken: watch reads. */
void emu_watch_flash_reads(struct emu *e, bool on);
/* SYSCFG_MEMRMP.FB_MODE changed: bank 2 at 0x08000000 (on) or bank 1 (off); applied between blocks. */
void emu_flash_swap(struct emu *e, bool on);
/* Last power-on/reset cause, for RCC_CSR. */
enum emu_reset_kind emu_last_reset(const struct emu *e);

/* The 96-bit unique ID (emu_chip.uid_addr) the firmware reads as its serial number. */
void emu_set_uid(struct emu *e, const uint32_t uid[3]);
/* Inputs of the board. */
void emu_set_button(struct emu *e, bool held);
bool emu_button(const struct emu *e);
/* gpio.c: the firmware read B1's pin; the first read after a reset is
   what its boot decision saw. */
void emu_note_button_read(struct emu *e, bool level);

/* A block of word registers (most models): a read at any byte lane gives
   that lane's bytes; an offset past the block is an error (and reads 0). */
uint32_t emu_regs_read(struct emu *e, const char *name, const uint32_t *r, unsigned words, uint32_t off);
/* A write the block can take: a whole word inside it; anything else is an error. */
bool emu_regs_write_ok(struct emu *e, const char *name, unsigned words, uint32_t off, unsigned width);
/* Zeroed memory freed with the machine (model contexts). */
void *emu_alloc(struct emu *e, size_t n);
/* Deepest stack use since power-on: painted stack area no longer holding the paint (bytes). */
uint32_t emu_stack_peak(const struct emu *e);

/* Between the machine and its models. */
void *emu_periph_ctx(const struct emu *e, const char *name); /* a model's ctx by its periph name */
void emu_rcc_reset_periph(struct emu *e, const char *name);  /* reset(ctx, EMU_RESET_PERIPH) */
void emu_rcc_force_lsi(struct emu *e);                       /* rcc.c: IWDG start forces LSI on */
int emu_rcc_gate(const char *periph_name);                   /* rcc.c: clock gate index, -1: none */
bool emu_rcc_gate_on(const struct emu *e, int gate);
void *emu_rcc_ctx(const struct emu *e);                      /* the RCC model (looked up once) */
uint32_t emu_scs_vtor(struct emu *e);         /* scs.c: SCB_VTOR */
int emu_scs_priority(struct emu *e, int exc); /* scs.c: 0..255, lower is more urgent */
uint32_t emu_rcc_csr(struct emu *e);          /* rcc.c: RCC_CSR for the reset log */
/* flashctl.c: a CPU store into the flash array (return true: handled, the
   machine lets the store land and the model restores the cell) and a read
   of a watched double-word. */
bool emu_flash_store(struct emu *e, uint32_t addr, unsigned width, uint32_t value);
void emu_flash_read_seen(struct emu *e, uint32_t addr);
/* An instruction fetch from physical flash address addr: the time (ns) the
   CPU waits until, 0 when it need not wait (flashctl.c). */
uint64_t emu_flash_fetch(struct emu *e, uint32_t addr);
/* The CPU's bus access waits until virtual time ns (a model that cannot take it sooner). */
void emu_stall_until_ns(struct emu *e, uint64_t ns);
void emu_flash_settle(struct emu *e);     /* flashctl.c: put remembered cells back */
void emu_flash_unsettled(struct emu *e);  /* machine: call emu_flash_settle before the next block */
void emu_flash_set_single_bank(struct emu *e); /* OPTR.DBANK = 0 (8 KB pages) */
/* The power goes away now (a cut at a flash operation): the CPU stops and
   the chip powers up again (cold start) at the next instruction boundary. */
void emu_power_cut(struct emu *e);

/* Models attached by emu_create (one per file). */
void emu_rcc_attach(struct emu *e);
void emu_pwr_attach(struct emu *e);
void emu_crs_attach(struct emu *e);
void emu_flashctl_attach(struct emu *e);
void emu_gpio_attach(struct emu *e);
void emu_iwdg_attach(struct emu *e);
void emu_scs_attach(struct emu *e);
void emu_dwt_attach(struct emu *e);
void emu_syscfg_attach(struct emu *e);

/* DEMCR.TRCENA changed (scs.c tells dwt.c). */
void emu_dwt_trcena(struct emu *e, bool on);
/* PWR_CR2.USV: VDDUSB declared valid (the OTG model may check it). */
bool emu_pwr_usb_valid(const struct emu *e);
/* pwr_f4.c: the highest SYSCLK the voltage scale (PWR_CR.VOS) allows. */
uint32_t emu_pwr_max_hz(const struct emu *e);
/* RCC model queries other models need. */
struct emu_rcc;
bool emu_rcc_lsi_on(const struct emu *e);
/* Power cuts at flash operations (FLASH model). n counts erases and
   double-word programs from power-on, 1 = the first; 0 = never. */
void emu_flash_cut_at(struct emu *e, uint32_t n, bool torn);
/* Scaled datasheet times for erase/program (0 = typical). */
void emu_flash_set_times(struct emu *e, uint32_t erase_us, uint32_t program_us);
uint32_t emu_flash_ops(const struct emu *e);
/* Time the flash spent erasing and programming since the emulator started. */
uint64_t emu_flash_busy_ns(const struct emu *e);

/* What the run and status verbs watch. */
struct emu_watch {
    bool app_started;      /* first instruction at/after the app base executed */
    uint64_t app_start_ns;
    uint32_t app_sp, app_pc;
    bool drive_started;    /* the bootloader switched the USB core's clock on */
    uint64_t drive_start_ns;
    uint32_t leds;         /* bit n: emu_chip.led[n] lit (L4R5: green LD1, blue LD2, red LD3) */
    uint32_t resets;       /* resets after power on */
    uint32_t power_cuts;
    int reason;            /* enum boot_reason the PC-side boot logic gave for the last decision */
    struct boot_decision decision; /* that decision whole: slot, trial, rollback */
    uint32_t mismatches;   /* decisions where the firmware and that logic disagreed */
    uint64_t longest_scsi_ns; /* (USB verbs) the slowest SCSI command, CBW to CSW, in bus time */
    uint8_t longest_scsi_op;
    uint32_t scsi_commands;
};
const struct emu_watch *emu_watch(const struct emu *e);
void emu_note_leds(struct emu *e, uint32_t leds);
void emu_note_drive(struct emu *e);
/* (USB verbs) a SCSI command took ns from its CBW to its CSW. */
void emu_note_scsi_command(struct emu *e, uint8_t opcode, uint64_t ns);
/* Log level: 0 errors only, 1 events (LEDs, resets, app start). */
void emu_set_verbose(struct emu *e, int level);
int emu_verbose(const struct emu *e);
/* Errors found so far (0 = none); emu_report_errors prints the list. */
unsigned emu_error_count(const struct emu *e);
void emu_report_errors(const struct emu *e, FILE *out);
/* (USB half) Hold the machine just before the app's first instruction:
   emu_run_until returns at once from then on until a reset, and
   emu_paused says so. The replay verb uses it to read STATUS.TXT after an
   update with the RAM the bootloader left untouched by the app. Turning it
   off while held lets the app run from its first instruction. */
void emu_pause_at_app(struct emu *e, bool on);
bool emu_paused(const struct emu *e);
/* NRST pressed now (done at the next instruction boundary). */
void emu_nrst(struct emu *e);

#endif
