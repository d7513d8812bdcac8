/* dualchannel: the replica side of a dual-channel full sync. After the
 * primary answers +DUALCHANNELSYNC, a second (rdb) connection asks for the
 * snapshot and learns its end offset ($ENDOFF); the main connection resumes
 * the stream at that offset with PSYNC and buffers it locally (bounded by the
 * replica's client-output-buffer-limit replica hard limit) while the rdb
 * connection is loaded. Both orders of "load done" and "+CONTINUE" work.
 * The primary side lives in primary.c (rdb-channel replicas and their pins). */
#include "repl/repl.h"
#include "persist/rdb.h"
#include "core/tls.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { RDB_CH_NONE, RDB_CH_CONNECTING, RDB_CH_AUTH_REPLY, RDB_CH_REPLCONF_REPLY, RDB_CH_RECEIVE_ENDOFF,
       RDB_CH_PAYLOAD_HEADER, RDB_CH_TO_DISK, RDB_CH_LOADING, RDB_CH_LOADED };

typedef struct bufBlock { size_t used; char buf[]; } bufBlock;
#define DC_BLOCK (64 * 1024)

static struct {
    int active;
    int rdb_fd, rdb_state;
    int main_fd;
    mstime_t start, lastio, last_keepalive, last_drain;
    long long endoff;
    char replid[41];
    int dbid;
    unsigned long long rdb_client_id;
    list *buf;                 /* bufBlock*: the main channel's stream while loading */
    size_t buf_size, buf_peak;
    int main_continued, paused, abort_requested;
    long long payload_size;    /* -1: EOF framing */
    char eofmark[40];
    long long rdb_read;
    int tmpfd;                 /* repl-diskless-load disabled: the snapshot goes to this file first */
    char tmpfile[256];
    bstr held;                 /* EOF framing: the last bytes, which may be the mark */
} dc = {.rdb_fd = -1, .main_fd = -1, .tmpfd = -1};

static void rdbChannelHandler(eventLoop *el, int fd, void *privdata, int mask);

/* The buffered stream still being applied after the link came up. */
static struct {
    list *pending;             /* bufBlock* */
    size_t left;
    uint64_t primary_id;       /* the primary client it belongs to */
} ap;

int replDualActive(void) { return dc.active; }
size_t replDualBufferSize(void) { return dc.buf_size + ap.left; }
size_t replDualBufferPeak(void) { return dc.buf_peak; }

static void dropTempFile(void) {
    if (dc.tmpfd != -1) {
        close(dc.tmpfd);
        dc.tmpfd = -1;
        unlink(dc.tmpfile);
    }
    bstrFree(dc.held);
    dc.held = NULL;
}

static void freeBuffer(void) {
    if (!dc.buf) return;
    listIter li;
    listNode *ln;
    listRewind(dc.buf, &li);
    while ((ln = listNext(&li))) zfree(ln->value);
    listRelease(dc.buf);
    dc.buf = NULL;
    dc.buf_size = 0;
}

/* Drops the attempt's own resources; the main link is closed by the caller. */
void replDualAbort(const char *why) {
    if (!dc.active) return;
    if (why) serverLog(LL_WARNING, "Dual channel sync aborted: %s", why);
    if (dc.rdb_state == RDB_CH_LOADING) {
        /* The loader owns the rdb socket right now; it cleans up when it returns. */
        dc.abort_requested = 1;
        dc.main_fd = -1;
        return;
    }
    if (dc.rdb_fd != -1) {
        elDeleteFileEvent(server.el, dc.rdb_fd, EL_READABLE | EL_WRITABLE);
        connClose(dc.rdb_fd);
        dc.rdb_fd = -1;
    }
    dropTempFile();
    freeBuffer();
    dc.active = 0;
    dc.rdb_state = RDB_CH_NONE;
    dc.main_fd = -1;
    dc.main_continued = dc.paused = dc.abort_requested = 0;
}

static void failSync(const char *why) {
    replDualAbort(why);
    replCancelSync();
}

