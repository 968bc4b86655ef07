/*
 * Power cut at every flash operation of a real update, clean and torn.
 *
 * With an old app committed, a new app is written through the writer in the
 * ways the decoders feed it (UF2 blocks in order and shuffled, HEX records
 * with a hole). For every op number n of that update, the power goes at op n
 * (cleanly, or tearing the op with several seeds). With A/B the new image
 * goes to the other slot, so after power on the boot decision must start
 * exactly the old app (the new one only once its record is whole); then the
 * same update, run again on the damaged flash, must commit and start the new
 * app, without breaking a flash rule. The same with the record log full, so
 * the commit's record moves the log to its other page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "boot.h"
#include "flash_testlib.h"

#define KB 1024u
#define UF2_PAYLOAD 256u   /* bytes per UF2 block from common writers */
#define HEX_RECORD 16u     /* bytes per objcopy Intel HEX data record */
#define TEAR_SEEDS 4u      /* torn variants per op: where a program stops, what an erase leaves */
#define MAX_PIECES (DB_APP_SIZE / HEX_RECORD)

enum delivery { UF2_IN_ORDER, UF2_SHUFFLED, HEX_WITH_HOLE };

struct scenario {
    uint32_t old_size, new_size;
};

static uint8_t old_img[128 * KB];
static uint8_t new_img[128 * KB];
static uint32_t piece_off[MAX_PIECES];
static uint32_t piece_len[MAX_PIECES];
static uint32_t piece_count;
static struct writer w;

/* The pieces an update sends, in the order it sends them. */
static void plan(enum delivery how, uint32_t size)
{
    piece_count = 0;
    uint32_t unit = how == HEX_WITH_HOLE ? HEX_RECORD : UF2_PAYLOAD;
    for (uint32_t off = 0; off < size; off += unit) {
        /* HEX files leave holes: the second page is not sent (it is 0xFF in new_img). */
        if (how == HEX_WITH_HOLE && off >= DB_PAGE_SIZE && off < 2 * DB_PAGE_SIZE)
            continue;
        piece_off[piece_count] = off;
        piece_len[piece_count] = size - off < unit ? size - off : unit;
        piece_count++;
    }
    if (how != UF2_SHUFFLED)
        return;
    uint32_t seed = 0xC0FFEEu;
    for (uint32_t i = piece_count - 1; i > 0; i--) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t j = (seed >> 8) % (i + 1);
        uint32_t t = piece_off[i], l = piece_len[i];
        piece_off[i] = piece_off[j];
        piece_len[i] = piece_len[j];
        piece_off[j] = t;
        piece_len[j] = l;
    }
}

static enum db_status run_update(uint32_t size)
{
    writer_init(&w);
    (void)testlib_arm(&w, new_img);
    for (uint32_t i = 0; i < piece_count; i++) {
        enum db_status s = writer_write(&w, DB_APP_BASE + piece_off[i], new_img + piece_off[i], piece_len[i]);
        if (s != DB_BUSY)
            return s;
    }
    return writer_commit(&w, size, BOOTREC_FMT_UF2);
}

static void make_images(const struct scenario *sc, enum delivery how)
{
    testlib_make_image(old_img, sc->old_size, 100);
    testlib_make_image(new_img, sc->new_size, 200);
    if (how == HEX_WITH_HOLE)
        memset(new_img + DB_PAGE_SIZE, 0xFF, DB_PAGE_SIZE);
}

static bool log_full; /* start with the record log one entry short of full */

static void start_from_old_app(const struct scenario *sc)
{
    flash_model_open_ram();
    assert_int_equal(testlib_update(old_img, sc->old_size, UF2_PAYLOAD, BOOTREC_FMT_UF2), DB_DONE);
    testlib_confirm_active();
    if (log_full)
        testlib_fill_log(0);
    flash_model_reset_stats();
}

