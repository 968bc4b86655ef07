/*
 * ports/dwc2/dcd_dwc2.c against a model of the DWC2 OTG FS core
 * (dwc2_regmodel.c): initialisation, bus reset, SETUP (with core 3.10a's
 * extra OUT complete), control transfers split into 64-byte packets, bulk
 * OUT and IN transfers longer than the FIFO, stalls, suspend/resume.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dcd.h"
#include "dcd_dwc2.h"
#include "dwc2_regmodel.h"
#include "regs_otg.h"

/* The port's hardware helpers the driver calls: no clocks or pins on a PC. */
void usb_hw_init(void);
void usb_hw_init(void) {}
void clock_delay_ms(uint32_t ms);
void clock_delay_ms(uint32_t ms) { (void)ms; }

#define EV_MAX 32

struct ev_rec {
    char kind;        /* 'R' reset, 'S' setup, 'X' xfer done, 'U' suspend, 'W' resume */
    uint8_t ep;
    uint32_t len;
    uint8_t setup[8];
};

static struct ev_rec evs[EV_MAX];
static int nev;

static void on_reset(void *ctx) { (void)ctx; evs[nev++] = (struct ev_rec){.kind = 'R'}; }
static void on_setup(void *ctx, const uint8_t s[8])
{
    (void)ctx;
    evs[nev] = (struct ev_rec){.kind = 'S'};
    memcpy(evs[nev++].setup, s, 8);
}
static void on_done(void *ctx, uint8_t ep, uint32_t len)
{
    (void)ctx;
    evs[nev++] = (struct ev_rec){.kind = 'X', .ep = ep, .len = len};
}
static void on_suspend(void *ctx) { (void)ctx; evs[nev++] = (struct ev_rec){.kind = 'U'}; }
static void on_resume(void *ctx) { (void)ctx; evs[nev++] = (struct ev_rec){.kind = 'W'}; }

static const struct dcd_events events = {NULL, on_reset, on_setup, on_done, on_suspend, on_resume};

static const uint8_t get_device_desc[8] = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x40, 0x00};

/* Up and enumerated: EP0 open, bulk 0x81 / 0x01 open, events cleared. */
static int setup_enumerated(void **state)
{
    (void)state;
    model_reset();
    nev = 0;
    dcd_init(&events);
    dcd_connect();
    model_bus_reset();
    dcd_poll();
    model_enum_done();
    dcd_poll();
    dcd_ep_open(0x00, DCD_EP_CONTROL, 64);
    dcd_ep_open(0x80, DCD_EP_CONTROL, 64);
    dcd_ep_open(0x81, DCD_EP_BULK, 64);
    dcd_ep_open(0x01, DCD_EP_BULK, 64);
    nev = 0;
    return 0;
}

static void init_forces_device_mode_with_the_session_valid_and_stays_detached(void **state)
{
    (void)state;
    model_reset();
    nev = 0;
    dcd_init(&events);
    uint32_t usbcfg = model_reg(0x00C);
    assert_true(usbcfg & OTG_GUSBCFG_FDMOD_Msk);
    assert_false(usbcfg & OTG_GUSBCFG_FHMOD_Msk);
    assert_int_equal((usbcfg & OTG_GUSBCFG_TRDT_Msk) >> OTG_GUSBCFG_TRDT_Pos, 6);
    assert_true(model_reg(0x038) & OTG_GCCFG_PWRDWN_Msk);
    assert_false(model_reg(0x038) & OTG_GCCFG_VBDEN_Msk);
    uint32_t otg = model_reg(0x000);
    assert_true((otg & OTG_GOTGCTL_BVALOEN_Msk) && (otg & OTG_GOTGCTL_BVALOVAL_Msk));
    assert_true(model_reg(0x804) & OTG_DCTL_SDIS_Msk);
    assert_int_equal(model_reg(0x800) & 3u, OTG_DCFG_DSPD_FULL);
    assert_int_equal(model_reg(0x008) & 1u, 0); /* GAHBCFG.GINTMSK off: polled */
    dcd_connect();
    assert_false(model_reg(0x804) & OTG_DCTL_SDIS_Msk);
    dcd_disconnect();
    assert_true(model_reg(0x804) & OTG_DCTL_SDIS_Msk);
    assert_int_equal(nev, 0);
    assert_int_equal(model_errors(), 0);
    assert_int_equal(dwc2_core_id(), 0x4F54310Au);
    assert_int_equal(dwc2_faults(), 0);
}

