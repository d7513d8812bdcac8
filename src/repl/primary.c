/* primary: replica bookkeeping on the primary side: SYNC/PSYNC/REPLCONF,
 * full sync through one fork that serves every waiting replica (to a file,
 * or straight to the sockets from the child), propagation of the command
 * stream into the shared backlog, WAIT, and INFO/ROLE. */
#include "repl/repl.h"
#include "persist/rdb.h"
#include "core/tls.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static int bgsave_for_repl = 0;          /* the running child serves replicas */
static int bgsave_socket_target = 0;
static mstime_t no_replicas_since = 0;   /* for repl-backlog-ttl */
static list *wait_clients = NULL;        /* clients blocked in WAIT */
static char wait_marker;                  /* repl_priv of a WAIT-blocked client */
static int fork_stream_db = 0;           /* db the stream is in right after the snapshot */

replicaPriv *replGetPriv(client *c) {
    if (!c->repl_priv || c->repl_priv == &wait_marker) {
        c->repl_priv = zcalloc(sizeof(replicaPriv));
    }
    return c->repl_priv;
}

static replicaPriv *privOf(client *c) {
    return (c->repl_priv && c->repl_priv != &wait_marker) ? c->repl_priv : NULL;
}

const char *replicaStateName(int state) {
    switch (state) {
    case REPLICA_STATE_WAIT_BGSAVE_START:
    case REPLICA_STATE_WAIT_BGSAVE_END: return "wait_bgsave";
    case REPLICA_STATE_SEND_BULK: return "send_bulk";
    case REPLICA_STATE_ONLINE: return "online";
    case REPLICA_STATE_RDB_TRANSMITTED: return "rdb_transmitted";
    case REPLICA_STATE_BG_RDB_LOAD: return "bg_transfer";
    default: return "";
    }
}

/* Small replies that must reach the replica before a fork child starts
 * writing to the same socket are written synchronously with connWriteAll()
 * (core/tls.h), through the client's TLS session when it has one: a TLS
 * write cannot be left half done, so the helper finishes it or fails. */

/* ------------------------------------------------------------ IDs */
void replChangeReplicationId(void) {
    getRandomHexChars(server.replid, CONFIG_RUN_ID_SIZE);
    server.replid[CONFIG_RUN_ID_SIZE] = '\0';
}

void replClearReplicationId2(void) {
    memset(server.replid2, '0', CONFIG_RUN_ID_SIZE);
    server.replid2[CONFIG_RUN_ID_SIZE] = '\0';
    server.second_replid_offset = -1;
}

/* PSYNC2 promotion: the old history stays reachable under replid2. */
void replShiftReplicationId(void) {
    memcpy(server.replid2, server.replid, sizeof(server.replid));
    server.second_replid_offset = server.primary_repl_offset + 1;
    replChangeReplicationId();
    serverLog(LL_NOTICE, "Setting secondary replication ID to %s, valid up to offset: %lld. New replication ID is %s",
              server.replid2, server.second_replid_offset, server.replid);
}

/* ------------------------------------------------------------ stream writer */
static void replicaWriteHandler(eventLoop *el, int fd, void *privdata, int mask);

/* After an $EOF payload the stream waits for the replica's first ACK: an
 * older replica may read past the mark and would lose those bytes. */
static int replicaReceivesStream(client *c) {
    if (c->repl_start_cmd_stream_on_ack) return 0;
    return c->replstate == REPLICA_STATE_ONLINE || c->replstate == REPLICA_STATE_BG_RDB_LOAD;
}

/* Set when some replica may have stream bytes to send; replFlushReplicaStreams()
 * clears it once nothing is left to look at. */
static int stream_flush_pending = 0;

/* Called whenever a replica may have something new to send. The write itself
 * happens in replFlushReplicaStreams() before the event loop sleeps: one
 * write per replica per iteration, however many commands the iteration ran,
 * and no epoll registration unless the socket is full. */
void replKickReplicaWriter(client *c) {
    (void)c;
    stream_flush_pending = 1;
}

/* Writes pending replies, then the stream from the cursor. Returns -1 when
 * the client is being dropped, 1 when bytes are left (socket full), else 0. */
static int replicaWriteNow(client *c, replicaPriv *p) {
    if (clientHasPendingReplies(c)) {
        if (writeToClient(c, 0) == -1) return -1;
        if (clientHasPendingReplies(c)) return 1;
    }
    if (!p || !replicaReceivesStream(c)) return 0;
    ssize_t n = replCursorWrite(&p->cur, c->fd);
    if (n < 0) {
        serverLog(LL_VERBOSE, "Error writing to replica: %s", strerror(errno));
        freeClientAsync(c);
        return -1;
    }
    if (n > 0) {
        server.stat_net_repl_output_bytes += n;
        c->net_output_bytes += (unsigned long long)n;
    }
    p->last_stream_write = server.mstime;
    return replCursorPending(&p->cur) ? 1 : 0;
}

static void replicaWriteHandler(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)mask;
    client *c = privdata;
    replicaPriv *p = privOf(c);
    /* A client being dropped must not keep the handler spinning until it is freed. */
    int rc = (c->flags & CLIENT_CLOSE_ASAP) ? -1 : replicaWriteNow(c, p);
    if (rc == 1) return;
    elDeleteFileEvent(server.el, fd, EL_WRITABLE);
    if (p) p->writer_installed = 0;
}

/* A main channel whose replica is still loading the rdb channel is read by the
 * replica only between loading steps, so writing to it at every event-loop
 * iteration gains it nothing while costing the primary a syscall and the
 * loopback TCP work per iteration, ahead of its clients' replies. Its stream
 * goes out in batches: when this many bytes are waiting, or after
 * REPL_LOADING_BATCH_MS. The batch is capped at a quarter of the backlog, so
 * the bytes waiting are held by the backlog anyway and cost no extra memory. */
#define REPL_LOADING_BATCH_BYTES (64 * 1024)
#define REPL_LOADING_BATCH_MS 20

static int deferForLoadingReplica(client *c, replicaPriv *p) {
    if (c->replstate != REPLICA_STATE_BG_RDB_LOAD || clientHasPendingReplies(c)) return 0;
    long long batch = server.repl_backlog_size / 4;
    if (batch > REPL_LOADING_BATCH_BYTES) batch = REPL_LOADING_BATCH_BYTES;
    return replCursorPending(&p->cur) < batch && server.mstime - p->last_stream_write < REPL_LOADING_BATCH_MS;
}

/* Runs before the event loop sleeps (server.c beforeSleep). */
void replFlushReplicaStreams(void) {
    if (!stream_flush_pending) return;
    stream_flush_pending = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        replicaPriv *p = privOf(c);
        if (c->fd == -1 || (c->flags & CLIENT_CLOSE_ASAP) || !p || !replicaReceivesStream(c)) continue;
        /* Our writer already waits for the socket to drain. */
        if (p->writer_installed && (elGetFileEvents(server.el, c->fd) & EL_WRITABLE)) continue;
        if (replCursorPending(&p->cur) == 0 && !clientHasPendingReplies(c)) continue;
        if (deferForLoadingReplica(c, p)) {
            stream_flush_pending = 1;   /* look again at the next iteration */
            continue;
        }
        if (replicaWriteNow(c, p) == 1) {
            /* Installed over whatever writer the replies had: ours sends them first. */
            elCreateFileEvent(server.el, c->fd, EL_WRITABLE, replicaWriteHandler, c);
            p->writer_installed = 1;
        }
    }
}

