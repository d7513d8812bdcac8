/* valkey-cli tool modes: --pipe mass insertion, --scan, key statistics
 * (--bigkeys, --memkeys, --keystats, --hotkeys), --stat, the latency modes,
 * snapshot fetching (--rdb, --functions-rdb), --replica and --eval. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int cliMustConnect(void) {
    if (cliConnectConfigured(0, 0) < 0) exit(1);
    return 0;
}

static void cliSleepInterval(void) {
    if (cliCfg.interval > 0) usleep((useconds_t)(cliCfg.interval * 1e6));
}

/* ------------------------------------------------------------------ --pipe */

#define CLI_PIPE_MARK_LEN 20

int cliPipeMode(void) {
    cliMustConnect();
    int fd = cliLink->fd;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char mark[CLI_PIPE_MARK_LEN];
    const char hex[] = "0123456789abcdef";
    srand((unsigned)(cliUsNow() ^ getpid()));
    for (int i = 0; i < CLI_PIPE_MARK_LEN; i++) mark[i] = hex[rand() % 16];
    char markcmd[64];
    int marklen = snprintf(markcmd, sizeof(markcmd), "*2\r\n$4\r\nECHO\r\n$%d\r\n%.*s\r\n", CLI_PIPE_MARK_LEN,
                           CLI_PIPE_MARK_LEN, mark);

    size_t cap = 1 << 17;
    char *obuf = zmalloc(cap), rbuf[1 << 16];
    size_t olen = 0, opos = 0;
    int eof = 0, mark_sent = 0, done = 0;
    long long errors = 0, replies = 0, last_reply_ms = cliMsNow();

    while (!done) {
        struct pollfd pfd[2];
        int n = 0;
        pfd[n].fd = fd;
        pfd[n].events = POLLIN | (opos < olen ? POLLOUT : 0);
        n++;
        int want_stdin = !eof && opos == olen;
        if (want_stdin) { pfd[n].fd = STDIN_FILENO; pfd[n].events = POLLIN; n++; }
        if (poll(pfd, (nfds_t)n, 1000) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = cliConnRead(cliLink, rbuf, sizeof(rbuf));
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                fprintf(stderr, "Error reading from the server: %s\n", r == 0 ? "Connection reset by peer" : strerror(errno));
                exit(1);
            }
            if (r > 0) {
                respReaderFeed(cliLink->reader, rbuf, (size_t)r);
                last_reply_ms = cliMsNow();
                respValue *v;
                int rc;
                while ((rc = respReaderGetReply(cliLink->reader, &v)) == 1) {
                    if (v->type == RESP_T_ERROR) {
                        fprintf(stderr, "%s\n", v->str);
                        errors++;
                    } else if (mark_sent && eof && v->type == RESP_T_STRING && v->len == CLI_PIPE_MARK_LEN &&
                               !memcmp(v->str, mark, CLI_PIPE_MARK_LEN)) {
                        done = 1;
                    }
                    if (!done) replies++;
                    respValueFree(v);
                    if (done) break;
                }
                if (rc < 0) {
                    fprintf(stderr, "Error reading replies: %s\n", respReaderError(cliLink->reader));
                    exit(1);
                }
            }
        }
        if (opos < olen && (pfd[0].revents & POLLOUT)) {
            ssize_t w = cliConnWrite(cliLink, obuf + opos, olen - opos);
            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "Error writing to the server: %s\n", strerror(errno));
                exit(1);
            }
            if (w > 0) opos += (size_t)w;
            if (opos == olen) opos = olen = 0;
        }
        if (want_stdin && n > 1 && (pfd[1].revents & (POLLIN | POLLHUP))) {
            ssize_t r = read(STDIN_FILENO, obuf, cap);
            if (r > 0) {
                olen = (size_t)r;
                opos = 0;
            } else if (r == 0) {
                eof = 1;
                memcpy(obuf, markcmd, (size_t)marklen);
                olen = (size_t)marklen;
                opos = 0;
                mark_sent = 1;
                printf("All data transferred. Waiting for the last reply...\n");
                fflush(stdout);
            }
        }
        if (eof && cliCfg.pipe_timeout > 0 && cliMsNow() - last_reply_ms > cliCfg.pipe_timeout * 1000LL) {
            fprintf(stderr, "No replies for %d seconds: exiting.\n", cliCfg.pipe_timeout);
            errors++;
            break;
        }
    }
    if (done) printf("Last reply received from server.\n");
    printf("errors: %lld, replies: %lld\n", errors, replies);
    zfree(obuf);
    return errors ? 1 : 0;
}

