#!/usr/bin/env bash
# Runs the benchmarks and appends their output to bench/RESULTS.md with the
# machine, the date and the commit.
#   scripts/bench.sh [PAGES] [STORIES]   (defaults 100000 and 1000000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-100000}
stories=${2:-1000000}
"$top/scripts/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
out=$(mktemp)
{
    echo
    echo "## $(date -u +%Y-%m-%d) — commit $(git -C "$top" rev-parse --short HEAD)"
    echo
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo
    echo '```'
    echo "\$ build/dedup_eval $pages"
    "$top/build/dedup_eval" "$pages" || true   # its verdict is printed
    state=$(mktemp -d)
    echo "\$ build/dedup_bench $stories STATE"
    "$top/build/dedup_bench" "$stories" "$state"
    echo "\$ build/extract_eval"
    "$top/build/extract_eval" || true
    echo "\$ build/corpus_dedup   (the dedup on the corpora's real pages)"
    "$top/build/corpus_dedup" || true
    echo "\$ python3 bench/corpus_eval.py build/corpus_parse --worst 0"
    python3 "$top/bench/corpus_eval.py" "$top/build/corpus_parse" --worst 0 || true
    # One parse thread and one a core: the ratio, CPU a page, latency at
    # half rate, start-up and RSS for each.
    for threads in 1 "$(nproc)"; do
        echo "\$ build/pipeline_bench 20000 --refetch 30 --threads $threads"
        (cd "$top" && build/pipeline_bench 20000 build/wiredesk --refetch 30 \
            --threads "$threads")
    done
    echo "\$ build/pipeline_bench 20000 --seedlike --refetch 30   (pages of the seeds' size, 27 items a page)"
    (cd "$top" && build/pipeline_bench 20000 build/wiredesk --seedlike \
        --refetch 30)
    echo "\$ build/pipeline_bench 20000 --seedlike --refetch 30 --in-process   (the functional core's CPU a page, one thread, no transport)"
    (cd "$top" && build/pipeline_bench 20000 --seedlike --refetch 30 \
        --in-process)
    echo "\$ build/pipeline_bench 20000 --seeds --refetch 30   (pages of the seeds' size and stories, 6 a page)"
    (cd "$top" && build/pipeline_bench 20000 build/wiredesk --seeds \
        --refetch 30)
    echo "\$ build/pipeline_bench 20000 --html"
    (cd "$top" && build/pipeline_bench 20000 build/wiredesk --html)
    echo "\$ build/pipeline_bench 20000 --state STATE   (the $stories stories above)"
    (cd "$top" && build/pipeline_bench 20000 build/wiredesk --state "$state")
    rm -rf "$state"
    # The shared store: 1, 2 and 3 workers on one Redis (and LMDB alone
    # for reference), when redis-server is installed.
    if command -v redis-server >/dev/null; then
        echo "\$ build/scale_bench 20000"
        (cd "$top" && build/scale_bench 20000 build/wiredesk) || true
    fi
    echo "\$ build/memindex_bench 25000000   (the look-ups alone; growing: a story's time as the tables grow)"
    "$top/build/memindex_bench" 25000000
    echo "\$ build/parse_bench 3"
    "$top/build/parse_bench" 3
    echo "\$ build/date_bench 2   (the line classifier's date question alone)"
    "$top/build/date_bench" 2
    echo "\$ build/fp_bench 2   (a story's fingerprints alone)"
    "$top/build/fp_bench" 2
    echo "\$ build/tag_eval tests/fixtures/tagset"
    "$top/build/tag_eval" "$top/tests/fixtures/tagset" || true
    if [ -d "$top/tests/fixtures/tagset-holdout" ]; then
        echo "\$ build/tag_eval tests/fixtures/tagset-holdout"
        "$top/build/tag_eval" "$top/tests/fixtures/tagset-holdout" || true
    fi
    echo "\$ build/tag_bench 5"
    "$top/build/tag_bench" 5
    echo '```'
} | tee "$out"
cat "$out" >> "$top/bench/RESULTS.md"
rm -f "$out"
