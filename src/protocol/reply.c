/* reply: builds RESP2/RESP3 replies into the client's output buffers. The
 * first bytes go into the client's fixed buffer; the rest into a list of
 * blocks. Nothing here writes to a socket: networking.c flushes. */
#include "server/server.h"
#include <math.h>
#include <stdio.h>
#include <string.h>


void clientInstallWriteHandlerIfNeeded(client *c);

/* Whether replies for this client are produced at all. */
static int replyAllowed(client *c) {
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_CLOSE_ASAP)) {
        /* Pushes (invalidations) are not replies: CLIENT REPLY OFF keeps them. */
        if ((c->flags & CLIENT_CLOSE_ASAP) || !(c->flags & CLIENT_PUSHING)) return 0;
    }
    if ((c->flags & CLIENT_PRIMARY) && !(c->flags & CLIENT_PRIMARY_FORCE_REPLY)) return 0;
    if (c->flags & CLIENT_REPL_RDB_CHANNEL) return 1;
    if (c->fd == -1 && !(c->flags & (CLIENT_SCRIPT | CLIENT_FAKE))) return 0;
    if (c->fd != -1) clientInstallWriteHandlerIfNeeded(c);
    return 1;
}

static size_t addToStaticBuffer(client *c, const char *s, size_t len) {
    if (listLength(c->reply) > 0) return 0;
    size_t avail = c->buf_usable_size - c->bufpos;
    size_t n = len < avail ? len : avail;
    memcpy(c->buf + c->bufpos, s, n);
    c->bufpos += n;
    return n;
}

static void addToReplyList(client *c, const char *s, size_t len) {
    listNode *ln = listLast(c->reply);
    replyBlock *tail = ln ? listNodeValue(ln) : NULL;
    if (tail) {
        size_t avail = tail->size - tail->used;
        size_t n = len < avail ? len : avail;
        memcpy(tail->buf + tail->used, s, n);
        tail->used += n;
        s += n;
        len -= n;
    }
    if (len) {
        size_t size = len < PROTO_REPLY_CHUNK_BYTES ? PROTO_REPLY_CHUNK_BYTES : len;
        tail = zmalloc(size + sizeof(replyBlock));
        tail->size = zmalloc_size(tail) - sizeof(replyBlock);
        tail->used = len;
        memcpy(tail->buf, s, len);
        listAddNodeTail(c->reply, tail);
        c->reply_bytes += tail->size;
        closeClientOnOutputBufferLimitReached(c, 1);
    }
}

static void appendReply(client *c, const char *s, size_t len) {
    if (!replyAllowed(c)) return;
    size_t n = addToStaticBuffer(c, s, len);
    if (n < len) addToReplyList(c, s + n, len - n);
}

void addReplyProto(client *c, const char *s, size_t len) { appendReply(c, s, len); }

void addReplyBstr(client *c, bstr s) {
    appendReply(c, s, bstrLen(s));
    bstrFree(s);
}

void addReply(client *c, obj *o) {
    if (sdsEncodedObject(o)) {
        appendReply(c, objPtr(o), bstrLen(objPtr(o)));
    } else if (o->encoding == OBJ_ENCODING_INT) {
        char buf[32];
        int len = ll2string(buf, sizeof(buf), (long)objPtr(o));
        appendReply(c, buf, (size_t)len);
    } else {
        serverPanic("Wrong obj->encoding in addReply()");
    }
}

void addReplyStatusLength(client *c, const char *s, size_t len) {
    appendReply(c, "+", 1);
    appendReply(c, s, len);
    appendReply(c, "\r\n", 2);
}
void addReplyStatus(client *c, const char *status) { addReplyStatusLength(c, status, strlen(status)); }

void addReplyStatusFormat(client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bstr s = bstrCatVPrintf(bstrEmpty(), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < bstrLen(s); i++) if (s[i] == '\r' || s[i] == '\n') s[i] = ' ';
    addReplyStatusLength(c, s, bstrLen(s));
    bstrFree(s);
}

void afterErrorReply(client *c, const char *s, size_t len);

void addReplyErrorLength(client *c, const char *s, size_t len) {
    if (!len || s[0] != '-') appendReply(c, "-", 1);
    appendReply(c, s, len);
    appendReply(c, "\r\n", 2);
    afterErrorReply(c, s, len);
}

