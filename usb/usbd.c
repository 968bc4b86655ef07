/* usbd.c: not written yet (owner: usb). */
#include "usbd.h"
