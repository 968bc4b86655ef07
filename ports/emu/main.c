/*
 * dropboot-emu: the real firmware binary on an emulated board: the
 * NUCLEO-L4R5ZI, or the WeAct Black Pill (STM32F411) when built with
 * DB_CHIP=stm32f411 (build/host-f411): the chip is chosen at build time,
 * as core/'s config is, and --chip NAME checks it.
 *
 *   dropboot-emu [--firmware FILE] --flash FLASH.bin [options] <verb> [args]
 *
 * Same flash image and verbs as dropboot-sim (dump, replay, status, serve),
 * plus `run`, which powers the board on and logs what it does in virtual
 * time. The firmware defaults to build/<board>/dropboot.elf next to this
 * program's build directory (nucleo_l4r5zi or weact_blackpill_f411).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "describe.h"
#include "emu_chip.h"
#include "explain.h"
#include "machine.h"
#include "verbs_usb.h"

#define NS_PER_MS 1000000ull
#define STATUS_LIMIT_MS 10000u  /* the boot decision takes well under a second */
#define STATUS_STEP_MS 1u
#define STATUS_LINE_MAX 256u /* one boot decision, described */
#define MAX_RESETS 64u  /* scheduled events of one run (resets, button) */
#define FIRMWARE_NAME "dropboot.elf"
#define UID_HEX_DIGITS 24u

struct options {
    const char *firmware, *flash, *serial, *chip;
    uint32_t cut_at;
    bool torn, single_bank, summary;
    uint32_t erase_us, program_us;
    int verbose;
};

static int usage(FILE *out)
{
    fprintf(out,
            "usage: dropboot-emu [--firmware ELF|BIN] --flash FLASH.bin [options] <verb> [args]\n"
            "options:\n"
            "  --chip NAME                 fail unless this build emulates NAME (stm32l4r5: NUCLEO-L4R5ZI,\n"
            "                              stm32f411: WeAct Black Pill; the build's DB_CHIP chooses)\n"
            "  --serial S                  up to 24 hex digits (left-padded with 0): the chip's unique ID\n"
            "  --cut-at-flash-op N         cut the power when flash operation N starts (1 = first erase\n"
            "                              or double-word program), then power on again\n"
            "  --torn                      ... leaving that operation half done (ECC errors)\n"
            "  --flash-times ERASE:PROG    page erase and double-word program times in us\n"
            "                              (default: datasheet typical 22020:81.7; a fast-programmed\n"
            "                              row and a bank erase keep their ratio to these); F411: the\n"
            "                              128 KB sector's erase and a word's program (1000000:16; the\n"
            "                              datasheet's max is 2000000:100), smaller sectors in ratio\n"
            "  --single-bank               OPTR.DBANK = 0 (8 KB pages)\n"
            "  --summary                   after any verb, one line on stderr: virtual time, resets,\n"
            "                              flash operations and busy time, bootloader stack peak\n"
            "  -v, -vv                     log events (LEDs, resets, the app start) for every verb;\n"
            "                              -vv also every peripheral register access\n"
            "verbs:\n"
            "  run --ms N [--button] [--button-at FROM:TO] [--reset-at MS ...]\n"
            "                              power on, run N ms of virtual time, log LEDs, resets and\n"
            "                              the jump into the app; --reset-at presses NRST at MS,\n"
            "                              --button holds B1 throughout, --button-at from FROM to TO ms\n"
            "  status [--boot]             what the bootloader does at power on (the flash\n"
            "                              is put back unless --boot)\n"
            "  dump DISK.img               the drive as a computer reads it\n"
            "  replay OLD.img NEW.img [--order ...]\n"
            "  serve [--usbip ADDR:PORT] [--button] [--quiet]\n");
    return out == stderr ? 2 : 0;
}

static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 0);
    if (errno || end == s || *end != '\0' || n > UINT32_MAX)
        return false;
    *v = (uint32_t)n;
    return true;
}

/* "A:B" as two numbers. */
static bool parse_times(const char *s, uint32_t *erase_us, uint32_t *program_us)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *colon = strchr(buf, ':');
    if (colon == NULL)
        return false;
    *colon = '\0';
    return parse_u32(buf, erase_us) && parse_u32(colon + 1, program_us);
}

