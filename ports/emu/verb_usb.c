/*
 * dropboot-emu's USB verbs, dump, replay and serve: the same options and
 * output as dropboot-sim's (ports/sim/verb_disk.c, verb_serve.c), but
 * everything the "computer" does goes over USB to the real firmware in the
 * emulated chip, through the host engine (usbhost.c) on the OTG FS model:
 * enumeration, READ(10) and WRITE(10) in pieces of at most 240 sectors as
 * Linux sends them, START STOP UNIT to eject.
 *
 * What dropboot-sim reads from inside its device (STATUS.TXT, the boot
 * decision after the reset) is read here the way a user would see it:
 * STATUS.TXT from the drive, and after the device's own reset whether the
 * app started or the drive came back. The firmware resets at once after an
 * eject, so when the app starts, STATUS.TXT of that attempt is read after a
 * reset with the user button held (the report lives in RAM the reset keeps).
 *
 * serve exports the emulated board over USB/IP with dropboot-sim's server
 * (ports/sim/usbip.c) and the URB engine of usbip_emu.c. Virtual time is
 * paced to wall time so the host's and the firmware's timeouts line up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "machine.h"
#include "otg.h"
#include "replay.h"
#include "usbhost.h"
#include "usbip.h"
#include "usbip_emu.h"
#include "verbs_usb.h"

#define PROG "dropboot-emu"
#define NS_PER_MS 1000000ull
/* Power-on to an enumerated drive: clocks, the app's CRC check, the 25 ms
   forced device mode, enumeration; generous for a 2 MB app's CRC. */
#define BOOT_TIMEOUT_NS (3000u * NS_PER_MS)
/* After an eject the firmware resets within a few ms once an attempt is
   finished; without one it never does (UPDATE_WRITE_IDLE_RESET_MS is 3 s). */
#define RESET_WAIT_NS (4000u * NS_PER_MS)
#define POLL_NS NS_PER_MS
#define READY_TRIES 8u
#define RW_MAX_SECTORS 240u   /* Linux usb-storage's default max_sectors per READ/WRITE(10) */
#define SECTOR USBHOST_SECTOR
#define STATUS_TEXT_MAX 1024u /* STATUS.TXT is at most one sector */
#define DIR_ENTRY 32u
#define EXIT_MACHINE_ERROR 3  /* the firmware broke a rule of the chip (listed by the machine) */
#define APP_BASE DB_APP_BASE  /* the app's vector table (core/config.h, per chip) */
#define SERVE_POLL_MS 20      /* longest wait for the network while virtual time is ahead */
/* Most bus time one step moves before the network is looked at again: a
   NAKing endpoint leaves the server room to take an UNLINK. */
#define SERVE_SLICE_NS (5u * NS_PER_MS)

struct session {
    struct emu *e;
    struct usbhost h;
};

/* The device runs for the bus time; it stops (for the host: for good) once
   the firmware jumped into the app, held before the app's first instruction
   (emu_pause_at_app): these verbs are about the bootloader, and the RAM the
   app would overwrite still holds the bootloader's report. */
static bool session_run(void *ctx, uint64_t ns)
{
    struct session *s = ctx;
    return emu_run_until(s->e, emu_now_ns(s->e) + ns) && !emu_paused(s->e);
}

static bool app_started(const struct session *s)
{
    return emu_paused(s->e);
}

static void session_command_done(void *ctx, uint8_t opcode, uint64_t ns)
{
    struct session *s = ctx;
    emu_note_scsi_command(s->e, opcode, ns);
}

static void session_init(struct session *s, struct emu *e)
{
    memset(s, 0, sizeof *s);
    s->e = e;
    emu_pause_at_app(e, true);
    usbhost_init(&s->h, emu_otg_model(e), (struct usbhost_device){s, session_run, session_command_done});
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int host_error(struct session *s, const char *what, int r)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", PROG, what, usbhost_status_text(r), s->h.why);
    return 2;
}

