/* replica: the link to our primary: non-blocking connect, the pipelined
 * handshake, PSYNC, receiving the snapshot ($<len> or $EOF:<mark> framing) to
 * a temp file or straight from the socket, then streaming. The stream offset
 * we hold (server.primary_repl_offset) always equals what we applied. */
#include "repl/repl.h"
#include "persist/rdb.h"
#include "core/tls.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


enum { STEP_AUTH, STEP_PORT, STEP_IP, STEP_CAPA, STEP_VERSION };

static struct {
    int fd;                    /* the link while it is not yet our primary client */
    int steps[6], nsteps, step;
    mstime_t handshake_start, lastio;
    long long size;            /* -2 header not read, -1 EOF framing, else bytes */
    long long read;
    char eofmark[40];
    bstr held;                 /* EOF framing: last bytes kept back while looking for the mark */
    int tmpfd;
    char tmpfile[256];
    char fullsync_replid[41];
    long long fullsync_offset;
    int have_cached;           /* our replid/offset describe a dataset a PSYNC may continue */
    int cached_db;
} rs = {.fd = -1, .tmpfd = -1};

long long repl_down_since = 0;

static void syncHandler(eventLoop *el, int fd, void *privdata, int mask);
static void payloadHandler(eventLoop *el, int fd, void *privdata, int mask);

int replReplicaSyncInProgress(void) { return server.repl_state == REPL_STATE_TRANSFER; }
int replicaIsLinkDown(void) { return server.primary_host && server.repl_state != REPL_STATE_CONNECTED; }

/* ------------------------------------------------------------ small I/O helpers */
/* The links to our primary (main channel, dual-channel rdb channel) are plain
 * fds; with tls-replication they carry a TLS session and every read and write
 * goes through core/tls.h's conn* calls, which fall through to the system
 * calls for a plain link. */
void replHandshakeWriteCmd(int fd, int argc, const char **argv) {
    bstr s = bstrCatPrintf(bstrEmpty(), "*%d\r\n", argc);
    for (int j = 0; j < argc; j++) s = bstrCatPrintf(s, "$%zu\r\n%s\r\n", strlen(argv[j]), argv[j]);
    connWriteAll(fd, s, bstrLen(s), 1000);
    bstrFree(s);
}

int replConnectTo(const char *host, int port) {
    struct addrinfo hints = {0}, *res = NULL;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, portstr, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd == -1) continue;
        anetNonBlock(fd);
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd != -1 && !server.repl_disable_tcp_nodelay) {
        int yes = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    }
    return fd;
}

/* Leaves only `mask` watched on fd, with handler. 0 ok, -1 error. */
static int watchOnly(int fd, int mask, elFileProc *handler) {
    elDeleteFileEvent(server.el, fd, (EL_READABLE | EL_WRITABLE) & ~mask);
    if (elGetFileEvents(server.el, fd) & mask) return 0;
    return elCreateFileEvent(server.el, fd, mask, handler, NULL) == EL_ERR ? -1 : 0;
}

/* Called on each event of a link in its connecting state: checks the TCP
 * connect, then with tls-replication drives the TLS handshake, watching
 * whichever direction OpenSSL waits for. Returns 1 once the link is ready
 * (handler then installed for reading only), 0 to wait, -1 on failure
 * (logged; the caller closes the link). */
int replLinkConnecting(int fd, elFileProc *handler, const char *what) {
    if (!connIsTls(fd)) {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) err = errno;
        if (err) {
            serverLog(LL_WARNING, "Error condition on socket for %s: %s", what, strerror(err));
            return -1;
        }
        if (!server.tls_replication) return watchOnly(fd, EL_READABLE, handler) == 0 ? 1 : -1;
        if (tlsConnectFd(fd) == -1) return -1;
    }
    const char *why = NULL;
    int r = tlsHandshakeFd(fd, &why);
    if (r == -1) {
        serverLog(LL_WARNING, "TLS handshake with PRIMARY failed (%s): %s", what, why);
        return -1;
    }
    int mask = (r == 1 || tlsFdPollEvents(fd) == POLLIN) ? EL_READABLE : EL_WRITABLE;
    if (watchOnly(fd, mask, handler) == -1) return -1;
    return r;
}

