/* The update engine through the drive: bounded reordering for HEX and BIN,
 * UF2 repeats and mixtures, and no wrong app whatever the order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "bootrec.h"
#include "crc32.h"
#include "flash_model.h"
#include "flash_testlib.h"
#include "uf2.h"
#include "update.h"
#include "vfat.h"

#define HEX_TEXT_MAX (256u * 1024u)
#define IMAGE_MAX (160u * 1024u) /* past the F411's 64 KB sector into a 128 KB one */

static struct update u;
static struct vfat v;
static struct update_report report;
static uint8_t image[IMAGE_MAX];
static uint8_t text[HEX_TEXT_MAX];
static uint8_t sec[DB_SECTOR_SIZE];

static void put16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void put32(uint8_t *p, uint32_t x) { put16(p, x); put16(p + 2, x >> 16); }

static int setup(void **state)
{
    (void)state;
    flash_model_open_ram();
    memset(&report, 0, sizeof report);
    update_init(&u, &report);
    vfat_init(&v, &u);
    return 0;
}

static void make_image(uint32_t size)
{
    for (uint32_t i = 0; i < size; i++)
        image[i] = (uint8_t)(i * 13u + (i >> 8));
    put32(image, 0x20010000u);
    put32(image + 4, DB_APP_BASE + 0x41u);
}

static uint32_t hex_record(uint32_t n, const uint8_t *rec, uint32_t len)
{
    static const char hx[] = "0123456789ABCDEF";
    uint8_t sum = 0;
    text[n++] = ':';
    for (uint32_t i = 0; i < 4u + len; i++) {
        sum = (uint8_t)(sum + rec[i]);
        text[n++] = (uint8_t)hx[rec[i] >> 4];
        text[n++] = (uint8_t)hx[rec[i] & 15u];
    }
    sum = (uint8_t)(0x100u - sum);
    text[n++] = (uint8_t)hx[sum >> 4];
    text[n++] = (uint8_t)hx[sum & 15u];
    text[n++] = '\n';
    return n;
}

/* Intel HEX of image as objcopy writes it: 16-byte records, an 04 record per 64 KB. */
static uint32_t make_hex(uint32_t size)
{
    uint32_t n = 0;
    uint8_t rec[4 + 16];
    for (uint32_t off = 0; off < size; off += 16u) {
        uint32_t addr = DB_APP_BASE + off;
        if (off == 0 || (addr & 0xFFFFu) == 0) {
            const uint8_t ext[6] = {2, 0, 0, 4, (uint8_t)(addr >> 24), (uint8_t)(addr >> 16)};
            n = hex_record(n, ext, 2);
        }
        uint32_t len = (size - off < 16u) ? size - off : 16u;
        rec[0] = (uint8_t)len, rec[1] = (uint8_t)(addr >> 8), rec[2] = (uint8_t)addr, rec[3] = 0;
        memcpy(rec + 4, image + off, len);
        n = hex_record(n, rec, len);
    }
    const uint8_t end_rec[4] = {0, 0, 0, 1};
    return hex_record(n, end_rec, 0);
}

static uint32_t cluster_lba(uint32_t c) { return VFAT_DATA_LBA + (c - 2u) * VFAT_SECTORS_PER_CLUSTER; }

static uint32_t host_file_entry(const char name[11], uint32_t size, uint32_t c, uint32_t slot);

/* Directory entry and FAT chain as Windows writes them before the data. */
static uint32_t host_file_at(const char name[11], uint32_t size, uint32_t c)
{
    return host_file_entry(name, size, c, 4u);
}

/* The same in root directory entry slot (16 per sector). */
static uint32_t host_file_entry(const char name[11], uint32_t size, uint32_t c, uint32_t slot)
{
    uint8_t d[DB_SECTOR_SIZE];
    uint32_t n = (size + VFAT_CLUSTER_BYTES - 1u) / VFAT_CLUSTER_BYTES;
    for (uint32_t k = c; k < c + n; k++) {
        vfat_read(&v, VFAT_FAT1_LBA + k / 256u, d);
        put16(d + 2u * (k % 256u), (k + 1u == c + n) ? 0xFFFFu : k + 1u);
        vfat_write(&v, VFAT_FAT1_LBA + k / 256u, d);
    }
    uint32_t root = VFAT_ROOT_LBA + slot / 16u;
    vfat_read(&v, root, d);
    uint8_t *e = d + 32u * (slot % 16u);
    memset(e, 0, 32);
    memcpy(e, name, 11);
    e[11] = 0x20;
    put16(e + 26, c);
    put32(e + 28, size);
    vfat_write(&v, root, d);
    return cluster_lba(c);
}

/* On a fresh volume the host's first file starts after our own files (no app: no CURRENT.UF2). */
static uint32_t host_file(const char name[11], uint32_t size)
{
    return host_file_at(name, size, 5);
}