/* Attach and wait for the unit (a fresh one reports UNIT ATTENTION once). */
static int drive_attach(struct session *s)
{
    int r = usbhost_attach(&s->h, BOOT_TIMEOUT_NS);
    if (r == USBHOST_OK)
        r = usbhost_wait_ready(&s->h, READY_TRIES);
    return r;
}

/* Power on with the user button held, as a user does to update a board:
   the drive shows even with a valid app in flash. */
static int power_on_drive(struct session *s)
{
    emu_set_button(s->e, true);
    emu_power_on(s->e);
    int r = drive_attach(s);
    emu_set_button(s->e, false);
    return r;
}

static int read_sectors(struct session *s, uint32_t lba, uint32_t count, uint8_t *buf)
{
    while (count > 0u) {
        uint16_t n = (uint16_t)(count < RW_MAX_SECTORS ? count : RW_MAX_SECTORS);
        int r = usbhost_read10(&s->h, lba, n, buf);
        if (r != USBHOST_OK)
            return r;
        lba += n;
        count -= n;
        buf += (size_t)n * SECTOR;
    }
    return USBHOST_OK;
}

static int machine_errors(struct emu *e)
{
    if (emu_error_count(e) == 0u)
        return 0;
    emu_report_errors(e, stderr);
    return EXIT_MACHINE_ERROR;
}

int emu_verb_dump(struct emu *e, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: dump DISK.img\n");
        return 2;
    }
    static struct session s;
    session_init(&s, e);
    uint32_t sectors = 0, size = 0;
    int r = power_on_drive(&s);
    if (r == USBHOST_OK)
        r = usbhost_read_capacity(&s.h, &sectors, &size);
    if (r != USBHOST_OK)
        return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "the drive did not come up", r);
    FILE *f = fopen(argv[0], "wb");
    if (f == NULL) {
        perror(argv[0]);
        return 2;
    }
    static uint8_t buf[RW_MAX_SECTORS * SECTOR];
    for (uint32_t lba = 0; lba < sectors; lba += RW_MAX_SECTORS) {
        uint32_t n = sectors - lba < RW_MAX_SECTORS ? sectors - lba : RW_MAX_SECTORS;
        r = read_sectors(&s, lba, n, buf);
        if (r != USBHOST_OK) {
            fclose(f);
            return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "READ(10)", r);
        }
        if (fwrite(buf, SECTOR, n, f) != n) {
            perror(argv[0]);
            fclose(f);
            return 2;
        }
    }
    if (fclose(f) != 0)
        return 2;
    return machine_errors(e);
}

/* ---- replay ---- */

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (get16(p + 2) << 16); }

struct fat16 {
    uint32_t root_lba, root_sectors, data_lba, cluster_sectors;
};

/* The volume's layout from its boot sector (FAT16 BPB), as a host reads it. */
static bool fat16_layout(const uint8_t bs[SECTOR], struct fat16 *g)
{
    if (get16(bs + 11) != SECTOR || bs[13] == 0u || bs[16] == 0u)
        return false;
    g->cluster_sectors = bs[13];
    g->root_lba = get16(bs + 14) + bs[16] * get16(bs + 22);
    g->root_sectors = (get16(bs + 17) * DIR_ENTRY + SECTOR - 1u) / SECTOR;
    g->data_lba = g->root_lba + g->root_sectors;
    return true;
}

/* STATUS.TXT as the drive shows it now (found through the root directory). */
static int read_status(struct session *s, char *out, size_t n)
{
    static uint8_t root[64 * SECTOR];
    uint8_t bs[SECTOR];
    struct fat16 g;
    out[0] = '\0';
    int r = usbhost_read10(&s->h, 0, 1, bs);
    if (r != USBHOST_OK)
        return r;
    if (!fat16_layout(bs, &g) || g.root_sectors * SECTOR > sizeof root)
        return USBHOST_PROTOCOL;
    if ((r = read_sectors(s, g.root_lba, g.root_sectors, root)) != USBHOST_OK)
        return r;
    for (uint32_t i = 0; i < g.root_sectors * SECTOR / DIR_ENTRY; i++) {
        const uint8_t *d = root + i * DIR_ENTRY;
        if (memcmp(d, "STATUS  TXT", 11) != 0)
            continue;
        uint32_t size = get32(d + 28);
        uint8_t text[2 * SECTOR];
        if (size >= n || size > sizeof text)
            return USBHOST_PROTOCOL;
        uint32_t lba = g.data_lba + (get16(d + 26) - 2u) * g.cluster_sectors;
        if ((r = read_sectors(s, lba, (size + SECTOR - 1u) / SECTOR, text)) != USBHOST_OK)
            return r;
        memcpy(out, text, size);
        out[size] = '\0';
        return USBHOST_OK;
    }
    return USBHOST_PROTOCOL;
}

