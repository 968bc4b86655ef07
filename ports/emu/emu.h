/*
 * dropboot-emu: one emulated NUCLEO-L4R5ZI running the real firmware binary.
 *
 * The fixed interface between the machine (CPU, memory, resets, time, the
 * RCC/PWR/FLASH/CRS/GPIO/IWDG/SysTick/DWT/SCB/SYSCFG models) and the USB side
 * (the DWC2 OTG FS model, the host engine and the USB verbs). Extend it only
 * additively. Owner: emu machine.
 */
#ifndef DB_EMU_H
#define DB_EMU_H

#include <stdbool.h>
#include <stdint.h>

struct emu;                                  /* one emulated NUCLEO-L4R5ZI */
struct emu_periph {
    const char *name;                        /* for the "unclaimed access" list and logs */
    uint32_t base, size;                     /* bus address range it claims */
    void *ctx;
    uint32_t (*read)(void *ctx, uint32_t off, unsigned width);              /* width 1, 2 or 4 bytes */
    void (*write)(void *ctx, uint32_t off, uint32_t value, unsigned width);
    void (*reset)(void *ctx, int kind);      /* enum emu_reset_kind; may be NULL */
};
/* EMU_RESET_PERIPH (an addition): only this peripheral, through its RCC
   xxxRSTR bit (RM0432 6.4 xxxRSTR registers); the others are system resets. */
enum emu_reset_kind { EMU_RESET_POWER_ON, EMU_RESET_NRST, EMU_RESET_SOFTWARE, EMU_RESET_IWDG,
                      EMU_RESET_PERIPH };
/* Names the RCC model gates (emu_clock_enabled, and an access while the bit
   is 0 is an error): "GPIOA".."GPIOI", "OTG_FS" (AHB2ENR), "PWR", "CRS"
   (APB1ENR1), "SYSCFG" (APB2ENR), "FLASH" (AHB1ENR). Other names are not gated. */
void emu_add_periph(struct emu *e, const struct emu_periph *p);
uint64_t emu_now_ns(const struct emu *e);   /* virtual time */
bool emu_clock_enabled(const struct emu *e, const char *periph_name); /* RCC enable bit of that periph */
/* Run the CPU until virtual time reaches until_ns (or the CPU stops: fault, halt). Returns false when the
   machine has stopped for good (fault reported). Between calls the caller (E2's host engine) may poke the
   models; the machine skips virtual time ahead while the firmware only polls. */
bool emu_run_until(struct emu *e, uint64_t until_ns);
struct emu *emu_create(const char *firmware_path, const char *flash_file);   /* flash file: 2 MB image, as dropboot-sim */
void emu_power_on(struct emu *e);
void emu_destroy(struct emu *e);

#endif
