/*
 * usb/usbd: enumeration and every standard request, driven through the test
 * controller in usb_test_host.h (the test plays the host, packet by packet).
 */
#include <stdio.h>

#include "board_sim.h"
#include "usb_test_host.h"

static void plug_sim_board(void)
{
    th_plug(&board);
}

static void test_enumeration_as_linux_does_it(void **state)
{
    (void)state;
    uint8_t buf[255];
    plug_sim_board();
    /* Linux asks for 64 bytes of the device descriptor at address 0 first. */
    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 64, buf), 18);
    assert_int_equal(buf[0], 18);
    assert_int_equal(buf[1], 1);
    assert_int_equal(buf[2] | buf[3] << 8, 0x0200);
    assert_int_equal(buf[7], 64);
    assert_int_equal(buf[8] | buf[9] << 8, board.usb_vid);
    assert_int_equal(buf[10] | buf[11] << 8, board.usb_pid);
    assert_int_equal(buf[14], 1);
    assert_int_equal(buf[15], 2);
    assert_int_equal(buf[16], 3);
    assert_int_equal(buf[17], 1);

    th_ev->bus_reset(th_ev->ctx);
    assert_int_equal(th_control(0x00, 5, 9, 0, 0, NULL), 0);
    assert_int_equal(th_set_address_value, 9);
    assert_int_equal(th_usbd.address, 9); /* recorded once the status stage completed */

    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 18, buf), 18);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, 9, buf), 9);
    uint16_t total = (uint16_t)(buf[2] | buf[3] << 8);
    assert_int_equal(total, 32);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, total, buf), 32);
    /* interface: mass storage, SCSI transparent, bulk-only */
    assert_int_equal(buf[9 + 1], 4);
    assert_int_equal(buf[9 + 4], 2);
    assert_int_equal(buf[9 + 5], 0x08);
    assert_int_equal(buf[9 + 6], 0x06);
    assert_int_equal(buf[9 + 7], 0x50);
    /* endpoints: bulk IN 0x81 and bulk OUT 0x01, 64 bytes */
    assert_int_equal(buf[18 + 2], 0x81);
    assert_int_equal(buf[18 + 3], 2);
    assert_int_equal(buf[18 + 4], 64);
    assert_int_equal(buf[25 + 2], 0x01);
    assert_int_equal(buf[25 + 3], 2);
    assert_int_equal(buf[25 + 4], 64);

    /* languages, then the strings in the language offered */
    assert_int_equal(th_control(0x80, 6, 0x0300, 0, 255, buf), 4);
    assert_int_equal(buf[2] | buf[3] << 8, 0x0409);
    int n = th_control(0x80, 6, 0x0302, 0x0409, 255, buf);
    assert_int_equal(n, 2 + 2 * (int)strlen(board.usb_product));
    for (size_t i = 0; i < strlen(board.usb_product); i++) {
        assert_int_equal(buf[2 + 2 * i], (uint8_t)board.usb_product[i]);
        assert_int_equal(buf[3 + 2 * i], 0);
    }
    n = th_control(0x80, 6, 0x0301, 0x0409, 255, buf);
    assert_int_equal(n, 2 + 2 * (int)strlen(board.usb_manufacturer));
    char serial[BOARD_SERIAL_LEN + 1];
    board_serial(serial);
    n = th_control(0x80, 6, 0x0303, 0x0409, 255, buf);
    assert_int_equal(n, 2 + 2 * BOARD_SERIAL_LEN);
    assert_int_equal(buf[1], 3);
    for (size_t i = 0; i < BOARD_SERIAL_LEN; i++)
        assert_int_equal(buf[2 + 2 * i], (uint8_t)serial[i]);

    assert_int_equal(th_control(0x00, 9, 1, 0, 0, NULL), 0);
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 1);
    /* usb-storage binds and asks for the highest LUN */
    assert_int_equal(th_control(0xA1, 0xFE, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 0);
    /* the device now waits for a CBW */
    assert_true(th_pipe(0x01)->active);
}