/* The device shows OLD: every sector OLD holds something in (free space,
   all zero in a fresh dump, is left out: reading 32 MB through a 1 MB/s bus
   for each replay would cost half a minute of virtual time). */
static int check_old(struct session *s, const uint8_t *old, uint32_t sectors, const char *path)
{
    static const uint8_t zero[SECTOR];
    static uint8_t buf[RW_MAX_SECTORS * SECTOR];
    uint32_t lba = 0;
    while (lba < sectors) {
        if (memcmp(old + (size_t)lba * SECTOR, zero, SECTOR) == 0) {
            lba++;
            continue;
        }
        uint32_t n = 1;
        while (lba + n < sectors && n < RW_MAX_SECTORS && memcmp(old + (size_t)(lba + n) * SECTOR, zero, SECTOR) != 0)
            n++;
        int r = read_sectors(s, lba, n, buf);
        if (r != USBHOST_OK)
            return host_error(s, "READ(10) of the old disk", r);
        for (uint32_t i = 0; i < n; i++) {
            if (memcmp(buf + (size_t)i * SECTOR, old + (size_t)(lba + i) * SECTOR, SECTOR) != 0) {
                fprintf(stderr, "%s: the device's disk differs from %s at sector %u\n", PROG, path,
                        (unsigned)(lba + i));
                return 2;
            }
        }
        lba += n;
    }
    return 0;
}

/* Write the sectors in the given order; runs of consecutive LBAs go as one
   WRITE(10), as an OS merges them. Stops when the device leaves the bus. */
static int write_in_order(struct session *s, const uint8_t *new, const uint32_t *lbas, uint32_t count)
{
    static uint8_t buf[RW_MAX_SECTORS * SECTOR];
    uint32_t i = 0;
    while (i < count) {
        uint32_t n = 1;
        while (i + n < count && n < RW_MAX_SECTORS && lbas[i + n] == lbas[i] + n)
            n++;
        for (uint32_t k = 0; k < n; k++)
            memcpy(buf + (size_t)k * SECTOR, new + (size_t)lbas[i + k] * SECTOR, SECTOR);
        int r = usbhost_write10(&s->h, lbas[i], (uint16_t)n, buf);
        if (r != USBHOST_OK)
            return r;
        i += n;
    }
    return USBHOST_OK;
}

/* Bus idle until the device leaves it (its reset) or the time is up. */
static bool wait_for_reset(struct session *s, uint64_t ns)
{
    for (uint64_t t = 0; t < ns; t += POLL_NS) {
        if (!usbhost_connected(&s->h))
            return true;
        if (usbhost_idle(&s->h, POLL_NS) != USBHOST_OK)
            return !usbhost_connected(&s->h);
    }
    return !usbhost_connected(&s->h);
}

static void print_status(const char *when, const char *text)
{
    printf("STATUS.TXT (%s):\n%s", when, text);
}

/* What the figures need: the write phase's virtual time and CPU cycles. */
struct replay_stats {
    uint64_t wall0, virt0, cyc0, virt_w0, virt_w1, cyc_w0, cyc_w1;
    uint64_t virt_reset; /* the device left the bus after the write phase (commit done); 0: it did not */
    uint32_t sectors;
};

