/*
 * usb/scsi: every command this unit answers, its reply bytes and its sense
 * data, sent the way a host sends them (CBW, data, CSW) through the whole
 * stack and the test controller, with a RAM disk behind it.
 */
#include "usb_test_host.h"

static uint8_t buf[4 * DB_SECTOR_SIZE];

/* Run a command; then REQUEST SENSE and check key/asc/ascq. */
static uint8_t run(const uint8_t *cdb, uint8_t len, uint8_t flags, uint32_t host_len)
{
    struct th_bot r = th_command(cdb, len, flags, host_len, buf);
    return r.status;
}

static void expect_sense(uint8_t key, uint8_t asc, uint8_t ascq)
{
    uint8_t rs[6] = {0x03, 0, 0, 0, 18, 0};
    uint8_t sense[18];
    struct th_bot r = th_command(rs, 6, TH_CBW_IN, 18, sense);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.data, 18);
    assert_int_equal(sense[0], 0x70);
    assert_int_equal(sense[2] & 0x0F, key);
    assert_int_equal(sense[7], 10);
    assert_int_equal(sense[12], asc);
    assert_int_equal(sense[13], ascq);
}

static void test_fresh_unit_reports_medium_may_have_changed_once(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0};
    th_plug(&board);
    th_enumerate();
    /* INQUIRY is not held up by a unit attention (SPC) */
    assert_int_equal(run(inq, 6, TH_CBW_IN, 36), MSC_CSW_PASSED);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_UNIT_ATTENTION, 0x28, 0);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    expect_sense(0, 0, 0);
}

static void test_request_sense_reports_a_pending_unit_attention(void **state)
{
    (void)state;
    th_plug(&board);
    th_enumerate();
    expect_sense(SCSI_SK_UNIT_ATTENTION, 0x28, 0);
    uint8_t tur[6] = {0};
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
}

static void test_media_change_is_reported_again(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    th_ready();
    scsi_media_changed(&th_scsi);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_UNIT_ATTENTION, 0x28, 0);
}

static void test_inquiry_names_the_board_and_is_removable(void **state)
{
    (void)state;
    uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0};
    th_ready();
    memset(buf, 0xEE, 64);
    struct th_bot r = th_command(inq, 6, TH_CBW_IN, 36, buf);
    assert_int_equal(r.data, 36);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(buf[0], 0x00); /* direct access */
    assert_int_equal(buf[1], 0x80); /* removable */
    assert_int_equal(buf[3] & 0x0F, 2);
    assert_int_equal(buf[4], 31);
    assert_memory_equal(&buf[8], "dropboot", 8);
    assert_memory_equal(&buf[16], "STM32L4R5 drive ", 16);
    assert_memory_equal(&buf[32], "0.1 ", 4);
    /* allocation length 5: only the first five bytes */
    inq[4] = 5;
    r = th_command(inq, 6, TH_CBW_IN, 5, buf);
    assert_int_equal(r.data, 5);
    assert_int_equal(r.residue, 0);
}

static void test_inquiry_vital_product_data_is_refused(void **state)
{
    (void)state;
    uint8_t inq[6] = {0x12, 0x01, 0x80, 0, 36, 0};
    th_ready();
    assert_int_equal(run(inq, 6, TH_CBW_IN, 36), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_test_unit_ready(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    th_ready();
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    expect_sense(0, 0, 0);
}

static void test_read_capacity_10(void **state)
{
    (void)state;
    uint8_t cdb[10] = {0x25};
    th_ready();
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 8, buf);
    assert_int_equal(r.data, 8);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    uint8_t want[8] = {0, 0, 0, TH_DISK_SECTORS - 1, 0, 0, 2, 0};
    assert_memory_equal(buf, want, 8);
}

static void test_read_format_capacities(void **state)
{
    (void)state;
    uint8_t cdb[10] = {0x23, 0, 0, 0, 0, 0, 0, 0, 252, 0};
    th_ready();
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 252, buf);
    assert_int_equal(r.data, 12);
    assert_int_equal(r.residue, 240);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    uint8_t want[12] = {0, 0, 0, 8, 0, 0, 0, TH_DISK_SECTORS, 0x02, 0, 2, 0};
    assert_memory_equal(buf, want, 12);
}

static void test_read_10_returns_the_sectors(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, 0x28, TH_DISK_SECTORS - 4, 4);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 4 * DB_SECTOR_SIZE, buf);
    assert_int_equal(r.data, 4 * DB_SECTOR_SIZE);
    assert_memory_equal(buf, th_disk[TH_DISK_SECTORS - 4], 4 * DB_SECTOR_SIZE);
    /* zero blocks: no data, good */
    th_cdb10(cdb, 0x28, 0, 0);
    assert_int_equal(run(cdb, 10, TH_CBW_IN, 0), MSC_CSW_PASSED);
}

