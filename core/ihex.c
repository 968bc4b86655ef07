/* ihex.c: not written yet (owner: decoders). */
#include "ihex.h"
