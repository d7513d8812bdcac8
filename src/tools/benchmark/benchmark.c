/* valkey-benchmark: command line, test catalogue and reports. The load engine
 * lives in bench_run.c; this file turns options into encoded commands, runs
 * them one test at a time and prints the valkey-benchmark report layouts. */
#include "tools/benchmark/bench.h"
#include "core/zmalloc.h"
#include "ds/bstr.h"
#include "protocol/resp_reader.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/version.h"
#define BENCH_VERSION VALKEY_VERSION
#define BENCH_MAX_THREADS 500
#define BENCH_MAX_DATASIZE (1024 * 1024 * 1024)
#define BENCH_CONFIG_TIMEOUT_MS 5000

static char *host_save, *host_appendonly;

static void benchUsage(FILE *fp) {
    fprintf(fp,
"Usage: valkey-benchmark [OPTIONS] [COMMAND ARGS...]\n"
"\n"
"Options:\n"
" -h <hostname>      Server host name (default 127.0.0.1)\n"
" -p <port>          Server port (default 6379)\n"
" -s <socket>        Unix socket path (takes precedence over host and port)\n"
" -a <password>      Password sent with AUTH on every connection\n"
" --user <username>  ACL user name for AUTH <user> <password> (needs -a)\n"
" -u <uri>           Server URI: valkey://[user[:password]@]host[:port][/db]\n"
" -c <clients>       Parallel connections (default 50)\n"
" -n <requests>      Total requests per test (default 100000)\n"
" -d <size>          Value size in bytes for SET/GET and friends (default 3)\n"
" --dbnum <db>       SELECT this database on every connection (default 0)\n"
" -3                 Talk RESP3 (HELLO 3 on every connection)\n"
" --threads <num>    Spread the clients over this many threads\n"
" --enable-tracking  Send CLIENT TRACKING on before the benchmark\n"
" -k <boolean>       1 = keep connections alive, 0 = reconnect per request (default 1)\n"
" -r <keyspacelen>   Replace every __rand_int__ in the commands (custom ones too)\n"
"                    by a 12 digit random number from 0 to keyspacelen-1, drawn\n"
"                    anew for every request. Without -r the placeholder is sent\n"
"                    as is, so all requests hit the same key.\n"
" -P <numreq>        Send requests in pipelines of <numreq> (default 1)\n"
" -q                 Quiet: one line per test with requests per second and p50\n"
" --precision <n>    Significant digits kept by the latency histogram (1..4, default 3)\n"
" --csv              CSV output\n"
" -l                 Loop: run the tests again and again\n"
" -t <tests>         Comma separated tests to run (names as printed, lower case\n"
"                    works; 'ping' and 'lrange' select their whole group).\n"
"                    Ignored when a command is given on the command line.\n"
" -I                 Idle mode: open the connections and wait\n"
" -x                 Read the last argument of the command from standard input\n"
" --seed <num>       Seed of the random generator behind -r (default: time based)\n"
" --help             This help\n"
" --version          Print the version and exit\n"
"\n"
"Examples:\n"
"  valkey-benchmark -q -n 100000\n"
"  valkey-benchmark -t set,get -P 16 -c 100 --csv\n"
"  valkey-benchmark -r 100000 -n 6000000 lpush my_list __rand_int__\n");
}

static void benchBadOption(const char *opt) {
    fprintf(stderr, "Unrecognized option or bad number of args for: '%s'\n", opt);
    benchUsage(stderr);
    exit(1);
}

