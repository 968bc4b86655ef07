/* boot.c: not written yet (owner: flash). */
#include "boot.h"
