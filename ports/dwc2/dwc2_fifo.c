/* FIFO RAM planner for the DWC2 OTG core (see dwc2_fifo.h). */
#include "dwc2_fifo.h"

#define DWC2_WORD_BYTES 4u
/* RM0432 "FIFO RAM allocation", device RX FIFO: 10 locations for SETUP
   packets, 1 for global OUT NAK, (largest packet / 4 + 1) for a packet and
   its status word, recommended twice, and 1 transfer-complete word per OUT EP. */
#define DWC2_RX_SETUP_WORDS 10u
#define DWC2_RX_GLOBAL_NAK_WORDS 1u

static uint16_t dwc2_words(uint16_t bytes)
{
    return (uint16_t)((bytes + DWC2_WORD_BYTES - 1u) / DWC2_WORD_BYTES);
}

bool dwc2_fifo_plan(uint16_t total_words, const uint16_t in_mps[DWC2_TX_FIFOS_MAX],
                    uint16_t out_eps, uint16_t out_mps, struct dwc2_fifo_layout *out)
{
    uint32_t tx_total = 0;
    for (uint32_t i = 0; i < DWC2_TX_FIFOS_MAX; i++) {
        uint32_t w = 0;
        if (in_mps[i] != 0u) {
            w = dwc2_words(in_mps[i]) * (i == 0u ? 1u : 2u);
            if (w < DWC2_TX_MIN_WORDS)
                w = DWC2_TX_MIN_WORDS;
        }
        out->tx_words[i] = (uint16_t)w;
        tx_total += w;
    }
    uint32_t rx_min = DWC2_RX_SETUP_WORDS + DWC2_RX_GLOBAL_NAK_WORDS + 2u * (dwc2_words(out_mps) + 1u) + out_eps;
    if (tx_total + rx_min > total_words)
        return false;
    out->rx_words = (uint16_t)(total_words - tx_total);
    uint32_t at = out->rx_words;
    for (uint32_t i = 0; i < DWC2_TX_FIFOS_MAX; i++) {
        out->tx_start[i] = out->tx_words[i] ? (uint16_t)at : 0u;
        at += out->tx_words[i];
    }
    out->used_words = (uint16_t)at;
    return true;
}
