/* msc.c: not written yet (owner: usb). */
#include "msc.h"