/* ------------------------------------------------------------------ --scan */

/* Runs SCAN with the configured MATCH/COUNT and calls fn for every key. */
typedef int (*cliKeyBatchFn)(respValue *keys, void *ctx);

static bstr cliScanPattern(void) {
    if (!cliCfg.pattern) return NULL;
    if (!cliCfg.quoted_pattern) return bstrNew(cliCfg.pattern);
    int argc;
    bstr *v = bstrSplitArgs(cliCfg.pattern, &argc);
    if (!v || argc != 1) {
        fprintf(stderr, "Invalid quoted string specified for --quoted-pattern\n");
        exit(1);
    }
    bstr p = bstrDup(v[0]);
    bstrFreeSplit(v, argc);
    return p;
}

static void cliScanAll(cliKeyBatchFn fn, void *ctx, int use_pattern) {
    bstr pattern = use_pattern ? cliScanPattern() : NULL;
    char cursor[32] = "0";
    char countbuf[32];
    long long rounds = 0;
    do {
        const char *argv[6];
        size_t lens[6];
        int argc = 0;
        argv[argc++] = "SCAN";
        argv[argc++] = cursor;
        if (pattern) {
            argv[argc++] = "MATCH";
            argv[argc] = pattern;
            lens[argc] = bstrLen(pattern);
            argc++;
        }
        if (cliCfg.count > 0) {
            snprintf(countbuf, sizeof(countbuf), "%lld", cliCfg.count);
            argv[argc++] = "COUNT";
            argv[argc++] = countbuf;
        }
        for (int i = 0; i < argc; i++)
            if (!(pattern && argv[i] == pattern)) lens[i] = strlen(argv[i]);
        respValue *v = cliCommandArgv(cliLink, argc, argv, lens);
        if (!v) {
            fprintf(stderr, "I/O error\n");
            exit(1);
        }
        if (v->type == RESP_T_ERROR) {
            fprintf(stderr, "Error: %s\n", v->str);
            exit(1);
        }
        if (v->type != RESP_T_ARRAY || v->elements != 2 || !v->element[0]->str) {
            fprintf(stderr, "Unexpected SCAN reply\n");
            exit(1);
        }
        snprintf(cursor, sizeof(cursor), "%s", v->element[0]->str);
        int stop = fn(v->element[1], ctx);
        respValueFree(v);
        if (stop) break;
        /* -i sleeps every 100 SCAN calls so a production server is not hammered. */
        if (cliCfg.interval > 0 && ++rounds % 100 == 0) cliSleepInterval();
    } while (strcmp(cursor, "0"));
    if (pattern) bstrFree(pattern);
}

static int cliScanPrint(respValue *keys, void *ctx) {
    (void)ctx;
    for (size_t i = 0; i < keys->elements; i++) {
        respValue *k = keys->element[i];
        if (cliCfg.output == CLI_OUT_STANDARD) {
            bstr r = bstrCatRepr(bstrEmpty(), k->str, k->len);
            printf("%s\n", r);
            bstrFree(r);
        } else {
            fwrite(k->str, 1, k->len, stdout);
            printf("\n");
        }
    }
    return 0;
}

int cliScanMode(void) {
    cliMustConnect();
    cliScanAll(cliScanPrint, NULL, 1);
    fflush(stdout);
    return 0;
}

/* ------------------------------------------------- --bigkeys / --memkeys */

enum { CLI_T_LIST, CLI_T_HASH, CLI_T_STRING, CLI_T_STREAM, CLI_T_SET, CLI_T_ZSET, CLI_T_COUNT };

typedef struct cliTypeStat {
    const char *name;     /* as TYPE answers */
    const char *sizecmd;
    const char *unit;
    unsigned long long keys, total, biggest;
    bstr biggest_key;
} cliTypeStat;

typedef struct cliBigCtx {
    cliTypeStat t[CLI_T_COUNT];
    unsigned long long sampled, total_keylen, dbsize;
    int memkeys;
} cliBigCtx;

static int cliTypeIndex(const char *type) {
    static const char *names[] = {"list", "hash", "string", "stream", "set", "zset"};
    for (int i = 0; i < CLI_T_COUNT; i++)
        if (!strcmp(names[i], type)) return i;
    return -1;
}

