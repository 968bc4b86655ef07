/*
 * The independent watchdog as the stuck-update guard: started only when the
 * bootloader runs its drive (never before starting an app, which would
 * inherit it), refreshed from the main loop.
 */
#ifndef DB_WATCHDOG_H
#define DB_WATCHDOG_H

/* LSI 32 kHz / 256 = 8 ms per count, 2500 counts: 20 s. The longest thing
   the main loop does in one pass is core/writer's commit: it may erase every
   untouched page of the image in one go (503 pages of ~25 ms = 12.6 s for a
   full-size image with a hole), then verify and CRC it (~1-2 s at 80 MHz).
   20 s is a few seconds above that chain; a hang still ends in a reset. */
#define WATCHDOG_PRESCALER_CODE 6u /* IWDG_PR: divide by 256 */
#define WATCHDOG_RELOAD 2500u      /* at most 4095 (12 bits) */
#define WATCHDOG_TIMEOUT_MS 20000u

void watchdog_start(void);
void watchdog_refresh(void);

#endif
