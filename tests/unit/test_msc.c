/*
 * usb/msc: the Bulk-Only Transport's thirteen host/device cases (BOT 6.7),
 * invalid CBWs, Reset Recovery and the class requests, through the test
 * controller (the test plays the host) and a RAM disk behind SCSI.
 */
#include "usb_test_host.h"

#define OP_TUR 0x00
#define OP_INQUIRY 0x12
#define OP_READ10 0x28
#define OP_WRITE10 0x2A

static const uint8_t tur[6] = {OP_TUR, 0, 0, 0, 0, 0};
static const uint8_t inquiry36[6] = {OP_INQUIRY, 0, 0, 0, 36, 0};

static uint8_t data[4 * DB_SECTOR_SIZE];

static void case_01_hn_eq_dn_passes_with_no_residue(void **state)
{
    (void)state;
    th_ready();
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 0);
    assert_int_equal(r.csw_first, MSC_CSW_LEN);
}

static void case_02_hn_lt_di_is_a_phase_error(void **state)
{
    (void)state;
    th_ready();
    struct th_bot r = th_command(inquiry36, 6, TH_CBW_IN, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
}

static void case_03_hn_lt_do_is_a_phase_error_and_writes_nothing(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    uint8_t before[DB_SECTOR_SIZE];
    memcpy(before, th_disk[3], sizeof before);
    th_cdb10(cdb, OP_WRITE10, 3, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
    assert_memory_equal(th_disk[3], before, sizeof before);
}

static void case_04_hi_gt_dn_stalls_in_and_reports_full_residue(void **state)
{
    (void)state;
    th_ready();
    struct th_bot r = th_command(tur, 6, TH_CBW_IN, 512, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 512);
}

static void case_05_hi_gt_di_sends_what_it_has_then_stalls(void **state)
{
    (void)state;
    th_ready();
    struct th_bot r = th_command(inquiry36, 6, TH_CBW_IN, 100, data);
    assert_int_equal(r.data, 36); /* ended by a short packet */
    assert_int_equal(r.csw_first, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 64);
}

static void case_05_on_a_packet_boundary_the_stall_ends_the_data(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    /* READ(10) of 1 sector while the host allows 2: 512 bytes are full packets */
    th_cdb10(cdb, OP_READ10, 0, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 1024, data);
    assert_int_equal(r.data, TH_STALL);
    assert_memory_equal(data, th_disk[0], DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 512);
}

static void case_06_hi_eq_di_moves_everything(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, OP_READ10, 5, 3);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 3 * DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, 3 * DB_SECTOR_SIZE);
    assert_memory_equal(data, th_disk[5], 3 * DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 0);
    assert_int_equal(r.csw_first, MSC_CSW_LEN);
}

static void case_07_hi_lt_di_sends_what_the_host_allows_then_phase_error(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, OP_READ10, 0, 2);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 700, data);
    assert_int_equal(r.data, 700);
    assert_memory_equal(data, th_disk[0], 700);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
}

static void case_08_hi_ne_do_stalls_in_with_phase_error(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    uint8_t before[DB_SECTOR_SIZE];
    memcpy(before, th_disk[2], sizeof before);
    th_cdb10(cdb, OP_WRITE10, 2, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
    assert_memory_equal(th_disk[2], before, sizeof before);
}

static void case_09_ho_gt_dn_stalls_out_and_reports_full_residue(void **state)
{
    (void)state;
    th_ready();
    memset(data, 0xAB, DB_SECTOR_SIZE);
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, DB_SECTOR_SIZE);
}

static void case_10_ho_ne_di_stalls_out_with_phase_error(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, OP_READ10, 0, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_OUT, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
}

static void case_11_ho_gt_do_takes_what_it_needs_then_stalls_out(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    memset(data, 0x5A, 2 * DB_SECTOR_SIZE);
    th_cdb10(cdb, OP_WRITE10, 9, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_OUT, 2 * DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, DB_SECTOR_SIZE);
    assert_memory_equal(th_disk[9], data, DB_SECTOR_SIZE);
}

static void case_12_ho_eq_do_writes_everything(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    for (uint32_t i = 0; i < 4 * DB_SECTOR_SIZE; i++)
        data[i] = (uint8_t)(i * 13u + 1u);
    th_cdb10(cdb, OP_WRITE10, 60, 4);
    struct th_bot r = th_command(cdb, 10, TH_CBW_OUT, 4 * DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, 4 * DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_PASSED);
    assert_int_equal(r.residue, 0);
    assert_memory_equal(th_disk[60], data, 4 * DB_SECTOR_SIZE);
}

static void case_13_ho_lt_do_takes_what_the_host_sends_then_phase_error(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    memset(data, 0x77, DB_SECTOR_SIZE);
    th_cdb10(cdb, OP_WRITE10, 20, 2);
    struct th_bot r = th_command(cdb, 10, TH_CBW_OUT, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_PHASE_ERROR);
}

