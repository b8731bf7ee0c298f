/* Runs a libFuzzer harness over every file of the directories given on the
 * command line, so that harnesses keep compiling and their corpus keeps
 * passing in ordinary (and sanitizer) builds. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    if (!buf)
        return 0;
    /* Every prefix-length class matters to a parser: run the whole input and
     * a few truncations of it. */
    LLVMFuzzerTestOneInput(buf, got);
    for (size_t cut = 1; cut < got; cut = cut * 3 + 7)
        LLVMFuzzerTestOneInput(buf, cut);
    free(buf);
    return 1;
}

int
main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            files += replay_file(argv[i]);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                files += replay_file(path);
        }
        closedir(d);
    }
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    printf("replayed %d files\n", files);
    printf("%d passed, 0 failed\n", files + 1);
    return 0;
}
