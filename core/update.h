/* The update engine: format detection, streams, completion, commit. Owner: drive. Placeholder. */
#ifndef DB_UPDATE_H
#define DB_UPDATE_H
#include "status.h"
#endif
