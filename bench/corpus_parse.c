/* The parser over real pages, for scoring with the corpora's score.py:
 *
 *   corpus_parse ROOT FILE...
 *
 * Each FILE (a path relative to ROOT: S/NAME.html, or a text rendering
 * S/text/NAME.w3m.txt) goes through wd_page_parse as the worker would
 * receive it (text/html for .html, text/plain for anything else) and gives
 * one JSON line: {"name", "title", "authors", "date", "body", "lang",
 * "kind", "items", "error"}. The page's story is its article, or on a listing
 * the item with the longest body. bench/corpus_eval.sh runs it per rendering
 * and scores the output. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "wd/err.h"
#include "wd/page.h"

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *const kinds[] = {"unknown", "listing", "article"};

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: corpus_parse ROOT FILE...\n");
        return 2;
    }
    struct wd_arena arena;
    wd_arena_init(&arena, 0);
    /* Relative dates are read against a fixed "now", so that output does
     * not change from day to day. */
    const int64_t now_ms = 1767225600000LL; /* 2026-01-01 */
    for (int i = 2; i < argc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], argv[i]);
        size_t len = 0;
        char *body = slurp(path, &len);
        if (!body) {
            fprintf(stderr, "corpus_parse: cannot read %s\n", path);
            continue;
        }
        /* The page's URL, as the scraper's RawPage carries it: from the
         * truth file's "url" beside the page. */
        char jpath[4200], *url = NULL;
        snprintf(jpath, sizeof jpath, "%s", path);
        char *dot = strstr(jpath, "/text/");
        if (dot)
            memmove(dot, dot + 5, strlen(dot + 5) + 1);
        char *ext = strrchr(jpath, '/');
        ext = ext ? strchr(ext, '.') : NULL;
        if (ext) {
            snprintf(ext, sizeof jpath - (size_t)(ext - jpath), ".json");
            json_error_t err;
            json_t *truth = json_load_file(jpath, 0, &err);
            const char *u = json_string_value(json_object_get(truth, "url"));
            if (u)
                url = strdup(u);
            json_decref(truth);
        }
        struct wd_page_input in = {
            .content_type = ends_with(argv[i], ".html")
                                ? "text/html"
                                : "text/plain; charset=utf-8",
            .body = (const uint8_t *)body,
            .len = len,
            .fetched_at_ms = now_ms,
            .url = url,
        };
        struct wd_page page;
        wd_arena_reset(&arena);
        int rc = wd_page_parse(&in, &arena, &page);
        const struct wd_item *best = NULL;
        for (size_t k = 0; rc == 0 && k < page.n_items; k++)
            if (!best || strlen(page.items[k].body) > strlen(best->body))
                best = &page.items[k];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(argv[i]));
        json_object_set_new(o, "kind",
                            json_string(rc ? "error" : kinds[page.kind]));
        json_object_set_new(o, "items",
                            json_integer(rc ? 0 : (json_int_t)page.n_items));
        if (rc)
            json_object_set_new(o, "error", json_string(wd_err_name(rc)));
        if (best) {
            json_object_set_new(o, "title", json_string(best->title));
            json_object_set_new(o, "body", json_string(best->body));
            if (best->language)
                json_object_set_new(o, "lang", json_string(best->language));
            json_t *authors = json_array();
            for (size_t k = 0; k < best->n_authors; k++)
                json_array_append_new(authors, json_string(best->authors[k]));
            if (!best->n_authors && best->author)
                json_array_append_new(authors, json_string(best->author));
            json_object_set_new(o, "authors", authors);
            if (best->dateline)
                json_object_set_new(o, "dateline", json_string(best->dateline));
            if (best->published_at_ms) {
                time_t t = (time_t)(best->published_at_ms / 1000);
                struct tm tm;
                gmtime_r(&t, &tm);
                char date[40];
                strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
                json_object_set_new(o, "date", json_string(date));
            }
        }
        char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        puts(line);
        free(line);
        json_decref(o);
        free(body);
        free(url);
    }
    wd_arena_fini(&arena);
    return 0;
}