void replDualStart(void) {
    dc.main_fd = replLinkFd();
    dc.active = 1;
    dc.start = dc.lastio = server.mstime;
    dc.buf = listCreate();
    dc.buf_size = 0;
    dc.main_continued = dc.paused = dc.abort_requested = 0;
    server.repl_state = REPL_STATE_DUAL_WAIT_ENDOFF;
    dc.rdb_fd = replConnectTo(server.primary_host, server.primary_port);
    if (dc.rdb_fd == -1 || elCreateFileEvent(server.el, dc.rdb_fd, EL_WRITABLE, rdbChannelHandler, NULL) == EL_ERR) {
        failSync("can't connect the rdb channel");
        return;
    }
    dc.rdb_state = RDB_CH_CONNECTING;
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: dual channel sync, opening the rdb channel");
}

/* ------------------------------------------------------------ finishing */
static void freeBlockList(list *l) {
    while (listLength(l)) {
        zfree(listNodeValue(listFirst(l)));
        listDelNode(l, listFirst(l));
    }
    listRelease(l);
}

/* The buffered stream is applied in slices between event-loop passes, so the
 * replica answers (link up, stale reads) while it catches up, as a classic
 * replica does while it works through the stream the primary held for it.
 * The primary socket is not read meanwhile, which keeps the order. */
#define AP_SLICE_BYTES (1024 * 1024)
#define AP_SLICE_US 10000

static void applyDone(client *c) {
    freeBlockList(ap.pending);
    ap.pending = NULL;
    ap.left = 0;
    if (!c) return;
    elCreateFileEvent(server.el, c->fd, EL_READABLE, readQueryFromClient, c);
    replSendAck();
}

/* Returns 1 while more remains. */
static int applySlice(void) {
    client *c = server.primary;
    if (!c || c->id != ap.primary_id) {
        applyDone(NULL);   /* the link went away: a new sync starts over */
        return 0;
    }
    ustime_t start = ustime();
    size_t done = 0;
    while (listLength(ap.pending) && done < AP_SLICE_BYTES && ustime() - start < AP_SLICE_US) {
        listNode *ln = listFirst(ap.pending);
        bufBlock *b = ln->value;
        ap.left -= b->used;
        done += b->used;
        listDelNode(ap.pending, ln);
        replFeedLeftover(c, b->buf, b->used);
        zfree(b);
        if (server.primary != c) {
            applyDone(NULL);
            return 0;
        }
    }
    c->lastinteraction = server.mstime;
    if (listLength(ap.pending)) return 1;
    applyDone(c);
    return 0;
}

static int applyTimer(eventLoop *el, long long id, void *data) {
    (void)el;
    (void)id;
    (void)data;
    return applySlice() ? 0 : EL_NOMORE;
}

static void startApplying(client *c, list *pending, size_t total) {
    if (ap.pending) applyDone(NULL);   /* a stale one from an earlier link */
    ap.pending = pending;
    ap.left = total;
    ap.primary_id = c->id;
    elDeleteFileEvent(server.el, c->fd, EL_READABLE);
    if (applySlice()) elCreateTimeEvent(server.el, 0, applyTimer, NULL);
}

static void finishIfReady(void) {
    if (!dc.active || dc.rdb_state != RDB_CH_LOADED || !dc.main_continued) return;
    int fd = replDetachLinkFd();
    client *c = replCreatePrimaryClient(fd, dc.endoff, dc.dbid);
    if (dc.rdb_fd != -1) {
        elDeleteFileEvent(server.el, dc.rdb_fd, EL_READABLE | EL_WRITABLE);
        connClose(dc.rdb_fd);
        dc.rdb_fd = -1;
    }
    list *pending = dc.buf;
    size_t total = dc.buf_size;
    dc.buf = NULL;
    dc.buf_size = 0;
    dc.active = 0;
    dc.rdb_state = RDB_CH_NONE;
    dc.main_fd = -1;
    if (!c) {
        freeBlockList(pending);
        return;
    }
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: dual channel sync done, applying %zu buffered bytes", total);
    /* The buffered stream is applied in order, as if it had just been read. */
    startApplying(c, pending, total);
}

