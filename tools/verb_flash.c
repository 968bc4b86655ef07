/*
 * dropboot flash: pick the drive, check the file against the board, copy it
 * as a new file, make it durable, then watch the device reset and report.
 *
 * The tool mounts nothing. After the copy the device resets: its block
 * device disappears (or its mount does). If the board stays in the
 * bootloader (a refusal) it comes back as a drive; whoever mounts drives on
 * this machine (the desktop's automounter, or a script) mounts it again, and
 * the tool finds it by its serial number and reads STATUS.TXT. If no drive
 * with that serial comes back in time, the new app is running.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "verbs.h"

#define DEFAULT_TIMEOUT_S 15u
#define POLL_MS 100u
#define COPY_CHUNK (32u * 512u) /* 32 UF2 blocks per write: progress moves, syscalls stay few */
#define PLAIN_STEPS 4u          /* progress lines when stdout is not a terminal: every 25 % */
#define BAR_WIDTH 40u
#define TARGET_NAME "NEW.UF2"
#define STATUS_READ_TRIES 20u /* a freshly mounted drive may need a moment */

static const char usage_flash[] =
    "usage: dropboot flash FILE [--drive PATH | --serial S] [--timeout SEC] [--base ADDR]\n"
    "                           [--force] [--unmount]\n"
    "\n"
    "Update a board: find its drive (the only one attached, or the one chosen),\n"
    "check FILE against the board's INFO_UF2.TXT (family, app area, size),\n"
    "convert BIN, HEX or ELF to UF2 in memory, copy it to the drive as " TARGET_NAME ",\n"
    "fsync the file and the directory, then wait for the device to reset.\n"
    "If a dropboot drive with the same serial is mounted again afterwards, its\n"
    "STATUS.TXT gives the result; if none comes back, the new app started.\n"
    "The tool mounts nothing: it relies on the desktop's automounter (or a\n"
    "script) to mount the drive when it comes back.\n"
    "\n"
    "  --drive PATH     the drive's mount point\n"
    "  --serial S       the drive with this serial number (see dropboot list)\n"
    "  --timeout SEC    how long to wait for the reset, and then for the drive\n"
    "                   to come back (default 15)\n"
    "  --base ADDR      load address of a BIN (default: the board's App-Base)\n"
    "  --force          skip the pre-check and let the device judge the file\n"
    "  --unmount        unmount the drive right after the copy (needs root), so\n"
    "                   no file system is left mounted on a device that resets;\n"
    "                   without it, the automounter cleans up after the reset\n"
    "\n"
    "exit codes: 0 updated or app started, 1 refused (pre-check or device),\n"
    "2 usage, 3 no drive or several, 4 the device did not reset or come back\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

static void progress(bool tty, size_t done, size_t total, unsigned *shown)
{
    unsigned pct = total ? (unsigned)(done * 100u / total) : 100u;
    if (tty) {
        unsigned fill = (unsigned)(pct * BAR_WIDTH / 100u);
        printf("\r[");
        for (unsigned i = 0; i < BAR_WIDTH; i++) {
            putchar(i < fill ? '#' : ' ');
        }
        printf("] %3u%% %zu/%zu KB", pct, done / 1024u, total / 1024u);
        if (done == total) {
            putchar('\n');
        }
        fflush(stdout);
        return;
    }
    unsigned step = pct * PLAIN_STEPS / 100u;
    if (step > *shown || done == total) {
        printf("copied %zu of %zu bytes (%u%%)\n", done, total, pct);
        fflush(stdout);
        *shown = step + (done == total ? PLAIN_STEPS : 0u);
    }
}

/* Copy the UF2 as a new file and make it durable. 0, or errno. */
static int copy_to_drive(const struct drive *d, const uint8_t *data, size_t len)
{
    char path[DRIVE_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/%s", d->mount_point, TARGET_NAME);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return errno;
    }
    bool tty = isatty(STDOUT_FILENO);
    unsigned shown = 0;
    size_t done = 0;
    while (done < len) {
        size_t n = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
        ssize_t w = write(fd, data + done, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            close(fd);
            return e;
        }
        done += (size_t)w;
        progress(tty, done, len, &shown);
    }
    /* The data must reach the device, not just the page cache: it flashes what it receives. */
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    if (close(fd) != 0) {
        return errno;
    }
    int dfd = open(d->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        int rc = fsync(dfd) == 0 ? 0 : errno;
        close(dfd);
        return rc;
    }
    return errno;
}

/* The device left: its block device went away, or its mount did (when we
   did not unmount it ourselves). */
static bool gone(const struct drive *d, bool unmounted)
{
    return !drive_device_present(d) || (!unmounted && !drive_still_mounted(d));
}

/* A drive with this serial that is not the old mount; true when found. The
   kernel reuses mount IDs, so once the old mount has been seen gone any
   mount with this serial is a new one. */
static bool find_again(const struct drive *old, bool old_unmounted, struct drive *out)
{
    static struct drive all[DRIVE_MAX];
    size_t n = drive_scan(all, DRIVE_MAX);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].serial, old->serial) == 0 && (old_unmounted || all[i].mount_id != old->mount_id)) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

