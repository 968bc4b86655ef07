/*
 * The board door: strings and identity a board file provides.
 *
 * Each board defines `board` (ports/boards/<name>/board.c, or the simulator's
 * ports/sim/board_sim.c) and board_serial(). core/ and usb/ take what they need
 * from here through their init functions' arguments.
 */
#ifndef DB_BOARD_H
#define DB_BOARD_H

#include <stdint.h>

#define BOARD_SERIAL_LEN 24 /* 96-bit unique ID as hex digits */

struct board_info {
    const char *volume_label;     /* FAT label, at most 11 chars, upper case */
    const char *model;            /* INFO_UF2.TXT "Model:" e.g. "NUCLEO-L4R5ZI" */
    const char *board_id;         /* INFO_UF2.TXT "Board-ID:" */
    const char *url;              /* INDEX.HTM redirect target */
    const char *usb_manufacturer; /* USB string descriptor 1 */
    const char *usb_product;      /* USB string descriptor 2 */
    const char *scsi_vendor;      /* INQUIRY vendor, at most 8 chars */
    const char *scsi_product;     /* INQUIRY product, at most 16 chars */
    uint16_t usb_vid;
    uint16_t usb_pid;
};

extern const struct board_info board;

/* Write the unique serial number as BOARD_SERIAL_LEN hex digits plus NUL. */
void board_serial(char out[BOARD_SERIAL_LEN + 1]);

#endif
