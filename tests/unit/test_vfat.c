/* The virtual drive: a valid FAT16 volume, the host reads back what it wrote,
 * OS metadata never breaks anything, and the reset waits for the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "bootrec.h"
#include "flash_model.h"
#include "uf2.h"
#include "update.h"
#include "vfat.h"

static struct update u;
static struct vfat v;
static struct update_report report;
static uint8_t sec[DB_SECTOR_SIZE];

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (get16(p + 2) << 16); }
static void put16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void put32(uint8_t *p, uint32_t x) { put16(p, x); put16(p + 2, x >> 16); }

static void start(void)
{
    update_init(&u, &report);
    vfat_init(&v, &u);
}

static int setup(void **state)
{
    (void)state;
    flash_model_open_ram();
    memset(&report, 0, sizeof report);
    start();
    return 0;
}

static uint32_t cluster_lba(uint32_t c) { return VFAT_DATA_LBA + (c - 2u) * VFAT_SECTORS_PER_CLUSTER; }

/* Add a directory entry to root sector 0 as a host does: read, change, write. */
static void host_dirent(uint32_t slot, const char name[11], uint8_t attr, uint32_t cluster, uint32_t size)
{
    uint8_t d[DB_SECTOR_SIZE];
    vfat_read(&v, VFAT_ROOT_LBA, d);
    uint8_t *e = d + 32u * slot;
    memset(e, 0, 32);
    memcpy(e, name, 11);
    e[11] = attr;
    put16(e + 26, cluster);
    put32(e + 28, size);
    vfat_write(&v, VFAT_ROOT_LBA, d);
}

/* Allocate clusters [first, first + n) as one chain, in both FATs. */
static void host_chain(uint32_t first, uint32_t n)
{
    for (uint32_t c = first; c < first + n; c++) {
        uint32_t lba = VFAT_FAT1_LBA + c / 256u;
        uint8_t f[DB_SECTOR_SIZE];
        vfat_read(&v, lba, f);
        put16(f + 2u * (c % 256u), (c + 1u == first + n) ? 0xFFFFu : c + 1u);
        vfat_write(&v, lba, f);
        vfat_write(&v, lba + VFAT_FAT_SECTORS, f);
    }
}

/* The first free cluster after our own files on a fresh volume. */
static uint32_t first_free_cluster(void)
{
    for (uint32_t c = 2; c < VFAT_CLUSTER_COUNT + 2u; c++) {
        vfat_read(&v, VFAT_FAT1_LBA + c / 256u, sec);
        if (get16(sec + 2u * (c % 256u)) == 0u)
            return c;
    }
    fail();
    return 0;
}

