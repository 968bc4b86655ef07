/* The record log and A/B: an update goes to the other slot, a trial that is
 * never confirmed rolls back, records survive page moves and torn writes.
 * Built without A/B (the F411: DB_AB_SLOTS 0) the log's own tests run and
 * an update replaces the app in its one slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "boot.h"
#include "flash_testlib.h"
#include "geometry.h"

#define APP_SIZE (24u * 1024u)

static uint8_t img[3][APP_SIZE];

static int setup_ram(void **state)
{
    (void)state;
    flash_model_open_ram();
    for (uint32_t i = 0; i < 3u; i++)
        testlib_make_image(img[i], APP_SIZE, 40u + i);
    return 0;
}

static struct boot_decision boot(uint32_t confirm_seq)
{
    struct boot_inputs in = {0};
    in.confirm_seq = confirm_seq;
    struct boot_decision d;
    boot_decide(&in, &d);
    return d;
}

static bool slot_holds(uint32_t slot, const uint8_t *image)
{
    static uint8_t back[APP_SIZE];
    return flash_read(bootrec_slot_base(slot), back, APP_SIZE) == FLASH_OK && memcmp(back, image, APP_SIZE) == 0;
}

/* Erase units an image of APP_SIZE at DB_APP_BASE takes: 4 KB pages on the
   L4R5, one 64 KB sector on the F411. */
static uint32_t app_units(void)
{
    uint32_t n = 0;
    struct geometry_unit u;
    for (uint32_t a = DB_APP_BASE; a < DB_APP_BASE + APP_SIZE && geometry_unit_of(a, &u); a = u.start + u.size)
        n++;
    return n;
}

/* What the torn-record test appends: a confirm where images start on trial,
   else a trial start (the record type the log then still takes). */
static uint32_t marked(const struct bootrec *r)
{
    return DB_TRIAL_BOOTS > 0u ? (uint32_t)r->confirmed : r->attempts;
}

static void erased_flash_has_no_image(void **state)
{
    (void)state;
    struct bootrec_state st;
    bootrec_load(&st);
    assert_null(bootrec_active(&st));
    assert_int_equal(st.next_seq, 1);
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_A), "empty");
}

