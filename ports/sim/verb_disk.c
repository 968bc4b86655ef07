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

#include "replay.h"
#include "simdev.h"
#include "vfat.h"
#include "verbs.h"

#define STATUS_TEXT_MAX 1024u /* STATUS.TXT is at most one sector */

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

static void print_status(const char *when)
{
    char text[STATUS_TEXT_MAX];
    simdev_status_text(text, sizeof text);
    printf("STATUS.TXT (%s):\n%s", when, text);
}

int sim_verb_replay(int argc, char **argv)
{
    struct replay_order order = {REPLAY_ASC, 1};
    if (argc == 4 && strcmp(argv[2], "--order") == 0) {
        if (replay_order_parse(argv[3], &order) != 0) {
            fprintf(stderr, "dropboot-sim: unknown order %s\n", argv[3]);
            return 2;
        }
    } else if (argc != 2) {
        fprintf(stderr, "usage: replay OLD.img NEW.img [--order " REPLAY_ORDERS "]\n");
        return 2;
    }
    uint32_t n = simdev_sector_count();
    uint8_t *old = NULL, *new = NULL;
    if (replay_read_image("dropboot-sim", argv[0], &old, n) != 0 || replay_read_image("dropboot-sim", argv[1], &new, n) != 0)
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
    uint32_t count = 0;
    uint32_t *lbas = replay_changed(old, new, n, &count);
    replay_order_apply(&order, lbas, count, VFAT_DATA_LBA);
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