static void write_file_sector(uint32_t first_lba, const uint8_t *data, uint32_t size, uint32_t i)
{
    memset(sec, 0, sizeof sec);
    uint32_t len = size - i * DB_SECTOR_SIZE;
    memcpy(sec, data + i * DB_SECTOR_SIZE, len < DB_SECTOR_SIZE ? len : DB_SECTOR_SIZE);
    vfat_write(&v, first_lba + i, sec);
}

/* The host stops writing for a moment (a BIN's size counts once it settles), then the app must be in. */
static void assert_app(uint32_t size)
{
    struct bootrec r;
    (void)update_tick(&u, UPDATE_BIN_SETTLE_MS, false);
    assert_int_equal(update_status(&u), DB_DONE);
    assert_true(bootrec_read(&r));
    assert_int_equal(r.app_size, size);
    assert_int_equal(r.app_crc, crc32_update(0, image, size));
}

/* Sectors [0, n) in order, except that the window [from, from + w) comes backwards. */
static void write_with_reversed_window(uint32_t lba, const uint8_t *data, uint32_t size, uint32_t from, uint32_t w)
{
    uint32_t n = (size + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE;
    for (uint32_t i = 0; i < from; i++)
        write_file_sector(lba, data, size, i);
    for (uint32_t i = from + w; i > from; i--)
        write_file_sector(lba, data, size, i - 1u);
    for (uint32_t i = from + w; i < n; i++)
        write_file_sector(lba, data, size, i);
}

static void hex_out_of_order_within_the_pending_buffer_is_flashed_exactly(void **state)
{
    (void)state;
    make_image(40000);
    uint32_t len = make_hex(40000);
    uint32_t lba = host_file("APP     HEX", len);
    write_with_reversed_window(lba, text, len, 10, UPDATE_PENDING_SECTORS + 1u); /* all but one wait */
    assert_app(40000);
}

static void hex_further_out_of_order_than_the_buffer_is_refused_with_order(void **state)
{
    (void)state;
    make_image(40000);
    uint32_t len = make_hex(40000);
    uint32_t lba = host_file("APP     HEX", len);
    write_with_reversed_window(lba, text, len, 10, UPDATE_PENDING_SECTORS + 2u);
    assert_int_equal(update_status(&u), DB_ERR_ORDER);
    struct bootrec r;
    assert_false(bootrec_read(&r));
}

static void bin_with_its_first_sector_late_within_the_buffer_is_flashed_exactly(void **state)
{
    (void)state;
    make_image(12345);
    uint32_t lba = host_file("APP     BIN", 12345);
    write_with_reversed_window(lba, image, 12345, 0, UPDATE_PENDING_SECTORS); /* the first sector last */
    assert_app(12345);
}

static void bin_data_first_then_directory_cuts_the_padding_of_the_last_sector(void **state)
{
    (void)state;
    make_image(5003);
    /* Linux: the data at sync, then FAT and directory */
    uint32_t lba = cluster_lba(5);
    for (uint32_t i = 0; i < 10u; i++) {
        memset(sec, 0xA5, sizeof sec); /* padding that must not reach flash */
        uint32_t n = 5003u - i * DB_SECTOR_SIZE;
        memcpy(sec, image + i * DB_SECTOR_SIZE, n < DB_SECTOR_SIZE ? n : DB_SECTOR_SIZE);
        vfat_write(&v, lba + i, sec);
    }
    assert_int_equal(update_status(&u), DB_BUSY);
    assert_int_equal(host_file("APP     BIN", 5003), lba);
    assert_app(5003);
    uint8_t after[3];
    assert_int_equal(flash_read(DB_APP_BASE + 5003u, after, sizeof after), FLASH_OK);
    assert_int_equal(after[0], 0xFF);
    assert_int_equal(after[2], 0xFF);
}

static void bin_data_first_then_another_files_data_then_directory_is_flashed_exactly(void **state)
{
    (void)state;
    make_image(5003); /* 10 sectors in clusters 5 and 6 */
    /* Finder and Linux: the data, then the next file's data (a ._ file in
     * cluster 7), then FAT and directory */
    uint32_t lba = cluster_lba(5);
    for (uint32_t i = 0; i < 10u; i++)
        write_file_sector(lba, image, 5003, i);
    memset(sec, 0x5A, sizeof sec);
    for (uint32_t i = 0; i < VFAT_SECTORS_PER_CLUSTER; i++)
        vfat_write(&v, cluster_lba(7) + i, sec);
    assert_int_equal(update_status(&u), DB_BUSY);
    assert_int_equal(host_file("APP     BIN", 5003), lba);
    assert_app(5003);
    uint8_t after[DB_SECTOR_SIZE];
    assert_int_equal(flash_read(DB_APP_BASE + 5003u, after, 16), FLASH_OK);
    for (uint32_t i = 0; i < 16u; i++)
        assert_int_equal(after[i], 0xFF);
    /* The ._ file's sectors may lie in flash past the image (the entry might
     * have grown into them); the record and CURRENT.UF2 stop at 5003. */
}

static void set_size(uint32_t size)
{
    uint8_t d[DB_SECTOR_SIZE];
    vfat_read(&v, VFAT_ROOT_LBA, d);
    put32(d + 32u * 4u + 28u, size);
    vfat_write(&v, VFAT_ROOT_LBA, d);
}

static void bin_whose_entry_says_size_0_until_the_data_is_in_waits_for_the_size(void **state)
{
    (void)state;
    make_image(9000);
    uint32_t lba = host_file("APP     BIN", 9000);
    set_size(0); /* Windows: entry and chain first, size last */
    for (uint32_t i = 0; i < 18u; i++)
        write_file_sector(lba, image, 9000, i);
    assert_int_equal(update_status(&u), DB_BUSY);
    set_size(9000);
    assert_app(9000);
}

static void uf2_sector_for(uint8_t *b, uint32_t no, uint32_t num)
{
    struct uf2_block blk = {
        .flags = UF2_FLAG_FAMILY_ID,
        .target_addr = DB_APP_BASE + no * 256u,
        .payload_size = 256u,
        .block_no = no,
        .num_blocks = num,
        .family_or_size = DB_UF2_FAMILY,
        .payload = image + no * 256u,
    };
    uf2_encode(b, &blk);
}

/* Flash time the model charged since the last call. */
static uint64_t flash_busy_since(uint64_t *last)
{
    struct flash_model_stats st;
    flash_model_stats(&st);
    uint64_t d = st.busy_us - *last;
    *last = st.busy_us;
    return d;
}

/* While the CPU erases or programs (the F411 runs from the flash it
 * writes), USB is not served: the host's command waits. With the chip's
 * datasheet timings in the flash model, no sector write (one SCSI WRITE's
 * worth of work) and no tick (the commit) may keep it waiting near a
 * host's command timeout: Linux's sd gives a command 30 s by default, and
 * we keep to a third of it. */
#define HOST_WAIT_BUDGET_US 10000000u
static void no_sector_write_or_tick_keeps_the_host_waiting_past_its_timeout(void **state)
{
    (void)state;
    make_image(IMAGE_MAX);
    const uint32_t blocks = IMAGE_MAX / 256u;
    uint32_t lba = host_file("APP     UF2", blocks * 512u);
    uint64_t last = 0, worst_write = 0, worst_tick = 0;
    (void)flash_busy_since(&last);
    for (uint32_t i = 0; i < blocks; i++) {
        uf2_sector_for(sec, i, blocks);
        vfat_write(&v, lba + i, sec);
        uint64_t d = flash_busy_since(&last);
        worst_write = d > worst_write ? d : worst_write;
    }
    for (uint32_t t = 0; t < 20u && update_status(&u) == DB_BUSY; t++) {
        (void)update_tick(&u, UPDATE_BIN_SETTLE_MS, false);
        uint64_t d = flash_busy_since(&last);
        worst_tick = d > worst_tick ? d : worst_tick;
    }
    assert_int_equal(update_status(&u), DB_DONE);
    printf("longest flash stall: %.3f s in one sector write, %.3f s in one tick\n",
           (double)worst_write / 1e6, (double)worst_tick / 1e6);
    assert_true(worst_write <= HOST_WAIT_BUDGET_US);
    assert_true(worst_tick <= HOST_WAIT_BUDGET_US);
    assert_true(worst_write > 0u); /* the model did charge the erases */
}

static void uf2_repeated_blocks_are_harmless(void **state)
{
    (void)state;
    make_image(2048);
    uint32_t lba = host_file("APP     UF2", 8u * 512u);
    for (uint32_t i = 0; i < 7u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
        vfat_write(&v, lba + i, sec); /* the host wrote it twice */
    }
    assert_int_equal(update_status(&u), DB_BUSY);
    uf2_sector_for(sec, 7, 8);
    vfat_write(&v, lba + 7u, sec);
    assert_app(2048);
}

static void a_stream_that_stops_half_way_times_out_and_asks_for_a_reset(void **state)
{
    (void)state;
    make_image(2048);
    uint32_t lba = host_file("APP     UF2", 8u * 512u);
    for (uint32_t i = 0; i < 4u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
    }
    /* The host keeps polling (TEST UNIT READY) but writes nothing more. */
    for (uint32_t ms = 0; ms + 500u < UPDATE_STALL_MS; ms += 500u) {
        assert_false(update_tick(&u, 500u, true));
        assert_int_equal(update_status(&u), DB_BUSY);
    }
    /* The attempt ends, and since nothing was written for seconds the device
     * resets at once; the report says stay, and why. */
    assert_true(update_tick(&u, 500u, true));
    assert_int_equal(update_status(&u), DB_ERR_TIMEOUT);
    assert_int_equal(report.status, DB_ERR_TIMEOUT);
    assert_int_equal(report.stay, UPDATE_STAY_MAGIC);
    struct bootrec r;
    assert_false(bootrec_read(&r));
}

static void uf2_blocks_of_two_files_are_refused_as_mixed(void **state)
{
    (void)state;
    make_image(2048);
    uf2_sector_for(sec, 0, 8);
    vfat_write(&v, cluster_lba(5), sec);
    uf2_sector_for(sec, 1, 9);
    vfat_write(&v, cluster_lba(5) + 1u, sec);
    assert_int_equal(update_status(&u), DB_ERR_UF2_MIXED);
}

static void a_junk_sector_before_a_bin_does_not_disturb_it(void **state)
{
    (void)state;
    make_image(3000);
    memset(sec, 0x11, sizeof sec);
    vfat_write(&v, cluster_lba(900), sec); /* some other file's data */
    uint32_t lba = host_file("APP     BIN", 3000);
    for (uint32_t i = 0; i < 6u; i++)
        write_file_sector(lba, image, 3000, i);
    assert_app(3000);
}

static void junk_dropped_around_a_bin_does_not_refuse_it(void **state)
{
    (void)state;
    make_image(6000);
    /* other files' data, far more than the pending buffer, on both sides of where the BIN goes */
    for (uint32_t i = 0; i < 2u * UPDATE_PENDING_SECTORS; i++) {
        memset(sec, 0x22, sizeof sec);
        vfat_write(&v, cluster_lba(40) + i, sec);
        vfat_write(&v, cluster_lba(400) + i, sec);
    }
    uint32_t lba = host_file_at("APP     BIN", 6000, 200);
    for (uint32_t i = 0; i < 12u; i++)
        write_file_sector(lba, image, 6000, i);
    assert_app(6000);
}

static void a_bin_that_lost_a_sector_before_its_start_is_refused_before_erasing(void **state)
{
    (void)state;
    make_image(40000);
    uint32_t lba = host_file("APP     BIN", 40000);
    /* everything but the first sector, then the first: more than the buffer holds */
    for (uint32_t i = 1; i < 79u; i++)
        write_file_sector(lba, image, 40000, i);
    write_file_sector(lba, image, 40000, 0);
    assert_int_equal(update_status(&u), DB_ERR_ORDER);
    struct flash_model_stats st;
    flash_model_stats(&st);
    assert_int_equal(st.erases, 0);
}

/* ---- host behaviours of issue 8: never DB_DONE for a wrong image, never erase for what is not firmware ---- */

static uint32_t erases(void)
{
    struct flash_model_stats st;
    flash_model_stats(&st);
    return st.erases;
}

static void settle(void) { (void)update_tick(&u, UPDATE_BIN_SETTLE_MS, false); }

static void bin_written_by_a_host_that_syncs_as_it_goes_commits_the_whole_file(void **state)
{
    (void)state;
    const uint32_t size = 300u * 1024u, step = 128u * 1024u;
    make_image(IMAGE_MAX); /* 64 KB pattern, repeated below */
    static uint8_t big[300u * 1024u];
    for (uint32_t i = 0; i < size; i++)
        big[i] = image[i % IMAGE_MAX];
    memcpy(image, big, IMAGE_MAX);
    uint32_t lba = cluster_lba(5);
    for (uint32_t done = 0; done < size;) {
        uint32_t n = (size - done < step) ? size - done : step;
        for (uint32_t i = done / DB_SECTOR_SIZE; i < (done + n + DB_SECTOR_SIZE - 1u) / DB_SECTOR_SIZE; i++)
            write_file_sector(lba, big, done + n, i);
        done += n;
        (void)host_file("APP     BIN", done); /* FAT and entry with the size so far */
        (void)update_tick(&u, 20u, true);
        if (done < size)
            assert_int_equal(update_status(&u), DB_BUSY); /* never the first size */
    }
    settle();
    struct bootrec r;
    assert_int_equal(update_status(&u), DB_DONE);
    assert_true(bootrec_read(&r));
    assert_int_equal(r.app_size, size);
    assert_int_equal(r.app_crc, crc32_update(0, big, size));
}

static void uf2_block_repeated_with_other_data_is_a_conflict(void **state)
{
    (void)state;
    make_image(2048);
    uint32_t lba = host_file("APP     UF2", 8u * 512u);
    for (uint32_t i = 0; i < 4u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
    }
    image[2u * 256u + 7u] ^= 0x40u; /* block 2 again, one byte differs */
    uf2_sector_for(sec, 2, 8);
    vfat_write(&v, lba + 4u, sec);
    assert_int_equal(update_status(&u), DB_ERR_UF2_CONFLICT);
}

static void uf2_block_repeated_over_an_erased_double_word_is_a_conflict(void **state)
{
    (void)state;
    make_image(2048);
    memset(image + 256u, 0xFF, 256u); /* block 1 all erased bytes */
    uint32_t lba = host_file("APP     UF2", 8u * 512u);
    for (uint32_t i = 0; i < 4u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
    }
    memset(image + 256u, 0x00, 256u); /* another file's block 1 */
    uf2_sector_for(sec, 1, 8);
    vfat_write(&v, lba + 4u, sec);
    assert_int_equal(update_status(&u), DB_ERR_UF2_CONFLICT);
}

static void two_uf2_files_interleaved_data_first_never_commit_a_mix(void **state)
{
    (void)state;
    static uint8_t a[2048], b[2048];
    make_image(2048);
    memcpy(a, image, sizeof a);
    for (uint32_t i = 8; i < sizeof b; i++)
        image[i] = (uint8_t)(image[i] ^ 0x5Au);
    memcpy(b, image, sizeof b);
    /* A in clusters 5, B in cluster 6; the host writes A's even blocks and B's odd ones first */
    for (uint32_t i = 0; i < 8u; i++) {
        memcpy(image, (i % 2u) ? b : a, sizeof a);
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, ((i % 2u) ? cluster_lba(6) : cluster_lba(5)) + i, sec);
    }
    (void)host_file_entry("A       UF2", 8u * 512u, 5, 4);
    (void)host_file_entry("B       UF2", 8u * 512u, 6, 5);
    (void)update_eject(&u), (void)0;
    assert_int_not_equal(update_status(&u), DB_DONE);
    assert_int_equal(update_status(&u), DB_ERR_UF2_CONFLICT);
}

