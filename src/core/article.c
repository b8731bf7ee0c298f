#include "wd/article.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "wd/err.h"
#include "wd/text.h"
#include "wiredesk.pb-c.h"

int
wd_article_pack(const struct wd_item *it, const struct wd_tags *tags,
                const struct wd_article_meta *m, struct wd_arena *a,
                uint8_t **buf, size_t *len)
{
    Wiredesk__V1__Article art;
    wiredesk__v1__article__init(&art);
    /* protobuf-c wants char * where it only reads; the casts drop const for
     * the duration of the pack, nothing is written through them. */
    art.id = (char *)m->id;
    art.url =
        (char *)(it->url ? it->url : (m->source_url ? m->source_url : ""));
    art.source_url = (char *)(m->source_url ? m->source_url : "");
    art.title = (char *)it->title;
    art.body = (char *)it->body;
    art.truncated = it->truncated;
    art.author = (char *)(it->author ? it->author : "");
    char *one_author = (char *)art.author;
    if (it->n_authors) {
        art.authors = (char **)it->authors;
        art.n_authors = it->n_authors;
    } else if (it->author && *it->author) {
        art.authors = &one_author;
        art.n_authors = 1;
    }
    art.dateline = (char *)(it->dateline ? it->dateline : "");
    art.change = (char *)(m->change ? m->change : "");
    art.published_at_ms = it->published_at_ms;
    art.simhash = m->simhash;
    art.revision = m->revision;
    art.fetched_at_ms = m->fetched_at_ms;
    art.ingested_at_ms = m->ingested_at_ms;
    art.source = (char *)(m->source ? m->source : "");
    art.language = (char *)(it->language ? it->language : "");
    art.kind = it->full ? WIREDESK__V1__ARTICLE__KIND__KIND_FULL
                        : WIREDESK__V1__ARTICLE__KIND__KIND_TEASER;

    char *countries[WD_TAG_MAX], *themes[WD_TAG_MAX];
    float cscores[WD_TAG_MAX], tscores[WD_TAG_MAX];
    for (size_t i = 0; i < tags->n_countries; i++) {
        countries[i] = (char *)tags->countries[i].code;
        cscores[i] = tags->countries[i].score;
    }
    for (size_t i = 0; i < tags->n_themes; i++) {
        themes[i] = (char *)tags->themes[i].code;
        tscores[i] = tags->themes[i].score;
    }
    art.n_countries = art.n_country_scores = tags->n_countries;
    art.countries = countries;
    art.country_scores = cscores;
    art.n_themes = art.n_theme_scores = tags->n_themes;
    art.themes = themes;
    art.theme_scores = tscores;

    size_t n = wiredesk__v1__article__get_packed_size(&art);
    uint8_t *out = wd_arena_alloc(a, n ? n : 1);
    if (!out)
        return WD_ENOMEM;
    *len = wiredesk__v1__article__pack(&art, out);
    *buf = out;
    return 0;
}

int
wd_article_add_event(const uint8_t *buf, size_t len,
                     const struct wd_cluster_result *r, struct wd_arena *a,
                     uint8_t **out, size_t *out_len)
{
    Wiredesk__V1__Article art;
    wiredesk__v1__article__init(&art);
    art.event_id = (char *)r->event_id;
    art.event_size = r->size;
    art.event_similarity = r->similarity;
    art.event_runner_up = (char *)r->runner_up;
    art.event_runner_up_similarity = r->runner_up_similarity;
    size_t n = wiredesk__v1__article__get_packed_size(&art);
    uint8_t *o = wd_arena_alloc(a, len + n + 1);
    if (!o)
        return WD_ENOMEM;
    memcpy(o, buf, len);
    *out_len = len + wiredesk__v1__article__pack(&art, o + len);
    *out = o;
    return 0;
}

int
wd_event_pack(const struct wd_cluster_event *ev,
              const struct wd_cluster_result *r, const char *article_id,
              const char *article_title, int64_t at_ms, struct wd_arena *a,
              uint8_t **buf, size_t *len)
{
    Wiredesk__V1__Event e;
    wiredesk__v1__event__init(&e);
    char *countries[WD_CLUSTER_TOP], *themes[WD_CLUSTER_TOP];
    for (size_t i = 0; i < ev->n_countries; i++)
        countries[i] = (char *)ev->countries[i];
    for (size_t i = 0; i < ev->n_themes; i++)
        themes[i] = (char *)ev->themes[i];
    e.id = (char *)ev->id;
    e.change = r->created ? "created" : "updated";
    e.title = (char *)ev->title;
    e.first_seen_ms = ev->first_ms;
    e.last_seen_ms = ev->last_ms;
    e.articles = ev->articles;
    e.sources = ev->sources;
    e.countries = countries;
    e.n_countries = ev->n_countries;
    e.themes = themes;
    e.n_themes = ev->n_themes;
    e.article_id = (char *)(article_id ? article_id : "");
    e.article_title = (char *)(article_title ? article_title : "");
    e.similarity = r->similarity;
    e.at_ms = at_ms;
    size_t n = wiredesk__v1__event__get_packed_size(&e);
    uint8_t *out = wd_arena_alloc(a, n ? n : 1);
    if (!out)
        return WD_ENOMEM;
    *len = wiredesk__v1__event__pack(&e, out);
    *buf = out;
    return 0;
}

static json_t *
str_array(char **v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

static json_t *
float_array(const float *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_real((double)v[i]));
    return arr;
}

static char *
dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

