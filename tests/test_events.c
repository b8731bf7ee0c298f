/* WD_TEST_LABEL: e2e */
/* Events through the real binary on loopback TCP: the seeds go in; every
 * Article names its event, each is preceded on "$events" by its event's
 * summary, the seeds' state-visit stories share one event that holds no
 * other seed story (on a worker that has read the development streams
 * first), a re-fetch adds nothing, and --max-events 0 turns it all off. */
#include <jansson.h>

#include "worker.h"
#include "wd/snapshot.h"

#define DEADLINE_MS 30000

/* The seeds' stories about the Azerbaijani president's state visit to
 * Kazakhstan (tests/fixtures/events/seeds.tsv). */
static const char *const visit[] = {
    "Aliyev–Tokayev Talks Rekindle Momentum",
    "Azerbaijan and Kazakhstan Deepen Strategic Partnership",
    "Astana and Baku: Strategic Alignment",
};

static bool
is_visit(const char *title)
{
    for (size_t i = 0; i < sizeof visit / sizeof *visit; i++)
        if (strncmp(title, visit[i], strlen(visit[i])) == 0)
            return true;
    return false;
}

static bool
hex16(const char *s)
{
    if (strlen(s) != 16)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* RESUME channel from (epoch, 0) on the snapshot service: the journal's
 * messages of the channel, each checked to decode as what the channel
 * carries. Returns how many came, -1 on a refusal, a bad item or no
 * answer. */
static int
resume_all(const char *snap, const char *channel, uint64_t epoch)
{
    void *zctx = zmq_ctx_new();
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0, got = 0, rc = -1;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(dealer, snap);
    uint8_t e8[8], s8[8];
    wd_snapshot_put_u64(e8, epoch);
    wd_snapshot_put_u64(s8, 0);
    zmq_send(dealer, "RESUME", 6, ZMQ_SNDMORE);
    zmq_send(dealer, channel, strlen(channel), ZMQ_SNDMORE);
    zmq_send(dealer, e8, 8, ZMQ_SNDMORE);
    zmq_send(dealer, s8, 8, 0);
    bool events = strcmp(channel, "$events") == 0;
    for (int64_t end = mono_ms() + DEADLINE_MS; mono_ms() < end;) {
        zmq_pollitem_t it = {dealer, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 200) <= 0)
            continue;
        zmq_msg_t f[8];
        int n = recv_frames(dealer, f, 8);
        const char *kind = zmq_msg_data(&f[0]);
        size_t kl = zmq_msg_size(&f[0]);
        bool done = true;
        if (kl == 4 && memcmp(kind, "ITEM", 4) == 0 && n == 5) {
            const uint8_t *d = zmq_msg_data(&f[2]);
            size_t len = zmq_msg_size(&f[2]);
            bool ok;
            if (events) {
                Wiredesk__V1__Event *e =
                    wiredesk__v1__event__unpack(NULL, len, d);
                ok = e && strlen(e->id) == 16 && e->articles >= 1;
                if (e)
                    wiredesk__v1__event__free_unpacked(e, NULL);
            } else {
                Wiredesk__V1__Article *a =
                    wiredesk__v1__article__unpack(NULL, len, d);
                ok = a && strlen(a->id) == 32 && a->title[0];
                if (a)
                    wiredesk__v1__article__free_unpacked(a, NULL);
            }
            got += ok;
            done = !ok;
            rc = ok ? rc : -1;
        } else if (kl == 3 && memcmp(kind, "END", 3) == 0) {
            rc = got;
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
        if (done)
            break;
    }
    zmq_close(dealer);
    zmq_ctx_term(zctx);
    return rc;
}

/* s, HTML-escaped, appended to b. */
static void
put_escaped(FILE *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", b);
        else if (*s == '>')
            fputs("&gt;", b);
        else if (*s == '&')
            fputs("&amp;", b);
        else if (*s == '"')
            fputs("&quot;", b);
        else if (*s == '\n')
            fputs("</p><p>", b);
        else
            fputc(*s, b);
    }
}

