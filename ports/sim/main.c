/*
 * dropboot-sim: the bootloader as a PC program over a flash image file.
 *
 *   dropboot-sim --flash FLASH.bin [--serial S] <verb> [args]
 *
 * The flash image is the whole DB_FLASH_SIZE flash, created erased if it
 * does not exist. Verbs live in verb_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board_sim.h"
#include "flash_model.h"
#include "verbs.h"

struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
};

static const struct verb verbs[] = {
    {"dump", sim_verb_dump, "dump DISK.img                 write the virtual disk as a computer reads it"},
    {"replay", sim_verb_replay,
     "replay IMG0 IMG1 [IMG2 ...] [--order asc|desc|meta-last|random:SEED] [--writeback]\n"
     "              [--pause-ms N] [--no-eject] [--readback FILE] [--log FILE]\n"
     "                                the device must show IMG0; write what differs from each image\n"
     "                                to the next (a step), in --order (default asc; meta-last: data\n"
     "                                first, then what lies below the data area of the image's BPB)\n"
     "                                or --writeback (every sector of each new or changed file, whole\n"
     "                                clusters with slack, file by file, then FAT and directories);\n"
     "                                --pause-ms: idle virtual time after each step; --readback: dump\n"
     "                                the disk as the host reads it after the writes; then eject, or\n"
     "                                with --no-eject stay attached and idle (polling every 2 s) until\n"
     "                                the device resets or 120 s pass; --log: \"STEP LBA\" per sector\n"
     "                                written. Exit 0 only for DB_DONE"},
    {"status", sim_verb_status, "status [--boot | --confirm]    what the bootloader does at a power-on reset (only looks;\n"
                                "                                --boot: a real start, counted if on trial; --confirm:\n"
                                "                                a real start, then the app confirms its image)"},
    {"serve", sim_verb_serve, "serve [--usbip ADDR:PORT] [--button] [--serial S] [--quiet]\n"
                              "                                export the device over USB/IP (default 127.0.0.1:3240);\n"
                              "                                --button holds the user button at power on"},
};
#define VERB_COUNT (sizeof verbs / sizeof verbs[0])

static int usage(FILE *out)
{
    fprintf(out, "usage: dropboot-sim --flash FLASH.bin [--serial S] <verb> [args]\nverbs:\n");
    for (size_t i = 0; i < VERB_COUNT; i++)
        fprintf(out, "  %s\n", verbs[i].usage);
    return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
    const char *flash_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (i + 1 >= argc) {
            fprintf(stderr, "dropboot-sim: %s needs a value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--flash") == 0)
            flash_path = argv[++i];
        else if (strcmp(argv[i], "--serial") == 0)
            board_sim_set_serial(argv[++i]);
        else {
            fprintf(stderr, "dropboot-sim: unknown option %s\n", argv[i]);
            return usage(stderr);
        }
    }
    if (i >= argc)
        return usage(stderr);
    if (flash_path == NULL) {
        fprintf(stderr, "dropboot-sim: --flash FLASH.bin is required\n");
        return 2;
    }
    for (size_t v = 0; v < VERB_COUNT; v++) {
        if (strcmp(argv[i], verbs[v].name) != 0)
            continue;
        if (flash_model_open(flash_path) != 0) {
            fprintf(stderr, "dropboot-sim: cannot open flash image %s: %s\n", flash_path, strerror(errno));
            return 2;
        }
        int rc = verbs[v].run(argc - i - 1, argv + i + 1);
        flash_model_close();
        return rc;
    }
    fprintf(stderr, "dropboot-sim: unknown verb %s\n", argv[i]);
    return usage(stderr);
}
