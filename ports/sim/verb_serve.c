/*
 * dropboot-sim serve: the simulated board on a USB/IP cable.
 *
 *   serve [--usbip ADDR:PORT] [--button] [--serial S] [--quiet]
 *
 * Runs the boot decision (simdev); if the bootloader stays, the real usb/
 * stack (usbd, msc, scsi) serves the drive through the USB/IP controller
 * (dcd_usbip.c) until the device wants to reset. A reset closes the imported
 * connection (the host sees an unplug) and runs the boot decision again:
 * back as the drive, waiting for a new import, or the app starts, which ends
 * the program with `app started at 0x........` and exit status 0.
 * --button holds the user button at power on (stay in the bootloader even
 * with a valid app), as a user does to update a board; it is released after.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "board_sim.h"
#include "msc.h"
#include "scsi.h"
#include "simdev.h"
#include "usbd.h"
#include "usbip.h"
#include "verbs.h"

#define SERVE_POLL_MS 20 /* idle wake-up: time must pass for simdev_tick even when no host talks */
#define DESCRIBE_LEN 160u
/* A reset waits for the command under way to finish (its CSW read by the
   host), as the bootloader on the chip does, but no longer than this. */
#define RESET_GRACE_MS 2000u

static struct scsi serve_scsi;
static struct msc serve_msc;
static struct usbd serve_usbd;
static bool host_active;
static volatile sig_atomic_t stop_requested;

static uint32_t ops_sector_count(void *ctx)
{
    (void)ctx;
    return simdev_sector_count();
}

static enum db_status ops_read(void *ctx, uint32_t lba, uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    simdev_read(lba, buf);
    return DB_OK;
}

static enum db_status ops_write(void *ctx, uint32_t lba, const uint8_t buf[DB_SECTOR_SIZE])
{
    (void)ctx;
    simdev_write(lba, buf);
    return DB_OK; /* outcomes of an update go to STATUS.TXT, never to SCSI */
}

static void ops_eject(void *ctx)
{
    (void)ctx;
    simdev_eject();
}

static void ops_activity(void *ctx)
{
    (void)ctx;
    host_active = true;
}

static const struct scsi_ops serve_ops = {ops_sector_count, ops_read, ops_write, ops_eject, ops_activity};

/* The USB stack as the bootloader starts it: a fresh unit (unit attention armed). */
static void stack_start(void)
{
    scsi_init(&serve_scsi, &board, &serve_ops, NULL);
    msc_init(&serve_msc, &serve_scsi);
    usbd_init(&serve_usbd, &board, &serve_msc);
    dcd_connect();
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int app_started(void)
{
    printf("app started at 0x%08x\n", (unsigned)DB_APP_BASE);
    fflush(stdout);
    return 0;
}

int sim_verb_serve(int argc, char **argv)
{
    char host[64] = "127.0.0.1";
    uint16_t port = USBIP_DEFAULT_PORT;
    bool quiet = false, button = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--usbip") == 0 && i + 1 < argc) {
            if (usbip_parse_addr(argv[++i], host, sizeof host, &port) != 0) {
                fprintf(stderr, "dropboot-sim: serve: --usbip wants ADDR:PORT, got %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(argv[i], "--button") == 0) {
            button = true;
        } else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            board_sim_set_serial(argv[++i]); /* as the global --serial, also after the verb */
        } else {
            fprintf(stderr, "usage: dropboot-sim --flash FLASH.bin serve [--usbip ADDR:PORT] [--button] [--serial S] [--quiet]\n");
            return 2;
        }
    }

    char why[DESCRIBE_LEN];
    simdev_hold_button(button);
    enum simdev_mode mode = simdev_power_on();
    simdev_hold_button(false);
    simdev_describe_boot(why, sizeof why);
    if (!quiet)
        fprintf(stderr, "dropboot-sim: power on: %s\n", why);
    if (mode == SIMDEV_APP)
        return app_started();

    stack_start();
    uint8_t dev[18], cfg[64];
    uint32_t dev_len = usbd_descriptor(&serve_usbd, USBD_DESC_DEVICE, 0, dev, sizeof dev);
    uint32_t cfg_len = usbd_descriptor(&serve_usbd, USBD_DESC_CONFIGURATION, 0, cfg, sizeof cfg);
    struct usbip_device_info info;
    if (!usbip_device_info_parse(&info, dev, dev_len, cfg, cfg_len)) {
        fprintf(stderr, "dropboot-sim: serve: the device's own descriptors do not parse\n");
        return 1;
    }
    struct usbip_server srv;
    if (usbip_server_open(&srv, host, port, &info, quiet) != 0) {
        fprintf(stderr, "dropboot-sim: serve: cannot listen on %s:%u: %s\n", host, port, strerror(errno));
        return 1;
    }
    if (!quiet)
        fprintf(stderr, "dropboot-sim: usbip: listening on %s:%u, busid %s\n", host, usbip_server_port(&srv),
                USBIP_BUSID);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    uint64_t last = now_ms();
    uint32_t reset_wait_ms = 0;
    bool reset_pending = false;
    int rc = 0;
    while (!stop_requested) {
        usbip_server_poll(&srv, SERVE_POLL_MS);
        dcd_poll();
        uint64_t t = now_ms();
        uint32_t elapsed = (uint32_t)(t - last);
        last = t;
        if (!reset_pending) {
            bool active = host_active;
            host_active = false;
            reset_pending = simdev_tick(elapsed, active);
            reset_wait_ms = 0;
        } else {
            reset_wait_ms += elapsed;
        }
        if (!reset_pending)
            continue;
        if (!msc_idle(&serve_msc) && usbip_server_has_device(&srv) && reset_wait_ms < RESET_GRACE_MS)
            continue;
        reset_pending = false;
        /* The device resets: unplug, boot decision, then app or drive again. */
        usbip_server_drop_device(&srv);
        mode = simdev_reset();
        simdev_describe_boot(why, sizeof why);
        if (!quiet)
            fprintf(stderr, "dropboot-sim: reset: %s\n", why);
        if (mode == SIMDEV_APP) {
            rc = app_started();
            break;
        }
        stack_start();
    }
    usbip_server_close(&srv);
    return rc;
}
