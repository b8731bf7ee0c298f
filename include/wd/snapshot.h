/* Sequence numbers and snapshots, both sides, without sockets.
 *
 * The worker numbers the messages of each channel 1, 2, 3, ... and keeps
 * the last few of each channel (a ring per channel) to answer snapshot
 * requests: the Clone pattern of the ZeroMQ guide, in which a late
 * subscriber subscribes first, then asks for the recent history, then drops
 * the live messages the history already held (sequence number <= the
 * snapshot's) and follows on without a gap. A subscriber keeps the last
 * sequence number of each (channel, epoch) stream it reads to tell a gap
 * from a restart (wd_snapshot_track_*).
 *
 * Memory of the worker's side is bounded: at most WD_SNAPSHOT_MAX_CHANNELS
 * channels (a channel beyond them is neither numbered nor kept: its
 * messages carry sequence number 0), at most depth messages per channel,
 * and at most max_bytes of message bytes in all (the globally oldest
 * message is forgotten first). Each kept message costs its bytes plus 32;
 * the table of channels about 200 KiB.
 *
 * Wire formats (docs/PROTOCOL.md, "Sequence numbers and snapshots"):
 *   published:  [channel, bytes, seq (8 bytes BE), epoch (8 bytes BE)]
 *   request:    ["SNAPSHOT", channel, n (8 bytes BE)]
 *   replies:    ["ITEM", channel, bytes, seq, epoch] x k, oldest first,
 *               then ["END", channel, seq, epoch, k (8 bytes BE)];
 *               a refused request: ["ERROR", reason].
 */
#ifndef WD_SNAPSHOT_H
#define WD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WD_SNAPSHOT_MAX_CHANNELS 1024
#define WD_SNAPSHOT_DEFAULT_DEPTH 100
#define WD_SNAPSHOT_MAX_DEPTH 1000
#define WD_SNAPSHOT_DEFAULT_MB 64
#define WD_DEFAULT_SNAPSHOT "tcp://127.0.0.1:5556"

#define WD_SNAPSHOT_REQUEST "SNAPSHOT"
#define WD_SNAPSHOT_RESUME "RESUME"
#define WD_SNAPSHOT_ITEM "ITEM"
#define WD_SNAPSHOT_END "END"
#define WD_SNAPSHOT_ERROR "ERROR"

/* --- the worker's side -------------------------------------------------- */

struct wd_snapshot_store;

/* One kept message; data is valid until the next wd_snapshot_record(). */
struct wd_snapshot_item {
    uint64_t seq;
    const uint8_t *data;
    size_t len;
};

/* depth: messages kept per channel (0: sequence numbers only, nothing
 * kept; at most WD_SNAPSHOT_MAX_DEPTH); max_bytes: bound of the kept
 * messages' bytes. Returns 0, WD_EINVAL or WD_ENOMEM. */
int wd_snapshot_new(struct wd_snapshot_store **out, size_t depth,
                    size_t max_bytes);
void wd_snapshot_free(struct wd_snapshot_store *s);

/* Numbers the next message of channel and keeps a copy of it (when depth >
 * 0). Returns its sequence number (1 for the channel's first message), or 0
 * when the channel cannot be numbered (too many channels, or a name of
 * WD_CHANNEL_MAX bytes or more). A message that cannot be kept (no memory,
 * larger than max_bytes) is numbered all the same. */
uint64_t wd_snapshot_record(struct wd_snapshot_store *s, const char *channel,
                            const void *data, size_t len);

/* The channel's last sequence number; 0 when nothing was numbered on it. */
uint64_t wd_snapshot_seq(const struct wd_snapshot_store *s,
                         const char *channel);

/* Calls fn for the channel's last n kept messages (at most depth), oldest
 * first. Returns how many. */
size_t wd_snapshot_last(const struct wd_snapshot_store *s, const char *channel,
                        uint64_t n,
                        void (*fn)(void *ctx, const struct wd_snapshot_item *),
                        void *ctx);

/* What the store holds: channels numbered, messages and bytes kept. */
void wd_snapshot_usage(const struct wd_snapshot_store *s, size_t *channels,
                       size_t *items, size_t *bytes);

/* --- frames ------------------------------------------------------------- */

struct wd_snapshot_frame {
    const void *data;
    size_t len;
};

/* 8 bytes, big-endian. get: false unless len is 8. */
void wd_snapshot_put_u64(uint8_t out[8], uint64_t v);
bool wd_snapshot_get_u64(const void *data, size_t len, uint64_t *v);

/* Reads a request's frames (the ROUTER's identity frame removed):
 * ["SNAPSHOT", channel (1..WD_CHANNEL_MAX-1 bytes, no NUL), n (8 bytes)].
 * Returns NULL and fills channel (WD_CHANNEL_MAX bytes) and *n, or the
 * reason the request is refused. */
const char *wd_snapshot_parse_request(const struct wd_snapshot_frame *f,
                                      size_t n_frames, char *channel,
                                      uint64_t *n);

/* Reads a resume request: RESUME, the channel, the epoch and the sequence
 * number (8 bytes each, big-endian) of the last message the client has.
 * Returns NULL, or why the request is refused. */
const char *wd_snapshot_parse_resume(const struct wd_snapshot_frame *f,
                                     size_t n_frames, char *channel,
                                     uint64_t *epoch, uint64_t *seq);

/* --- the subscriber's side ---------------------------------------------- */

/* What a message's sequence number says of its (channel, epoch) stream. */
enum wd_seq_verdict {
    WD_SEQ_FIRST,     /* the first message of the channel seen */
    WD_SEQ_NEW_EPOCH, /* the first of another epoch on a channel seen
                         before: the worker restarted, or another worker
                         (through a proxy) */
    WD_SEQ_NEXT,      /* the one after the last */
    WD_SEQ_GAP,       /* later than the next: seq - last - 1 missed */
    WD_SEQ_OLD,       /* not after the last: a repeat (or held by a snapshot
                         already) */
    WD_SEQ_UNTRACKED, /* no sequence number (0), or the table is full */
};

struct wd_snapshot_track;

int wd_snapshot_track_new(struct wd_snapshot_track **out);
void wd_snapshot_track_free(struct wd_snapshot_track *t);

/* Judges a message of seq on (channel, epoch) and remembers seq when it is
 * later than the last. *last (may be NULL) receives the last sequence
 * number before this message (0 for a first). */
enum wd_seq_verdict wd_snapshot_track_see(struct wd_snapshot_track *t,
                                          const char *channel, uint64_t epoch,
                                          uint64_t seq, uint64_t *last);

/* Everything up to seq on (channel, epoch) was delivered (a snapshot's end
 * marker): later messages at or below it are WD_SEQ_OLD. */
void wd_snapshot_track_set(struct wd_snapshot_track *t, const char *channel,
                           uint64_t epoch, uint64_t seq);

#endif