/* "valkey://user:pass@host:port/db" (redis:// too). */
static void benchParseUri(const char *uri) {
    const char *p = strstr(uri, "://");
    if (!p || (strncmp(uri, "valkey", 6) && strncmp(uri, "redis", 5) && strncmp(uri, "valkeys", 7))) {
        fprintf(stderr, "Invalid URI scheme\n");
        exit(1);
    }
    p += 3;
    const char *at = strrchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) {
            if (colon > p) bconf.user = strndup(p, (size_t)(colon - p));
            bconf.auth = strndup(colon + 1, (size_t)(at - colon - 1));
        } else {
            bconf.auth = strndup(p, (size_t)(at - p));
        }
        p = at + 1;
    }
    const char *slash = strchr(p, '/');
    const char *hostend = slash ? slash : p + strlen(p);
    const char *colon = memchr(p, ':', (size_t)(hostend - p));
    if (colon) {
        if (colon > p) bconf.host = strndup(p, (size_t)(colon - p));
        bconf.port = atoi(colon + 1);
    } else if (hostend > p) {
        bconf.host = strndup(p, (size_t)(hostend - p));
    }
    if (slash && slash[1]) bconf.dbnum = atoi(slash + 1);
}

static int benchParseOptions(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (a[0] != '-') break;
        if (!strcmp(a, "--")) { i++; break; }
        if (!strcmp(a, "-c") && more) bconf.clients = atoi(argv[++i]);
        else if (!strcmp(a, "-n") && more) bconf.requests = atoll(argv[++i]);
        else if (!strcmp(a, "-k") && more) bconf.keepalive = atoi(argv[++i]);
        else if (!strcmp(a, "-h") && more) bconf.host = argv[++i];
        else if (!strcmp(a, "-p") && more) bconf.port = atoi(argv[++i]);
        else if (!strcmp(a, "-s") && more) bconf.socket = argv[++i];
        else if (!strcmp(a, "-a") && more) bconf.auth = argv[++i];
        else if (!strcmp(a, "--user") && more) bconf.user = argv[++i];
        else if (!strcmp(a, "-u") && more) benchParseUri(argv[++i]);
        else if (!strcmp(a, "-3")) bconf.resp3 = 1;
        else if (!strcmp(a, "-d") && more) bconf.datasize = atoi(argv[++i]);
        else if (!strcmp(a, "-P") && more) bconf.pipeline = atoi(argv[++i]);
        else if (!strcmp(a, "-r") && more) bconf.keyspacelen = atoll(argv[++i]);
        else if (!strcmp(a, "-q")) bconf.quiet = 1;
        else if (!strcmp(a, "--csv")) bconf.csv = 1;
        else if (!strcmp(a, "-l")) bconf.loop = 1;
        else if (!strcmp(a, "-I")) bconf.idle = 1;
        else if (!strcmp(a, "-x")) bconf.stdin_last = 1;
        else if (!strcmp(a, "-e")) { /* errors are always shown; accepted for old scripts */ }
        else if (!strcmp(a, "--enable-tracking")) bconf.tracking = 1;
        else if (!strcmp(a, "-t") && more) {
            bstr t = bstrNew(",");
            t = bstrCat(t, argv[++i]);
            t = bstrCat(t, ",");
            bstrToLower(t);
            bconf.tests = zstrdup(t);
            bstrFree(t);
        } else if (!strcmp(a, "--dbnum") && more) bconf.dbnum = atoi(argv[++i]);
        else if (!strcmp(a, "--threads") && more) bconf.threads = atoi(argv[++i]);
        else if (!strcmp(a, "--seed") && more) bconf.seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--precision") && more) bconf.precision = atoi(argv[++i]);
        else if (!strcmp(a, "--help")) { benchUsage(stdout); exit(0); }
        else if (!strcmp(a, "--version")) { printf("valkey-benchmark %s\n", BENCH_VERSION); exit(0); }
        else if (!strcmp(a, "--cluster") || !strncmp(a, "--tls", 5) || !strcmp(a, "--sni") ||
                 !strcmp(a, "--cacert") || !strcmp(a, "--cacertdir") || !strcmp(a, "--insecure") ||
                 !strcmp(a, "--cert") || !strcmp(a, "--key")) {
            fprintf(stderr, "Option '%s' is not supported by this build\n", a);
            exit(1);
        } else benchBadOption(a);
    }
    if (bconf.clients < 1) bconf.clients = 1;
    if (bconf.pipeline < 1) bconf.pipeline = 1;
    if (bconf.keyspacelen < 0) bconf.keyspacelen = 0;
    if (bconf.datasize < 1) bconf.datasize = 1;
    if (bconf.datasize > BENCH_MAX_DATASIZE) bconf.datasize = BENCH_MAX_DATASIZE;
    if (bconf.threads < 0) bconf.threads = 0;
    if (bconf.threads > BENCH_MAX_THREADS) bconf.threads = BENCH_MAX_THREADS;
    if (bconf.precision < 1) bconf.precision = bconf.precision < 0 ? 3 : 1;
    if (bconf.precision > 4) bconf.precision = 4;
    return i;
}