/* Valkey's limit for replicas, enforced on the shared stream (not reply_bytes). */
static int replicaOverLimit(client *c, long long pending) {
    clientBufferLimitsConfig *lim = &server.client_obuf_limits[CLIENT_TYPE_REPLICA];
    if (lim->hard_limit_bytes && (unsigned long long)pending >= lim->hard_limit_bytes) return 1;
    if (lim->soft_limit_bytes && (unsigned long long)pending >= lim->soft_limit_bytes) {
        if (!c->obuf_soft_limit_reached_time) c->obuf_soft_limit_reached_time = server.unixtime;
        else if (server.unixtime - c->obuf_soft_limit_reached_time > lim->soft_limit_seconds) return 1;
    } else {
        c->obuf_soft_limit_reached_time = 0;
    }
    return 0;
}

static void checkReplicaLimits(void) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        replicaPriv *p = privOf(c);
        if (!p || !p->cur.node || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        if (replicaOverLimit(c, replCursorPending(&p->cur))) {
            bstr info = catClientInfoString(bstrEmpty(), c);
            serverLog(LL_WARNING, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info);
            bstrFree(info);
            server.stat_client_outbuf_limit_disconnections++;
            freeClientAsync(c);
        }
    }
}

/* Appends exact stream bytes and wakes the writers of online replicas. */
void replPrimaryFeedRaw(const char *p, size_t len) {
    replBacklogAppend(p, len);
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) replKickReplicaWriter(ln->value);
    checkReplicaLimits();
}

static bstr catCommand(bstr s, obj **argv, int argc) {
    s = bstrCatPrintf(s, "*%d\r\n", argc);
    for (int j = 0; j < argc; j++) {
        char buf[32];
        size_t len;
        const char *p = objStrPtr(argv[j], buf, sizeof(buf), &len);
        s = bstrCatPrintf(s, "$%zu\r\n", len);
        s = bstrCatLen(s, p, len);
        s = bstrCatLen(s, "\r\n", 2);
    }
    return s;
}

void replicationFeedReplicas(int dictid, obj **argv, int argc) {
    /* A replica never produces its own stream: it proxies its primary's bytes. */
    if (server.primary_host) return;
    if (!replBacklogExists() && listLength(server.replicas) == 0) return;
    bstr s = bstrEmpty();
    if (dictid != server.replica_seldb) {
        char db[24];
        int n = ll2string(db, sizeof(db), dictid);
        s = bstrCatPrintf(s, "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", n, db);
        server.replica_seldb = dictid;
    }
    s = catCommand(s, argv, argc);
    replPrimaryFeedRaw(s, bstrLen(s));
    bstrFree(s);
    if (server.current_client) server.current_client->woff = server.primary_repl_offset;
}

/* Replica side: the primary's bytes, once applied, go verbatim to our backlog
 * and our own replicas so that chained replicas see the same offsets. */
void replicationProxyPrimaryStream(client *c, const char *buf, long long len) {
    (void)c;
    if (len <= 0) return;
    replPrimaryFeedRaw(buf, (size_t)len);
}

/* ------------------------------------------------------------ partial resync */
static void addReplicaToList(client *c) {
    if (!(c->flags & CLIENT_REPLICA)) {
        c->flags |= CLIENT_REPLICA;
        listAddNodeTail(server.replicas, c);
    }
}

int replTryPartialResync(client *c, const char *replid, long long offset) {
    int same = !strcasecmp(replid, server.replid);
    int old = !strcasecmp(replid, server.replid2) && offset <= server.second_replid_offset;
    if (!same && !old) {
        if (replid[0] != '?')
            serverLog(LL_NOTICE, "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')",
                      replid, server.replid, server.replid2);
        else
            serverLog(LL_NOTICE, "Full resync requested by replica %s", getClientPeerId(c));
        return -1;
    }
    if (!replBacklogExists() || offset < replBacklogFirstOffset() || offset > server.primary_repl_offset + 1) {
        serverLog(LL_NOTICE, "Unable to partial resync with replica %s for lack of backlog (Replica request was: %lld).",
                  getClientPeerId(c), offset);
        return -1;
    }
    replicaPriv *p = replGetPriv(c);
    if (replBacklogAttach(&p->cur, offset) != 0) return -1;
    char buf[128];
    int n = (c->replica_capa & REPLICA_CAPA_PSYNC2) ? snprintf(buf, sizeof(buf), "+CONTINUE %s\r\n", server.replid)
                                                     : snprintf(buf, sizeof(buf), "+CONTINUE\r\n");
    if (connWriteAll(c->fd, buf, (size_t)n, 1000) != 0) {
        freeClientAsync(c);
        return 0;
    }
    c->replstate = REPLICA_STATE_ONLINE;
    c->repl_ack_time = server.unixtime;
    addReplicaToList(c);
    server.stat_sync_partial_ok++;
    serverLog(LL_NOTICE, "Partial resynchronization request from %s accepted. Sending %lld bytes of backlog starting from offset %lld.",
              getClientPeerId(c), replCursorPending(&p->cur), offset);
    replKickReplicaWriter(c);
    replUpdateGoodReplicas();
    return 0;
}

/* ------------------------------------------------------------ full sync */
static int replicaCanJoinRunningSave(client *c) {
    if (!bgsave_for_repl || !hasActiveChildProcess() || bgsave_socket_target) return 0;
    (void)c;
    return 1;
}

static void sendFullSyncHeader(client *c, long long offset) {
    replicaPriv *p = replGetPriv(c);
    char buf[256];
    int n;
    if (p->rdb_channel) {
        n = snprintf(buf, sizeof(buf), "$ENDOFF:%lld %s %d %llu\r\n", offset, server.replid, fork_stream_db,
                     (unsigned long long)c->id);
        p->endoff = offset;
    } else if (c->replica_req & 1) {   /* plain SYNC: no header */
        n = 0;
    } else {
        n = snprintf(buf, sizeof(buf), "+FULLRESYNC %s %lld\r\n", server.replid, offset);
    }
    c->psync_initial_offset = offset;
    if (n && connWriteAll(c->fd, buf, (size_t)n, 1000) != 0) freeClientAsync(c);
}