/* The serial string is the UID words printed most significant first. */
static bool parse_serial(const char *arg, uint32_t uid[3])
{
    /* As dropboot-sim: a shorter serial is left-padded with '0' ("--serial 42"). */
    size_t len = strlen(arg);
    if (len == 0u || len > UID_HEX_DIGITS)
        return false;
    char s[UID_HEX_DIGITS + 1u];
    memset(s, '0', UID_HEX_DIGITS - len);
    memcpy(s + (UID_HEX_DIGITS - len), arg, len + 1u);
    for (unsigned w = 0; w < 3u; w++) {
        char part[9];
        memcpy(part, s + 8u * w, 8);
        part[8] = '\0';
        char *end;
        uid[2u - w] = (uint32_t)strtoul(part, &end, 16);
        if (*end != '\0')
            return false;
    }
    return true;
}

static const char *default_firmware(char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1u);
    if (len <= 0)
        exe[0] = '\0';
    else
        exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    int w = snprintf(buf, n, "%s/../%s/%s", slash ? exe : "build/host", emu_chip.build_dir, FIRMWARE_NAME);
    return w > 0 && (size_t)w < n ? buf : FIRMWARE_NAME;
}

/* The firmware's decision in dropboot-sim's words; the reason is its own
   boot logic compiled for the PC on the inputs it saw (explain.c). */
static void print_decision(struct emu *e)
{
    const struct emu_watch *w = emu_watch(e);
    if (w->app_started) {
        /* the slot and the trial as the boot logic saw them, the vectors as the firmware jumped */
        struct boot_decision d = w->decision;
        char line[STATUS_LINE_MAX];
        d.reason = BOOT_START_APP;
        d.app_sp = w->app_sp;
        d.app_pc = w->app_pc;
        describe_boot(&d, line, sizeof line);
        printf("%s\n", line);
    }
    else if (w->drive_started && w->reason == BOOT_START_APP)
        printf("stay in bootloader: (core/boot.c on the PC would start the app; the firmware did not)\n");
    else if (w->drive_started)
        printf("stay in bootloader: %s\n", boot_reason_text((enum boot_reason)w->reason));
    else
        printf("no decision: neither the app nor the drive started within %u ms\n", STATUS_LIMIT_MS);
}

/* A small file beside the flash image (the F4's option bytes), kept as it
 * was before a query: its bytes, or absent. */
struct side_file {
    char path[PATH_MAX];
    char bytes[256];
    size_t len;
    bool present;
};

static void side_file_keep(struct side_file *f, const char *flash_path, const char *suffix)
{
    snprintf(f->path, sizeof f->path, "%s%s", flash_path, suffix);
    FILE *fp = fopen(f->path, "rb");
    f->present = fp != NULL;
    f->len = fp ? fread(f->bytes, 1, sizeof f->bytes, fp) : 0u;
    if (fp)
        fclose(fp);
}

static void side_file_put_back(const struct side_file *f)
{
    if (!f->present) {
        unlink(f->path);
        return;
    }
    FILE *fp = fopen(f->path, "wb");
    if (fp) {
        fwrite(f->bytes, 1, f->len, fp);
        fclose(fp);
    }
}

/* status: the firmware's decision at a power-on reset. The real binary
 * writes its record log on the way (an ATTEMPT for a start on trial; on the
 * F411 its first run sets nWRP), so without --boot the flash file and its
 * option bytes are put back afterwards byte for byte: a
 * query, as dropboot-sim's status is, and a harness may ask as often as it
 * likes without spending the trial's starts. --boot keeps what it wrote. */
static int verb_status(struct emu *e, int argc, char **argv)
{
    bool real = argc == 1 && strcmp(argv[0], "--boot") == 0;
    if (argc != 0 && !real) {
        fprintf(stderr, "usage: status [--boot]\n");
        return 2;
    }
    uint8_t *before = NULL;
    struct side_file opt;
    if (!real) {
        before = malloc(emu_flash_size(e));
        if (before == NULL)
            return 1;
        memcpy(before, emu_flash_mem(e), emu_flash_size(e));
        side_file_keep(&opt, emu_flash_path(e), ".optbytes");
    }
    emu_pause_at_app(e, true); /* the decision is the jump; the app itself need not run */
    emu_power_on(e);
    const struct emu_watch *w = emu_watch(e);
    for (uint32_t ms = STATUS_STEP_MS; ms <= STATUS_LIMIT_MS; ms += STATUS_STEP_MS) {
        if (!emu_run_until(e, ms * NS_PER_MS) || w->app_started || w->drive_started)
            break;
    }
    print_decision(e);
    if (before != NULL) {
        memcpy(emu_flash_mem(e), before, emu_flash_size(e));
        free(before);
        side_file_put_back(&opt);
    }
    return emu_error_count(e) || w->mismatches ? 1 : 0;
}

