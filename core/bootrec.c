/* bootrec.c: not written yet (owner: flash). */
#include "bootrec.h"
