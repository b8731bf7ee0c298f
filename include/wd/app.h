/* The worker process: one libuv loop that owns every socket. It receives
 * RawPages on the ingest socket, runs each through the pipeline and
 * publishes what comes out, publishes WorkerStats on "$stats" every few
 * seconds, and stops cleanly on SIGINT/SIGTERM. */
#ifndef WD_APP_H
#define WD_APP_H

#include <stddef.h>
#include <stdint.h>

#define WD_DEFAULT_INGEST "tcp://127.0.0.1:5557"
#define WD_DEFAULT_PUBLISH "tcp://127.0.0.1:5558"
#define WD_DEFAULT_HTTP "127.0.0.1:9464"
#define WD_DEFAULT_STATE "./wiredesk-state"

/* The worker's settings. The defaults are the `run` command's (the option
 * table in src/shell/cli/cmd_run.c); a zero field is not a default. */
struct wd_app_config {
    const char *ingest;     /* endpoint the PULL socket binds */
    const char *ingest_ack; /* the acknowledged ROUTER ingest, or NULL */
    const char *publish;    /* endpoint the PUB socket binds */
    const char *http;       /* HOST:PORT of the operator's HTTP view */
    const char *state_dir;  /* everything the worker persists */
    const char *data_dir;   /* the tagger's files; NULL: the default */
    const char *store_url;  /* redis://HOST:PORT/DB; NULL: LMDB in state_dir */
    /* CURVE on ingest and publish: the server's secret key file and the
     * client public keys admitted (a file or a directory of *.pub); both
     * NULL: plain sockets. */
    const char *curve_secret;
    const char *curve_allow;
    size_t max_page_bytes;
    uint64_t max_stories;       /* dedup retention by count */
    int64_t max_age_ms;         /* dedup retention by age */
    size_t store_map_mb;        /* bound of the LMDB store's size */
    int ingest_hwm;             /* messages queued on ingest (0 = no limit) */
    int pub_hwm;                /* messages queued per subscriber */
    unsigned stats_interval_ms; /* WorkerStats on "$stats"; 0 = never */
    int linger_ms;              /* time to flush published messages at stop */
    unsigned stop_timeout_ms;   /* how long a stop waits for a held page */
    /* The snapshot service: the ROUTER's endpoint (NULL: off), messages
     * kept per channel and the bound of their bytes in MiB. */
    const char *snapshot;
    unsigned snapshot_depth;
    size_t snapshot_mb;
    /* How long published stories stay in the journal for RESUME (with the
     * snapshot service, on an LMDB store); 0: none. */
    unsigned journal_minutes;
    /* Threads that parse and fingerprint pages (0: one a core less one). */
    unsigned threads;
    /* Events: live events kept (0: none) and the window an event takes
     * articles in after its latest. */
    size_t max_events;
    int64_t event_window_ms;
};

/* Runs the worker until SIGINT or SIGTERM; SIGHUP reloads the tagger's
 * data files off the loop thread and swaps them in between two pages. Returns
 * the process exit code: 0 after a clean stop, 1 when start-up failed (reason
 * logged; key files with loose permissions are such a failure). */
int wd_app_run(const struct wd_app_config *cfg);

#endif
