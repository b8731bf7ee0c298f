/* WD_TEST_LABEL: unit */
/* Bylines to people: lists split, "By" and asides dropped, and what is no
 * person's name (an address, an agency, a credential) left out. */
#include "test.h"

#include "wd/author.h"

static struct wd_arena arena;

static void
check_split(const char *byline, const char *const *want, size_t n_want)
{
    const char *got[WD_AUTHORS_MAX];
    size_t n =
        wd_authors_split(byline, strlen(byline), &arena, got, WD_AUTHORS_MAX);
    if (n != n_want)
        WD_FAIL_("\"%s\": %zu names, want %zu", byline, n, n_want);
    for (size_t i = 0; i < n && i < n_want; i++)
        CHECK_STR(got[i], want[i]);
}

static void
test_lists(void)
{
    const char *four[] = {"Dana A. Ford", "James S.A. Corey", "Chien-Ming Wang",
                          "Tom Watkins"};
    check_split("By Dana A. Ford, James S.A. Corey, Chien-Ming Wang, and Tom "
                "Watkins, CNN",
                four, 4);
    const char *two[] = {"Stella Kim", "Jennifer Jett"};
    check_split("Stella Kim and Jennifer Jett", two, 2);
    check_split("Stella Kim & Jennifer Jett", two, 2);
    check_split("Stella Kim; Jennifer Jett; Stella Kim", two, 2);
    const char *three[] = {"Martin Untersinger", "Damien Leloup",
                           "Morgane Tual"};
    check_split("Par Martin Untersinger, Damien Leloup et Morgane Tual", three,
                3);
}

static void
test_not_names(void)
{
    const char *one[] = {"Brenda Goodman"};
    check_split("Brenda Goodman, MA", one, 1);
    const char *kuhn[] = {"Bradley M. Kuhn"};
    check_split("Bradley M. Kuhn (http://ebb.org/bkuhn/)", kuhn, 1);
    const char *nico[] = {"Nicolas Perriault"};
    check_split("Nicolas Perriault \xE2\x80\x94", nico, 1);
    check_split("https://www.facebook.com/profile.php?id=123", NULL, 0);
    check_split("newsdesk@example.com", NULL, 0);
    check_split("CNN", NULL, 0);
    check_split("Updated 12:30, 5 March 2025", NULL, 0);
    const char *kelli[] = {"Kelli Miller"};
    check_split("Kelli Miller  WebMD Health News", kelli, 1);
    const char *ben[] = {"Ben Silverman"};
    check_split("Ben Silverman Games Editor", ben, 1);
    check_split("Metro Desk", NULL, 0);
    check_split("", NULL, 0);
    check_split("By", NULL, 0);
}

int
main(void)
{
    wd_arena_init(&arena, 0);
    RUN(test_lists);
    RUN(test_not_names);
    wd_arena_fini(&arena);
    return TEST_DONE();
}
