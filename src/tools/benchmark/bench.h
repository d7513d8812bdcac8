/* bench: state shared by valkey-benchmark's option/report side (benchmark.c)
 * and its load engine (bench_run.c). The config is written once before any
 * worker starts and is read-only afterwards; run counters are atomics. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H
#include <stddef.h>
#include "ds/histogram.h"

#define BENCH_HIST_LOWEST_US 10
#define BENCH_HIST_HIGHEST_US 3000000
#define BENCH_RAND_PLACEHOLDER "__rand_int__"
#define BENCH_RAND_DIGITS 12

typedef struct benchConfig {
    const char *host;
    int port;
    const char *socket;
    const char *auth, *user;
    int resp3;
    int tracking;
    int clients;
    long long requests;
    int datasize;
    int dbnum;
    int keepalive;
    long long keyspacelen;   /* 0: __rand_int__ is sent literally */
    int pipeline;
    int quiet, csv, loop, idle;
    int threads;             /* 0: everything on the main thread */
    unsigned long long seed;
    int precision;           /* histogram significant digits */
    int stdin_last;
    char *tests;             /* ",set,get," (lower case) or NULL for all */
    int progress;            /* live progress line (stdout is a terminal) */
    /* Commands sent once on every new connection, replies skipped but checked. */
    char *prefix;
    size_t prefix_len;
    int prefix_replies;
} benchConfig;

extern benchConfig bconf;

typedef struct benchResult {
    long long finished;
    long long elapsed_us;
    histogram *hist;         /* owned by the caller */
} benchResult;

/* Runs one test of bconf.requests copies of `cmd` (one encoded command).
 * Fatal conditions (connect failure, server error reply, closed connection)
 * print a message and exit(1), as valkey-benchmark does. */
void benchRun(const char *title, const char *cmd, size_t cmdlen, benchResult *out);
/* Opens bconf.clients connections and waits forever. */
void benchRunIdle(void);
/* Blocking connection to the configured server; -1 with err filled on failure. */
int benchConnectBlocking(char *err, size_t errlen);
const char *benchServerName(char *buf, size_t len);
#endif
