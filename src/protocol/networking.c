/* networking: client lifecycle (accept, create, free), reading and parsing
 * queries (inline and multibulk RESP), flushing replies, output-buffer limits
 * and the listeners (TCP and unix socket). */
#include "server/server.h"
#include "core/tls.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define NET_MAX_WRITES_PER_EVENT (1024 * 64)

void replicationClientFreed(client *c);
void unblockClientOnFree(client *c);
void pubsubUnsubscribeAllForClient(client *c);

int anetNonBlock(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void anetTuneTcp(int fd) {
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    if (server.tcpkeepalive > 0) {
        int interval = server.tcpkeepalive;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof(interval));
        int intvl = interval / 3 ? interval / 3 : 1, cnt = 3;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    }
}

client *createClient(int fd) {
    client *c = zcalloc(sizeof(*c));
    if (fd != -1) {
        anetNonBlock(fd);
        if (elCreateFileEvent(server.el, fd, EL_READABLE, readQueryFromClient, c) == EL_ERR) {
            close(fd);
            zfree(c);
            return NULL;
        }
    }
    c->fd = fd;
    c->id = server.next_client_id++;
    c->resp = 2;
    c->bulklen = -1;
    c->db = &server.db[0];
    c->querybuf = bstrEmpty();
    c->reply = listCreate();
    c->buf_usable_size = PROTO_REPLY_CHUNK_BYTES;
    c->buf = zmalloc(c->buf_usable_size);
    c->ctime = server.unixtime;
    c->lastinteraction = server.mstime;
    c->authenticated = aclNewClientIsAuthenticated();
    c->watched_keys = listCreate();
    c->repldbfd = -1;
    c->bstate.btype = BLOCKED_NONE;
    initClientMultiState(c);
    if (fd != -1) {
        listAddNodeTail(server.clients, c);
        c->client_list_node = listLast(server.clients);
        htAdd(server.clients_index, (void *)(uintptr_t)c->id, c);
    }
    return c;
}

/* Short arguments arrive and die with every request: their objects are
 * recycled through a small pool instead of a malloc/free pair each. A pooled
 * object is an EMBSTR sized for OBJ_EMBSTR_SIZE_LIMIT bytes (its bstr header
 * says alloc == limit), so any short argument fits in it. Main thread only. */
#define ARGV_POOL_MAX 128
#define ARGV_POOL_OBJ_SIZE (sizeof(obj) + sizeof(struct bstrh8) + OBJ_EMBSTR_SIZE_LIMIT + 1)
static obj *argv_pool[ARGV_POOL_MAX];
static int argv_pool_len;

static obj *createArgObject(const char *p, size_t len) {
    if (len > OBJ_EMBSTR_SIZE_LIMIT) return createStringObject(p, len);
    obj *o = argv_pool_len ? argv_pool[--argv_pool_len] : zmalloc(ARGV_POOL_OBJ_SIZE);
    struct bstrh8 *h = (struct bstrh8 *)(o + 1);
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENCODING_EMBSTR;
    o->refcount = 1;
    o->packed = 0;
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) o->lru = (unsigned)(lfuTimeInMinutes() << 8) | LFU_INIT_VAL;
    else o->lru = LRU_CLOCK();
    h->len = (uint8_t)len;
    h->alloc = OBJ_EMBSTR_SIZE_LIMIT;
    h->flags = BSTR_T8;
    memcpy(h->buf, p, len);
    h->buf[len] = '\0';
    objSetPtr(o, h->buf);
    return o;
}

static void releaseArgObject(obj *o) {
    struct bstrh8 *h = (struct bstrh8 *)(o + 1);
    if (o->refcount == 1 && o->encoding == OBJ_ENCODING_EMBSTR && !o->packed && argv_pool_len < ARGV_POOL_MAX &&
        objPtr(o) == h->buf && h->flags == BSTR_T8 && h->alloc == OBJ_EMBSTR_SIZE_LIMIT) {
        argv_pool[argv_pool_len++] = o;
        return;
    }
    decrRefCount(o);
}

static void freeClientArgvInternal(client *c, int free_argv) {
    for (int j = 0; j < c->argc; j++) releaseArgObject(c->argv[j]);
    c->argc = 0;
    c->cmd = NULL;
    c->argv_len_sum = 0;
    if (free_argv) {
        zfree(c->argv);
        c->argv = NULL;
        c->argv_len = 0;
    }
}
void freeClientArgv(client *c) { freeClientArgvInternal(c, 0); }

static void freeReplyList(client *c) {
    listIter li;
    listNode *ln;
    listRewind(c->reply, &li);
    while ((ln = listNext(&li))) zfree(ln->value);
    listEmpty(c->reply);
    c->reply_bytes = 0;
}

static void unlinkClient(client *c) {
    if (server.current_client == c) server.current_client = NULL;
    if (c->fd != -1) {
        if (c->client_list_node) {
            listDelNode(server.clients, c->client_list_node);
            c->client_list_node = NULL;
        }
        htDelete(server.clients_index, (void *)(uintptr_t)c->id);
        elDeleteFileEvent(server.el, c->fd, EL_READABLE | EL_WRITABLE);
        if (c->tls) tlsFreeClient(c);
        close(c->fd);
        c->fd = -1;
    }
    if (c->flags & CLIENT_PENDING_WRITE) {
        listDelNode(server.clients_pending_write, c->pending_write_node);
        c->flags &= ~CLIENT_PENDING_WRITE;
    }
    if (c->flags & CLIENT_UNBLOCKED) {
        listDelNode(server.unblocked_clients, c->unblocked_node);
        c->flags &= ~CLIENT_UNBLOCKED;
    }
}

