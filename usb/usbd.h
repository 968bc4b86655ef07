/* usb/usbd.h. Owner: usb. Placeholder. */
#ifndef DB_USBD_H
#define DB_USBD_H
#include "dcd.h"
#endif