/* The F411's core 2.81a has no B-session override in GOTGCTL and bit 21 of
   GCCFG means "no VBUS sensing" there: the same driver must take that path
   from GSNPSID alone. */
static void core_2_81a_declares_the_session_valid_through_novbussens(void **state)
{
    (void)state;
    model_reset();
    const uint32_t core_281a = 0x4F54281Au;
    model_poke(0x040, core_281a); /* GSNPSID */
    nev = 0;
    dcd_init(&events);
    assert_int_equal(dwc2_core_id(), core_281a);
    uint32_t gccfg = model_reg(0x038);
    assert_true(gccfg & OTG_GCCFG_PWRDWN_Msk);
    assert_true(gccfg & OTG_GCCFG_NOVBUSSENS_Msk);
    assert_false(gccfg & (OTG_GCCFG_VBUSASEN_Msk | OTG_GCCFG_VBUSBSEN_Msk));
    assert_int_equal(model_reg(0x000) & (OTG_GOTGCTL_BVALOEN_Msk | OTG_GOTGCTL_BVALOVAL_Msk), 0);
    assert_int_equal(dwc2_faults(), 0);
    assert_int_equal(model_errors(), 0);
}

/* The shared model configured as the F411's core (dropboot-emu's F411
   machine does this): GSNPSID 2.81a, and no B-session without VBUS sensing
   off, since the Black Pill does not wire VBUS (RM0383 22.16.2 GCCFG). The
   driver's path for that core makes it pull DP up; sensing VBUS with
   nothing on the pin would leave the device off the bus. */
static void the_model_as_a_2_81a_core_pulls_up_only_with_vbus_sensing_off(void **state)
{
    (void)state;
    const uint32_t core_281a = 0x4F54281Au;
    dwc2_model_configure(&dwc2_regmodel, core_281a, DWC2_MODEL_EPS, false);
    nev = 0;
    dcd_init(&events);
    dcd_connect();
    assert_int_equal(dwc2_core_id(), core_281a);
    assert_true(dwc2_model_connected(&dwc2_regmodel));
    model_poke(0x038, (model_reg(0x038) & ~OTG_GCCFG_NOVBUSSENS_Msk) | OTG_GCCFG_VBUSBSEN_Msk);
    assert_false(dwc2_model_connected(&dwc2_regmodel));
    model_poke(0x038, model_reg(0x038) | OTG_GCCFG_NOVBUSSENS_Msk);
    assert_true(dwc2_model_connected(&dwc2_regmodel));
    assert_int_equal(model_errors(), 0);
    dwc2_model_configure(&dwc2_regmodel, 0u, 0u, false); /* the default 3.10a core for the other tests */
}

/* A core that never reports its AHB side idle: init gives up after its
   bounded wait and says so instead of carrying on as if all went well. */
static void a_core_that_never_goes_idle_is_recorded_as_a_timeout(void **state)
{
    (void)state;
    model_reset();
    model_poke(0x010, 0u); /* GRSTCTL.AHBIDL = 0 */
    dcd_init(&events);
    assert_true(dwc2_faults() & DWC2_FAULT_TIMEOUT);
    assert_false(dwc2_faults() & DWC2_FAULT_FIFO_PLAN);
}

static void fifo_registers_follow_the_320_word_plan(void **state)
{
    (void)state;
    model_reset();
    dcd_init(&events);
    uint32_t rx = model_reg(0x024);
    uint32_t tx0 = model_reg(0x028), tx1 = model_reg(0x104), tx2 = model_reg(0x108);
    assert_int_equal(tx0 & 0xFFFF, rx);
    assert_int_equal((tx0 & 0xFFFF) + (tx0 >> 16), tx1 & 0xFFFF);
    assert_int_equal((tx1 & 0xFFFF) + (tx1 >> 16), tx2 & 0xFFFF);
    assert_true((tx2 & 0xFFFF) + (tx2 >> 16) <= OTG_FIFO_WORDS);
    assert_true((tx0 >> 16) >= 16 && (tx1 >> 16) >= 16 && (tx2 >> 16) >= 16);
}