/* A worker that has read the news a while: the development streams'
 * articles (tests/fixtures/events), each as its dated article page, go
 * in first, as the word frequencies of a running worker know the news
 * (24 stories are too few to tell a rare name from a common word).
 * With held, the article on line HELD_LINE of HELD_SET is kept back:
 * its page goes to *held (malloc'd) instead. Returns the pages pushed. */
#define HELD_SET 2 /* c.jsonl */
#define HELD_LINE                                                              \
    41 /* "Romanian fugitive gang boss caught in Bulgaria", its event's        \
          fifth report */
static int
push_warm_up(void *push, char **held, size_t *held_len)
{
    const char *sets[] = {"a", "b", "c"};
    int pages = 0;
    for (size_t k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof path, WD_FIXTURES "/events/%s.jsonl", sets[k]);
        FILE *f = fopen(path, "r");
        CHECK(f != NULL);
        if (!f)
            continue;
        char *line = NULL;
        size_t cap = 0;
        for (int lineno = 0; getline(&line, &cap, f) > 0; lineno++) {
            json_t *o = json_loads(line, 0, NULL);
            const char *title = json_string_value(json_object_get(o, "title"));
            const char *body = json_string_value(json_object_get(o, "body"));
            const char *time = json_string_value(json_object_get(o, "time"));
            const char *lang = json_string_value(json_object_get(o, "lang"));
            if (title && body && time) {
                char *data = NULL;
                size_t len = 0;
                FILE *b = open_memstream(&data, &len);
                fprintf(b,
                        "<!doctype html><html lang=\"%s\"><head><meta "
                        "charset=\"utf-8\"><title>",
                        lang ? lang : "en");
                put_escaped(b, title);
                fprintf(b,
                        "</title><meta property=\"article:published_time\" "
                        "content=\"%s\"></head><body><article><h1>",
                        time);
                put_escaped(b, title);
                fputs("</h1><p>", b);
                put_escaped(b, body);
                fputs("</p></article></body></html>", b);
                char url[128];
                snprintf(url, sizeof url, "https://example.test/warm/%s/%d",
                         sets[k], pages);
                fclose(b);
                if (held && k == HELD_SET && lineno == HELD_LINE) {
                    *held = data;
                    *held_len = len;
                } else {
                    push_page(push, url, "text/html; charset=utf-8", data, len);
                    free(data);
                    pages++;
                }
            }
            json_decref(o);
        }
        free(line);
        fclose(f);
    }
    return pages;
}

/* A subscriber of "all" and "$events" and a pusher, on a context of their
 * own. */
struct wire {
    void *zctx, *sub, *push;
};

static void
wire_open(struct wire *x, struct worker *w)
{
    x->zctx = zmq_ctx_new();
    const char *ch[] = {"all", "$events", NULL};
    x->sub = subscriber(x->zctx, w, ch);
    CHECK(wait_subscribed(x->sub, DEADLINE_MS));
    x->push = pusher(x->zctx, w);
}

static void
wire_close(struct wire *x)
{
    zmq_close(x->push);
    zmq_close(x->sub);
    zmq_ctx_term(x->zctx);
}

static void
push_seeds(void *push, int round)
{
    for (int i = 0; i < N_SEEDS; i++) {
        size_t l;
        char *buf = read_seed(seed_files[i], &l);
        char url[128];
        snprintf(url, sizeof url, "https://example.test/seed/%d?r=%d", i,
                 round);
        push_page(push, url, "text/plain; charset=utf-8", buf, l);
        free(buf);
    }
}