/* REPLCONF listening-port: with tls-replication our own replicas (and a
 * FAILOVER back to us) reach us on the TLS port, as in Valkey. */
int replAnnouncePort(void) {
    if (server.replica_announce_port) return server.replica_announce_port;
    return server.tls_replication && server.tls_port ? server.tls_port : server.port;
}

/* ------------------------------------------------------------ teardown */
static void closeLink(void) {
    if (rs.fd != -1) {
        elDeleteFileEvent(server.el, rs.fd, EL_READABLE | EL_WRITABLE);
        connClose(rs.fd);
        rs.fd = -1;
    }
    if (rs.tmpfd != -1) {
        close(rs.tmpfd);
        rs.tmpfd = -1;
        unlink(rs.tmpfile);
    }
    if (rs.held) {
        bstrFree(rs.held);
        rs.held = NULL;
    }
}

/* Aborts whatever handshake or transfer is in progress (not the primary client). */
void replCancelSync(void) {
    replDualAbort(NULL);
    closeLink();
    if (server.primary_host && server.repl_state != REPL_STATE_CONNECTED) server.repl_state = REPL_STATE_CONNECT;
}

static void syncFailed(const char *why) {
    serverLog(LL_WARNING, "Replication with primary failed: %s", why);
    replCancelSync();
}

/* Replicas of ours hold cursors into the backlog: drop them before it changes. */
static void dropAllReplicasNow(void) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->flags & CLIENT_MONITOR) continue;
        replicaPriv *p = replGetPriv(c);
        replCursorRelease(&p->cur);
        if (p->pinned) {
            replCursorRelease(&p->pin);
            p->pinned = 0;
        }
        c->replstate = 0;
        freeClientAsync(c);
    }
}

/* Hands the link socket to the caller (dual channel turns it into the primary client). */
int replDetachLinkFd(void) {
    int fd = rs.fd;
    if (fd != -1) elDeleteFileEvent(server.el, fd, EL_READABLE | EL_WRITABLE);
    rs.fd = -1;
    return fd;
}

int replLinkFd(void) { return rs.fd; }

void replSetCached(int have, int db) {
    rs.have_cached = have;
    rs.cached_db = db;
}

/* ------------------------------------------------------------ primary client */
client *replCreatePrimaryClient(int fd, long long offset, int dbid) {
    elDeleteFileEvent(server.el, fd, EL_READABLE | EL_WRITABLE);
    client *c = createClient(fd);
    if (!c) {
        tlsFdDrop(fd);   /* createClient closed the fd already */
        return NULL;
    }
    tlsAttachFdToClient(c);
    c->flags |= CLIENT_PRIMARY | CLIENT_AUTHENTICATED;
    c->authenticated = 1;
    c->reploff = c->read_reploff = offset;
    c->repl_applied = 0;
    c->lastinteraction = server.mstime;
    if (dbid >= 0 && dbid < server.dbnum) selectDb(c, dbid);
    server.primary = c;
    server.repl_state = REPL_STATE_CONNECTED;
    server.primary_repl_offset = offset;
    repl_down_since = 0;
    rs.have_cached = 1;
    return c;
}

void replPrimaryClientFreed(client *c) {
    if (server.primary != c) return;
    server.primary = NULL;
    rs.cached_db = c->db ? c->db->id : 0;
    server.primary_repl_offset = c->reploff;
    if (server.primary_host) {
        serverLog(LL_NOTICE, "Connection with primary lost.");
        server.repl_state = REPL_STATE_CONNECT;
        repl_down_since = server.unixtime;
    }
}

