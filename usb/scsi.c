/* scsi.c: not written yet (owner: usb). */
#include "scsi.h"