static long long cliDbSize(void) {
    respValue *v = cliCommandf(cliLink, "DBSIZE");
    long long n = v && v->type == RESP_T_INTEGER ? v->integer : 0;
    respValueFree(v);
    return n;
}

/* Sends one command per key as a pipeline and returns the replies in order. */
static respValue **cliPipelinePerKey(respValue *keys, const char *cmd, const char *sub, const char *tail) {
    bstr out = bstrEmpty();
    for (size_t i = 0; i < keys->elements; i++) {
        const char *argv[5];
        size_t lens[5];
        int argc = 0;
        argv[argc] = cmd; lens[argc] = strlen(cmd); argc++;
        if (sub) { argv[argc] = sub; lens[argc] = strlen(sub); argc++; }
        argv[argc] = keys->element[i]->str; lens[argc] = keys->element[i]->len; argc++;
        if (tail) {
            argv[argc] = "SAMPLES"; lens[argc] = 7; argc++;
            argv[argc] = tail; lens[argc] = strlen(tail); argc++;
        }
        size_t len;
        char *c = respFormatCommandArgv(argc, argv, lens, &len);
        out = bstrCatLen(out, c, len);
        zfree(c);
    }
    if (cliWriteAll(cliLink, out, bstrLen(out)) < 0) {
        fprintf(stderr, "I/O error\n");
        exit(1);
    }
    bstrFree(out);
    respValue **res = zmalloc(sizeof(respValue *) * (keys->elements ? keys->elements : 1));
    for (size_t i = 0; i < keys->elements; i++) {
        res[i] = cliReadReply(cliLink);
        if (!res[i]) {
            fprintf(stderr, "I/O error\n");
            exit(1);
        }
    }
    return res;
}

static void cliFreeReplies(respValue **r, size_t n) {
    for (size_t i = 0; i < n; i++) respValueFree(r[i]);
    zfree(r);
}

static int cliBigBatch(respValue *keys, void *ctx) {
    cliBigCtx *b = ctx;
    double pct = b->dbsize ? 100.0 * (double)b->sampled / (double)b->dbsize : 0;
    respValue **types = cliPipelinePerKey(keys, "TYPE", NULL, NULL);
    /* Sizes are asked per key type; unknown (module) types get no size. */
    bstr out = bstrEmpty();
    int *tidx = zmalloc(sizeof(int) * (keys->elements ? keys->elements : 1));
    for (size_t i = 0; i < keys->elements; i++) {
        tidx[i] = types[i]->str ? cliTypeIndex(types[i]->str) : -1;
        const char *argv[5];
        size_t lens[5];
        int argc = 0;
        char samples[32];
        if (b->memkeys) {
            argv[argc++] = "MEMORY";
            argv[argc++] = "USAGE";
        } else {
            argv[argc++] = tidx[i] >= 0 ? b->t[tidx[i]].sizecmd : "EXISTS";
        }
        argv[argc++] = keys->element[i]->str;
        if (b->memkeys && cliCfg.memkeys_samples > 0) {
            snprintf(samples, sizeof(samples), "%lld", cliCfg.memkeys_samples);
            argv[argc++] = "SAMPLES";
            argv[argc++] = samples;
        }
        for (int a = 0; a < argc; a++) lens[a] = strlen(argv[a]);
        lens[b->memkeys ? 2 : 1] = keys->element[i]->len;
        size_t len;
        char *c = respFormatCommandArgv(argc, argv, lens, &len);
        out = bstrCatLen(out, c, len);
        zfree(c);
    }
    if (cliWriteAll(cliLink, out, bstrLen(out)) < 0) exit(1);
    bstrFree(out);
    for (size_t i = 0; i < keys->elements; i++) {
        respValue *sz = cliReadReply(cliLink);
        if (!sz) exit(1);
        respValue *k = keys->element[i];
        int t = tidx[i];
        b->sampled++;
        b->total_keylen += k->len;
        if (t >= 0 && sz->type == RESP_T_INTEGER) {
            cliTypeStat *s = &b->t[t];
            unsigned long long size = (unsigned long long)sz->integer;
            s->keys++;
            s->total += size;
            if (size > s->biggest) {
                bstr r = bstrCatRepr(bstrEmpty(), k->str, k->len);
                printf("[%05.2f%%] Biggest %-6s found so far '%s' %s %llu %s\n", pct, s->name, r,
                       b->memkeys ? "using" : "with", size, s->unit);
                bstrFree(r);
                s->biggest = size;
                if (s->biggest_key) bstrFree(s->biggest_key);
                s->biggest_key = bstrNewLen(k->str, k->len);
            }
        }
        respValueFree(sz);
    }
    fflush(stdout);
    zfree(tidx);
    cliFreeReplies(types, keys->elements);
    cliSleepInterval();
    return 0;
}

