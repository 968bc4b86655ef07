/* update.c: not written yet (owner: drive). */
#include "update.h"