static void bus_reset_is_reported_and_ep0_made_ready_for_setup(void **state)
{
    (void)state;
    model_reset();
    nev = 0;
    dcd_init(&events);
    dcd_connect();
    dcd_set_address(5);
    model_bus_reset();
    dcd_poll();
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].kind, 'R');
    assert_int_equal((model_reg(0x800) & OTG_DCFG_DAD_Msk), 0); /* address back to 0 */
    assert_int_equal(model_reg(0xB10) >> OTG_DOEPTSIZ_STUPCNT_Pos, 3);
    assert_int_equal(model_reg(0x81C), 0x00010001u);
    assert_int_equal(model_errors(), 0);
}

static void setup_reaches_usb_once_even_with_the_310a_extra_out_complete(void **state)
{
    (void)state;
    model_setup(get_device_desc, true);
    dcd_poll();
    dcd_poll();
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].kind, 'S');
    assert_memory_equal(evs[0].setup, get_device_desc, 8);
    assert_int_equal(model_errors(), 0);
}

static void control_in_of_100_bytes_goes_as_64_then_36_then_status_out(void **state)
{
    (void)state;
    uint8_t reply[100], got[64];
    for (int i = 0; i < 100; i++)
        reply[i] = (uint8_t)(i * 7 + 1);
    model_setup(get_device_desc, true);
    dcd_poll();
    assert_true(dcd_ep_xfer(0x80, reply, sizeof reply));
    assert_int_equal(model_in(0, got), 64);
    assert_memory_equal(got, reply, 64);
    assert_int_equal(model_in(0, got), MODEL_NAK); /* next piece not queued before the poll */
    dcd_poll();
    assert_int_equal(model_in(0, got), 36);
    assert_memory_equal(got, reply + 64, 36);
    dcd_poll();
    assert_int_equal(nev, 2);
    assert_int_equal(evs[1].kind, 'X');
    assert_int_equal(evs[1].ep, 0x80);
    assert_int_equal(evs[1].len, 100);
    /* Status stage: the host's zero-length OUT. */
    assert_true(dcd_ep_xfer(0x00, NULL, 0));
    assert_true(model_out(0, NULL, 0));
    dcd_poll();
    assert_int_equal(nev, 3);
    assert_int_equal(evs[2].ep, 0x00);
    assert_int_equal(evs[2].len, 0);
    assert_int_equal(model_errors(), 0);
}

static void status_phase_flag_without_data_does_not_end_the_status_stage(void **state)
{
    (void)state;
    uint8_t reply[18] = {18, 1}, got[64];
    model_setup(get_device_desc, true);
    dcd_poll();
    assert_true(dcd_ep_xfer(0x80, reply, sizeof reply));
    assert_int_equal(model_in(0, got), 18);
    dcd_poll();
    assert_true(dcd_ep_xfer(0x00, NULL, 0));
    /* Core 3.10a: "OUT complete" + status-phase flag, but no packet yet. */
    model_raise_doepint(0, OTG_EPINT_XFRC_Msk | OTG_DOEPINT_STSPHSRX_Msk);
    dcd_poll();
    assert_int_equal(evs[nev - 1].ep, 0x80); /* still only the IN stage done */
    assert_true(model_out(0, NULL, 0));
    dcd_poll();
    assert_int_equal(evs[nev - 1].kind, 'X');
    assert_int_equal(evs[nev - 1].ep, 0x00);
    assert_int_equal(model_errors(), 0);
}

static void control_in_of_exactly_64_bytes_sends_no_zero_length_packet(void **state)
{
    (void)state;
    uint8_t reply[64] = {1}, got[64];
    model_setup(get_device_desc, false);
    dcd_poll();
    assert_true(dcd_ep_xfer(0x80, reply, 64));
    assert_int_equal(model_in(0, got), 64);
    dcd_poll();
    assert_int_equal(evs[nev - 1].kind, 'X');
    assert_int_equal(evs[nev - 1].len, 64);
    assert_int_equal(model_in(0, got), MODEL_NAK);
    /* A zero-length packet only when usb/ asks for it. */
    assert_true(dcd_ep_xfer(0x80, NULL, 0));
    assert_int_equal(model_in(0, got), 0);
    dcd_poll();
    assert_int_equal(evs[nev - 1].len, 0);
    assert_int_equal(model_errors(), 0);
}