static void cliBigInit(cliBigCtx *b, int memkeys) {
    static const char *names[] = {"list", "hash", "string", "stream", "set", "zset"};
    static const char *cmds[] = {"LLEN", "HLEN", "STRLEN", "XLEN", "SCARD", "ZCARD"};
    static const char *units[] = {"items", "fields", "bytes", "entries", "members", "members"};
    memset(b, 0, sizeof(*b));
    b->memkeys = memkeys;
    for (int i = 0; i < CLI_T_COUNT; i++) {
        b->t[i].name = names[i];
        b->t[i].sizecmd = cmds[i];
        b->t[i].unit = memkeys ? "bytes" : units[i];
    }
}

int cliFindBigKeys(int memkeys) {
    cliMustConnect();
    cliBigCtx b;
    cliBigInit(&b, memkeys);
    b.dbsize = (unsigned long long)cliDbSize();
    printf("\n# Scanning the entire keyspace to find biggest keys as well as\n"
           "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n"
           "# per 100 SCAN commands (not usually needed).\n\n");
    cliScanAll(cliBigBatch, &b, 0);
    printf("\n-------- summary -------\n\n");
    printf("Sampled %llu keys in the keyspace!\n", b.sampled);
    printf("Total key length in bytes is %llu (avg len %.2f)\n\n", b.total_keylen,
           b.sampled ? (double)b.total_keylen / (double)b.sampled : 0);
    for (int i = 0; i < CLI_T_COUNT; i++) {
        cliTypeStat *s = &b.t[i];
        if (!s->biggest_key) continue;
        bstr r = bstrCatRepr(bstrEmpty(), s->biggest_key, bstrLen(s->biggest_key));
        printf("Biggest %6s found '%s' has %llu %s\n", s->name, r, s->biggest, s->unit);
        bstrFree(r);
    }
    printf("\n");
    for (int i = 0; i < CLI_T_COUNT; i++) {
        cliTypeStat *s = &b.t[i];
        printf("%llu %ss with %llu %s (%05.2f%% of keys, avg size %.2f)\n", s->keys, s->name, s->total, s->unit,
               b.sampled ? 100.0 * (double)s->keys / (double)b.sampled : 0,
               s->keys ? (double)s->total / (double)s->keys : 0);
        if (s->biggest_key) bstrFree(s->biggest_key);
    }
    return 0;
}

/* --keystats: --memkeys plus --bigkeys in one pass, with the top keys by memory. */
int cliKeyStats(void) {
    int rc = cliFindBigKeys(1);
    if (rc) return rc;
    printf("\n");
    return cliFindBigKeys(0);
}

/* ---------------------------------------------------------------- --hotkeys */

typedef struct cliHotCtx {
    unsigned long long sampled;
    bstr keys[16];
    long long freq[16];
    double dbsize;
} cliHotCtx;

static int cliHotBatch(respValue *keys, void *ctx) {
    cliHotCtx *h = ctx;
    double pct = h->dbsize > 0 ? 100.0 * (double)h->sampled / h->dbsize : 0;
    respValue **f = cliPipelinePerKey(keys, "OBJECT", "FREQ", NULL);
    for (size_t i = 0; i < keys->elements; i++) {
        h->sampled++;
        if (f[i]->type == RESP_T_ERROR) {
            fprintf(stderr, "Error: %s\n", f[i]->str);
            exit(1);
        }
        long long freq = f[i]->integer;
        /* Slots stay sorted ascending; a new entry evicts the coldest (slot 0). */
        if (freq <= h->freq[0]) continue;
        int pos = 0;
        while (pos < 15 && freq > h->freq[pos + 1]) pos++;
        if (h->keys[0]) bstrFree(h->keys[0]);
        for (int s = 0; s < pos; s++) { h->keys[s] = h->keys[s + 1]; h->freq[s] = h->freq[s + 1]; }
        h->keys[pos] = bstrNewLen(keys->element[i]->str, keys->element[i]->len);
        h->freq[pos] = freq;
        bstr r = bstrCatRepr(bstrEmpty(), keys->element[i]->str, keys->element[i]->len);
        printf("[%05.2f%%] Hot key '%s' found so far with counter %lld\n", pct, r, freq);
        bstrFree(r);
    }
    cliFreeReplies(f, keys->elements);
    fflush(stdout);
    cliSleepInterval();
    return 0;
}

