/* t_string: the string family (GET/SET and friends, counters, ranges, LCS).
 * Values are OBJ_STRING objects in int/embstr/raw encoding; every write goes
 * through setKey/dbAdd/dbOverwrite so TTL, WATCH and notifications stay right,
 * and relative expiries are propagated as absolute ones (PXAT / PEXPIREAT). */
#include "server/server.h"
#include <math.h>
#include <string.h>
#include <strings.h>

#define STR_SET_NX (1 << 0)
#define STR_SET_XX (1 << 1)
#define STR_EX (1 << 2)
#define STR_PX (1 << 3)
#define STR_KEEPTTL (1 << 4)
#define STR_SET_GET (1 << 5)
#define STR_EXAT (1 << 6)
#define STR_PXAT (1 << 7)
#define STR_PERSIST (1 << 8)
#define STR_ANY_EXPIRE (STR_EX | STR_PX | STR_EXAT | STR_PXAT)

#define STR_UNIT_SECONDS 0
#define STR_UNIT_MS 1

#define STR_CMD_SET 0
#define STR_CMD_GETEX 1

/* A client argument or value may grow up to proto-max-bulk-len, except when we
 * must obey the sender (primary, AOF) whose data was already accepted once. */
static int checkStringLength(client *c, long long size, long long append) {
    if (mustObeyClient(c)) return 0;
    /* Compare without computing size + append: the sum may overflow (UB). */
    if (size < 0 || append < 0 || size > server.proto_max_bulk_len || append > server.proto_max_bulk_len - size) {
        addReplyError(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return -1;
    }
    return 0;
}

static int argIs(obj *o, const char *name) {
    return sdsEncodedObject(o) && strcasecmp(objPtr(o), name) == 0;
}

/* Parses SET/GETEX options from argv[3]/argv[2] on. */
static int parseStringOptions(client *c, int first, int cmdtype, int *flags, obj **expire) {
    for (int j = first; j < c->argc; j++) {
        obj *a = c->argv[j];
        obj *next = (j + 1 < c->argc) ? c->argv[j + 1] : NULL;
        int f = *flags;
        if (argIs(a, "nx") && !(f & STR_SET_XX) && cmdtype == STR_CMD_SET) {
            *flags |= STR_SET_NX;
        } else if (argIs(a, "xx") && !(f & STR_SET_NX) && cmdtype == STR_CMD_SET) {
            *flags |= STR_SET_XX;
        } else if (argIs(a, "get") && cmdtype == STR_CMD_SET) {
            *flags |= STR_SET_GET;
        } else if (argIs(a, "keepttl") && !(f & (STR_PERSIST | STR_ANY_EXPIRE)) &&
                   cmdtype == STR_CMD_SET) {
            *flags |= STR_KEEPTTL;
        } else if (argIs(a, "persist") && cmdtype == STR_CMD_GETEX &&
                   !(f & (STR_ANY_EXPIRE | STR_KEEPTTL))) {
            *flags |= STR_PERSIST;
        } else if (next && !(f & (STR_KEEPTTL | STR_PERSIST | STR_ANY_EXPIRE)) &&
                   (argIs(a, "ex") || argIs(a, "px") || argIs(a, "exat") || argIs(a, "pxat"))) {
            if (argIs(a, "ex")) *flags |= STR_EX;
            else if (argIs(a, "px")) *flags |= STR_PX;
            else if (argIs(a, "exat")) *flags |= STR_EXAT;
            else *flags |= STR_PXAT;
            *expire = next;
            j++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    return 0;
}

/* Turns the EX/PX/EXAT/PXAT argument into absolute unix ms. */
static int getExpireMsOrReply(client *c, obj *expire, int flags, long long *ms) {
    long long v;
    if (getLongLongFromObjectOrReply(c, expire, &v, NULL) != 0) return -1;
    int seconds = (flags & (STR_EX | STR_EXAT)) != 0;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        addReplyErrorExpireTime(c);
        return -1;
    }
    if (seconds) v *= 1000;
    if (flags & (STR_EX | STR_PX)) {
        long long now = commandTimeSnapshot();
        if (v > LLONG_MAX - now) {
            addReplyErrorExpireTime(c);
            return -1;
        }
        v += now;
    }
    *ms = v;
    return 0;
}

/* Replies the string value of argv[1] (null when missing). -1 on WRONGTYPE. */
static int getGenericCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (o == NULL) return 0;
    if (checkType(c, o, OBJ_STRING)) return -1;
    addReplyBulk(c, o);
    return 0;
}

void getCommand(client *c) { getGenericCommand(c); }

/* Propagate SET without GET: the reply-only option means nothing to replicas. */
static void stripGetOption(client *c) {
    for (int j = 3; j < c->argc; j++) {
        if (argIs(c->argv[j], "get")) {
            obj **argv = zmalloc(sizeof(obj *) * (c->argc - 1));
            int n = 0;
            for (int k = 0; k < c->argc; k++) {
                if (k == j) continue;
                incrRefCount(c->argv[k]);
                argv[n++] = c->argv[k];
            }
            replaceClientCommandVector(c, n, argv);
            return;
        }
    }
}

static void setGenericCommand(client *c, int flags, obj *key, obj *val, obj *expire, obj *ok_reply,
                              obj *abort_reply) {
    long long when = 0;
    if (expire && getExpireMsOrReply(c, expire, flags, &when) != 0) return;
    if ((flags & STR_SET_GET) && getGenericCommand(c) != 0) return;

    int found = lookupKeyWrite(c->db, key) != NULL;
    if (((flags & STR_SET_NX) && found) || ((flags & STR_SET_XX) && !found)) {
        if (!(flags & STR_SET_GET)) addReply(c, abort_reply ? abort_reply : shared.null[c->resp]);
        return;
    }
    int setflags = found ? SETKEY_ALREADY_EXIST : SETKEY_DOESNT_EXIST;
    if (flags & STR_KEEPTTL) setflags |= SETKEY_KEEPTTL;
    setKey(c, c->db, key, val, setflags);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STRING, "set", key, c->db->id);

    if (expire) {
        setExpire(c, c->db, key, when);
        if (!(flags & STR_PXAT)) {
            obj *whenobj = createStringObjectFromLongLong(when);
            rewriteClientCommandVector(c, 5, shared.set, key, val, shared.pxat, whenobj);
            decrRefCount(whenobj);
        }
        notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, c->db->id);
    }
    if (!(flags & STR_SET_GET)) addReply(c, ok_reply ? ok_reply : shared.ok);
    if ((flags & STR_SET_GET) && !expire) stripGetOption(c);
}