static void
test_events_on_the_wire(void)
{
    struct worker w;
    char snap[64];
    snprintf(snap, sizeof snap, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--max-page-bytes", "262144", "--snapshot", snap,
                           NULL};
    worker_start(&w, extra);
    struct wire x;
    wire_open(&x, &w);
    /* The warm-up: its articles and the events they created. */
    CHECK_INT(push_warm_up(x.push, NULL, NULL), ==, 360);
    static struct collected got;
    CHECK(collect_until(x.sub, frames_pushed, &got, DEADLINE_MS));
    int warm_articles = 0, warm_created = 0;
    for (int i = 0; i < got.n; i++)
        if (strcmp(got.m[i].channel, "$events") == 0) {
            Wiredesk__V1__Event *e =
                wiredesk__v1__event__unpack(NULL, got.m[i].len, got.m[i].data);
            CHECK(e != NULL);
            warm_created += e && strcmp(e->change, "created") == 0;
            if (e)
                wiredesk__v1__event__free_unpacked(e, NULL);
        } else {
            warm_articles++;
        }
    /* (Dedup may fold a few of the streams' reports of one event.) */
    CHECK_INT(warm_articles, >=, 300);
    CHECK_INT(warm_created, <, warm_articles);
    collected_free(&got);

    push_seeds(x.push, 1);
    /* The same pages again: duplicates, no event moves. */
    push_seeds(x.push, 2);
    CHECK(collect_until(x.sub, frames_pushed, &got, DEADLINE_MS));
    int articles = 0, events = 0, created = 0;
    uint64_t epoch = got.n ? got.m[0].epoch : 0;
    char visit_event[17] = "";
    int visit_seen = 0;
    static char others[64][17]; /* the other stories' events */
    int n_others = 0;
    Wiredesk__V1__Event *last = NULL;
    for (int i = 0; i < got.n; i++) {
        if (strcmp(got.m[i].channel, "$events") == 0) {
            if (last)
                wiredesk__v1__event__free_unpacked(last, NULL);
            last =
                wiredesk__v1__event__unpack(NULL, got.m[i].len, got.m[i].data);
            CHECK(last != NULL);
            events++;
            created += last && strcmp(last->change, "created") == 0;
            continue;
        }
        CHECK_STR(got.m[i].channel, "all");
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, got.m[i].len, got.m[i].data);
        CHECK(a != NULL);
        if (!a)
            continue;
        articles++;
        CHECK(hex16(a->event_id));
        CHECK_INT(a->event_size, >=, 1);
        CHECK(a->event_similarity > 0.0f && a->event_similarity <= 1.0f);
        /* Its event's summary came just before it. */
        CHECK(last != NULL);
        if (last) {
            CHECK_STR(last->id, a->event_id);
            CHECK_STR(last->article_id, a->id);
            CHECK_STR(last->article_title, a->title);
            CHECK_INT(last->articles, ==, a->event_size);
            CHECK(last->title[0] != '\0');
            CHECK_INT(last->first_seen_ms, <=, last->last_seen_ms);
            CHECK_INT(last->sources, >=, 1);
            if (strcmp(last->change, "created") == 0) {
                CHECK_INT(a->event_size, ==, 1);
                CHECK(a->event_similarity == 1.0f);
            } else {
                CHECK_STR(last->change, "updated");
                CHECK_INT(a->event_size, >=, 2);
            }
            wiredesk__v1__event__free_unpacked(last, NULL);
            last = NULL;
        }
        if (is_visit(a->title)) {
            visit_seen++;
            if (!visit_event[0])
                snprintf(visit_event, sizeof visit_event, "%s", a->event_id);
            else
                CHECK_STR(a->event_id, visit_event);
        } else if (n_others < 64) {
            snprintf(others[n_others++], sizeof others[0], "%s", a->event_id);
        }
        wiredesk__v1__article__free_unpacked(a, NULL);
    }
    if (last)
        wiredesk__v1__event__free_unpacked(last, NULL);
    /* Every distinct story once, each with its one event message; the
     * re-fetched pages added none. */
    CHECK_INT(articles, ==, 24);
    CHECK_INT(events, ==, articles);
    CHECK_INT(visit_seen, ==, 3);
    /* ... and no other seed story is in the visit's event (they are the
     * same desk's analyses of the region, all fetched at once). */
    CHECK_INT(n_others, ==, articles - visit_seen);
    for (int i = 0; i < n_others; i++)
        CHECK(strcmp(others[i], visit_event) != 0);
    CHECK_INT(created, <, articles); /* some stories joined an event */
    CHECK_INT(created, >=, 2);
    CHECK_INT(worker_metric(&w, "wiredesk_events_created_total"), ==,
              warm_created + created);
    CHECK_INT(worker_metric(&w, "wiredesk_events_joined_total"), ==,
              warm_articles - warm_created + articles - created);
    /* (None expired: the streams' articles are dated weeks before the
     * seeds, but events live by the time they were received.) */
    CHECK_INT(worker_metric(&w, "wiredesk_events_live"), ==,
              warm_created + created);
    /* A late subscriber gets the latest events from the snapshot
     * service: the last five, numbered up to the last one sent. */
    char cmd[1024], out[1 << 16];
    snprintf(cmd, sizeof cmd,
             "%s tail --endpoint %s --snapshot %s --catch-up 5 --count 5 "
             "--timeout 10000 '$events' 2>/dev/null",
             WD_BINARY, w.publish, snap);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    int lines = 0;
    for (const char *p = out; (p = strstr(p, "\"channel\":\"$events\"")); p++)
        lines++;
    CHECK_INT(lines, ==, 5);
    char last_seq[40];
    snprintf(last_seq, sizeof last_seq, "{\"seq\":%d,", warm_articles + events);
    CHECK(strstr(out, last_seq) != NULL);
    CHECK(strstr(out, "\"change\":\"") != NULL);
    /* The journal gives each channel its own messages back: Events on
     * "$events" (each is an entry of its own, not a story's), Articles on
     * "all". */
    CHECK_INT(resume_all(snap, "$events", epoch), ==, warm_articles + events);
    CHECK_INT(resume_all(snap, "all", epoch), ==, warm_articles + articles);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    collected_free(&got);
    wire_close(&x);
    worker_cleanup(&w);
}