/* Stream bytes that arrived together with the snapshot belong to the primary client. */
void replFeedLeftover(client *c, const char *p, size_t len) {
    if (!len) return;
    c->querybuf = bstrCatLen(c->querybuf, p, len);
    c->read_reploff += (long long)len;
    processInputBuffer(c);
}

void replSendAck(void) {
    client *c = server.primary;
    if (!c) return;
    c->flags |= CLIENT_PRIMARY_FORCE_REPLY;
    addReplyArrayLen(c, 3);
    addReplyBulkCString(c, "REPLCONF");
    addReplyBulkCString(c, "ACK");
    addReplyBulkLongLong(c, c->reploff);
    c->flags &= ~CLIENT_PRIMARY_FORCE_REPLY;
}

/* ------------------------------------------------------------ state changes */
void replSetPrimary(const char *host, int port) {
    int was_primary = server.primary_host == NULL;
    char *h = zstrdup(host);
    zfree(server.primary_host);
    server.primary_host = h;
    server.primary_port = port;
    if (server.primary) freeClient(server.primary);
    disconnectAllBlockedClients();
    replCancelSync();
    if (was_primary) {
        /* Our own history is what a PSYNC to the new primary may continue. */
        rs.have_cached = 1;
        rs.cached_db = server.replica_seldb < 0 ? 0 : server.replica_seldb;
    }
    server.repl_state = REPL_STATE_CONNECT;
    repl_down_since = server.unixtime;
    replReplicaCron();
}

void replUnsetPrimary(void) {
    if (!server.primary_host) return;
    zfree(server.primary_host);
    server.primary_host = NULL;
    if (server.primary) freeClient(server.primary);
    replCancelSync();
    replShiftReplicationId();
    /* Our replicas must learn the new ID; they come back with a partial resync. */
    replDisconnectReplicas();
    server.repl_state = REPL_STATE_NONE;
    server.replica_seldb = -1;
    repl_down_since = 0;
}

/* ------------------------------------------------------------ handshake */
static void connectToPrimary(void) {
    int fd = replConnectTo(server.primary_host, server.primary_port);
    if (fd == -1) {
        serverLog(LL_WARNING, "Unable to connect to PRIMARY: %s", strerror(errno));
        return;
    }
    rs.fd = fd;
    if (elCreateFileEvent(server.el, fd, EL_WRITABLE, syncHandler, NULL) == EL_ERR) {
        close(fd);
        rs.fd = -1;
        return;
    }
    rs.handshake_start = server.mstime;
    server.repl_state = REPL_STATE_CONNECTING;
    serverLog(LL_NOTICE, "Connecting to PRIMARY %s:%d", server.primary_host, server.primary_port);
}

