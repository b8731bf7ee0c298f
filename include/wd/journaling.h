/* The worker's side of the journal (journal.h): it gathers the messages a
 * page sends, one entry per story with every channel and number it went out
 * with, stages them in the store's batch just before the commit that
 * remembers the page's stories (the pipeline's before_commit hook: one
 * commit, both or neither), keeps them while the page is held for a failed
 * commit so that the retry stages them again, trims what is older than the
 * window, and answers the snapshot service's RESUME requests. On the loop
 * thread, between pages. */
#ifndef WD_JOURNALING_H
#define WD_JOURNALING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/journal.h"
#include "wd/publish.h"
#include "wd/store.h"

struct wd_journaling {
    struct wd_store *store;
    int64_t window_ms;
    uint32_t n; /* entries keyed this run: the key's second part */
    /* The page's stories, encoded: [u32 length][value] back to back. */
    uint8_t *page;
    size_t len, cap;
    /* The story being gathered: its channels so far and its bytes. */
    struct wd_journal_entry cur;
    char names[WD_JOURNAL_MAX_CHANNELS][64];
    uint8_t *bytes;
    size_t bytes_cap;
    bool open;
    uint64_t entries, trimmed, resumes; /* figures */
};

/* Starts empty; window_ms: how long entries are kept. */
void wd_journaling_init(struct wd_journaling *j, struct wd_store *store,
                        int64_t window_ms);
void wd_journaling_fini(struct wd_journaling *j);

/* One message sent (channel, its number there, the run's epoch, the
 * bytes). A story's messages come one after another, "all" first. Returns
 * 0 or WD_ENOMEM (then the page's commit fails and is retried). */
int wd_journaling_sent(struct wd_journaling *j, const char *channel,
                       uint64_t seq, uint64_t epoch, const void *buf,
                       size_t len);

/* The before_commit hook: stages the page's stories and a trim. */
int wd_journaling_stage(void *j, struct wd_store *store);

/* The page is done (its commit went through, or it sent nothing): its
 * stories are forgotten here. */
void wd_journaling_done(struct wd_journaling *j);

/* The snapshot service's RESUME (a wd_publish_resume_fn). */
int wd_journaling_resume(void *j, const char *channel, uint64_t epoch,
                         uint64_t seq, wd_publish_item_fn item, void *item_ctx,
                         bool *complete, bool *more);

#endif