void setCommand(client *c) {
    int flags = 0;
    obj *expire = NULL;
    if (parseStringOptions(c, 3, STR_CMD_SET, &flags, &expire) != 0) return;
    c->argv[2] = tryObjectEncoding(c->argv[2]);
    setGenericCommand(c, flags, c->argv[1], c->argv[2], expire, NULL, NULL);
}

void setnxCommand(client *c) {
    c->argv[2] = tryObjectEncoding(c->argv[2]);
    setGenericCommand(c, STR_SET_NX, c->argv[1], c->argv[2], NULL, shared.cone, shared.czero);
}

void setexCommand(client *c) {
    c->argv[3] = tryObjectEncoding(c->argv[3]);
    setGenericCommand(c, STR_EX, c->argv[1], c->argv[3], c->argv[2], NULL, NULL);
}

void psetexCommand(client *c) {
    c->argv[3] = tryObjectEncoding(c->argv[3]);
    setGenericCommand(c, STR_PX, c->argv[1], c->argv[3], c->argv[2], NULL, NULL);
}

void getsetCommand(client *c) {
    if (getGenericCommand(c) != 0) return;
    c->argv[2] = tryObjectEncoding(c->argv[2]);
    setKey(c, c->db, c->argv[1], c->argv[2], 0);
    notifyKeyspaceEvent(NOTIFY_STRING, "set", c->argv[1], c->db->id);
    server.dirty++;
    rewriteClientCommandArgument(c, 0, shared.set);
}

