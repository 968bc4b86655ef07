/*
 * Power cut at every flash operation of an update through the whole path:
 * a firmware file copied onto the drive with mtools (mcopy, an oracle nobody
 * here wrote), the sectors that changed written through simdev_write as a
 * host would, eject, reset. Formats: UF2 (blocks per the spec, written
 * here), BIN (the raw image) and Intel HEX (made by srec_cat).
 *
 * For every op number n of that update, clean and torn: after power on the
 * device starts exactly the old or exactly the new image, or stays in the
 * bootloader; then a user holds the button, the host re-reads the drive,
 * copies the file again, and the new app must commit and start.
 */
#define _GNU_SOURCE /* SEEK_DATA, SEEK_HOLE: read back only what mcopy wrote */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "board_sim.h"
#include "boot.h"
#include "flash_testlib.h"
#include "simdev.h"
#include "vfat.h"

#define KB 1024u
#define OLD_SIZE (20u * KB + 11u)
#define NEW_SIZE (28u * KB - 5u) /* not a multiple of 8, 256 or 512 */
#define TEAR_SEEDS 3u            /* torn variants per op */
#define DISK_BYTES ((size_t)VFAT_SECTOR_COUNT * DB_SECTOR_SIZE)
#define UF2_BLOCK 512u
#define UF2_PAYLOAD 256u
#define UF2_DATA_FIELD 476u      /* spec: block minus 32-byte header and 4-byte end magic */
#define UF2_FLAG_FAMILY 0x2000u  /* spec: familyID present */
#define PATH_MAX_LEN 256u
#define DIR_MAX_LEN 64u 
#define CMD_MAX_LEN 1024u

static uint8_t old_img[OLD_SIZE];
static uint8_t new_img[NEW_SIZE];
static uint8_t disk_before[VFAT_SECTOR_COUNT * DB_SECTOR_SIZE];
static uint8_t disk_after[VFAT_SECTOR_COUNT * DB_SECTOR_SIZE];
static uint32_t first_lbas[VFAT_SECTOR_COUNT]; /* the first attempt's sectors, same start state every time */
static uint8_t first_data[4096][DB_SECTOR_SIZE];
static uint32_t first_count;
static char dir[DIR_MAX_LEN];

struct format {
    const char *name;    /* file name on the drive and in the temp dir */
    char path[PATH_MAX_LEN];
};
static struct format formats[] = {{"NEW.UF2", ""}, {"NEW.BIN", ""}, {"NEW.HEX", ""}};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* UF2 per github.com/microsoft/uf2: 512-byte blocks, 256-byte payloads, family flag. */
static void write_uf2(const char *path)
{
    static uint8_t out[(NEW_SIZE / UF2_PAYLOAD + 1u) * UF2_BLOCK];
    uint32_t blocks = (NEW_SIZE + UF2_PAYLOAD - 1u) / UF2_PAYLOAD;
    memset(out, 0, sizeof out);
    for (uint32_t n = 0; n < blocks; n++) {
        uint8_t *b = out + n * UF2_BLOCK;
        uint32_t off = n * UF2_PAYLOAD;
        uint32_t len = NEW_SIZE - off < UF2_PAYLOAD ? NEW_SIZE - off : UF2_PAYLOAD;
        put32(b + 0, 0x0A324655u);
        put32(b + 4, 0x9E5D5157u);
        put32(b + 8, UF2_FLAG_FAMILY);
        put32(b + 12, DB_APP_BASE + off);
        put32(b + 16, len);
        put32(b + 20, n);
        put32(b + 24, blocks);
        put32(b + 28, DB_UF2_FAMILY);
        memcpy(b + 32, new_img + off, len);
        put32(b + 32 + UF2_DATA_FIELD, 0x0AB16F30u);
    }
    write_file(path, out, (size_t)blocks * UF2_BLOCK);
}