static void busy_endpoint_refuses_a_second_transfer(void **state)
{
    (void)state;
    uint8_t buf[64];
    assert_true(dcd_ep_xfer(0x01, buf, 64));
    assert_false(dcd_ep_xfer(0x01, buf, 64));
    assert_false(dcd_ep_xfer(0x05, buf, 64)); /* not an endpoint of this driver */
}

static void bulk_out_of_512_bytes_completes_after_eight_packets(void **state)
{
    (void)state;
    uint8_t sent[512], buf[512];
    for (int i = 0; i < 512; i++)
        sent[i] = (uint8_t)(i ^ 0x5A);
    memset(buf, 0, sizeof buf);
    assert_true(dcd_ep_xfer(0x01, buf, sizeof buf));
    for (int p = 0; p < 8; p++) {
        assert_true(model_out(1, sent + 64 * p, 64));
        dcd_poll();
        if (p < 7)
            assert_int_equal(nev, 0);
    }
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].ep, 0x01);
    assert_int_equal(evs[0].len, 512);
    assert_memory_equal(buf, sent, 512);
    assert_false(model_out(1, sent, 64)); /* NAK until usb/ asks again */
    assert_int_equal(model_errors(), 0);
}

static void bulk_out_short_packet_ends_the_transfer_early(void **state)
{
    (void)state;
    uint8_t cbw[31], buf[512];
    memset(cbw, 0x55, sizeof cbw);
    assert_true(dcd_ep_xfer(0x01, buf, sizeof buf));
    assert_true(model_out(1, cbw, sizeof cbw));
    dcd_poll();
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].len, 31);
    assert_memory_equal(buf, cbw, 31);
    assert_int_equal(model_errors(), 0);
}

static void bulk_in_longer_than_the_fifo_is_refilled_as_packets_leave(void **state)
{
    (void)state;
    uint8_t data[512], got[512], pkt[64];
    for (int i = 0; i < 512; i++)
        data[i] = (uint8_t)(i * 13);
    assert_true(dcd_ep_xfer(0x81, data, sizeof data));
    uint32_t total = 0;
    for (int guard = 0; guard < 64 && total < 512; guard++) {
        int32_t n = model_in(1, pkt);
        if (n > 0) {
            memcpy(got + total, pkt, (size_t)n);
            total += (uint32_t)n;
        }
        dcd_poll();
    }
    assert_int_equal(total, 512);
    assert_memory_equal(got, data, 512);
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].ep, 0x81);
    assert_int_equal(evs[0].len, 512);
    assert_int_equal(model_errors(), 0);
}

static void stall_is_seen_by_the_host_and_clearing_resets_the_toggle(void **state)
{
    (void)state;
    uint8_t pkt[64];
    dcd_ep_stall(0x81);
    assert_true(dcd_ep_stalled(0x81));
    assert_int_equal(model_in(1, pkt), MODEL_STALL);
    dcd_ep_clear_stall(0x81);
    assert_false(dcd_ep_stalled(0x81));
    assert_true(model_wrote_sd0pid(1, true));
    dcd_ep_stall(0x01);
    assert_true(dcd_ep_stalled(0x01));
    assert_false(model_out(1, pkt, 31));
    dcd_ep_clear_stall(0x01);
    assert_false(dcd_ep_stalled(0x01));
    assert_int_equal(model_errors(), 0);
}

static void stalling_a_busy_bulk_in_disables_it_and_flushes_its_fifo(void **state)
{
    (void)state;
    uint8_t data[128] = {0}, pkt[64];
    uint32_t flushes = model_tx_flushes(1);
    assert_true(dcd_ep_xfer(0x81, data, sizeof data));
    assert_true(model_tx_words(1) > 0);
    dcd_ep_stall(0x81);
    assert_int_equal(model_tx_words(1), 0);
    assert_int_equal(model_tx_flushes(1), flushes + 1);
    assert_int_equal(model_in(1, pkt), MODEL_STALL);
    /* The endpoint is free for the next transfer once the halt is cleared. */
    dcd_ep_clear_stall(0x81);
    assert_true(dcd_ep_xfer(0x81, data, 13));
    assert_int_equal(model_in(1, pkt), 13);
    assert_int_equal(model_errors(), 0);
}