void addReplyError(client *c, const char *err) {
    size_t len = strlen(err);
    if (memchr(err, '\n', len) || memchr(err, '\r', len)) {
        bstr s = bstrNewLen(err, len);
        for (size_t i = 0; i < len; i++) if (s[i] == '\r' || s[i] == '\n') s[i] = ' ';
        addReplyErrorLength(c, s, len);
        bstrFree(s);
        return;
    }
    addReplyErrorLength(c, err, len);
}

void addReplyErrorSdsSafe(client *c, bstr err) {
    addReplyError(c, err);
    bstrFree(err);
}

void addReplyErrorFormat(client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bstr s = bstrCatVPrintf(bstrEmpty(), fmt, ap);
    va_end(ap);
    addReplyErrorSdsSafe(c, s);
}

void addReplyErrorObject(client *c, obj *err) {
    addReply(c, err);
    afterErrorReply(c, objPtr(err), bstrLen(objPtr(err)) - 2);
}

void addReplyErrorArity(client *c) {
    addReplyErrorFormat(c, "ERR wrong number of arguments for '%s' command", c->cmd ? c->cmd->fullname : "unknown");
}

void addReplyErrorExpireTime(client *c) {
    addReplyErrorFormat(c, "ERR invalid expire time in '%s' command", c->cmd->fullname);
}

/* A handler's reply to a subcommand it cannot serve (bad option or argument
 * count). Unknown subcommands of container commands never get here: dispatch
 * rejects them with the shorter "unknown subcommand" text. */
void addReplySubcommandSyntaxError(client *c) {
    bstr cmd = bstrNew(objPtr(c->argv[0]));
    bstrToUpper(cmd);
    addReplyErrorFormat(c, "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s HELP.",
                        (char *)objPtr(c->argv[1]), cmd);
    bstrFree(cmd);
}

void addReplyLongLongWithPrefix(client *c, long long ll, char prefix) {
    char buf[128];
    if (prefix == '*' && ll >= 0 && ll < 32) { addReply(c, shared.mbulkhdr[ll]); return; }
    if (prefix == '$' && ll >= 0 && ll < 32) { addReply(c, shared.bulkhdr[ll]); return; }
    if (prefix == '%' && ll >= 0 && ll < 32) { addReply(c, shared.maphdr[ll]); return; }
    if (prefix == '~' && ll >= 0 && ll < 32) { addReply(c, shared.sethdr[ll]); return; }
    buf[0] = prefix;
    int len = ll2string(buf + 1, sizeof(buf) - 1, ll);
    buf[len + 1] = '\r';
    buf[len + 2] = '\n';
    appendReply(c, buf, (size_t)len + 3);
}

void addReplyLongLong(client *c, long long ll) {
    if (ll == 0) addReply(c, shared.czero);
    else if (ll == 1) addReply(c, shared.cone);
    else addReplyLongLongWithPrefix(c, ll, ':');
}

void addReplyArrayLen(client *c, long length) { addReplyLongLongWithPrefix(c, length, '*'); }
void addReplyMapLen(client *c, long length) {
    if (c->resp >= 3) addReplyLongLongWithPrefix(c, length, '%');
    else addReplyLongLongWithPrefix(c, length * 2, '*');
}
void addReplySetLen(client *c, long length) { addReplyLongLongWithPrefix(c, length, c->resp >= 3 ? '~' : '*'); }
void addReplyAttributeLen(client *c, long length) { addReplyLongLongWithPrefix(c, length, '|'); }
void addReplyPushLen(client *c, long length) { addReplyLongLongWithPrefix(c, length, c->resp >= 3 ? '>' : '*'); }

void addReplyNull(client *c) {
    if (c->resp >= 3) appendReply(c, "_\r\n", 3);
    else appendReply(c, "$-1\r\n", 5);
}
void addReplyNullArray(client *c) {
    if (c->resp >= 3) appendReply(c, "_\r\n", 3);
    else appendReply(c, "*-1\r\n", 5);
}
void addReplyBool(client *c, int b) {
    if (c->resp >= 3) appendReply(c, b ? "#t\r\n" : "#f\r\n", 4);
    else addReply(c, b ? shared.cone : shared.czero);
}

void addReplyBulkCBuffer(client *c, const void *p, size_t len) {
    addReplyLongLongWithPrefix(c, (long long)len, '$');
    appendReply(c, p, len);
    appendReply(c, "\r\n", 2);
}