enum run_action { RUN_NRST, RUN_BUTTON_DOWN, RUN_BUTTON_UP };
struct run_event {
    uint64_t ns;
    enum run_action action;
};

static int cmp_event(const void *a, const void *b)
{
    const struct run_event *x = a, *y = b;
    return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static int run_usage(void)
{
    fprintf(stderr, "usage: run --ms N [--button] [--button-at FROM:TO] [--reset-at MS ...]\n");
    return 2;
}

static int verb_run(struct emu *e, int argc, char **argv)
{
    uint32_t ms = 0;
    struct run_event ev[MAX_RESETS];
    unsigned nev = 0;
    for (int i = 0; i < argc; i++) {
        uint32_t v, from, to;
        if (strcmp(argv[i], "--button") == 0) {
            emu_set_button(e, true);
        } else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc && parse_u32(argv[i + 1], &v)) {
            ms = v;
            i++;
        } else if (strcmp(argv[i], "--reset-at") == 0 && i + 1 < argc && parse_u32(argv[i + 1], &v) &&
                   nev < MAX_RESETS) {
            ev[nev++] = (struct run_event){v * NS_PER_MS, RUN_NRST};
            i++;
        } else if (strcmp(argv[i], "--button-at") == 0 && i + 1 < argc && parse_times(argv[i + 1], &from, &to) &&
                   from < to && nev + 2u <= MAX_RESETS) {
            ev[nev++] = (struct run_event){from * NS_PER_MS, RUN_BUTTON_DOWN};
            ev[nev++] = (struct run_event){to * NS_PER_MS, RUN_BUTTON_UP};
            i++;
        } else {
            return run_usage();
        }
    }
    if (ms == 0)
        return run_usage();
    qsort(ev, nev, sizeof ev[0], cmp_event);
    if (emu_verbose(e) < 1)
        emu_set_verbose(e, 1);
    emu_power_on(e);
    const uint64_t end = ms * NS_PER_MS;
    bool alive = true;
    for (unsigned r = 0; alive && r <= nev; r++) {
        uint64_t until = r < nev && ev[r].ns < end ? ev[r].ns : end;
        alive = emu_run_until(e, until);
        if (!alive || r == nev || ev[r].ns >= end)
            break;
        if (ev[r].action == RUN_NRST) {
            emu_nrst(e);
        } else {
            emu_set_button(e, ev[r].action == RUN_BUTTON_DOWN);
            emu_log(e, "user button B1 %s", ev[r].action == RUN_BUTTON_DOWN ? "pressed" : "released");
        }
    }
    const struct emu_watch *w = emu_watch(e);
    printf("end at %.3f ms: %s; resets %u, power cuts %u, flash operations %u, stack peak %u bytes\n",
           (double)emu_now_ns(e) / 1e6,
           w->app_started ? "running the app" : w->drive_started ? "in the bootloader's USB drive" : "no decision yet",
           (unsigned)w->resets, (unsigned)w->power_cuts, (unsigned)emu_flash_ops(e), (unsigned)emu_stack_peak(e));
    emu_report_errors(e, stderr);
    if (w->mismatches)
        fprintf(stderr, "dropboot-emu: %u boot decision(s) differ from the boot logic compiled for the PC\n",
                (unsigned)w->mismatches);
    return emu_error_count(e) || w->mismatches ? 1 : 0;
}

#ifndef EMU_HAVE_USB
static int not_yet(struct emu *e, int argc, char **argv)
{
    (void)e;
    (void)argc;
    (void)argv;
    fprintf(stderr, "dropboot-emu: not yet: this verb needs the USB half (otg.c, usbhost.c, verb_usb.c)\n");
    return 2;
}
#define VERB_DUMP not_yet
#define VERB_REPLAY not_yet
#define VERB_SERVE not_yet
#else
#define VERB_DUMP emu_verb_dump
#define VERB_REPLAY emu_verb_replay
#define VERB_SERVE emu_verb_serve
#endif

struct verb {
    const char *name;
    int (*run)(struct emu *e, int argc, char **argv);
};