static void sendHandshake(int fd) {
    rs.nsteps = rs.step = 0;
    if (server.primary_auth) {
        const char *a[3] = {"AUTH", server.primary_user ? server.primary_user : server.primary_auth, server.primary_auth};
        replHandshakeWriteCmd(fd, server.primary_user ? 3 : 2, a);
        rs.steps[rs.nsteps++] = STEP_AUTH;
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", replAnnouncePort());
    const char *lp[3] = {"REPLCONF", "listening-port", port};
    replHandshakeWriteCmd(fd, 3, lp);
    rs.steps[rs.nsteps++] = STEP_PORT;
    if (server.replica_announce_ip) {
        const char *ip[3] = {"REPLCONF", "ip-address", server.replica_announce_ip};
        replHandshakeWriteCmd(fd, 3, ip);
        rs.steps[rs.nsteps++] = STEP_IP;
    }
    const char *capa[7] = {"REPLCONF", "capa", "eof", "capa", "psync2", "capa", "dual-channel"};
    replHandshakeWriteCmd(fd, server.dual_channel_replication ? 7 : 5, capa);
    rs.steps[rs.nsteps++] = STEP_CAPA;
    const char *ver[3] = {"REPLCONF", "version", VALKEY_VERSION};
    replHandshakeWriteCmd(fd, 3, ver);
    rs.steps[rs.nsteps++] = STEP_VERSION;
}

static void sendPsync(int fd) {
    char off[32];
    const char *id = "?";
    if (rs.have_cached) {
        snprintf(off, sizeof(off), "%lld", server.primary_repl_offset + 1);
        id = server.replid;
    } else {
        strcpy(off, "-1");
    }
    /* A primary handing its role over asks the target to promote itself. */
    const char *a[4] = {"PSYNC", id, off, "FAILOVER"};
    replHandshakeWriteCmd(fd, failoverInProgress() ? 4 : 3, a);
    server.repl_state = REPL_STATE_RECEIVE_PSYNC_REPLY;
}

/* +CONTINUE [replid]: keep our data, maybe adopt the primary's new ID. */
static void acceptContinue(const char *reply) {
    const char *newid = reply + 9;
    while (*newid == ' ') newid++;
    int fd = rs.fd;
    rs.fd = -1;
    closeLink();
    if (strlen(newid) >= 40 && strncmp(newid, server.replid, 40) != 0) {
        memcpy(server.replid2, server.replid, sizeof(server.replid));
        server.second_replid_offset = server.primary_repl_offset + 1;
        memcpy(server.replid, newid, 40);
        server.replid[40] = '\0';
        serverLog(LL_NOTICE, "Primary replication ID changed to %s", server.replid);
        replDisconnectReplicas();
    }
    if (!replBacklogExists()) replBacklogCreate();
    client *c = replCreatePrimaryClient(fd, server.primary_repl_offset, rs.cached_db);
    if (!c) return;
    serverLog(LL_NOTICE, "Successful partial resynchronization with primary.");
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: Primary accepted a Partial Resynchronization.");
    replSendAck();
}

static void handlePsyncReply(int fd, const char *line) {
    int accepted = !strncmp(line, "+FULLRESYNC", 11) || !strncmp(line, "+CONTINUE", 9) ||
                   !strncmp(line, "+DUALCHANNELSYNC", 16);
    failoverPsyncReply(accepted);
    if (!accepted && !server.primary_host) return; /* the failover was undone: we are primary again */
    if (!strncmp(line, "+FULLRESYNC", 11)) {
        char id[64] = "";
        long long off = -1;
        if (sscanf(line + 11, " %63s %lld", id, &off) != 2 || strlen(id) != 40) {
            syncFailed("bad +FULLRESYNC reply");
            return;
        }
        memcpy(rs.fullsync_replid, id, 41);
        rs.fullsync_offset = off;
        serverLog(LL_NOTICE, "Full resync from primary: %s:%lld", id, off);
        rs.size = -2;
        rs.read = 0;
        rs.lastio = server.mstime;
        server.repl_state = REPL_STATE_TRANSFER;
        elDeleteFileEvent(server.el, fd, EL_READABLE);
        elCreateFileEvent(server.el, fd, EL_READABLE, payloadHandler, NULL);
        return;
    }
    if (!strncmp(line, "+CONTINUE", 9)) {
        acceptContinue(line);
        return;
    }
    if (!strncmp(line, "+DUALCHANNELSYNC", 16)) {
        replDualStart();
        return;
    }
    serverLog(LL_WARNING, "Unexpected reply to PSYNC from primary: %s", line);
    replCancelSync();
}

static void syncHandler(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)privdata;
    (void)mask;
    char line[512];
    if (server.repl_state == REPL_STATE_CONNECTING) {
        int r = replLinkConnecting(fd, syncHandler, "SYNC");
        if (r == -1) replCancelSync();
        if (r != 1) return;
        serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync started");
        connWriteAll(fd, "*1\r\n$4\r\nPING\r\n", 14, 1000);
        server.repl_state = REPL_STATE_RECEIVE_PING_REPLY;
        return;
    }
    if (server.repl_state >= REPL_STATE_DUAL_WAIT_ENDOFF) {
        replDualMainReadable(fd);
        return;
    }
    int lr = connReadLine(fd, line, sizeof(line), 5000);
    if (lr == -2) return;
    if (lr < 0) {
        syncFailed("connection lost during handshake");
        return;
    }
    if (server.repl_state == REPL_STATE_RECEIVE_PSYNC_REPLY && line[0] == '\0') return;   /* keep-alive */
    switch (server.repl_state) {
    case REPL_STATE_RECEIVE_PING_REPLY:
        if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) && strncmp(line, "-NOPERM", 7) &&
            strncmp(line, "-ERR operation not permitted", 28)) {
            serverLog(LL_WARNING, "Error reply to PING from primary: '%s'", line);
            replCancelSync();
            return;
        }
        serverLog(LL_NOTICE, "Primary replied to PING, replication can continue...");
        sendHandshake(fd);
        server.repl_state = REPL_STATE_RECEIVE_AUTH_REPLY;
        return;
    case REPL_STATE_RECEIVE_AUTH_REPLY: {
        int step = rs.steps[rs.step++];
        if (step == STEP_AUTH && line[0] == '-') {
            serverLog(LL_WARNING, "Unable to AUTH to PRIMARY: %s", line);
            replCancelSync();
            return;
        }
        if (line[0] == '-')
            serverLog(LL_NOTICE, "(Non critical) Primary does not understand REPLCONF %s: %s",
                      step == STEP_PORT ? "listening-port" : step == STEP_IP ? "ip-address" : step == STEP_CAPA ? "capa" : "version", line);
        if (rs.step == rs.nsteps) sendPsync(fd);
        return;
    }
    case REPL_STATE_RECEIVE_PSYNC_REPLY: handlePsyncReply(fd, line); return;
    default: replDualMainReadable(fd); return;
    }
}

