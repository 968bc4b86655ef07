/* simdev.c: not written yet (owner: drive). */
#include "simdev.h"