static void replJoinRunningSave(client *c) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *o = ln->value;
        replicaPriv *op = privOf(o);
        if (o == c || o->replstate != REPLICA_STATE_WAIT_BGSAVE_END || !op) continue;
        replicaPriv *p = replGetPriv(c);
        replCursor *src = op->rdb_channel ? &op->pin : &op->cur;
        if (p->rdb_channel) {
            replCursorCopy(&p->pin, src);
            p->pinned = 1;
        } else {
            replCursorCopy(&p->cur, src);
        }
        p->disk_target = 1;
        sendFullSyncHeader(c, o->psync_initial_offset);
        c->replstate = REPLICA_STATE_WAIT_BGSAVE_END;
        serverLog(LL_NOTICE, "Waiting for end of BGSAVE for SYNC");
        return;
    }
}

/* The child side of a diskless sync: one rdb stream written to every target. */
typedef struct bcastTarget { rio r; int ok; } bcastTarget;
typedef struct bcastState { bcastTarget *t; int n; } bcastState;

static size_t bcastWrite(rio *r, const void *buf, size_t len) {
    bcastState *st = r->privdata;
    int alive = 0;
    for (int i = 0; i < st->n; i++) {
        if (!st->t[i].ok) continue;
        if (!rioWrite(&st->t[i].r, buf, len)) st->t[i].ok = 0;
        else alive++;
    }
    return alive ? 1 : 0;
}
static int bcastFlush(rio *r) {
    bcastState *st = r->privdata;
    int alive = 0;
    for (int i = 0; i < st->n; i++)
        if (st->t[i].ok && rioFlush(&st->t[i].r)) alive++;
        else st->t[i].ok = 0;
    return alive ? 1 : 0;
}
static off_t bcastTell(rio *r) { return (off_t)r->processed_bytes; }
static size_t bcastNoRead(rio *r, void *buf, size_t len) { (void)r; (void)buf; (void)len; return 0; }

static int childWriteToSockets(int *fds, int n, rdbReplInfo *ri) {
    bcastState st = {zcalloc(sizeof(bcastTarget) * (size_t)n), n};
    for (int i = 0; i < n; i++) {
        rioInitWithFdWriter(&st.t[i].r, fds[i], server.repl_timeout * 1000);
        st.t[i].r.update_cksum = NULL;
        st.t[i].ok = 1;
    }
    rio out;
    memset(&out, 0, sizeof(out));
    out.read = bcastNoRead;
    out.write = bcastWrite;
    out.flush = bcastFlush;
    out.tell = bcastTell;
    out.update_cksum = rioGenericUpdateChecksum;
    out.privdata = &st;
    char mark[41], hdr[64];
    getRandomHexChars(mark, 40);
    mark[40] = '\0';
    int hl = snprintf(hdr, sizeof(hdr), "$EOF:%s\r\n", mark);
    int ok = rioWrite(&out, hdr, (size_t)hl);
    out.cksum = 0;   /* the RDB checksum covers the payload only */
    ok = ok && rdbSaveRio(&out, RDBFLAGS_REPLICATION, ri) == RDB_OK &&
             rioWrite(&out, mark, 40) && rioFlush(&out);
    return ok ? 0 : 1;
}

static int countReplicasIn(int state) {
    int n = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate == state && !(c->flags & CLIENT_CLOSE_ASAP)) n++;
    }
    return n;
}

/* ------------------------------------------------------------ pipe relay */
/* A diskless sync to a classic TLS replica: the fork child must not write on
 * a session this process goes on using (the two copies' record sequence
 * numbers would diverge), so it writes the payload into a pipe and we relay
 * it from the event loop. The pipe is read one chunk at a time and not again
 * until every relay target took the whole chunk, so a slow replica holds the
 * child back instead of our memory. Plain replicas and dual-channel rdb
 * channels (whose session the child owns for good) are written by the child. */
#define RELAY_CHUNK (64 * 1024)

static struct {
    int active;
    int fd;            /* read end of the child's pipe; -1 once it reached EOF */
    char *buf;
    size_t len;        /* bytes in the current chunk; 0: none */
    int done;          /* the whole payload went out to every target */
    int child_ok;      /* the child ended well (its exit may come before or after done) */
} relay = {.fd = -1};

static void replicaSnapshotDelivered(client *c);
static void relayPipeReadable(eventLoop *el, int fd, void *privdata, int mask);

static int relayIsTarget(client *c) {
    replicaPriv *p = privOf(c);
    return p && p->relay && c->replstate == REPLICA_STATE_WAIT_BGSAVE_END && !(c->flags & CLIENT_CLOSE_ASAP);
}

/* Closing our end makes a child still writing see EPIPE on the pipe only:
 * its other targets go on. */
static void relayStop(void) {
    if (relay.fd != -1) {
        elDeleteFileEvent(server.el, relay.fd, EL_READABLE);
        close(relay.fd);
        relay.fd = -1;
    }
    zfree(relay.buf);
    relay.buf = NULL;
    relay.len = 0;
    relay.active = relay.done = relay.child_ok = 0;
}

/* Applies fn to every replica the relay feeds, then ends the relay. */
static void relayFinish(void (*fn)(client *c)) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (relayIsTarget(c)) fn(c);
    }
    relayStop();
}

/* The relay cannot go on: its targets will never get the rest. */
static void relayAbort(const char *why) {
    serverLog(LL_WARNING, "Diskless rdb transfer to TLS replicas aborted: %s", why);
    relayFinish(freeClientAsync);
}

static void relayStart(int fd) {
    relayStop();
    anetNonBlock(fd);
    relay.fd = fd;
    relay.active = 1;
    relay.buf = zmalloc(RELAY_CHUNK);
    if (elCreateFileEvent(server.el, fd, EL_READABLE, relayPipeReadable, NULL) == EL_ERR)
        relayAbort("can't watch the pipe");
}

/* Both the payload and the child's exit status are in: the targets are synced. */
static void relayDeliver(void) {
    relayFinish(replicaSnapshotDelivered);
    replStartBgsaveIfNeeded();
}

static void relayContinue(void);

static void relayTargetWritable(eventLoop *el, int fd, void *privdata, int mask);

/* Sends what is left of the chunk to c. 1 when c needs nothing more of it
 * (sent, or c is being dropped), 0 when its socket is full. */
static int relayWriteTo(client *c) {
    replicaPriv *p = privOf(c);
    while (p->relay_pos < relay.len) {
        ssize_t n = connWrite(c->fd, relay.buf + p->relay_pos, relay.len - p->relay_pos);
        if (n > 0) {
            p->relay_pos += (size_t)n;
            server.stat_net_repl_output_bytes += n;
            c->net_output_bytes += (unsigned long long)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (elCreateFileEvent(server.el, c->fd, EL_WRITABLE, relayTargetWritable, c) == EL_OK) return 0;
        }
        serverLog(LL_WARNING, "Diskless rdb transfer to replica %s failed: %s", getClientPeerId(c), strerror(errno));
        freeClientAsync(c);
        return 1;
    }
    return 1;
}

static void relayTargetWritable(eventLoop *el, int fd, void *privdata, int mask) {
    (void)mask;
    client *c = privdata;
    if (!relay.active || !relayIsTarget(c) || relayWriteTo(c)) {
        elDeleteFileEvent(el, fd, EL_WRITABLE);
        relayContinue();
    }
}

