/* A boot decision in words, shared by dropboot-sim and dropboot-emu. */
#ifndef DB_DESCRIBE_H
#define DB_DESCRIBE_H

#include <stddef.h>

#include "boot.h"

void describe_boot(const struct boot_decision *d, char *out, size_t n);

#endif
