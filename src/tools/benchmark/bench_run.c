/* bench_run: the load engine of valkey-benchmark. Workers (one per thread, or
 * just the main thread) each own an event loop and a share of the clients. A
 * client claims up to -P requests from a global budget, sends them with one
 * write, and counts replies with the reply parser's skip path, so the hot path
 * neither allocates nor builds reply objects. */
#include "tools/benchmark/bench.h"
#include "core/eventloop.h"
#include "core/util.h"
#include "core/zmalloc.h"
#include "protocol/resp_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BENCH_READ_BUF (64 * 1024)
#define BENCH_TICK_MS 10
#define BENCH_PROGRESS_US 250000

struct benchWorker;

typedef struct benchClient {
    struct benchWorker *w;
    int fd;
    int connecting;
    int need_prefix;        /* prefix goes in front of the next batch */
    int prefix_pending;     /* prefix replies still to skip */
    char *obuf;             /* [prefix][cmd x pipeline] */
    size_t opos, oend;      /* write window of the current batch */
    int write_armed;
    int batch, received;    /* requests in flight / answered */
    long long start_us;
    respReader *reader;
} benchClient;

typedef struct benchWorker {
    int id;
    eventLoop *el;
    benchClient **clients;
    int nclients;
    histogram *hist;
    char *rbuf;
    unsigned long long rng;
    int stop;
    pthread_t thread;
} benchWorker;

/* One test at a time; the fields below are reset by benchRun. */
static struct {
    const char *title;
    const char *cmd;
    size_t cmdlen;
    size_t *rand_off;       /* placeholder offsets inside one command */
    int nrand;
    long long requests;     /* 0 in idle mode */
    atomic_llong issued, finished, lat_sum_us;
    atomic_int done;
    atomic_llong end_us;
    long long start_us;
    /* progress line, touched only by worker 0 */
    long long tick_us, tick_finished, tick_lat;
    int printed;
} run;

benchConfig bconf;

static void benchClientStartBatch(benchClient *c);
static void benchClientRead(eventLoop *el, int fd, void *data, int mask);
static void benchClientWritable(eventLoop *el, int fd, void *data, int mask);

const char *benchServerName(char *buf, size_t len) {
    if (bconf.socket) snprintf(buf, len, "%s", bconf.socket);
    else snprintf(buf, len, "%s:%d", bconf.host, bconf.port);
    return buf;
}

static void benchFatal(const char *fmt, const char *detail) {
    fflush(stdout);
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
    exit(1);
}

static void benchConnectFailed(const char *why) {
    char name[512];
    fflush(stdout);
    fprintf(stderr, "Could not connect to server at %s: %s\n", benchServerName(name, sizeof(name)), why);
    exit(1);
}

/* Starts a connection; *inprogress tells the caller to wait for writability. */
static int benchOpenSocket(int nonblock, int *inprogress, char *err, size_t errlen) {
    *inprogress = 0;
    int fd = -1;
    if (bconf.socket) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(bconf.socket) >= sizeof(sa.sun_path)) {
            snprintf(err, errlen, "socket path too long");
            return -1;
        }
        strcpy(sa.sun_path, bconf.socket);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
        if (fd == -1) goto syserr;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
            if (errno == EINPROGRESS) *inprogress = 1;
            else goto syserr;
        }
        return fd;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *p;
    char port[16];
    snprintf(port, sizeof(port), "%d", bconf.port);
    int rv = getaddrinfo(bconf.host, port, &hints, &res);
    if (rv != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rv));
        return -1;
    }
    int saved = ECONNREFUSED;
    for (p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), p->ai_protocol);
        if (fd == -1) continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            *inprogress = 1;
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd == -1) {
        snprintf(err, errlen, "%s", strerror(saved));
        return -1;
    }
    return fd;
syserr:
    snprintf(err, errlen, "%s", strerror(errno));
    if (fd != -1) close(fd);
    return -1;
}

int benchConnectBlocking(char *err, size_t errlen) {
    int inprogress;
    return benchOpenSocket(0, &inprogress, err, errlen);
}

