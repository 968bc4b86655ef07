/* uf2.c: not written yet (owner: decoders). */
#include "uf2.h"
