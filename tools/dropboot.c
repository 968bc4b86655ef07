/*
 * dropboot: the host tool. Finds dropboot drives, converts firmware to UF2
 * and updates a board in one command. Verbs: convert, list, flash, info.
 * Linux first: drives are found through /proc/self/mountinfo; the tool
 * mounts nothing itself and needs no root. Owner: decoders.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

#define TOOL_VERSION "0.1.0"

static const char usage_main[] =
    "usage: dropboot <verb> [options]\n"
    "\n"
    "verbs:\n"
    "  convert IN -o OUT.uf2 [--base ADDR] [--family ID|NAME]\n"
    "                      BIN, Intel HEX or ELF to UF2 (256-byte payloads, family ID set)\n"
    "  list [--json]       the dropboot drives that are mounted\n"
    "  flash FILE [--drive PATH | --serial S] [--timeout SEC] [--force]\n"
    "                      check, copy, wait for the reset, report the result\n"
    "  info [--drive PATH | --serial S]\n"
    "                      the drive's INFO_UF2.TXT and STATUS.TXT\n"
    "\n"
    "`dropboot <verb> --help` tells more.\n"
    "\n"
    "exit codes:\n"
    "  0  done (flash: the board took the firmware, or the app started)\n"
    "  1  refused: the file is not valid firmware, or the pre-check or the device refused it\n"
    "  2  usage: bad arguments, unreadable input or unwritable output\n"
    "  3  device not found, or several attached and none chosen\n"
    "  4  timeout: the device did not reset or come back in time\n"
    "\n"
    "Errors are one line on stderr. Drives are mounted vfat file systems whose\n"
    "INFO_UF2.TXT first line ends with \"dropboot\" (from /proc/self/mountinfo, or\n"
    "the file named by $DROPBOOT_MOUNTINFO, which tests use).\n";

static const char usage_convert[] =
    "usage: dropboot convert IN -o OUT.uf2 [--base ADDR] [--family ID|NAME]\n"
    "\n"
    "Convert a BIN, Intel HEX or ELF file to UF2, the way the UF2 spec's\n"
    "reference converter (uf2conv.py) does, byte for byte:\n"
    "  BIN   consecutive 256-byte blocks from --base (default 0x08008000),\n"
    "        the last one padded with zeros\n"
    "  HEX   256-byte aligned blocks, bytes no record sets are 0xFF, blocks no\n"
    "        record touches are left out (gaps cost nothing)\n"
    "  ELF   like HEX, from the PT_LOAD program headers (file bytes at their\n"
    "        physical, i.e. load, addresses)\n"
    "Blocks are in address order. The input type is found from the content.\n"
    "\n"
    "  -o, --output OUT    the UF2 file to write\n"
    "  --base ADDR         load address of a BIN (default 0x08008000)\n"
    "  --family ID|NAME    UF2 family ID, a number or one of STM32L4 (default,\n"
    "                      0x00ff6919), STM32F0, STM32F1, STM32F4, STM32F7, STM32G0,\n"
    "                      STM32G4, STM32H7, STM32L0, STM32L5, STM32WB, STM32WL,\n"
    "                      SAMD21, SAMD51, NRF52840, RP2040, ESP32S2; 0 leaves the\n"
    "                      family flag off\n";

static const char usage_list[] =
    "usage: dropboot list [--json]\n"
    "\n"
    "Every mounted dropboot drive: board model, bootloader version, serial number\n"
    "and mount point. --json prints an array of objects with the keys model,\n"
    "version, serial, board_id, family, mount. Exit code 3 when there is none.\n";

static const char usage_info[] =
    "usage: dropboot info [--drive PATH | --serial S]\n"
    "\n"
    "Show the drive's INFO_UF2.TXT (board, bootloader, app area) and STATUS.TXT\n"
    "(the result of the last update). Without options, the only drive attached.\n";



static int verb_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    uint32_t base = DEFAULT_BASE, family = DEFAULT_FAMILY;
    bool base_given = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(usage_convert, stdout);
            return EXIT_OK;
        }
        bool has_value = i + 1 < argc;
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && has_value) {
            out = argv[++i];
        } else if (strcmp(a, "--base") == 0 && has_value) {
            if (!cli_parse_u32(argv[++i], &base)) {
                return cli_usage_error("convert", "--base wants an address such as 0x08008000, not %s", argv[i]);
            }
            base_given = true;
        } else if (strcmp(a, "--family") == 0 && has_value) {
            if (!fw_family_parse(argv[++i], &family)) {
                return cli_usage_error("convert", "unknown family %s", argv[i]);
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("convert", "unknown option or missing value: %s", a);
        } else if (in == NULL) {
            in = a;
        } else {
            return cli_usage_error("convert", "one input file only (extra: %s)", a);
        }
    }
    if (in == NULL || out == NULL) {
        return cli_usage_error("convert", "%s", "convert needs an input file and -o OUT.uf2");
    }

    struct firmware fw;
    int rc = cli_prepare(in, base, base_given, family, &fw);
    if (rc != EXIT_OK) {
        return rc;
    }
    if (fw.kind == FW_UF2) {
        cli_firmware_free(&fw);
        cli_error("%s is already a UF2 file", in);
        return EXIT_USAGE;
    }
    FILE *f = fopen(out, "wbe");
    bool ok = f != NULL && fwrite(fw.uf2, 1, fw.uf2_len, f) == fw.uf2_len;
    if (f != NULL && fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        cli_error("cannot write %s", out);
        cli_firmware_free(&fw);
        return EXIT_USAGE;
    }
    struct uf2_summary s;
    char err[FW_ERR_LEN], fam[48];
    cli_uf2_summary(fw.uf2, fw.uf2_len, family, &s, err);
    cli_family_text(family, fam, sizeof(fam));
    printf("%s: %zu UF2 blocks from %s, 0x%08x..0x%08x, family %s\n", out, s.blocks, fw_kind_name(fw.kind),
           (unsigned)s.lowest, (unsigned)s.highest, family != 0 ? fam : "none");
    cli_firmware_free(&fw);
    return EXIT_OK;
}

/* A JSON string with the characters JSON needs escaped. */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static int verb_list(int argc, char **argv)
{
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage_list, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_usage_error("list", "unknown argument %s", argv[i]);
        }
    }
    static struct drive all[DRIVE_MAX];
    size_t n = drive_scan(all, DRIVE_MAX);
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            printf("%s\n  {\"model\": ", i ? "," : "");
            json_string(all[i].model);
            printf(", \"version\": ");
            json_string(all[i].version);
            printf(", \"serial\": ");
            json_string(all[i].serial);
            printf(", \"board_id\": ");
            json_string(all[i].board_id);
            printf(", \"family\": \"0x%08x\", \"mount\": ", (unsigned)all[i].family);
            json_string(all[i].mount_point);
            printf("}");
        }
        printf("%s]\n", n ? "\n" : "");
    } else if (n > 0) {
        printf("%-20s %-10s %-26s %s\n", "BOARD", "VERSION", "SERIAL", "MOUNT");
        for (size_t i = 0; i < n; i++) {
            printf("%-20s %-10s %-26s %s\n", all[i].model, all[i].version, all[i].serial, all[i].mount_point);
        }
    } else {
        cli_error("no dropboot drive is mounted");
    }
    return n > 0 ? EXIT_OK : EXIT_NO_DEVICE;
}