int cliHotKeys(void) {
    cliMustConnect();
    cliHotCtx h;
    memset(&h, 0, sizeof(h));
    for (int i = 0; i < 16; i++) h.freq[i] = 0;
    h.dbsize = (double)cliDbSize();
    printf("\n# Scanning the entire keyspace to find hot keys as well as\n"
           "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n"
           "# per 100 SCAN commands (not usually needed).\n\n");
    cliScanAll(cliHotBatch, &h, 0);
    printf("\n-------- summary -------\n\n");
    printf("Sampled %llu keys in the keyspace!\n", h.sampled);
    for (int i = 15; i >= 0; i--) {
        if (!h.keys[i]) continue;
        bstr r = bstrCatRepr(bstrEmpty(), h.keys[i], bstrLen(h.keys[i]));
        printf("hot key found with counter: %lld\tkeyname: %s\n", h.freq[i], r);
        bstrFree(r);
        bstrFree(h.keys[i]);
    }
    return 0;
}

/* ------------------------------------------------------------------ --stat */

static long long cliInfoField(const char *info, const char *field) {
    size_t fl = strlen(field);
    const char *p = info;
    while ((p = strstr(p, field))) {
        if ((p == info || p[-1] == '\n') && p[fl] == ':') return strtoll(p + fl + 1, NULL, 10);
        p += fl;
    }
    return -1;
}