static void test_write_10_reaches_the_medium_and_reads_back(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    for (uint32_t i = 0; i < 2 * DB_SECTOR_SIZE; i++)
        buf[i] = (uint8_t)(0xC3 ^ i);
    th_cdb10(cdb, 0x2A, 30, 2);
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, 2 * DB_SECTOR_SIZE), MSC_CSW_PASSED);
    assert_memory_equal(th_disk[30], buf, 2 * DB_SECTOR_SIZE);
    uint8_t copy[2 * DB_SECTOR_SIZE];
    memcpy(copy, buf, sizeof copy);
    memset(buf, 0, sizeof copy);
    th_cdb10(cdb, 0x28, 30, 2);
    assert_int_equal(run(cdb, 10, TH_CBW_IN, 2 * DB_SECTOR_SIZE), MSC_CSW_PASSED);
    assert_memory_equal(buf, copy, sizeof copy);
}

static void test_lba_out_of_range_is_refused_with_sense(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, 0x28, TH_DISK_SECTORS - 1, 2); /* runs past the end */
    assert_int_equal(run(cdb, 10, TH_CBW_IN, 2 * DB_SECTOR_SIZE), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x21, 0);
    uint8_t before[DB_SECTOR_SIZE];
    memcpy(before, th_disk[TH_DISK_SECTORS - 1], sizeof before);
    th_cdb10(cdb, 0x2A, 0xFFFFFFFFu, 1); /* wraps around 32 bits */
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, DB_SECTOR_SIZE), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x21, 0);
    assert_memory_equal(th_disk[TH_DISK_SECTORS - 1], before, sizeof before);
}

static void test_read_error_reports_medium_error(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_bad_sector = 3;
    th_cdb10(cdb, 0x28, 3, 1);
    assert_int_equal(run(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_MEDIUM_ERROR, 0x11, 0);
}

static void test_verify_10(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, 0x2F, 0, TH_DISK_SECTORS);
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    th_cdb10(cdb, 0x2F, 1, TH_DISK_SECTORS);
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x21, 0);
    th_cdb10(cdb, 0x2F, 0, 1);
    cdb[1] = 0x02; /* BYTCHK: compare with host data, not offered */
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_mode_sense_6_all_pages_says_not_write_protected(void **state)
{
    (void)state;
    uint8_t cdb[6] = {0x1A, 0, 0x3F, 0, 192, 0}; /* as Linux sd asks through usb-storage */
    th_ready();
    struct th_bot r = th_command(cdb, 6, TH_CBW_IN, 192, buf);
    assert_int_equal(r.data, 24);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 192 - 24);
    assert_int_equal(buf[0], 23);       /* mode data length */
    assert_int_equal(buf[2] & 0x80, 0); /* WP clear */
    assert_int_equal(buf[3], 0);        /* no block descriptors */
    assert_int_equal(buf[4], 0x08);     /* caching page */
    assert_int_equal(buf[5], 0x12);
    assert_int_equal(buf[6] & 0x04, 0); /* WCE clear: no write cache */
    /* header only, as Linux asks first on some paths */
    cdb[4] = 4;
    r = th_command(cdb, 6, TH_CBW_IN, 4, buf);
    assert_int_equal(r.data, 4);
    assert_int_equal(buf[0], 23);
}

static void test_mode_sense_10_caching_page(void **state)
{
    (void)state;
    uint8_t cdb[10] = {0x5A, 0, 0x08, 0, 0, 0, 0, 0, 255, 0};
    th_ready();
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 255, buf);
    assert_int_equal(r.data, 28);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(buf[0] << 8 | buf[1], 26);
    assert_int_equal(buf[3] & 0x80, 0);
    assert_int_equal(buf[6] << 8 | buf[7], 0);
    assert_int_equal(buf[8], 0x08);
}

