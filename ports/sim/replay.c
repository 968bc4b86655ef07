/* The host side of the replay verbs (see replay.h). */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define RANDOM_PREFIX "random:"
#define RANDOM_PREFIX_LEN 7u
#define SEED_SPREAD 2654435761u /* Knuth's multiplicative hash: nearby seeds give unrelated orders */

static uint32_t rng_next(struct replay_order *o)
{
    o->rng ^= o->rng << 13;
    o->rng ^= o->rng >> 17;
    o->rng ^= o->rng << 5;
    return o->rng;
}

int replay_order_parse(const char *s, struct replay_order *o)
{
    o->rng = 1;
    if (strcmp(s, "asc") == 0)
        o->kind = REPLAY_ASC;
    else if (strcmp(s, "desc") == 0)
        o->kind = REPLAY_DESC;
    else if (strcmp(s, "meta-last") == 0)
        o->kind = REPLAY_META_LAST;
    else if (strncmp(s, RANDOM_PREFIX, RANDOM_PREFIX_LEN) == 0) {
        o->kind = REPLAY_RANDOM;
        o->rng = (uint32_t)strtoul(s + RANDOM_PREFIX_LEN, NULL, 0) * SEED_SPREAD + 1u;
        if (o->rng == 0)
            o->rng = 1;
    } else
        return -1;
    return 0;
}

void replay_order_apply(struct replay_order *o, uint32_t *lbas, uint32_t n, uint32_t data_lba)
{
    if (o->kind == REPLAY_DESC) {
        for (uint32_t i = 0; i < n / 2; i++) {
            uint32_t t = lbas[i];
            lbas[i] = lbas[n - 1 - i];
            lbas[n - 1 - i] = t;
        }
    } else if (o->kind == REPLAY_META_LAST) {
        uint32_t k = 0;
        uint32_t *tmp = malloc((n ? n : 1u) * sizeof *tmp);
        for (uint32_t i = 0; i < n; i++)
            if (lbas[i] >= data_lba)
                tmp[k++] = lbas[i];
        for (uint32_t i = 0; i < n; i++)
            if (lbas[i] < data_lba)
                tmp[k++] = lbas[i];
        memcpy(lbas, tmp, n * sizeof *tmp);
        free(tmp);
    } else if (o->kind == REPLAY_RANDOM) {
        for (uint32_t i = n; i > 1; i--) {
            uint32_t j = rng_next(o) % i;
            uint32_t t = lbas[i - 1];
            lbas[i - 1] = lbas[j];
            lbas[j] = t;
        }
    }
}

int replay_read_image(const char *prog, const char *path, uint8_t **img, uint32_t sectors)
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
        fprintf(stderr, "%s: %s: expected %u sectors of %u bytes\n", prog, path, (unsigned)sectors,
                (unsigned)DB_SECTOR_SIZE);
        free(*img);
        *img = NULL;
        return -1;
    }
    return 0;
}

uint32_t *replay_changed(const uint8_t *old, const uint8_t *new, uint32_t sectors, uint32_t *count)
{
    uint32_t *lbas = malloc((sectors ? sectors : 1u) * sizeof *lbas);
    *count = 0;
    for (uint32_t lba = 0; lba < sectors; lba++)
        if (memcmp(old + (size_t)lba * DB_SECTOR_SIZE, new + (size_t)lba * DB_SECTOR_SIZE, DB_SECTOR_SIZE) != 0)
            lbas[(*count)++] = lba;
    return lbas;
}