static void cliBytesToHuman(char *buf, size_t len, long long n) {
    double d = (double)n;
    if (n < 1024) snprintf(buf, len, "%lldB", n);
    else if (n < 1024LL * 1024) snprintf(buf, len, "%.2fK", d / 1024);
    else if (n < 1024LL * 1024 * 1024) snprintf(buf, len, "%.2fM", d / (1024.0 * 1024));
    else if (n < 1024LL * 1024 * 1024 * 1024) snprintf(buf, len, "%.2fG", d / (1024.0 * 1024 * 1024));
    else snprintf(buf, len, "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
}

int cliStatMode(void) {
    cliMustConnect();
    long long prev_requests = 0;
    if (cliCfg.interval <= 0) cliCfg.interval = 1;
    for (int line = 0;; line++) {
        respValue *v = cliCommandf(cliLink, "INFO");
        if (!v || !v->str) {
            fprintf(stderr, "ERROR: %s\n", v && v->str ? v->str : "I/O error");
            exit(1);
        }
        const char *info = v->str;
        if (line % 20 == 0)
            printf("------- data ------ --------------------- load -------------------- - child -\n"
                   "keys       mem      clients blocked requests            connections          \n");
        long long keys = 0;
        for (int db = 0; db < 10000; db++) {
            char name[32];
            snprintf(name, sizeof(name), "db%d:keys=", db);
            const char *p = strstr(info, name);
            if (p) keys += strtoll(p + strlen(name), NULL, 10);
        }
        char buf[64], col[64];
        snprintf(buf, sizeof(buf), "%lld", keys);
        printf("%-11s", buf);
        cliBytesToHuman(buf, sizeof(buf), cliInfoField(info, "used_memory"));
        printf("%-9s", buf);
        snprintf(buf, sizeof(buf), "%lld", cliInfoField(info, "connected_clients"));
        printf("%-8s", buf);
        snprintf(buf, sizeof(buf), "%lld", cliInfoField(info, "blocked_clients"));
        printf("%-8s", buf);
        long long req = cliInfoField(info, "total_commands_processed");
        snprintf(col, sizeof(col), "%lld (+%lld)", req, line == 0 ? 0 : req - prev_requests);
        prev_requests = req;
        printf("%-20s", col);
        snprintf(buf, sizeof(buf), "%lld", cliInfoField(info, "total_connections_received"));
        printf("%-21s", buf);
        if (cliInfoField(info, "rdb_bgsave_in_progress") == 1) printf("SAVE");
        else if (cliInfoField(info, "aof_rewrite_in_progress") == 1) printf("AOF");
        printf("\n");
        fflush(stdout);
        respValueFree(v);
        cliSleepInterval();
    }
    return 0;
}

/* --------------------------------------------------------------- --latency */

static long long cliPingLatencyUs(void) {
    long long start = cliUsNow();
    respValue *v = cliCommandf(cliLink, "PING");
    if (!v) {
        fprintf(stderr, "\nI/O error\n");
        exit(1);
    }
    respValueFree(v);
    return cliUsNow() - start;
}

#define CLI_LATENCY_SAMPLE_US 10000

int cliLatencyMode(void) {
    cliMustConnect();
    long long min = 0, max = 0, count = 0, total = 0;
    long long history_ms = cliCfg.interval > 0 ? (long long)(cliCfg.interval * 1000) : 15000;
    long long start = cliMsNow();
    int tty = cliCfg.output == CLI_OUT_STANDARD;
    for (;;) {
        long long us = cliPingLatencyUs();
        long long ms = us / 1000;
        if (count == 0 || ms < min) min = ms;
        if (count == 0 || ms > max) max = ms;
        total += ms;
        count++;
        double avg = (double)total / (double)count;
        if (!tty) {
            /* Without a terminal: one sample window, one line, done. */
            if (cliMsNow() - start >= 1000) {
                if (cliCfg.output == CLI_OUT_CSV) printf("%lld,%lld,%.2f,%lld\n", min, max, avg, count);
                else printf("%lld %lld %.2f %lld\n", min, max, avg, count);
                return 0;
            }
        } else {
            printf("\x1b[0G\x1b[2Kmin: %lld, max: %lld, avg: %.2f (%lld samples)", min, max, avg, count);
            fflush(stdout);
            if (cliCfg.latency_history && cliMsNow() - start > history_ms) {
                printf(" -- %.2f seconds range\n", (double)(cliMsNow() - start) / 1000.0);
                start = cliMsNow();
                min = max = total = count = 0;
            }
        }
        usleep(CLI_LATENCY_SAMPLE_US);
    }
}

/* Text spectrum: one line per interval, one cell per latency bucket. */
int cliLatencyDistMode(void) {
    cliMustConnect();
    static const long long bounds_us[] = {10, 125, 250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
                                          10000, 20000, 30000, 40000, 50000, 100000, 200000, 300000, 400000,
                                          500000, 1000000, 2000000, 4000000, 8000000, 16000000, 30000000,
                                          60000000, -1};
    static const char labels[] = ".-*#123456789ABCDEFGHIJKLMNOPQ?";
    static const char shades[] = " .:-=+*#%@";
    enum { NB = sizeof(labels) - 1 };
    long long interval_ms = cliCfg.interval > 0 ? (long long)(cliCfg.interval * 1000) : 1000;
    printf("---------------------------------------------\n"
           ". - * #          .01 .125 .25 .5 milliseconds\n"
           "1,2,3,...,9      from 1 to 9     milliseconds\n"
           "A,B,C,D,E        10,20,30,40,50  milliseconds\n"
           "F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n"
           "K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n"
           "From 0 to 100%%: '%s' (share of samples per bucket)\n"
           "---------------------------------------------\n",
           shades);
    for (;;) {
        long long counts[NB] = {0}, total = 0, start = cliMsNow();
        while (cliMsNow() - start < interval_ms) {
            long long us = cliPingLatencyUs();
            int b = 0;
            while (bounds_us[b] != -1 && us > bounds_us[b]) b++;
            if (b >= NB) b = NB - 1;
            counts[b]++;
            total++;
            usleep(CLI_LATENCY_SAMPLE_US);
        }
        char line[NB * 2 + 1];
        for (int b = 0; b < NB; b++) {
            line[b * 2] = labels[b];
            int shade = total ? (int)((counts[b] * 9 + total - 1) / total) : 0;
            line[b * 2 + 1] = shades[shade > 9 ? 9 : shade];
        }
        line[NB * 2] = '\0';
        printf("%s\n", line);
        fflush(stdout);
    }
}

int cliIntrinsicLatency(void) {
    long long max = 0, runs = 0, total_us = 0;
    long long start = cliUsNow(), end = start + (long long)cliCfg.intrinsic_seconds * 1000000;
    for (;;) {
        long long t0 = cliUsNow();
        for (volatile int i = 0; i < 100; i++) { }
        long long d = cliUsNow() - t0;
        runs++;
        total_us += d;
        if (d > max) {
            max = d;
            printf("Max latency so far: %lld microseconds.\n", max);
        }
        if (cliUsNow() > end) break;
    }
    double avg = (double)total_us / (double)runs;
    printf("\n%lld total runs (avg latency: %.4f microseconds / %.2f nanoseconds per run).\n", runs, avg, avg * 1000);
    printf("Worst run took %.0fx longer than the average latency.\n", avg > 0 ? (double)max / avg : 0);
    return 0;
}

/* ------------------------------------------------------ --rdb / --replica */

static int cliSendReplconf(const char *arg1, const char *arg2) {
    fprintf(stderr, "sending REPLCONF %s %s\n", arg1, arg2);
    const char *argv[] = {"REPLCONF", arg1, arg2};
    respValue *v = cliCommandArgv(cliLink, 3, argv, NULL);
    if (!v) {
        fprintf(stderr, "Error reading REPLCONF reply\n");
        exit(1);
    }
    int ok = v->type != RESP_T_ERROR;
    if (!ok) fprintf(stderr, "REPLCONF %s error: %s\n", arg1, v->str);
    respValueFree(v);
    return ok;
}

/* Reads one line from the raw socket, skipping the newline keepalives a
 * primary sends while it prepares the snapshot. Uses bytes the reader holds first. */
static int cliReadRawLine(char *buf, size_t len) {
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = cliConnRead(cliLink, &c, 1);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        if (c == '\n') {
            if (n == 0) continue;
            if (n > 0 && buf[n - 1] == '\r') n--;
            buf[n] = '\0';
            return (int)n;
        }
        if (n + 1 < len) buf[n++] = c;
    }
}

