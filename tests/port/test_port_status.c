/*
 * core/status.c keeps its sentences and names as packed strings (a size
 * saving for the firmware): every code still gets exactly its own sentence
 * and name from DB_STATUS_LIST, which STATUS.TXT's `Result:` line and the
 * host tool rely on. The oracle is the list itself, expanded here into an
 * ordinary table of pointers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"

static const struct {
    enum db_status code;
    const char *name;
    const char *text;
} expect[] = {
#define EXPECT(code, text) {DB_##code, "DB_" #code, text},
    DB_STATUS_LIST(EXPECT)
#undef EXPECT
};

static void every_code_gets_its_own_sentence_and_name(void **state)
{
    (void)state;
    assert_int_equal(sizeof expect / sizeof expect[0], DB_STATUS_COUNT);
    for (size_t i = 0; i < DB_STATUS_COUNT; i++) {
        assert_int_equal(expect[i].code, (enum db_status)i);
        assert_string_equal(db_status_name(expect[i].code), expect[i].name);
        assert_string_equal(db_status_text(expect[i].code), expect[i].text);
    }
    assert_string_equal(db_status_name(DB_ERR_UF2_FAMILY), "DB_ERR_UF2_FAMILY");
    assert_string_equal(db_status_text(DB_OK), "ok");
    assert_string_equal(db_status_name(DB_ERR_TIMEOUT), "DB_ERR_TIMEOUT");
    assert_string_equal(db_status_tail(DB_ERR_TIMEOUT), "ERR_TIMEOUT");
}

static void codes_outside_the_list_are_named_unknown(void **state)
{
    (void)state;
    assert_string_equal(db_status_name(DB_STATUS_COUNT), "DB_UNKNOWN");
    assert_string_equal(db_status_text(DB_STATUS_COUNT), "unknown status");
    assert_string_equal(db_status_name((enum db_status)-1), "DB_UNKNOWN");
    assert_string_equal(db_status_text((enum db_status)1000), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_gets_its_own_sentence_and_name),
        cmocka_unit_test(codes_outside_the_list_are_named_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
