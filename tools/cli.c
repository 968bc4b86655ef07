/*
 * Shared pieces of the host tool's verbs.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uf2.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dropboot: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dropboot: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see dropboot %s --help)\n", verb);
    return EXIT_USAGE;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool cli_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL) {
        return false;
    }
    size_t cap = 1u << 16, n = 0;
    uint8_t *p = malloc(cap);
    while (p != NULL) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        uint8_t *q = realloc(p, cap * 2u);
        if (q == NULL) {
            free(p);
            p = NULL;
            break;
        }
        p = q;
        cap *= 2u;
    }
    int failed = ferror(f);
    fclose(f);
    if (p == NULL || failed) {
        free(p);
        errno = failed ? EIO : ENOMEM;
        return false;
    }
    *buf = p;
    *len = n;
    return true;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (*s == '\0' || *s == '-' || errno != 0 || *end != '\0' || v > 0xFFFFFFFFul) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

void cli_family_text(uint32_t id, char *out, size_t n)
{
    const char *name = fw_family_name(id);
    if (name != NULL) {
        snprintf(out, n, "0x%08x (%s)", (unsigned)id, name);
    } else {
        snprintf(out, n, "0x%08x", (unsigned)id);
    }
}

int cli_prepare(const char *path, uint32_t base, bool base_given, uint32_t family, struct firmware *fw)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    memset(fw, 0, sizeof(*fw));
    if (!cli_read_file(path, &buf, &len)) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    fw->kind = fw_detect(buf, len);
    if (base_given && fw->kind != FW_BIN) {
        cli_error("%s is %s: --base only applies to BIN files (HEX, ELF and UF2 carry their addresses)", path,
                  fw_kind_name(fw->kind));
        free(buf);
        return EXIT_USAGE;
    }
    if (fw->kind == FW_UF2) {
        char err[FW_ERR_LEN];
        struct uf2_summary s;
        if (!cli_uf2_summary(buf, len, family, &s, err)) {
            cli_error("%s: %s", path, err);
            free(buf);
            return EXIT_REFUSED;
        }
        fw->uf2 = buf;
        fw->uf2_len = len;
        return EXIT_OK;
    }

    struct fw_image img;
    char err[FW_ERR_LEN] = "";
    int rc;
    fw_init(&img);
    if (fw->kind == FW_HEX) {
        rc = fw_load_hex(&img, buf, len, err);
    } else if (fw->kind == FW_ELF) {
        rc = fw_load_elf(&img, buf, len, err);
    } else {
        rc = fw_load_bin(&img, buf, len, base, err);
    }
    free(buf);
    if (rc != 0) {
        cli_error("%s (%s): %s", path, fw_kind_name(fw->kind), err);
        fw_free(&img);
        return EXIT_REFUSED;
    }
    fw->uf2 = fw_to_uf2(&img, family, &fw->uf2_len);
    fw_free(&img);
    if (fw->uf2 == NULL) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

void cli_firmware_free(struct firmware *fw)
{
    free(fw->uf2);
    memset(fw, 0, sizeof(*fw));
}

bool cli_uf2_summary(const uint8_t *uf2, size_t len, uint32_t family, struct uf2_summary *s, char err[FW_ERR_LEN])
{
    memset(s, 0, sizeof(*s));
    if (len == 0 || len % UF2_BLOCK_SIZE != 0) {
        snprintf(err, FW_ERR_LEN, "not a whole number of 512-byte UF2 blocks (%zu bytes)", len);
        return false;
    }
    s->blocks = len / UF2_BLOCK_SIZE;
    for (size_t i = 0; i < s->blocks; i++) {
        struct uf2_block b;
        if (uf2_decode(uf2 + i * UF2_BLOCK_SIZE, &b) != DB_OK) {
            snprintf(err, FW_ERR_LEN, "UF2 block %zu is damaged (%s)", i, db_status_text(DB_ERR_UF2_BLOCK));
            return false;
        }
        if ((b.flags & UF2_FLAG_NOT_MAIN_FLASH) != 0u) {
            continue;
        }
        bool flagged = (b.flags & UF2_FLAG_FAMILY_ID) != 0u;
        if (flagged && b.family_or_size != family) {
            s->other_family = b.family_or_size;
            continue; /* spec: a block for another family is ignored entirely */
        }
        if (!flagged) {
            s->unflagged = true;
        }
        uint32_t end = b.target_addr + b.payload_size;
        if (end < b.target_addr) {
            end = UINT32_MAX; /* wraps the address space: out of any app area anyway */
        }
        if (s->flash_blocks == 0 || b.target_addr < s->lowest) {
            s->lowest = b.target_addr;
        }
        if (s->flash_blocks == 0 || end > s->highest) {
            s->highest = end;
        }
        s->flash_blocks++;
    }
    return true;
}

#define VECTOR_WORDS_BYTES 8u /* Cortex-M: initial SP, then the reset handler */
#define THUMB_BIT 1u          /* a Cortex-M vector's bit 0 must be set (Thumb state) */
#define SP_ALIGN 4u

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The bootloader starts the app through the vector table at App-Base: check
   its first two words the way a Cortex-M would use them, to catch an app
   linked for another address (the classic: linked at 0x08000000). */
