/*
 * Firmware images for the emulator: an ELF32 (ARM) whose loadable segments
 * are written into the flash array at their load addresses, or a raw .bin
 * placed at the start of flash. Function symbols of an ELF stay for fault
 * reports (name+offset of an address).
 */
#ifndef DB_EMU_ELF_H
#define DB_EMU_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_sym {
    uint32_t addr, size;
    char *name;
    bool func; /* STT_FUNC: used to name code addresses */
};
struct elf_syms {
    struct elf_sym *sym;
    size_t count;
};

/* Write the image into flash (flash_base .. flash_base + flash_size).
   0 on success; -1 with a message on stderr. syms may be NULL. */
int elf_load(const char *path, uint8_t *flash, uint32_t flash_base, uint32_t flash_size,
             struct elf_syms *syms);
/* "name+0x12" for addr, or NULL when no function symbol covers it. */
const char *elf_symbolize(const struct elf_syms *syms, uint32_t addr, char *buf, size_t n);
/* Address of a symbol by name; 0 when absent. */
uint32_t elf_lookup(const struct elf_syms *syms, const char *name);
void elf_syms_free(struct elf_syms *syms);

#endif
