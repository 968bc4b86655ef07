/* Simulator-only board settings. */
#ifndef DB_BOARD_SIM_H
#define DB_BOARD_SIM_H

/* Serial number to report (any string; padded or cut to BOARD_SERIAL_LEN). */
void board_sim_set_serial(const char *serial);

#endif
