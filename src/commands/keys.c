/* keys: the generic keyspace commands (KEYS, SCAN, DEL, RENAME, COPY, MOVE,
 * SWAPDB, FLUSH*, OBJECT) and the expiry commands (EXPIRE family, TTL family,
 * PERSIST). db->keys holds entries (dbEntryKey/dbEntryVal, see db.c);
 * db->expires is keyed by the key inside the entry and stores the absolute
 * unix-ms deadline in v.s64. */
#include "server/server.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int argIs(obj *o, const char *name) {
    return sdsEncodedObject(o) && strcasecmp(objPtr(o), name) == 0;
}

/* Type owners provide deep copies for COPY; weak until their modules land. */
obj *listTypeDup(obj *o) __attribute__((weak));
obj *setTypeDup(obj *o) __attribute__((weak));
obj *zsetDup(obj *o) __attribute__((weak));
obj *hashTypeDup(obj *o) __attribute__((weak));
obj *streamDup(obj *o) __attribute__((weak));

obj *objectCommandLookup(client *c, obj *key) {
    return lookupKeyReadWithFlags(c->db, key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
}

/* An expired-but-not-yet-deleted key must not show up in KEYS/SCAN output. */
static int rawKeyIsExpired(serverDb *db, bstr key, long long now) {
    if (htSize(db->expires) == 0) return 0;
    htEntry *e = htFind(db->expires, key);
    return e && e->v.s64 < now;
}

/* ---------- KEYS / SCAN / RANDOMKEY / DBSIZE ---------- */

void keysCommand(client *c) {
    bstr pattern = objPtr(c->argv[1]);
    int plen = (int)bstrLen(pattern);
    int allkeys = plen == 1 && pattern[0] == '*';
    long long now = commandTimeSnapshot();
    long n = 0;
    void *slot = addReplyDeferredLen(c);
    kvtIterator it;
    kvtInitSafeIterator(&it, c->db->keys);
    void *e;
    while ((e = kvtNext(&it)) != NULL) {
        bstr key = dbEntryKey(e);
        if (!allkeys && !stringmatchlen(pattern, plen, key, (int)bstrLen(key), 0)) continue;
        if (rawKeyIsExpired(c->db, key, now)) continue;
        addReplyBulkCBuffer(c, key, bstrLen(key));
        n++;
    }
    kvtResetIterator(&it);
    setDeferredArrayLen(c, slot, n);
}

int parseScanCursorOrReply(client *c, obj *o, unsigned long *cursor) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = objStrPtr(o, buf, sizeof(buf), &len);
    char *eptr;
    errno = 0;
    *cursor = strtoul(s, &eptr, 10);
    /* Negative cursors are rejected (strtoul would silently wrap them). */
    if (len == 0 || isspace((unsigned char)s[0]) || s[0] == '-' || eptr != s + len || errno == ERANGE) {
        addReplyError(c, "ERR invalid cursor");
        return -1;
    }
    return 0;
}

static long long typeByName(const char *name) {
    static const struct { const char *n; int t; } names[] = {
        {"string", OBJ_STRING}, {"list", OBJ_LIST}, {"set", OBJ_SET},
        {"zset", OBJ_ZSET},     {"hash", OBJ_HASH}, {"stream", OBJ_STREAM}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].n) == 0) return names[i].t;
    return -1;
}

/* What one SCAN round collects: key names already filtered by MATCH/TYPE, so
 * COUNT bounds the work, not the output. */
typedef struct scanState {
    bstr *items;
    long n, cap;
    const char *pat;
    int patlen, use_pattern;
    int filter_type;       /* -1 = none, -2 = unknown name (matches nothing) */
    long count_elements;   /* names collected */
} scanState;

static void scanPush(scanState *st, bstr s) {
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->items = zrealloc(st->items, sizeof(bstr) * st->cap);
    }
    st->items[st->n++] = s;
}

/* The keyspace stores entries, not htEntry: same filters, key and value from the entry. */
static void keyspaceScanCallback(void *privdata, void *entry) {
    scanState *st = privdata;
    bstr key = dbEntryKey(entry);
    if (st->use_pattern && !stringmatchlen(st->pat, st->patlen, key, (int)bstrLen(key), 0)) return;
    if (st->filter_type != -1) {
        obj *val = dbEntryVal(entry);
        if (st->filter_type == -2 || (int)val->type != st->filter_type) return;
    }
    scanPush(st, bstrDup(key));
    st->count_elements++;
}