static void uf2_last_block_numbered_num_blocks_is_refused(void **state)
{
    (void)state;
    make_image(2048);
    uint32_t lba = host_file("APP     UF2", 9u * 512u);
    for (uint32_t i = 0; i < 8u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
    }
    uf2_sector_for(sec, 7, 8);
    sec[20] = 8; /* blockNo == numBlocks */
    vfat_write(&v, lba + 8u, sec);
    update_eject(&u);
    assert_int_equal(update_status(&u), DB_ERR_UF2_BLOCK);
}

static void uf2_linked_for_the_bootloader_is_refused_before_erasing(void **state)
{
    (void)state;
    const struct { uint32_t sp, pc; enum db_status want; } bad[] = {
        {0x20010000u, DB_FLASH_BASE + 0x1C1u, DB_ERR_ADDR_BOOT}, /* linked for 0x08000000 */
        {0u, DB_APP_BASE + 0x41u, DB_ERR_VECTORS},                /* SP = 0 */
    };
    for (uint32_t k = 0; k < 2u; k++) {
        flash_model_open_ram();
        memset(&report, 0, sizeof report);
        update_init(&u, &report);
        vfat_init(&v, &u);
        make_image(2048);
        put32(image, bad[k].sp);
        put32(image + 4, bad[k].pc);
        uint32_t lba = host_file("APP     UF2", 8u * 512u);
        for (uint32_t i = 8; i > 0; i--) { /* the vector table last */
            uf2_sector_for(sec, i - 1u, 8);
            vfat_write(&v, lba + i - 1u, sec);
        }
        assert_int_equal(update_status(&u), bad[k].want);
        assert_int_equal(erases(), 0);
    }
}

