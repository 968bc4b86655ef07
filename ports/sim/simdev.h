/*
 * The bootloader as the simulator runs it: one device (a singleton) made of
 * the real core (boot decision, core/vfat, core/update) over the flash model.
 * Used by the sim verbs (dump, replay, status) and by the USB/IP server.
 * Owner: drive.
 */
#ifndef DB_SIMDEV_H
#define DB_SIMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "status.h"

enum simdev_mode { SIMDEV_BOOTLOADER, SIMDEV_APP };

/* Power on or reset: run the boot decision; RAM that survives a reset (the
   stay-in-bootloader word, the last STATUS) is kept across simdev_reset. */
enum simdev_mode simdev_power_on(void); /* cold: RAM cleared */
enum simdev_mode simdev_reset(void);    /* warm: after an update */
void simdev_describe_boot(char *out, size_t n); /* "start app at 0x08008000 (...)" / "stay in bootloader: <reason>" */
uint32_t simdev_sector_count(void);
void simdev_read(uint32_t lba, uint8_t buf[DB_SECTOR_SIZE]);
void simdev_write(uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE]); /* never fails at SCSI level: outcomes go to STATUS.TXT */
void simdev_eject(void);                /* SCSI START STOP UNIT with LoEj=1 */
/* Time passes; host_active: a SCSI command arrived since the last tick.
   True when the device wants to reset now (update finished and host idle or ejected). */
bool simdev_tick(uint32_t elapsed_ms, bool host_active);

/* Additions beyond the contract. */
/* The user button, read at the next power on / reset (held: stay in the
   bootloader even with a valid app, as a user does to update it). */
void simdev_hold_button(bool held);
enum simdev_mode simdev_mode(void);
/* STATUS.TXT as the host would read it now; returns its length. */
size_t simdev_status_text(char *out, size_t n);
/* Boot decisions that only look (the status verb): no trial start is counted. */
void simdev_query_only(bool query);
/* The running app calls dropboot_confirm(): the bootloader records it at the
   reset that follows and starts the app again. */
enum simdev_mode simdev_app_confirms(void);
/* Outcome of the update attempt in this session (DB_IDLE if none). */
enum db_status simdev_update_status(void);

#endif
