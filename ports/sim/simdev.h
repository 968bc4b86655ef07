/* simdev.h: the bootloader as the simulator runs it. Owner: drive. Placeholder. */
#ifndef DB_SIMDEV_H
#define DB_SIMDEV_H
#endif
