/*
 * What both replay verbs (dropboot-sim's and dropboot-emu's) do as "the
 * computer": read the two disk images, list the sectors that differ, and
 * put them in the order a given OS writes them. The device side differs
 * (simdev calls or USB through the emulated chip); this part is shared so
 * both take the same --order values.
 */
#ifndef DB_REPLAY_H
#define DB_REPLAY_H

#include <stdint.h>

enum replay_order_kind { REPLAY_ASC, REPLAY_DESC, REPLAY_META_LAST, REPLAY_RANDOM };

struct replay_order {
    enum replay_order_kind kind;
    uint32_t rng; /* xorshift state of random:SEED */
};

#define REPLAY_ORDERS "asc|desc|meta-last|random:SEED"

/* "asc", "desc", "meta-last" (data first, then FAT and directory, as Linux
   writes) or "random:SEED". 0, or -1 for an unknown order. */
int replay_order_parse(const char *s, struct replay_order *o);
/* Reorder lbas (ascending on entry). data_lba: the first LBA of the data
   area; sectors below it are metadata (boot sector, FATs, root directory). */
void replay_order_apply(struct replay_order *o, uint32_t *lbas, uint32_t n, uint32_t data_lba);
/* Read sectors * 512 bytes of an image file into a new buffer (free() it). 0 or -1 (message printed). */
int replay_read_image(const char *prog, const char *path, uint8_t **img, uint32_t sectors);
/* The LBAs where old and new differ, ascending, into a new array (free() it); *count set. */
uint32_t *replay_changed(const uint8_t *old, const uint8_t *new, uint32_t sectors, uint32_t *count);

#endif