/* lastlen >= 0 gives the length of a binary last argument (-x). */
static bstr benchAppendCommandLen(bstr out, int argc, const char **argv, long long lastlen) {
    size_t *lens = zmalloc(sizeof(size_t) * (size_t)argc), len;
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    if (argc > 0 && lastlen >= 0) lens[argc - 1] = (size_t)lastlen;
    char *cmd = respFormatCommandArgv(argc, argv, lens, &len);
    out = bstrCatLen(out, cmd, len);
    zfree(cmd);
    zfree(lens);
    return out;
}

static bstr benchAppendCommand(bstr out, int argc, const char **argv) {
    return benchAppendCommandLen(out, argc, argv, -1);
}

/* AUTH / SELECT / HELLO / CLIENT TRACKING go in front of a connection's first batch. */
static void benchBuildPrefix(void) {
    bstr p = bstrEmpty();
    int n = 0;
    if (bconf.auth) {
        const char *v3[] = {"AUTH", bconf.user, bconf.auth}, *v2[] = {"AUTH", bconf.auth};
        p = bconf.user ? benchAppendCommand(p, 3, v3) : benchAppendCommand(p, 2, v2);
        n++;
    }
    if (bconf.dbnum) {
        char db[32];
        snprintf(db, sizeof(db), "%d", bconf.dbnum);
        const char *v[] = {"SELECT", db};
        p = benchAppendCommand(p, 2, v);
        n++;
    }
    if (bconf.resp3) {
        const char *v[] = {"HELLO", "3"};
        p = benchAppendCommand(p, 2, v);
        n++;
    }
    if (bconf.tracking) {
        const char *v[] = {"CLIENT", "TRACKING", "on"};
        p = benchAppendCommand(p, 3, v);
        n++;
    }
    bconf.prefix_len = bstrLen(p);
    bconf.prefix = zmalloc(bconf.prefix_len + 1);
    memcpy(bconf.prefix, p, bconf.prefix_len + 1);
    bconf.prefix_replies = n;
    bstrFree(p);
}

/* Blocking request/response on a private connection, bounded by a timeout. */
static respValue *benchReadReply(int fd, respReader *r) {
    char buf[4096];
    for (;;) {
        respValue *v = NULL;
        int rc = respReaderGetReply(r, &v);
        if (rc == 1) return v;
        if (rc < 0) return NULL;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, BENCH_CONFIG_TIMEOUT_MS) != 1) return NULL;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) return NULL;
        respReaderFeed(r, buf, (size_t)n);
    }
}

static char *benchConfigValue(respValue *v) {
    if (!v || v->elements < 2 || (v->type != RESP_T_ARRAY && v->type != RESP_T_MAP)) return NULL;
    respValue *val = v->element[1];
    if (val->type != RESP_T_STRING && val->type != RESP_T_STATUS && val->type != RESP_T_VERB) return NULL;
    return zstrdup(val->str);
}

