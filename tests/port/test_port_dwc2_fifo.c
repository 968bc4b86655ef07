/*
 * The DWC2 FIFO planner (ports/dwc2/dwc2_fifo.c): the layout the driver
 * programs fits the OTG FS core's 320 words, every TX FIFO is at least 16
 * words, the FIFOs do not overlap, and impossible requests are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dwc2_fifo.h"
#include "regs_otg.h"

static void check_layout(const struct dwc2_fifo_layout *l, uint16_t total)
{
    /* Word ranges [start, start + len): RX first at 0, then each TX FIFO. */
    uint32_t starts[DWC2_TX_FIFOS_MAX + 1] = {0};
    uint32_t lens[DWC2_TX_FIFOS_MAX + 1] = {l->rx_words};
    for (uint32_t i = 0; i < DWC2_TX_FIFOS_MAX; i++) {
        starts[i + 1] = l->tx_start[i];
        lens[i + 1] = l->tx_words[i];
    }
    for (uint32_t a = 0; a <= DWC2_TX_FIFOS_MAX; a++) {
        if (lens[a] == 0)
            continue;
        assert_true(starts[a] + lens[a] <= total);
        for (uint32_t b = a + 1; b <= DWC2_TX_FIFOS_MAX; b++) {
            if (lens[b] == 0)
                continue;
            bool apart = starts[a] + lens[a] <= starts[b] || starts[b] + lens[b] <= starts[a];
            assert_true(apart);
        }
    }
    assert_true(l->used_words <= total);
}

static void driver_layout_fits_320_words_without_overlap(void **state)
{
    (void)state;
    /* What dcd_dwc2.c asks for: EP0 and two bulk IN endpoints of 64 bytes. */
    const uint16_t in_mps[DWC2_TX_FIFOS_MAX] = {64, 64, 64, 0, 0, 0};
    struct dwc2_fifo_layout l;
    assert_true(dwc2_fifo_plan(OTG_FIFO_WORDS, in_mps, 3, 64, &l));
    check_layout(&l, OTG_FIFO_WORDS);
    assert_int_equal(l.used_words, OTG_FIFO_WORDS);
    for (uint32_t i = 0; i < 3; i++)
        assert_true(l.tx_words[i] >= DWC2_TX_MIN_WORDS);
    assert_int_equal(l.tx_words[0], 16); /* one 64-byte packet */
    assert_int_equal(l.tx_words[1], 32); /* two packets: double buffered */
    /* RM0432 for the RX FIFO: 10 SETUP + 1 global NAK + 2 * (16 + 1) + 3 OUT endpoints. */
    assert_true(l.rx_words >= 10 + 1 + 2 * (64 / 4 + 1) + 3);
    assert_int_equal(l.tx_words[3], 0);
}

static void small_packets_still_get_sixteen_word_tx_fifos(void **state)
{
    (void)state;
    const uint16_t in_mps[DWC2_TX_FIFOS_MAX] = {8, 8, 16, 0, 64, 0};
    struct dwc2_fifo_layout l;
    assert_true(dwc2_fifo_plan(OTG_FIFO_WORDS, in_mps, 2, 64, &l));
    check_layout(&l, OTG_FIFO_WORDS);
    for (uint32_t i = 0; i < DWC2_TX_FIFOS_MAX; i++) {
        if (in_mps[i])
            assert_true(l.tx_words[i] >= DWC2_TX_MIN_WORDS);
        else
            assert_int_equal(l.tx_words[i], 0);
    }
}

static void every_endpoint_count_and_packet_size_fits_or_is_refused(void **state)
{
    (void)state;
    static const uint16_t sizes[] = {8, 16, 32, 64};
    for (uint32_t used = 1; used <= DWC2_TX_FIFOS_MAX; used++) {
        for (uint32_t s = 0; s < 4; s++) {
            uint16_t in_mps[DWC2_TX_FIFOS_MAX] = {0};
            for (uint32_t i = 0; i < used; i++)
                in_mps[i] = sizes[s];
            struct dwc2_fifo_layout l;
            if (dwc2_fifo_plan(OTG_FIFO_WORDS, in_mps, (uint16_t)used, sizes[s], &l))
                check_layout(&l, OTG_FIFO_WORDS);
        }
    }
}

static void too_many_large_fifos_are_refused(void **state)
{
    (void)state;
    /* 6 IN endpoints of 512 bytes (not full speed, but a caller mistake). */
    const uint16_t in_mps[DWC2_TX_FIFOS_MAX] = {512, 512, 512, 512, 512, 512};
    struct dwc2_fifo_layout l;
    assert_false(dwc2_fifo_plan(OTG_FIFO_WORDS, in_mps, 1, 64, &l));
    /* The RX minimum counts too: no room left for it is a refusal. */
    const uint16_t big[DWC2_TX_FIFOS_MAX] = {64, 256, 272, 0, 0, 0}; /* 280 TX words + 48 RX > 320 */
    assert_false(dwc2_fifo_plan(OTG_FIFO_WORDS, big, 3, 64, &l));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(driver_layout_fits_320_words_without_overlap),
        cmocka_unit_test(small_packets_still_get_sixteen_word_tx_fifos),
        cmocka_unit_test(every_endpoint_count_and_packet_size_fits_or_is_refused),
        cmocka_unit_test(too_many_large_fifos_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