static void test_serial_string_changes_with_the_chip_id(void **state)
{
    (void)state;
    uint8_t buf[255];
    plug_sim_board();
    board_sim_set_serial("ABCDEF0123456789");
    int n = th_control(0x80, 6, 0x0303, 0x0409, 255, buf);
    assert_int_equal(n, 2 + 2 * BOARD_SERIAL_LEN);
    assert_int_equal(buf[2 + 2 * (BOARD_SERIAL_LEN - 1)], '9');
    assert_int_equal(buf[2 + 2 * (BOARD_SERIAL_LEN - 16)], 'A');
    board_sim_set_serial("1");
}

static void test_descriptor_is_cut_to_wlength(void **state)
{
    (void)state;
    uint8_t buf[255];
    plug_sim_board();
    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 8, buf), 8);
    assert_int_equal(buf[7], 64);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, 4, buf), 4);
    assert_int_equal(th_control(0x80, 6, 0x0302, 0x0409, 2, buf), 2);
}

static void test_reply_ending_on_a_packet_boundary_gets_a_zero_length_packet(void **state)
{
    (void)state;
    uint8_t buf[255];
    /* 31 characters: a 64-byte string descriptor, one full packet */
    struct board_info b = board;
    b.usb_product = "0123456789012345678901234567890";
    th_plug(&b);
    /* th_control checks the ZLP after a full last packet when wLength is larger */
    assert_int_equal(th_control(0x80, 6, 0x0302, 0x0409, 255, buf), 64);
    /* no ZLP when wLength is exactly the length */
    assert_int_equal(th_control(0x80, 6, 0x0302, 0x0409, 64, buf), 64);
}

static void test_long_board_string_is_cut_to_the_buffer(void **state)
{
    (void)state;
    uint8_t buf[255];
    struct board_info b = board;
    b.usb_manufacturer = "An extremely long manufacturer name that goes on and on beyond sixty-three characters";
    th_plug(&b);
    assert_int_equal(th_control(0x80, 6, 0x0301, 0x0409, 255, buf), 2 + 2 * USBD_STRING_MAX_CHARS);
    assert_int_equal(buf[0], 2 + 2 * USBD_STRING_MAX_CHARS);
}

static void test_device_qualifier_and_unknown_descriptors_stall(void **state)
{
    (void)state;
    uint8_t buf[255];
    plug_sim_board();
    assert_int_equal(th_control(0x80, 6, 0x0600, 0, 10, buf), TH_STALL);
    assert_int_equal(th_control(0x80, 6, 0x0700, 0, 9, buf), TH_STALL); /* other speed configuration */
    assert_int_equal(th_control(0x80, 6, 0x0304, 0x0409, 255, buf), TH_STALL);
    assert_int_equal(th_control(0x80, 6, 0x0201, 0, 9, buf), TH_STALL); /* no second configuration */
    assert_int_equal(th_control(0x80, 6, 0x2200, 0, 9, buf), TH_STALL); /* HID report: not ours */
    /* the stall ends with the next SETUP */
    assert_int_equal(th_control(0x80, 6, 0x0100, 0, 18, buf), 18);
}

static void test_unsupported_requests_stall(void **state)
{
    (void)state;
    uint8_t buf[64];
    plug_sim_board();
    th_enumerate();
    assert_int_equal(th_control(0x00, 3, 1, 0, 0, NULL), TH_STALL);    /* SET_FEATURE remote wakeup */
    assert_int_equal(th_control(0x00, 3, 2, 0x0100, 0, NULL), TH_STALL); /* TEST_MODE at full speed */
    assert_int_equal(th_control(0x00, 7, 0x0100, 0, 0, NULL), TH_STALL); /* SET_DESCRIPTOR */
    assert_int_equal(th_control(0x82, 12, 0, 0x81, 2, buf), TH_STALL);   /* SYNCH_FRAME */
    assert_int_equal(th_control(0xC0, 0x01, 0, 0, 4, buf), TH_STALL);    /* vendor */
    assert_int_equal(th_control(0xA1, 0x01, 0, 0, 4, buf), TH_STALL);    /* unknown class request */
    assert_int_equal(th_control(0xA1, 0xFE, 0, 1, 1, buf), TH_STALL);    /* Get Max LUN, no such interface */
    assert_int_equal(th_control(0x21, 0xFF, 1, 0, 0, NULL), TH_STALL);   /* BOT reset with wValue != 0 */
    assert_int_equal(th_control(0x00, 9, 2, 0, 0, NULL), TH_STALL);      /* no configuration 2 */
    assert_int_equal(th_control(0x80, 0, 0, 0, 2, buf), 2);              /* EP0 works again */
}