/* ------------------------------------------------------------ snapshot */
int replUseDisklessLoad(void) {
    if (server.repl_diskless_load == REPL_DISKLESS_LOAD_SWAPDB) return 1;
    return server.repl_diskless_load == REPL_DISKLESS_LOAD_WHEN_DB_EMPTY && dbTotalServerKeyCount() == 0;
}

static void loadingStart(long long size) {
    server.loading = 1;
    server.loading_start_time = time(NULL);
    server.loading_loaded_bytes = 0;
    server.loading_total_bytes = size > 0 ? size : 0;
}

/* Loads a snapshot straight from fd. *leftover gets bytes read past the
 * payload (stream bytes that followed it). Returns 0 ok, -1 error. */
int replLoadFromSocket(int fd, long long len, const char *eofmark, bstr *leftover, int *stream_db) {
    rio r;
    rioInitWithFdReader(&r, fd, len > 0 ? len : 0, server.repl_timeout * 1000);
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    ri.repl_stream_db = -1;
    loadingStart(len);
    int rc = rdbLoadRio(&r, RDBFLAGS_REPLICATION | RDBFLAGS_STARTUP, &ri);
    server.loading = 0;
    if (rc == RDB_OK && eofmark) {
        char mark[40];
        r.update_cksum = NULL;
        if (!rioRead(&r, mark, 40) || memcmp(mark, eofmark, 40) != 0) {
            serverLog(LL_WARNING, "Replication payload: EOF mark missing or wrong");
            rc = RDB_ERR;
        }
    }
    if (stream_db) *stream_db = ri.repl_stream_db < 0 ? 0 : ri.repl_stream_db;
    if (rc == RDB_OK && leftover) {
        const char *p;
        size_t n = rioFdReaderPending(&r, &p);
        *leftover = bstrNewLen(p, n);
    }
    rioFreeFd(&r);
    return rc == RDB_OK ? 0 : -1;
}

static void finishFullSync(int fd, bstr leftover, int stream_db) {
    /* Our history now is the primary's: adopt its ID and offset. */
    replBacklogFree();
    memcpy(server.replid, rs.fullsync_replid, 41);
    server.primary_repl_offset = rs.fullsync_offset;
    replClearReplicationId2();
    replBacklogCreate();
    client *c = replCreatePrimaryClient(fd, rs.fullsync_offset, stream_db);
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: Finished with success");
    if (!c) return;
    replSendAck();
    if (leftover) replFeedLeftover(c, leftover, bstrLen(leftover));
}