void freeClient(client *c) {
    if (c->flags & CLIENT_PROTECTED) {
        freeClientAsync(c);
        return;
    }
    if (c->flags & CLIENT_BLOCKED) unblockClientOnFree(c);
    if (c->bstate.keys) htRelease(c->bstate.keys);   /* kept across blocks for reuse */
    unwatchAllKeys(c);
    listRelease(c->watched_keys);
    pubsubUnsubscribeAllForClient(c);
    if (c->flags & CLIENT_TRACKING) disableTracking(c);
    if (c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_MONITOR | CLIENT_REPL_RDB_CHANNEL) || c->repl_priv)
        replicationClientFreed(c);
    if (c->flags & CLIENT_MONITOR) {
        listNode *ln = listSearchKey(server.monitors, c);
        if (ln) listDelNode(server.monitors, ln);
    }
    unlinkClient(c);
    if (c->flags & CLIENT_CLOSE_ASAP) {
        listNode *ln = listSearchKey(server.clients_to_close, c);
        if (ln) listDelNode(server.clients_to_close, ln);
    }
    freeClientMultiState(c);
    bstrFree(c->querybuf);
    freeClientArgvInternal(c, 1);
    freeReplyList(c);
    listRelease(c->reply);
    zfree(c->buf);
    if (c->name) decrRefCount(c->name);
    if (c->lib_name) decrRefCount(c->lib_name);
    if (c->lib_ver) decrRefCount(c->lib_ver);
    bstrFree(c->peerid);
    bstrFree(c->sockname);
    bstrFree(c->user);
    bstrFree(c->replpreamble);
    zfree(c->replica_addr);
    zfree(c);
}

void freeClientAsync(client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    listAddNodeTail(server.clients_to_close, c);
}

static void freeClientsInAsyncFreeQueue(void) {
    listIter li;
    listNode *ln;
    listRewind(server.clients_to_close, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->flags & CLIENT_PROTECTED) continue;
        c->flags &= ~CLIENT_CLOSE_ASAP;
        listDelNode(server.clients_to_close, ln);
        freeClient(c);
    }
}

void protectClient(client *c) {
    c->flags |= CLIENT_PROTECTED;
    if (c->fd != -1) elDeleteFileEvent(server.el, c->fd, EL_READABLE);
}
void unprotectClient(client *c) {
    if (!(c->flags & CLIENT_PROTECTED)) return;
    c->flags &= ~CLIENT_PROTECTED;
    if (c->fd != -1) {
        elCreateFileEvent(server.el, c->fd, EL_READABLE, readQueryFromClient, c);
        if (clientHasPendingReplies(c)) clientInstallWriteHandlerIfNeeded(c);
    }
}

client *lookupClientByID(uint64_t id) { return htFetchValue(server.clients_index, (void *)(uintptr_t)id); }

/* ---------- writing ---------- */
int clientHasPendingReplies(client *c) {
    if (c->bufpos > c->sentlen) return 1;
    if (listLength(c->reply) == 0) return 0;
    listIter li;
    listNode *ln;
    listRewind(c->reply, &li);
    while ((ln = listNext(&li))) {
        replyBlock *b = ln->value;
        if (b && b->used) return 1;
    }
    return 0;
}

void clientInstallWriteHandlerIfNeeded(client *c) {
    if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_PROTECTED)) return;
    if (c->fd == -1) return;
    if ((c->flags & CLIENT_REPLICA) && c->replstate != 0 && !c->repl_start_cmd_stream_on_ack) {
        /* Replicas waiting for a snapshot get their stream only once online. */
    }
    c->flags |= CLIENT_PENDING_WRITE;
    listAddNodeTail(server.clients_pending_write, c);
    c->pending_write_node = listLast(server.clients_pending_write);
}

/* Returns -1 if the client was freed (connection error), 0 otherwise. */
int writeToClient(client *c, int handler_installed) {
    ssize_t totwritten = 0;
    while (clientHasPendingReplies(c)) {
        struct iovec iov[16];
        int iovcnt = 0;
        size_t iovbytes = 0;
        if (c->bufpos > c->sentlen) {
            iov[iovcnt].iov_base = c->buf + c->sentlen;
            iov[iovcnt].iov_len = c->bufpos - c->sentlen;
            iovbytes += iov[iovcnt].iov_len;
            iovcnt++;
        }
        listIter li;
        listNode *ln;
        listRewind(c->reply, &li);
        while ((ln = listNext(&li)) && iovcnt < 16 && iovbytes < NET_MAX_WRITES_PER_EVENT) {
            replyBlock *b = ln->value;
            if (!b) break;   /* deferred length not filled yet: keep order */
            if (b->used == 0) continue;
            size_t skip = (iovcnt == 0) ? (c->bufpos ? 0 : c->sentlen) : 0;
            if (skip >= b->used) continue;
            iov[iovcnt].iov_base = b->buf + skip;
            iov[iovcnt].iov_len = b->used - skip;
            iovbytes += iov[iovcnt].iov_len;
            iovcnt++;
        }
        if (iovcnt == 0) break;
        ssize_t n;
        if (c->conn_type == CONN_TYPE_TLS) n = tlsWritev(c, iov, iovcnt);
        else if (iovcnt == 1) n = write(c->fd, iov[0].iov_base, iov[0].iov_len);   /* the common single-buffer reply */
        else n = writev(c->fd, iov, iovcnt);
        if (n <= 0) {
            if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n == -1 && errno == EINTR) continue;
            freeClientAsync(c);
            return -1;
        }
        totwritten += n;
        /* Consume n bytes: static buffer first, then list blocks. */
        size_t left = (size_t)n;
        if (c->bufpos) {
            size_t inbuf = c->bufpos - c->sentlen;
            if (left >= inbuf) {
                left -= inbuf;
                c->bufpos = c->sentlen = 0;
            } else {
                c->sentlen += left;
                left = 0;
            }
        }
        while (left && listLength(c->reply)) {
            listNode *head = listFirst(c->reply);
            replyBlock *b = head->value;
            if (!b) {   /* unfilled deferred slot cannot be skipped: stop here */
                break;
            }
            size_t remaining = b->used - c->sentlen;
            if (left >= remaining) {
                left -= remaining;
                c->reply_bytes -= b->size;
                zfree(b);
                listDelNode(c->reply, head);
                c->sentlen = 0;
            } else {
                c->sentlen += left;
                left = 0;
            }
        }
        /* Drop leading blocks with nothing left to send. While the static
         * buffer still holds unsent bytes, sentlen counts within that buffer,
         * not within the head block: only an empty block may go then. */
        while (listLength(c->reply)) {
            listNode *head = listFirst(c->reply);
            replyBlock *b = head->value;
            size_t sent_in_head = c->bufpos ? 0 : c->sentlen;
            if (!b || b->used > sent_in_head) break;
            c->reply_bytes -= b->size;
            zfree(b);
            listDelNode(c->reply, head);
            if (!c->bufpos) c->sentlen = 0;
        }
        if (totwritten > NET_MAX_WRITES_PER_EVENT && !(c->flags & CLIENT_REPLICA)) break;
    }
    if (c->flags & CLIENT_PRIMARY) server.stat_net_repl_output_bytes += totwritten;
    else server.stat_net_output_bytes += totwritten;
    c->net_output_bytes += totwritten;
    if (totwritten > 0) server.stat_io_writes_processed++;
    if (totwritten > 0 && !(c->flags & CLIENT_PRIMARY)) c->lastinteraction = server.mstime;
    if (!clientHasPendingReplies(c)) {
        c->sentlen = 0;
        if (handler_installed) elDeleteFileEvent(server.el, c->fd, EL_WRITABLE);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
            freeClientAsync(c);
            return -1;
        }
    }
    return 0;
}