/* Run the update with the power going at op n (torn or clean), then power on. Returns the update's status. */
static enum db_status cut_update(uint32_t size, uint32_t n, bool tear, uint32_t seed)
{
    flash_model_set_tear(tear);
    flash_model_set_seed(seed);
    flash_model_cut_after(n);
    enum db_status s = run_update(size);
    bool cut = !flash_model_powered();
    flash_model_power_on();
    flash_model_set_tear(false);
    if (!cut)
        fail_msg("the cut at op %u did not happen", (unsigned)n);
    return s;
}

/* Images and plan for a run; the number of ops of the whole update from the old app. */
static uint32_t prepare(const struct scenario *sc, enum delivery how)
{
    make_images(sc, how);
    plan(how, sc->new_size);
    start_from_old_app(sc);
    assert_int_equal(run_update(sc->new_size), DB_DONE);
    return testlib_stats().ops;
}

struct tally {
    uint32_t old_started, new_started, stayed;
};

/* After power on: exactly old, exactly new, or the bootloader. Never anything else. */
static void check_boot_after_cut(const struct scenario *sc, struct tally *t, uint32_t n)
{
    struct boot_inputs in = {0};
    struct boot_decision d;
    boot_decide(&in, &d);
    if (d.reason != BOOT_START_APP) {
        t->stayed++;
        return;
    }
    struct bootrec r;
    assert_true(bootrec_read(&r));
    if (r.app_size == sc->old_size && testlib_flash_holds(old_img, sc->old_size)) {
        t->old_started++;
        return;
    }
    if (r.app_size == sc->new_size && testlib_flash_holds(new_img, sc->new_size)) {
        t->new_started++;
        return;
    }
    fail_msg("cut at op %u: the app that would start is neither the old nor the new image", (unsigned)n);
}

static void update_again_commits_and_starts_the_new_app(const struct scenario *sc, uint32_t n)
{
    enum db_status s = run_update(sc->new_size);
    if (s != DB_DONE)
        fail_msg("cut at op %u: the update after power on ended with %s", (unsigned)n, db_status_name(s));
    struct boot_inputs in = {0};
    struct boot_decision d;
    boot_decide(&in, &d);
    assert_int_equal(d.reason, BOOT_START_APP);
    assert_true(testlib_flash_holds(new_img, sc->new_size));
    assert_int_equal(testlib_stats().violations, 0);
}

static void cut_at_every_op(const struct scenario *sc, enum delivery how, const char *name)
{
    const uint32_t ops = prepare(sc, how);
    struct tally clean = {0}, torn = {0};
    clock_t t0 = clock();
    for (uint32_t n = 1; n <= ops; n++) {
        for (uint32_t variant = 0; variant <= TEAR_SEEDS; variant++) {
            bool tear = variant > 0;
            start_from_old_app(sc);
            enum db_status s = cut_update(sc->new_size, n, tear, n * 31u + variant);
            if (s != DB_ERR_FLASH)
                fail_msg("cut at op %u: update ended with %s, expected DB_ERR_FLASH", (unsigned)n, db_status_name(s));
            check_boot_after_cut(sc, tear ? &torn : &clean, n);
            update_again_commits_and_starts_the_new_app(sc, n);
        }
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("%-14s old %6u B, new %6u B: N = %3u ops; clean cuts: old %u, new %u, stay %u; "
           "torn (x%u): old %u, new %u, stay %u; %.2f s\n",
           name, (unsigned)sc->old_size, (unsigned)sc->new_size, (unsigned)ops, (unsigned)clean.old_started,
           (unsigned)clean.new_started, (unsigned)clean.stayed, (unsigned)TEAR_SEEDS, (unsigned)torn.old_started,
           (unsigned)torn.new_started, (unsigned)torn.stayed, secs);
#if DB_AB_SLOTS
    /* A/B: the old app is never touched, the new one counts only once its record is whole. */
    assert_int_equal(clean.old_started, ops);
    assert_int_equal(torn.old_started, ops * TEAR_SEEDS);
    assert_int_equal(clean.stayed + torn.stayed, 0);
#else
    /* One slot: the old app is gone from its ERASE record on (a cut
       before it, while the log moves or at the record itself, keeps it);
       every later cut leaves the bootloader, and the new app counts only
       once its record is whole (the last op). */
    assert_int_equal(clean.new_started + torn.new_started, 0);
    assert_true(clean.stayed > 0u); /* the update did replace the old app */
    assert_int_equal(clean.old_started + clean.stayed, ops);
    assert_int_equal(torn.old_started + torn.stayed, ops * TEAR_SEEDS);
#endif
}

static const struct scenario grow = {40 * KB + 123u, 64 * KB - 37u};
static const struct scenario shrink = {96 * KB + 5u, 20 * KB + 1u};
static const struct scenario small = {8 * KB + 7u, 16 * KB - 37u}; /* shuffled: one flush per block, many ops */

static void uf2_in_order_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&grow, UF2_IN_ORDER, "uf2 in order");
    cut_at_every_op(&shrink, UF2_IN_ORDER, "uf2 in order");
}