static void print_stats(struct session *s, const struct replay_stats *st)
{
    double wall_s = (double)(wall_ns() - st->wall0) / 1e9;
    double virt_s = (double)(emu_now_ns(s->e) - st->virt0) / 1e9;
    double write_ms = (double)(st->virt_w1 - st->virt_w0) / 1e6;
    uint64_t cycles = st->cyc_w1 - st->cyc_w0;
    fprintf(stderr,
            "replay stats: %u sectors written in %.3f ms of virtual time, %llu CPU cycles (%.0f per sector)%s\n"
            "replay stats: bus %u transactions, %u NAKs, %.1f KB out; run %.3f s virtual in %.3f s wall (%.2fx real time), "
            "%.1f M emulated cycles per wall second\n"
            "replay stats: first write to the device's reset %.3f ms of virtual time\n",
            (unsigned)st->sectors, write_ms, (unsigned long long)cycles,
            st->sectors ? (double)cycles / st->sectors : 0.0, s->h.instant_bus ? " with an instant bus" : "",
            (unsigned)s->h.st.transactions, (unsigned)s->h.st.naks, (double)s->h.st.bytes_out / 1024.0, virt_s, wall_s,
            wall_s > 0 ? virt_s / wall_s : 0.0, wall_s > 0 ? (double)(emu_cycles(s->e) - st->cyc0) / wall_s / 1e6 : 0.0,
            st->virt_reset ? (double)(st->virt_reset - st->virt_w0) / 1e6 : 0.0);
}

int emu_verb_replay(struct emu *e, int argc, char **argv)
{
    struct replay_order order = {REPLAY_ASC, 1};
    bool stats = false, instant = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
            if (replay_order_parse(argv[++i], &order) != 0) {
                fprintf(stderr, "%s: unknown order %s\n", PROG, argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
        } else if (strcmp(argv[i], "--instant-bus") == 0) {
            instant = true;
        } else {
            argc = 0; /* usage */
        }
    }
    if (argc < 2) {
        fprintf(stderr, "usage: replay OLD.img NEW.img [--order " REPLAY_ORDERS "] [--stats] [--instant-bus]\n"
                        "  --stats: figures of the write phase on stderr; --instant-bus: packets take no bus\n"
                        "  time (the write phase then lasts as long as the firmware's own work)\n");
        return 2;
    }
    struct replay_stats st = {.wall0 = wall_ns(), .virt0 = emu_now_ns(e), .cyc0 = emu_cycles(e)};
    static struct session s;
    session_init(&s, e);
    uint32_t n = 0, size = 0;
    int r = power_on_drive(&s);
    if (r == USBHOST_OK)
        r = usbhost_read_capacity(&s.h, &n, &size);
    if (r != USBHOST_OK)
        return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "the drive did not come up", r);
    uint8_t *old = NULL, *new = NULL;
    struct fat16 g;
    if (replay_read_image(PROG, argv[0], &old, n) != 0 || replay_read_image(PROG, argv[1], &new, n) != 0) {
        free(old);
        return 2;
    }
    if (!fat16_layout(old, &g)) {
        fprintf(stderr, "%s: %s: no FAT16 boot sector\n", PROG, argv[0]);
        free(old);
        free(new);
        return 2;
    }
    int rc = check_old(&s, old, n, argv[0]);
    uint32_t count = 0;
    uint32_t *lbas = rc == 0 ? replay_changed(old, new, n, &count) : NULL;
    if (rc == 0) {
        replay_order_apply(&order, lbas, count, g.data_lba);
        printf("replay: writing %u sectors\n", (unsigned)count);
        fflush(stdout);
        s.h.instant_bus = instant;
        st.sectors = count;
        st.virt_w0 = emu_now_ns(e);
        st.cyc_w0 = emu_cycles(e);
        r = write_in_order(&s, new, lbas, count);
        st.virt_w1 = emu_now_ns(e);
        st.cyc_w1 = emu_cycles(e);
        s.h.instant_bus = false;
        if (r == USBHOST_OK)
            r = usbhost_start_stop(&s.h, false, true); /* eject */
        if (r != USBHOST_OK && r != USBHOST_DISCONNECTED)
            rc = host_error(&s, "writing the new disk", r);
    }
    free(lbas);
    free(old);
    free(new);
    if (rc != 0)
        return machine_errors(e) ? EXIT_MACHINE_ERROR : rc;

    char before[STATUS_TEXT_MAX], after[STATUS_TEXT_MAX] = "";
    char line[160];
    bool reset = wait_for_reset(&s, RESET_WAIT_NS);
    if (reset)
        st.virt_reset = emu_now_ns(e);
    if (!reset) {
        /* Load the medium again to read STATUS.TXT; the session stays as it is. */
        r = usbhost_start_stop(&s.h, true, true);
        if (r == USBHOST_OK)
            r = read_status(&s, before, sizeof before);
        if (r != USBHOST_OK)
            return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "reading STATUS.TXT", r);
        print_status("before reset", before);
        printf("device did not ask for a reset\n");
    } else {
        r = drive_attach(&s);
        if (app_started(&s)) {
            const struct emu_watch *w = emu_watch(e);
            snprintf(line, sizeof line, "start app at 0x%08x (initial SP 0x%08x, reset handler 0x%08x)",
                     APP_BASE, (unsigned)w->app_sp, (unsigned)w->app_pc);
            /* The attempt's STATUS.TXT: reset with the button held; the report survives it. */
            emu_set_button(e, true);
            emu_nrst(e);
            r = drive_attach(&s);
            emu_set_button(e, false);
            if (r == USBHOST_OK)
                r = read_status(&s, before, sizeof before);
            if (r != USBHOST_OK)
                return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "reading STATUS.TXT after the reset", r);
            print_status("before reset", before);
            printf("device reset: %s\n", line);
        } else if (r == USBHOST_OK && (r = read_status(&s, after, sizeof after)) == USBHOST_OK) {
            /* Back as the drive: STATUS.TXT still holds the attempt's report. */
            print_status("before reset", after);
            printf("device reset: stay in bootloader (the drive came back)\n");
            print_status("after reset", after);
            memcpy(before, after, sizeof before);
        } else {
            return machine_errors(e) ? EXIT_MACHINE_ERROR : host_error(&s, "after the device's reset", r);
        }
    }
    if (stats)
        print_stats(&s, &st);
    int merr = machine_errors(e);
    if (merr != 0)
        return merr;
    return strstr(before, "Result: DB_DONE\r\n") != NULL ? 0 : 1;
}