/* Deletes key as the effect of the current command and propagates DEL/UNLINK. */
static void deleteAndPropagate(client *c, obj *key, int lazy) {
    if (lazy) dbAsyncDelete(c->db, key);
    else dbSyncDelete(c->db, key);
    rewriteClientCommandVector(c, 2, lazy ? shared.unlink : shared.del, key);
    signalModifiedKey(c, c->db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
    server.dirty++;
}

void getdelCommand(client *c) {
    if (getGenericCommand(c) != 0) return;
    if (lookupKeyWriteWithFlags(c->db, c->argv[1], LOOKUP_NOTOUCH | LOOKUP_NONOTIFY | LOOKUP_NOSTATS) == NULL)
        return;
    deleteAndPropagate(c, c->argv[1], server.lazyfree_lazy_user_del);
}

void getexCommand(client *c) {
    int flags = 0;
    obj *expire = NULL;
    long long when = 0;
    if (parseStringOptions(c, 2, STR_CMD_GETEX, &flags, &expire) != 0) return;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (o == NULL || checkType(c, o, OBJ_STRING)) return;
    if (expire && getExpireMsOrReply(c, expire, flags, &when) != 0) return;
    addReplyBulk(c, o);

    obj *key = c->argv[1];
    if (expire && checkAlreadyExpired(when)) {
        deleteAndPropagate(c, key, server.lazyfree_lazy_expire);
    } else if (expire) {
        setExpire(c, c->db, key, when);
        obj *whenobj = createStringObjectFromLongLong(when);
        rewriteClientCommandVector(c, 3, shared.pexpireat, key, whenobj);
        decrRefCount(whenobj);
        signalModifiedKey(c, c->db, key);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, c->db->id);
        server.dirty++;
    } else if (flags & STR_PERSIST) {
        if (removeExpire(c->db, key)) {
            signalModifiedKey(c, c->db, key);
            rewriteClientCommandVector(c, 2, shared.persist, key);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "persist", key, c->db->id);
            server.dirty++;
        }
    }
}

void mgetCommand(client *c) {
    addReplyArrayLen(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j]);
        if (o == NULL || o->type != OBJ_STRING) addReplyNull(c);
        else addReplyBulk(c, o);
    }
}

static void msetGenericCommand(client *c, int nx) {
    if ((c->argc % 2) == 0) {
        addReplyErrorArity(c);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (lookupKeyWrite(c->db, c->argv[j]) != NULL) {
                addReply(c, shared.czero);
                return;
            }
        }
    }
    /* No SETKEY_DOESNT_EXIST hint for MSETNX: a key given twice exists the
     * second time (the last value wins, as with MSET). */
    int setflags = 0;
    for (int j = 1; j < c->argc; j += 2) {
        c->argv[j + 1] = tryObjectEncoding(c->argv[j + 1]);
        setKey(c, c->db, c->argv[j], c->argv[j + 1], setflags);
        notifyKeyspaceEvent(NOTIFY_STRING, "set", c->argv[j], c->db->id);
    }
    server.dirty += (c->argc - 1) / 2;
    addReply(c, nx ? shared.cone : shared.ok);
}

void msetCommand(client *c) { msetGenericCommand(c, 0); }
void msetnxCommand(client *c) { msetGenericCommand(c, 1); }

void appendCommand(client *c) {
    size_t totlen;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o == NULL) {
        c->argv[2] = tryObjectEncoding(c->argv[2]);
        incrRefCount(c->argv[2]);
        dbAdd(c->db, c->argv[1], c->argv[2]);
        totlen = stringObjectLen(c->argv[2]);
    } else {
        if (checkType(c, o, OBJ_STRING)) return;
        obj *append = c->argv[2];
        size_t addlen = stringObjectLen(append);
        if (checkStringLength(c, (long long)stringObjectLen(o), (long long)addlen) != 0) return;
        o = dbUnshareStringValue(c->db, c->argv[1], o);
        char buf[LONG_STR_SIZE];
        size_t alen;
        const char *ap = objStrPtr(append, buf, sizeof(buf), &alen);
        objSetPtr(o, bstrCatLen(objPtr(o), ap, alen));
        totlen = bstrLen(objPtr(o));
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "append", c->argv[1], c->db->id);
    server.dirty++;
    addReplyLongLong(c, (long long)totlen);
}

void strlenCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (o == NULL || checkType(c, o, OBJ_STRING)) return;
    addReplyLongLong(c, (long long)stringObjectLen(o));
}