static void benchFetchServerConfig(void) {
    char err[256], name[512];
    int fd = benchConnectBlocking(err, sizeof(err));
    if (fd == -1) {
        fprintf(stderr, "Could not connect to server at %s: %s\n", benchServerName(name, sizeof(name)), err);
        fprintf(stderr, "WARNING: Could not fetch server CONFIG\n");
        return;
    }
    bstr req = bstrCatLen(bstrEmpty(), bconf.prefix, bconf.prefix_len);
    const char *save[] = {"CONFIG", "GET", "save"}, *aof[] = {"CONFIG", "GET", "appendonly"};
    req = benchAppendCommand(req, 3, save);
    req = benchAppendCommand(req, 3, aof);
    respReader *r = respReaderCreate();
    int ok = write(fd, req, bstrLen(req)) == (ssize_t)bstrLen(req);
    for (int i = 0; ok && i < bconf.prefix_replies; i++) {
        respValue *v = benchReadReply(fd, r);
        ok = v && v->type != RESP_T_ERROR;
        respValueFree(v);
    }
    for (int i = 0; ok && i < 2; i++) {
        respValue *v = benchReadReply(fd, r);
        char *val = benchConfigValue(v);
        if (v && v->type == RESP_T_ERROR) fprintf(stderr, "Node %s replied with error:\n%s\n", name, v->str);
        respValueFree(v);
        ok = val != NULL;
        if (i == 0) host_save = val;
        else host_appendonly = val;
    }
    if (!ok) {
        zfree(host_save);
        zfree(host_appendonly);
        host_save = host_appendonly = NULL;
        fprintf(stderr, "WARNING: Could not fetch server CONFIG\n");
    }
    respReaderFree(r);
    bstrFree(req);
    close(fd);
}