static void sendReplyToClient(eventLoop *el, int fd, void *privdata, int mask) {
    writeToClient(privdata, 1);
}

int handleClientsWithPendingWrites(void) {
    int processed = 0;
    listIter li;
    listNode *ln;
    listRewind(server.clients_pending_write, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        c->flags &= ~CLIENT_PENDING_WRITE;
        listDelNode(server.clients_pending_write, ln);
        c->pending_write_node = NULL;
        if (c->flags & (CLIENT_PROTECTED | CLIENT_CLOSE_ASAP)) continue;
        if (c->fd == -1) continue;
        if (writeToClient(c, 0) == -1) continue;
        processed++;
        if (clientHasPendingReplies(c)) {
            if (!(elGetFileEvents(server.el, c->fd) & EL_WRITABLE))
                elCreateFileEvent(server.el, c->fd, EL_WRITABLE, sendReplyToClient, c);
        }
    }
    freeClientsInAsyncFreeQueue();
    return processed;
}

/* ---------- output buffer limits ---------- */
size_t getClientOutputBufferMemoryUsage(client *c) { return c->reply_bytes; }

int getClientType(client *c) {
    if (c->flags & CLIENT_PRIMARY) return CLIENT_TYPE_PRIMARY;
    if ((c->flags & CLIENT_REPLICA) && !(c->flags & CLIENT_MONITOR)) return CLIENT_TYPE_REPLICA;
    if (c->flags & CLIENT_PUBSUB) return CLIENT_TYPE_PUBSUB;
    return CLIENT_TYPE_NORMAL;
}

const char *getClientTypeName(int type) {
    switch (type) {
    case CLIENT_TYPE_NORMAL: return "normal";
    case CLIENT_TYPE_REPLICA: return "slave";
    case CLIENT_TYPE_PUBSUB: return "pubsub";
    case CLIENT_TYPE_PRIMARY: return "master";
    default: return NULL;
    }
}

int checkClientOutputBufferLimits(client *c) {
    int cls = getClientType(c);
    if (cls == CLIENT_TYPE_PRIMARY) cls = CLIENT_TYPE_NORMAL;
    unsigned long used = getClientOutputBufferMemoryUsage(c);
    clientBufferLimitsConfig *lim = &server.client_obuf_limits[cls];
    int soft = 0, hard = 0;
    if (lim->hard_limit_bytes && used >= lim->hard_limit_bytes) hard = 1;
    if (lim->soft_limit_bytes && used >= lim->soft_limit_bytes) soft = 1;
    if (soft) {
        if (c->obuf_soft_limit_reached_time == 0) {
            c->obuf_soft_limit_reached_time = server.unixtime;
            soft = 0;
        } else if (server.unixtime - c->obuf_soft_limit_reached_time <= lim->soft_limit_seconds) {
            soft = 0;
        }
    } else {
        c->obuf_soft_limit_reached_time = 0;
    }
    return soft || hard;
}

void closeClientOnOutputBufferLimitReached(client *c, int async) {
    if (c->fd == -1 || c->reply_bytes == 0 || (c->flags & CLIENT_CLOSE_ASAP)) return;
    if (checkClientOutputBufferLimits(c)) {
        bstr info = catClientInfoString(bstrEmpty(), c);
        serverLog(LL_WARNING, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info);
        bstrFree(info);
        server.stat_client_outbuf_limit_disconnections++;
        freeClientAsync(c);
    }
}

/* ---------- reading and parsing ---------- */
/* ASKING and CLIENT CACHING cover the next command (or transaction) only. */
static void clearOneCommandFlags(client *c) {
    if (c->flags & CLIENT_TRACKING_CACHING) trackingResetCachingFlag(c);
    if (!(c->flags & CLIENT_MULTI)) c->flags &= ~CLIENT_ASKING;
}

void resetClient(client *c) {
    if (c->flags & (CLIENT_ASKING | CLIENT_TRACKING_CACHING)) clearOneCommandFlags(c);
    freeClientArgv(c);
    c->reqtype = 0;
    c->multibulklen = 0;
    c->bulklen = -1;
    if (c->flags & CLIENT_REPLY_SKIP) {
        c->flags &= ~CLIENT_REPLY_SKIP;
    }
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags |= CLIENT_REPLY_SKIP;
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
    }
}