static void uf2_sector(uint8_t *b, uint32_t no, uint32_t num, uint32_t family)
{
    uint8_t payload[UF2_PAYLOAD_STD];
    for (uint32_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(no * 31u + i);
    if (no == 0u) {
        put32(payload, 0x20010000u);          /* initial SP */
        put32(payload + 4, DB_APP_BASE + 0x101u); /* reset handler, Thumb */
    }
    struct uf2_block blk = {
        .flags = UF2_FLAG_FAMILY_ID,
        .target_addr = DB_APP_BASE + no * UF2_PAYLOAD_STD,
        .payload_size = UF2_PAYLOAD_STD,
        .block_no = no,
        .num_blocks = num,
        .family_or_size = family,
        .payload = payload,
    };
    uf2_encode(b, &blk);
}

static void boot_sector_describes_fat16_with_a_cluster_count_in_range(void **state)
{
    (void)state;
    vfat_read(&v, 0, sec);
    assert_int_equal(sec[510], 0x55);
    assert_int_equal(sec[511], 0xAA);
    assert_int_equal(get16(sec + 11), 512);
    uint32_t spc = sec[13], reserved = get16(sec + 14), fats = sec[16], root = get16(sec + 17);
    uint32_t total = get16(sec + 19) ? get16(sec + 19) : get32(sec + 32);
    uint32_t fatsz = get16(sec + 22);
    uint32_t data = total - reserved - fats * fatsz - root * 32u / 512u;
    uint32_t clusters = data / spc;
    assert_int_equal(total, vfat_sector_count());
    assert_true(clusters >= 4085u && clusters < 65525u);
    assert_true(fatsz * 256u >= clusters + 2u);
    assert_memory_equal(sec + 54, "FAT16   ", 8);
    assert_memory_equal(sec + 43, board.volume_label, strlen(board.volume_label));
    /* the directory holds the label and the three text files; no app: no CURRENT.UF2 */
    vfat_read(&v, VFAT_ROOT_LBA, sec);
    assert_int_equal(sec[11], 0x08);
    assert_memory_equal(sec + 32, "INFO_UF2TXT", 11);
    assert_memory_equal(sec + 64, "INDEX   HTM", 11);
    assert_memory_equal(sec + 96, "STATUS  TXT", 11);
    assert_int_equal(sec[128], 0);
}

static void fat_and_directory_written_by_the_host_read_back_and_fat2_mirrors_fat1(void **state)
{
    (void)state;
    uint32_t c = first_free_cluster();
    host_chain(c, 3);
    host_dirent(4, "FIRMWAREBIN", 0x20, c, 9000);
    uint8_t fat1[DB_SECTOR_SIZE], fat2[DB_SECTOR_SIZE];
    vfat_read(&v, VFAT_FAT1_LBA, fat1);
    vfat_read(&v, VFAT_FAT2_LBA, fat2);
    assert_memory_equal(fat1, fat2, DB_SECTOR_SIZE);
    assert_int_equal(get16(fat1 + 2u * c), c + 1u);
    assert_int_equal(get16(fat1 + 2u * (c + 2u)), 0xFFFFu);
    vfat_read(&v, VFAT_ROOT_LBA, sec);
    assert_memory_equal(sec + 128, "FIRMWAREBIN", 11);
    assert_int_equal(get32(sec + 156), 9000);
}

static void a_full_overlay_drops_data_before_metadata_and_never_breaks(void **state)
{
    (void)state;
    /* every metadata sector of the volume written with a pattern */
    for (uint32_t lba = 1; lba < VFAT_ROOT_LBA; lba++) {
        memset(sec, (int)(lba & 0x7Fu) | 1, sizeof sec);
        vfat_write(&v, lba, sec);
    }
    /* then a flood of junk data */
    for (uint32_t i = 0; i < 500u; i++) {
        memset(sec, 0x5A, sizeof sec);
        put32(sec, i);
        vfat_write(&v, cluster_lba(3000) + i, sec);
    }
    /* the newest metadata survives the flood */
    uint32_t last = VFAT_ROOT_LBA - 1u;
    vfat_read(&v, last, sec);
    assert_int_equal(sec[0], (last & 0x7Fu) | 1u);
    /* reads anywhere still work */
    for (uint32_t lba = 0; lba < vfat_sector_count(); lba += 997u)
        vfat_read(&v, lba, sec);
    assert_int_equal(update_state(&u), UPDATE_IDLE);
}

static void os_metadata_lfn_dotfiles_and_subdirectories_are_kept_and_harmless(void **state)
{
    (void)state;
    uint32_t c = first_free_cluster();
    /* macOS: .fseventsd directory (short name with LFN), a ._ file */
    uint8_t d[DB_SECTOR_SIZE];
    vfat_read(&v, VFAT_ROOT_LBA, d);
    uint8_t *lfn = d + 32u * 4u;
    memset(lfn, 0xFF, 32);
    lfn[0] = 0x41;
    lfn[11] = 0x0F;
    lfn[12] = 0;
    put16(lfn + 26, 0);
    vfat_write(&v, VFAT_ROOT_LBA, d);
    host_chain(c, 1);
    host_dirent(5, "FSEVEN~1   ", 0x12, c, 0);
    host_chain(c + 1u, 1);
    host_dirent(6, "_FIRMW~1UF2", 0x22, c + 1u, 4096);
    /* the subdirectory's first sector: "." and ".." and a file */
    memset(sec, 0, sizeof sec);
    memcpy(sec, ".          ", 11);
    sec[11] = 0x10;
    memcpy(sec + 32, "..         ", 11);
    sec[43] = 0x10;
    memcpy(sec + 64, "FSEVENTSUUI", 11);
    vfat_write(&v, cluster_lba(c), sec);
    /* the ._ file's data (AppleDouble header) */
    uint8_t apple[DB_SECTOR_SIZE];
    memset(apple, 0, sizeof apple);
    put32(apple, 0x07160500u);
    vfat_write(&v, cluster_lba(c + 1u), apple);
    uint8_t back[DB_SECTOR_SIZE];
    vfat_read(&v, cluster_lba(c), back);
    assert_memory_equal(back, sec, DB_SECTOR_SIZE);
    vfat_read(&v, cluster_lba(c + 1u), back);
    assert_memory_equal(back, apple, DB_SECTOR_SIZE);
    /* none of it is firmware, none of it is a "not firmware" file of the user's */
    assert_int_equal(update_status(&u), DB_IDLE);
    assert_false(update_tick(&u, 5000, false));
}

static void a_text_file_is_not_firmware_and_never_resets(void **state)
{
    (void)state;
    uint32_t c = first_free_cluster();
    host_chain(c, 1);
    host_dirent(4, "NOTES   TXT", 0x20, c, 12);
    memset(sec, 0, sizeof sec);
    memcpy(sec, "hello world\n", 12);
    vfat_write(&v, cluster_lba(c), sec);
    assert_int_equal(update_status(&u), DB_ERR_NOT_FIRMWARE);
    assert_false(update_tick(&u, 10000, false));
    update_eject(&u);
    assert_false(update_tick(&u, 0, false));
    char text[600];
    vfat_status_text(&v, text, sizeof text);
    assert_non_null(strstr(text, "\r\nResult: DB_ERR_NOT_FIRMWARE\r\n"));
    assert_non_null(strstr(text, "File: NOTES.TXT\r\n"));
    /* the host reads its text back */
    uint8_t back[DB_SECTOR_SIZE];
    vfat_read(&v, cluster_lba(c), back);
    assert_memory_equal(back, sec, DB_SECTOR_SIZE);
}

/* A UF2 of n blocks through the drive as Windows writes it: FAT, directory, data. */
static void copy_uf2(uint32_t n, uint32_t family)
{
    uint32_t c = first_free_cluster();
    uint32_t clusters = (n * 512u + VFAT_CLUSTER_BYTES - 1u) / VFAT_CLUSTER_BYTES;
    host_chain(c, clusters);
    host_dirent(4, "FIRMWAREUF2", 0x20, c, n * 512u);
    for (uint32_t i = 0; i < n; i++) {
        uf2_sector(sec, i, n, family);
        vfat_write(&v, cluster_lba(c) + i, sec);
    }
}

static void after_a_commit_the_reset_waits_for_one_idle_second_of_the_host(void **state)
{
    (void)state;
    copy_uf2(8, DB_UF2_FAMILY);
    assert_int_equal(update_status(&u), DB_DONE);
    /* Finder keeps writing ._ files and metadata after the data: no reset meanwhile */
    for (uint32_t i = 0; i < 10u; i++) {
        vfat_write(&v, cluster_lba(4000) + i, sec);
        assert_false(update_tick(&u, 300, true));
    }
    assert_false(update_tick(&u, 500, false));
    assert_false(update_tick(&u, 400, false));
    assert_true(update_tick(&u, 200, false));
    assert_int_not_equal(report.stay, UPDATE_STAY_MAGIC);
    struct bootrec r;
    assert_true(bootrec_read(&r));
    assert_int_equal(r.app_size, 8u * 256u);
}

static void a_host_that_keeps_polling_gets_its_reset_three_seconds_after_the_last_write(void **state)
{
    (void)state;
    copy_uf2(4, DB_UF2_FAMILY);
    /* TEST UNIT READY every 500 ms: never a silent second */
    for (uint32_t t = 500; t < UPDATE_WRITE_IDLE_RESET_MS; t += 500u)
        assert_false(update_tick(&u, 500, true));
    assert_true(update_tick(&u, 500, true));
}

static void eject_after_a_commit_resets_at_once(void **state)
{
    (void)state;
    copy_uf2(4, DB_UF2_FAMILY);
    assert_false(update_tick(&u, 10, true));
    update_eject(&u);
    assert_true(update_tick(&u, 0, false));
}

static void a_refusal_asks_to_stay_and_its_status_survives_the_reset(void **state)
{
    (void)state;
    copy_uf2(4, 0xE48BFF56u); /* RP2040's family */
    assert_int_equal(update_status(&u), DB_BUSY);
    assert_false(update_tick(&u, 500, false));
    assert_true(update_tick(&u, 600, false)); /* idle: nothing of ours came, refused */
    assert_int_equal(update_status(&u), DB_ERR_UF2_FAMILY);
    assert_int_equal(report.stay, UPDATE_STAY_MAGIC);
    start(); /* warm reset: the report is kept */
    char text[600];
    vfat_status_text(&v, text, sizeof text);
    assert_non_null(strstr(text, "Result: DB_ERR_UF2_FAMILY\r\n"));
    assert_non_null(strstr(text, "File: FIRMWARE.UF2 (UF2)\r\n"));
    assert_false(update_tick(&u, 5000, false)); /* a fresh session waits for a file again */
}

static void current_uf2_appears_with_a_committed_app_and_reads_back_as_uf2(void **state)
{
    (void)state;
    copy_uf2(3, DB_UF2_FAMILY);
    assert_int_equal(update_status(&u), DB_DONE);
    start();
    vfat_read(&v, VFAT_ROOT_LBA, sec);
    assert_memory_equal(sec + 128, "CURRENT UF2", 11);
    assert_int_equal(get32(sec + 156), 3u * 512u);
    uint32_t c = get16(sec + 154);
    for (uint32_t i = 0; i < 3u; i++) {
        uint8_t expect[DB_SECTOR_SIZE];
        vfat_read(&v, cluster_lba(c) + i, sec);
        uf2_sector(expect, i, 3, DB_UF2_FAMILY);
        assert_memory_equal(sec, expect, DB_SECTOR_SIZE);
    }
}

static void volume_is_reproducible_sector_for_sector(void **state)
{
    (void)state;
    static uint8_t a[VFAT_DATA_LBA + 64u][DB_SECTOR_SIZE];
    for (uint32_t lba = 0; lba < VFAT_DATA_LBA + 64u; lba++)
        vfat_read(&v, lba, a[lba]);
    start();
    for (uint32_t lba = 0; lba < VFAT_DATA_LBA + 64u; lba++) {
        vfat_read(&v, lba, sec);
        assert_memory_equal(sec, a[lba], DB_SECTOR_SIZE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(boot_sector_describes_fat16_with_a_cluster_count_in_range, setup),
        cmocka_unit_test_setup(fat_and_directory_written_by_the_host_read_back_and_fat2_mirrors_fat1, setup),
        cmocka_unit_test_setup(a_full_overlay_drops_data_before_metadata_and_never_breaks, setup),
        cmocka_unit_test_setup(os_metadata_lfn_dotfiles_and_subdirectories_are_kept_and_harmless, setup),
        cmocka_unit_test_setup(a_text_file_is_not_firmware_and_never_resets, setup),
        cmocka_unit_test_setup(after_a_commit_the_reset_waits_for_one_idle_second_of_the_host, setup),
        cmocka_unit_test_setup(a_host_that_keeps_polling_gets_its_reset_three_seconds_after_the_last_write, setup),
        cmocka_unit_test_setup(eject_after_a_commit_resets_at_once, setup),
        cmocka_unit_test_setup(a_refusal_asks_to_stay_and_its_status_survives_the_reset, setup),
        cmocka_unit_test_setup(current_uf2_appears_with_a_committed_app_and_reads_back_as_uf2, setup),
        cmocka_unit_test_setup(volume_is_reproducible_sector_for_sector, setup),
    };
    printf("sizeof(struct vfat) = %zu, sizeof(struct update) = %zu (of which writer %zu)\n", sizeof(struct vfat),
           sizeof(struct update), sizeof(struct writer));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