/* Reads the next chunk once every target has the current one. */
static void relayContinue(void) {
    if (!relay.active || relay.done) return;
    int targets = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (!relayIsTarget(c)) continue;
        targets++;
        if (privOf(c)->relay_pos < relay.len) {
            if (relay.fd != -1) elDeleteFileEvent(server.el, relay.fd, EL_READABLE);
            return;
        }
    }
    if (!targets) {
        serverLog(LL_NOTICE, "Diskless rdb transfer: no TLS replica left to relay to");
        relayStop();
        return;
    }
    relay.len = 0;
    if (relay.fd == -1) {
        relay.done = 1;
        if (relay.child_ok) relayDeliver();
        return;
    }
    if (!(elGetFileEvents(server.el, relay.fd) & EL_READABLE) &&
        elCreateFileEvent(server.el, relay.fd, EL_READABLE, relayPipeReadable, NULL) == EL_ERR)
        relayAbort("can't watch the pipe");
}

static void relayPipeReadable(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el, (void)privdata, (void)mask;
    /* Up to 16 chunks per event while every target takes each one at once. */
    for (int round = 0; round < 16; round++) {
        if (!relay.active || relay.fd != fd || relay.len) return;   /* len: paused on a full socket */
        ssize_t n = read(fd, relay.buf, RELAY_CHUNK);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n < 0) {
            relayAbort(strerror(errno));
            return;
        }
        if (n == 0) {
            elDeleteFileEvent(server.el, fd, EL_READABLE);
            close(fd);
            relay.fd = -1;
            relayContinue();
            return;
        }
        relay.len = (size_t)n;
        listIter li;
        listNode *ln;
        listRewind(server.replicas, &li);
        while ((ln = listNext(&li))) {
            client *c = ln->value;
            if (!relayIsTarget(c)) continue;
            privOf(c)->relay_pos = 0;
            relayWriteTo(c);
        }
        relayContinue();
    }
}

/* The child ended well: 1 when c may be called synced now (always for a
 * replica the child wrote itself; for a relay target once all was relayed). */
static int relayChildDone(client *c) {
    replicaPriv *p = privOf(c);
    if (!p || !p->relay) return 1;
    if (!relay.active) {
        freeClientAsync(c);   /* the relay was aborted: it never got the whole payload */
        return 0;
    }
    relay.child_ok = 1;
    return relay.done;
}

static void startBgsaveForReplication(void) {
    int n = 0, all_eof = 1;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate != REPLICA_STATE_WAIT_BGSAVE_START || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        n++;
        if (!(c->replica_capa & REPLICA_CAPA_EOF)) all_eof = 0;
    }
    if (!n) return;
    int socket_target = server.repl_diskless_sync && all_eof;
    if (!replBacklogExists()) replBacklogCreate();
    long long offset = server.primary_repl_offset;
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    if (server.primary_host) {
        /* We proxy our primary's stream: it continues in whatever db it is in. */
        fork_stream_db = server.primary && server.primary->db ? server.primary->db->id : 0;
    } else {
        /* Our own stream after the snapshot starts with a SELECT. */
        server.replica_seldb = -1;
        fork_stream_db = 0;
    }
    ri.repl_stream_db = fork_stream_db;
    memcpy(ri.repl_id, server.replid, sizeof(ri.repl_id));
    ri.repl_offset = offset;
    int *fds = zmalloc(sizeof(int) * (size_t)(n + 1));
    int nf = 0, old_peer = 0, nrelay = 0;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate != REPLICA_STATE_WAIT_BGSAVE_START || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        replicaPriv *p = replGetPriv(c);
        p->disk_target = !socket_target;
        if (p->rdb_channel) {
            replBacklogAttach(&p->pin, offset + 1);
            p->pinned = 1;
        } else {
            replBacklogAttach(&p->cur, offset + 1);
        }
        sendFullSyncHeader(c, offset);
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        c->replstate = REPLICA_STATE_WAIT_BGSAVE_END;
        if (p->version_major < 8 && !p->rdb_channel) old_peer = 1;   /* rdb channels imply Valkey 8+ */
        p->relay = socket_target && connIsTls(c->fd) && !p->rdb_channel;
        p->relay_pos = 0;
        if (p->relay) {
            nrelay++;
            continue;
        }
        if (socket_target && p->rdb_channel && connIsTls(c->fd)) {
            /* The child writes this rdb channel's session: we never touch it
             * again, not even to read (a reply would be a write). We free it
             * ourselves once the snapshot is out and the pin is released. */
            tlsFdHandOver(c->fd);
            elDeleteFileEvent(server.el, c->fd, EL_READABLE);
        }
        fds[nf++] = c->fd;
    }
    int relayfds[2] = {-1, -1};
    if (nrelay && pipe(relayfds) == 0) {
#ifdef F_SETPIPE_SZ
        /* Fewer wake-ups per chunk; the default size is fine too. */
        if (fcntl(relayfds[1], F_SETPIPE_SZ, 1024 * 1024) == -1) { /* keep the default */ }
#endif
        fds[nf++] = relayfds[1];
    } else if (nrelay) {
        serverLog(LL_WARNING, "Can't create the diskless sync pipe for TLS replicas: %s", strerror(errno));
        listRewind(server.replicas, &li);
        while ((ln = listNext(&li))) {
            client *c = ln->value;
            if (relayIsTarget(c)) freeClientAsync(c);
        }
        if (!nf) {
            zfree(fds);
            return;
        }
    }
    serverLog(LL_NOTICE, "Starting BGSAVE for SYNC with target: %s", socket_target ? "replicas sockets" : "disk");
    pid_t pid = rdbForkChild(socket_target ? RDB_CHILD_TYPE_SOCKET : RDB_CHILD_TYPE_DISK);
    if (pid == 0) {
        if (relayfds[0] != -1) close(relayfds[0]);
        /* Peers that predate RDB 11 (they send no REPLCONF version) get RDB 10. */
        if (old_peer) rdb_save_version_override = 10;
        int rc = socket_target ? childWriteToSockets(fds, nf, &ri)
                               : (rdbSaveToFileWithReplInfo(server.dbfilename, RDBFLAGS_REPLICATION, &ri) == RDB_OK ? 0 : 1);
        _exit(rc);
    }
    zfree(fds);
    if (relayfds[1] != -1) close(relayfds[1]);
    if (pid == -1) {
        if (relayfds[0] != -1) close(relayfds[0]);
        serverLog(LL_WARNING, "BGSAVE for replication failed: %s", strerror(errno));
        listRewind(server.replicas, &li);
        while ((ln = listNext(&li))) {
            client *c = ln->value;
            if (c->replstate == REPLICA_STATE_WAIT_BGSAVE_END) freeClientAsync(c);
        }
        return;
    }
    if (relayfds[0] != -1) relayStart(relayfds[0]);
    if (!socket_target) server.dirty_before_bgsave = server.dirty;
    bgsave_for_repl = 1;
    bgsave_socket_target = socket_target;
    serverLog(LL_NOTICE, "Background RDB transfer started by pid %ld", (long)pid);
}

