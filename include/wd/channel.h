/* Channel names: the first frame of every published message.
 *
 * ZeroMQ subscriptions match topic prefixes, so a subscriber to channel X
 * also receives every channel whose name starts with X. wiredesk's names
 * are designed so that no channel is a prefix of another:
 *   all                   every article, once
 *   country.<CC>          ISO 3166-1 alpha-2, exactly two upper-case letters
 *   theme.<slug>          slugs of one taxonomy, checked prefix-free
 *   $stats                WorkerStats of the worker
 *   $dedup                DedupDecision of each story or page dropped
 *   $events               Event of each event founded or joined
 * "all" and "$stats" begin differently from each family and from each
 * other; country codes all have the same length; theme slugs are checked
 * when the taxonomy is loaded (tag.c refuses a slug that begins another)
 * and over the whole set with wd_channel_prefix_free() in the tests.
 */
#ifndef WD_CHANNEL_H
#define WD_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#define WD_CHANNEL_ALL "all"
#define WD_CHANNEL_STATS "$stats"
#define WD_CHANNEL_DEDUP "$dedup"   /* DedupDecision of each drop */
#define WD_CHANNEL_EVENTS "$events" /* Event founded or joined */
#define WD_CHANNEL_MAX 64           /* bytes of a channel name, with the NUL */

/* Writes "country.<CC>" to buf. Returns 0, or WD_EINVAL when cc is not two
 * upper-case ASCII letters. */
int wd_channel_country(const char *cc, char *buf, size_t cap);

/* Writes "theme.<slug>" to buf. Returns 0, or WD_EINVAL when slug is not
 * 1..40 bytes of [a-z0-9-]. */
int wd_channel_theme(const char *slug, char *buf, size_t cap);

/* True when names[0..n) contains no name that is a prefix of another (or a
 * repeat). On false, *a and *b (when not NULL) index an offending pair,
 * names[*a] being the prefix. */
bool wd_channel_prefix_free(const char *const *names, size_t n, size_t *a,
                            size_t *b);

/* Whether a subscription (a prefix of channel names, as ZeroMQ matches
 * them) can receive any channel: NULL when it can, else why not, for the
 * user ("" receives every channel, "theme.*" is no pattern, "country.kz"
 * wants capitals, "foo" starts no channel). */
const char *wd_channel_check(const char *sub);

/* The channel family of a name: "all", "country", "theme", "stats", or
 * "other". For metrics labels. */
const char *wd_channel_family(const char *name);

#endif
