/*
 * The STM32 96-bit unique device ID as the drive's serial number: three
 * words at the chip's address, most significant word first, as hex digits
 * (the way ST's tools print it). Used by the board files' board_serial.
 */
#ifndef DB_UID_H
#define DB_UID_H

#include <stdint.h>

#include "board.h"

void uid_serial(uint32_t uid_addr, char out[BOARD_SERIAL_LEN + 1]);

#endif