/* Starts a fork for waiting replicas when the rules allow it now. */
void replStartBgsaveIfNeeded(void) {
    /* One relay at a time: its child may be gone while we still send. */
    if (hasActiveChildProcess() || relay.active) return;
    int waiting = 0;
    time_t max_idle = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate != REPLICA_STATE_WAIT_BGSAVE_START || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        waiting++;
        time_t idle = server.unixtime - c->ctime;
        if (idle > max_idle) max_idle = idle;
    }
    if (!waiting) return;
    if (server.repl_diskless_sync && server.repl_diskless_sync_delay > 0 && max_idle < server.repl_diskless_sync_delay &&
        !(server.repl_diskless_sync_max_replicas && waiting >= server.repl_diskless_sync_max_replicas))
        return;
    startBgsaveForReplication();
}

static void sendBulkHandler(eventLoop *el, int fd, void *privdata, int mask);

static void replicaSnapshotDelivered(client *c) {
    replicaPriv *p = replGetPriv(c);
    if (p->rdb_channel) {
        c->replstate = REPLICA_STATE_RDB_TRANSMITTED;
        p->transmitted_time = server.mstime;
        /* The main channel already took over the pin: nothing left to do here. */
        if (!p->pinned) freeClientAsync(c);
        return;
    }
    c->replstate = REPLICA_STATE_ONLINE;
    c->repl_ack_time = server.unixtime;
    if (!p->disk_target) c->repl_start_cmd_stream_on_ack = 1;
    p->relay = 0;
    serverLog(LL_NOTICE, "Synchronization with replica %s succeeded", getClientPeerId(c));
    replKickReplicaWriter(c);
    replUpdateGoodReplicas();
}

static void sendBulkHandler(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)mask;
    client *c = privdata;
    if (c->replpreamble) {
        ssize_t n = connWrite(fd, c->replpreamble, bstrLen(c->replpreamble));
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            freeClientAsync(c);
            return;
        }
        if ((size_t)n < bstrLen(c->replpreamble)) {
            bstrRange(c->replpreamble, n, -1);
            return;
        }
        bstrFree(c->replpreamble);
        c->replpreamble = NULL;
    }
    char buf[64 * 1024];
    if (lseek(c->repldbfd, c->repldboff, SEEK_SET) == -1) {
        freeClientAsync(c);
        return;
    }
    ssize_t r = read(c->repldbfd, buf, sizeof(buf));
    if (r <= 0) {
        serverLog(LL_WARNING, "Read error sending DB to replica: %s", r == 0 ? "premature EOF" : strerror(errno));
        freeClientAsync(c);
        return;
    }
    /* A TLS write that must be retried is retried with the same file bytes:
     * the next call reads them again from repldboff. */
    ssize_t n = connWrite(fd, buf, (size_t)r);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        freeClientAsync(c);
        return;
    }
    c->repldboff += n;
    server.stat_net_repl_output_bytes += n;
    if (c->repldboff == c->repldbsize) {
        close(c->repldbfd);
        c->repldbfd = -1;
        elDeleteFileEvent(server.el, fd, EL_WRITABLE);
        replicaSnapshotDelivered(c);
    }
}

/* Called by persist/rdb.c when an RDB child ends. */
void updateReplicasWaitingBgsave(int bgsaveerr, int type) {
    int was_for_repl = bgsave_for_repl;
    bgsave_for_repl = 0;
    bgsave_socket_target = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate != REPLICA_STATE_WAIT_BGSAVE_END) continue;
        replicaPriv *p = replGetPriv(c);
        if (bgsaveerr != RDB_OK || !was_for_repl) {
            serverLog(LL_WARNING, "SYNC failed. BGSAVE child returned an error");
            freeClientAsync(c);
            continue;
        }
        if (type == RDB_CHILD_TYPE_SOCKET && !p->disk_target) {
            if (!relayChildDone(c)) continue;   /* synced once the relay has sent it all */
            replicaSnapshotDelivered(c);
        } else if (type == RDB_CHILD_TYPE_DISK && p->disk_target) {
            struct stat st;
            c->repldbfd = open(server.dbfilename, O_RDONLY);
            if (c->repldbfd == -1 || fstat(c->repldbfd, &st) == -1) {
                serverLog(LL_WARNING, "SYNC failed. Can't open/stat DB after BGSAVE: %s", strerror(errno));
                freeClientAsync(c);
                continue;
            }
            c->repldboff = 0;
            c->repldbsize = st.st_size;
            c->replpreamble = bstrCatPrintf(bstrEmpty(), "$%lld\r\n", (long long)st.st_size);
            c->replstate = REPLICA_STATE_SEND_BULK;
            elDeleteFileEvent(server.el, c->fd, EL_WRITABLE);
            if (elCreateFileEvent(server.el, c->fd, EL_WRITABLE, sendBulkHandler, c) == EL_ERR) freeClientAsync(c);
        }
    }
    if (relay.active && (bgsaveerr != RDB_OK || !was_for_repl || relay.done)) relayStop();
    replStartBgsaveIfNeeded();
}

static void replicationRemoveFromWaitingPsync(client *c);

