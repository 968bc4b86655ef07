/*
 * libFuzzer harness for the streaming Intel HEX decoder. The same input is
 * decoded twice, whole and in chunks whose sizes come from the input's first
 * byte; both runs must end in the same status after handing the sink the
 * same bytes at the same addresses (compared by a running hash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ihex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
    uint64_t hash;
    uint64_t bytes;
};

static void mix(struct trace *t, uint32_t v)
{
    t->hash = (t->hash ^ v) * 0x100000001b3ull; /* FNV-1a step */
}

static enum db_status trace_sink(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len)
{
    struct trace *t = ctx;
    if (len == 0u || len > IHEX_DATA_MAX) {
        abort(); /* the decoder never hands out an empty or oversized piece */
    }
    for (uint32_t i = 0; i < len; i++) {
        mix(t, addr + i);
        mix(t, data[i]);
    }
    t->bytes += len;
    return DB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    uint32_t chunk = (uint32_t)(data[0] % 64u) + 1u;
    const uint8_t *text = data + 1;
    uint32_t len = (uint32_t)(size - 1);

    struct trace whole = {0xcbf29ce484222325ull, 0};
    struct ihex a;
    ihex_init(&a, trace_sink, &whole);
    enum db_status sa = ihex_feed(&a, text, len);

    struct trace pieces = {0xcbf29ce484222325ull, 0};
    struct ihex b;
    ihex_init(&b, trace_sink, &pieces);
    enum db_status sb = DB_BUSY;
    for (uint32_t off = 0; off < len; off += chunk) {
        uint32_t n = len - off < chunk ? len - off : chunk;
        sb = ihex_feed(&b, text + off, n);
    }

    if (sa != sb || whole.hash != pieces.hash || whole.bytes != pieces.bytes || a.base != b.base ||
        a.start_addr != b.start_addr) {
        abort();
    }
    if (sa != DB_BUSY && sa != DB_DONE && sa != DB_ERR_HEX_SYNTAX && sa != DB_ERR_HEX_CHECKSUM &&
        sa != DB_ERR_HEX_RECORD) {
        abort();
    }
    (void)ihex_is_start(text, len);
    return 0;
}
