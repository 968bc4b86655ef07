/* The virtual FAT16 volume. Owner: drive. Placeholder. */
#ifndef DB_VFAT_H
#define DB_VFAT_H
#include "status.h"
#endif