void getrangeCommand(client *c) {
    long long start, end;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &start, NULL) != 0) return;
    if (getLongLongFromObjectOrReply(c, c->argv[3], &end, NULL) != 0) return;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.emptybulk);
    if (o == NULL || checkType(c, o, OBJ_STRING)) return;

    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = objStrPtr(o, buf, sizeof(buf), &len);
    long long slen = (long long)len;
    if (start < 0 && end < 0 && start > end) {
        addReply(c, shared.emptybulk);
        return;
    }
    if (start < 0) start += slen;
    if (end < 0) end += slen;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= slen) end = slen - 1;
    if (slen == 0 || start > end) {
        addReply(c, shared.emptybulk);
        return;
    }
    addReplyBulkCBuffer(c, s + start, (size_t)(end - start + 1));
}

/* Grows s to len bytes, zero-filling the new tail. */
static bstr growZero(bstr s, size_t len) {
    size_t cur = bstrLen(s);
    if (len <= cur) return s;
    s = bstrMakeRoom(s, len - cur);
    memset(s + cur, 0, len - cur + 1);
    bstrSetLen(s, len);
    return s;
}

void setrangeCommand(client *c) {
    long offset;
    if (getLongFromObjectOrReply(c, c->argv[2], &offset, NULL) != 0) return;
    if (offset < 0) {
        addReplyError(c, "ERR offset is out of range");
        return;
    }
    char vbuf[LONG_STR_SIZE];
    size_t vlen;
    const char *value = objStrPtr(c->argv[3], vbuf, sizeof(vbuf), &vlen);

    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o == NULL) {
        if (vlen == 0) {
            addReply(c, shared.czero);
            return;
        }
        if (checkStringLength(c, offset, (long long)vlen) != 0) return;
        o = createObject(OBJ_STRING, bstrNewLen(NULL, (size_t)offset + vlen));
        dbAdd(c->db, c->argv[1], o);
    } else {
        if (checkType(c, o, OBJ_STRING)) return;
        size_t olen = stringObjectLen(o);
        if (vlen == 0) {
            addReplyLongLong(c, (long long)olen);
            return;
        }
        if (checkStringLength(c, offset, (long long)vlen) != 0) return;
        o = dbUnshareStringValue(c->db, c->argv[1], o);
    }
    objSetPtr(o, growZero(objPtr(o), (size_t)offset + vlen));
    memcpy((char *)objPtr(o) + offset, value, vlen);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "setrange", c->argv[1], c->db->id);
    server.dirty++;
    addReplyLongLong(c, (long long)bstrLen(objPtr(o)));
}

static void incrDecrCommand(client *c, long long incr) {
    long long value = 0;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o != NULL) {
        if (checkType(c, o, OBJ_STRING)) return;
        if (getLongLongFromObjectOrReply(c, o, &value, NULL) != 0) return;
    }
    if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
        (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
        addReplyError(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    /* Update in place when nobody else holds the object: INCR is hot. */
    if (o && o->refcount == 1 && o->encoding == OBJ_ENCODING_INT &&
        (value < 0 || value >= OBJ_SHARED_INTEGERS) && value >= LONG_MIN && value <= LONG_MAX) {
        objSetPtr(o, (void *)((long)value));
    } else {
        obj *n = createStringObjectFromLongLongForValue(value);
        if (o) dbOverwrite(c->db, c->argv[1], n);
        else dbAdd(c->db, c->argv[1], n);
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "incrby", c->argv[1], c->db->id);
    server.dirty++;
    addReplyLongLong(c, value);
}

void incrCommand(client *c) { incrDecrCommand(c, 1); }
void decrCommand(client *c) { incrDecrCommand(c, -1); }

void incrbyCommand(client *c) {
    long long incr;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &incr, NULL) != 0) return;
    incrDecrCommand(c, incr);
}

void decrbyCommand(client *c) {
    long long incr;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &incr, NULL) != 0) return;
    if (incr == LLONG_MIN) {
        addReplyError(c, "ERR decrement would overflow");
        return;
    }
    incrDecrCommand(c, -incr);
}