void replPrepareForSnapshot(void) {
    dropAllReplicasNow();
    emptyData(-1, EMPTYDB_NO_FLAGS, NULL);
}

static void loadSnapshotFromSocket(int fd) {
    elDeleteFileEvent(server.el, fd, EL_READABLE | EL_WRITABLE);
    replPrepareForSnapshot();
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: Loading DB in memory");
    bstr leftover = NULL;
    int stream_db = 0;
    int rc = replLoadFromSocket(fd, rs.size, rs.size == -1 ? rs.eofmark : NULL, &leftover, &stream_db);
    if (rc != 0 || rs.fd != fd) {
        bstrFree(leftover);
        emptyData(-1, EMPTYDB_NO_FLAGS, NULL);
        rs.have_cached = 0;
        if (rs.fd == fd) syncFailed("failed loading the snapshot from the socket");
        return;
    }
    rs.fd = -1;
    finishFullSync(fd, leftover, stream_db);
    bstrFree(leftover);
}

static void loadSnapshotFromFile(int fd, bstr leftover) {
    elDeleteFileEvent(server.el, fd, EL_READABLE | EL_WRITABLE);
    close(rs.tmpfd);
    rs.tmpfd = -1;
    if (rename(rs.tmpfile, server.dbfilename) == -1) {
        syncFailed("can't rename the temp DB file");
        return;
    }
    replPrepareForSnapshot();
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: Loading DB in memory");
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    ri.repl_stream_db = -1;
    int rc = rdbLoad(server.dbfilename, &ri, RDBFLAGS_REPLICATION | RDBFLAGS_STARTUP);
    if (rc != RDB_OK || rs.fd != fd) {
        emptyData(-1, EMPTYDB_NO_FLAGS, NULL);
        rs.have_cached = 0;
        if (rs.fd == fd) syncFailed("failed loading the received DB");
        return;
    }
    rs.fd = -1;
    finishFullSync(fd, leftover, ri.repl_stream_db < 0 ? 0 : ri.repl_stream_db);
}

static int readPayloadHeader(int fd) {
    char line[256];
    int lr = connReadLine(fd, line, sizeof(line), 5000);
    if (lr == -2) return 0;
    if (lr < 0) {
        syncFailed("I/O error reading bulk count from PRIMARY");
        return -1;
    }
    rs.lastio = server.mstime;
    if (line[0] == '\0') return 0;   /* keep-alive while the primary prepares */
    if (line[0] == '-') {
        serverLog(LL_WARNING, "PRIMARY aborted replication with an error: %s", line + 1);
        replCancelSync();
        return -1;
    }
    if (line[0] != '$') {
        serverLog(LL_WARNING, "Bad protocol from PRIMARY, the first byte is not '$' (we received '%s')", line);
        replCancelSync();
        return -1;
    }
    if (!strncmp(line + 1, "EOF:", 4) && strlen(line + 5) >= 40) {
        memcpy(rs.eofmark, line + 5, 40);
        rs.size = -1;
    } else {
        rs.size = strtoll(line + 1, NULL, 10);
    }
    serverLog(LL_NOTICE, "PRIMARY <-> REPLICA sync: receiving %s", rs.size == -1 ? "streamed RDB from primary with EOF to disk" : "bulk payload");
    if (replUseDisklessLoad()) {
        loadSnapshotFromSocket(fd);
        return -1;
    }
    snprintf(rs.tmpfile, sizeof(rs.tmpfile), "temp-%d.%ld.rdb", (int)getpid(), (long)server.unixtime);
    rs.tmpfd = open(rs.tmpfile, O_CREAT | O_WRONLY | O_TRUNC | O_EXCL, 0644);
    if (rs.tmpfd == -1) {
        syncFailed("can't open the temp file for the snapshot");
        return -1;
    }
    rs.held = bstrEmpty();
    return 0;
}