static void setProtocolError(client *c, const char *errstr) {
    if (server.verbosity <= LL_VERBOSE) {
        bstr info = catClientInfoString(bstrEmpty(), c);
        serverLog(LL_VERBOSE, "Protocol error (%s) from client: %s", errstr, info);
        bstrFree(info);
    }
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* Drop consumed query bytes. For our primary only what was already applied and
 * forwarded goes (an open MULTI's bytes must stay until EXEC). */
static void trimQueryBuffer(client *c) {
    size_t cut = (c->flags & CLIENT_PRIMARY) ? (size_t)c->repl_applied : c->qb_pos;
    if (!cut) return;
    bstrRange(c->querybuf, (ssize_t)cut, -1);
    c->qb_pos -= cut;
    if (c->flags & CLIENT_PRIMARY) c->repl_applied = 0;
}

static void ensureArgv(client *c, int n) {
    if (n > c->argv_len) {
        zfree(c->argv);
        c->argv_len = n < 1024 ? n : 1024;
        if (c->argv_len < n) c->argv_len = n;
        c->argv = zmalloc(sizeof(obj *) * (size_t)c->argv_len);
    }
}

/* An inline line without quotes, NULs or rare blanks splits on plain
 * separators exactly as bstrSplitArgs would: do it in place, no copies. */
static int inlineIsPlain(const char *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '"' || ch == '\'' || ch == '\0' || ch == '\v' || ch == '\f') return 0;
    }
    return 1;
}

static inline int inlineSeparator(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

static void splitPlainInline(client *c, const char *p, size_t len) {
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (!inlineSeparator(p[i]) && (i == 0 || inlineSeparator(p[i - 1]))) n++;
    ensureArgv(c, n);
    c->argc = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && inlineSeparator(p[i])) i++;
        if (i == len) break;
        size_t b = i;
        while (i < len && !inlineSeparator(p[i])) i++;
        c->argv[c->argc++] = createArgObject(p + b, i - b);
        c->argv_len_sum += i - b;
    }
}

/* Returns 1 when a full command is in argv, 0 when more data is needed, -1 on error. */
static int processInlineBuffer(client *c) {
    char *start = c->querybuf + c->qb_pos;
    size_t avail = bstrLen(c->querybuf) - c->qb_pos;
    char *newline = memchr(start, '\n', avail);
    if (!newline) {
        if (avail > PROTO_INLINE_MAX_SIZE) {
            addReplyError(c, "ERR Protocol error: too big inline request");
            setProtocolError(c, "too big inline request");
            return -1;
        }
        return 0;
    }
    size_t linelen = (size_t)(newline - start);
    int linefeed_chars = 1;
    if (newline != start && newline[-1] == '\r') { linelen--; linefeed_chars = 2; }
    if (inlineIsPlain(start, linelen)) {
        splitPlainInline(c, start, linelen);
        if (c->argc == 0 && (c->flags & CLIENT_REPLICA)) c->repl_ack_time = server.unixtime;
        c->qb_pos += linelen + (size_t)linefeed_chars;
        return 1;
    }
    bstr line = bstrNewLen(start, linelen);
    int argc;
    bstr *argv = bstrSplitArgs(line, &argc);
    bstrFree(line);
    if (!argv) {
        addReplyError(c, "ERR Protocol error: unbalanced quotes in request");
        setProtocolError(c, "unbalanced quotes in inline request");
        return -1;
    }
    /* An empty line from a replica is a keep-alive: refresh the ack time. */
    if (argc == 0 && (c->flags & CLIENT_REPLICA)) c->repl_ack_time = server.unixtime;
    c->qb_pos += linelen + (size_t)linefeed_chars;
    ensureArgv(c, argc);
    c->argc = 0;
    for (int j = 0; j < argc; j++) {
        c->argv[c->argc++] = createObject(OBJ_STRING, argv[j]);
        c->argv_len_sum += bstrLen(argv[j]);
    }
    zfree(argv);
    /* Inline commands from our primary count in the replication offset. */
    return 1;
}

/* The common well-formed length line "<digits>\r\n" after the type byte, in
 * one pass. Returns the '\r' (with the '\n' slot present in the buffer), or
 * NULL for anything else: the generic path then waits or rejects. */
static inline char *parsePlainLength(char *p, char *end, long long *out) {
    if (p < end && *p == '0') {
        if (p + 2 < end && p[1] == '\r') {
            *out = 0;
            return p + 1;
        }
        return NULL;
    }
    long long v = 0;
    char *q = p;
    while (q < end && *q >= '0' && *q <= '9' && q - p < 18) {
        v = v * 10 + (*q - '0');
        q++;
    }
    if (q == p || q + 1 >= end || *q != '\r') return NULL;
    *out = v;
    return q;
}

