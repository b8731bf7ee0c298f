/* libFuzzer harness for the tagger's data-file parsers (gazetteer and
 * taxonomy), the files an operator edits and SIGHUP reloads. The first
 * byte chooses which file the rest is; the other file is a small valid
 * one. A file that builds is then used to tag a short text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/tag.h"

static const char gazetteer[] = "Freedonia\tFD\tcountry\t0\n"
                                "Freedonians\tFD\tdemonym\t0\n"
                                "Jordan\t-\tpersonal\t0\n";
static const char taxonomy[] = "@theme\tvotes\tx\tVotes\n"
                               "elect*\tvotes\t2\n"
                               "ballot box\tvotes\t1\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* An exactly sized copy, so that reads past the end are caught. */
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, n);
    struct wd_tag_file fuzzed = {"fuzzed.tsv", text, n};
    struct wd_tag_file gaz = {"gazetteer.tsv", gazetteer, sizeof gazetteer - 1};
    struct wd_tag_file tax = {"taxonomy.tsv", taxonomy, sizeof taxonomy - 1};
    bool as_taxonomy = data[0] & 1;
    struct wd_tagger *t = NULL;
    char err[256];
    if (wd_tagger_build(as_taxonomy ? &gaz : &fuzzed, 1,
                        as_taxonomy ? &fuzzed : &tax, &t, err,
                        sizeof err) == 0) {
        static const char title[] = "Freedonia Elects a President";
        static const char body[] = "Freedonians voted; the ballot box was "
                                   "full in Jordan's capital.";
        struct wd_tags tags;
        wd_tagger_tag(t, title, sizeof title - 1, body, sizeof body - 1, &tags);
        wd_tagger_free(t);
    } else if (!memchr(err, '\0', sizeof err)) {
        abort(); /* every refusal says why, NUL-terminated */
    }
    free(text);
    return 0;
}
