/*
 * dropboot-sim disk verbs: dump, replay, status.
 *
 * replay plays a computer: it takes disk images (before and after a copy
 * made with mtools or a host model, or captured from a real OS), checks the
 * device shows the first, writes what differs between each image and the
 * next in the chosen order (or as a page cache writes back: whole files,
 * then metadata), ejects or stays attached and idle, and lets the device
 * reset as it asks. A sequence of images expresses what one diff cannot: a
 * file growing with each sync, two copies interleaved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostfat.h"
#include "replay.h"
#include "simdev.h"
#include "vfat.h"
#include "verbs.h"

#define STATUS_TEXT_MAX 1024u /* STATUS.TXT is at most one sector */
#define STATUS_LINE_MAX 256u  /* one boot decision, described */


/* Dumping and replaying are what a user does with the button held: the drive
   shows even when a valid app is in flash. */
static void power_on_drive(void)
{
    simdev_hold_button(true);
    simdev_power_on();
    simdev_hold_button(false);
}

/* The whole disk as the host reads it now, into a file. */
static int write_disk(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    uint8_t buf[DB_SECTOR_SIZE];
    for (uint32_t lba = 0; lba < simdev_sector_count(); lba++) {
        simdev_read(lba, buf);
        if (fwrite(buf, sizeof buf, 1, f) != 1) {
            perror(path);
            fclose(f);
            return -1;
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

int sim_verb_dump(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: dump DISK.img\n");
        return 2;
    }
    power_on_drive();
    return write_disk(argv[0]) == 0 ? 0 : 2;
}

enum order { ORDER_ASC, ORDER_DESC, ORDER_META_LAST, ORDER_RANDOM };

/* Time the device sees between two images of a sequence, and while it waits
 * for a host that never ejects, passes in slices like a main loop's; a
 * Linux host polls a removable drive (TEST UNIT READY) every 2 s
 * (block/genhd.c events_dfl_poll_msecs), so one slice in POLL is "active". */
#define IDLE_SLICE_MS 100u
#define HOST_POLL_MS 2000u
/* --no-eject: how long the host stays attached and idle before the replay
 * gives up on the device asking for a reset. */
#define NO_EJECT_WAIT_MS 120000u

struct replay_opts {
    enum order order;
    bool writeback;    /* page-cache style: whole files, then metadata */
    uint32_t pause_ms; /* idle time after each step */
    bool no_eject;
    const char *readback;
    const char *log; /* one line per sector written: "STEP LBA" */
    char **images;
    int image_count;
};

static uint32_t rng = 1;
static uint32_t rng_next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int parse_order(const char *s, enum order *o)
{
    if (strcmp(s, "asc") == 0)
        *o = ORDER_ASC;
    else if (strcmp(s, "desc") == 0)
        *o = ORDER_DESC;
    else if (strcmp(s, "meta-last") == 0)
        *o = ORDER_META_LAST;
    else if (strncmp(s, "random:", 7) == 0) {
        *o = ORDER_RANDOM;
        rng = (uint32_t)strtoul(s + 7, NULL, 0) * 2654435761u + 1u;
        if (rng == 0)
            rng = 1;
    } else
        return -1;
    return 0;
}

/* Metadata as the host sees it: everything below the data area of the BPB the
 * new image carries (after a reformat that is not the device's geometry);
 * an image without a readable BPB falls back to the device's layout. */
static bool host_metadata_lba(const struct hostfat *h, bool have_bpb, uint32_t lba)
{
    return have_bpb ? lba < h->data_lba : vfat_is_metadata_lba(lba);
}

static void put_in_order(uint32_t *lbas, uint32_t n, enum order o, const uint8_t *new)
{
    if (o == ORDER_DESC) {
        for (uint32_t i = 0; i < n / 2; i++) {
            uint32_t t = lbas[i];
            lbas[i] = lbas[n - 1 - i];
            lbas[n - 1 - i] = t;
        }
    } else if (o == ORDER_META_LAST) {
        struct hostfat h;
        bool have_bpb = hostfat_parse(&h, new, simdev_sector_count()) == 0;
        uint32_t k = 0;
        uint32_t *tmp = malloc(n * sizeof *tmp);
        for (uint32_t i = 0; i < n; i++)
            if (!host_metadata_lba(&h, have_bpb, lbas[i]))
                tmp[k++] = lbas[i];
        for (uint32_t i = 0; i < n; i++)
            if (host_metadata_lba(&h, have_bpb, lbas[i]))
                tmp[k++] = lbas[i];
        memcpy(lbas, tmp, n * sizeof *tmp);
        free(tmp);
    } else if (o == ORDER_RANDOM) {
        for (uint32_t i = n; i > 1; i--) {
            uint32_t j = rng_next() % i;
            uint32_t t = lbas[i - 1];
            lbas[i - 1] = lbas[j];
            lbas[j] = t;
        }
    }
}

static bool sector_differs(const uint8_t *a, const uint8_t *b, uint32_t lba)
{
    size_t at = (size_t)lba * DB_SECTOR_SIZE;
    return memcmp(a + at, b + at, DB_SECTOR_SIZE) != 0;
}

/* --writeback: what Linux's page cache sends for a copy. Every sector of every
 * file that is new or changed (its entry or any of its sectors differs),
 * whole clusters with their slack, file after file; then differing data no
 * file owns; then the FAT and directory sectors that changed. */
struct writeback {
    const struct hostfat *h;
    const uint8_t *old;
    const uint8_t *new;
    uint8_t *queued; /* per LBA: already in the list */
    uint8_t *meta;   /* per LBA: a directory's sector */
    uint32_t *chain; /* scratch for one file's sectors */
    uint32_t *lbas;
    uint32_t count;
    uint32_t sectors;
};

static void writeback_entry(void *ctx, const struct hostfat_entry *e)
{
    struct writeback *w = ctx;
    uint32_t n = hostfat_chain_sectors(w->h, w->new, e->first_cluster, w->chain, w->sectors);
    if (e->is_dir) {
        for (uint32_t i = 0; i < n; i++)
            w->meta[w->chain[i]] = 1;
        return;
    }
    size_t at = (size_t)e->lba * DB_SECTOR_SIZE + e->offset;
    bool changed = memcmp(w->old + at, w->new + at, HOSTFAT_DIRENT_SIZE) != 0;
    for (uint32_t i = 0; i < n && !changed; i++)
        changed = sector_differs(w->old, w->new, w->chain[i]);
    if (!changed)
        return;
    for (uint32_t i = 0; i < n; i++) {
        if (!w->queued[w->chain[i]]) {
            w->queued[w->chain[i]] = 1;
            w->lbas[w->count++] = w->chain[i];
        }
    }
}

static int writeback_plan(const uint8_t *old, const uint8_t *new, uint32_t n, uint32_t *lbas, uint32_t *count)
{
    struct hostfat h;
    if (hostfat_parse(&h, new, n) != 0) {
        fprintf(stderr, "dropboot-sim: --writeback: the new image has no FAT boot sector it can read\n");
        return -1;
    }
    struct writeback w = {&h, old, new, calloc(n, 1), calloc(n, 1), malloc(n * sizeof(uint32_t)), lbas, 0, n};
    if (h.fat_bits == 32u) {
        uint32_t k = hostfat_chain_sectors(&h, new, h.root_cluster, w.chain, n);
        for (uint32_t i = 0; i < k; i++)
            w.meta[w.chain[i]] = 1;
    }
    hostfat_walk(&h, new, writeback_entry, &w);
    for (uint32_t pass = 0; pass < 2; pass++) {
        for (uint32_t lba = 0; lba < n; lba++) {
            bool is_meta = lba < h.data_lba || w.meta[lba];
            if (w.queued[lba] || !sector_differs(old, new, lba) || is_meta != (pass == 1))
                continue;
            w.queued[lba] = 1;
            lbas[w.count++] = lba;
        }
    }
    *count = w.count;
    free(w.queued);
    free(w.meta);
    free(w.chain);
    return 0;
}

/* The sectors one step writes, in the order it writes them. */
static int step_plan(const uint8_t *old, const uint8_t *new, const struct replay_opts *o, uint32_t *lbas,
                     uint32_t *count)
{
    uint32_t n = simdev_sector_count();
    if (o->writeback)
        return writeback_plan(old, new, n, lbas, count);
    uint32_t k = 0;
    for (uint32_t lba = 0; lba < n; lba++)
        if (sector_differs(old, new, lba))
            lbas[k++] = lba;
    put_in_order(lbas, k, o->order, new);
    *count = k;
    return 0;
}

/* Idle host for ms of virtual time (it still polls); true when the device
 * wants to reset. clock_ms keeps the poll phase across calls. */
static bool host_idle(uint32_t ms, uint32_t *clock_ms)
{
    for (uint32_t t = 0; t < ms; t += IDLE_SLICE_MS) {
        *clock_ms += IDLE_SLICE_MS;
        if (simdev_tick(IDLE_SLICE_MS, (*clock_ms % HOST_POLL_MS) == 0))
            return true;
    }
    return false;
}

static void print_status(const char *when)
{
    char text[STATUS_TEXT_MAX];
    simdev_status_text(text, sizeof text);
    printf("STATUS.TXT (%s):\n%s", when, text);
}

static int replay_usage(void)
{
    fprintf(stderr, "usage: replay IMG0 IMG1 [IMG2 ...] [--order asc|desc|meta-last|random:SEED] [--writeback]\n"
                    "              [--pause-ms N] [--no-eject] [--readback FILE] [--log FILE]\n");
    return 2;
}

static int parse_replay_args(int argc, char **argv, struct replay_opts *o)
{
    memset(o, 0, sizeof *o);
    o->order = ORDER_ASC;
    o->images = malloc((size_t)argc * sizeof *o->images);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--order") == 0 && has_value) {
            if (parse_order(argv[++i], &o->order) != 0) {
                fprintf(stderr, "dropboot-sim: unknown order %s\n", argv[i]);
                return -1;
            }
        } else if (strcmp(a, "--pause-ms") == 0 && has_value) {
            o->pause_ms = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (strcmp(a, "--readback") == 0 && has_value) {
            o->readback = argv[++i];
        } else if (strcmp(a, "--log") == 0 && has_value) {
            o->log = argv[++i];
        } else if (strcmp(a, "--writeback") == 0) {
            o->writeback = true;
        } else if (strcmp(a, "--no-eject") == 0) {
            o->no_eject = true;
        } else if (a[0] == '-') {
            fprintf(stderr, "dropboot-sim: replay: unknown option or missing value: %s\n", a);
            return -1;
        } else {
            o->images[o->image_count++] = argv[i];
        }
    }
    return o->image_count >= 2 ? 0 : -1;
}

/* The device must show the first image, as the host last read it. */
static int check_device_shows(const uint8_t *img, const char *path)
{
    uint8_t buf[DB_SECTOR_SIZE];
    for (uint32_t lba = 0; lba < simdev_sector_count(); lba++) {
        simdev_read(lba, buf);
        if (memcmp(buf, img + (size_t)lba * DB_SECTOR_SIZE, DB_SECTOR_SIZE) != 0) {
            fprintf(stderr, "dropboot-sim: the device's disk differs from %s at sector %u\n", path, (unsigned)lba);
            return -1;
        }
    }
    return 0;
}

/* Write each step's sectors; *old holds the first image on entry and the
 * last one written on return. 0, or 2 for a bad image or log. Stops when the
 * device asks to reset (*reset): a host does not write to a device that left. */
static int write_steps(const struct replay_opts *o, uint8_t **old, FILE *log, bool *reset, uint32_t *clock_ms)
{
    uint32_t n = simdev_sector_count();
    uint32_t *lbas = malloc(n * sizeof *lbas);
    uint8_t *new = NULL;
    int rc = 0;
    for (int step = 1; step < o->image_count && !*reset; step++) {
        uint32_t count = 0;
        if (replay_read_image("dropboot-sim", o->images[step], &new, n) != 0 || step_plan(*old, new, o, lbas, &count) != 0) {
            rc = 2;
            break;
        }
        if (o->image_count == 2)
            printf("replay: writing %u sectors\n", (unsigned)count);
        else
            printf("replay: step %d: writing %u sectors\n", step, (unsigned)count);
        for (uint32_t i = 0; i < count && !*reset; i++) {
            simdev_write(lbas[i], new + (size_t)lbas[i] * DB_SECTOR_SIZE);
            if (log != NULL)
                fprintf(log, "%d %u\n", step, (unsigned)lbas[i]);
            *reset = simdev_tick(0, true);
            if (*reset && (i + 1 < count || step + 1 < o->image_count))
                printf("replay: the device reset in step %d after %u of %u sectors; the host stops writing\n",
                       step, (unsigned)(i + 1), (unsigned)count);
        }
        if (!*reset && o->pause_ms > 0) {
            *reset = host_idle(o->pause_ms, clock_ms);
            if (*reset && step + 1 < o->image_count)
                printf("replay: the device reset in the pause after step %d; the host stops writing\n", step);
        }
        free(*old);
        *old = new;
        new = NULL;
    }
    free(new);
    free(lbas);
    return rc;
}

/* Eject (or stay attached and idle), report, reset as the device asks.
 * Exit code: 0 for DB_DONE, else 1. */
static int end_session(const struct replay_opts *o, bool reset, uint32_t *clock_ms)
{
    if (!reset && o->no_eject) {
        reset = host_idle(NO_EJECT_WAIT_MS, clock_ms);
    } else if (!reset) {
        simdev_eject();
        reset = simdev_tick(0, false);
    }
    print_status("before reset");
    enum db_status result = simdev_update_status();
    char line[STATUS_LINE_MAX];
    if (reset) {
        simdev_reset();
        simdev_describe_boot(line, sizeof line);
        printf("device reset: %s\n", line);
        if (simdev_mode() == SIMDEV_BOOTLOADER)
            print_status("after reset");
    } else if (o->no_eject) {
        printf("device did not ask for a reset within %u s of idle host (no eject)\n",
               (unsigned)(NO_EJECT_WAIT_MS / 1000u));
    } else {
        printf("device did not ask for a reset\n");
    }
    return (result == DB_DONE) ? 0 : 1;
}

int sim_verb_replay(int argc, char **argv)
{
    struct replay_opts o;
    if (parse_replay_args(argc, argv, &o) != 0) {
        free(o.images);
        return replay_usage();
    }
    uint8_t *old = NULL;
    FILE *log = NULL;
    int rc = 2;
    bool reset = false;
    uint32_t clock_ms = 0;
    if (replay_read_image("dropboot-sim", o.images[0], &old, simdev_sector_count()) != 0)
        goto out;
    power_on_drive();
    if (check_device_shows(old, o.images[0]) != 0)
        goto out;
    if (o.log != NULL && (log = fopen(o.log, "w")) == NULL) {
        perror(o.log);
        goto out;
    }
    rc = write_steps(&o, &old, log, &reset, &clock_ms);
    if (log != NULL && fclose(log) != 0)
        rc = 2;
    log = NULL;
    if (rc == 0 && o.readback != NULL && write_disk(o.readback) != 0)
        rc = 2;
    if (rc == 0)
        rc = end_session(&o, reset, &clock_ms);
out:
    if (log != NULL)
        fclose(log);
    free(old);
    free(o.images);
    return rc;
}

/* status: what the bootloader does at a power-on reset. Without options it
 * only looks (a trial start is not counted); --boot starts for real (the
 * log counts the start, a trial out of starts rolls back); --confirm starts
 * for real and the app then confirms its image (dropboot_confirm()). */
int sim_verb_status(int argc, char **argv)
{
    bool real = argc == 1 && (strcmp(argv[0], "--boot") == 0 || strcmp(argv[0], "--confirm") == 0);
    if (argc != 0 && !real) {
        fprintf(stderr, "usage: status [--boot | --confirm]\n");
        return 2;
    }
    char line[STATUS_LINE_MAX];
    simdev_query_only(!real);
    simdev_power_on();
    if (real && strcmp(argv[0], "--confirm") == 0)
        simdev_app_confirms();
    simdev_query_only(false);
    simdev_describe_boot(line, sizeof line);
    printf("%s\n", line);
    return 0;
}