void addReplyBulk(client *c, obj *o) {
    if (sdsEncodedObject(o)) {
        addReplyBulkCBuffer(c, objPtr(o), bstrLen(objPtr(o)));
    } else {
        char buf[32];
        int len = ll2string(buf, sizeof(buf), (long)objPtr(o));
        addReplyBulkCBuffer(c, buf, (size_t)len);
    }
}

void addReplyBulkBstr(client *c, bstr s) {
    addReplyBulkCBuffer(c, s, bstrLen(s));
    bstrFree(s);
}
void addReplyBulkCString(client *c, const char *s) {
    if (!s) addReplyNull(c);
    else addReplyBulkCBuffer(c, s, strlen(s));
}
void addReplyBulkLongLong(client *c, long long ll) {
    char buf[64];
    int len = ll2string(buf, sizeof(buf), ll);
    addReplyBulkCBuffer(c, buf, (size_t)len);
}

void addReplyDouble(client *c, double d) {
    char dbuf[MAX_D2STRING_CHARS + 3];
    if (c->resp >= 3) {
        dbuf[0] = ',';
        int len = d2string(dbuf + 1, sizeof(dbuf) - 3, d);
        dbuf[len + 1] = '\r';
        dbuf[len + 2] = '\n';
        appendReply(c, dbuf, (size_t)len + 3);
    } else {
        int len = d2string(dbuf, sizeof(dbuf), d);
        addReplyBulkCBuffer(c, dbuf, (size_t)len);
    }
}

void addReplyHumanLongDouble(client *c, long double d) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), d, LD_STR_HUMAN);
    if (c->resp >= 3) {
        appendReply(c, ",", 1);
        appendReply(c, buf, (size_t)len);
        appendReply(c, "\r\n", 2);
    } else {
        addReplyBulkCBuffer(c, buf, (size_t)len);
    }
}

void addReplyBigNum(client *c, const char *num, size_t len) {
    if (c->resp >= 3) {
        appendReply(c, "(", 1);
        appendReply(c, num, len);
        appendReply(c, "\r\n", 2);
    } else {
        addReplyBulkCBuffer(c, num, len);
    }
}

void addReplyVerbatim(client *c, const char *s, size_t len, const char *ext) {
    if (c->resp >= 3) {
        char hdr[64];
        int n = snprintf(hdr, sizeof(hdr), "=%zu\r\n%.3s:", len + 4, ext);
        appendReply(c, hdr, (size_t)n);
        appendReply(c, s, len);
        appendReply(c, "\r\n", 2);
    } else {
        addReplyBulkCBuffer(c, s, len);
    }
}