static void stalling_a_busy_bulk_out_goes_through_global_out_nak(void **state)
{
    (void)state;
    uint8_t buf[64];
    assert_true(dcd_ep_xfer(0x01, buf, sizeof buf));
    dcd_ep_stall(0x01); /* the model counts an error if NAK was not in effect */
    assert_false(model_out(1, buf, 8));
    assert_false(model_reg(0xB20) & OTG_EPCTL_EPENA_Msk);
    assert_int_equal(model_errors(), 0);
}

/* msc re-opens its pipes on SET_CONFIGURATION, SET_INTERFACE and the
   Bulk-Only reset while a transfer may be armed: dcd.h says the re-open drops
   it (no xfer_done), clears the halt and restarts the toggle at DATA0. */
static void reopening_an_armed_bulk_in_sends_nothing_stale_and_restarts_at_data0(void **state)
{
    (void)state;
    uint8_t stale[128], fresh[13], pkt[64];
    memset(stale, 0xAA, sizeof stale);
    memset(fresh, 0x55, sizeof fresh);
    assert_true(dcd_ep_xfer(0x81, stale, sizeof stale));
    assert_int_equal(model_in(1, pkt), 64); /* first packet out: next is DATA1 */
    assert_int_equal(model_next_pid(1, true), 1);
    assert_true(model_tx_words(1) > 0);     /* the second one waits in the FIFO */
    dcd_ep_stall(0x81);
    dcd_ep_clear_stall(0x81);               /* (a halt left over must go too) */
    assert_true(dcd_ep_xfer(0x81, stale, sizeof stale));
    assert_int_equal(model_in(1, pkt), 64);
    dcd_ep_stall(0x81);                     /* armed again and halted */

    dcd_ep_open(0x81, DCD_EP_BULK, 64);
    assert_false(dcd_ep_stalled(0x81));
    assert_int_equal(model_tx_words(1), 0);
    assert_int_equal(model_in(1, pkt), MODEL_NAK); /* nothing armed any more */
    assert_int_equal(model_next_pid(1, true), 0);

    assert_true(dcd_ep_xfer(0x81, stale, sizeof stale));
    assert_int_equal(model_in(1, pkt), 64);
    dcd_ep_open(0x81, DCD_EP_BULK, 64);     /* armed, not halted */
    assert_int_equal(model_tx_words(1), 0);
    assert_int_equal(model_in(1, pkt), MODEL_NAK);
    assert_int_equal(model_next_pid(1, true), 0);
    dcd_poll();
    assert_int_equal(nev, 0);               /* dropped without xfer_done */

    assert_true(dcd_ep_xfer(0x81, fresh, sizeof fresh));
    assert_int_equal(model_next_pid(1, true), 0);
    assert_int_equal(model_in(1, pkt), 13);
    assert_memory_equal(pkt, fresh, sizeof fresh);
    dcd_poll();
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].ep, 0x81);
    assert_int_equal(evs[0].len, 13);
    assert_int_equal(model_errors(), 0);
}

static void reopening_an_armed_bulk_out_goes_through_global_out_nak_and_restarts_at_data0(void **state)
{
    (void)state;
    uint8_t buf[512], pkt[64];
    memset(pkt, 0x3C, sizeof pkt);
    assert_true(dcd_ep_xfer(0x01, buf, sizeof buf));
    assert_true(model_out(1, pkt, 64));
    assert_int_equal(model_next_pid(1, false), 1);
    dcd_poll();
    dcd_ep_open(0x01, DCD_EP_BULK, 64);     /* the model counts an error without global OUT NAK */
    assert_false(model_reg(0xB20) & OTG_EPCTL_EPENA_Msk);
    assert_false(model_out(1, pkt, 64));    /* NAK until usb/ arms it again */
    assert_int_equal(model_next_pid(1, false), 0);
    dcd_poll();
    assert_int_equal(nev, 0);

    uint8_t again[64];
    assert_true(dcd_ep_xfer(0x01, again, sizeof again));
    assert_true(model_out(1, pkt, 31));     /* global OUT NAK is off again */
    dcd_poll();
    assert_int_equal(nev, 1);
    assert_int_equal(evs[0].ep, 0x01);
    assert_int_equal(evs[0].len, 31);
    assert_int_equal(model_errors(), 0);
}