static void uf2_shuffled_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&small, UF2_SHUFFLED, "uf2 shuffled");
}

static void hex_with_a_hole_survives_a_cut_at_every_op(void **state)
{
    (void)state;
    cut_at_every_op(&grow, HEX_WITH_HOLE, "hex with hole");
    cut_at_every_op(&shrink, HEX_WITH_HOLE, "hex with hole");
}

/* Power fails again while the user retries: still old, new or the bootloader, and a third try commits. */
static void a_second_cut_during_the_retry_is_survived_too(void **state)
{
    (void)state;
    const uint32_t ops = prepare(&grow, UF2_IN_ORDER);
    struct tally t = {0};
    for (uint32_t n = 1; n <= ops; n++) {
        start_from_old_app(&grow);
        /* With one slot the retry may have one op less: the old app's ERASE
           record is already in the log. The second cut stays inside it. */
        const uint32_t retry_ops = DB_AB_SLOTS ? ops : ops - 1u;
        uint32_t cuts[2] = {n, 1u + (n * 7919u) % retry_ops};
        for (int k = 0; k < 2; k++) {
            assert_int_equal(cut_update(grow.new_size, cuts[k], true, n * 17u + (uint32_t)k), DB_ERR_FLASH);
            check_boot_after_cut(&grow, &t, n);
        }
        update_again_commits_and_starts_the_new_app(&grow, n);
    }
    assert_int_equal(t.new_started, 0);
}

/* The commit's record write is the last op: torn anywhere, the old app
   starts (with A/B; with one slot the bootloader stays). */
static void torn_image_record_write_starts_the_old_app(void **state)
{
    (void)state;
    const uint32_t last = prepare(&grow, UF2_IN_ORDER);
    struct tally t = {0};
    for (uint32_t seed = 1; seed <= 32; seed++) {
        start_from_old_app(&grow);
        assert_int_equal(cut_update(grow.new_size, last, true, seed), DB_ERR_FLASH);
        check_boot_after_cut(&grow, &t, last);
        update_again_commits_and_starts_the_new_app(&grow, last);
    }
#if DB_AB_SLOTS
    assert_int_equal(t.old_started, 32);
#else
    assert_int_equal(t.stayed, 32); /* one slot: the old app was erased before; never the torn new one */
#endif
}

/* With the log full, the commit moves it to the other page (erase, state,
 * header last): a cut anywhere in that keeps the old page in charge. */
static void a_cut_while_the_log_moves_keeps_the_old_app(void **state)
{
    (void)state;
    log_full = true;
    cut_at_every_op(&grow, UF2_IN_ORDER, "log moving");
    log_full = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uf2_in_order_survives_a_cut_at_every_op),
        cmocka_unit_test(uf2_shuffled_survives_a_cut_at_every_op),
        cmocka_unit_test(hex_with_a_hole_survives_a_cut_at_every_op),
        cmocka_unit_test(torn_image_record_write_starts_the_old_app),
        cmocka_unit_test(a_cut_while_the_log_moves_keeps_the_old_app),
        cmocka_unit_test(a_second_cut_during_the_retry_is_survived_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