static int parseScanOptions(client *c, scanState *st, long *count) {
    int i = 2;
    while (i < c->argc) {
        int remaining = c->argc - i;
        if (argIs(c->argv[i], "count") && remaining >= 2) {
            if (getLongFromObjectOrReply(c, c->argv[i + 1], count, NULL) != 0) return -1;
            if (*count < 1) {
                addReplyErrorObject(c, shared.syntaxerr);
                return -1;
            }
            i += 2;
        } else if (argIs(c->argv[i], "match") && remaining >= 2) {
            st->pat = objPtr(c->argv[i + 1]);
            st->patlen = (int)bstrLen(objPtr(c->argv[i + 1]));
            st->use_pattern = !(st->patlen == 1 && st->pat[0] == '*');
            i += 2;
        } else if (argIs(c->argv[i], "type") && remaining >= 2) {
            long long t = typeByName(objPtr(c->argv[i + 1]));
            st->filter_type = t < 0 ? -2 : (int)t;
            i += 2;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    return 0;
}

/* SCAN over the keyspace (HSCAN/SSCAN/ZSCAN live with their types). */
static void scanKeyspace(client *c, unsigned long cursor) {
    scanState st = {0};
    st.filter_type = -1;
    long count = 10;
    if (parseScanOptions(c, &st, &count) != 0) return;

    /* Sparse tables may need many empty buckets per element: bound the work. */
    long maxiter = count * 10;
    do {
        cursor = kvtScan(c->db->keys, cursor, keyspaceScanCallback, &st);
    } while (cursor && maxiter-- && st.count_elements < count);

    /* Drop (and lazily expire) keys whose TTL has passed. */
    long out = 0;
    for (long j = 0; j < st.n; j++) {
        obj *k = createStringObject(st.items[j], bstrLen(st.items[j]));
        if (expireIfNeeded(c->db, k, 0) || keyIsExpired(c->db, k)) {
            bstrFree(st.items[j]);
            st.items[j] = NULL;
        } else {
            out++;
        }
        decrRefCount(k);
    }

    char cbuf[LONG_STR_SIZE];
    int clen = ull2string(cbuf, sizeof(cbuf), cursor);
    addReplyArrayLen(c, 2);
    addReplyBulkCBuffer(c, cbuf, (size_t)clen);
    addReplyArrayLen(c, out);
    for (long j = 0; j < st.n; j++) {
        if (!st.items[j]) continue;
        addReplyBulkCBuffer(c, st.items[j], bstrLen(st.items[j]));
        bstrFree(st.items[j]);
    }
    zfree(st.items);
}

void scanCommand(client *c) {
    unsigned long cursor;
    if (parseScanCursorOrReply(c, c->argv[1], &cursor) != 0) return;
    scanKeyspace(c, cursor);
}

void randomkeyCommand(client *c) {
    obj *key = dbRandomKey(c->db);
    if (key == NULL) {
        addReplyNull(c);
        return;
    }
    addReplyBulk(c, key);
    decrRefCount(key);
}

void dbsizeCommand(client *c) { addReplyLongLong(c, (long long)dbSize(c->db)); }

/* ---------- EXISTS / DEL / UNLINK / TYPE / TOUCH ---------- */

void existsCommand(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (lookupKeyReadWithFlags(c->db, c->argv[j], LOOKUP_NOTOUCH)) count++;
    addReplyLongLong(c, count);
}

static void delGenericCommand(client *c, int lazy) {
    long long numdel = 0;
    for (int j = 1; j < c->argc; j++) {
        obj *key = c->argv[j];
        /* The lookup expires a stale key first, so it is not counted as deleted. */
        if (!lookupKeyWriteWithFlags(c->db, key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY | LOOKUP_NOSTATS)) continue;
        int deleted = lazy ? dbAsyncDelete(c->db, key) : dbSyncDelete(c->db, key);
        if (deleted) {
            signalModifiedKey(c, c->db, key);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
            server.dirty++;
            numdel++;
        }
    }
    addReplyLongLong(c, numdel);
}

void delCommand(client *c) { delGenericCommand(c, server.lazyfree_lazy_user_del); }
void unlinkCommand(client *c) { delGenericCommand(c, 1); }

void typeCommand(client *c) {
    obj *o = lookupKeyReadWithFlags(c->db, c->argv[1], LOOKUP_NOTOUCH);
    addReplyStatus(c, o ? strType(o->type) : "none");
}

void touchCommand(client *c) {
    long long touched = 0;
    for (int j = 1; j < c->argc; j++)
        if (lookupKeyRead(c->db, c->argv[j]) != NULL) touched++;
    addReplyLongLong(c, touched);
}

/* ---------- RENAME / MOVE / COPY / SWAPDB ---------- */

static void renameGenericCommand(client *c, int nx) {
    obj *src = c->argv[1], *dst = c->argv[2];
    int samekey = equalStringObjects(src, dst);
    obj *o = lookupKeyWriteOrReply(c, src, shared.nokeyerr);
    if (o == NULL) return;
    if (samekey) {
        addReply(c, nx ? shared.czero : shared.ok);
        return;
    }
    long long expire = getExpire(c->db, src);
    if (lookupKeyWrite(c->db, dst) != NULL) {
        if (nx) {
            addReply(c, shared.czero);
            return;
        }
        dbDelete(c->db, dst);
    }
    incrRefCount(o);
    dbAdd(c->db, dst, o);
    if (expire != -1) setExpire(c, c->db, dst, expire);
    dbDelete(c->db, src);
    signalModifiedKey(c, c->db, src);
    signalModifiedKey(c, c->db, dst);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "rename_from", src, c->db->id);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "rename_to", dst, c->db->id);
    server.dirty++;
    addReply(c, nx ? shared.cone : shared.ok);
}