static void failed_command_reports_failed_status_and_residue(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_cdb10(cdb, OP_READ10, TH_DISK_SECTORS, 1); /* past the end */
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL);
    assert_int_equal(r.status, MSC_CSW_FAILED);
    assert_int_equal(r.residue, DB_SECTOR_SIZE);
}

static void read_error_midway_stops_the_data_and_fails(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    th_bad_sector = 11;
    th_cdb10(cdb, OP_READ10, 10, 3);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, 3 * DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, TH_STALL); /* one sector arrived, then the pipe stalled */
    assert_memory_equal(data, th_disk[10], DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_FAILED);
    assert_int_equal(r.residue, 2 * DB_SECTOR_SIZE);
}

/* A CBW that is not valid stalls both pipes; they stay stalled through
   CLEAR_FEATURE until the Bulk-Only Reset; then commands work again. */
static void check_invalid_cbw_needs_reset_recovery(const uint8_t *cbw, uint32_t len)
{
    uint8_t buf[64];
    assert_int_equal(th_out(0x01, cbw, len), (int)len);
    assert_int_equal(th_in(0x81, buf, sizeof buf), TH_STALL);
    assert_int_equal(th_out(0x01, buf, 31), TH_STALL);
    assert_int_equal(th_clear_halt(0x81), 0);
    assert_int_equal(th_clear_halt(0x01), 0);
    assert_int_equal(th_in(0x81, buf, sizeof buf), TH_STALL);
    assert_int_equal(th_out(0x01, buf, 31), TH_STALL);
    uint8_t st[2];
    assert_int_equal(th_control(0x82, 0, 0, 0x81, 2, st), 2);
    assert_int_equal(st[0], 1);
    /* Reset Recovery */
    assert_int_equal(th_bot_reset(), 0);
    assert_int_equal(th_clear_halt(0x81), 0);
    assert_int_equal(th_clear_halt(0x01), 0);
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
}

static void invalid_cbw_signature_stalls_both_until_reset_recovery(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN];
    th_ready();
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    cbw[3] = 'X';
    check_invalid_cbw_needs_reset_recovery(cbw, MSC_CBW_LEN);
}

static void short_cbw_is_invalid(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN];
    th_ready();
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    check_invalid_cbw_needs_reset_recovery(cbw, 30);
}

static void long_cbw_is_invalid(void **state)
{
    (void)state;
    uint8_t cbw[64] = {0};
    th_ready();
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    check_invalid_cbw_needs_reset_recovery(cbw, 33);
}

static void cbw_for_another_lun_is_invalid(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN];
    th_ready();
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    cbw[13] = 1;
    check_invalid_cbw_needs_reset_recovery(cbw, MSC_CBW_LEN);
}

static void cbw_with_bad_command_length_is_invalid(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN];
    th_ready();
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    cbw[14] = 17;
    check_invalid_cbw_needs_reset_recovery(cbw, MSC_CBW_LEN);
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    cbw[14] = 0;
    check_invalid_cbw_needs_reset_recovery(cbw, MSC_CBW_LEN);
}

static void reset_in_the_middle_of_a_read_drops_the_command(void **state)
{
    (void)state;
    uint8_t cdb[10], cbw[MSC_CBW_LEN];
    th_ready();
    th_cdb10(cdb, OP_READ10, 0, 4);
    th_make_cbw(cbw, 77, TH_CBW_IN, 4 * DB_SECTOR_SIZE, cdb, 10);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), MSC_CBW_LEN);
    assert_int_equal(th_in(0x81, data, DB_SECTOR_SIZE), DB_SECTOR_SIZE); /* the host gives up after one */
    assert_int_equal(th_bot_reset(), 0);
    assert_int_equal(th_clear_halt(0x81), 0);
    assert_int_equal(th_clear_halt(0x01), 0);
    /* the next command starts clean: its data is its own, its CSW has its tag */
    th_cdb10(cdb, OP_READ10, 7, 1);
    struct th_bot r = th_command(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE, data);
    assert_int_equal(r.data, DB_SECTOR_SIZE);
    assert_memory_equal(data, th_disk[7], DB_SECTOR_SIZE);
    assert_int_equal(r.status, MSC_CSW_PASSED);
}

static void reset_in_the_middle_of_a_write_drops_the_command(void **state)
{
    (void)state;
    uint8_t cdb[10], cbw[MSC_CBW_LEN];
    th_ready();
    th_cdb10(cdb, OP_WRITE10, 0, 4);
    th_make_cbw(cbw, 78, TH_CBW_OUT, 4 * DB_SECTOR_SIZE, cdb, 10);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), MSC_CBW_LEN);
    memset(data, 0x11, DB_SECTOR_SIZE);
    assert_int_equal(th_out(0x01, data, DB_SECTOR_SIZE), DB_SECTOR_SIZE);
    assert_int_equal(th_bot_reset(), 0);
    assert_int_equal(th_clear_halt(0x81), 0);
    assert_int_equal(th_clear_halt(0x01), 0);
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
}