static unsigned long long benchRand(benchWorker *w) {
    /* xorshift64*: cheap, per worker, reproducible under --seed */
    unsigned long long x = w->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    w->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void benchFillRandom(benchClient *c, int n) {
    if (!run.nrand || !bconf.keyspacelen) return;
    char *base = c->obuf + bconf.prefix_len;
    for (int i = 0; i < n; i++) {
        char *cmd = base + (size_t)i * run.cmdlen;
        for (int j = 0; j < run.nrand; j++) {
            unsigned long long r = benchRand(c->w) % (unsigned long long)bconf.keyspacelen;
            char *p = cmd + run.rand_off[j] + BENCH_RAND_DIGITS;
            for (int d = 0; d < BENCH_RAND_DIGITS; d++) {
                *--p = (char)('0' + r % 10);
                r /= 10;
            }
        }
    }
}

static void benchClientClose(benchClient *c) {
    if (c->fd != -1) {
        elDeleteFileEvent(c->w->el, c->fd, EL_READABLE | EL_WRITABLE);
        close(c->fd);
        c->fd = -1;
    }
    c->write_armed = 0;
}

static void benchClientConnect(benchClient *c) {
    char err[256];
    int inprogress;
    c->fd = benchOpenSocket(1, &inprogress, err, sizeof(err));
    if (c->fd == -1) benchConnectFailed(err);
    c->connecting = inprogress;
    c->need_prefix = bconf.prefix_len > 0;
    c->prefix_pending = 0;
    c->opos = c->oend = 0;
    if (elCreateFileEvent(c->w->el, c->fd, EL_READABLE, benchClientRead, c) == EL_ERR)
        benchFatal("Error: %s", "too many open connections for the event loop");
    if (inprogress) {
        elCreateFileEvent(c->w->el, c->fd, EL_WRITABLE, benchClientWritable, c);
        c->write_armed = 1;
    }
}

static benchClient *benchClientCreate(benchWorker *w) {
    benchClient *c = zcalloc(sizeof(*c));
    c->w = w;
    c->fd = -1;
    size_t size = bconf.prefix_len + run.cmdlen * (size_t)bconf.pipeline;
    c->obuf = zmalloc(size ? size : 1);
    if (bconf.prefix_len) memcpy(c->obuf, bconf.prefix, bconf.prefix_len);
    for (int i = 0; i < bconf.pipeline && run.cmdlen; i++)
        memcpy(c->obuf + bconf.prefix_len + (size_t)i * run.cmdlen, run.cmd, run.cmdlen);
    c->reader = respReaderCreate();
    benchClientConnect(c);
    return c;
}

static void benchClientFree(benchClient *c) {
    benchClientClose(c);
    respReaderFree(c->reader);
    zfree(c->obuf);
    zfree(c);
}

/* Sends what is left of the write window; arms the writable event only when the socket is full. */
static void benchClientFlush(benchClient *c) {
    while (c->opos < c->oend) {
        ssize_t n = write(c->fd, c->obuf + c->opos, c->oend - c->opos);
        if (n > 0) {
            c->opos += (size_t)n;
            continue;
        }
        if (n == -1 && errno == EINTR) continue;
        if (n == -1 && errno == EAGAIN) {
            if (!c->write_armed) {
                elCreateFileEvent(c->w->el, c->fd, EL_WRITABLE, benchClientWritable, c);
                c->write_armed = 1;
            }
            return;
        }
        benchFatal("Error writing to the server: %s", strerror(errno));
    }
    if (c->write_armed) {
        elDeleteFileEvent(c->w->el, c->fd, EL_WRITABLE);
        c->write_armed = 0;
    }
}

static void benchClientWritable(eventLoop *el, int fd, void *data, int mask) {
    benchClient *c = data;
    if (c->fd != fd) return;
    if (c->connecting) {
        /* The fd number may have been reused within this event batch: confirm for real. */
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 0) != 1) return;
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) err = errno;
        if (err) benchConnectFailed(strerror(err));
        c->connecting = 0;
        if (run.requests) benchClientStartBatch(c);
    }
    benchClientFlush(c);
}

/* Claims up to -P requests of the global budget; 0 when it is spent. */
static int benchClaim(void) {
    long long want = bconf.pipeline;
    long long before = atomic_fetch_add_explicit(&run.issued, want, memory_order_relaxed);
    if (before >= run.requests) return 0;
    return (int)(run.requests - before < want ? run.requests - before : want);
}

static void benchClientStartBatch(benchClient *c) {
    if (c->connecting || atomic_load_explicit(&run.done, memory_order_relaxed)) return;
    int n = benchClaim();
    if (n == 0) return;
    benchFillRandom(c, n);
    c->batch = n;
    c->received = 0;
    c->opos = c->need_prefix ? 0 : bconf.prefix_len;
    c->oend = bconf.prefix_len + (size_t)n * run.cmdlen;
    if (c->need_prefix) {
        c->prefix_pending = bconf.prefix_replies;
        c->need_prefix = 0;
    }
    c->start_us = monotonic_us();
    benchClientFlush(c);
}

