/*
 * Status texts: generated from DB_STATUS_LIST so codes and words never drift.
 * Each list is one packed string ("first\0second\0...") rather than a table
 * of pointers: the firmware keeps no 4-byte pointer (and no alignment
 * padding) per entry, and the lookup walks at most DB_STATUS_COUNT entries.
 */
#include "status.h"

#include <string.h>

static const char status_texts[] =
#define DB_STATUS_TEXT(code, text) text "\0"
    DB_STATUS_LIST(DB_STATUS_TEXT)
#undef DB_STATUS_TEXT
    ;

static const char status_names[] =
#define DB_STATUS_NAME(code, text) #code "\0"
    DB_STATUS_LIST(DB_STATUS_NAME)
#undef DB_STATUS_NAME
    ;

/* Entry s of a packed list; the caller has checked s < DB_STATUS_COUNT. */
static const char *status_entry(const char *list, unsigned s)
{
    for (unsigned i = 0; i < s; i++)
        list += strlen(list) + 1u;
    return list;
}

const char *db_status_text(enum db_status s)
{
    return ((unsigned)s < DB_STATUS_COUNT) ? status_entry(status_texts, (unsigned)s) : "unknown status";
}

const char *db_status_tail(enum db_status s)
{
    return ((unsigned)s < DB_STATUS_COUNT) ? status_entry(status_names, (unsigned)s) : "UNKNOWN";
}

/* "DB_" and the longest tail ("ERR_NOT_FIRMWARE" is 16) with room to spare. */
#define DB_STATUS_NAME_MAX 32u

const char *db_status_name(enum db_status s)
{
    static char name[DB_STATUS_NAME_MAX];
    const char *tail = db_status_tail(s);
    size_t n = strlen(tail);
    if (n > sizeof name - 4u)
        n = sizeof name - 4u;
    memcpy(name, "DB_", 3u);
    memcpy(name + 3u, tail, n);
    name[3u + n] = '\0';
    return name;
}