/* Sends SYNC and streams the snapshot payload to fd (-1: discard). Returns bytes. */
static unsigned long long cliSyncPayload(int outfd, const char *filename, int quiet_discard) {
    if (cliWriteAll(cliLink, "SYNC\r\n", 6) < 0) {
        fprintf(stderr, "Error writing SYNC\n");
        exit(1);
    }
    char line[256];
    if (cliReadRawLine(line, sizeof(line)) < 0) {
        fprintf(stderr, "Error reading the bulk length of the SYNC payload\n");
        exit(1);
    }
    if (line[0] == '-') {
        fprintf(stderr, "SYNC with master failed: %s\n", line + 1);
        exit(1);
    }
    if (line[0] != '$') {
        fprintf(stderr, "Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port are right?\n", line);
        exit(1);
    }
    int eofmark = !strncmp(line + 1, "EOF:", 4) && strlen(line + 5) == 40;
    char mark[41];
    unsigned long long payload = 0;
    if (eofmark) {
        memcpy(mark, line + 5, 40);
        mark[40] = '\0';
        if (outfd < 0)
            fprintf(stderr, "SYNC with master, discarding bytes of bulk transfer until EOF marker...\n");
        else
            fprintf(stderr, "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '%s'\n", filename);
    } else {
        payload = strtoull(line + 1, NULL, 10);
        if (outfd < 0)
            fprintf(stderr, "SYNC with master, discarding %llu bytes of bulk transfer...\n", payload);
        else
            fprintf(stderr, "SYNC sent to master, writing %llu bytes to '%s'\n", payload, filename);
    }
    (void)quiet_discard;
    char buf[65536];
    char tail[40];
    (void)sizeof(tail);
    size_t taillen = 0;
    unsigned long long written = 0;
    for (;;) {
        size_t want = sizeof(buf);
        if (!eofmark) {
            if (written == payload) break;
            if (payload - written < want) want = (size_t)(payload - written);
        }
        ssize_t r = cliConnRead(cliLink, buf, want);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            fprintf(stderr, "I/O error reading bulk count from master\n");
            exit(1);
        }
        size_t n = (size_t)r;
        if (eofmark) {
            /* The payload ends with the 40-byte mark; bytes after it already
             * belong to the replication stream and go to the reply reader. */
            char *joined = zmalloc(taillen + n);
            memcpy(joined, tail, taillen);
            memcpy(joined + taillen, buf, n);
            size_t total = taillen + n;
            char *m = memmem(joined, total, mark, 40);
            size_t flush = m ? (size_t)(m - joined) : (total > 39 ? total - 39 : 0);
            if (outfd >= 0 && flush && write(outfd, joined, flush) != (ssize_t)flush) {
                fprintf(stderr, "Error writing data to file: %s\n", strerror(errno));
                exit(1);
            }
            written += flush;
            if (m) {
                size_t rest = total - flush - 40;
                if (rest) respReaderFeed(cliLink->reader, m + 40, rest);
                zfree(joined);
                break;
            }
            taillen = total - flush;
            memcpy(tail, joined + flush, taillen);
            zfree(joined);
        } else {
            if (outfd >= 0 && write(outfd, buf, n) != (ssize_t)n) {
                fprintf(stderr, "Error writing data to file: %s\n", strerror(errno));
                exit(1);
            }
            written += n;
        }
    }
    return written;
}

