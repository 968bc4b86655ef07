/* usb/scsi.h. Owner: usb. Placeholder. */
#ifndef DB_SCSI_H
#define DB_SCSI_H
#include "dcd.h"
#endif