static void hex_with_a_zero_stack_pointer_is_refused_before_erasing(void **state)
{
    (void)state;
    make_image(4000);
    put32(image, 0u);
    uint32_t len = make_hex(4000);
    uint32_t lba = host_file("APP     HEX", len);
    for (uint32_t i = 0; i < (len + 511u) / 512u; i++)
        write_file_sector(lba, text, len, i);
    assert_int_equal(update_status(&u), DB_ERR_VECTORS);
    assert_int_equal(erases(), 0);
}

static void bin_whose_reset_handler_lies_past_its_end_is_refused_before_erasing(void **state)
{
    (void)state;
    make_image(3000);
    put32(image + 4, (DB_APP_BASE + 0x4001u));
    uint32_t lba = host_file("APP     BIN", 3000);
    for (uint32_t i = 0; i < 6u; i++)
        write_file_sector(lba, image, 3000, i);
    settle();
    assert_int_equal(update_status(&u), DB_ERR_VECTORS);
    assert_int_equal(erases(), 0);
}

static void uf2_with_payloads_not_a_multiple_of_8_in_any_order_is_exact(void **state)
{
    (void)state;
    const uint32_t payloads[] = {476u, 252u, 4u};
    for (uint32_t k = 0; k < 3u; k++) {
        flash_model_open_ram();
        memset(&report, 0, sizeof report);
        update_init(&u, &report);
        vfat_init(&v, &u);
        uint32_t pl = payloads[k], n = 20u, size = pl * n;
        make_image(size);
        uint32_t lba = host_file("APP     UF2", n * 512u);
        static const uint8_t order[20] = {7, 19, 3, 0, 11, 15, 1, 18, 5, 9, 13, 2, 17, 6, 10, 14, 4, 16, 8, 12};
        for (uint32_t j = 0; j < n; j++) {
            uint32_t no = order[j];
            struct uf2_block blk = {
                .flags = UF2_FLAG_FAMILY_ID, .target_addr = DB_APP_BASE + no * pl, .payload_size = pl,
                .block_no = no, .num_blocks = n, .family_or_size = DB_UF2_FAMILY, .payload = image + no * pl,
            };
            uf2_encode(sec, &blk);
            vfat_write(&v, lba + no, sec);
        }
        assert_app(size);
        assert_true(testlib_flash_holds(image, size));
    }
}