void renameCommand(client *c) { renameGenericCommand(c, 0); }
void renamenxCommand(client *c) { renameGenericCommand(c, 1); }

static serverDb *dbByIndexOrReply(client *c, obj *arg) {
    int id;
    if (getIntFromObjectOrReply(c, arg, &id, NULL) != 0) return NULL;
    if (id < 0 || id >= server.dbnum) {
        addReplyError(c, "ERR DB index is out of range");
        return NULL;
    }
    return &server.db[id];
}

void moveCommand(client *c) {
    if (server.cluster_enabled) {
        addReplyError(c, "ERR MOVE is not allowed in cluster mode");
        return;
    }
    serverDb *src = c->db, *dst = dbByIndexOrReply(c, c->argv[2]);
    if (dst == NULL) return;
    if (src == dst) {
        addReplyErrorObject(c, shared.sameobjecterr);
        return;
    }
    obj *key = c->argv[1];
    obj *o = lookupKeyWrite(src, key);
    if (o == NULL) {
        addReply(c, shared.czero);
        return;
    }
    long long expire = getExpire(src, key);
    if (lookupKeyWrite(dst, key) != NULL) {
        addReply(c, shared.czero);
        return;
    }
    incrRefCount(o);
    dbAdd(dst, key, o);
    if (expire != -1) setExpire(c, dst, key, expire);
    dbDelete(src, key);
    signalModifiedKey(c, src, key);
    signalModifiedKey(c, dst, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "move_from", key, src->id);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "move_to", key, dst->id);
    server.dirty++;
    addReply(c, shared.cone);
}

static obj *dupValue(obj *o) {
    obj *(*dup)(obj *) = NULL;
    switch (o->type) {
    case OBJ_STRING: return dupStringObject(o);
    case OBJ_LIST: dup = listTypeDup; break;
    case OBJ_SET: dup = setTypeDup; break;
    case OBJ_ZSET: dup = zsetDup; break;
    case OBJ_HASH: dup = hashTypeDup; break;
    case OBJ_STREAM: dup = streamDup; break;
    }
    return dup ? dup(o) : NULL;
}