static void test_control_out_data_is_refused(void **state)
{
    (void)state;
    plug_sim_board();
    th_enumerate();
    /* SET_CONFIGURATION with a data stage makes no sense: stall, configuration kept */
    assert_int_equal(th_control(0x00, 9, 1, 0, 4, NULL), TH_STALL);
    uint8_t buf[1];
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 1);
}

static void test_get_set_configuration(void **state)
{
    (void)state;
    uint8_t buf[4];
    plug_sim_board();
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 0);
    /* class requests are refused until configured */
    assert_int_equal(th_control(0xA1, 0xFE, 0, 0, 1, buf), TH_STALL);
    assert_int_equal(th_control(0x00, 9, 1, 0, 0, NULL), 0);
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 1);
    assert_true(th_pipe(0x81)->open && th_pipe(0x01)->open);
    assert_int_equal(th_control(0x00, 9, 0, 0, 0, NULL), 0);
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 0);
    /* a bus reset unconfigures */
    assert_int_equal(th_control(0x00, 9, 1, 0, 0, NULL), 0);
    th_ev->bus_reset(th_ev->ctx);
    assert_int_equal(th_control(0x80, 8, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 0);
}

static void test_get_status_device_interface_endpoint(void **state)
{
    (void)state;
    uint8_t buf[2];
    plug_sim_board();
    assert_int_equal(th_control(0x80, 0, 0, 0, 2, buf), 2);
    assert_int_equal(buf[0] | buf[1] << 8, 0); /* bus powered, no remote wakeup */
    /* interface and bulk endpoints do not exist before configuration */
    assert_int_equal(th_control(0x81, 0, 0, 0, 2, buf), TH_STALL);
    assert_int_equal(th_control(0x82, 0, 0, 0x81, 2, buf), TH_STALL);
    assert_int_equal(th_control(0x82, 0, 0, 0x80, 2, buf), 2);
    th_enumerate();
    assert_int_equal(th_control(0x81, 0, 0, 0, 2, buf), 2);
    assert_int_equal(buf[0] | buf[1] << 8, 0);
    assert_int_equal(th_control(0x81, 0, 0, 1, 2, buf), TH_STALL); /* no interface 1 */
    assert_int_equal(th_control(0x82, 0, 0, 0x81, 2, buf), 2);
    assert_int_equal(buf[0], 0);
    assert_int_equal(th_control(0x82, 0, 0, 0x82, 2, buf), TH_STALL); /* no endpoint 0x82 */
    assert_int_equal(th_control(0x82, 0, 0, 0x01, 2, buf), 2);
    assert_int_equal(buf[0], 0);
}

static void test_endpoint_halt_set_and_cleared(void **state)
{
    (void)state;
    uint8_t buf[2];
    plug_sim_board();
    th_enumerate();
    assert_int_equal(th_control(0x02, 3, 0, 0x81, 0, NULL), 0); /* SET_FEATURE(ENDPOINT_HALT) */
    assert_int_equal(th_control(0x82, 0, 0, 0x81, 2, buf), 2);
    assert_int_equal(buf[0], 1);
    uint8_t data[64];
    assert_int_equal(th_in(0x81, data, sizeof data), TH_STALL);
    assert_int_equal(th_clear_halt(0x81), 0);
    assert_int_equal(th_control(0x82, 0, 0, 0x81, 2, buf), 2);
    assert_int_equal(buf[0], 0);
    /* halting OUT, then clearing it: the device waits for a CBW again */
    assert_int_equal(th_control(0x02, 3, 0, 0x01, 0, NULL), 0);
    assert_int_equal(th_out(0x01, data, 31), TH_STALL);
    assert_int_equal(th_clear_halt(0x01), 0);
    uint8_t tur[6] = {0};
    struct th_bot r = th_command(tur, 6, TH_CBW_OUT, 0, NULL);
    assert_int_equal(r.status, MSC_CSW_FAILED); /* the fresh unit's unit attention */
    /* only ENDPOINT_HALT is a feature of an endpoint */
    assert_int_equal(th_control(0x02, 1, 1, 0x81, 0, NULL), TH_STALL);
    /* EP0's halt feature is accepted and has no lasting effect */
    assert_int_equal(th_control(0x02, 1, 0, 0x00, 0, NULL), 0);
}