static void ep0_stall_is_cleared_by_the_next_setup(void **state)
{
    (void)state;
    uint8_t got[64];
    model_setup(get_device_desc, true);
    dcd_poll();
    dcd_ep_stall(0x80);
    assert_int_equal(model_in(0, got), MODEL_STALL);
    model_setup(get_device_desc, true);
    dcd_poll();
    assert_false(dcd_ep_stalled(0x80));
    assert_int_equal(evs[nev - 1].kind, 'S');
    assert_true(dcd_ep_xfer(0x80, got, 18));
    assert_int_equal(model_in(0, got), 18);
    assert_int_equal(model_errors(), 0);
}

static void set_address_goes_to_dcfg(void **state)
{
    (void)state;
    dcd_set_address(42);
    assert_int_equal((model_reg(0x800) & OTG_DCFG_DAD_Msk) >> OTG_DCFG_DAD_Pos, 42);
    assert_int_equal(model_reg(0x800) & 3u, OTG_DCFG_DSPD_FULL);
}

static void suspend_and_resume_are_reported_once(void **state)
{
    (void)state;
    model_suspend();
    dcd_poll();
    dcd_poll();
    model_resume();
    dcd_poll();
    dcd_poll();
    assert_int_equal(nev, 2);
    assert_int_equal(evs[0].kind, 'U');
    assert_int_equal(evs[1].kind, 'W');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_forces_device_mode_with_the_session_valid_and_stays_detached),
        cmocka_unit_test(core_2_81a_declares_the_session_valid_through_novbussens),
        cmocka_unit_test(the_model_as_a_2_81a_core_pulls_up_only_with_vbus_sensing_off),
        cmocka_unit_test(a_core_that_never_goes_idle_is_recorded_as_a_timeout),
        cmocka_unit_test(fifo_registers_follow_the_320_word_plan),
        cmocka_unit_test(bus_reset_is_reported_and_ep0_made_ready_for_setup),
        cmocka_unit_test_setup(setup_reaches_usb_once_even_with_the_310a_extra_out_complete, setup_enumerated),
        cmocka_unit_test_setup(control_in_of_100_bytes_goes_as_64_then_36_then_status_out, setup_enumerated),
        cmocka_unit_test_setup(status_phase_flag_without_data_does_not_end_the_status_stage, setup_enumerated),
        cmocka_unit_test_setup(control_in_of_exactly_64_bytes_sends_no_zero_length_packet, setup_enumerated),
        cmocka_unit_test_setup(busy_endpoint_refuses_a_second_transfer, setup_enumerated),
        cmocka_unit_test_setup(bulk_out_of_512_bytes_completes_after_eight_packets, setup_enumerated),
        cmocka_unit_test_setup(bulk_out_short_packet_ends_the_transfer_early, setup_enumerated),
        cmocka_unit_test_setup(bulk_in_longer_than_the_fifo_is_refilled_as_packets_leave, setup_enumerated),
        cmocka_unit_test_setup(stall_is_seen_by_the_host_and_clearing_resets_the_toggle, setup_enumerated),
        cmocka_unit_test_setup(stalling_a_busy_bulk_in_disables_it_and_flushes_its_fifo, setup_enumerated),
        cmocka_unit_test_setup(stalling_a_busy_bulk_out_goes_through_global_out_nak, setup_enumerated),
        cmocka_unit_test_setup(reopening_an_armed_bulk_in_sends_nothing_stale_and_restarts_at_data0, setup_enumerated),
        cmocka_unit_test_setup(reopening_an_armed_bulk_out_goes_through_global_out_nak_and_restarts_at_data0, setup_enumerated),
        cmocka_unit_test_setup(ep0_stall_is_cleared_by_the_next_setup, setup_enumerated),
        cmocka_unit_test_setup(set_address_goes_to_dcfg, setup_enumerated),
        cmocka_unit_test_setup(suspend_and_resume_are_reported_once, setup_enumerated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