static int processMultibulkBuffer(client *c) {
    char *newline;
    long long ll;
    if (c->multibulklen == 0) {
        int ok = 1;
        newline = parsePlainLength(c->querybuf + c->qb_pos + 1, c->querybuf + bstrLen(c->querybuf), &ll);
        if (!newline) {
            newline = memchr(c->querybuf + c->qb_pos, '\r', bstrLen(c->querybuf) - c->qb_pos);
            if (!newline) {
                if (bstrLen(c->querybuf) - c->qb_pos > PROTO_INLINE_MAX_SIZE) {
                    addReplyError(c, "ERR Protocol error: too big mbulk count string");
                    setProtocolError(c, "too big mbulk count string");
                    return -1;
                }
                return 0;
            }
            if (newline - (c->querybuf + c->qb_pos) > (ssize_t)(bstrLen(c->querybuf) - c->qb_pos - 2)) return 0;
            char *p = c->querybuf + c->qb_pos + 1;
            ok = string2ll(p, (size_t)(newline - p), &ll);
        }
        if (!ok || ll > INT_MAX || (ll > 10 && aclAuthRequired(c))) {
            addReplyError(c, "ERR Protocol error: invalid multibulk length");
            setProtocolError(c, "invalid mbulk count");
            return -1;
        }
        c->qb_pos = (size_t)(newline - c->querybuf) + 2;
        if (ll <= 0) return 1;
        c->multibulklen = (int)ll;
        freeClientArgv(c);
        ensureArgv(c, c->multibulklen < 1024 ? c->multibulklen : 1024);
        if (c->argv_len < c->multibulklen && c->multibulklen <= 1024) ensureArgv(c, c->multibulklen);
    }
    while (c->multibulklen) {
        if (c->bulklen == -1) {
            int ok = 1;
            newline = NULL;
            if (c->querybuf[c->qb_pos] == '$')
                newline = parsePlainLength(c->querybuf + c->qb_pos + 1, c->querybuf + bstrLen(c->querybuf), &ll);
            if (!newline) {
                newline = memchr(c->querybuf + c->qb_pos, '\r', bstrLen(c->querybuf) - c->qb_pos);
                if (!newline) {
                    if (bstrLen(c->querybuf) - c->qb_pos > PROTO_INLINE_MAX_SIZE) {
                        addReplyError(c, "ERR Protocol error: too big bulk count string");
                        setProtocolError(c, "too big bulk count string");
                        return -1;
                    }
                    break;
                }
                if (newline - (c->querybuf + c->qb_pos) > (ssize_t)(bstrLen(c->querybuf) - c->qb_pos - 2)) break;
                if (c->querybuf[c->qb_pos] != '$') {
                    addReplyErrorFormat(c, "ERR Protocol error: expected '$', got '%c'", c->querybuf[c->qb_pos]);
                    setProtocolError(c, "expected $ but got something else");
                    return -1;
                }
                char *p = c->querybuf + c->qb_pos + 1;
                ok = string2ll(p, (size_t)(newline - p), &ll);
            }
            if (!ok || ll < 0 || (!(c->flags & CLIENT_PRIMARY) && ll > server.proto_max_bulk_len) ||
                (ll > 16384 && aclAuthRequired(c))) {
                addReplyError(c, "ERR Protocol error: invalid bulk length");
                setProtocolError(c, "invalid bulk length");
                return -1;
            }
            c->qb_pos = (size_t)(newline - c->querybuf) + 2;
            c->bulklen = (long)ll;
            /* Big arguments: make room so the payload lands in one allocation. */
            if (ll >= PROTO_MBULK_BIG_ARG) {
                size_t need = (size_t)ll + 2;
                if (bstrLen(c->querybuf) - c->qb_pos < need) {
                    trimQueryBuffer(c);
                    c->querybuf = bstrMakeRoomExact(c->querybuf, need - bstrLen(c->querybuf));
                }
            }
        }
        if (bstrLen(c->querybuf) - c->qb_pos < (size_t)(c->bulklen + 2)) break;
        if (c->argc >= c->argv_len) {
            c->argv_len = c->argv_len * 2 < c->multibulklen + c->argc ? c->argv_len * 2 : c->multibulklen + c->argc;
            if (c->argv_len <= c->argc) c->argv_len = c->argc + 1;
            c->argv = zrealloc(c->argv, sizeof(obj *) * (size_t)c->argv_len);
        }
        c->argv[c->argc++] = createArgObject(c->querybuf + c->qb_pos, (size_t)c->bulklen);
        c->argv_len_sum += (size_t)c->bulklen;
        c->qb_pos += (size_t)c->bulklen + 2;
        c->bulklen = -1;
        c->multibulklen--;
    }
    return c->multibulklen == 0 ? 1 : 0;
}

/* A primary's stream is forwarded verbatim to our own replicas once applied;
 * bytes of an open MULTI are held until its EXEC (offsets never split one). */
void commandProcessed(client *c) {
    if (c->flags & CLIENT_BLOCKED) return;
    long long prev_offset = c->reploff;
    if (c->flags & CLIENT_PRIMARY && !(c->flags & CLIENT_MULTI)) {
        c->reploff = c->read_reploff - (long long)(bstrLen(c->querybuf) - c->qb_pos);
    }
    resetClient(c);
    if (c->flags & CLIENT_PRIMARY) {
        long long applied = c->reploff - prev_offset;
        if (applied > 0) {
            replicationProxyPrimaryStream(c, c->querybuf + c->repl_applied, applied);
            c->repl_applied += applied;
        }
    }
}

void processInputBuffer(client *c) {
    while (c->qb_pos < bstrLen(c->querybuf)) {
        if (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) break;
        if (c->flags & CLIENT_PROTECTED) break;
        if (!c->reqtype) c->reqtype = c->querybuf[c->qb_pos] == '*' ? PROTO_REQ_MULTIBULK : PROTO_REQ_INLINE;
        int r = c->reqtype == PROTO_REQ_INLINE ? processInlineBuffer(c) : processMultibulkBuffer(c);
        if (r <= 0) break;
        if (c->argc == 0) {
            resetClient(c);
            /* Keep-alive newlines from a primary still advance the offset. */
            if (c->flags & CLIENT_PRIMARY) commandProcessed(c);
            continue;
        }
        server.current_client = c;
        if (processCommand(c) && !(c->flags & CLIENT_BLOCKED)) commandProcessed(c);
        if (server.current_client == NULL) return;   /* freed during the command */
        server.current_client = NULL;
    }
    trimQueryBuffer(c);
}