static int verb_info(int argc, char **argv)
{
    const char *path = NULL, *serial = NULL;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage_info, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--drive") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            serial = argv[++i];
        } else {
            return cli_usage_error("info", "unknown argument or missing value: %s", argv[i]);
        }
    }
    struct drive d;
    int rc = cli_select_drive(path, serial, &d);
    if (rc != EXIT_OK) {
        return rc;
    }
    char fam[48];
    cli_family_text(d.family, fam, sizeof(fam));
    printf("Drive:        %s%s%s\n", d.mount_point, d.source[0] ? " on " : "", d.source);
    printf("Board:        %s (%s)\n", d.model, d.board_id);
    printf("Bootloader:   dropboot %s\n", d.version);
    printf("Serial:       %s\n", d.serial);
    printf("Family:       %s\n", d.has_family ? fam : "?");
    if (d.has_app) {
        printf("App area:     0x%08x, %u bytes (%u KB)\n", (unsigned)d.app_base, (unsigned)d.app_max_size,
               (unsigned)(d.app_max_size / 1024u));
    }
    char text[DRIVE_TEXT_MAX];
    struct drive_status st;
    if (drive_read_text(d.mount_point, "STATUS.TXT", text) && drive_parse_status(text, &st)) {
        printf("Last result:  %s\n", st.result);
        printf("              %s\n", st.sentence);
        for (size_t i = 0; i < st.detail_count; i++) {
            printf("              %s\n", st.details[i]);
        }
    } else {
        printf("Last result:  (no readable STATUS.TXT)\n");
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (cli_is_help(verb)) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(verb, "--version") == 0) {
        printf("dropboot %s\n", TOOL_VERSION);
        return EXIT_OK;
    }
    if (strcmp(verb, "convert") == 0) {
        return verb_convert(argc - 2, argv + 2);
    }
    if (strcmp(verb, "list") == 0) {
        return verb_list(argc - 2, argv + 2);
    }
    if (strcmp(verb, "flash") == 0) {
        return verb_flash(argc - 2, argv + 2);
    }
    if (strcmp(verb, "info") == 0) {
        return verb_info(argc - 2, argv + 2);
    }
    cli_error("unknown verb %s (verbs: convert, list, flash, info; see dropboot --help)", verb);
    return EXIT_USAGE;
}
