/* vfat.c: not written yet (owner: drive). */
#include "vfat.h"