static void benchPrintCsvField(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void benchPrintPercentiles(const histogram *h) {
    printf("Latency by percentile distribution:\n");
    histPercentileIter it;
    histPercentileIterInit(&it, h, 1);
    long long prev = -1, total = histTotal(h);
    while (histPercentileNext(&it)) {
        if (it.cumulative != prev || it.cumulative == total)
            printf("%3.3f%% <= %.3f milliseconds (cumulative count %lld)\n", it.percentile,
                   (double)it.value / 1000.0, (long long)it.cumulative);
        prev = it.cumulative;
    }
}

/* 0.1 ms steps up to 2 ms, then 1 ms steps, until every request is covered. */
static void benchPrintCumulative(const histogram *h) {
    printf("Cumulative distribution of latencies:\n");
    long long total = histTotal(h), prev = -1, step = 100;
    for (long long level = step; total > 0; ) {
        long long cum = histCountAtOrBelow(h, level);
        double ms = (double)histHighestEquivalent(h, level) / 1000.0;
        if (cum != prev) printf("%3.3f%% <= %.3f milliseconds (cumulative count %lld)\n",
                                100.0 * (double)cum / (double)total, ms, cum);
        prev = cum;
        if (cum >= total || level >= BENCH_HIST_HIGHEST_US) break;
        level += step;
        if (ms > 2.0) step = 1000;
    }
}

static void benchReport(const char *title, const benchResult *res) {
    const histogram *h = res->hist;
    double secs = (double)(res->elapsed_us > 0 ? res->elapsed_us : 1) / 1e6;
    double rps = (double)res->finished / secs;
    double avg = histMean(h) / 1000.0, mn = (double)histMin(h) / 1000.0, mx = (double)histMax(h) / 1000.0;
    double p50 = (double)histValueAtPercentile(h, 50.0) / 1000.0;
    double p95 = (double)histValueAtPercentile(h, 95.0) / 1000.0;
    double p99 = (double)histValueAtPercentile(h, 99.0) / 1000.0;
    if (bconf.csv) {
        benchPrintCsvField(title);
        printf(",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n", rps, avg, mn, p50, p95, p99, mx);
    } else if (bconf.quiet) {
        printf("%s: %.2f requests per second, p50=%.3f msec\n", title, rps, p50);
    } else {
        printf("====== %s ======\n", title);
        printf("  %lld requests completed in %.2f seconds\n", res->finished, secs);
        printf("  %d parallel clients\n", bconf.clients);
        printf("  %d bytes payload\n", bconf.datasize);
        printf("  keep alive: %d\n", bconf.keepalive);
        if (host_save && host_appendonly) {
            printf("  host configuration \"save\": %s\n", host_save);
            printf("  host configuration \"appendonly\": %s\n", host_appendonly);
        }
        printf("  multi-thread: %s\n", bconf.threads ? "yes" : "no");
        if (bconf.threads) printf("  threads: %d\n", bconf.threads);
        printf("\n");
        benchPrintPercentiles(h);
        printf("\n");
        benchPrintCumulative(h);
        printf("\n");
        printf("Summary:\n");
        printf("  throughput summary: %.2f requests per second\n", rps);
        printf("  latency summary (msec):\n");
        printf("    %9s %9s %9s %9s %9s %9s\n", "avg", "min", "p50", "p95", "p99", "max");
        printf("    %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", avg, mn, p50, p95, p99, mx);
    }
    fflush(stdout);
}

static void benchOne(const char *title, const char *cmd, size_t cmdlen) {
    benchResult res = {0};
    res.hist = histCreate(BENCH_HIST_LOWEST_US, BENCH_HIST_HIGHEST_US, bconf.precision);
    benchRun(title, cmd, cmdlen, &res);
    benchReport(title, &res);
    histFree(res.hist);
}

static void benchOneArgv(const char *title, int argc, const char **argv) {
    bstr cmd = benchAppendCommand(bstrEmpty(), argc, argv);
    benchOne(title, cmd, bstrLen(cmd));
    bstrFree(cmd);
}

static int benchSelected(const char *name) {
    if (!bconf.tests) return 1;
    char buf[64];
    snprintf(buf, sizeof(buf), ",%s,", name);
    return strstr(bconf.tests, buf) != NULL;
}

/* Same bytes as valkey-benchmark's payload: a fixed LCG over '0'..'o'. */
static char *benchMakeData(int size) {
    char *d = zmalloc((size_t)size + 1);
    unsigned int state = 1234;
    for (int i = 0; i < size; i++) {
        state = state * 1103515245u + 12345u;
        d[i] = (char)('0' + ((state >> 16) & 63));
    }
    d[size] = '\0';
    return d;
}

static void benchDefaultTests(const char *data) {
    const char *score = bconf.keyspacelen ? BENCH_RAND_PLACEHOLDER : "0";
    if (benchSelected("ping_inline") || benchSelected("ping")) benchOne("PING_INLINE", "PING\r\n", 6);
    if (benchSelected("ping_mbulk") || benchSelected("ping")) {
        const char *v[] = {"PING"};
        benchOneArgv("PING_MBULK", 1, v);
    }
    struct { const char *name, *title; int argc; const char *argv[4]; } simple[] = {
        {"set", "SET", 3, {"SET", "key:" BENCH_RAND_PLACEHOLDER, data}},
        {"get", "GET", 2, {"GET", "key:" BENCH_RAND_PLACEHOLDER}},
        {"incr", "INCR", 2, {"INCR", "counter:" BENCH_RAND_PLACEHOLDER}},
        {"lpush", "LPUSH", 3, {"LPUSH", "mylist", data}},
        {"rpush", "RPUSH", 3, {"RPUSH", "mylist", data}},
        {"lpop", "LPOP", 2, {"LPOP", "mylist"}},
        {"rpop", "RPOP", 2, {"RPOP", "mylist"}},
        {"sadd", "SADD", 3, {"SADD", "myset", "element:" BENCH_RAND_PLACEHOLDER}},
        {"hset", "HSET", 4, {"HSET", "myhash", "element:" BENCH_RAND_PLACEHOLDER, data}},
        {"spop", "SPOP", 2, {"SPOP", "myset"}},
        {"zadd", "ZADD", 4, {"ZADD", "myzset", score, "element:" BENCH_RAND_PLACEHOLDER}},
        {"zpopmin", "ZPOPMIN", 2, {"ZPOPMIN", "myzset"}},
    };
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
        if (benchSelected(simple[i].name)) benchOneArgv(simple[i].title, simple[i].argc, simple[i].argv);
    static const struct { const char *name, *title, *stop; } lr[] = {
        {"lrange_100", "LRANGE_100 (first 100 elements)", "99"},
        {"lrange_300", "LRANGE_300 (first 300 elements)", "299"},
        {"lrange_500", "LRANGE_500 (first 500 elements)", "499"},
        {"lrange_600", "LRANGE_600 (first 600 elements)", "599"},
    };
    int any_lrange = benchSelected("lrange");
    for (int i = 0; i < 4; i++) any_lrange |= benchSelected(lr[i].name);
    if (any_lrange) {
        const char *v[] = {"LPUSH", "mylist", data};
        benchOneArgv("LPUSH (needed to benchmark LRANGE)", 3, v);
    }
    for (int i = 0; i < 4; i++) {
        if (!benchSelected("lrange") && !benchSelected(lr[i].name)) continue;
        const char *v[] = {"LRANGE", "mylist", "0", lr[i].stop};
        benchOneArgv(lr[i].title, 4, v);
    }
    if (benchSelected("mset")) {
        const char *v[21];
        v[0] = "MSET";
        for (int i = 1; i < 21; i += 2) {
            v[i] = "key:" BENCH_RAND_PLACEHOLDER;
            v[i + 1] = data;
        }
        benchOneArgv("MSET (10 keys)", 21, v);
    }
    if (benchSelected("xadd")) {
        const char *v[] = {"XADD", "mystream", "*", "myfield", data};
        benchOneArgv("XADD", 5, v);
    }
}

static char *benchReadStdin(size_t *len) {
    bstr s = bstrEmpty();
    char buf[4096];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) s = bstrCatLen(s, buf, (size_t)n);
    *len = bstrLen(s);
    char *out = zmalloc(bstrLen(s) + 1);
    memcpy(out, s, bstrLen(s) + 1);
    bstrFree(s);
    return out;
}