/* Error replies make the numbers meaningless: report the first and stop. */
static void benchServerError(benchClient *c, const char *buf, ssize_t off, ssize_t len) {
    char msg[512] = "(error text unavailable)";
    if (off >= 0 && off < len && buf[off] == '-') {
        ssize_t end = off + 1;
        while (end < len && buf[end] != '\r' && buf[end] != '\n') end++;
        size_t n = (size_t)(end - off - 1);
        if (n >= sizeof(msg)) n = sizeof(msg) - 1;
        memcpy(msg, buf + off + 1, n);
        msg[n] = '\0';
    }
    (void)c;
    benchFatal("Error from server: %s", msg);
}

static void benchRecord(benchClient *c, int got) {
    long long now = monotonic_us();
    long long lat = now - c->start_us;
    histRecordN(c->w->hist, lat, got);
    atomic_fetch_add_explicit(&run.lat_sum_us, lat * got, memory_order_relaxed);
    long long before = atomic_fetch_add_explicit(&run.finished, got, memory_order_relaxed);
    if (before + got >= run.requests) {
        atomic_store(&run.end_us, now);
        atomic_store(&run.done, 1);
        c->w->stop = 1;
    }
}

static void benchClientRead(eventLoop *el, int fd, void *data, int mask) {
    benchClient *c = data;
    benchWorker *w = c->w;
    if (c->fd != fd) return;
    ssize_t n = read(fd, w->rbuf, BENCH_READ_BUF);
    if (n == 0) benchFatal("Error: %s", "Server closed the connection");
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        benchFatal("Error: %s", strerror(errno));
    }
    if (c->connecting) return;
    respReaderFeed(c->reader, w->rbuf, (size_t)n);
    int got = 0;
    for (;;) {
        /* Where the next reply starts in this chunk (negative: in an earlier one). */
        ssize_t off = n - (ssize_t)respReaderBuffered(c->reader);
        int is_error = 0;
        int rc = respReaderSkipReply(c->reader, &is_error);
        if (rc == 0) break;
        if (rc < 0) benchFatal("Error: Protocol error: %s", respReaderError(c->reader));
        if (is_error) benchServerError(c, w->rbuf, off, n);
        /* RESP3 pushes (tracking invalidations) answer no request. */
        if (off >= 0 && off < n && w->rbuf[off] == '>') continue;
        if (c->prefix_pending > 0) {
            c->prefix_pending--;
            continue;
        }
        got++;
    }
    if (got == 0) return;
    if (got > c->batch - c->received) benchFatal("Error: %s", "unexpected reply from the server");
    c->received += got;
    benchRecord(c, got);
    if (c->received < c->batch) return;
    if (!bconf.keepalive) {
        benchClientClose(c);
        benchClientConnect(c);
    }
    benchClientStartBatch(c);
}

static void benchPrintProgress(long long now) {
    long long fin = atomic_load(&run.finished), lat = atomic_load(&run.lat_sum_us);
    double dt = (double)(now - run.tick_us) / 1e6, total_dt = (double)(now - run.start_us) / 1e6;
    long long dn = fin - run.tick_finished;
    double rps = dt > 0 ? (double)dn / dt : 0, overall = total_dt > 0 ? (double)fin / total_dt : 0;
    double avg = dn ? (double)(lat - run.tick_lat) / (double)dn / 1000.0 : 0;
    double avg_all = fin ? (double)lat / (double)fin / 1000.0 : 0;
    printf("%*s\r", run.printed, "");
    run.printed = printf("%s: rps=%.1f (overall: %.1f) avg_msec=%.3f (overall: %.3f)", run.title, rps,
                         overall, avg, avg_all);
    putchar('\r');
    fflush(stdout);
    run.tick_us = now;
    run.tick_finished = fin;
    run.tick_lat = lat;
}

static int benchTick(eventLoop *el, long long id, void *data) {
    benchWorker *w = data;
    if (atomic_load(&run.done)) {
        w->stop = 1;
        return BENCH_TICK_MS;
    }
    if (w->id == 0 && bconf.progress && run.requests) {
        long long now = monotonic_us();
        if (now - run.tick_us >= BENCH_PROGRESS_US) benchPrintProgress(now);
    }
    return BENCH_TICK_MS;
}

