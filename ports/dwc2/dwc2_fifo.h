/*
 * FIFO RAM layout for the DWC2 OTG core: one shared RX FIFO, then one TX FIFO
 * per IN endpoint, packed in the core's 32-bit-word FIFO RAM. Pure: the
 * driver programs GRXFSIZ / DIEPTXF from the result, host tests check it.
 */
#ifndef DB_DWC2_FIFO_H
#define DB_DWC2_FIFO_H

#include <stdbool.h>
#include <stdint.h>

#define DWC2_TX_FIFOS_MAX 6u   /* EP0 + IN endpoints 1..5 of the OTG FS core */
#define DWC2_TX_MIN_WORDS 16u  /* RM0432: a TX FIFO is at least 16 words deep */

struct dwc2_fifo_layout {
    uint16_t rx_words;                        /* RX FIFO from word 0 */
    uint16_t tx_start[DWC2_TX_FIFOS_MAX];     /* in words from the FIFO RAM start */
    uint16_t tx_words[DWC2_TX_FIFOS_MAX];     /* 0 for an unused IN endpoint */
    uint16_t used_words;
};

/*
 * Plan the layout for total_words of FIFO RAM. in_mps[i] is the max packet
 * size of IN endpoint i (0 = unused; index 0 is EP0), out_eps the number of
 * OUT endpoints (EP0 included) and out_mps the largest OUT max packet.
 * EP0 gets one packet of TX FIFO, other IN endpoints two (double buffered);
 * the RX FIFO gets at least RM0432's minimum and then everything left, since
 * OUT (host writes the firmware) is the hot path. False if it cannot fit.
 */
bool dwc2_fifo_plan(uint16_t total_words, const uint16_t in_mps[DWC2_TX_FIFOS_MAX],
                    uint16_t out_eps, uint16_t out_mps, struct dwc2_fifo_layout *out);

#endif
