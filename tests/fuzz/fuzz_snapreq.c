/* libFuzzer harness for the snapshot service's request parsers (SNAPSHOT
 * and RESUME). The input
 * is a message: frames, each one length byte then that many bytes. A
 * request is accepted only when it has the documented shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/channel.h"
#include "wd/snapshot.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wd_snapshot_frame f[8] = {{0}};
    size_t n = 0, pos = 0;
    while (pos < size && n < 8) {
        size_t len = data[pos++];
        if (len > size - pos)
            len = size - pos;
        uint8_t *copy = malloc(len ? len : 1); /* exactly sized */
        if (!copy)
            break;
        memcpy(copy, data + pos, len);
        f[n++] = (struct wd_snapshot_frame){copy, len};
        pos += len;
    }
    char channel[WD_CHANNEL_MAX];
    uint64_t count = 0;
    if (!wd_snapshot_parse_request(f, n, channel, &count)) {
        size_t len = strlen(channel);
        if (n != 3 || len == 0 || len != f[1].len ||
            memcmp(channel, f[1].data, len) != 0 || f[2].len != 8)
            abort();
    }
    /* The journal's RESUME request too. */
    uint64_t epoch = 0, seq = 0;
    if (!wd_snapshot_parse_resume(f, n, channel, &epoch, &seq)) {
        size_t len = strlen(channel);
        if (n != 4 || len == 0 || len != f[1].len ||
            memcmp(channel, f[1].data, len) != 0 || f[2].len != 8 ||
            f[3].len != 8)
            abort();
    }
    for (size_t i = 0; i < n; i++)
        free((void *)f[i].data);
    return 0;
}
