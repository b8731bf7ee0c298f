/* wd_fp_story alone, as the pipeline calls it for each story: every file
 * given (by default the seed fixtures: the .txt files of
 * tests/fixtures/seeds) taken as one story's body under a fixed title,
 * fingerprinted again and again for SECONDS; nanoseconds a byte of body.
 *
 *   fp_bench [SECONDS [FILE...]]      (default 2 s)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/fingerprint.h"

#define MAX_FILES 256

int
main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2;
    static struct bench_file bodies[MAX_FILES];
    int n = 0;
    for (int f = 2; f < argc && n < MAX_FILES; f++) {
        bodies[n].data = slurp(argv[f], &bodies[n].len);
        if (!bodies[n].data) {
            fprintf(stderr, "fp_bench: cannot read %s\n", argv[f]);
            return 1;
        }
        n++;
    }
    if (argc <= 2) /* the seed fixtures */
        n = bench_load_dir(WD_FIXTURES "/seeds", ".txt", bodies, MAX_FILES);
    if (n == 0) {
        fprintf(stderr, "fp_bench: no text\n");
        return 1;
    }
    static const char title[] = "Ministers agree on a plan for the region";
    size_t bytes = 0, calls = 0;
    uint64_t sum = 0; /* (used, so that no call is left out) */
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < n; i++) {
            struct wd_fp_story f;
            wd_fp_story(title, sizeof title - 1, bodies[i].data, bodies[i].len,
                        &f);
            sum += f.simhash;
            bytes += bodies[i].len;
            calls++;
        }
    } while ((t = now_s() - t0) < secs);
    printf("%d bodies, %.0f bytes on average, %.2f ns a byte, %.1f us a "
           "story (%016llx)\n",
           n, (double)bytes / (double)calls, t / (double)bytes * 1e9,
           t / (double)calls * 1e6, (unsigned long long)sum);
    for (int i = 0; i < n; i++)
        free(bodies[i].data);
    return 0;
}