char *
wd_article_json(const uint8_t *buf, size_t len, const char *channel)
{
    Wiredesk__V1__Article *art = wiredesk__v1__article__unpack(NULL, len, buf);
    if (!art)
        return NULL;
    char simhash[17];
    snprintf(simhash, sizeof simhash, "%016" PRIx64, art->simhash);
    const char *kind =
        art->kind == WIREDESK__V1__ARTICLE__KIND__KIND_FULL     ? "full"
        : art->kind == WIREDESK__V1__ARTICLE__KIND__KIND_TEASER ? "teaser"
                                                                : "unspecified";
    json_t *o = json_object();
    json_object_set_new(o, "channel", json_string(channel));
    json_object_set_new(o, "id", json_string(art->id));
    json_object_set_new(o, "revision", json_integer(art->revision));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "title", json_string(art->title));
    json_object_set_new(o, "url", json_string(art->url));
    json_object_set_new(o, "source_url", json_string(art->source_url));
    json_object_set_new(o, "source", json_string(art->source));
    json_object_set_new(o, "author", json_string(art->author));
    json_object_set_new(o, "authors", str_array(art->authors, art->n_authors));
    json_object_set_new(o, "dateline", json_string(art->dateline));
    json_object_set_new(o, "change", json_string(art->change));
    json_object_set_new(o, "published_at_ms",
                        json_integer(art->published_at_ms));
    json_object_set_new(o, "fetched_at_ms", json_integer(art->fetched_at_ms));
    json_object_set_new(o, "ingested_at_ms", json_integer(art->ingested_at_ms));
    json_object_set_new(o, "truncated", json_boolean(art->truncated));
    json_object_set_new(o, "countries",
                        str_array(art->countries, art->n_countries));
    json_object_set_new(
        o, "country_scores",
        float_array(art->country_scores, art->n_country_scores));
    json_object_set_new(o, "themes", str_array(art->themes, art->n_themes));
    json_object_set_new(o, "theme_scores",
                        float_array(art->theme_scores, art->n_theme_scores));
    json_object_set_new(o, "simhash", json_string(simhash));
    json_object_set_new(o, "language", json_string(art->language));
    json_object_set_new(o, "event_id", json_string(art->event_id));
    json_object_set_new(o, "event_size", json_integer(art->event_size));
    json_object_set_new(o, "event_similarity",
                        json_real(art->event_similarity));
    json_object_set_new(o, "event_runner_up",
                        json_string(art->event_runner_up));
    json_object_set_new(o, "event_runner_up_similarity",
                        json_real(art->event_runner_up_similarity));
    json_object_set_new(o, "body", json_string(art->body));
    wiredesk__v1__article__free_unpacked(art, NULL);
    return dump(o);
}

char *
wd_event_json(const uint8_t *buf, size_t len, const char *channel)
{
    Wiredesk__V1__Event *e = wiredesk__v1__event__unpack(NULL, len, buf);
    if (!e)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "channel", json_string(channel));
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "change", json_string(e->change));
    json_object_set_new(o, "title", json_string(e->title));
    json_object_set_new(o, "articles", json_integer(e->articles));
    json_object_set_new(o, "sources", json_integer(e->sources));
    json_object_set_new(o, "countries",
                        str_array(e->countries, e->n_countries));
    json_object_set_new(o, "themes", str_array(e->themes, e->n_themes));
    json_object_set_new(o, "first_seen_ms", json_integer(e->first_seen_ms));
    json_object_set_new(o, "last_seen_ms", json_integer(e->last_seen_ms));
    json_object_set_new(o, "article_id", json_string(e->article_id));
    json_object_set_new(o, "article_title", json_string(e->article_title));
    json_object_set_new(o, "similarity", json_real(e->similarity));
    json_object_set_new(o, "at_ms", json_integer(e->at_ms));
    wiredesk__v1__event__free_unpacked(e, NULL);
    return dump(o);
}

char *
wd_dedup_decision_json(const uint8_t *buf, size_t len, const char *channel)
{
    Wiredesk__V1__DedupDecision *dd =
        wiredesk__v1__dedup_decision__unpack(NULL, len, buf);
    if (!dd)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "channel", json_string(channel));
    json_object_set_new(o, "kind", json_string(dd->kind));
    json_object_set_new(o, "reason", json_string(dd->reason));
    json_object_set_new(o, "similarity", json_real(dd->similarity));
    json_object_set_new(o, "title", json_string(dd->title));
    json_object_set_new(o, "story_id", json_string(dd->story_id));
    json_object_set_new(o, "matched_id", json_string(dd->matched_id));
    json_object_set_new(o, "page_url", json_string(dd->page_url));
    json_object_set_new(o, "source", json_string(dd->source));
    json_object_set_new(o, "at_ms", json_integer(dd->at_ms));
    wiredesk__v1__dedup_decision__free_unpacked(dd, NULL);
    return dump(o);
}

char *
wd_worker_stats_json(const uint8_t *buf, size_t len, const char *channel)
{
    Wiredesk__V1__WorkerStats *ws =
        wiredesk__v1__worker_stats__unpack(NULL, len, buf);
    if (!ws)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "channel", json_string(channel));
    json_object_set_new(o, "worker", json_string(ws->worker));
    json_object_set_new(o, "version", json_string(ws->version));
    json_object_set_new(o, "at_ms", json_integer(ws->at_ms));
    json_object_set_new(o, "started_at_ms", json_integer(ws->started_at_ms));
    json_t *c = json_object();
    for (size_t i = 0; i < ws->n_counters; i++) {
        const Wiredesk__V1__WorkerStats__Counter *k = ws->counters[i];
        char name[160];
        if (k->label && k->label[0])
            snprintf(name, sizeof name, "%s{%s}", k->name, k->label);
        else
            wd_text_copy(name, sizeof name, k->name);
        json_object_set_new(c, name, json_integer((json_int_t)k->value));
    }
    json_object_set_new(o, "counters", c);
    wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
    return dump(o);
}