static void benchWorkerInit(benchWorker *w, int id, int nclients) {
    memset(w, 0, sizeof(*w));
    w->id = id;
    /* fd numbers are process wide, so every loop must cover all clients. */
    w->el = elCreate(bconf.clients + 1024);
    if (!w->el) benchFatal("Error: %s", "cannot create the event loop");
    w->hist = histCreate(BENCH_HIST_LOWEST_US, BENCH_HIST_HIGHEST_US, bconf.precision);
    w->rbuf = zmalloc(BENCH_READ_BUF);
    w->rng = (bconf.seed ^ (0x9E3779B97F4A7C15ULL * (unsigned long long)(id + 1))) | 1;
    w->nclients = nclients;
    w->clients = zcalloc(sizeof(benchClient *) * (size_t)(nclients ? nclients : 1));
    elCreateTimeEvent(w->el, BENCH_TICK_MS, benchTick, w);
}

static void benchWorkerConnectAll(benchWorker *w) {
    for (int i = 0; i < w->nclients; i++) w->clients[i] = benchClientCreate(w);
}

static void benchWorkerStartAll(benchWorker *w) {
    for (int i = 0; i < w->nclients; i++) benchClientStartBatch(w->clients[i]);
}

static void benchWorkerLoop(benchWorker *w) {
    while (!w->stop) elProcessEvents(w->el, EL_ALL_EVENTS);
}

static void *benchWorkerThread(void *arg) {
    benchWorker *w = arg;
    benchWorkerStartAll(w);
    benchWorkerLoop(w);
    return NULL;
}

static void benchWorkerFree(benchWorker *w) {
    for (int i = 0; i < w->nclients; i++) benchClientFree(w->clients[i]);
    zfree(w->clients);
    histFree(w->hist);
    zfree(w->rbuf);
    elDelete(w->el);
}

static void benchFindPlaceholders(void) {
    run.nrand = 0;
    run.rand_off = NULL;
    if (!bconf.keyspacelen) return;
    size_t plen = strlen(BENCH_RAND_PLACEHOLDER), cap = 0;
    const char *p = run.cmd, *end = run.cmd + run.cmdlen;
    while ((p = memmem(p, (size_t)(end - p), BENCH_RAND_PLACEHOLDER, plen)) != NULL) {
        if ((size_t)run.nrand == cap) {
            cap = cap ? cap * 2 : 4;
            run.rand_off = zrealloc(run.rand_off, cap * sizeof(size_t));
        }
        run.rand_off[run.nrand++] = (size_t)(p - run.cmd);
        p += plen;
    }
}

static int benchWorkerCount(void) {
    int n = bconf.threads > 0 ? bconf.threads : 1;
    return n > bconf.clients ? bconf.clients : n;
}

void benchRun(const char *title, const char *cmd, size_t cmdlen, benchResult *out) {
    memset(&run, 0, sizeof(run));
    run.title = title;
    run.cmd = cmd;
    run.cmdlen = cmdlen;
    run.requests = bconf.requests;
    benchFindPlaceholders();
    int nw = benchWorkerCount();
    benchWorker *workers = zcalloc(sizeof(benchWorker) * (size_t)nw);
    for (int i = 0; i < nw; i++) {
        int share = bconf.clients / nw + (i < bconf.clients % nw);
        benchWorkerInit(&workers[i], i, share);
        benchWorkerConnectAll(&workers[i]);
    }
    run.start_us = run.tick_us = monotonic_us();
    if (run.requests <= 0) {
        atomic_store(&run.done, 1);
        atomic_store(&run.end_us, run.start_us);
    } else if (bconf.threads > 0) {
        for (int i = 0; i < nw; i++) pthread_create(&workers[i].thread, NULL, benchWorkerThread, &workers[i]);
        for (int i = 0; i < nw; i++) pthread_join(workers[i].thread, NULL);
    } else {
        benchWorkerStartAll(&workers[0]);
        benchWorkerLoop(&workers[0]);
    }
    if (run.printed) {
        printf("%*s\r", run.printed, "");
        fflush(stdout);
    }
    out->finished = atomic_load(&run.finished);
    out->elapsed_us = atomic_load(&run.end_us) - run.start_us;
    for (int i = 0; i < nw; i++) {
        histMerge(out->hist, workers[i].hist);
        benchWorkerFree(&workers[i]);
    }
    zfree(workers);
    zfree(run.rand_off);
}

void benchRunIdle(void) {
    memset(&run, 0, sizeof(run));
    run.title = "IDLE";
    benchWorker w;
    benchWorkerInit(&w, 0, bconf.clients);
    benchWorkerConnectAll(&w);
    printf("Creating %d idle connections and waiting forever (Ctrl+C when done)\n", bconf.clients);
    fflush(stdout);
    benchWorkerLoop(&w);
}
