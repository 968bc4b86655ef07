/*
 * Finding drives: mountinfo lines as the kernel writes them, INFO_UF2.TXT
 * and STATUS.TXT in the contract's format, a scan over a mountinfo file
 * naming real directories, and picking one drive among several.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "drive.h"

#define WORK DB_BUILD_DIR "/fixtures/tool_drive"

static const char info_text[] = "UF2 Bootloader v0.1.0 dropboot\r\n"
                                "Model: NUCLEO-L4R5ZI\r\n"
                                "Board-ID: STM32L4R5ZI-Nucleo-dropboot\r\n"
                                "Family-ID: 0x00ff6919\r\n"
                                "Serial: 0123456789ABCDEF01234567\r\n"
                                "App-Base: 0x08008000\r\n"
                                "App-Max-Size: 2060288\r\n";

static void mountinfo_lines_are_read_with_escapes_and_optional_fields(void **state)
{
    (void)state;
    struct mount_entry m;
    assert_true(drive_parse_mountinfo_line("36 35 8:1 / /media/me/NUCLEO\\040L4 rw,nosuid shared:12 master:1 - vfat "
                                           "/dev/sdb1 rw,uid=1000,fmask=0022\n",
                                           &m));
    assert_int_equal(m.mount_id, 36);
    assert_int_equal(m.dev_major, 8);
    assert_int_equal(m.dev_minor, 1);
    assert_string_equal(m.mount_point, "/media/me/NUCLEO L4");
    assert_string_equal(m.fstype, "vfat");
    assert_string_equal(m.source, "/dev/sdb1");

    assert_true(drive_parse_mountinfo_line("22 1 0:21 / /proc rw,relatime - proc proc rw", &m));
    assert_string_equal(m.fstype, "proc");

    assert_false(drive_parse_mountinfo_line("garbage", &m));
    assert_false(drive_parse_mountinfo_line("36 35 8:1 / /mnt rw shared:1", &m)); /* no "-" */
}

static void info_file_of_the_contract_is_understood(void **state)
{
    (void)state;
    struct drive d;
    memset(&d, 0, sizeof(d));
    assert_true(drive_parse_info(info_text, &d));
    assert_string_equal(d.version, "0.1.0");
    assert_string_equal(d.model, "NUCLEO-L4R5ZI");
    assert_string_equal(d.board_id, "STM32L4R5ZI-Nucleo-dropboot");
    assert_string_equal(d.serial, "0123456789ABCDEF01234567");
    assert_true(d.has_family);
    assert_int_equal(d.family, 0x00ff6919u);
    assert_true(d.has_app);
    assert_int_equal(d.app_base, 0x08008000u);
    assert_int_equal(d.app_max_size, 2060288u);

    /* another UF2 bootloader is not ours */
    assert_false(drive_parse_info("UF2 Bootloader v3.0 SFHWRO\r\nModel: Feather\r\n", &d));
    /* LF line ends work too */
    assert_true(drive_parse_info("UF2 Bootloader v0.2.0 dropboot\nSerial: 42\n", &d));
    assert_string_equal(d.serial, "42");
    assert_false(d.has_app);
}

static void status_file_gives_result_sentence_and_details(void **state)
{
    (void)state;
    struct drive_status s;
    assert_true(drive_parse_status("dropboot 0.1.0 NUCLEO-L4R5ZI\r\n"
                                   "Result: DB_ERR_UF2_FAMILY\r\n"
                                   "refused: UF2 file is for another chip family (this board takes STM32L4, "
                                   "0x00ff6919)\r\n"
                                   "File: BLINK.UF2\r\n"
                                   "App: 0x08008000 1024 bytes CRC-32 0x12345678\r\n",
                                   &s));
    assert_string_equal(s.header, "dropboot 0.1.0 NUCLEO-L4R5ZI");
    assert_string_equal(s.result, "DB_ERR_UF2_FAMILY");
    assert_string_equal(s.sentence,
                        "refused: UF2 file is for another chip family (this board takes STM32L4, 0x00ff6919)");
    assert_int_equal(s.detail_count, 2);
    assert_string_equal(s.details[0], "File: BLINK.UF2");
    assert_false(drive_parse_status("dropboot 0.1.0 X\r\nnothing here\r\n", &s));
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Three vfat mounts (two dropboot, one other UF2 board) and a non-FAT one, all plain directories. */
static void make_mounts(void)
{
    assert_int_equal(system("rm -rf " WORK " && mkdir -p " WORK "/a " WORK "/b " WORK "/other " WORK "/ext4"), 0);
    write_text(WORK "/a/INFO_UF2.TXT", info_text);
    char second[sizeof(info_text)];
    snprintf(second, sizeof(second), "%s", info_text);
    memcpy(strstr(second, "Serial: ") + 8, "FFFF", 4);
    write_text(WORK "/b/INFO_UF2.TXT", second);
    write_text(WORK "/other/INFO_UF2.TXT", "UF2 Bootloader v3.0 SFHWRO\r\n");
    write_text(WORK "/ext4/INFO_UF2.TXT", info_text);
    write_text(WORK "/mountinfo", "22 1 0:21 / /proc rw,relatime - proc proc rw\n"
                                  "40 1 0:50 / " WORK "/a rw shared:3 - vfat /dev/sda rw\n"
                                  "41 1 0:51 / " WORK "/b rw - vfat /dev/sdb rw\n"
                                  "42 1 0:52 / " WORK "/other rw - vfat /dev/sdc rw\n"
                                  "43 1 0:53 / " WORK "/ext4 rw - ext4 /dev/sdd rw\n");
    setenv("DROPBOOT_MOUNTINFO", WORK "/mountinfo", 1);
}

static void scan_finds_dropboot_vfat_mounts_only(void **state)
{
    (void)state;
    make_mounts();
    struct drive all[DRIVE_MAX];
    size_t n = drive_scan(all, DRIVE_MAX);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].mount_point, WORK "/a");
    assert_string_equal(all[0].serial, "0123456789ABCDEF01234567");
    assert_int_equal(all[0].mount_id, 40);
    assert_string_equal(all[1].serial, "FFFF456789ABCDEF01234567");
    assert_true(drive_still_mounted(&all[1]));
    all[1].mount_id = 99;
    assert_false(drive_still_mounted(&all[1]));
}

static void two_drives_and_no_choice_is_refused(void **state)
{
    (void)state;
    make_mounts();
    struct drive d;
    assert_int_equal(cli_select_drive(NULL, NULL, &d), EXIT_NO_DEVICE);
    assert_int_equal(cli_select_drive(NULL, "FFFF456789ABCDEF01234567", &d), EXIT_OK);
    assert_string_equal(d.mount_point, WORK "/b");
    assert_int_equal(cli_select_drive(WORK "/a", NULL, &d), EXIT_OK);
    assert_int_equal(d.mount_id, 40);
    assert_int_equal(cli_select_drive(WORK "/other", NULL, &d), EXIT_NO_DEVICE);
    assert_int_equal(cli_select_drive(NULL, "nope", &d), EXIT_NO_DEVICE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mountinfo_lines_are_read_with_escapes_and_optional_fields),
        cmocka_unit_test(info_file_of_the_contract_is_understood),
        cmocka_unit_test(status_file_gives_result_sentence_and_details),
        cmocka_unit_test(scan_finds_dropboot_vfat_mounts_only),
        cmocka_unit_test(two_drives_and_no_choice_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