void readQueryFromClient(eventLoop *el, int fd, void *privdata, int mask) {
    client *c = privdata;
    size_t readlen = PROTO_IOBUF_LEN;
    if (c->reqtype == PROTO_REQ_MULTIBULK && c->multibulklen && c->bulklen != -1 && c->bulklen >= PROTO_MBULK_BIG_ARG) {
        ssize_t remaining = (ssize_t)(c->bulklen + 2) - (ssize_t)(bstrLen(c->querybuf) - c->qb_pos);
        if (remaining > 0) readlen = (size_t)remaining;
    }
    c->querybuf = bstrMakeRoom(c->querybuf, readlen);
    size_t qblen = bstrLen(c->querybuf);
    if (bstrAvail(c->querybuf) > readlen && readlen == PROTO_IOBUF_LEN) readlen = bstrAvail(c->querybuf);
    ssize_t nread = c->conn_type == CONN_TYPE_TLS ? tlsRead(c, c->querybuf + qblen, readlen)
                                                  : read(fd, c->querybuf + qblen, readlen);
    if (nread == -1) {
        if (errno == EAGAIN || errno == EINTR) return;
        serverLog(LL_VERBOSE, "Reading from client: %s", strerror(errno));
        freeClient(c);
        return;
    }
    if (nread == 0) {
        if (server.verbosity <= LL_VERBOSE) {
            bstr info = catClientInfoString(bstrEmpty(), c);
            serverLog(LL_VERBOSE, "Client closed connection %s", info);
            bstrFree(info);
        }
        freeClient(c);
        return;
    }
    bstrIncrLen(c->querybuf, nread);
    server.stat_io_reads_processed++;
    c->lastinteraction = server.mstime;
    c->net_input_bytes += (unsigned long long)nread;
    if (c->flags & CLIENT_PRIMARY) {
        c->read_reploff += nread;
        server.stat_net_repl_input_bytes += nread;
    } else {
        server.stat_net_input_bytes += nread;
    }
    if (bstrLen(c->querybuf) > c->querybuf_peak) c->querybuf_peak = bstrLen(c->querybuf);
    if (!(c->flags & CLIENT_PRIMARY) && server.client_max_querybuf_len &&
        bstrLen(c->querybuf) - c->qb_pos > server.client_max_querybuf_len) {
        bstr info = catClientInfoString(bstrEmpty(), c);
        serverLog(LL_WARNING, "Closing client that reached max query buffer length: %s", info);
        bstrFree(info);
        server.stat_client_qbuf_limit_disconnections++;
        freeClientAsync(c);
        return;
    }
    processInputBuffer(c);
}

/* ---------- command vector rewriting (for propagation of effects) ---------- */
void replaceClientCommandVector(client *c, int argc, obj **argv) {
    freeClientArgvInternal(c, 1);
    c->argv = argv;
    c->argc = argc;
    c->argv_len = argc;
    c->argv_len_sum = 0;
    for (int j = 0; j < argc; j++) c->argv_len_sum += sdsEncodedObject(argv[j]) ? bstrLen(objPtr(argv[j])) : 20;
    c->cmd = lookupCommand(argv, argc);
}

void rewriteClientCommandVector(client *c, int argc, ...) {
    va_list ap;
    obj **argv = zmalloc(sizeof(obj *) * (size_t)argc);
    va_start(ap, argc);
    for (int j = 0; j < argc; j++) {
        argv[j] = va_arg(ap, obj *);
        incrRefCount(argv[j]);
    }
    va_end(ap);
    serverCommand *cmd = c->cmd;
    replaceClientCommandVector(c, argc, argv);
    if (!c->cmd) c->cmd = cmd;
}

void rewriteClientCommandArgument(client *c, int i, obj *newval) {
    if (i >= c->argc) {
        if (i >= c->argv_len) {
            c->argv = zrealloc(c->argv, sizeof(obj *) * (size_t)(i + 1));
            c->argv_len = i + 1;
        }
        for (int j = c->argc; j <= i; j++) c->argv[j] = NULL;
        c->argc = i + 1;
    }
    obj *old = c->argv[i];
    c->argv[i] = newval;
    incrRefCount(newval);
    if (old) decrRefCount(old);
    if (i == 0) c->cmd = lookupCommand(c->argv, c->argc);
}

/* ---------- client info ---------- */
static bstr genClientAddr(client *c, int peer) {
    if (c->flags & CLIENT_UNIX_SOCKET) return bstrCatPrintf(bstrEmpty(), "%s:0", peer ? (server.unixsocket ? server.unixsocket : "") : (server.unixsocket ? server.unixsocket : ""));
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    int r = peer ? getpeername(c->fd, (struct sockaddr *)&sa, &salen) : getsockname(c->fd, (struct sockaddr *)&sa, &salen);
    if (c->fd == -1 || r == -1) return bstrNew("?:0");
    char ip[INET6_ADDRSTRLEN];
    int port;
    if (sa.ss_family == AF_INET) {
        struct sockaddr_in *s = (struct sockaddr_in *)&sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
        return bstrCatPrintf(bstrEmpty(), "%s:%d", ip, port);
    } else if (sa.ss_family == AF_INET6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
        return bstrCatPrintf(bstrEmpty(), "%s:%d", ip, port);
    }
    return bstrCatPrintf(bstrEmpty(), "%s:0", server.unixsocket ? server.unixsocket : "");
}

const char *getClientPeerId(client *c) {
    if (!c->peerid) c->peerid = genClientAddr(c, 1);
    return c->peerid;
}
const char *getClientSockname(client *c) {
    if (!c->sockname) c->sockname = genClientAddr(c, 0);
    return c->sockname;
}