/* SYNC and PSYNC. */
static void syncCommand(client *c) {
    if (c->flags & CLIENT_REPLICA) return;
    int is_psync = !strcasecmp(objPtr(c->argv[0]), "psync");
    if (is_psync && c->argc != 3 && c->argc != 4) {
        addReplyErrorArity(c);
        return;
    }
    /* Our primary hands its role over to us (FAILOVER): promote before the
     * link checks, since that primary has already stopped being one. */
    if (is_psync && c->argc == 4 && failoverHandlePsyncRequest(c) != 0) return;
    if (server.primary_host && server.repl_state != REPL_STATE_CONNECTED) {
        addReplyError(c, "-NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    /* Replies to pipelined REPLCONFs must go out before the sync reply. */
    if (clientHasPendingReplies(c) && writeToClient(c, 0) == -1) return;
    if (clientHasPendingReplies(c)) {
        addReplyError(c, "ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    replicaPriv *p = replGetPriv(c);
    if (is_psync) {
        long long off;
        if (getLongLongFromObjectOrReply(c, c->argv[2], &off, NULL) != 0) return;
        /* The main channel of a dual-channel sync resumes at the snapshot end. */
        client *rdbc = c->associated_rdb_client_id ? replFindWaitingRdbClient(c->associated_rdb_client_id) : NULL;
        if (replTryPartialResync(c, objPtr(c->argv[1]), off) == 0) {
            if (rdbc) {
                /* Streaming while the replica loads; online at its first ACK. */
                c->replstate = REPLICA_STATE_BG_RDB_LOAD;
                replReleasePin(rdbc);
            }
            return;
        }
        if (c->flags & CLIENT_CLOSE_ASAP) return;
        if (c->associated_rdb_client_id) {
            /* The pin was lost: the replica must start over. */
            addReplyError(c, "ERR Replica's main channel PSYNC failed, snapshot end offset not in the backlog");
            return;
        }
        if ((c->replica_capa & REPLICA_CAPA_DUAL_CHANNEL) && server.dual_channel_replication) {
            /* Dual channel: the snapshot goes over a second connection. */
            connWriteAll(c->fd, "+DUALCHANNELSYNC\r\n", 18, 1000);
            return;
        }
    } else {
        if (!p->rdb_channel) c->replica_req |= 1;   /* old-style SYNC: raw payload only */
    }
    server.stat_sync_full++;
    c->replstate = REPLICA_STATE_WAIT_BGSAVE_START;
    c->repl_ack_time = server.unixtime;
    addReplicaToList(c);
    if (p->rdb_channel) c->flags |= CLIENT_REPL_RDB_CHANNEL;
    /* The first replica of a primary without history gets a fresh ID. */
    if (listLength(server.replicas) == 1 && !replBacklogExists() && !server.primary_host) {
        replChangeReplicationId();
        replClearReplicationId2();
        replBacklogCreate();
        serverLog(LL_NOTICE, "Replication backlog created, my new replication IDs are '%s' and '%s'", server.replid, server.replid2);
    }
    if (replicaCanJoinRunningSave(c)) replJoinRunningSave(c);
    if (c->replstate == REPLICA_STATE_WAIT_BGSAVE_START) replStartBgsaveIfNeeded();
}

/* ------------------------------------------------------------ REPLCONF */
static void replconfCommand(client *c) {
    if ((c->argc % 2) == 0) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    for (int j = 1; j < c->argc; j += 2) {
        const char *opt = objPtr(c->argv[j]);
        obj *val = c->argv[j + 1];
        if (!strcasecmp(opt, "listening-port")) {
            long port;
            if (getRangeLongFromObjectOrReply(c, val, 0, 65535, &port, NULL) != 0) return;
            c->replica_listening_port = (int)port;
        } else if (!strcasecmp(opt, "ip-address")) {
            zfree(c->replica_addr);
            c->replica_addr = zstrdup(objPtr(val));
        } else if (!strcasecmp(opt, "capa")) {
            if (!strcasecmp(objPtr(val), "eof")) c->replica_capa |= REPLICA_CAPA_EOF;
            else if (!strcasecmp(objPtr(val), "psync2")) c->replica_capa |= REPLICA_CAPA_PSYNC2;
            else if (!strcasecmp(objPtr(val), "dual-channel")) c->replica_capa |= REPLICA_CAPA_DUAL_CHANNEL;
        } else if (!strcasecmp(opt, "ack") || !strcasecmp(opt, "fack")) {
            if (!(c->flags & CLIENT_REPLICA)) return;
            long long off;
            if (getLongLongFromObjectOrReply(c, val, &off, NULL) != 0) return;
            if (!strcasecmp(opt, "ack")) {
                if (off > c->repl_ack_off) c->repl_ack_off = off;
                c->repl_start_cmd_stream_on_ack = 0;
                c->repl_ack_time = server.unixtime;
                /* The first ack of a dual-channel main channel means the snapshot is loaded. */
                if (c->replstate == REPLICA_STATE_BG_RDB_LOAD) {
                    c->replstate = REPLICA_STATE_ONLINE;
                    replUpdateGoodReplicas();
                }
                replKickReplicaWriter(c);
                replWaitCheck();
                failoverCheck();
            }
            return;
        } else if (!strcasecmp(opt, "getack")) {
            if (c->flags & CLIENT_PRIMARY) replSendAck();
            return;
        } else if (!strcasecmp(opt, "rdb-only")) {
            long v;
            if (getRangeLongFromObjectOrReply(c, val, 0, 1, &v, NULL) != 0) return;
            replGetPriv(c)->rdb_only = (int)v;
        } else if (!strcasecmp(opt, "rdb-channel")) {
            long v;
            if (getRangeLongFromObjectOrReply(c, val, 0, 1, &v, NULL) != 0) return;
            replGetPriv(c)->rdb_channel = (int)v;
        } else if (!strcasecmp(opt, "set-rdb-client-id")) {
            long long id;
            if (getLongLongFromObjectOrReply(c, val, &id, NULL) != 0) return;
            if (!replFindWaitingRdbClient((uint64_t)id)) {
                addReplyErrorFormat(c, "ERR Unrecognized RDB client id %lld", id);
                return;
            }
            c->associated_rdb_client_id = (uint64_t)id;
        } else if (!strcasecmp(opt, "version")) {
            replGetPriv(c)->version_major = atoi(objPtr(val));
        } else if (!strcasecmp(opt, "rdb-filter-only")) {
            /* accepted, nothing to do */
        } else {
            addReplyErrorFormat(c, "ERR Unrecognized REPLCONF option: %s", opt);
            return;
        }
    }
    addReply(c, shared.ok);
}

/* ------------------------------------------------------------ dual-channel pins */
client *replFindWaitingRdbClient(uint64_t id) {
    client *c = lookupClientByID(id);
    if (!c || !(c->flags & CLIENT_REPLICA)) return NULL;
    replicaPriv *p = privOf(c);
    if (!p || !p->rdb_channel || !p->pinned) return NULL;
    return c;
}

void replReleasePin(client *rdbc) {
    replicaPriv *p = privOf(rdbc);
    if (!p || !p->pinned) return;
    replCursorRelease(&p->pin);
    p->pinned = 0;
    if (rdbc->replstate == REPLICA_STATE_RDB_TRANSMITTED) freeClientAsync(rdbc);
}

static void replicationRemoveFromWaitingPsync(client *c) {
    replicaPriv *p = privOf(c);
    if (p && p->pinned) {
        replCursorRelease(&p->pin);
        p->pinned = 0;
    }
}

int replCountWaitingPsync(void) {
    int n = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        replicaPriv *p = privOf(ln->value);
        if (p && p->pinned && ((client *)ln->value)->replstate == REPLICA_STATE_RDB_TRANSMITTED) n++;
    }
    return n;
}

/* ------------------------------------------------------------ client freed */
void replicationClientFreed(client *c) {
    if (c->repl_priv == &wait_marker) {
        if (wait_clients) {
            listNode *ln = listSearchKey(wait_clients, c);
            if (ln) listDelNode(wait_clients, ln);
        }
        c->repl_priv = NULL;
        return;
    }
    if (c->flags & CLIENT_PRIMARY) {
        void replPrimaryClientFreed(client *c);
        replPrimaryClientFreed(c);
    }
    replicaPriv *p = privOf(c);
    if (p) {
        replicationRemoveFromWaitingPsync(c);
        replCursorRelease(&p->cur);
        zfree(p);
        c->repl_priv = NULL;
    }
    if (c->repldbfd != -1) {
        close(c->repldbfd);
        c->repldbfd = -1;
    }
    if (c->flags & CLIENT_REPLICA && !(c->flags & CLIENT_MONITOR)) {
        listNode *ln = listSearchKey(server.replicas, c);
        if (ln) listDelNode(server.replicas, ln);
        c->flags &= ~CLIENT_REPLICA;
        if (c->replstate == REPLICA_STATE_ONLINE || c->replstate == REPLICA_STATE_BG_RDB_LOAD)
            serverLog(LL_NOTICE, "Connection with replica %s lost.", getClientPeerId(c));
        if (listLength(server.replicas) == 0) no_replicas_since = server.mstime;
        /* A fork serving only this replica is pointless now. */
        if (bgsave_for_repl && hasActiveChildProcess() && countReplicasIn(REPLICA_STATE_WAIT_BGSAVE_END) == 0) {
            serverLog(LL_WARNING, "Diskless rdb transfer, last replica dropped, killing fork child.");
            killRDBChild();
        }
        replUpdateGoodReplicas();
    }
    /* It may have been the one target the relay waited for. */
    if (relay.active) relayContinue();
}

/* ------------------------------------------------------------ WAIT */
long long replicationCountAcksByOffset(long long offset) {
    long long n = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate == REPLICA_STATE_ONLINE && c->repl_ack_off >= offset) n++;
    }
    return n;
}

void replWaitCheck(void) {
    if (!wait_clients) return;
    listIter li;
    listNode *ln;
    listRewind(wait_clients, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (!(c->flags & CLIENT_BLOCKED) || c->bstate.btype != BLOCKED_WAIT) {
            listDelNode(wait_clients, ln);
            c->repl_priv = NULL;
            continue;
        }
        long long acks = replicationCountAcksByOffset(c->bstate.reploffset);
        if (acks >= c->bstate.numreplicas) {
            listDelNode(wait_clients, ln);
            c->repl_priv = NULL;
            addReplyLongLong(c, acks);
            unblockClient(c, 1);
        }
    }
}

void replRequestAcks(void) {
    obj *argv[3] = {shared.replconf, shared.getack, shared.special_asterick};
    int saved = server.replica_seldb;
    client *cc = server.current_client;
    long long woff = cc ? cc->woff : 0;
    replicationFeedReplicas(saved < 0 ? 0 : saved, argv, 3);
    if (cc) cc->woff = woff;   /* a GETACK is not the caller's write */
}

static void waitCommand(client *c) {
    if (server.primary_host) {
        addReplyError(c, "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        return;
    }
    long numreplicas;
    mstime_t timeout;
    /* Any integer: a negative count is simply met at once. */
    if (getLongFromObjectOrReply(c, c->argv[1], &numreplicas, NULL) != 0) return;
    long long ms;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &ms, "ERR timeout is not an integer or out of range") != 0) return;
    if (ms < 0) {
        addReplyError(c, "ERR timeout is negative");
        return;
    }
    timeout = ms > 0 ? mstime() + ms : 0;
    long long offset = c->woff;
    long long acks = replicationCountAcksByOffset(offset);
    if (acks >= numreplicas || (c->flags & CLIENT_MULTI)) {
        addReplyLongLong(c, acks);
        return;
    }
    c->bstate.timeout = timeout;
    c->bstate.numreplicas = numreplicas;
    c->bstate.reploffset = offset;
    blockClient(c, BLOCKED_WAIT);
    if (!wait_clients) wait_clients = listCreate();
    listAddNodeTail(wait_clients, c);
    c->repl_priv = &wait_marker;
    replRequestAcks();
}