void incrbyfloatCommand(client *c) {
    long double value = 0, incr;
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o != NULL) {
        if (checkType(c, o, OBJ_STRING)) return;
        if (getLongDoubleFromObjectOrReply(c, o, &value, NULL) != 0) return;
    }
    if (getLongDoubleFromObjectOrReply(c, c->argv[2], &incr, NULL) != 0) return;
    value += incr;
    if (isnan(value) || isinf(value)) {
        addReplyError(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    obj *n = createStringObjectFromLongDouble(value, 1);
    incrRefCount(n); /* replied below; the keyspace may keep a copy instead of n */
    if (o) dbOverwrite(c->db, c->argv[1], n);
    else dbAdd(c->db, c->argv[1], n);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "incrbyfloat", c->argv[1], c->db->id);
    server.dirty++;
    addReplyBulk(c, n);
    /* Replicas must not redo float math (precision may differ): ship the result. */
    rewriteClientCommandArgument(c, 0, shared.set);
    rewriteClientCommandArgument(c, 2, n);
    decrRefCount(n);
    rewriteClientCommandArgument(c, 3, shared.keepttl);
}

/* ---------- LCS ---------- */

typedef struct lcsRange {
    uint32_t astart, aend, bstart, bend;
} lcsRange;

static void lcsEmitMatch(client *c, lcsRange *r, int withlen) {
    addReplyArrayLen(c, withlen ? 3 : 2);
    addReplyArrayLen(c, 2);
    addReplyLongLong(c, r->astart);
    addReplyLongLong(c, r->aend);
    addReplyArrayLen(c, 2);
    addReplyLongLong(c, r->bstart);
    addReplyLongLong(c, r->bend);
    if (withlen) addReplyLongLong(c, r->aend - r->astart + 1);
}

static const char *lcsStringArg(obj *o, obj **hold, size_t *len) {
    if (o == NULL) {
        *hold = NULL;
        *len = 0;
        return "";
    }
    *hold = getDecodedObject(o);
    *len = bstrLen(objPtr((*hold)));
    return objPtr((*hold));
}

void lcsCommand(client *c) {
    int getlen = 0, getidx = 0, withmatchlen = 0;
    long long minmatchlen = 0;
    obj *oa = lookupKeyRead(c->db, c->argv[1]);
    obj *ob = lookupKeyRead(c->db, c->argv[2]);
    if ((oa && oa->type != OBJ_STRING) || (ob && ob->type != OBJ_STRING)) {
        addReplyError(c, "ERR The specified keys must contain string values");
        return;
    }
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (argIs(c->argv[j], "idx")) {
            getidx = 1;
        } else if (argIs(c->argv[j], "len")) {
            getlen = 1;
        } else if (argIs(c->argv[j], "withmatchlen")) {
            withmatchlen = 1;
        } else if (argIs(c->argv[j], "minmatchlen") && more) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], &minmatchlen, NULL) != 0) return;
            if (minmatchlen < 0) minmatchlen = 0;
            j++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if (getidx && getlen) {
        addReplyError(c, "ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    obj *ha, *hb;
    size_t alen, blen;
    const char *a = lcsStringArg(oa, &ha, &alen);
    const char *b = lcsStringArg(ob, &hb, &blen);
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        addReplyError(c, "ERR String too long for LCS");
        goto done;
    }
    unsigned long long cells = (unsigned long long)(alen + 1) * (blen + 1);
    if (cells > (unsigned long long)LLONG_MAX / sizeof(uint32_t) ||
        cells * sizeof(uint32_t) > (unsigned long long)server.proto_max_bulk_len) {
        addReplyError(c, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        goto done;
    }
    uint32_t *dp = ztrymalloc(cells * sizeof(uint32_t));
    if (dp == NULL) {
        addReplyError(c, "ERR Insufficient memory, failed allocating transient memory for LCS");
        goto done;
    }
#define LCS(i, j) dp[(size_t)(j) * (alen + 1) + (i)]
    for (size_t i = 0; i <= alen; i++) {
        for (size_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0) LCS(i, j) = 0;
            else if (a[i - 1] == b[j - 1]) LCS(i, j) = LCS(i - 1, j - 1) + 1;
            else LCS(i, j) = LCS(i - 1, j) > LCS(i, j - 1) ? LCS(i - 1, j) : LCS(i, j - 1);
        }
    }
    uint32_t total = LCS(alen, blen);
    if (getlen) {
        addReplyLongLong(c, total);
        zfree(dp);
        goto done;
    }
    /* Walk back from the end; matches come out last-first, as Valkey reports them. */
    bstr result = bstrNewLen(NULL, total);
    void *matchlen_slot = NULL;
    long nmatches = 0;
    if (getidx) {
        addReplyMapLen(c, 2);
        addReplyBulkCString(c, "matches");
        matchlen_slot = addReplyDeferredLen(c);
    }
    size_t i = alen, j = blen, pos = total;
    int open = 0;
    lcsRange r = {0, 0, 0, 0};
    while (i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            result[--pos] = a[i - 1];
            if (!open) {
                open = 1;
                r.astart = r.aend = (uint32_t)(i - 1);
                r.bstart = r.bend = (uint32_t)(j - 1);
            } else {
                r.astart--;
                r.bstart--;
            }
            if (r.astart == 0 || r.bstart == 0) emit = 1;
            i--;
            j--;
        } else {
            if (LCS(i - 1, j) > LCS(i, j - 1)) i--;
            else j--;
            if (open) emit = 1;
        }
        if (emit && open) {
            long long mlen = (long long)r.aend - r.astart + 1;
            if (getidx && (minmatchlen == 0 || mlen >= minmatchlen)) {
                lcsEmitMatch(c, &r, withmatchlen);
                nmatches++;
            }
            open = 0;
        }
    }