static void hex_with_the_high_section_first_is_exact(void **state)
{
    (void)state;
    make_image(6000);
    /* two abutting sections, the upper one (not 8-aligned) first; its text
     * (45 characters per 16-byte record) waits in the pending buffer */
    uint32_t n = 0;
    uint8_t rec[4 + 16];
    const uint8_t ext[6] = {2, 0, 0, 4, (uint8_t)(DB_APP_BASE >> 24), (uint8_t)(DB_APP_BASE >> 16)};
    n = hex_record(n, ext, 2);
    const uint32_t cut = 6000u - (UPDATE_PENDING_SECTORS - 2u) * DB_SECTOR_SIZE / 45u * 16u + 4u;
    for (int part = 1; part >= 0; part--) {
        uint32_t from = part ? cut : 0u, to = part ? 6000u : cut;
        for (uint32_t off = from; off < to; off += 16u) {
            uint32_t addr = DB_APP_BASE + off, len = (to - off < 16u) ? to - off : 16u;
            rec[0] = (uint8_t)len, rec[1] = (uint8_t)(addr >> 8), rec[2] = (uint8_t)addr, rec[3] = 0;
            memcpy(rec + 4, image + off, len);
            n = hex_record(n, rec, len);
        }
    }
    const uint8_t end_rec[4] = {0, 0, 0, 1};
    n = hex_record(n, end_rec, 0);
    uint32_t lba = host_file("APP     HEX", n);
    for (uint32_t i = 0; i < (n + 511u) / 512u; i++)
        write_file_sector(lba, text, n, i);
    assert_app(6000);
}