/* ------------------------------------------------------------ misc */
void replUpdateGoodReplicas(void) {
    int good = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->replstate == REPLICA_STATE_ONLINE && server.unixtime - c->repl_ack_time <= server.repl_min_replicas_max_lag)
            good++;
    }
    server.repl_good_replicas_count = good;
}

void replDisconnectReplicas(void) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (!(c->flags & CLIENT_MONITOR)) freeClientAsync(c);
    }
}

void replPrimaryCron(void) {
    listIter li;
    listNode *ln;
    /* PING keeps replicas' timeouts quiet and advances the offset as Valkey does. */
    if (!server.primary_host && listLength(server.replicas) && server.repl_ping_replica_period > 0 &&
        pauseActiveType() == PAUSE_NONE && /* a paused stream keeps its offset for WAIT/FAILOVER */
        (server.cronloops / server.hz) % server.repl_ping_replica_period == 0) {
        obj *ping = shared.ping;
        replicationFeedReplicas(server.replica_seldb < 0 ? 0 : server.replica_seldb, &ping, 1);
    }
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        replicaPriv *p = privOf(c);
        if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_MONITOR)) continue;
        /* Newlines keep replicas waiting for a file-based snapshot from timing out. */
        if (c->replstate == REPLICA_STATE_WAIT_BGSAVE_START ||
            (c->replstate == REPLICA_STATE_WAIT_BGSAVE_END && p && p->disk_target && !p->rdb_channel)) {
            if (c->replica_req & 1) {
                /* plain SYNC: the payload starts at the first byte */
            } else if (connIsTls(c->fd)) {
                /* A TLS write cannot be left half done: finish it or drop the replica. */
                if (connWriteAll(c->fd, "\n", 1, 100) != 0) freeClientAsync(c);
            } else if (write(c->fd, "\n", 1) < 0) { /* dropped on the next read error */ }
        }
        if (c->replstate == REPLICA_STATE_ONLINE && server.unixtime - c->repl_ack_time > server.repl_timeout) {
            serverLog(LL_WARNING, "Disconnecting timedout replica (streaming sync): %s", getClientPeerId(c));
            freeClientAsync(c);
            continue;
        }
        if (p && p->rdb_channel && c->replstate == REPLICA_STATE_RDB_TRANSMITTED && p->pinned &&
            server.mstime - p->transmitted_time > (mstime_t)server.repl_timeout * 1000) {
            serverLog(LL_WARNING, "Dropping rdb channel %llu: its main channel never asked for the stream",
                      (unsigned long long)c->id);
            freeClientAsync(c);
            continue;
        }
        replKickReplicaWriter(c);
    }
    checkReplicaLimits();
    /* Free the backlog after repl-backlog-ttl without replicas (primaries only). */
    if (!server.primary_host && listLength(server.replicas) == 0 && replBacklogExists() && server.repl_backlog_time_limit &&
        no_replicas_since && server.mstime - no_replicas_since > (mstime_t)server.repl_backlog_time_limit * 1000) {
        replChangeReplicationId();
        replClearReplicationId2();
        replBacklogFree();
        serverLog(LL_NOTICE, "Replication backlog freed after %d seconds without connected replicas.",
                  (int)server.repl_backlog_time_limit);
    }
    replStartBgsaveIfNeeded();
    replUpdateGoodReplicas();
}

/* The address a replica is known by: the one it announced, else its peer IP. */
const char *replReplicaIp(client *c, char *buf, size_t size) {
    if (c->replica_addr) return c->replica_addr;
    const char *pid = getClientPeerId(c);
    const char *colon = strrchr(pid, ':');
    size_t len = colon ? (size_t)(colon - pid) : strlen(pid);
    if (len >= size) len = size - 1;
    memcpy(buf, pid, len);
    buf[len] = '\0';
    return buf;
}