static void test_mode_sense_unknown_page_is_refused(void **state)
{
    (void)state;
    uint8_t cdb[6] = {0x1A, 0, 0x1C, 0, 192, 0};
    th_ready();
    assert_int_equal(run(cdb, 6, TH_CBW_IN, 192), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_prevent_allow_medium_removal(void **state)
{
    (void)state;
    uint8_t cdb[6] = {0x1E, 0, 0, 0, 1, 0};
    th_ready();
    assert_int_equal(run(cdb, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_true(th_scsi.prevent);
    cdb[4] = 0;
    assert_int_equal(run(cdb, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_false(th_scsi.prevent);
}

static void test_eject_calls_back_and_the_medium_is_gone_until_loaded(void **state)
{
    (void)state;
    uint8_t ssu[6] = {0x1B, 0, 0, 0, 0x02, 0}; /* LoEj, !Start */
    uint8_t tur[6] = {0};
    uint8_t cdb[10];
    th_ready();
    assert_int_equal(run(ssu, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(th_ejects, 1);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_NOT_READY, 0x3A, 0);
    th_cdb10(cdb, 0x28, 0, 1);
    assert_int_equal(run(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE), MSC_CSW_FAILED);
    expect_sense(SCSI_SK_NOT_READY, 0x3A, 0);
    ssu[4] = 0x03; /* LoEj + Start: load */
    assert_int_equal(run(ssu, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(th_ejects, 1);
}

static void test_start_stop_without_load_eject_does_nothing(void **state)
{
    (void)state;
    uint8_t ssu[6] = {0x1B, 0, 0, 0, 0x00, 0}; /* stop motor */
    uint8_t tur[6] = {0};
    th_ready();
    assert_int_equal(run(ssu, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(th_ejects, 0);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
}

static void test_synchronize_cache_10(void **state)
{
    (void)state;
    uint8_t cdb[10] = {0x35};
    th_ready();
    assert_int_equal(run(cdb, 10, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    expect_sense(0, 0, 0);
}

static void test_unknown_commands_are_illegal_requests(void **state)
{
    (void)state;
    /* READ(6), WRITE(6), FORMAT UNIT, REPORT LUNS, READ CAPACITY(16), ATA PASS-THROUGH(12), vendor */
    static const uint8_t ops[] = {0x08, 0x0A, 0x04, 0xA0, 0x9E, 0xA1, 0xFF, 0xC0};
    th_ready();
    for (size_t i = 0; i < sizeof ops; i++) {
        uint8_t cdb[12] = {ops[i]};
        assert_int_equal(run(cdb, 12, TH_CBW_IN, 0), MSC_CSW_FAILED);
        expect_sense(SCSI_SK_ILLEGAL_REQUEST, 0x20, 0);
    }
}

static void test_request_sense_is_fixed_format_cut_to_allocation(void **state)
{
    (void)state;
    uint8_t bad[6] = {0xFF};
    uint8_t rs[6] = {0x03, 0, 0, 0, 8, 0};
    th_ready();
    assert_int_equal(run(bad, 6, TH_CBW_OUT, 0), MSC_CSW_FAILED);
    struct th_bot r = th_command(rs, 6, TH_CBW_IN, 8, buf);
    assert_int_equal(r.data, 8);
    assert_int_equal(buf[0], 0x70);
    assert_int_equal(buf[2], SCSI_SK_ILLEGAL_REQUEST);
    /* reading the sense cleared it */
    expect_sense(0, 0, 0);
}

static void test_every_command_counts_as_host_activity(void **state)
{
    (void)state;
    uint8_t tur[6] = {0};
    th_ready();
    unsigned before = th_activity;
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(run(tur, 6, TH_CBW_OUT, 0), MSC_CSW_PASSED);
    assert_int_equal(th_activity, before + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_unit_reports_medium_may_have_changed_once),
        cmocka_unit_test(test_request_sense_reports_a_pending_unit_attention),
        cmocka_unit_test(test_media_change_is_reported_again),
        cmocka_unit_test(test_inquiry_names_the_board_and_is_removable),
        cmocka_unit_test(test_inquiry_vital_product_data_is_refused),
        cmocka_unit_test(test_test_unit_ready),
        cmocka_unit_test(test_read_capacity_10),
        cmocka_unit_test(test_read_format_capacities),
        cmocka_unit_test(test_read_10_returns_the_sectors),
        cmocka_unit_test(test_write_10_reaches_the_medium_and_reads_back),
        cmocka_unit_test(test_lba_out_of_range_is_refused_with_sense),
        cmocka_unit_test(test_read_error_reports_medium_error),
        cmocka_unit_test(test_verify_10),
        cmocka_unit_test(test_mode_sense_6_all_pages_says_not_write_protected),
        cmocka_unit_test(test_mode_sense_10_caching_page),
        cmocka_unit_test(test_mode_sense_unknown_page_is_refused),
        cmocka_unit_test(test_prevent_allow_medium_removal),
        cmocka_unit_test(test_eject_calls_back_and_the_medium_is_gone_until_loaded),
        cmocka_unit_test(test_start_stop_without_load_eject_does_nothing),
        cmocka_unit_test(test_synchronize_cache_10),
        cmocka_unit_test(test_unknown_commands_are_illegal_requests),
        cmocka_unit_test(test_request_sense_is_fixed_format_cut_to_allocation),
        cmocka_unit_test(test_every_command_counts_as_host_activity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