/* ---- serve ---- */

static volatile sig_atomic_t serve_stop;

static void serve_on_signal(int sig)
{
    (void)sig;
    serve_stop = 1;
}

/* As dropboot-sim: the program ends when the app starts. run_app_ms: first
   let the app run that long (virtual time), its LED changes logged, so a
   test sees blinky blink after an update through the kernel. */
static int serve_app_started(struct emu *e, uint32_t run_app_ms)
{
    printf("app started at 0x%08x\n", APP_BASE);
    fflush(stdout);
    if (run_app_ms == 0u)
        return 0;
    if (emu_verbose(e) < 1)
        emu_set_verbose(e, 1);
    emu_pause_at_app(e, false);
    bool alive = emu_run_until(e, emu_now_ns(e) + (uint64_t)run_app_ms * NS_PER_MS);
    fflush(stdout);
    return alive ? 0 : 1;
}

static int serve_usage(void)
{
    fprintf(stderr, "usage: dropboot-emu ... serve [--usbip ADDR:PORT] [--button] [--quiet] [--run-app MS]\n"
                    "  --run-app MS: when the app starts, let it run MS ms (virtual) and log its LEDs before exiting\n");
    return 2;
}

int emu_verb_serve(struct emu *e, int argc, char **argv)
{
    char host[64] = "127.0.0.1";
    uint16_t port = USBIP_DEFAULT_PORT;
    bool quiet = false, button = false;
    uint32_t run_app_ms = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--usbip") == 0 && i + 1 < argc) {
            if (usbip_parse_addr(argv[++i], host, sizeof host, &port) != 0) {
                fprintf(stderr, "%s: serve: --usbip wants ADDR:PORT, got %s\n", PROG, argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--run-app") == 0 && i + 1 < argc) {
            run_app_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(argv[i], "--button") == 0) {
            button = true;
        } else {
            return serve_usage();
        }
    }

    /* Listen first: a client that connects while the board boots waits in
       the listen backlog (usbip_attach gives up on a refused connection
       after a few seconds; booting and enumerating the emulated board can
       take longer than that on a loaded machine). The device record is
       filled in below, before the first request is read. */
    struct usbip_server srv;
    struct usbip_device_info info;
    memset(&info, 0, sizeof info);
    if (usbip_server_open(&srv, host, port, &info, quiet) != 0) {
        fprintf(stderr, "%s: serve: cannot listen on %s:%u: %s\n", PROG, host, port, strerror(errno));
        return 1;
    }
    /* Power on: the firmware decides; the drive is enumerated once so the
       USB/IP device record comes from its own descriptors. */
    static struct session s;
    session_init(&s, e);
    emu_set_button(e, button);
    emu_power_on(e);
    int r = usbhost_attach(&s.h, BOOT_TIMEOUT_NS);
    emu_set_button(e, false);
    if (app_started(&s) || r != USBHOST_OK) {
        usbip_server_close(&srv);
        if (machine_errors(e))
            return EXIT_MACHINE_ERROR;
        if (r != USBHOST_OK && !app_started(&s))
            return host_error(&s, "the drive did not come up", r);
        if (!quiet)
            fprintf(stderr, "%s: power on: the app started\n", PROG);
        return serve_app_started(e, run_app_ms);
    }
    if (!quiet)
        fprintf(stderr, "%s: power on: stay in bootloader (the drive is up)\n", PROG);
    if (!usbip_device_info_parse(&info, s.h.device_desc, sizeof s.h.device_desc, s.h.config_desc, s.h.config_len)) {
        fprintf(stderr, "%s: serve: the device's own descriptors do not parse\n", PROG);
        usbip_server_close(&srv);
        return 1;
    }
    srv.info = info;
    if (!quiet)
        fprintf(stderr, "%s: usbip: listening on %s:%u, busid %s\n", PROG, host, usbip_server_port(&srv), USBIP_BUSID);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = serve_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    usbip_emu_init(&s.h);
    uint64_t wall0 = wall_ns(), virt0 = emu_now_ns(e);
    int rc = 0;
    while (!serve_stop) {
        /* Virtual time follows wall time: never ahead of it; when the
           emulation is slower than the chip, it lags. */
        int64_t behind = (int64_t)(wall_ns() - wall0) - (int64_t)(emu_now_ns(e) - virt0);
        int wait_ms = behind >= 0 ? 0 : (int)((-behind) / (int64_t)NS_PER_MS);
        usbip_server_poll(&srv, wait_ms < SERVE_POLL_MS ? wait_ms : SERVE_POLL_MS);
        behind = (int64_t)(wall_ns() - wall0) - (int64_t)(emu_now_ns(e) - virt0);
        if (behind <= 0)
            continue;
        uint64_t slice = (uint64_t)behind < SERVE_SLICE_NS ? (uint64_t)behind : SERVE_SLICE_NS;
        r = usbip_emu_step(slice);
        if (r == USBHOST_DEAD && !app_started(&s)) {
            rc = machine_errors(e) ? EXIT_MACHINE_ERROR : 1;
            break;
        }
        if (r == USBHOST_DISCONNECTED && usbip_server_has_device(&srv)) {
            /* The device left the bus (its reset): the host sees an unplug. */
            if (!quiet)
                fprintf(stderr, "%s: the device left the bus\n", PROG);
            usbip_server_drop_device(&srv);
        }
        if (app_started(&s)) {
            if (!quiet)
                fprintf(stderr, "%s: reset: the app started\n", PROG);
            rc = machine_errors(e) ? EXIT_MACHINE_ERROR : serve_app_started(e, run_app_ms);
            break;
        }
    }
    usbip_server_close(&srv);
    if (rc == 0 && machine_errors(e))
        rc = EXIT_MACHINE_ERROR;
    return rc;
}