/* ------------------------------------------------------------ main channel */
/* One read of the main channel into the local buffer. Returns the bytes read,
 * 0 when there is nothing to read (or we stopped reading at our limit), -1
 * when the attempt failed (already cleaned up). */
static ssize_t bufferMainStreamOnce(int fd) {
    if (dc.paused) return 0;
    listNode *ln = listLast(dc.buf);
    bufBlock *b = ln ? ln->value : NULL;
    if (!b || b->used == DC_BLOCK) {
        b = zmalloc(sizeof(*b) + DC_BLOCK);
        b->used = 0;
        listAddNodeTail(dc.buf, b);
    }
    ssize_t n = connRead(fd, b->buf + b->used, DC_BLOCK - b->used);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
        failSync("main channel closed while buffering");
        return -1;
    }
    b->used += (size_t)n;
    dc.buf_size += (size_t)n;
    if (dc.buf_size > dc.buf_peak) dc.buf_peak = dc.buf_size;
    server.stat_net_repl_input_bytes += n;
    unsigned long long limit = server.client_obuf_limits[CLIENT_TYPE_REPLICA].hard_limit_bytes;
    if (limit && dc.buf_size >= limit) {
        /* Stop reading: the primary keeps the rest (and may drop us by its own limit). */
        serverLog(LL_NOTICE, "Replica local buffer reached the client-output-buffer-limit replica hard limit (%llu bytes): pausing the main channel",
                  limit);
        elDeleteFileEvent(server.el, fd, EL_READABLE);
        dc.paused = 1;
    }
    return n;
}

/* Reads what the main channel holds, up to max bytes (0: until the socket is
 * empty). Whatever we leave unread sits first in the socket buffers and then
 * in the primary's memory, which is what dual channel is meant to avoid. */
static void bufferMainStream(int fd, size_t max) {
    size_t got = 0;
    while (!max || got < max) {
        ssize_t n = bufferMainStreamOnce(fd);
        if (n <= 0) return;
        got += (size_t)n;
    }
}

void replDualMainReadable(int fd) {
    if (!dc.active) return;
    if (server.repl_state == REPL_STATE_DUAL_BUFFERING) {
        /* Bounded so one busy primary link can't keep the event loop to itself. */
        bufferMainStream(fd, 1024 * 1024);
        return;
    }
    char line[256];
    int lr = connReadLine(fd, line, sizeof(line), 5000);
    if (lr == -2) return;
    if (lr < 0) {
        failSync("main channel connection lost");
        return;
    }
    if (line[0] == '\0') return;
    if (server.repl_state == REPL_STATE_RECEIVE_SETRDB_REPLY) {
        if (line[0] != '+') {
            failSync(line);
            return;
        }
        server.repl_state = REPL_STATE_DUAL_PSYNC_REPLY;
        return;
    }
    if (server.repl_state == REPL_STATE_DUAL_PSYNC_REPLY) {
        if (strncmp(line, "+CONTINUE", 9) != 0) {
            failSync(line);
            return;
        }
        serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: main channel resumed the stream at offset %lld", dc.endoff + 1);
        dc.main_continued = 1;
        server.repl_state = REPL_STATE_DUAL_BUFFERING;
        finishIfReady();
        return;
    }
    failSync("unexpected data on the main channel");
}

/* ------------------------------------------------------------ rdb channel loading */
/* net: the fd is the rdb socket (count network bytes, may block); else the
 * snapshot file received first when loading from disk. */
typedef struct dcReader { int fd, net; char *buf; size_t pos, len, cap; long long limit, got; unsigned calls; } dcReader;

