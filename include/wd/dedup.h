/* The memory of what was already published: a bounded set of 64-bit story
 * keys with first-in-first-out eviction. Lookup and insert cost O(1)
 * whatever the size. This is the in-memory store of issue 2; persistence
 * (LMDB), near-duplicates and teaser upgrades build on it.
 */
#ifndef WD_DEDUP_H
#define WD_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wd_dedup;

/* Creates a set that remembers at most capacity keys (>= 1); the oldest is
 * forgotten when a new one would exceed it. Returns 0, WD_EINVAL or
 * WD_ENOMEM. */
int wd_dedup_new(struct wd_dedup **out, size_t capacity);

/* Frees the set; NULL is a no-op. */
void wd_dedup_free(struct wd_dedup *d);

/* True when key (non-zero) is in the set. */
bool wd_dedup_contains(const struct wd_dedup *d, uint64_t key);

/* Adds key (non-zero); a key already present is left as it is. Returns true
 * when the key was new. */
bool wd_dedup_add(struct wd_dedup *d, uint64_t key);

/* Number of keys held. */
size_t wd_dedup_count(const struct wd_dedup *d);

/* Number of keys forgotten to stay within capacity. */
uint64_t wd_dedup_evicted(const struct wd_dedup *d);

#endif