bstr catClientInfoString(bstr s, client *c) {
    char flags[16], *p = flags;
    if (c->flags & CLIENT_REPLICA) *p++ = (c->flags & CLIENT_MONITOR) ? 'O' : 'S';
    if (c->flags & CLIENT_PRIMARY) *p++ = 'M';
    if (c->flags & CLIENT_PUBSUB) *p++ = 'P';
    if (c->flags & CLIENT_MULTI) *p++ = 'x';
    if (c->flags & CLIENT_BLOCKED) *p++ = 'b';
    if (c->flags & CLIENT_TRACKING) *p++ = 't';
    if (c->flags & CLIENT_TRACKING_BROKEN_REDIR) *p++ = 'R';
    if (c->flags & CLIENT_TRACKING_BCAST) *p++ = 'B';
    if (c->flags & CLIENT_DIRTY_CAS) *p++ = 'd';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if (c->flags & CLIENT_UNBLOCKED) *p++ = 'u';
    if (c->flags & CLIENT_CLOSE_ASAP) *p++ = 'A';
    if (c->flags & CLIENT_UNIX_SOCKET) *p++ = 'U';
    if (c->flags & CLIENT_READONLY) *p++ = 'r';
    if (c->flags & CLIENT_NO_EVICT) *p++ = 'e';
    if (c->flags & CLIENT_NO_TOUCH) *p++ = 'T';
    if (p == flags) *p++ = 'N';
    *p = '\0';
    char events[3], *e = events;
    if (c->fd != -1) {
        int m = elGetFileEvents(server.el, c->fd);
        if (m & EL_READABLE) *e++ = 'r';
        if (m & EL_WRITABLE) *e++ = 'w';
    }
    *e = '\0';
    size_t obl = c->bufpos;
    size_t tot = obl + c->reply_bytes + zmalloc_size(c->buf) + bstrAllocSize(c->querybuf) + zmalloc_size(c->argv) + sizeof(client);
    return bstrCatPrintf(s,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d "
        "watch=%lu qbuf=%zu qbuf-free=%zu argv-mem=%zu multi-mem=0 rbs=%zu rbp=%zu obl=%zu oll=%lu omem=%llu "
        "tot-mem=%zu events=%s cmd=%s user=%s redir=%lld resp=%d lib-name=%s lib-ver=%s tot-net-in=%llu "
        "tot-net-out=%llu tot-cmds=%lld",
        (unsigned long long)c->id, getClientPeerId(c), getClientSockname(c), c->fd,
        c->name ? (char *)objPtr(c->name) : "", (long long)(server.unixtime - c->ctime),
        (long long)((server.mstime - c->lastinteraction) / 1000), flags, c->db->id,
        c->pubsub_channels ? (int)htSize(c->pubsub_channels) : 0,
        c->pubsub_patterns ? (int)htSize(c->pubsub_patterns) : 0, pubsubClientShardCount(c),
        (c->flags & CLIENT_MULTI) ? c->mstate.count : -1, listLength(c->watched_keys),
        bstrLen(c->querybuf), bstrAvail(c->querybuf), c->argv_len_sum, c->buf_usable_size, c->bufpos, obl,
        listLength(c->reply), c->reply_bytes, tot, events,
        c->lastcmd ? c->lastcmd->fullname : "NULL", c->user ? c->user : "default",
        (c->flags & CLIENT_TRACKING) ? (long long)c->tracking_redirect : -1LL, c->resp,
        c->lib_name ? (char *)objPtr(c->lib_name) : "", c->lib_ver ? (char *)objPtr(c->lib_ver) : "",
        c->net_input_bytes, c->net_output_bytes, c->commands_processed);
}

/* ---------- listeners ---------- */
#define MAX_ACCEPTS_PER_CALL 1000

/* Returns the new client, or NULL when it was refused (fd already closed). */
static client *acceptCommonHandler(int fd, int flags, const char *ip, int tls) {
    if (listLength(server.clients) + 32 >= server.maxclients + 32 && listLength(server.clients) >= server.maxclients) {
        const char *err = "-ERR max number of clients reached\r\n";
        /* On a TLS port plaintext would only garble the handshake: just close. */
        if (!tls && write(fd, err, strlen(err)) == -1) { /* best effort */ }
        server.stat_rejected_conn++;
        close(fd);
        return NULL;
    }
    client *c = createClient(fd);
    if (!c) {
        serverLog(LL_WARNING, "Error registering fd event for the new client: %s (fd=%d)", strerror(errno), fd);
        close(fd);
        return NULL;
    }
    if (tls && tlsSetupClient(c) == -1) {
        freeClient(c);
        return NULL;
    }
    c->flags |= (uint64_t)flags;
    if (flags & CLIENT_UNIX_SOCKET) c->conn_type = 1;
    server.stat_numconnections++;
    /* Protected mode: no password, default bind: refuse non-loopback. */
    if (server.protected_mode && !server.requirepass && ip && !(flags & CLIENT_UNIX_SOCKET) && server.bindaddr_count == 0) {
        if (strcmp(ip, "127.0.0.1") && strcmp(ip, "::1")) {
            const char *err = "-DENIED Running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface.\r\n";
            if (!tls && write(fd, err, strlen(err)) == -1) { /* best effort */ }
            server.stat_rejected_conn++;
            freeClient(c);
            return NULL;
        }
    }
    return c;
}

static void acceptTcpConnections(int fd, int tls) {
    for (int n = 0; n < MAX_ACCEPTS_PER_CALL; n++) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof(sa);
        int cfd = accept4(fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                serverLog(LL_WARNING, "Accepting client connection: %s", strerror(errno));
            return;
        }
        char ip[INET6_ADDRSTRLEN] = "";
        if (sa.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, ip, sizeof(ip));
        else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, ip, sizeof(ip));
        anetTuneTcp(cfd);
        serverLog(LL_VERBOSE, "Accepted %s", ip);
        acceptCommonHandler(cfd, 0, ip, tls);
    }
}

static void acceptTcpHandler(eventLoop *el, int fd, void *privdata, int mask) { acceptTcpConnections(fd, 0); }
static void acceptTlsHandler(eventLoop *el, int fd, void *privdata, int mask) { acceptTcpConnections(fd, 1); }

static void acceptUnixHandler(eventLoop *el, int fd, void *privdata, int mask) {
    for (int n = 0; n < MAX_ACCEPTS_PER_CALL; n++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd == -1) return;
        serverLog(LL_VERBOSE, "Accepted connection to %s", server.unixsocket);
        acceptCommonHandler(cfd, CLIENT_UNIX_SOCKET, NULL, 0);
    }
}

