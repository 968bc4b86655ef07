/*
 * What the startup code leaves to main: the USB drive's RAM. Statics marked
 * STARTUP_DRIVE_BSS are not zeroed at reset (the boot decision does not use
 * them and a boot into the app should not wait for them); main zeroes them
 * with startup_zero_drive_bss() before the drive touches them.
 */
#ifndef DB_STARTUP_H
#define DB_STARTUP_H

/* The linker scripts place .bss.drive between _sdrive_bss and _edrive_bss. */
#define STARTUP_DRIVE_BSS __attribute__((section(".bss.drive")))

/* Zero every STARTUP_DRIVE_BSS object, as C expects of a static. */
void startup_zero_drive_bss(void);

#endif