bstr genInfoReplication(bstr info) {
    info = bstrCat(info, "# Replication\r\n");
    info = bstrCatPrintf(info, "role:%s\r\n", server.primary_host ? "slave" : "master");
    if (server.primary_host) info = replGenReplicaInfo(info);
    int n = 0;
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (!(c->flags & CLIENT_MONITOR)) n++;
    }
    info = bstrCatPrintf(info, "connected_slaves:%d\r\n", n);
    if (!server.primary_host && server.repl_min_replicas_to_write && server.repl_min_replicas_max_lag)
        info = bstrCatPrintf(info, "min_slaves_good_slaves:%d\r\n", server.repl_good_replicas_count);
    int idx = 0;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->flags & CLIENT_MONITOR) continue;
        char peer[64];
        const char *ip = replReplicaIp(c, peer, sizeof(peer));
        replicaPriv *p = privOf(c);
        const char *type = (p && p->rdb_channel) ? "rdb-channel"
                           : c->replstate == REPLICA_STATE_BG_RDB_LOAD ? "main-channel" : "replica";
        info = bstrCatPrintf(info, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%lld,type=%s\r\n", idx++, ip,
                             c->replica_listening_port, replicaStateName(c->replstate), c->repl_ack_off,
                             (long long)(server.unixtime - c->repl_ack_time), type);
    }
    info = bstrCatPrintf(info, "replicas_waiting_psync:%d\r\n", replCountWaitingPsync());
    info = bstrCatPrintf(info,
                         "master_failover_state:%s\r\nmaster_replid:%s\r\nmaster_replid2:%s\r\n"
                         "master_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\nrepl_backlog_active:%d\r\n"
                         "repl_backlog_size:%lld\r\nrepl_backlog_first_byte_offset:%lld\r\nrepl_backlog_histlen:%lld\r\n",
                         failoverStateName(), server.replid, server.replid2, server.primary_repl_offset,
                         server.second_replid_offset,
                         replBacklogExists(), server.repl_backlog_size,
                         replBacklogExists() ? replBacklogFirstOffset() : 0, replBacklogHistlen());
    return info;
}

static void roleCommand(client *c) {
    if (!server.primary_host) {
        addReplyArrayLen(c, 3);
        addReplyBulkCString(c, "master");
        addReplyLongLong(c, server.primary_repl_offset);
        int n = 0;
        void *rl = addReplyDeferredLen(c);
        listIter li;
        listNode *ln;
        listRewind(server.replicas, &li);
        while ((ln = listNext(&li))) {
            client *r = ln->value;
            if (r->replstate != REPLICA_STATE_ONLINE) continue;
            const char *ip = r->replica_addr ? r->replica_addr : "127.0.0.1";
            addReplyArrayLen(c, 3);
            addReplyBulkCString(c, ip);
            addReplyBulkLongLong(c, r->replica_listening_port);
            addReplyBulkLongLong(c, r->repl_ack_off);
            n++;
        }
        setDeferredArrayLen(c, rl, n);
        return;
    }
    const char *st;
    switch (server.repl_state) {
    case REPL_STATE_NONE: st = "none"; break;
    case REPL_STATE_CONNECT: st = "connect"; break;
    case REPL_STATE_CONNECTING: st = "connecting"; break;
    case REPL_STATE_TRANSFER: case REPL_STATE_DUAL_BUFFERING: st = "sync"; break;
    case REPL_STATE_CONNECTED: st = "connected"; break;
    default: st = "handshake"; break;
    }
    addReplyArrayLen(c, 5);
    addReplyBulkCString(c, "slave");
    addReplyBulkCString(c, server.primary_host);
    addReplyLongLong(c, server.primary_port);
    addReplyBulkCString(c, st);
    addReplyLongLong(c, server.primary ? server.primary->reploff : -1);
}

static void replicaofCommand(client *c) {
    if (c->argc != 3) {
        addReplyErrorArity(c);
        return;
    }
    if (failoverActive()) {
        addReplyError(c, "ERR REPLICAOF not allowed while failing over.");
        return;
    }
    if (!strcasecmp(objPtr(c->argv[1]), "no") && !strcasecmp(objPtr(c->argv[2]), "one")) {
        if (server.primary_host) {
            replUnsetPrimary();
            serverLog(LL_NOTICE, "MASTER MODE enabled (user request from '%s')", getClientPeerId(c));
        }
        addReply(c, shared.ok);
        return;
    }
    if (c->flags & CLIENT_REPLICA) {
        addReplyError(c, "ERR Command is not valid when client is a replica.");
        return;
    }
    long port;
    if (getRangeLongFromObjectOrReply(c, c->argv[2], 0, 65535, &port, "ERR Invalid master port") != 0) return;
    if (server.primary_host && !strcasecmp(server.primary_host, objPtr(c->argv[1])) && server.primary_port == port) {
        serverLog(LL_NOTICE, "REPLICAOF would result into synchronization with the primary we are already connected with. No operation performed.");
        addReplyStatus(c, "OK Already connected to specified master");
        return;
    }
    replSetPrimary(objPtr(c->argv[1]), (int)port);
    serverLog(LL_NOTICE, "REPLICAOF %s:%d enabled (user request from '%s')", server.primary_host, server.primary_port,
              getClientPeerId(c));
    addReply(c, shared.ok);
}

void replicationCron(void) {
    replReplicaCron();
    replDualCron();
    replPrimaryCron();
}

const serverCommandDef replicationCommandTable[] = {
    {"replicaof", replicaofCommand, 3, "admin noscript stale no_async_loading", 0, 0, 0, "server",
     "Configures a server as replica of another, or promotes it to a primary.", "5.0.0", "O(1)", NULL, NULL, "args"},
    {"slaveof", replicaofCommand, 3, "admin noscript stale no_async_loading", 0, 0, 0, "server",
     "Sets a server as a replica of another, or promotes it to being a primary.", "1.0.0", "O(1)", NULL, NULL, "args"},
    {"sync", syncCommand, 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "server",
     "An internal command used in replication.", "1.0.0", "O(1)", NULL, NULL, ""},
    {"psync", syncCommand, -3, "admin noscript no_async_loading no_multi", 0, 0, 0, "server",
     "An internal command used in replication.", "2.8.0", "O(1)", NULL, NULL, "replicationid offset"},
    {"replconf", replconfCommand, -1, "admin noscript loading stale allow_busy", 0, 0, 0, "server",
     "An internal command for configuring the replication stream.", "3.0.0", "O(1)", NULL, NULL, ""},
    {"wait", waitCommand, 3, "noscript", 0, 0, 0, "generic",
     "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
     "3.0.0", "O(1)", NULL, NULL, "numreplicas timeout"},
    {"role", roleCommand, 1, "noscript loading stale fast", 0, 0, 0, "server",
     "Returns the replication role.", "2.8.12", "O(1)", NULL, NULL, ""},
    {"failover", failoverCommand, -1, "admin noscript stale", 0, 0, 0, "server",
     "Starts a coordinated failover from a server to one of its replicas.", "6.2.0", "O(1)", NULL, NULL,
     "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]"},
    {0}};
