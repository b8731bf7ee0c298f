#include "wd/dedup.h"

#include <stdlib.h>

#include "wd/err.h"

/* An open-addressing table with linear probing, sized to twice the capacity
 * so probes stay short, and a ring of keys in insertion order that says which
 * key to forget next. Deletion uses backward shifting, so no tombstones
 * accumulate. */
struct wd_dedup {
    uint64_t *slots; /* 0 = empty */
    size_t mask;
    uint64_t *ring; /* insertion order, capacity entries */
    size_t capacity, head, count;
    uint64_t evicted;
};

int
wd_dedup_new(struct wd_dedup **out, size_t capacity)
{
    *out = NULL;
    if (capacity == 0 || capacity > ((size_t)1 << 40))
        return WD_EINVAL;
    struct wd_dedup *d = calloc(1, sizeof *d);
    if (!d)
        return WD_ENOMEM;
    size_t size = 16;
    while (size < capacity * 2)
        size *= 2;
    d->slots = calloc(size, sizeof *d->slots);
    d->ring = calloc(capacity, sizeof *d->ring);
    if (!d->slots || !d->ring) {
        wd_dedup_free(d);
        return WD_ENOMEM;
    }
    d->mask = size - 1;
    d->capacity = capacity;
    *out = d;
    return 0;
}

void
wd_dedup_free(struct wd_dedup *d)
{
    if (!d)
        return;
    free(d->slots);
    free(d->ring);
    free(d);
}

/* Keys come from XXH3 and are already uniform; mixing once more guards
 * against callers that pass structured keys. */
static size_t
home(const struct wd_dedup *d, uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & d->mask;
}

static size_t
find(const struct wd_dedup *d, uint64_t key)
{
    size_t i = home(d, key);
    while (d->slots[i] && d->slots[i] != key)
        i = (i + 1) & d->mask;
    return i;
}

bool
wd_dedup_contains(const struct wd_dedup *d, uint64_t key)
{
    return key != 0 && d->slots[find(d, key)] == key;
}

static void
remove_key(struct wd_dedup *d, uint64_t key)
{
    size_t i = find(d, key);
    if (d->slots[i] != key)
        return;
    d->slots[i] = 0;
    /* Backward shift: move later members of the probe run into the hole
     * when their home position allows it. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & d->mask;
        if (!d->slots[j])
            break;
        size_t h = home(d, d->slots[j]);
        bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
        if (movable) {
            d->slots[i] = d->slots[j];
            d->slots[j] = 0;
            i = j;
        }
    }
}

bool
wd_dedup_add(struct wd_dedup *d, uint64_t key)
{
    if (key == 0)
        return false;
    size_t i = find(d, key);
    if (d->slots[i] == key)
        return false;
    if (d->count == d->capacity) {
        uint64_t old = d->ring[d->head];
        remove_key(d, old);
        d->count--;
        d->evicted++;
        i = find(d, key); /* the shift may have moved the empty slot */
    }
    d->slots[i] = key;
    d->ring[d->head] = key;
    d->head = (d->head + 1) % d->capacity;
    d->count++;
    return true;
}

size_t
wd_dedup_count(const struct wd_dedup *d)
{
    return d->count;
}

uint64_t
wd_dedup_evicted(const struct wd_dedup *d)
{
    return d->evicted;
}