static void
test_events_off(void)
{
    struct worker w;
    const char *extra[] = {"--max-page-bytes", "262144", "--max-events", "0",
                           NULL};
    worker_start(&w, extra);
    struct wire x;
    wire_open(&x, &w);
    long long before = frames_pushed;
    push_seeds(x.push, 1);
    static struct collected got;
    CHECK(collect_until(x.sub, frames_pushed - before, &got, DEADLINE_MS));
    int articles = 0;
    for (int i = 0; i < got.n; i++) {
        CHECK_STR(got.m[i].channel, "all");
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, got.m[i].len, got.m[i].data);
        if (!a)
            continue;
        articles++;
        CHECK_STR(a->event_id, "");
        CHECK_INT(a->event_size, ==, 0);
        wiredesk__v1__article__free_unpacked(a, NULL);
    }
    CHECK_INT(articles, ==, 24);
    CHECK_INT(worker_metric(&w, "wiredesk_events_created_total"), ==, 0);
    CHECK_INT(worker_metric(&w, "wiredesk_events_bytes"), ==, 0);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    collected_free(&got);
    wire_close(&x);
    worker_cleanup(&w);
}

/* The held-back report of a warm-up event, pushed to a worker that has
 * restarted: the Article it gives (its event id and whether its Event
 * said "created"). Returns whether one came. */
static bool
push_held(struct worker *w, const char *held, size_t len, char event_id[17],
          bool *created, uint32_t *size)
{
    struct wire x;
    wire_open(&x, w);
    long long before = frames_pushed;
    push_page(x.push, "https://example.test/held", "text/html; charset=utf-8",
              held, len);
    static struct collected got;
    CHECK(collect_until(x.sub, frames_pushed - before, &got, DEADLINE_MS));
    bool found = false;
    for (int i = 0; i < got.n; i++) {
        if (strcmp(got.m[i].channel, "$events") == 0) {
            Wiredesk__V1__Event *e =
                wiredesk__v1__event__unpack(NULL, got.m[i].len, got.m[i].data);
            CHECK(e != NULL);
            if (e) {
                *created = strcmp(e->change, "created") == 0;
                wiredesk__v1__event__free_unpacked(e, NULL);
            }
            continue;
        }
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, got.m[i].len, got.m[i].data);
        CHECK(a != NULL);
        if (a) {
            snprintf(event_id, 17, "%s", a->event_id);
            *size = a->event_size;
            found = true;
            wiredesk__v1__article__free_unpacked(a, NULL);
        }
    }
    collected_free(&got);
    wire_close(&x);
    return found;
}