void copyCommand(client *c) {
    serverDb *src = c->db, *dst = c->db;
    int replace = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (argIs(c->argv[j], "replace")) {
            replace = 1;
        } else if (argIs(c->argv[j], "db") && more) {
            if ((dst = dbByIndexOrReply(c, c->argv[j + 1])) == NULL) return;
            j++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *key = c->argv[1], *newkey = c->argv[2];
    if (src == dst && equalStringObjects(key, newkey)) {
        addReplyErrorObject(c, shared.sameobjecterr);
        return;
    }
    obj *o = lookupKeyRead(src, key);
    if (o == NULL) {
        addReply(c, shared.czero);
        return;
    }
    long long expire = getExpire(src, key);
    int exists = lookupKeyWrite(dst, newkey) != NULL;
    if (exists && !replace) {
        addReply(c, shared.czero);
        return;
    }
    obj *copy = dupValue(o);
    if (copy == NULL) {
        addReplyError(c, "ERR COPY is not supported for this type yet");
        return;
    }
    if (exists) dbDelete(dst, newkey);
    dbAdd(dst, newkey, copy);
    if (expire != -1) setExpire(c, dst, newkey, expire);
    signalModifiedKey(c, dst, newkey);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "copy_to", newkey, dst->id);
    server.dirty++;
    addReply(c, shared.cone);
}

/* Clients blocked on a key of either db may now find it: wake them. */
static void signalReadyBlockingKeys(serverDb *db) {
    if (db->blocking_keys == NULL || htSize(db->blocking_keys) == 0) return;
    htIterator it;
    htInitSafeIterator(&it, db->blocking_keys);
    htEntry *e;
    while ((e = htNext(&it)) != NULL) {
        obj *key = e->key;
        obj *val = lookupKeyReadWithFlags(db, key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY | LOOKUP_NOSTATS);
        if (val) signalKeyAsReady(db, key, val->type);
    }
    htResetIterator(&it);
}

/* Swap the data, keep the identity: clients keep pointing at "db N". */
static void swapDbData(serverDb *a, serverDb *b) {
    kvtable *k = a->keys;
    hashtable *x = a->expires;
    long long avg = a->avg_ttl;
    unsigned long cur = a->expires_cursor;
    a->keys = b->keys;
    a->expires = b->expires;
    a->avg_ttl = b->avg_ttl;
    a->expires_cursor = b->expires_cursor;
    b->keys = k;
    b->expires = x;
    b->avg_ttl = avg;
    b->expires_cursor = cur;
}

void swapdbCommand(client *c) {
    int id1, id2;
    if (server.cluster_enabled) {
        addReplyError(c, "ERR SWAPDB is not allowed in cluster mode");
        return;
    }
    if (getIntFromObjectOrReply(c, c->argv[1], &id1, "ERR invalid first DB index") != 0) return;
    if (getIntFromObjectOrReply(c, c->argv[2], &id2, "ERR invalid second DB index") != 0) return;
    if (id1 < 0 || id1 >= server.dbnum || id2 < 0 || id2 >= server.dbnum) {
        addReplyError(c, "ERR DB index is out of range");
        return;
    }
    if (id1 != id2) {
        serverDb *a = &server.db[id1], *b = &server.db[id2];
        touchAllWatchedKeysInDb(a, b);
        touchAllWatchedKeysInDb(b, a);
        swapDbData(a, b);
        signalReadyBlockingKeys(a);
        signalReadyBlockingKeys(b);
    }
    server.dirty++;
    addReply(c, shared.ok);
}

/* ---------- FLUSHDB / FLUSHALL ---------- */

static int getFlushFlagsOrReply(client *c, int *flags) {
    if (c->argc > 2) {
        addReplyErrorObject(c, shared.syntaxerr);
        return -1;
    }
    if (c->argc == 2) {
        if (argIs(c->argv[1], "sync")) *flags = EMPTYDB_NO_FLAGS;
        else if (argIs(c->argv[1], "async")) *flags = EMPTYDB_ASYNC;
        else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    } else {
        *flags = server.lazyfree_lazy_user_flush ? EMPTYDB_ASYNC : EMPTYDB_NO_FLAGS;
    }
    return 0;
}

void flushdbCommand(client *c) {
    int flags;
    if (getFlushFlagsOrReply(c, &flags) != 0) return;
    server.dirty += emptyData(c->db->id, flags | EMPTYDB_NOFUNCTIONS, NULL);
    /* Propagate even when the db was already empty, so replicas stay in step. */
    server.dirty++;
    addReply(c, shared.ok);
}

void flushallCommand(client *c) {
    int flags;
    if (getFlushFlagsOrReply(c, &flags) != 0) return;
    flushAllDataAndResetRDB(flags | EMPTYDB_NOFUNCTIONS);
    server.dirty++;
    addReply(c, shared.ok);
}