/* While the rdb channel loads, the main channel is read straight into the
 * local buffer every DC_DRAIN_MS of loading. A full event-loop pass only runs
 * every loading-process-events-interval-bytes of payload, and a compressed
 * payload can take a long time per interval (about 0.3 s per 2 MB of the
 * bench's zero-padded values), during which the stream would pile up in the
 * socket buffers and then in the primary's memory. */
#define DC_DRAIN_MS 5
/* The clock is read every DC_TICK_CALLS reads of the loader (a few keys), not
 * at every read: loading does several small reads per key. */
#define DC_TICK_CALLS 64

static void loadingTick(int force) {
    mstime_t now = mstime();
    if (!force && now - dc.last_drain < DC_DRAIN_MS) return;
    dc.last_drain = now;
    if (dc.main_fd != -1 && server.repl_state == REPL_STATE_DUAL_BUFFERING) {
        bufferMainStream(dc.main_fd, 0);
    } else if (dc.main_fd != -1 && (server.repl_state == REPL_STATE_RECEIVE_SETRDB_REPLY ||
                                    server.repl_state == REPL_STATE_DUAL_PSYNC_REPLY)) {
        /* The +OK / +CONTINUE replies came after the load started: take them
         * now, so the stream behind them is drained from the next tick on. */
        struct pollfd p = {.fd = dc.main_fd, .events = POLLIN};
        if (connHasBufferedInput(dc.main_fd) || poll(&p, 1, 0) == 1) replDualMainReadable(dc.main_fd);
    }
    /* Keep-alive on the main channel (the rdb channel is ours to read only). */
    if (dc.main_fd != -1 && now - dc.last_keepalive >= 1000) {
        dc.last_keepalive = now;
        if (connIsTls(dc.main_fd)) {
            /* A TLS write must complete or be retried with the same bytes. */
            if (connWriteAll(dc.main_fd, "\n", 1, 100) != 0) { /* the main handler will notice */ }
        } else if (write(dc.main_fd, "\n", 1) < 0) { /* the main handler will notice */ }
    }
}

/* Reads from the rdb socket; while waiting it keeps the server responsive and
 * the main channel buffering. */
static size_t dcRead(rio *r, void *out, size_t len) {
    dcReader *rd = r->privdata;
    char *o = out;
    if (++rd->calls % DC_TICK_CALLS == 0) loadingTick(0);
    while (len) {
        if (rd->pos < rd->len) {
            size_t n = rd->len - rd->pos < len ? rd->len - rd->pos : len;
            memcpy(o, rd->buf + rd->pos, n);
            rd->pos += n;
            o += n;
            len -= n;
            continue;
        }
        if (dc.abort_requested) return 0;
        size_t want = rd->cap;
        if (rd->limit >= 0 && (long long)want > rd->limit - rd->got) want = (size_t)(rd->limit - rd->got);
        if (want == 0) return 0;
        ssize_t n = rd->net ? connRead(rd->fd, rd->buf, want) : read(rd->fd, rd->buf, want);
        if (n > 0) {
            rd->pos = 0;
            rd->len = (size_t)n;
            rd->got += n;
            if (rd->net) {
                dc.rdb_read += n;
                dc.lastio = mstime();
                server.stat_net_repl_input_bytes += n;
            }
            loadingTick(0);
            if (dc.abort_requested) return 0;
            continue;
        }
        if (n == 0) return 0;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return 0;
        if (mstime() - dc.lastio > (mstime_t)server.repl_timeout * 1000) return 0;
        processEventsWhileBlocked();
        loadingTick(1);
        if (dc.abort_requested) return 0;
        /* Wake for the main channel too, so its bytes don't wait for the rdb channel. */
        struct pollfd p[2] = {{.fd = rd->fd, .events = POLLIN}, {.fd = -1}};
        if (dc.main_fd != -1 && !dc.paused && server.repl_state == REPL_STATE_DUAL_BUFFERING) {
            p[1].fd = dc.main_fd;
            p[1].events = POLLIN;
        }
        poll(p, 2, 50);
    }
    return 1;
}
static size_t dcNoWrite(rio *r, const void *b, size_t l) { (void)r; (void)b; (void)l; return 0; }
static off_t dcTell(rio *r) { return (off_t)r->processed_bytes; }
static int dcFlush(rio *r) { (void)r; return 1; }

