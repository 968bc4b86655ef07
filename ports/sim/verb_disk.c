/*
 * dropboot-sim disk verbs: dump, replay, status.
 *
 * replay plays a computer: it takes two disk images (before and after a copy
 * made with mtools, or captured from a real OS), checks the device shows the
 * first, writes the sectors that differ in the chosen order, ejects, and lets
 * the device reset as it asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdev.h"
#include "vfat.h"
#include "verbs.h"

#define STATUS_TEXT_MAX 1024u /* STATUS.TXT is at most one sector */

static int read_image(const char *path, uint8_t **img, uint32_t sectors)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    *img = calloc(sectors, DB_SECTOR_SIZE);
    size_t n = *img ? fread(*img, DB_SECTOR_SIZE, sectors, f) : 0;
    fclose(f);
    if (n != sectors) {
        fprintf(stderr, "dropboot-sim: %s: expected %u sectors of %u bytes\n", path, (unsigned)sectors,
                (unsigned)DB_SECTOR_SIZE);
        free(*img);
        return -1;
    }
    return 0;
}

/* Dumping and replaying are what a user does with the button held: the drive
   shows even when a valid app is in flash. */
static void power_on_drive(void)
{
    simdev_hold_button(true);
    simdev_power_on();
    simdev_hold_button(false);
}

int sim_verb_dump(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: dump DISK.img\n");
        return 2;
    }
    power_on_drive();
    FILE *f = fopen(argv[0], "wb");
    if (f == NULL) {
        perror(argv[0]);
        return 2;
    }
    uint8_t buf[DB_SECTOR_SIZE];
    for (uint32_t lba = 0; lba < simdev_sector_count(); lba++) {
        simdev_read(lba, buf);
        if (fwrite(buf, sizeof buf, 1, f) != 1) {
            perror(argv[0]);
            fclose(f);
            return 2;
        }
    }
    return fclose(f) == 0 ? 0 : 2;
}

enum order { ORDER_ASC, ORDER_DESC, ORDER_META_LAST, ORDER_RANDOM };

static uint32_t rng = 1;
static uint32_t rng_next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int parse_order(const char *s, enum order *o)
{
    if (strcmp(s, "asc") == 0)
        *o = ORDER_ASC;
    else if (strcmp(s, "desc") == 0)
        *o = ORDER_DESC;
    else if (strcmp(s, "meta-last") == 0)
        *o = ORDER_META_LAST;
    else if (strncmp(s, "random:", 7) == 0) {
        *o = ORDER_RANDOM;
        rng = (uint32_t)strtoul(s + 7, NULL, 0) * 2654435761u + 1u;
        if (rng == 0)
            rng = 1;
    } else
        return -1;
    return 0;
}

static void put_in_order(uint32_t *lbas, uint32_t n, enum order o)
{
    if (o == ORDER_DESC) {
        for (uint32_t i = 0; i < n / 2; i++) {
            uint32_t t = lbas[i];
            lbas[i] = lbas[n - 1 - i];
            lbas[n - 1 - i] = t;
        }
    } else if (o == ORDER_META_LAST) {
        uint32_t k = 0;
        uint32_t *tmp = malloc(n * sizeof *tmp);
        for (uint32_t i = 0; i < n; i++)
            if (!vfat_is_metadata_lba(lbas[i]))
                tmp[k++] = lbas[i];
        for (uint32_t i = 0; i < n; i++)
            if (vfat_is_metadata_lba(lbas[i]))
                tmp[k++] = lbas[i];
        memcpy(lbas, tmp, n * sizeof *tmp);
        free(tmp);
    } else if (o == ORDER_RANDOM) {
        for (uint32_t i = n; i > 1; i--) {
            uint32_t j = rng_next() % i;
            uint32_t t = lbas[i - 1];
            lbas[i - 1] = lbas[j];
            lbas[j] = t;
        }
    }
}

static void print_status(const char *when)
{
    char text[STATUS_TEXT_MAX];
    simdev_status_text(text, sizeof text);
    printf("STATUS.TXT (%s):\n%s", when, text);
}

int sim_verb_replay(int argc, char **argv)
{
    enum order order = ORDER_ASC;
    if (argc == 4 && strcmp(argv[2], "--order") == 0) {
        if (parse_order(argv[3], &order) != 0) {
            fprintf(stderr, "dropboot-sim: unknown order %s\n", argv[3]);
            return 2;
        }
    } else if (argc != 2) {
        fprintf(stderr, "usage: replay OLD.img NEW.img [--order asc|desc|meta-last|random:SEED]\n");
        return 2;
    }
    uint32_t n = simdev_sector_count();
    uint8_t *old = NULL, *new = NULL;
    if (read_image(argv[0], &old, n) != 0 || read_image(argv[1], &new, n) != 0)
        return 2;

    power_on_drive();
    uint8_t buf[DB_SECTOR_SIZE];
    for (uint32_t lba = 0; lba < n; lba++) {
        simdev_read(lba, buf);
        if (memcmp(buf, old + (size_t)lba * DB_SECTOR_SIZE, DB_SECTOR_SIZE) != 0) {
            fprintf(stderr, "dropboot-sim: the device's disk differs from %s at sector %u\n", argv[0],
                    (unsigned)lba);
            return 2;
        }
    }
    uint32_t *lbas = malloc(n * sizeof *lbas);
    uint32_t count = 0;
    for (uint32_t lba = 0; lba < n; lba++)
        if (memcmp(old + (size_t)lba * DB_SECTOR_SIZE, new + (size_t)lba * DB_SECTOR_SIZE, DB_SECTOR_SIZE) != 0)
            lbas[count++] = lba;
    put_in_order(lbas, count, order);
    printf("replay: writing %u sectors\n", (unsigned)count);

    bool reset = false;
    for (uint32_t i = 0; i < count && !reset; i++) {
        simdev_write(lbas[i], new + (size_t)lbas[i] * DB_SECTOR_SIZE);
        reset = simdev_tick(0, true);
    }
    simdev_eject();
    reset = simdev_tick(0, false);
    print_status("before reset");
    enum db_status result = simdev_update_status();
    char line[160];
    if (reset) {
        simdev_reset();
        simdev_describe_boot(line, sizeof line);
        printf("device reset: %s\n", line);
        if (simdev_mode() == SIMDEV_BOOTLOADER)
            print_status("after reset");
    } else {
        printf("device did not ask for a reset\n");
    }
    free(lbas);
    free(old);
    free(new);
    return (result == DB_DONE) ? 0 : 1;
}

int sim_verb_status(int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "usage: status\n");
        return 2;
    }
    char line[160];
    simdev_power_on();
    simdev_describe_boot(line, sizeof line);
    printf("%s\n", line);
    return 0;
}