/* ---------- OBJECT ---------- */

static int lfuPolicy(void) {
    int p = server.maxmemory_policy;
    return (p & MAXMEMORY_FLAG_LFU) || p == MAXMEMORY_ALLKEYS_LFU || p == MAXMEMORY_VOLATILE_LFU;
}

/* The LFU counter after applying the decay for the minutes since last access. */
static unsigned long lfuDecayedCounter(obj *o) {
    unsigned long ldt = o->lru >> 8;
    unsigned long counter = o->lru & 255;
    unsigned long now = (unsigned long)(server.unixtime / 60) & 65535;
    unsigned long elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    unsigned long periods = server.lfu_decay_time ? elapsed / (unsigned long)server.lfu_decay_time : 0;
    return periods > counter ? 0 : counter - periods;
}

void objectEncodingCommand(client *c) {
    obj *o = objectCommandLookup(c, c->argv[2]);
    if (o == NULL) {
        addReplyNull(c);
        return;
    }
    addReplyBulkCString(c, strEncoding(o->encoding));
}

void objectRefcountCommand(client *c) {
    obj *o = objectCommandLookup(c, c->argv[2]);
    if (o == NULL) {
        addReplyNull(c);
        return;
    }
    addReplyLongLong(c, o->refcount == OBJ_SHARED_REFCOUNT ? INT_MAX : (long long)o->refcount);
}

void objectIdletimeCommand(client *c) {
    obj *o = objectCommandLookup(c, c->argv[2]);
    if (o == NULL) {
        addReplyNull(c);
        return;
    }
    if (lfuPolicy()) {
        addReplyError(c, "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
                         "when switching between policies at runtime LRU and LFU data will take some time "
                         "to adjust.");
        return;
    }
    addReplyLongLong(c, (long long)(estimateObjectIdleTime(o) / 1000));
}

void objectFreqCommand(client *c) {
    obj *o = objectCommandLookup(c, c->argv[2]);
    if (o == NULL) {
        addReplyNull(c);
        return;
    }
    if (!lfuPolicy()) {
        addReplyError(c, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                         "Please note that when switching between policies at runtime LRU and LFU data "
                         "will take some time to adjust.");
        return;
    }
    addReplyLongLong(c, (long long)lfuDecayedCounter(o));
}

void objectHelpCommand(client *c) {
    static const char *help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL};
    addReplyHelp(c, help);
}

/* ---------- EXPIRE family ---------- */

#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)