static int report(const struct drive *d)
{
    char text[DRIVE_TEXT_MAX];
    struct drive_status st;
    bool ok = false;
    for (unsigned i = 0; i < STATUS_READ_TRIES && !ok; i++) {
        ok = drive_read_text(d->mount_point, "STATUS.TXT", text) && drive_parse_status(text, &st);
        if (!ok) {
            sleep_ms(POLL_MS);
        }
    }
    if (!ok) {
        cli_error("the drive came back at %s but its STATUS.TXT is unreadable", d->mount_point);
        return EXIT_REFUSED;
    }
    if (strcmp(st.result, "DB_DONE") == 0) {
        printf("updated: %s\n", st.sentence);
        for (size_t i = 0; i < st.detail_count; i++) {
            printf("  %s\n", st.details[i]);
        }
        printf("the board stayed in the bootloader (drive at %s)\n", d->mount_point);
        return EXIT_OK;
    }
    cli_error("refused by the device: %s: %s", st.result, st.sentence);
    for (size_t i = 0; i < st.detail_count; i++) {
        printf("  %s\n", st.details[i]);
    }
    return EXIT_REFUSED;
}

int verb_flash(int argc, char **argv)
{
    const char *file = NULL, *path = NULL, *serial = NULL;
    uint32_t timeout = DEFAULT_TIMEOUT_S, base = 0;
    bool base_given = false, force = false, unmount = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(usage_flash, stdout);
            return EXIT_OK;
        }
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--drive") == 0 && has_value) {
            path = argv[++i];
        } else if (strcmp(a, "--serial") == 0 && has_value) {
            serial = argv[++i];
        } else if (strcmp(a, "--timeout") == 0 && has_value) {
            if (!cli_parse_u32(argv[++i], &timeout) || timeout == 0) {
                return cli_usage_error("flash", "--timeout wants a number of seconds, not %s", argv[i]);
            }
        } else if (strcmp(a, "--base") == 0 && has_value) {
            if (!cli_parse_u32(argv[++i], &base)) {
                return cli_usage_error("flash", "--base wants an address such as 0x08008000, not %s", argv[i]);
            }
            base_given = true;
        } else if (strcmp(a, "--force") == 0) {
            force = true;
        } else if (strcmp(a, "--unmount") == 0) {
            unmount = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("flash", "unknown option or missing value: %s", a);
        } else if (file == NULL) {
            file = a;
        } else {
            return cli_usage_error("flash", "one firmware file only (extra: %s)", a);
        }
    }
    if (file == NULL) {
        return cli_usage_error("flash", "%s", "flash needs a firmware file");
    }

    struct drive d;
    int rc = cli_select_drive(path, serial, &d);
    if (rc != EXIT_OK) {
        return rc;
    }
    uint32_t family = d.has_family ? d.family : DEFAULT_FAMILY;
    if (!base_given) {
        base = d.has_app ? d.app_base : DEFAULT_BASE;
    }
    struct firmware fw;
    rc = cli_prepare(file, base, base_given, family, &fw);
    if (rc != EXIT_OK) {
        return rc;
    }
    char err[FW_ERR_LEN];
    if (!force && !cli_precheck(&fw, &d, err)) {
        cli_error("refused before copying: %s", err);
        cli_firmware_free(&fw);
        return EXIT_REFUSED;
    }

    printf("flashing %s (%s, %zu UF2 blocks) to %s %s at %s\n", file, fw_kind_name(fw.kind),
           fw.uf2_len / 512u, d.model, d.serial, d.mount_point);
    fflush(stdout);
    int e = copy_to_drive(&d, fw.uf2, fw.uf2_len);
    cli_firmware_free(&fw);
    if (e != 0) {
        /* A device that finished and reset while the directory was being synced is not a failure. */
        if (!gone(&d, false)) {
            cli_error("copy to %s failed: %s", d.mount_point, strerror(e));
            return EXIT_REFUSED;
        }
    }
    bool unmounted = false;
    if (unmount && d.mount_id >= 0) {
        if (umount2(d.mount_point, 0) == 0) {
            unmounted = true;
            printf("unmounted %s\n", d.mount_point);
        } else {
            printf("could not unmount %s (%s); waiting anyway\n", d.mount_point, strerror(errno));
        }
    }

    printf("waiting for the device to reset...\n");
    fflush(stdout);
    double t0 = now_s();
    while (!gone(&d, unmounted)) {
        if (now_s() - t0 > timeout) {
            cli_error("the device did not reset within %u s; `dropboot info` after re-plugging tells why",
                      (unsigned)timeout);
            return EXIT_TIMEOUT;
        }
        sleep_ms(POLL_MS);
    }
    double t1 = now_s();
    struct drive again;
    bool old_unmounted = unmounted;
    while (now_s() - t1 <= timeout) {
        old_unmounted = old_unmounted || !drive_still_mounted(&d);
        if (find_again(&d, old_unmounted, &again)) {
            return report(&again);
        }
        sleep_ms(POLL_MS);
    }
    printf("app started (reset after %.1f s; no drive with serial %s came back within %u s)\n", t1 - t0, d.serial,
           (unsigned)timeout);
    return EXIT_OK;
}