#if DB_AB_SLOTS
static void updates_alternate_slots_and_the_running_app_is_never_touched(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    struct boot_decision d = boot(0);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_int_equal(d.slot, BOOTREC_SLOT_A);
    assert_false(d.swap);
    (void)boot(d.seq); /* the app confirms */
    assert_int_equal(testlib_update(img[1], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    assert_true(slot_holds(BOOTREC_SLOT_A, img[0])); /* the old app, untouched */
    assert_true(slot_holds(BOOTREC_SLOT_B, img[1]));
    d = boot(0);
    assert_int_equal(d.slot, BOOTREC_SLOT_B);
    assert_true(d.swap);
    assert_true(d.trial);
    struct bootrec_state st;
    bootrec_load(&st);
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_B), "trial");
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_A), "previous");
    (void)boot(d.seq);
    /* the third update goes to A again, B keeps running */
    assert_int_equal(testlib_update(img[2], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    assert_true(slot_holds(BOOTREC_SLOT_A, img[2]));
    assert_true(slot_holds(BOOTREC_SLOT_B, img[1]));
    assert_int_equal(boot(0).slot, BOOTREC_SLOT_A);
    assert_int_equal(testlib_stats().violations, 0);
}

static void a_trial_never_confirmed_rolls_back_after_its_starts(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    (void)boot(boot(0).seq); /* started, confirmed */
    assert_int_equal(testlib_update(img[1], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    for (uint32_t i = 1; i <= DB_TRIAL_BOOTS; i++) {
        struct boot_decision d = boot(0); /* a watchdog, a crash, a power cycle: no confirm */
        assert_int_equal(d.slot, BOOTREC_SLOT_B);
        assert_true(d.trial);
        assert_int_equal(d.attempts, i);
    }
    struct boot_decision d = boot(0);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_true(d.rolled_back);
    assert_int_equal(d.slot, BOOTREC_SLOT_A);
    assert_false(d.trial);
    struct bootrec_state st;
    bootrec_load(&st);
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_B), "rolled back");
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_A), "active");
    assert_false(boot(0).rolled_back); /* it stays with A */
    /* the next update goes over the rejected image in B */
    assert_int_equal(testlib_update(img[2], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    assert_true(slot_holds(BOOTREC_SLOT_B, img[2]));
    assert_true(slot_holds(BOOTREC_SLOT_A, img[0]));
}

static void a_confirm_keeps_the_trial_image(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    struct boot_decision d = boot(0);
    d = boot(d.seq); /* dropboot_confirm(): the bootloader records it at the next start */
    assert_false(d.trial);
    for (uint32_t i = 0; i < 2u * DB_TRIAL_BOOTS; i++) {
        d = boot(0);
        assert_false(d.trial);
        assert_false(d.rolled_back);
    }
}

static void a_first_image_that_never_confirms_leaves_no_app_to_start(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    for (uint32_t i = 0; i < DB_TRIAL_BOOTS; i++)
        assert_int_equal(boot(0).reason, BOOT_START_APP);
    assert_int_equal(boot(0).reason, BOOT_STAY_NO_RECORD); /* nothing to go back to: the drive shows */
}

#else
static void without_ab_an_update_replaces_the_app_in_its_one_slot(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    struct boot_decision d = boot(0);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_int_equal(d.slot, BOOTREC_SLOT_A);
    assert_false(d.swap);
    assert_false(d.trial); /* nothing to go back to: no trial */
    assert_int_equal(testlib_update(img[1], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    assert_true(slot_holds(BOOTREC_SLOT_A, img[1]));
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    assert_non_null(a);
    assert_int_equal(a->slot, BOOTREC_SLOT_A);
    assert_null(bootrec_other(&st, a)); /* the old app was replaced */
    assert_string_equal(bootrec_state_name(&st, BOOTREC_SLOT_A), "active");
    d = boot(0);
    assert_int_equal(d.slot, BOOTREC_SLOT_A);
    assert_false(d.trial);
    assert_int_equal(testlib_stats().violations, 0);
}
#endif

static void a_query_writes_nothing(void **state)
{
    (void)state;
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    flash_model_reset_stats();
    struct boot_inputs in = {0};
    in.query_only = true;
    struct boot_decision d;
    for (uint32_t i = 0; i < 10u; i++)
        boot_decide(&in, &d);
    assert_int_equal(testlib_stats().ops, 0);
    assert_int_equal(d.attempts, DB_TRIAL_BOOTS > 0u ? 1u : 0u); /* only a trial counts starts */
}

static void the_log_moves_pages_and_keeps_the_state(void **state)
{
    (void)state;
    /* Enough updates to move the log two or three times: with A/B each
       costs 5 records (below), without 2 (ERASE, IMAGE) in bigger units. */
    const uint32_t updates = DB_AB_SLOTS ? 60u : (DB_RECORD_UNIT_SIZE / sizeof(struct bootrec_entry)) * 5u / 4u;
    uint32_t record_erases = 0;
    for (uint32_t n = 0; n < updates; n++) {
        flash_model_reset_stats();
        assert_int_equal(testlib_update(img[n % 3u], APP_SIZE, 1024, BOOTREC_FMT_BIN), DB_DONE);
        struct boot_decision d = boot(0);
        (void)boot(0);
        (void)boot(d.seq);
        struct flash_model_stats s = testlib_stats();
        struct bootrec r;
        assert_true(bootrec_read(&r));
        /* slot B's bank is erased whole (one erase), slot A by its units */
        record_erases += s.erases - ((DB_BANK2_FAST && r.slot == BOOTREC_SLOT_B) ? 1u : app_units());
        assert_int_equal(r.app_crc, crc32_update(0, img[n % 3u], APP_SIZE));
        assert_true(r.confirmed);
    }
    /* every update here: erase record, image, 2 attempts, confirm (5 records of 32 bytes) */
    print_message("record unit erases for %u updates: %u\n", (unsigned)updates, (unsigned)record_erases);
    assert_true(record_erases >= 2u && record_erases <= 4u);
}

/* A commit moves the log to the other page when this one could not take
 * what boots append about the new image (its trial starts, a confirm or a
 * rollback): no boot waits for a record page's erase (22 ms on the L4R5). */
static void boots_never_erase_a_record_page(void **state)
{
    (void)state;
    const uint32_t updates = DB_AB_SLOTS ? 60u : (DB_RECORD_UNIT_SIZE / sizeof(struct bootrec_entry)) * 5u / 4u;
    for (uint32_t n = 0; n < updates; n++) {
        assert_int_equal(testlib_update(img[n % 3u], APP_SIZE, 1024, BOOTREC_FMT_BIN), DB_DONE);
        flash_model_reset_stats();
        struct boot_decision d = boot(0);
        (void)boot(0);
        (void)boot(d.seq);
        assert_int_equal(d.reason, BOOT_START_APP);
        assert_int_equal(testlib_stats().erases, 0);
    }
}

static void a_torn_record_is_stepped_over(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 32; seed++) {
        flash_model_open_ram();
        assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
        struct bootrec_state st;
        bootrec_load(&st);
        flash_model_set_tear(true);
        flash_model_set_seed(seed);
        flash_model_cut_after(1);
        struct bootrec_entry e = {.type = DB_TRIAL_BOOTS > 0u ? BOOTREC_CONFIRM : BOOTREC_ATTEMPT, .seq = st.img[0].seq};
        assert_int_not_equal(bootrec_append(&st, &e), FLASH_OK);
        flash_model_power_on();
        struct bootrec r;
        assert_true(bootrec_read(&r)); /* the image record before it still counts */
        assert_int_equal(marked(&r), 0);
        bootrec_load(&st);
        assert_int_equal(bootrec_append(&st, &e), FLASH_OK); /* and the log goes on after it */
        assert_true(bootrec_read(&r));
        assert_int_equal(marked(&r), 1);
    }
}

#if DB_AB_SLOTS
static void an_image_larger_than_a_slot_takes_both_banks(void **state)
{
    (void)state;
    static uint8_t big[DB_SLOT_SIZE + 64u * 1024u];
    testlib_make_image(big, sizeof big, 9);
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    (void)boot(boot(0).seq);
    assert_int_equal(testlib_update(big, sizeof big, 4096, BOOTREC_FMT_BIN), DB_DONE);
    struct bootrec_state st;
    bootrec_load(&st);
    const struct bootrec *a = bootrec_active(&st);
    assert_non_null(a);
    assert_int_equal(a->slot, BOOTREC_SLOT_WHOLE);
    assert_null(bootrec_other(&st, a)); /* the old app is not kept */
    assert_true(testlib_flash_holds(big, sizeof big));
    struct boot_decision d = boot(0);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_false(d.swap);
}

static void an_image_that_outgrows_slot_b_is_refused_and_a_keeps_running(void **state)
{
    (void)state;
    static uint8_t big[DB_SLOT_SIZE + 4096u];
    static struct writer w;
    testlib_make_image(big, sizeof big, 10);
    assert_int_equal(testlib_update(img[0], APP_SIZE, 256, BOOTREC_FMT_UF2), DB_DONE);
    (void)boot(boot(0).seq);
    writer_init(&w); /* no size known up front (a BIN written data first) */
    assert_int_equal(testlib_arm(&w, big), DB_BUSY);
    enum db_status s = DB_BUSY;
    for (uint32_t off = 0; off < sizeof big && s == DB_BUSY; off += 4096u)
        s = writer_write(&w, DB_APP_BASE + off, big + off, 4096u);
    assert_int_equal(s, DB_ERR_SLOT_FULL);
    assert_true(slot_holds(BOOTREC_SLOT_A, img[0]));
    struct boot_decision d = boot(0);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_int_equal(d.slot, BOOTREC_SLOT_A);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(erased_flash_has_no_image, setup_ram),
#if DB_AB_SLOTS
        cmocka_unit_test_setup(updates_alternate_slots_and_the_running_app_is_never_touched, setup_ram),
        cmocka_unit_test_setup(a_trial_never_confirmed_rolls_back_after_its_starts, setup_ram),
        cmocka_unit_test_setup(a_confirm_keeps_the_trial_image, setup_ram),
        cmocka_unit_test_setup(a_first_image_that_never_confirms_leaves_no_app_to_start, setup_ram),
#else
        cmocka_unit_test_setup(without_ab_an_update_replaces_the_app_in_its_one_slot, setup_ram),
#endif
        cmocka_unit_test_setup(a_query_writes_nothing, setup_ram),
        cmocka_unit_test_setup(the_log_moves_pages_and_keeps_the_state, setup_ram),
        cmocka_unit_test_setup(boots_never_erase_a_record_page, setup_ram),
        cmocka_unit_test_setup(a_torn_record_is_stepped_over, setup_ram),
#if DB_AB_SLOTS
        cmocka_unit_test_setup(an_image_larger_than_a_slot_takes_both_banks, setup_ram),
        cmocka_unit_test_setup(an_image_that_outgrows_slot_b_is_refused_and_a_keeps_running, setup_ram),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