/* Loads the snapshot from src: the rdb socket itself (diskless load), or the
 * file it was first saved to (limit = its size, no EOF mark left in it). */
static void loadSnapshot(int src, int net, long long limit, const char *eofmark) {
    dc.rdb_state = RDB_CH_LOADING;
    replPrepareForSnapshot();
    dcReader rd = {.fd = src, .net = net, .cap = 64 * 1024, .limit = limit};
    dc.last_drain = mstime();
    rd.buf = zmalloc(rd.cap);
    rio r;
    memset(&r, 0, sizeof(r));
    r.read = dcRead;
    r.write = dcNoWrite;
    r.tell = dcTell;
    r.flush = dcFlush;
    r.update_cksum = rioGenericUpdateChecksum;
    r.privdata = &rd;
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    ri.repl_stream_db = -1;
    server.loading = 1;
    server.loading_start_time = time(NULL);
    server.loading_total_bytes = limit > 0 ? limit : 0;
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: Loading DB in memory from the rdb channel%s",
              net ? "" : " (saved to disk first)");
    int rc = rdbLoadRio(&r, RDBFLAGS_REPLICATION | RDBFLAGS_STARTUP, &ri);
    r.privdata = &rd;
    if (rc == RDB_OK && eofmark) {
        char mark[40];
        r.update_cksum = NULL;
        if (!rioRead(&r, mark, 40) || memcmp(mark, eofmark, 40) != 0) rc = RDB_ERR;
    }
    server.loading = 0;
    zfree(rd.buf);
    dc.rdb_state = RDB_CH_LOADED;
    if (rc != RDB_OK || dc.abort_requested) {
        emptyData(-1, EMPTYDB_NO_FLAGS, NULL);
        replSetCached(0, 0);
        int was_abort = dc.abort_requested;
        dc.abort_requested = 0;
        dc.rdb_state = RDB_CH_NONE;
        failSync(was_abort ? "aborted while loading" : "failed loading the snapshot from the rdb channel");
        return;
    }
    /* The snapshot is ours: a retry after this point can resume with a PSYNC. */
    replBacklogFree();
    memcpy(server.replid, dc.replid, sizeof(dc.replid));
    server.primary_repl_offset = dc.endoff;
    replClearReplicationId2();
    replBacklogCreate();
    replSetCached(1, dc.dbid);
    /* The rdb connection stays open until +CONTINUE: the primary keeps the
     * backlog pin only while it exists. */
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: rdb channel snapshot loaded (%lld bytes)", dc.rdb_read);
    finishIfReady();
}

static void loadRdbChannel(int fd) {
    elDeleteFileEvent(server.el, fd, EL_READABLE | EL_WRITABLE);
    loadSnapshot(fd, 1, dc.payload_size >= 0 ? dc.payload_size : -1, dc.payload_size < 0 ? dc.eofmark : NULL);
}

/* ------------------------------------------------------------ rdb channel to disk */
/* repl-diskless-load disabled (or on-empty-db with data): as in a classic
 * sync, the snapshot is saved to a temp file while the old dataset keeps
 * serving, renamed over the RDB file, then loaded; the main channel buffers
 * the stream all along. */
static int writeTempFile(const char *p, size_t n) { return replWriteFileAll(dc.tmpfd, p, n); }

static void loadSavedSnapshot(int rdb_fd) {
    elDeleteFileEvent(server.el, rdb_fd, EL_READABLE | EL_WRITABLE);
    close(dc.tmpfd);
    dc.tmpfd = -1;
    bstrFree(dc.held);
    dc.held = NULL;
    if (rename(dc.tmpfile, server.dbfilename) == -1) {
        unlink(dc.tmpfile);
        failSync("can't rename the temp DB file");
        return;
    }
    int f = open(server.dbfilename, O_RDONLY);
    struct stat st;
    if (f == -1 || fstat(f, &st) == -1) {
        if (f != -1) close(f);
        failSync("can't open the received DB file");
        return;
    }
    loadSnapshot(f, 0, (long long)st.st_size, NULL);
    close(f);
}

