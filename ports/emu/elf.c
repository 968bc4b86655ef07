/*
 * ELF32 little-endian ARM loader (System V gABI, "ELF header", "Program
 * header", "Symbol table"). Only what a linked firmware image needs:
 * PT_LOAD segments at their physical (load) address, and the symbol table.
 * A segment outside the flash array is refused: the emulator boots from
 * flash, and RAM contents are the startup code's job.
 */
#include "elf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELF_HDR_SIZE 52u     /* ELF32 header */
#define ELF_PHDR_SIZE 32u
#define ELF_SHDR_SIZE 40u
#define ELF_SYM_SIZE 16u
#define ELF_MACHINE_ARM 40u
#define ELF_PT_LOAD 1u
#define ELF_SHT_SYMTAB 2u
#define ELF_STT_FUNC 2u
#define ELF_MAX_BYTES (64u << 20) /* no firmware image is anywhere near this */

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && (unsigned long)n <= ELF_MAX_BYTES && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)n);
            if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            }
            *len = (size_t)n;
        }
    }
    fclose(f);
    if (buf == NULL)
        fprintf(stderr, "dropboot-emu: cannot read %s\n", path);
    return buf;
}

static int put(uint8_t *flash, uint32_t base, uint32_t size, uint32_t addr, const uint8_t *src,
               uint32_t len, const char *path)
{
    if (addr < base || addr - base > size || len > size - (addr - base)) {
        fprintf(stderr, "dropboot-emu: %s: 0x%08x..0x%08x is outside flash\n", path, (unsigned)addr,
                (unsigned)(addr + len));
        return -1;
    }
    memcpy(flash + (addr - base), src, len);
    return 0;
}

static void load_syms(const uint8_t *b, size_t len, struct elf_syms *syms)
{
    uint32_t shoff = get32(b + 32), shnum = get16(b + 48);
    if (shoff == 0 || (uint64_t)shoff + (uint64_t)shnum * ELF_SHDR_SIZE > len)
        return;
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *sh = b + shoff + i * ELF_SHDR_SIZE;
        if (get32(sh + 4) != ELF_SHT_SYMTAB)
            continue;
        uint32_t off = get32(sh + 16), size = get32(sh + 20), link = get32(sh + 24);
        if (link >= shnum || (uint64_t)off + size > len)
            return;
        const uint8_t *strsh = b + shoff + link * ELF_SHDR_SIZE;
        uint32_t stroff = get32(strsh + 16), strsize = get32(strsh + 20);
        if ((uint64_t)stroff + strsize > len)
            return;
        size_t n = size / ELF_SYM_SIZE;
        syms->sym = calloc(n, sizeof *syms->sym);
        for (size_t k = 0; syms->sym && k < n; k++) {
            const uint8_t *s = b + off + k * ELF_SYM_SIZE;
            uint32_t name = get32(s);
            if (name == 0 || name >= strsize)
                continue;
            struct elf_sym *d = &syms->sym[syms->count++];
            d->func = (s[12] & 0xFu) == ELF_STT_FUNC;
            d->addr = get32(s + 4) & ~1u; /* Thumb bit is not part of the address */
            d->size = get32(s + 8);
            d->name = strndup((const char *)b + stroff + name, strsize - name);
        }
        return;
    }
}

int elf_load(const char *path, uint8_t *flash, uint32_t flash_base, uint32_t flash_size,
             struct elf_syms *syms)
{
    size_t len = 0;
    uint8_t *b = read_all(path, &len);
    if (b == NULL)
        return -1;
    int rc = 0;
    bool is_elf = len >= ELF_HDR_SIZE && memcmp(b, "\177ELF", 4) == 0;
    if (!is_elf) {
        rc = put(flash, flash_base, flash_size, flash_base, b, (uint32_t)len, path);
    } else if (b[4] != 1 || b[5] != 1 || get16(b + 18) != ELF_MACHINE_ARM) {
        fprintf(stderr, "dropboot-emu: %s: not a 32-bit little-endian ARM ELF\n", path);
        rc = -1;
    } else {
        uint32_t phoff = get32(b + 28), phnum = get16(b + 44);
        if ((uint64_t)phoff + (uint64_t)phnum * ELF_PHDR_SIZE > len)
            rc = -1;
        for (uint32_t i = 0; rc == 0 && i < phnum; i++) {
            const uint8_t *ph = b + phoff + i * ELF_PHDR_SIZE;
            uint32_t off = get32(ph + 4), paddr = get32(ph + 12), filesz = get32(ph + 16);
            if (get32(ph) != ELF_PT_LOAD || filesz == 0)
                continue;
            if ((uint64_t)off + filesz > len)
                rc = -1;
            else
                rc = put(flash, flash_base, flash_size, paddr, b + off, filesz, path);
        }
        if (rc == 0 && syms != NULL)
            load_syms(b, len, syms);
    }
    free(b);
    return rc;
}

const char *elf_symbolize(const struct elf_syms *syms, uint32_t addr, char *buf, size_t n)
{
    addr &= ~1u;
    for (size_t i = 0; syms != NULL && i < syms->count; i++) {
        const struct elf_sym *s = &syms->sym[i];
        if (s->func && addr >= s->addr && addr < s->addr + (s->size ? s->size : 2u)) {
            snprintf(buf, n, "%s+0x%x", s->name, (unsigned)(addr - s->addr));
            return buf;
        }
    }
    return NULL;
}

uint32_t elf_lookup(const struct elf_syms *syms, const char *name)
{
    for (size_t i = 0; syms != NULL && i < syms->count; i++)
        if (strcmp(syms->sym[i].name, name) == 0)
            return syms->sym[i].addr;
    return 0;
}

void elf_syms_free(struct elf_syms *syms)
{
    for (size_t i = 0; i < syms->count; i++)
        free(syms->sym[i].name);
    free(syms->sym);
    syms->sym = NULL;
    syms->count = 0;
}
