/* usb/msc.h. Owner: usb. Placeholder. */
#ifndef DB_MSC_H
#define DB_MSC_H
#include "dcd.h"
#endif