static int parseExpireFlagsOrReply(client *c, int *flags) {
    for (int j = 3; j < c->argc; j++) {
        obj *a = c->argv[j];
        if (argIs(a, "nx")) *flags |= EXPIRE_NX;
        else if (argIs(a, "xx")) *flags |= EXPIRE_XX;
        else if (argIs(a, "gt")) *flags |= EXPIRE_GT;
        else if (argIs(a, "lt")) *flags |= EXPIRE_LT;
        else {
            char buf[LONG_STR_SIZE];
            size_t len;
            const char *s = objStrPtr(a, buf, sizeof(buf), &len);
            addReplyErrorFormat(c, "ERR Unsupported option %s", s);
            return -1;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        addReplyError(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        addReplyError(c, "ERR GT and LT options at the same time are not compatible");
        return -1;
    }
    return 0;
}

/* A key without TTL counts as an infinite TTL for GT/LT. */
static int expireConditionFails(int flags, long long current, long long when) {
    if ((flags & EXPIRE_NX) && current != -1) return 1;
    if ((flags & EXPIRE_XX) && current == -1) return 1;
    if ((flags & EXPIRE_GT) && (current == -1 || when <= current)) return 1;
    if ((flags & EXPIRE_LT) && current != -1 && when >= current) return 1;
    return 0;
}

static void expireGenericCommand(client *c, long long basetime, int seconds, int is_pexpireat) {
    obj *key = c->argv[1];
    int flags = 0;
    long long when;
    if (parseExpireFlagsOrReply(c, &flags) != 0) return;
    if (getLongLongFromObjectOrReply(c, c->argv[2], &when, NULL) != 0) return;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            addReplyErrorExpireTime(c);
            return;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) {
        addReplyErrorExpireTime(c);
        return;
    }
    when += basetime;

    if (lookupKeyWrite(c->db, key) == NULL) {
        addReply(c, shared.czero);
        return;
    }
    if (flags && expireConditionFails(flags, getExpire(c->db, key), when)) {
        addReply(c, shared.czero);
        return;
    }
    if (checkAlreadyExpired(when)) {
        int lazy = server.lazyfree_lazy_expire;
        if (lazy) dbAsyncDelete(c->db, key);
        else dbSyncDelete(c->db, key);
        server.dirty++;
        rewriteClientCommandVector(c, 2, lazy ? shared.unlink : shared.del, key);
        signalModifiedKey(c, c->db, key);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
        addReply(c, shared.cone);
        return;
    }
    setExpire(c, c->db, key, when);
    addReply(c, shared.cone);
    /* Replicas and the AOF get the absolute deadline, immune to delays. */
    if (!is_pexpireat) rewriteClientCommandArgument(c, 0, shared.pexpireat);
    if (basetime != 0 || seconds) {
        obj *w = createStringObjectFromLongLong(when);
        rewriteClientCommandArgument(c, 2, w);
        decrRefCount(w);
    }
    signalModifiedKey(c, c->db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, c->db->id);
    server.dirty++;
}

void expireCommand(client *c) { expireGenericCommand(c, commandTimeSnapshot(), 1, 0); }
void pexpireCommand(client *c) { expireGenericCommand(c, commandTimeSnapshot(), 0, 0); }
void expireatCommand(client *c) { expireGenericCommand(c, 0, 1, 0); }
void pexpireatCommand(client *c) { expireGenericCommand(c, 0, 0, 1); }

static void ttlGenericCommand(client *c, int output_ms, int output_abs) {
    if (lookupKeyReadWithFlags(c->db, c->argv[1], LOOKUP_NOTOUCH) == NULL) {
        addReplyLongLong(c, -2);
        return;
    }
    long long expire = getExpire(c->db, c->argv[1]);
    if (expire == -1) {
        addReplyLongLong(c, -1);
        return;
    }
    long long ttl = output_abs ? expire : expire - commandTimeSnapshot();
    if (ttl < 0) ttl = 0;
    addReplyLongLong(c, output_ms ? ttl : (ttl + 500) / 1000);
}

void ttlCommand(client *c) { ttlGenericCommand(c, 0, 0); }
void pttlCommand(client *c) { ttlGenericCommand(c, 1, 0); }
void expiretimeCommand(client *c) { ttlGenericCommand(c, 0, 1); }
void pexpiretimeCommand(client *c) { ttlGenericCommand(c, 1, 1); }

void persistCommand(client *c) {
    if (lookupKeyWrite(c->db, c->argv[1]) == NULL || !removeExpire(c->db, c->argv[1])) {
        addReply(c, shared.czero);
        return;
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "persist", c->argv[1], c->db->id);
    server.dirty++;
    addReply(c, shared.cone);
}

/* ---------- command table ---------- */

static const serverCommandDef objectSubcommands[] = {
    {"encoding", objectEncodingCommand, 3, "readonly", 2, 2, 1, "generic", "Returns the internal encoding of an object.", "2.2.3", "O(1)", NULL, NULL, "key"},
    {"freq", objectFreqCommand, 3, "readonly", 2, 2, 1, "generic", "Returns the logarithmic access frequency counter of an object.", "4.0.0", "O(1)", NULL, NULL, "key"},
    {"help", objectHelpCommand, 2, "loading stale", 0, 0, 0, "generic", "Returns helpful text about the different subcommands.", "6.2.0", "O(1)", NULL, NULL, ""},
    {"idletime", objectIdletimeCommand, 3, "readonly", 2, 2, 1, "generic", "Returns the time since the last access to an object.", "2.2.3", "O(1)", NULL, NULL, "key"},
    {"refcount", objectRefcountCommand, 3, "readonly", 2, 2, 1, "generic", "Returns the reference count of a value of a key.", "2.2.3", "O(1)", NULL, NULL, "key"},
    {0}};

const serverCommandDef keysCommandTable[] = {
    {"keys", keysCommand, 2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern.", "1.0.0", "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", NULL, NULL, "pattern"},
    {"scan", scanCommand, -2, "readonly touches_arbitrary_keys", 0, 0, 0, "generic", "Iterates over the key names in the database.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", NULL, NULL, "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
    {"randomkey", randomkeyCommand, 1, "readonly touches_arbitrary_keys", 0, 0, 0, "generic", "Returns a random key name from the database.", "1.0.0", "O(1)", NULL, NULL, ""},
    {"dbsize", dbsizeCommand, 1, "readonly fast", 0, 0, 0, "server", "Returns the number of keys in the database.", "1.0.0", "O(1)", NULL, NULL, ""},
    {"exists", existsCommand, -2, "readonly fast", 1, -1, 1, "generic", "Determines whether one or more keys exist.", "1.0.0", "O(N) where N is the number of keys to check.", NULL, NULL, "key [key ...]"},
    {"del", delCommand, -2, "write", 1, -1, 1, "generic", "Deletes one or more keys.", "1.0.0", "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).", NULL, NULL, "key [key ...]"},
    {"unlink", unlinkCommand, -2, "write fast", 1, -1, 1, "generic", "Asynchronously deletes one or more keys.", "4.0.0", "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.", NULL, NULL, "key [key ...]"},
    {"type", typeCommand, 2, "readonly fast", 1, 1, 1, "generic", "Determines the type of value stored at a key.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"touch", touchCommand, -2, "readonly fast", 1, -1, 1, "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1", "O(N) where N is the number of keys that will be touched.", NULL, NULL, "key [key ...]"},
    {"rename", renameCommand, 3, "write", 1, 2, 1, "generic", "Renames a key and overwrites the destination.", "1.0.0", "O(1)", NULL, NULL, "key newkey"},
    {"renamenx", renamenxCommand, 3, "write fast", 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist.", "1.0.0", "O(1)", NULL, NULL, "key newkey"},
    {"copy", copyCommand, -3, "write denyoom", 1, 2, 1, "generic", "Copies the value of a key to a new key.", "6.2.0", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", NULL, NULL, "source destination [DB destination-db] [REPLACE]"},
    {"move", moveCommand, 3, "write fast", 1, 1, 1, "generic", "Moves a key to another database.", "1.0.0", "O(1)", NULL, NULL, "key db"},
    {"swapdb", swapdbCommand, 3, "write fast", 0, 0, 0, "server", "Swaps two databases.", "4.0.0", "O(N) where N is the count of clients watching or blocking on keys from both databases.", NULL, NULL, "index1 index2"},
    {"flushdb", flushdbCommand, -1, "write", 0, 0, 0, "server", "Remove all keys from the current database.", "1.0.0", "O(N) where N is the number of keys in the selected database", NULL, NULL, "[ASYNC|SYNC]"},
    {"flushall", flushallCommand, -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.", "1.0.0", "O(N) where N is the total number of keys in all databases", NULL, NULL, "[ASYNC|SYNC]"},
    {"object", NULL, -2, "", 0, 0, 0, "generic", "A container for object introspection commands.", "2.2.3", "Depends on subcommand.", NULL, objectSubcommands, ""},
    {"expire", expireCommand, -3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key in seconds.", "1.0.0", "O(1)", NULL, NULL, "key seconds [NX|XX|GT|LT]"},
    {"pexpire", pexpireCommand, -3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds.", "2.6.0", "O(1)", NULL, NULL, "key milliseconds [NX|XX|GT|LT]"},
    {"expireat", expireatCommand, -3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp.", "1.2.0", "O(1)", NULL, NULL, "key unix-time-seconds [NX|XX|GT|LT]"},
    {"pexpireat", pexpireatCommand, -3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0", "O(1)", NULL, NULL, "key unix-time-milliseconds [NX|XX|GT|LT]"},
    {"ttl", ttlCommand, 2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time in seconds of a key.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"pttl", pttlCommand, 2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key.", "2.6.0", "O(1)", NULL, NULL, "key"},
    {"expiretime", expiretimeCommand, 2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp.", "7.0.0", "O(1)", NULL, NULL, "key"},
    {"pexpiretime", pexpiretimeCommand, 2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0", "O(1)", NULL, NULL, "key"},
    {"persist", persistCommand, 2, "write fast", 1, 1, 1, "generic", "Removes the expiration time of a key.", "2.2.0", "O(1)", NULL, NULL, "key"},
    {0}};