/* Writes all n bytes to a (blocking) file descriptor: 0 ok, -1 error. */
int replWriteFileAll(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void payloadHandler(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el;
    (void)privdata;
    (void)mask;
    if (rs.size == -2) {
        readPayloadHeader(fd);
        return;
    }
    char buf[64 * 1024];
    size_t want = sizeof(buf);
    if (rs.size >= 0 && (long long)want > rs.size - rs.read) want = (size_t)(rs.size - rs.read);
    ssize_t n = want ? connRead(fd, buf, want) : 0;
    if (n <= 0 && want) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        syncFailed("I/O error trying to sync with PRIMARY: connection lost");
        return;
    }
    rs.lastio = server.mstime;
    rs.read += n;
    server.stat_net_repl_input_bytes += n;
    if (rs.size >= 0) {
        if (replWriteFileAll(rs.tmpfd, buf, (size_t)n) != 0) {
            syncFailed("write error on the temp DB file");
            return;
        }
        if (rs.read == rs.size) loadSnapshotFromFile(fd, NULL);
        return;
    }
    /* EOF framing: the mark may straddle reads, and stream bytes may follow it. */
    rs.held = bstrCatLen(rs.held, buf, (size_t)n);
    char *m = memmem(rs.held, bstrLen(rs.held), rs.eofmark, 40);
    if (m) {
        size_t upto = (size_t)(m - rs.held);
        if (replWriteFileAll(rs.tmpfd, rs.held, upto) != 0) {
            syncFailed("write error on the temp DB file");
            return;
        }
        bstr leftover = bstrNewLen(m + 40, bstrLen(rs.held) - upto - 40);
        bstrFree(rs.held);
        rs.held = NULL;
        loadSnapshotFromFile(fd, leftover);
        bstrFree(leftover);
        return;
    }
    if (bstrLen(rs.held) > 40) {
        size_t out = bstrLen(rs.held) - 40;
        if (replWriteFileAll(rs.tmpfd, rs.held, out) != 0) {
            syncFailed("write error on the temp DB file");
            return;
        }
        bstrRange(rs.held, (ssize_t)out, -1);
    }
}

/* The replication position a saved RDB carries (SAVE, shutdown) so that a
 * restarted replica resumes with a partial resync. */
rdbReplInfo *replicationPopulateSaveInfo(rdbReplInfo *ri) {
    memset(ri, 0, sizeof(*ri));
    if (!server.primary_host) {
        /* A primary with history: replicas may continue after our restart. */
        if (!replBacklogExists()) return NULL;
        ri->repl_stream_db = server.replica_seldb < 0 ? 0 : server.replica_seldb;
        memcpy(ri->repl_id, server.replid, sizeof(ri->repl_id));
        ri->repl_offset = server.primary_repl_offset;
        return ri;
    }
    if (!rs.have_cached) return NULL;
    ri->repl_stream_db = server.primary && server.primary->db ? server.primary->db->id : rs.cached_db;
    memcpy(ri->repl_id, server.replid, sizeof(ri->repl_id));
    ri->repl_offset = server.primary ? server.primary->reploff : server.primary_repl_offset;
    return ri;
}

/* ------------------------------------------------------------ cron and config */
void replReplicaCron(void) {
    if (!server.primary_host) return;
    int st = server.repl_state;
    if (st >= REPL_STATE_CONNECTING && st <= REPL_STATE_RECEIVE_PSYNC_REPLY &&
        server.mstime - rs.handshake_start > (mstime_t)server.repl_timeout * 1000) {
        serverLog(LL_WARNING, "Timeout connecting to the PRIMARY...");
        replCancelSync();
    }
    if (st == REPL_STATE_TRANSFER && server.mstime - rs.lastio > (mstime_t)server.repl_timeout * 1000) {
        serverLog(LL_WARNING, "Timeout receiving bulk data from PRIMARY... If the problem persists try to set the 'repl-timeout' parameter in valkey.conf to a larger value.");
        replCancelSync();
    }
    if (st == REPL_STATE_CONNECTED && server.primary &&
        server.mstime - server.primary->lastinteraction > (mstime_t)server.repl_timeout * 1000) {
        serverLog(LL_WARNING, "PRIMARY timeout: no data nor PING received...");
        freeClient(server.primary);
    }
    if (server.repl_state == REPL_STATE_CONNECT) connectToPrimary();
    if (server.primary && server.repl_state == REPL_STATE_CONNECTED) replSendAck();
}