static void run(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/db_powercut_XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    board_sim_set_serial("POWERCUT0001"); /* also links the sim board, which core/vfat calls */
    testlib_make_image(old_img, OLD_SIZE, 300);
    testlib_make_image(new_img, NEW_SIZE, 400);
    char bin[PATH_MAX_LEN + 16], cmd[CMD_MAX_LEN];
    for (size_t i = 0; i < 3; i++)
        snprintf(formats[i].path, sizeof formats[i].path, "%s/%s", dir, formats[i].name);
    write_uf2(formats[0].path);
    write_file(formats[1].path, new_img, NEW_SIZE);
    snprintf(bin, sizeof bin, "%s/NEW.BIN", dir);
    snprintf(cmd, sizeof cmd, "srec_cat %s -binary -offset 0x%08X -o %s -intel -output_block_size=16", bin,
             (unsigned)DB_APP_BASE, formats[2].path);
    run(cmd);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[CMD_MAX_LEN];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The drive as the host sees it: only the metadata sectors are read (the
 * data area stays zero; mcopy reads no other file's data). */
static void read_drive(void)
{
    for (uint32_t lba = 0; lba < VFAT_DATA_LBA; lba++)
        simdev_read(lba, disk_before + (size_t)lba * DB_SECTOR_SIZE);
}

static void read_back(int fd, size_t from, size_t to)
{
    assert_int_equal(pread(fd, disk_after + from, to - from, (off_t)from), (ssize_t)(to - from));
}

/* mcopy the file onto a copy of the drive; the sectors that changed are what
 * a host writes. The copy is a sparse file: only the metadata and what mcopy
 * wrote hold data, so only those are read back (SEEK_DATA). */
static uint32_t copy_with_mtools(const struct format *fmt, uint32_t *lbas)
{
    const size_t meta = (size_t)VFAT_DATA_LBA * DB_SECTOR_SIZE;
    char img[PATH_MAX_LEN + 16], cmd[CMD_MAX_LEN];
    snprintf(img, sizeof img, "%s/disk.img", dir);
    int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)DISK_BYTES), 0);
    assert_int_equal(pwrite(fd, disk_before, meta, 0), (ssize_t)meta);
    close(fd);
    snprintf(cmd, sizeof cmd, "mcopy -i %s -o %s ::%s", img, fmt->path, fmt->name);
    run(cmd);
    fd = open(img, O_RDONLY);
    assert_true(fd >= 0);
    memset(disk_after + meta, 0, DISK_BYTES - meta);
    read_back(fd, 0, meta);
    off_t pos = (off_t)meta;
    while (pos < (off_t)DISK_BYTES) {
        off_t data = lseek(fd, pos, SEEK_DATA);
        if (data < 0)
            break; /* no more data */
        off_t hole = lseek(fd, data, SEEK_HOLE);
        assert_true(hole > data);
        read_back(fd, (size_t)data, (size_t)hole);
        pos = hole;
    }
    close(fd);
    uint32_t count = 0;
    for (uint32_t lba = 0; lba < VFAT_SECTOR_COUNT; lba++) {
        size_t off = (size_t)lba * DB_SECTOR_SIZE;
        if (memcmp(disk_before + off, disk_after + off, DB_SECTOR_SIZE) != 0)
            lbas[count++] = lba;
    }
    return count;
}

/* Write the sectors in ascending order as the host does, then eject; reset when the device asks. */
static bool host_writes(const uint32_t *lbas, uint8_t (*data)[DB_SECTOR_SIZE], uint32_t count)
{
    bool reset = false;
    for (uint32_t i = 0; i < count && !reset; i++) {
        simdev_write(lbas[i], data != NULL ? data[i] : disk_after + (size_t)lbas[i] * DB_SECTOR_SIZE);
        reset = simdev_tick(0, true);
    }
    simdev_eject();
    return simdev_tick(0, false) || reset;
}

static void power_on_with_button(void)
{
    simdev_hold_button(true);
    assert_int_equal(simdev_power_on(), SIMDEV_BOOTLOADER);
    simdev_hold_button(false);
}