static void test_interface_alternate_setting(void **state)
{
    (void)state;
    uint8_t buf[1];
    plug_sim_board();
    assert_int_equal(th_control(0x81, 10, 0, 0, 1, buf), TH_STALL);
    th_enumerate();
    assert_int_equal(th_control(0x81, 10, 0, 0, 1, buf), 1);
    assert_int_equal(buf[0], 0);
    assert_int_equal(th_control(0x01, 11, 0, 0, 0, NULL), 0);
    assert_int_equal(th_control(0x01, 11, 1, 0, 0, NULL), TH_STALL);
    assert_true(th_pipe(0x01)->active); /* waits for a CBW after the reset of its pipes */
}

static void test_set_address_out_of_range_stalls(void **state)
{
    (void)state;
    plug_sim_board();
    assert_int_equal(th_control(0x00, 5, 128, 0, 0, NULL), TH_STALL);
    assert_int_equal(th_set_address_value, -1);
    assert_int_equal(th_control(0x00, 5, 127, 0, 0, NULL), 0);
    assert_int_equal(th_usbd.address, 127);
}

static void test_descriptor_helper_matches_what_ep0_sends(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    plug_sim_board();
    assert_int_equal(usbd_descriptor(&th_usbd, USBD_DESC_CONFIGURATION, 0, a, sizeof a), 32);
    assert_int_equal(th_control(0x80, 6, 0x0200, 0, 64, b), 32);
    assert_memory_equal(a, b, 32);
    assert_int_equal(usbd_descriptor(&th_usbd, USBD_DESC_DEVICE_QUALIFIER, 0, a, sizeof a), 0);
    /* bcdDevice is DB_VERSION "major.minor.patch" as 0xJJMN (USB 2.0 9.6.1) */
    unsigned major = 0, minor = 0, patch = 0;
    assert_int_equal(sscanf(DB_VERSION, "%u.%u.%u", &major, &minor, &patch), 3);
    assert_true(major <= 99u && minor <= 9u && patch <= 9u);
    assert_int_equal(usbd_descriptor(&th_usbd, USBD_DESC_DEVICE, 0, a, sizeof a), 18);
    assert_int_equal(a[12] | a[13] << 8, (major / 10u) << 12 | (major % 10u) << 8 | minor << 4 | patch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enumeration_as_linux_does_it),
        cmocka_unit_test(test_serial_string_changes_with_the_chip_id),
        cmocka_unit_test(test_descriptor_is_cut_to_wlength),
        cmocka_unit_test(test_reply_ending_on_a_packet_boundary_gets_a_zero_length_packet),
        cmocka_unit_test(test_long_board_string_is_cut_to_the_buffer),
        cmocka_unit_test(test_device_qualifier_and_unknown_descriptors_stall),
        cmocka_unit_test(test_unsupported_requests_stall),
        cmocka_unit_test(test_control_out_data_is_refused),
        cmocka_unit_test(test_get_set_configuration),
        cmocka_unit_test(test_get_status_device_interface_endpoint),
        cmocka_unit_test(test_endpoint_halt_set_and_cleared),
        cmocka_unit_test(test_interface_alternate_setting),
        cmocka_unit_test(test_set_address_out_of_range_stalls),
        cmocka_unit_test(test_descriptor_helper_matches_what_ep0_sends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
