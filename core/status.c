/* Status texts: the table is generated from DB_STATUS_LIST so codes and words never drift. */
#include "status.h"

static const char *const status_text[DB_STATUS_COUNT] = {
#define DB_STATUS_TEXT(code, text) text,
    DB_STATUS_LIST(DB_STATUS_TEXT)
#undef DB_STATUS_TEXT
};

static const char *const status_name[DB_STATUS_COUNT] = {
#define DB_STATUS_NAME(code, text) #code,
    DB_STATUS_LIST(DB_STATUS_NAME)
#undef DB_STATUS_NAME
};

const char *db_status_text(enum db_status s)
{
    return ((unsigned)s < DB_STATUS_COUNT) ? status_text[s] : "unknown status";
}

const char *db_status_name(enum db_status s)
{
    return ((unsigned)s < DB_STATUS_COUNT) ? status_name[s] : "DB_UNKNOWN";
}
