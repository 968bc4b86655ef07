/* writer.c: not written yet (owner: flash). */
#include "writer.h"