static int listenOn(const char *addr, int port) {
    struct addrinfo hints = {0}, *res, *p;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    hints.ai_family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rv = getaddrinfo(addr, portstr, &hints, &res);
    if (rv != 0) {
        serverLog(LL_WARNING, "Could not create server TCP listening socket %s:%d: %s", addr, port, gai_strerror(rv));
        return -1;
    }
    int fd = -1;
    for (p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd == -1) continue;
        int yes = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        if (p->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
        if (bind(fd, p->ai_addr, p->ai_addrlen) == -1 || listen(fd, server.tcp_backlog) == -1) {
            serverLog(LL_WARNING, "Warning: Could not create server TCP listening socket %s:%d: %s", addr, port, strerror(errno));
            close(fd);
            fd = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(res);
    if (fd != -1) anetNonBlock(fd);
    return fd;
}

static void closeFds(int *fds, int *count) {
    for (int j = 0; j < *count; j++) {
        elDeleteFileEvent(server.el, fds[j], EL_READABLE);
        close(fds[j]);
    }
    *count = 0;
}

static void closeListeners(void) {
    closeFds(server.ipfd, &server.ipfd_count);
    closeFds(server.tlsfd, &server.tlsfd_count);
}

/* Binds port on every bind address into fds (the plain and the TLS port share this). */
static int listenOnBindAddrs(int port, int *fds, int *fd_count, elFileProc *accept_proc) {
    const char *defaults[2] = {"*", "-::*"};
    int count = server.bindaddr_count ? server.bindaddr_count : 2;
    char **addrs = server.bindaddr_count ? server.bindaddr : (char **)defaults;
    *fd_count = 0;
    if (port == 0) return 0;
    for (int j = 0; j < count; j++) {
        const char *a = addrs[j];
        int optional = a[0] == '-';
        if (optional) a++;
        const char *bindto = a;
        if (!strcmp(a, "*")) bindto = "0.0.0.0";
        else if (!strcmp(a, "::*")) bindto = "::";
        int fd = listenOn(bindto, port);
        if (fd == -1) {
            if (optional) continue;
            closeFds(fds, fd_count);
            return -1;
        }
        fds[(*fd_count)++] = fd;
    }
    if (*fd_count == 0) return -1;
    for (int j = 0; j < *fd_count; j++) {
        if (elCreateFileEvent(server.el, fds[j], EL_READABLE, accept_proc, NULL) == EL_ERR) return -1;
    }
    return 0;
}

int listenToPort(void) { return listenOnBindAddrs(server.port, server.ipfd, &server.ipfd_count, acceptTcpHandler); }

int listenToTlsPort(void) {
    return listenOnBindAddrs(server.tls_port, server.tlsfd, &server.tlsfd_count, acceptTlsHandler);
}

/* CONFIG SET tls-port: the old listeners close only once the new ones are up. */
int changeTlsListenPort(int port) {
    int oldfds[CONFIG_BINDADDR_MAX], oldcount = server.tlsfd_count;
    memcpy(oldfds, server.tlsfd, sizeof(oldfds));
    if (listenOnBindAddrs(port, server.tlsfd, &server.tlsfd_count, acceptTlsHandler) == -1) {
        server.tlsfd_count = oldcount;
        memcpy(server.tlsfd, oldfds, sizeof(oldfds));
        return -1;
    }
    closeFds(oldfds, &oldcount);
    return 0;
}

int changeListenPort(int port) {
    int old = server.port;
    int oldfds[CONFIG_BINDADDR_MAX], oldcount = server.ipfd_count;
    memcpy(oldfds, server.ipfd, sizeof(oldfds));
    server.port = port;
    server.ipfd_count = 0;
    if (listenToPort() == -1) {
        server.port = old;
        server.ipfd_count = oldcount;
        memcpy(server.ipfd, oldfds, sizeof(oldfds));
        return -1;
    }
    for (int j = 0; j < oldcount; j++) {
        elDeleteFileEvent(server.el, oldfds[j], EL_READABLE);
        close(oldfds[j]);
    }
    return 0;
}

int listenToUnixSocket(void) {
    if (!server.unixsocket) return 0;
    unlink(server.unixsocket);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) return -1;
    struct sockaddr_un sa = {0};
    sa.sun_family = AF_UNIX;
    strncpy(sa.sun_path, server.unixsocket, sizeof(sa.sun_path) - 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || listen(fd, server.tcp_backlog) == -1) {
        serverLog(LL_WARNING, "Failed opening Unix socket: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (server.unixsocketperm) chmod(server.unixsocket, server.unixsocketperm);
    anetNonBlock(fd);
    server.sofd = fd;
    elCreateFileEvent(server.el, fd, EL_READABLE, acceptUnixHandler, NULL);
    return 0;
}

void closeListeningSockets(int unlink_unix_socket) {
    closeListeners();
    if (server.sofd != -1) close(server.sofd);
    if (unlink_unix_socket && server.unixsocket) unlink(server.unixsocket);
}

/* Idle timeouts and output-buffer soft limits, a slice of the clients per call. */
void clientsCron(void) {
    int numclients = (int)listLength(server.clients);
    int iterations = numclients / server.hz;
    if (iterations < 5) iterations = numclients < 5 ? numclients : 5;
    while (listLength(server.clients) && iterations--) {
        listRotateHeadToTail(server.clients);
        client *c = listNodeValue(listLast(server.clients));
        c->client_list_node = listLast(server.clients);
        if (server.maxidletime && !(c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_BLOCKED | CLIENT_PUBSUB)) &&
            (server.mstime - c->lastinteraction) / 1000 > server.maxidletime) {
            serverLog(LL_VERBOSE, "Closing idle client");
            freeClient(c);
            continue;
        }
        if (c->querybuf_peak < bstrLen(c->querybuf)) c->querybuf_peak = bstrLen(c->querybuf);
        /* Give back query buffer memory of idle clients. */
        if (bstrLen(c->querybuf) == 0 && bstrAlloc(c->querybuf) > 1024 * 32) {
            bstrFree(c->querybuf);
            c->querybuf = bstrEmpty();
        }
        c->querybuf_peak = bstrLen(c->querybuf);
        closeClientOnOutputBufferLimitReached(c, 1);
    }
}

void disconnectReplicas(void) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) freeClientAsync(ln->value);
}