static bool vectors_plausible(const struct firmware *fw, const struct drive *d, const struct uf2_summary *s,
                              char err[FW_ERR_LEN])
{
    if (s->lowest != d->app_base) {
        snprintf(err, FW_ERR_LEN, "the firmware starts at 0x%08x, not at the app area's start 0x%08x where the "
                 "bootloader looks for its vector table", (unsigned)s->lowest, (unsigned)d->app_base);
        return false;
    }
    for (size_t i = 0; i < s->blocks; i++) {
        struct uf2_block b;
        if (uf2_decode(fw->uf2 + i * UF2_BLOCK_SIZE, &b) != DB_OK || b.target_addr != d->app_base ||
            b.payload_size < VECTOR_WORDS_BYTES || (b.flags & UF2_FLAG_NOT_MAIN_FLASH) != 0u ||
            ((b.flags & UF2_FLAG_FAMILY_ID) != 0u && b.family_or_size != d->family)) {
            continue;
        }
        uint32_t sp = get32(b.payload);
        uint32_t pc = get32(b.payload + 4);
        uint32_t entry = pc & ~THUMB_BIT;
        if (sp == 0u || sp % SP_ALIGN != 0u || (pc & THUMB_BIT) == 0u || entry < d->app_base + VECTOR_WORDS_BYTES ||
            entry >= s->highest) {
            snprintf(err, FW_ERR_LEN,
                     "no vector table at 0x%08x (initial SP 0x%08x, reset handler 0x%08x, which must be odd and "
                     "inside the image); link the app at 0x%08x",
                     (unsigned)d->app_base, (unsigned)sp, (unsigned)pc, (unsigned)d->app_base);
            return false;
        }
        return true;
    }
    return true; /* no block at App-Base's exact address: the device judges */
}

bool cli_precheck(const struct firmware *fw, const struct drive *d, char err[FW_ERR_LEN])
{
    if (!d->has_family || !d->has_app) {
        snprintf(err, FW_ERR_LEN, "the drive's INFO_UF2.TXT lacks Family-ID, App-Base or App-Max-Size");
        return false;
    }
    struct uf2_summary s;
    if (!cli_uf2_summary(fw->uf2, fw->uf2_len, d->family, &s, err)) {
        return false;
    }
    char want[48], got[48];
    cli_family_text(d->family, want, sizeof(want));
    if (s.flash_blocks == 0) {
        if (s.other_family != 0u) {
            cli_family_text(s.other_family, got, sizeof(got));
            snprintf(err, FW_ERR_LEN, "the file is for chip family %s; this board takes %s", got, want);
        } else {
            snprintf(err, FW_ERR_LEN, "the file has no blocks for main flash");
        }
        return false;
    }
    if (s.unflagged) {
        snprintf(err, FW_ERR_LEN, "the UF2 file has no family ID; convert it with --family 0x%08x",
                 (unsigned)d->family);
        return false;
    }
    uint64_t app_end = (uint64_t)d->app_base + d->app_max_size;
    if (s.lowest < d->app_base) {
        snprintf(err, FW_ERR_LEN,
                 "the firmware starts at 0x%08x, below the app area at 0x%08x (the bootloader's region); "
                 "link the app at 0x%08x",
                 (unsigned)s.lowest, (unsigned)d->app_base, (unsigned)d->app_base);
        return false;
    }
    if ((uint64_t)s.highest - s.lowest > d->app_max_size) {
        snprintf(err, FW_ERR_LEN, "the image spans %u bytes; the app area holds %u", (unsigned)(s.highest - s.lowest),
                 (unsigned)d->app_max_size);
        return false;
    }
    if (s.highest > app_end) {
        snprintf(err, FW_ERR_LEN, "the firmware has data up to 0x%08x, past the app area's end 0x%08x",
                 (unsigned)s.highest, (unsigned)app_end);
        return false;
    }
    return vectors_plausible(fw, d, &s, err);
}

int cli_select_drive(const char *path, const char *serial, struct drive *out)
{
    if (path != NULL) {
        if (!drive_at(path, out)) {
            cli_error("%s is not a dropboot drive (no INFO_UF2.TXT ending in \"dropboot\")", path);
            return EXIT_NO_DEVICE;
        }
        if (serial != NULL && strcmp(out->serial, serial) != 0) {
            cli_error("the drive at %s has serial %s, not %s", path, out->serial, serial);
            return EXIT_NO_DEVICE;
        }
        return EXIT_OK;
    }
    static struct drive all[DRIVE_MAX];
    size_t n = drive_scan(all, DRIVE_MAX);
    size_t match = 0, pick = 0;
    for (size_t i = 0; i < n; i++) {
        if (serial == NULL || strcmp(all[i].serial, serial) == 0) {
            match++;
            pick = i;
        }
    }
    if (match == 1) {
        *out = all[pick];
        return EXIT_OK;
    }
    if (match == 0) {
        if (serial != NULL) {
            cli_error("no dropboot drive with serial %s is mounted", serial);
        } else {
            cli_error("no dropboot drive is mounted (plug the board in with the bootloader running and mount it)");
        }
        return EXIT_NO_DEVICE;
    }
    char names[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof(names); i++) {
        int w = snprintf(names + used, sizeof(names) - used, "%s%s at %s", used ? ", " : "", all[i].serial,
                         all[i].mount_point);
        used += w > 0 ? (size_t)w : 0u;
    }
    cli_error("%zu dropboot drives attached (%s); choose one with --serial or --drive", match, names);
    return EXIT_NO_DEVICE;
}