/* Appends n received bytes; with EOF framing the last 40 bytes are held back
 * until we know whether they are the mark. Returns 1 when the payload is
 * complete, 0 to go on, -1 on a write error. */
static int savePayloadBytes(const char *p, size_t n) {
    if (dc.payload_size >= 0) {
        if (writeTempFile(p, n) != 0) return -1;
        return dc.rdb_read == dc.payload_size;
    }
    dc.held = bstrCatLen(dc.held, p, n);
    size_t len = bstrLen(dc.held);
    if (len >= 40 && memcmp(dc.held + len - 40, dc.eofmark, 40) == 0) {
        /* The rdb channel carries only the snapshot: the mark is its last bytes. */
        return writeTempFile(dc.held, len - 40) == 0 ? 1 : -1;
    }
    if (len > 40) {
        if (writeTempFile(dc.held, len - 40) != 0) return -1;
        bstrRange(dc.held, (ssize_t)(len - 40), -1);
    }
    return 0;
}

static void rdbChannelToDisk(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)privdata;
    (void)mask;
    char buf[64 * 1024];
    size_t want = sizeof(buf);
    if (dc.payload_size >= 0 && (long long)want > dc.payload_size - dc.rdb_read)
        want = (size_t)(dc.payload_size - dc.rdb_read);
    ssize_t n = want ? connRead(fd, buf, want) : 0;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0 && want) {
        failSync("rdb channel connection lost while saving the snapshot");
        return;
    }
    dc.lastio = server.mstime;
    dc.rdb_read += n;
    server.stat_net_repl_input_bytes += n;
    int done = savePayloadBytes(buf, (size_t)n);
    if (done < 0) failSync("write error on the temp DB file");
    else if (done) loadSavedSnapshot(fd);
}