void replicationStartFromConfig(void) {
    if (!server.replid[0] || strlen(server.replid) != 40) replChangeReplicationId();
    replClearReplicationId2();
    server.replica_seldb = -1;
    if (server.primary_host) {
        if (rdb_loaded_repl_info_valid && strlen(rdb_loaded_repl_info.repl_id) == 40) {
            memcpy(server.replid, rdb_loaded_repl_info.repl_id, 41);
            server.primary_repl_offset = rdb_loaded_repl_info.repl_offset;
            rs.have_cached = 1;
            rs.cached_db = rdb_loaded_repl_info.repl_stream_db < 0 ? 0 : rdb_loaded_repl_info.repl_stream_db;
            serverLog(LL_NOTICE, "Using the replication ID and offset of the loaded RDB to attempt a partial resync: %s:%lld",
                      server.replid, server.primary_repl_offset);
        }
        server.repl_state = REPL_STATE_CONNECT;
        repl_down_since = server.unixtime;
        replReplicaCron();
    } else if (rdb_loaded_repl_info_valid && strlen(rdb_loaded_repl_info.repl_id) == 40) {
        /* Restarted primary: keep our history so replicas resume with +CONTINUE. */
        memcpy(server.replid, rdb_loaded_repl_info.repl_id, 41);
        server.primary_repl_offset = rdb_loaded_repl_info.repl_offset;
        replBacklogCreate();
        serverLog(LL_NOTICE, "Restored replication ID and offset from the RDB: %s:%lld", server.replid,
                  server.primary_repl_offset);
    }
}

bstr replGenReplicaInfo(bstr info) {
    client *p = server.primary;
    long long lastio = p ? (long long)((server.mstime - p->lastinteraction) / 1000) : -1;
    int insync = server.repl_state == REPL_STATE_TRANSFER || replDualActive();
    info = bstrCatPrintf(info,
                         "master_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\nmaster_last_io_seconds_ago:%lld\r\n"
                         "master_sync_in_progress:%d\r\nslave_read_repl_offset:%lld\r\nslave_repl_offset:%lld\r\n",
                         server.primary_host, server.primary_port,
                         server.repl_state == REPL_STATE_CONNECTED ? "up" : "down", lastio, insync,
                         p ? p->read_reploff : server.primary_repl_offset, p ? p->reploff : server.primary_repl_offset);
    if (server.repl_state == REPL_STATE_TRANSFER) {
        long long total = rs.size > 0 ? rs.size : 0;
        info = bstrCatPrintf(info,
                             "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\nmaster_sync_left_bytes:%lld\r\n"
                             "master_sync_perc:%.2f\r\nmaster_sync_last_io_seconds_ago:%d\r\n",
                             total, rs.read, total ? total - rs.read : -1, total ? (double)rs.read * 100 / (double)total : 0.0,
                             (int)((server.mstime - rs.lastio) / 1000));
    }
    info = replDualInfo(info);
    if (server.repl_state != REPL_STATE_CONNECTED)
        info = bstrCatPrintf(info, "master_link_down_since_seconds:%lld\r\n",
                             repl_down_since ? (long long)(server.unixtime - repl_down_since) : -1LL);
    info = bstrCatPrintf(info, "slave_priority:%d\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n", server.replica_priority,
                         server.repl_replica_ro, server.replica_announced);
    return info;
}