static const struct verb verbs[] = {
    {"run", verb_run}, {"status", verb_status}, {"dump", VERB_DUMP}, {"replay", VERB_REPLAY}, {"serve", VERB_SERVE},
};
#define VERB_COUNT (sizeof verbs / sizeof verbs[0])

static void print_summary(struct emu *e)
{
    const struct emu_watch *w = emu_watch(e);
    fprintf(stderr,
            "summary: %.3f ms virtual, %u resets, %u power cuts, %u flash operations (%.3f ms busy), "
            "stack peak %u bytes\n",
            (double)emu_now_ns(e) / 1e6, (unsigned)w->resets, (unsigned)w->power_cuts, (unsigned)emu_flash_ops(e),
            (double)emu_flash_busy_ns(e) / 1e6, (unsigned)emu_stack_peak(e));
    if (w->scsi_commands > 0u)
        fprintf(stderr, "summary: %u SCSI commands, the longest %.3f ms (operation 0x%02x), CBW to CSW in bus time\n",
                (unsigned)w->scsi_commands, (double)w->longest_scsi_ns / 1e6, (unsigned)w->longest_scsi_op);
}

static int parse_options(int argc, char **argv, struct options *o, int *next)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout) + 100;
        if (strcmp(a, "--torn") == 0) {
            o->torn = true;
            continue;
        }
        if (strcmp(a, "--single-bank") == 0) {
            o->single_bank = true;
            continue;
        }
        if (strcmp(a, "--summary") == 0) {
            o->summary = true;
            continue;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "-vv") == 0) {
            o->verbose = a[2] == 'v' ? 2 : 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "dropboot-emu: %s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--flash") == 0)
            o->flash = v;
        else if (strcmp(a, "--firmware") == 0)
            o->firmware = v;
        else if (strcmp(a, "--serial") == 0)
            o->serial = v;
        else if (strcmp(a, "--chip") == 0)
            o->chip = v;
        else if (strcmp(a, "--cut-at-flash-op") == 0 && parse_u32(v, &o->cut_at))
            continue;
        else if (strcmp(a, "--flash-times") == 0 && parse_times(v, &o->erase_us, &o->program_us))
            continue;
        else {
            fprintf(stderr, "dropboot-emu: bad option %s %s\n", a, v);
            return usage(stderr);
        }
    }
    *next = i;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    int i = 0;
    int rc = parse_options(argc, argv, &o, &i);
    if (rc >= 100)
        return 0;
    if (rc != 0)
        return rc;
    if (i >= argc)
        return usage(stderr);
    if (o.flash == NULL) {
        fprintf(stderr, "dropboot-emu: --flash FLASH.bin is required\n");
        return 2;
    }
    if (o.chip != NULL && strcmp(o.chip, emu_chip.name) != 0) {
        fprintf(stderr, "dropboot-emu: this build emulates the %s (%s), not %s: the chip is chosen when building "
                "(cmake -DDB_CHIP=%s; make unit-f411 builds build/host-f411/dropboot-emu)\n", emu_chip.name,
                emu_chip.board, o.chip, o.chip);
        return 2;
    }
    uint32_t uid[3];
    if (o.serial && !parse_serial(o.serial, uid)) {
        fprintf(stderr, "dropboot-emu: --serial must be 1 to %u hex digits (the chip's unique ID)\n", UID_HEX_DIGITS);
        return 2;
    }
    for (size_t v = 0; v < VERB_COUNT; v++) {
        if (strcmp(argv[i], verbs[v].name) != 0)
            continue;
        char fw[PATH_MAX];
        const char *firmware = o.firmware ? o.firmware : default_firmware(fw, sizeof fw);
        struct emu *e = emu_create(firmware, o.flash);
        if (e == NULL)
            return 2;
#ifdef EMU_HAVE_USB
        emu_otg_attach(e);
#endif
        if (o.serial)
            emu_set_uid(e, uid);
        if (o.single_bank)
            emu_flash_set_single_bank(e);
        emu_flash_set_times(e, o.erase_us, o.program_us);
        if (o.cut_at)
            emu_flash_cut_at(e, o.cut_at, o.torn);
        emu_set_verbose(e, o.verbose);
        rc = verbs[v].run(e, argc - i - 1, argv + i + 1);
        if (o.summary)
            print_summary(e);
        emu_destroy(e);
        return rc;
    }
    fprintf(stderr, "dropboot-emu: unknown verb %s\n", argv[i]);
    return usage(stderr);
}