static void hex_opening_with_a_start_address_record_data_first_is_exact(void **state)
{
    (void)state;
    make_image(3000);
    uint32_t body = make_hex(3000);
    /* a 05 record (start linear address) in front, as some linkers write it */
    static uint8_t copy[HEX_TEXT_MAX];
    memcpy(copy, text, body);
    const uint8_t start[8] = {4, 0, 0, 5, 0x08, 0x00, 0x80, 0x41};
    uint32_t n = hex_record(0, start, 4);
    memcpy(text + n, copy, body);
    n += body;
    uint32_t lba = cluster_lba(5);
    for (uint32_t i = 0; i < (n + 511u) / 512u; i++)
        write_file_sector(lba, text, n, i);
    assert_int_equal(host_file("APP     HEX", n), lba);
    assert_app(3000);
}

static void elf_written_data_first_erases_nothing_and_says_elf(void **state)
{
    (void)state;
    make_image(8192);
    /* An ELF: header in the first cluster, the app's vector table at a
     * cluster boundary inside the file (sections are page aligned). */
    static uint8_t elf[16384];
    memset(elf, 0, sizeof elf);
    memcpy(elf, "\x7f" "ELF\x01\x01\x01", 7);
    memcpy(elf + 8192, image, 8192);
    uint32_t lba = cluster_lba(5);
    for (uint32_t i = 0; i < 32u; i++)
        write_file_sector(lba, elf, sizeof elf, i);
    (void)update_tick(&u, UPDATE_META_WAIT_MS / 2u, false);
    assert_int_equal(host_file("BLINKY  ELF", sizeof elf), lba);
    assert_int_equal(erases(), 0);
    assert_int_equal(update_status(&u), DB_ERR_ELF);
    assert_string_equal(update_file_name(&u), "BLINKY.ELF");
}

static void zip_says_extract_it(void **state)
{
    (void)state;
    static uint8_t zip[2048];
    memset(zip, 0x33, sizeof zip);
    memcpy(zip, "PK\x03\x04", 4);
    uint32_t lba = host_file("APP     ZIP", sizeof zip);
    for (uint32_t i = 0; i < 4u; i++)
        write_file_sector(lba, zip, sizeof zip, i);
    assert_int_equal(update_status(&u), DB_ERR_ZIP);
    assert_int_equal(erases(), 0);
}

static void a_large_file_that_is_not_firmware_written_data_first_says_so(void **state)
{
    (void)state;
    static uint8_t junk[200u * 1024u];
    for (uint32_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7u + 3u);
    uint32_t lba = cluster_lba(5);
    for (uint32_t i = 0; i < sizeof junk / 512u; i++)
        write_file_sector(lba, junk, sizeof junk, i);
    assert_int_equal(host_file("NOTES   TXT", sizeof junk), lba);
    assert_int_equal(update_status(&u), DB_ERR_NOT_FIRMWARE);
    assert_int_equal(erases(), 0);
    assert_false(update_tick(&u, 5000u, false)); /* no attempt: no reset */
}