static void benchDefaults(void) {
    memset(&bconf, 0, sizeof(bconf));
    bconf.host = "127.0.0.1";
    bconf.port = 6379;
    bconf.clients = 50;
    bconf.requests = 100000;
    bconf.datasize = 3;
    bconf.keepalive = 1;
    bconf.pipeline = 1;
    bconf.precision = 3;
    bconf.seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    benchDefaults();
    int first = benchParseOptions(argc, argv);
    bconf.progress = isatty(STDOUT_FILENO) && !bconf.csv;
    benchBuildPrefix();
    if (bconf.idle) {
        benchRunIdle();
        return 0;
    }
    benchFetchServerConfig();
    int cargc = argc - first;
    const char **cargv = zmalloc(sizeof(char *) * (size_t)(cargc + 1));
    for (int i = 0; i < cargc; i++) cargv[i] = argv[first + i];
    long long lastlen = -1;
    if (bconf.stdin_last) {
        size_t n;
        cargv[cargc++] = benchReadStdin(&n);
        lastlen = (long long)n;
    }
    if (bconf.csv) {
        printf("\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\","
               "\"p99_latency_ms\",\"max_latency_ms\"\n");
    }
    if (cargc > 0) {
        bstr title = bstrEmpty();
        for (int i = 0; i < cargc; i++) {
            if (i) title = bstrCat(title, " ");
            title = bstrCat(title, cargv[i]);
        }
        bstr cmd = benchAppendCommandLen(bstrEmpty(), cargc, cargv, lastlen);
        do {
            benchOne(title, cmd, bstrLen(cmd));
        } while (bconf.loop);
        bstrFree(cmd);
        bstrFree(title);
        if (bconf.stdin_last) zfree((char *)cargv[cargc - 1]);
        zfree(cargv);
        return 0;
    }
    char *data = benchMakeData(bconf.datasize);
    do {
        benchDefaultTests(data);
        if (!bconf.csv) printf("\n");
    } while (bconf.loop);
    zfree(data);
    zfree(cargv);
    return 0;
}