static void start_from_old_app(void)
{
    flash_model_open_ram();
    assert_int_equal(testlib_update(old_img, OLD_SIZE, UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
    testlib_confirm_active();
    flash_model_reset_stats();
    power_on_with_button();
}

struct tally {
    uint32_t old_started, new_started, stayed;
};

static void check_boot_after_cut(struct tally *t, uint32_t n)
{
    if (simdev_power_on() == SIMDEV_BOOTLOADER) {
        t->stayed++;
        return;
    }
    struct bootrec r;
    assert_true(bootrec_read(&r));
    if (r.app_size == OLD_SIZE && testlib_flash_holds(old_img, OLD_SIZE))
        t->old_started++;
    else if (r.app_size == NEW_SIZE && testlib_flash_holds(new_img, NEW_SIZE))
        t->new_started++;
    else
        fail_msg("cut at op %u: the app that would start is neither the old nor the new image", (unsigned)n);
}

/* The user holds the button, the host reads the drive again and copies the file again. */
static void copy_again_commits_and_starts(const struct format *fmt, uint32_t n)
{
    static uint32_t lbas[VFAT_SECTOR_COUNT];
    power_on_with_button();
    read_drive();
    uint32_t count = copy_with_mtools(fmt, lbas);
    bool reset = host_writes(lbas, NULL, count);
    if (simdev_update_status() != DB_DONE)
        fail_msg("%s, cut at op %u: copying again ended with %s", fmt->name, (unsigned)n,
                 db_status_name(simdev_update_status()));
    assert_true(reset);
    assert_int_equal(simdev_reset(), SIMDEV_APP);
    assert_true(testlib_flash_holds(new_img, NEW_SIZE));
    assert_int_equal(testlib_stats().violations, 0);
}

static void cut_at_every_op(const struct format *fmt)
{
    /* The first attempt starts from the same state every time: plan its sectors once. */
    start_from_old_app();
    read_drive();
    first_count = copy_with_mtools(fmt, first_lbas);
    assert_true(first_count <= sizeof first_data / sizeof first_data[0]);
    for (uint32_t i = 0; i < first_count; i++)
        memcpy(first_data[i], disk_after + (size_t)first_lbas[i] * DB_SECTOR_SIZE, DB_SECTOR_SIZE);
    assert_true(host_writes(first_lbas, first_data, first_count));
    assert_int_equal(simdev_update_status(), DB_DONE);
    struct flash_model_stats full = testlib_stats();
    assert_int_equal(simdev_reset(), SIMDEV_APP);
    assert_true(testlib_flash_holds(new_img, NEW_SIZE));

    struct tally clean = {0}, torn = {0};
    clock_t t0 = clock();
    for (uint32_t n = 1; n <= full.ops; n++) {
        for (uint32_t variant = 0; variant <= TEAR_SEEDS; variant++) {
            bool tear = variant > 0;
            start_from_old_app();
            flash_model_set_tear(tear);
            flash_model_set_seed(n * 131u + variant);
            flash_model_cut_after(n);
            (void)host_writes(first_lbas, first_data, first_count);
            if (simdev_update_status() == DB_DONE || flash_model_powered())
                fail_msg("%s: the cut at op %u did not happen or was not noticed", fmt->name, (unsigned)n);
            flash_model_power_on();
            flash_model_set_tear(false);
            check_boot_after_cut(tear ? &torn : &clean, n);

            copy_again_commits_and_starts(fmt, n);
        }
    }
    printf("%s through the drive: %u sectors, N = %u ops (%u erases, %u DW programs); clean: old %u, new %u, "
           "stay %u; torn (x%u): old %u, new %u, stay %u; %.2f s\n",
           fmt->name, (unsigned)first_count, (unsigned)full.ops, (unsigned)full.erases, (unsigned)full.programs,
           (unsigned)clean.old_started, (unsigned)clean.new_started, (unsigned)clean.stayed, (unsigned)TEAR_SEEDS,
           (unsigned)torn.old_started, (unsigned)torn.new_started, (unsigned)torn.stayed,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
#if DB_AB_SLOTS
    /* A/B: the new image goes to the other slot; until its record is whole the old app starts. */
    assert_int_equal(clean.old_started, full.ops);
    assert_int_equal(torn.old_started, full.ops * TEAR_SEEDS);
#else
    /* One slot: after the old app's ERASE record (the first op) a cut
       leaves the bootloader; never half an app, never the new one early. */
    assert_int_equal(clean.new_started + torn.new_started, 0);
    assert_true(clean.stayed > 0u); /* the update did replace the old app */
    assert_int_equal(clean.old_started + clean.stayed, full.ops);
    assert_int_equal(torn.old_started + torn.stayed, full.ops * TEAR_SEEDS);
#endif
}

static void uf2_copied_to_the_drive_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&formats[0]);
}

static void bin_copied_to_the_drive_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&formats[1]);
}

static void hex_copied_to_the_drive_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&formats[2]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uf2_copied_to_the_drive_survives_a_cut_at_every_op),
        cmocka_unit_test(bin_copied_to_the_drive_survives_a_cut_at_every_op),
        cmocka_unit_test(hex_copied_to_the_drive_survives_a_cut_at_every_op),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