static void bin_in_a_root_holding_more_than_16_files_commits(void **state)
{
    (void)state;
    memset(sec, 0x44, sizeof sec);
    for (uint32_t k = 0; k < 40u; k++) {
        char name[12];
        snprintf(name, sizeof name, "JUNK%04uTXT", (unsigned)k);
        uint32_t l = host_file_entry(name, 100u, 10u + k, 4u + k);
        vfat_write(&v, l, sec);
    }
    make_image(5000);
    uint32_t lba = host_file_entry("APP     BIN", 5000, 100, 60);
    for (uint32_t i = 0; i < 10u; i++)
        write_file_sector(lba, image, 5000, i);
    assert_app(5000);
}

static void bin_written_over_current_uf2_keeping_its_name_commits(void **state)
{
    (void)state;
    make_image(5000);
    assert_int_equal(testlib_update(image, 5000, 256, BOOTREC_FMT_UF2), DB_DONE); /* an app: CURRENT.UF2 shows */
    update_init(&u, &report);
    vfat_init(&v, &u);
    make_image(6000);
    image[100] ^= 1u;
    /* the host truncates CURRENT.UF2 and rewrites it in place (cluster 5) with the BIN */
    uint32_t lba = host_file_entry("CURRENT UF2", 6000, 5, 4);
    for (uint32_t i = 0; i < 12u; i++)
        write_file_sector(lba, image, 6000, i);
    assert_app(6000);
}

static void status_txt_keeps_its_size_while_the_text_changes(void **state)
{
    (void)state;
    uint8_t d[DB_SECTOR_SIZE];
    vfat_read(&v, VFAT_ROOT_LBA, d);
    uint32_t size = 0;
    for (uint32_t i = 0; i < 16u; i++)
        if (memcmp(d + 32u * i, "STATUS  TXT", 11) == 0)
            size = (uint32_t)d[32u * i + 28u] | (uint32_t)d[32u * i + 29u] << 8;
    assert_int_equal(size, VFAT_STATUS_FILE_BYTES);
    make_image(2048);
    uint32_t lba = host_file("APP     UF2", 8u * 512u);
    for (uint32_t i = 0; i < 8u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, lba + i, sec);
    }
    assert_int_equal(update_status(&u), DB_DONE);
    vfat_read(&v, VFAT_DATA_LBA + 2u * VFAT_SECTORS_PER_CLUSTER, d); /* STATUS.TXT's cluster */
    assert_memory_equal(d + VFAT_STATUS_FILE_BYTES - 2u, "\r\n", 2);
    assert_non_null(strstr((const char *)d, "App: " DB_APP_BASE_TEXT " 2048 bytes"));
}

static void uf2_written_to_the_raw_device_commits_after_the_host_is_quiet(void **state)
{
    (void)state;
    make_image(2048);
    for (uint32_t i = 0; i < 8u; i++) {
        uf2_sector_for(sec, i, 8);
        vfat_write(&v, cluster_lba(5) + i, sec); /* dd: no FAT, no directory */
    }
    assert_int_equal(update_status(&u), DB_BUSY); /* an entry may still come (macOS holds them ~25 s) */
    assert_false(update_tick(&u, UPDATE_META_WAIT_MS - 1000u, false));
    assert_int_equal(update_status(&u), DB_BUSY);
    (void)update_tick(&u, 1000u, false);
    assert_app(2048);
}

#if DB_AB_SLOTS /* two banks to go over */
static void an_image_that_outgrew_slot_b_goes_over_both_banks_at_the_retry(void **state)
{
    (void)state;
    /* an old app in A */
    make_image(5000);
    assert_int_equal(testlib_update(image, 5000, 256, BOOTREC_FMT_UF2), DB_DONE);
    testlib_confirm_active();
    update_init(&u, &report);
    vfat_init(&v, &u);
    /* a BIN larger than a slot, data first: no size until it has outgrown B */
    static uint8_t big[DB_SLOT_SIZE + 8192u];
    for (uint32_t k = 0; k < sizeof big; k++)
        big[k] = (uint8_t)(k * 31u + (k >> 9));
    memcpy(big, image, 8);
    uint32_t lba = cluster_lba(5);
    for (uint32_t k = 0; k < sizeof big / 512u && update_state(&u) != UPDATE_FINISHED; k++)
        write_file_sector(lba, big, sizeof big, k);
    assert_int_equal(update_status(&u), DB_ERR_SLOT_FULL);
    struct bootrec r;
    assert_true(bootrec_read(&r)); /* the old app still starts */
    assert_int_equal(r.app_size, 5000);
    /* the reset keeps the report: the copy again goes over both banks */
    update_init(&u, &report);
    vfat_init(&v, &u);
    for (uint32_t k = 0; k < sizeof big / 512u; k++)
        write_file_sector(lba, big, sizeof big, k);
    assert_int_equal(host_file("BIG     BIN", sizeof big), lba);
    (void)update_tick(&u, UPDATE_BIN_SETTLE_MS, false);
    assert_int_equal(update_status(&u), DB_DONE);
    assert_true(bootrec_read(&r));
    assert_int_equal(r.slot, BOOTREC_SLOT_WHOLE);
    assert_int_equal(r.app_crc, crc32_update(0, big, sizeof big));
}
#endif

