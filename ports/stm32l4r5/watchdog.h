/*
 * The independent watchdog as the stuck-update guard: started only when the
 * bootloader runs its drive (never before starting an app, which would
 * inherit it), refreshed from the main loop.
 */
#ifndef DB_WATCHDOG_H
#define DB_WATCHDOG_H

/* LSI 32 kHz / 64 = 2 ms per count, 4000 counts: 8 s. The longest thing the
   main loop waits for in one pass is a page erase (~25 ms, two at a page
   boundary) or verifying and CRC-ing a 2 MB image (~1 s at 80 MHz). */
#define WATCHDOG_PRESCALER_CODE 4u /* IWDG_PR: divide by 64 */
#define WATCHDOG_RELOAD 4000u
#define WATCHDOG_TIMEOUT_MS 8000u

void watchdog_start(void);
void watchdog_refresh(void);

#endif
