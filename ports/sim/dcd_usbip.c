/* dcd_usbip.c: not written yet (owner: usb). */
#include "dcd.h"