static void a_refusal_seen_before_the_entry_resets_once_the_host_describes_the_file(void **state)
{
    (void)state;
    make_image(2048);
    struct uf2_block blk = {
        .flags = UF2_FLAG_FAMILY_ID, .target_addr = DB_FLASH_BASE, .payload_size = 256u, .block_no = 0,
        .num_blocks = 8, .family_or_size = DB_UF2_FAMILY, .payload = image,
    };
    uf2_encode(sec, &blk);
    uint32_t lba = cluster_lba(5);
    vfat_write(&v, lba, sec); /* data first: aimed at the bootloader, refused at once */
    assert_int_equal(update_status(&u), DB_ERR_ADDR_BOOT);
    assert_false(update_tick(&u, UPDATE_IDLE_RESET_MS, false)); /* no entry yet: the host may still write it */
    assert_int_equal(host_file("BOOT    UF2", 8u * 512u), lba);
    assert_true(update_tick(&u, UPDATE_IDLE_RESET_MS, false)); /* described and quiet: reset */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(hex_out_of_order_within_the_pending_buffer_is_flashed_exactly, setup),
        cmocka_unit_test_setup(hex_further_out_of_order_than_the_buffer_is_refused_with_order, setup),
        cmocka_unit_test_setup(bin_with_its_first_sector_late_within_the_buffer_is_flashed_exactly, setup),
        cmocka_unit_test_setup(bin_data_first_then_directory_cuts_the_padding_of_the_last_sector, setup),
        cmocka_unit_test_setup(bin_data_first_then_another_files_data_then_directory_is_flashed_exactly, setup),
        cmocka_unit_test_setup(bin_whose_entry_says_size_0_until_the_data_is_in_waits_for_the_size, setup),
        cmocka_unit_test_setup(uf2_repeated_blocks_are_harmless, setup),
        cmocka_unit_test_setup(no_sector_write_or_tick_keeps_the_host_waiting_past_its_timeout, setup),
        cmocka_unit_test_setup(a_stream_that_stops_half_way_times_out_and_asks_for_a_reset, setup),
        cmocka_unit_test_setup(uf2_blocks_of_two_files_are_refused_as_mixed, setup),
        cmocka_unit_test_setup(a_junk_sector_before_a_bin_does_not_disturb_it, setup),
        cmocka_unit_test_setup(junk_dropped_around_a_bin_does_not_refuse_it, setup),
        cmocka_unit_test_setup(a_bin_that_lost_a_sector_before_its_start_is_refused_before_erasing, setup),
        cmocka_unit_test_setup(bin_written_by_a_host_that_syncs_as_it_goes_commits_the_whole_file, setup),
        cmocka_unit_test_setup(uf2_block_repeated_with_other_data_is_a_conflict, setup),
        cmocka_unit_test_setup(uf2_block_repeated_over_an_erased_double_word_is_a_conflict, setup),
        cmocka_unit_test_setup(two_uf2_files_interleaved_data_first_never_commit_a_mix, setup),
        cmocka_unit_test_setup(uf2_last_block_numbered_num_blocks_is_refused, setup),
        cmocka_unit_test_setup(uf2_linked_for_the_bootloader_is_refused_before_erasing, setup),
        cmocka_unit_test_setup(hex_with_a_zero_stack_pointer_is_refused_before_erasing, setup),
        cmocka_unit_test_setup(bin_whose_reset_handler_lies_past_its_end_is_refused_before_erasing, setup),
        cmocka_unit_test_setup(uf2_with_payloads_not_a_multiple_of_8_in_any_order_is_exact, setup),
        cmocka_unit_test_setup(hex_with_the_high_section_first_is_exact, setup),
        cmocka_unit_test_setup(hex_opening_with_a_start_address_record_data_first_is_exact, setup),
        cmocka_unit_test_setup(elf_written_data_first_erases_nothing_and_says_elf, setup),
        cmocka_unit_test_setup(zip_says_extract_it, setup),
        cmocka_unit_test_setup(a_large_file_that_is_not_firmware_written_data_first_says_so, setup),
        cmocka_unit_test_setup(bin_in_a_root_holding_more_than_16_files_commits, setup),
        cmocka_unit_test_setup(bin_written_over_current_uf2_keeping_its_name_commits, setup),
        cmocka_unit_test_setup(status_txt_keeps_its_size_while_the_text_changes, setup),
        cmocka_unit_test_setup(uf2_written_to_the_raw_device_commits_after_the_host_is_quiet, setup),
#if DB_AB_SLOTS
        cmocka_unit_test_setup(an_image_that_outgrew_slot_b_goes_over_both_banks_at_the_retry, setup),
#endif
        cmocka_unit_test_setup(a_refusal_seen_before_the_entry_resets_once_the_host_describes_the_file, setup),
    };
    printf("update engine on %s\n", board.model); /* also links the board file before core */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
