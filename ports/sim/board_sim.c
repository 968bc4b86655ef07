/*
 * The simulated board: it presents itself as the real board of the chip it
 * is built for (a NUCLEO-L4R5ZI unless the chip's config names another), so
 * that files made for the real board are accepted. The serial number comes from
 * --serial (two simulated devices on one computer are two drives).
 */
#include <string.h>

#include "board.h"
#include "board_sim.h"
#include "config.h"

#ifndef DB_SIM_BOARD_MODEL
#define DB_SIM_BOARD_MODEL "NUCLEO-L4R5ZI (simulated)"
#endif
#ifndef DB_SIM_BOARD_ID
#define DB_SIM_BOARD_ID "STM32L4R5-NUCLEO-dropboot"
#endif

const struct board_info board = {
    .volume_label = "DROPBOOT",
    .model = DB_SIM_BOARD_MODEL,
    .board_id = DB_SIM_BOARD_ID,
    .url = "https://github.com/dropboot/dropboot",
    .usb_manufacturer = "dropboot",
    .usb_product = "dropboot STM32L4R5",
    .scsi_vendor = "dropboot",
    .scsi_product = "STM32L4R5 drive",
    .usb_vid = 0x1209, /* pid.codes open-source VID */
    .usb_pid = 0xDB01, /* placeholder until a pid.codes PID is granted */
};

static char sim_serial[BOARD_SERIAL_LEN + 1] = "000000000000000000000001";

void board_sim_set_serial(const char *serial)
{
    /* Left-pad to the fixed width with '0', keep the last digits if too long. */
    size_t n = strlen(serial);
    const char *src = (n > BOARD_SERIAL_LEN) ? serial + (n - BOARD_SERIAL_LEN) : serial;
    size_t m = strlen(src);
    memset(sim_serial, '0', BOARD_SERIAL_LEN);
    memcpy(sim_serial + (BOARD_SERIAL_LEN - m), src, m);
    sim_serial[BOARD_SERIAL_LEN] = '\0';
}

void board_serial(char out[BOARD_SERIAL_LEN + 1])
{
    memcpy(out, sim_serial, BOARD_SERIAL_LEN + 1);
}