static void saveRdbChannelToDisk(int fd) {
    snprintf(dc.tmpfile, sizeof(dc.tmpfile), "temp-%d.%ld.rdb", (int)getpid(), (long)server.unixtime);
    dc.tmpfd = open(dc.tmpfile, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (dc.tmpfd == -1) {
        failSync("can't open the temp file for the snapshot");
        return;
    }
    dc.held = bstrEmpty();
    dc.rdb_state = RDB_CH_TO_DISK;
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: saving the rdb channel's snapshot to disk");
    elDeleteFileEvent(server.el, fd, EL_READABLE);
    if (elCreateFileEvent(server.el, fd, EL_READABLE, rdbChannelToDisk, NULL) == EL_ERR)
        failSync("can't watch the rdb channel");
}

/* ------------------------------------------------------------ rdb channel handshake */
static void sendRdbChannelHandshake(int fd) {
    if (server.primary_auth) {
        const char *a[3] = {"AUTH", server.primary_user ? server.primary_user : server.primary_auth, server.primary_auth};
        replHandshakeWriteCmd(fd, server.primary_user ? 3 : 2, a);
        dc.rdb_state = RDB_CH_AUTH_REPLY;
    } else {
        dc.rdb_state = RDB_CH_REPLCONF_REPLY;
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", replAnnouncePort());
    const char *rc[9] = {"REPLCONF", "capa", "eof", "rdb-only", "1", "rdb-channel", "1", "listening-port", port};
    replHandshakeWriteCmd(fd, 9, rc);
}

static int parseEndoff(const char *line) {
    char id[64];
    long long off;
    int db;
    unsigned long long cid;
    if (sscanf(line, "$ENDOFF:%lld %63s %d %llu", &off, id, &db, &cid) != 4 || strlen(id) != 40) return -1;
    dc.endoff = off;
    memcpy(dc.replid, id, 41);
    dc.dbid = db;
    dc.rdb_client_id = cid;
    return 0;
}

static void rdbChannelHandler(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)privdata;
    (void)mask;
    if (dc.rdb_state == RDB_CH_CONNECTING) {
        int r = replLinkConnecting(fd, rdbChannelHandler, "the rdb channel");
        if (r == -1) failSync("rdb channel connect failed");
        if (r == 1) sendRdbChannelHandshake(fd);
        return;
    }
    char line[256];
    int lr = connReadLine(fd, line, sizeof(line), 5000);
    if (lr == -2) return;
    if (lr < 0) {
        failSync("rdb channel connection lost");
        return;
    }
    dc.lastio = server.mstime;
    if (line[0] == '\0') return;
    switch (dc.rdb_state) {
    case RDB_CH_AUTH_REPLY:
        if (line[0] == '-') {
            failSync("rdb channel AUTH failed");
            return;
        }
        dc.rdb_state = RDB_CH_REPLCONF_REPLY;
        return;
    case RDB_CH_REPLCONF_REPLY:
        if (line[0] == '-') {
            failSync("primary refused the rdb channel REPLCONF");
            return;
        }
        connWriteAll(fd, "SYNC\r\n", 6, 1000);
        dc.rdb_state = RDB_CH_RECEIVE_ENDOFF;
        return;
    case RDB_CH_RECEIVE_ENDOFF: {
        if (parseEndoff(line) != 0) {
            failSync(line);
            return;
        }
        serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: snapshot end offset %lld, replid %s, rdb client id %llu",
                  dc.endoff, dc.replid, dc.rdb_client_id);
        char id[32], off[32];
        snprintf(id, sizeof(id), "%llu", dc.rdb_client_id);
        snprintf(off, sizeof(off), "%lld", dc.endoff + 1);
        const char *set[3] = {"REPLCONF", "set-rdb-client-id", id};
        const char *ps[3] = {"PSYNC", dc.replid, off};
        replHandshakeWriteCmd(dc.main_fd, 3, set);
        replHandshakeWriteCmd(dc.main_fd, 3, ps);
        server.repl_state = REPL_STATE_RECEIVE_SETRDB_REPLY;
        dc.rdb_state = RDB_CH_PAYLOAD_HEADER;
        return;
    }
    case RDB_CH_PAYLOAD_HEADER:
        if (line[0] != '$') {
            failSync(line);
            return;
        }
        if (!strncmp(line + 1, "EOF:", 4) && strlen(line + 5) >= 40) {
            memcpy(dc.eofmark, line + 5, 40);
            dc.payload_size = -1;
        } else {
            dc.payload_size = strtoll(line + 1, NULL, 10);
        }
        dc.rdb_read = 0;
        if (replUseDisklessLoad()) loadRdbChannel(fd);
        else saveRdbChannelToDisk(fd);
        return;
    default: failSync("unexpected data on the rdb channel"); return;
    }
}

void replDualCron(void) {
    if (!dc.active || dc.rdb_state == RDB_CH_LOADING) return;
    if (server.mstime - dc.lastio > (mstime_t)server.repl_timeout * 1000) failSync("timeout");
}

bstr replDualInfo(bstr info) {
    if (!server.primary_host) return info;
    if (dc.active) {
        long long total = dc.payload_size > 0 ? dc.payload_size : 0;
        info = bstrCatPrintf(info,
                             "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\nmaster_sync_left_bytes:%lld\r\n"
                             "master_sync_perc:%.2f\r\nmaster_sync_last_io_seconds_ago:%d\r\n",
                             total, dc.rdb_read, total ? total - dc.rdb_read : -1,
                             total ? (double)dc.rdb_read * 100 / (double)total : 0.0,
                             (int)((server.mstime - dc.lastio) / 1000));
    }
    return bstrCatPrintf(info, "replicas_repl_buffer_size:%zu\r\nreplicas_repl_buffer_peak:%zu\r\n", dc.buf_size, dc.buf_peak);
}