int cliRdbMode(void) {
    cliMustConnect();
    cliSendReplconf("capa", "eof");
    cliSendReplconf("rdb-only", "1");
    if (cliCfg.functions_rdb) cliSendReplconf("rdb-filter-only", "functions");
    int fd;
    const char *name = cliCfg.rdb_filename;
    if (!strcmp(name, "-")) fd = STDOUT_FILENO;
    else fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "Error opening '%s': %s\n", name, strerror(errno));
        exit(1);
    }
    unsigned long long n = cliSyncPayload(fd, name, 0);
    if (fd != STDOUT_FILENO && fsync(fd) == -1) {
        fprintf(stderr, "Fail to fsync '%s': %s\n", name, strerror(errno));
        exit(1);
    }
    if (fd != STDOUT_FILENO) close(fd);
    fprintf(stderr, "Transfer finished with success after %llu bytes\n", n);
    return 0;
}

int cliReplicaMode(void) {
    cliMustConnect();
    cliSendReplconf("capa", "eof");
    cliSendReplconf("rdb-filter-only", "");
    unsigned long long n = cliSyncPayload(-1, NULL, 1);
    fprintf(stderr, "SYNC done after %llu bytes. Logging commands from master.\n", n);
    /* ACKs let the primary count us as an online replica; a diskless primary
     * may ignore one that arrives before it has finished the transfer, so
     * keep sending them every second (printed once). */
    const char *ack[] = {"REPLCONF", "ACK", "0"};
    size_t acklen;
    char *ackcmd = respFormatCommandArgv(3, ack, NULL, &acklen);
    fprintf(stderr, "sending REPLCONF ACK 0\n");
    cliWriteAll(cliLink, ackcmd, acklen);
    long long last_ack = cliMsNow();
    char buf[16384];
    for (;;) {
        respValue *v = NULL;
        int rc = respReaderGetReply(cliLink->reader, &v);
        if (rc < 0) {
            fprintf(stderr, "Error: %s\n", respReaderError(cliLink->reader));
            return 1;
        }
        if (rc == 1) {
            if (v->type != RESP_T_ATTR) {
                bstr out = cliFormatReply(v, CLI_OUT_CSV);
                fwrite(out, 1, bstrLen(out), stdout);
                fflush(stdout);
                bstrFree(out);
            }
            respValueFree(v);
            continue;
        }
        struct pollfd pfd = {.fd = cliLink->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 1000);
        if (cliMsNow() - last_ack >= 1000) {
            cliWriteAll(cliLink, ackcmd, acklen);
            last_ack = cliMsNow();
        }
        if (pr <= 0) continue;
        ssize_t r = cliConnRead(cliLink, buf, sizeof(buf));
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            fprintf(stderr, "Connection lost\n");
            return 1;
        }
        respReaderFeed(cliLink->reader, buf, (size_t)r);
    }
}

/* ------------------------------------------------------------------- --eval */

int cliEvalMode(int argc, char **argv) {
    FILE *f = fopen(cliCfg.eval_file, "r");
    if (!f) {
        fprintf(stderr, "Can't open file '%s': %s\n", cliCfg.eval_file, strerror(errno));
        exit(1);
    }
    bstr script = bstrEmpty();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) script = bstrCatLen(script, buf, n);
    fclose(f);
    /* Arguments before a lone "," are keys, the rest are plain arguments. */
    int nkeys = argc;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], ",")) { nkeys = i; break; }
    int total = 3 + argc - (nkeys < argc ? 1 : 0);
    bstr *av = zmalloc(sizeof(bstr) * (size_t)total);
    int ac = 0;
    av[ac++] = bstrNew("EVAL");
    av[ac++] = script;
    av[ac++] = bstrFromLongLong(nkeys);
    for (int i = 0; i < argc; i++)
        if (i != nkeys) av[ac++] = bstrNew(argv[i]);
    cliMustConnect();
    int rc = cliIssueCommand(ac, av, 1, 0);
    for (int i = 0; i < ac; i++) bstrFree(av[i]);
    zfree(av);
    if (rc < 0) return 1;
    return (cliCfg.exit_on_error && cliCfg.last_reply_error) ? 1 : 0;
}