void addReplyHelp(client *c, const char **help) {
    bstr cmd = bstrNew(objPtr(c->argv[0]));
    bstrToUpper(cmd);
    void *node = addReplyDeferredLen(c);
    addReplyStatusFormat(c, "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmd);
    long lines = 0;
    for (; help[lines]; lines++) addReplyStatus(c, help[lines]);
    addReplyStatus(c, "HELP");
    addReplyStatus(c, "    Prints this help.");
    setDeferredArrayLen(c, node, lines + 3);
    bstrFree(cmd);
}

void addReplyKeyValue(client *c, obj *key, obj *val) {
    addReplyBulk(c, key);
    addReplyBulk(c, val);
}

/* Deferred length: we close the current tail and start a fresh block holding a
 * placeholder; the header is spliced in once known (blocks have slack). */
void *addReplyDeferredLen(client *c) {
    if (!replyAllowed(c)) return NULL;
    /* Move to list mode so the header node sits between two payload parts. */
    listAddNodeTail(c->reply, NULL);
    if (c->bufpos == 0 && listLength(c->reply) == 1) {
        /* Static buffer empty: still fine, list holds order. Mark buffer used so
         * later appends do not go to the static buffer ahead of the list. */
    }
    return listLast(c->reply);
}

static void setDeferredReply(client *c, void *node, const char *s, size_t len) {
    listNode *ln = node;
    if (!ln) return;
    replyBlock *b = zmalloc(len + sizeof(replyBlock));
    b->size = zmalloc_size(b) - sizeof(replyBlock);
    b->used = len;
    memcpy(b->buf, s, len);
    ln->value = b;
    c->reply_bytes += b->size;
}

static void setDeferredAggregateLen(client *c, void *node, long length, char prefix) {
    char buf[64];
    buf[0] = prefix;
    int n = ll2string(buf + 1, sizeof(buf) - 1, length);
    buf[n + 1] = '\r';
    buf[n + 2] = '\n';
    setDeferredReply(c, node, buf, (size_t)n + 3);
}

void setDeferredArrayLen(client *c, void *node, long length) { setDeferredAggregateLen(c, node, length, '*'); }
void setDeferredMapLen(client *c, void *node, long length) {
    if (c->resp >= 3) setDeferredAggregateLen(c, node, length, '%');
    else setDeferredAggregateLen(c, node, length * 2, '*');
}
void setDeferredSetLen(client *c, void *node, long length) { setDeferredAggregateLen(c, node, length, c->resp >= 3 ? '~' : '*'); }
void setDeferredReplyBulkBstr(client *c, void *node, bstr s) {
    bstr p = bstrCatPrintf(bstrEmpty(), "$%zu\r\n", bstrLen(s));
    p = bstrCatLen(p, s, bstrLen(s));
    p = bstrCatLen(p, "\r\n", 2);
    setDeferredReply(c, node, p, bstrLen(p));
    bstrFree(p);
    bstrFree(s);
}

/* ---------- argument parsing helpers ---------- */
int getLongLongFromObjectOrReply(client *c, obj *o, long long *target, const char *msg) {
    long long v;
    if (getLongLongFromObject(o, &v) != 0) {
        addReplyError(c, msg ? msg : "ERR value is not an integer or out of range");
        return -1;
    }
    *target = v;
    return 0;
}

int getLongFromObjectOrReply(client *c, obj *o, long *target, const char *msg) {
    long long v;
    if (getLongLongFromObjectOrReply(c, o, &v, msg) != 0) return -1;
    if (v < LONG_MIN || v > LONG_MAX) {
        addReplyError(c, msg ? msg : "ERR value is out of range");
        return -1;
    }
    *target = (long)v;
    return 0;
}

int getIntFromObjectOrReply(client *c, obj *o, int *target, const char *msg) {
    long v;
    if (getRangeLongFromObjectOrReply(c, o, INT_MIN, INT_MAX, &v, msg) != 0) return -1;
    *target = (int)v;
    return 0;
}

int getRangeLongFromObjectOrReply(client *c, obj *o, long min, long max, long *target, const char *msg) {
    if (getLongFromObjectOrReply(c, o, target, msg) != 0) return -1;
    if (*target < min || *target > max) {
        if (msg) addReplyError(c, msg);
        else addReplyErrorFormat(c, "ERR value is out of range, value must between %ld and %ld", min, max);
        return -1;
    }
    return 0;
}

int getPositiveLongFromObjectOrReply(client *c, obj *o, long *target, const char *msg) {
    if (msg) return getRangeLongFromObjectOrReply(c, o, 0, LONG_MAX, target, msg);
    return getRangeLongFromObjectOrReply(c, o, 0, LONG_MAX, target, "ERR value is out of range, must be positive");
}

int getDoubleFromObjectOrReply(client *c, obj *o, double *target, const char *msg) {
    double v;
    if (getDoubleFromObject(o, &v) != 0) {
        addReplyError(c, msg ? msg : "ERR value is not a valid float");
        return -1;
    }
    *target = v;
    return 0;
}

int getLongDoubleFromObjectOrReply(client *c, obj *o, long double *target, const char *msg) {
    long double v;
    if (getLongDoubleFromObject(o, &v) != 0) {
        addReplyError(c, msg ? msg : "ERR value is not a valid float");
        return -1;
    }
    *target = v;
    return 0;
}

int getTimeoutFromObjectOrReply(client *c, obj *o, mstime_t *timeout) {
    long double ftval;
    if (getLongDoubleFromObject(o, &ftval) != 0) {
        addReplyError(c, "ERR timeout is not a float or out of range");
        return -1;
    }
    if (ftval < 0) {
        addReplyError(c, "ERR timeout is negative");
        return -1;
    }
    ftval *= 1000.0L;
    if (ftval > (long double)LLONG_MAX / 2) {
        addReplyError(c, "ERR timeout is out of range");
        return -1;
    }
    long long ms = (long long)ceill(ftval);
    *timeout = ms > 0 ? ms + commandTimeSnapshot() : 0;
    return 0;
}
