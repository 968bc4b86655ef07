/*
 * A USB host on the bus side of the DWC2 model: what a PC's host controller
 * and its mass-storage driver do to a drive, one packet at a time.
 *
 * Each transaction costs the bus time its bits take at full speed, and the
 * device (the firmware under test) runs for that time through the run
 * callback before the next packet: in the emulator that is the CPU
 * executing, in a host test it is the driver's dcd_poll. NAKed packets are
 * retried until a time limit; a STALL is reported as such; a device that
 * leaves the bus (DCTL.SDIS, a chip reset) ends every call with
 * USBHOST_DISCONNECTED until usbhost_attach sees it come back.
 *
 * On top: enumeration (USB 2.0 chapter 9), Bulk-Only Transport (CBW, data,
 * CSW, clear-halt and Reset Recovery, BOT 1.0 5 and 6) and the SCSI commands a
 * computer sends to a drive.
 */
#ifndef DB_USBHOST_H
#define DB_USBHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "dwc2_model.h"

#define USBHOST_MS 1000000ull                 /* nanoseconds */
#define USBHOST_CONTROL_TIMEOUT_NS (5000ull * USBHOST_MS) /* Linux USB_CTRL_GET_TIMEOUT */
#define USBHOST_COMMAND_TIMEOUT_NS (30000ull * USBHOST_MS) /* Linux sd: a command's default timeout */
#define USBHOST_SECTOR 512u
#define USBHOST_CONFIG_MAX 255u               /* wTotalLength we read at most */

enum usbhost_status {
    USBHOST_OK = 0,
    USBHOST_STALL = -1,         /* the endpoint answered STALL */
    USBHOST_TIMEOUT = -2,       /* NAKed (or unanswered) past the time limit */
    USBHOST_DISCONNECTED = -3,  /* the device left the bus */
    USBHOST_PROTOCOL = -4,      /* the device broke a USB or BOT rule (see usbhost.why) */
    USBHOST_DEAD = -5,          /* the device stopped for good (the emulator halted) */
    USBHOST_CHECK = -6,         /* SCSI: CHECK CONDITION (sense in usbhost.sense) */
};

/* The device behind the model. run: let it work for ns of bus time; false
   when it has stopped for good. */
struct usbhost_device {
    void *ctx;
    bool (*run)(void *ctx, uint64_t ns);
    /* Optional (NULL: none): a SCSI command ended, whatever its result,
       after ns of bus time from its CBW to its CSW (or its failure). */
    void (*command_done)(void *ctx, uint8_t opcode, uint64_t ns);
};

struct usbhost_stats {
    uint64_t bus_ns;            /* bus time the host has spent */
    uint32_t transactions, naks, stalls, toggle_errors;
    uint32_t resets, attaches, reset_recoveries;
    uint64_t bytes_in, bytes_out;
    uint64_t longest_command_ns; /* the slowest SCSI command, CBW to CSW */
    uint8_t longest_command_op;  /* its operation code */
};

struct usbhost {
    struct dwc2_model *m;
    struct usbhost_device dev;
    uint32_t model_resets;      /* the model's reset count when we enumerated */
    bool attached;
    uint8_t address;
    uint8_t ep0_mps;
    uint8_t toggle[16][2];      /* the host's data toggle per endpoint number, [n][is_in] */
    uint8_t bulk_in, bulk_out;  /* endpoint addresses from the configuration */
    uint16_t bulk_mps;
    uint8_t interface;
    uint8_t max_lun;
    uint8_t device_desc[18];
    uint8_t config_desc[USBHOST_CONFIG_MAX]; /* the whole configuration, as read at enumeration */
    uint32_t config_len;
    uint32_t tag;
    uint8_t sense[3];           /* key, ASC, ASCQ of the last CHECK CONDITION */
    uint32_t csw_residue;
    const char *why;            /* what went wrong, for USBHOST_PROTOCOL and friends */
    uint64_t next_sof_ns;
    /* Measuring the device alone: packets take no bus time and a NAK is
       retried after 1 us, so the time that passes is the device's own work. */
    bool instant_bus;
    struct usbhost_stats st;
};

void usbhost_init(struct usbhost *h, struct dwc2_model *m, struct usbhost_device dev);
const char *usbhost_status_text(int status);

/* Let the device run with the bus idle (SOFs only). */
int usbhost_idle(struct usbhost *h, uint64_t ns);
/* Wait (up to timeout_ns) for the device to connect, then reset the bus and
   enumerate it: addressed, configured, bulk pipes found, max LUN read. */
int usbhost_attach(struct usbhost *h, uint64_t timeout_ns);
/* Only the port part of attaching: wait for the device to connect, reset
   the bus; the device is then at address 0, unconfigured (a USB/IP client
   enumerates it itself). */
int usbhost_port_reset(struct usbhost *h, uint64_t timeout_ns);
/* False once the device left the bus or was reset since the port reset. */
bool usbhost_connected(struct usbhost *h);

/* One control transfer; data holds wLength bytes (IN: filled). *actual: bytes moved. */
int usbhost_control(struct usbhost *h, const uint8_t setup[8], uint8_t *data, uint32_t *actual);
/* Bulk OUT / IN on endpoint address ep until len bytes moved (IN: or a short
   packet). On any result, *actual says what moved; on USBHOST_TIMEOUT the
   transfer may be continued with the rest. */
int usbhost_bulk(struct usbhost *h, uint8_t ep, uint8_t *data, uint32_t len, uint32_t *actual,
                 uint64_t timeout_ns);
/* CLEAR_FEATURE(ENDPOINT_HALT), which also puts the host's toggle at DATA0. */
int usbhost_clear_halt(struct usbhost *h, uint8_t ep);

/* One Bulk-Only command: CBW, data phase (in: device to host), CSW.
   USBHOST_OK for a PASSED CSW, USBHOST_CHECK for FAILED (sense fetched with
   REQUEST SENSE); a phase error or broken CSW runs Reset Recovery. */
int usbhost_scsi(struct usbhost *h, const uint8_t *cdb, uint8_t cdb_len, bool in, uint8_t *data,
                 uint32_t len);
int usbhost_test_unit_ready(struct usbhost *h);
/* TEST UNIT READY until it passes (a fresh unit reports UNIT ATTENTION once). */
int usbhost_wait_ready(struct usbhost *h, uint32_t tries);
int usbhost_read_capacity(struct usbhost *h, uint32_t *sectors, uint32_t *sector_size);
int usbhost_read10(struct usbhost *h, uint32_t lba, uint16_t count, uint8_t *data);
/* data is only read (one buffer type serves both directions of usbhost_bulk). */
int usbhost_write10(struct usbhost *h, uint32_t lba, uint16_t count, uint8_t *data);
int usbhost_start_stop(struct usbhost *h, bool start, bool load_eject);

#endif