static void
test_events_survive_restart(void)
{
    /* The streams' articles go in, less one report of an event; the
     * worker stops and starts again; the held report joins its event
     * from before the restart (the same id). When the run that read the
     * dump dies (kill -9) before the report comes, the next start has
     * nothing to go on from: the report founds an event of its own. */
    for (int clean = 1; clean >= 0; clean--) {
        struct worker w;
        const char *extra[] = {"--max-page-bytes", "262144", NULL};
        worker_start(&w, extra);
        struct wire x;
        wire_open(&x, &w);
        char *held = NULL;
        size_t held_len = 0;
        long long before = frames_pushed;
        CHECK_INT(push_warm_up(x.push, &held, &held_len), ==, 359);
        CHECK(held != NULL);
        static struct collected got;
        CHECK(collect_until(x.sub, frames_pushed - before, &got, DEADLINE_MS));
        /* The events from before: the ids a report may join. */
        static char ids[400][17];
        int n_ids = 0;
        for (int i = 0; i < got.n && n_ids < 400; i++)
            if (strcmp(got.m[i].channel, "$events") == 0) {
                Wiredesk__V1__Event *e = wiredesk__v1__event__unpack(
                    NULL, got.m[i].len, got.m[i].data);
                if (e && strcmp(e->change, "created") == 0)
                    snprintf(ids[n_ids++], 17, "%s", e->id);
                if (e)
                    wiredesk__v1__event__free_unpacked(e, NULL);
            }
        CHECK_INT(n_ids, >=, 100);
        long long live = worker_metric(&w, "wiredesk_events_live");
        collected_free(&got);
        wire_close(&x);
        CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
        char dump[400];
        snprintf(dump, sizeof dump, "%s/events.dump", w.state);
        CHECK(access(dump, F_OK) == 0);
        if (!clean) {
            /* A start that reads the dump, then a crash: the next start
             * must not find that dump again (it was read once). */
            worker_spawn(&w, extra);
            bool read = false;
            for (int64_t end = mono_ms() + DEADLINE_MS;
                 !read && mono_ms() < end; usleep(10000))
                read = log_contains(&w, "live events of the last run");
            CHECK(read);
            CHECK(access(dump, F_OK) != 0);
            worker_kill9(&w);
        }
        worker_spawn(&w, extra);
        char event_id[17] = "";
        bool created = false;
        uint32_t size = 0;
        CHECK(push_held(&w, held, held_len, event_id, &created, &size));
        bool known = false;
        for (int i = 0; i < n_ids; i++)
            known |= strcmp(ids[i], event_id) == 0;
        if (clean) {
            CHECK(log_contains(&w, "live events of the last run"));
            CHECK(!created);
            CHECK(known);
            CHECK_INT(size, >=, 2);
            /* Every event came back, and one took the report. */
            CHECK_INT(worker_metric(&w, "wiredesk_events_live"), ==, live);
        } else {
            CHECK(created);
            CHECK(!known);
            CHECK_INT(size, ==, 1);
            CHECK_INT(worker_metric(&w, "wiredesk_events_live"), ==, 1);
        }
        free(held);
        CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
        worker_cleanup(&w);
    }
}

int
main(void)
{
    RUN(test_events_on_the_wire);
    RUN(test_events_off);
    RUN(test_events_survive_restart);
    return TEST_DONE();
}