#undef LCS
    zfree(dp);
    if (getidx) {
        setDeferredArrayLen(c, matchlen_slot, nmatches);
        addReplyBulkCString(c, "len");
        addReplyLongLong(c, total);
        bstrFree(result);
    } else {
        addReplyBulkBstr(c, result);
    }
done:
    if (ha) decrRefCount(ha);
    if (hb) decrRefCount(hb);
}

/* ---------- command table ---------- */

const serverCommandDef stringCommandTable[] = {
    {"get", getCommand, 2, "readonly fast", 1, 1, 1, "string", "Returns the string value of a key.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"set", setCommand, -3, "write denyoom", 1, 1, 1, "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"},
    {"setnx", setnxCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key value"},
    {"setex", setexCommand, 4, "write denyoom", 1, 1, 1, "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1)", NULL, NULL, "key seconds value"},
    {"psetex", psetexCommand, 4, "write denyoom", 1, 1, 1, "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0", "O(1)", NULL, NULL, "key milliseconds value"},
    {"getset", getsetCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value.", "1.0.0", "O(1)", NULL, NULL, "key value"},
    {"getdel", getdelCommand, 2, "write fast", 1, 1, 1, "string", "Returns the string value of a key after deleting the key.", "6.2.0", "O(1)", NULL, NULL, "key"},
    {"getex", getexCommand, -2, "write fast", 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time.", "6.2.0", "O(1)", NULL, NULL, "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"},
    {"mget", mgetCommand, -2, "readonly fast", 1, -1, 1, "string", "Atomically returns the string values of one or more keys.", "1.0.0", "O(N) where N is the number of keys to retrieve.", NULL, NULL, "key [key ...]"},
    {"mset", msetCommand, -3, "write denyoom", 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys.", "1.0.1", "O(N) where N is the number of keys to set.", NULL, NULL, "key value [key value ...]"},
    {"msetnx", msetnxCommand, -3, "write denyoom", 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1", "O(N) where N is the number of keys to set.", NULL, NULL, "key value [key value ...]"},
    {"append", appendCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by the server will double the free space available on every reallocation.", NULL, NULL, "key value"},
    {"strlen", strlenCommand, 2, "readonly fast", 1, 1, 1, "string", "Returns the length of a string value.", "2.2.0", "O(1)", NULL, NULL, "key"},
    {"getrange", getrangeCommand, 4, "readonly", 1, 1, 1, "string", "Returns a substring of the string stored at a key.", "2.4.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", NULL, NULL, "key start end"},
    {"substr", getrangeCommand, 4, "readonly", 1, 1, 1, "string", "Returns a substring from a string value.", "1.0.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", NULL, NULL, "key start end"},
    {"setrange", setrangeCommand, 4, "write denyoom", 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", NULL, NULL, "key offset value"},
    {"incr", incrCommand, 2, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"decr", decrCommand, 2, "write denyoom fast", 1, 1, 1, "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"incrby", incrbyCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key increment"},
    {"decrby", decrbyCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key decrement"},
    {"incrbyfloat", incrbyfloatCommand, 3, "write denyoom fast", 1, 1, 1, "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0", "O(1)", NULL, NULL, "key increment"},
    {"lcs", lcsCommand, -3, "readonly", 1, 2, 1, "string", "Finds the longest common substring.", "7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively", NULL, NULL, "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"},
    {0}};
