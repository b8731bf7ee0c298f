/* The journal: every published story's message, kept in the store for a
 * while, so that a subscriber that lost messages (it lagged when the worker
 * was killed, or was away over a restart) gets them back.
 *
 * Each story published goes into the journal in the same store commit
 * that remembers it (the pipeline's before_commit hook), with the channels
 * it went out on, its sequence number on each and the epoch of the run
 * that sent it: an `accepted` page's stories are in the journal, whatever
 * happens to the worker or to the messages in its PUB queue after. The
 * snapshot service answers "RESUME channel epoch seq" from it: the
 * channel's messages after (epoch, seq), in the order they were published,
 * later runs' included (docs/PROTOCOL.md).
 *
 * An entry's key is its commit time (ms, big-endian) and a number within
 * the run, so the journal reads oldest first; its value is the epoch, the
 * channels with their numbers, then the message. Entries older than the
 * window are trimmed a few at each commit. One copy per story, however
 * many channels it went out on. */
#ifndef WD_JOURNAL_H
#define WD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/store.h"

#define WD_JOURNAL_KEY_LEN 12
#define WD_JOURNAL_MAX_CHANNELS 32 /* all, the countries and the themes */

struct wd_journal_entry {
    int64_t ms; /* from the key */
    uint64_t epoch;
    size_t n;                                     /* channels */
    const char *channel[WD_JOURNAL_MAX_CHANNELS]; /* not NUL-ended */
    uint8_t channel_len[WD_JOURNAL_MAX_CHANNELS];
    uint64_t seq[WD_JOURNAL_MAX_CHANNELS];
    const uint8_t *bytes; /* the message: an Article */
    size_t len;
};

/* The key of the n-th entry of a run committed at ms. */
void wd_journal_key(uint8_t key[WD_JOURNAL_KEY_LEN], int64_t ms, uint32_t n);

/* The bytes wd_journal_encode() writes for e. */
size_t wd_journal_size(const struct wd_journal_entry *e);

/* Writes e's value (epoch, channels and numbers, message) to out
 * (wd_journal_size(e) bytes). */
void wd_journal_encode(const struct wd_journal_entry *e, uint8_t *out);

/* Reads an entry back; 0, or WD_EPARSE for bytes of another shape. */
int wd_journal_decode(const void *key, size_t klen, const void *val,
                      size_t vlen, struct wd_journal_entry *e);

/* Deletes, in the store's open batch, the oldest entries committed before
 * before_ms, at most max of them. Returns 0 or the store's error. */
int wd_journal_trim(struct wd_store *s, int64_t before_ms, size_t max);

/* Called for each message a resume gives back, oldest first. */
typedef void (*wd_journal_item_fn)(void *ctx, uint64_t epoch, uint64_t seq,
                                   const uint8_t *bytes, size_t len);

/* What a resume found. */
struct wd_journal_resumed {
    size_t count;  /* messages given back */
    bool complete; /* the journal held everything after (epoch, seq): no
                      message between is lost */
    bool more;     /* stopped at max: ask again from the last one given */
};

/* The messages of channel published after (epoch, seq), oldest first, at
 * most max, from the store's open batch: those of run epoch numbered
 * after seq, then every one of the later runs. When the journal no longer
 * holds run epoch (it is older than the window), every message of the
 * channel it holds is given and complete is false. Returns 0 or the
 * store's error. */
int wd_journal_resume(struct wd_store *s, const char *channel, uint64_t epoch,
                      uint64_t seq, size_t max, wd_journal_item_fn fn,
                      void *ctx, struct wd_journal_resumed *out);

#endif