static void bot_reset_keeps_a_stall_until_the_host_clears_it(void **state)
{
    (void)state;
    th_ready();
    struct th_bot r;
    uint8_t cbw[MSC_CBW_LEN];
    th_make_cbw(cbw, 5, TH_CBW_IN, 512, tur, 6);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), MSC_CBW_LEN);
    assert_int_equal(th_in(0x81, data, 512), TH_STALL); /* case 4 */
    assert_int_equal(th_bot_reset(), 0);
    assert_int_equal(th_in(0x81, data, 64), TH_STALL);   /* BOT 3.1: stall survives the reset */
    assert_int_equal(th_clear_halt(0x81), 0);
    r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_PASSED);
}

static void get_max_lun_is_zero(void **state)
{
    (void)state;
    uint8_t b[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    th_ready();
    assert_int_equal(th_control(0xA1, 0xFE, 0, 0, 1, b), 1);
    assert_int_equal(b[0], 0);
    assert_int_equal(th_control(0xA1, 0xFE, 0, 0, 0, b), TH_STALL); /* wLength 0 cannot carry it */
}

static void tags_are_echoed_and_commands_follow_each_other(void **state)
{
    (void)state;
    uint8_t cdb[10];
    th_ready();
    for (uint32_t i = 0; i < 20; i++) {
        th_cdb10(cdb, OP_READ10, i, 1);
        struct th_bot r = th_command(cdb, 10, TH_CBW_IN, DB_SECTOR_SIZE, data); /* checks the tag */
        assert_int_equal(r.status, MSC_CSW_PASSED);
        assert_memory_equal(data, th_disk[i], DB_SECTOR_SIZE);
    }
}

static void unconfigured_device_ignores_bulk_traffic(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN];
    th_plug(&board);
    th_make_cbw(cbw, 1, TH_CBW_OUT, 0, tur, 6);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), TH_NAK);
    th_enumerate();
    assert_int_equal(th_control(0x00, 9, 0, 0, 0, NULL), 0); /* deconfigure */
    assert_int_equal(th_activity, 0);
}

static void idle_only_once_the_host_has_the_csw(void **state)
{
    (void)state;
    uint8_t cbw[MSC_CBW_LEN], csw[64];
    th_ready();
    assert_true(msc_idle(&th_msc));
    th_make_cbw(cbw, 9, TH_CBW_OUT, 0, tur, 6);
    assert_int_equal(th_out(0x01, cbw, MSC_CBW_LEN), MSC_CBW_LEN);
    assert_false(msc_idle(&th_msc)); /* the CSW waits for the host's IN */
    assert_int_equal(th_in(0x81, csw, sizeof csw), MSC_CSW_LEN);
    assert_true(msc_idle(&th_msc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case_01_hn_eq_dn_passes_with_no_residue),
        cmocka_unit_test(case_02_hn_lt_di_is_a_phase_error),
        cmocka_unit_test(case_03_hn_lt_do_is_a_phase_error_and_writes_nothing),
        cmocka_unit_test(case_04_hi_gt_dn_stalls_in_and_reports_full_residue),
        cmocka_unit_test(case_05_hi_gt_di_sends_what_it_has_then_stalls),
        cmocka_unit_test(case_05_on_a_packet_boundary_the_stall_ends_the_data),
        cmocka_unit_test(case_06_hi_eq_di_moves_everything),
        cmocka_unit_test(case_07_hi_lt_di_sends_what_the_host_allows_then_phase_error),
        cmocka_unit_test(case_08_hi_ne_do_stalls_in_with_phase_error),
        cmocka_unit_test(case_09_ho_gt_dn_stalls_out_and_reports_full_residue),
        cmocka_unit_test(case_10_ho_ne_di_stalls_out_with_phase_error),
        cmocka_unit_test(case_11_ho_gt_do_takes_what_it_needs_then_stalls_out),
        cmocka_unit_test(case_12_ho_eq_do_writes_everything),
        cmocka_unit_test(case_13_ho_lt_do_takes_what_the_host_sends_then_phase_error),
        cmocka_unit_test(failed_command_reports_failed_status_and_residue),
        cmocka_unit_test(read_error_midway_stops_the_data_and_fails),
        cmocka_unit_test(invalid_cbw_signature_stalls_both_until_reset_recovery),
        cmocka_unit_test(short_cbw_is_invalid),
        cmocka_unit_test(long_cbw_is_invalid),
        cmocka_unit_test(cbw_for_another_lun_is_invalid),
        cmocka_unit_test(cbw_with_bad_command_length_is_invalid),
        cmocka_unit_test(reset_in_the_middle_of_a_read_drops_the_command),
        cmocka_unit_test(reset_in_the_middle_of_a_write_drops_the_command),
        cmocka_unit_test(bot_reset_keeps_a_stall_until_the_host_clears_it),
        cmocka_unit_test(get_max_lun_is_zero),
        cmocka_unit_test(tags_are_echoed_and_commands_follow_each_other),
        cmocka_unit_test(unconfigured_device_ignores_bulk_traffic),
        cmocka_unit_test(idle_only_once_the_host_has_the_csw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
