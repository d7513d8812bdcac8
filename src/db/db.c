/* db: the keyspace of each database (key -> value object) and its expire
 * table (the same key bstr -> absolute unix ms). Lookups apply lazy expiry;
 * every mutation path goes through here so WATCH, blocking and replication
 * hooks see it. */
#include "server/server.h"
#include <stdlib.h>
#include <string.h>

/* Keyspace entries are tagged pointers, so a key costs one allocation when it can:
 *  - tag 0, packed (obj.packed != 0): an EMBSTR value and a key of at most
 *    31 bytes each: [8-byte obj header][key bytes][T5 value bstr + NUL]. The header's
 *    last byte is the key's 1-byte (T5) bstr header and there is no pointer
 *    field, so "key:123456" -> "value:123456" fits a 32-byte allocation.
 *  - tag 0, unpacked: a string object (EMBSTR, or INT that is not a shared
 *    integer) with the key embedded after the full header, before an embedded
 *    value: [obj][bstr8 key + NUL][bstr8 value + NUL]. Keys up to 255 bytes.
 *  - tag 1: a dbHolder (value pointer + embedded key) for every other value,
 *    which callers may keep mutating through the pointer they passed in.
 * The expires table is keyed by the bstr inside the entry (a packed key has
 * no NUL: every user goes by bstrLen), so replacing an entry re-points it. */
#define DB_ENTRY_HOLDER 1UL

typedef struct dbHolder {
    obj *val;
    uint8_t keyoff;   /* bytes from data to the key (its bstr header size) */
    char data[];
} dbHolder;

static inline int entryIsHolder(const void *e) { return ((uintptr_t)e & DB_ENTRY_HOLDER) != 0; }
static inline dbHolder *entryHolder(const void *e) { return (dbHolder *)((uintptr_t)e & ~DB_ENTRY_HOLDER); }

bstr dbEntryKey(const void *e) {
    if (entryIsHolder(e)) {
        dbHolder *h = entryHolder(e);
        return h->data + h->keyoff;
    }
    const obj *o = e;
    if (o->packed) return (char *)o + OBJ_PACKED_HDR;
    return (char *)(o + 1) + sizeof(struct bstrh8);
}

obj *dbEntryVal(const void *e) { return entryIsHolder(e) ? entryHolder(e)->val : (obj *)e; }

/* Writes a bstr header + bytes + NUL at dst; returns the header size. */
static size_t writeBstrAt(char *dst, const char *p, size_t len) {
    size_t hdr;
    if (len < 256) {
        struct bstrh8 *h = (struct bstrh8 *)dst;
        h->len = h->alloc = (uint8_t)len;
        h->flags = BSTR_T8;
        hdr = sizeof(*h);
    } else if (len < 65536) {
        struct bstrh16 *h = (struct bstrh16 *)dst;
        h->len = h->alloc = (uint16_t)len;
        h->flags = BSTR_T16;
        hdr = sizeof(*h);
    } else if (len <= UINT32_MAX) {
        struct bstrh32 *h = (struct bstrh32 *)dst;
        h->len = h->alloc = (uint32_t)len;
        h->flags = BSTR_T32;
        hdr = sizeof(*h);
    } else {
        struct bstrh64 *h = (struct bstrh64 *)dst;
        h->len = h->alloc = len;
        h->flags = BSTR_T64;
        hdr = sizeof(*h);
    }
    memcpy(dst + hdr, p, len);
    dst[hdr + len] = '\0';
    return hdr;
}

static size_t bstrHdrSizeFor(size_t len) {
    if (len < 256) return sizeof(struct bstrh8);
    if (len < 65536) return sizeof(struct bstrh16);
    if (len <= UINT32_MAX) return sizeof(struct bstrh32);
    return sizeof(struct bstrh64);
}

static int canEmbed(const obj *val, size_t klen) {
    if (klen >= 256 || val->type != OBJ_STRING) return 0;
    if (val->encoding == OBJ_ENCODING_EMBSTR) return 1;
    return val->encoding == OBJ_ENCODING_INT && val->refcount != OBJ_SHARED_REFCOUNT;
}

/* Both key and value must fit a T5 header (objPtr relies on the value's). */
static int canPack(const obj *val, size_t klen) {
    return klen <= BSTR_T5_MAXLEN && val->encoding == OBJ_ENCODING_EMBSTR && bstrLen(objPtr(val)) <= BSTR_T5_MAXLEN;
}

static size_t embeddedSize(size_t klen, const obj *val) {
    if (canPack(val, klen)) return OBJ_PACKED_HDR + klen + 1 + bstrLen(objPtr(val)) + 1;
    size_t size = sizeof(obj) + sizeof(struct bstrh8) + klen + 1;
    if (val->encoding == OBJ_ENCODING_EMBSTR) size += sizeof(struct bstrh8) + bstrLen(objPtr(val)) + 1;
    return size;
}

static void copyHeader(obj *o, const obj *val) {
    o->type = val->type;
    o->encoding = val->encoding;
    o->lru = val->lru;
}

/* Writes a packed entry's value behind its key (header and key already set). */
static void fillPackedValue(obj *o, const obj *val) {
    copyHeader(o, val);
    char *p = (char *)o + OBJ_PACKED_HDR + (o->packed >> 3);
    const char *v = objPtr(val);
    size_t vlen = bstrLen((bstr)v);
    bstrWriteT5(p, v, vlen)[vlen] = '\0';
}

/* Copies val's header and value bytes behind the already written key. */
static void fillEmbeddedValue(obj *o, size_t klen, const obj *val) {
    copyHeader(o, val);
    char *p = (char *)(o + 1) + sizeof(struct bstrh8) + klen + 1;
    if (val->encoding == OBJ_ENCODING_EMBSTR) objSetPtr(o, p + writeBstrAt(p, objPtr(val), bstrLen(objPtr(val))));
    else objSetPtr(o, objPtr(val));
}

/* An embedded entry holding a copy of val (the caller's reference is untouched). */
static obj *makeEmbeddedEntry(const char *key, size_t klen, const obj *val) {
    obj *o = zmalloc(embeddedSize(klen, val));
    o->refcount = 1;
    if (canPack(val, klen)) {
        bstrWriteT5((char *)o + OBJ_PACKED_HDR - 1, key, klen); /* its header byte is o->packed */
        fillPackedValue(o, val);
        return o;
    }
    o->packed = 0;
    writeBstrAt((char *)(o + 1), key, klen);
    fillEmbeddedValue(o, klen, val);
    return o;
}

/* Overwriting a string with a string of a similar size (SET on a hot key):
 * rewrite the embedded entry where it is, keeping its key and allocation.
 * Only when nobody else holds the old object and the shape stays the same. */
static int overwriteEmbeddedInPlace(void *olde, size_t klen, obj *val) {
    if (entryIsHolder(olde) || !canEmbed(val, klen)) return 0;
    obj *old = olde;
    if (old->refcount != 1 || (old->packed != 0) != canPack(val, klen)) return 0;
    size_t need = embeddedSize(klen, val), have = zmalloc_size(old);
    if (need > have || need <= have / 2) return 0;
    if (old->packed) fillPackedValue(old, val);
    else fillEmbeddedValue(old, klen, val);
    decrRefCount(val);
    return 1;
}

/* Builds the entry for key -> val, consuming the caller's reference to val. */
static void *makeEntry(const char *key, size_t klen, obj *val) {
    if (canEmbed(val, klen)) {
        obj *o = makeEmbeddedEntry(key, klen, val);
        decrRefCount(val);
        return o;
    }
    size_t hdr = bstrHdrSizeFor(klen);
    dbHolder *h = zmalloc(sizeof(*h) + hdr + klen + 1);
    h->val = val;
    h->keyoff = (uint8_t)writeBstrAt(h->data, key, klen);
    return (void *)((uintptr_t)h | DB_ENTRY_HOLDER);
}

/* Frees the entry's own memory, returning the value with one reference that
 * the caller now owns (for an embedded entry, the entry itself). */
static obj *releaseEntry(void *e) {
    if (!entryIsHolder(e)) return e;
    dbHolder *h = entryHolder(e);
    obj *val = h->val;
    zfree(h);
    return val;
}

size_t dbEntryKeyOverhead(const void *e) {
    if (entryIsHolder(e)) return zmalloc_size(entryHolder(e));
    const obj *o = e;
    return o->encoding == OBJ_ENCODING_EMBSTR ? 0 : zmalloc_size((void *)o) - sizeof(obj);
}

static const void *dbEntryKeyVoid(const void *e) { return dbEntryKey(e); }
static void dbEntryDestructor(void *e) { decrRefCount(releaseEntry(e)); }

/* A write command hashes its key twice (lookupKeyWrite, then setKey or
 * dbOverwrite): remember the last short key hashed, checked by content, so
 * the keyed hash runs once. Main thread only (the lazyfree thread never hashes). */
static struct {
    size_t len;
    uint64_t hash;
    char key[32];
} key_hash_memo = {SIZE_MAX, 0, {0}};

static uint64_t dbKeyHash(const void *key) {
    size_t len = bstrLen((const bstr)key);
    if (len == key_hash_memo.len && memcmp(key, key_hash_memo.key, len) == 0) return key_hash_memo.hash;
    uint64_t h = htGenHash(key, len);
    if (len <= sizeof(key_hash_memo.key)) {
        key_hash_memo.len = len;
        key_hash_memo.hash = h;
        memcpy(key_hash_memo.key, key, len);
    }
    return h;
}

kvtType dbKeysType = {dbEntryKeyVoid, dbKeyHash, htBstrEqual, dbEntryDestructor};
htType dbExpiresType = {htBstrHash, htBstrEqual, NULL, NULL};

static inline bstr keyBstr(obj *key) {
    serverAssert(sdsEncodedObject(key));
    return objPtr(key);
}

static void updateLFU(obj *val);

static void addReplyOrNull(client *c, obj *reply) {
    if (reply) addReply(c, reply);
}

obj *lookupKey(serverDb *db, obj *key, int flags) {
    void *de = kvtFind(db->keys, keyBstr(key));
    obj *val = NULL;
    if (de) {
        val = dbEntryVal(de);
        int expire_flags = 0;
        if ((flags & LOOKUP_WRITE) && !(server.primary_host && server.current_client &&
                                        (server.current_client->flags & CLIENT_PRIMARY)))
            expire_flags |= LOOKUP_WRITE;
        if (flags & LOOKUP_NOEXPIRE) expire_flags |= LOOKUP_NOEXPIRE;
        if (expireIfNeeded(db, key, expire_flags)) val = NULL;
    }
    if (val) {
        client *cur = server.current_client;
        int notouch = (flags & LOOKUP_NOTOUCH) || (cur && (cur->flags & CLIENT_NO_TOUCH) && cur->cmd &&
                                                   strcmp(cur->cmd->fullname, "touch") != 0);
        if (!hasActiveChildProcess() && !notouch) {
            if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) updateLFU(val);
            else val->lru = LRU_CLOCK();
        }
        if (!(flags & (LOOKUP_NOSTATS | LOOKUP_WRITE))) server.stat_keyspace_hits++;
    } else {
        if (!(flags & (LOOKUP_NONOTIFY | LOOKUP_WRITE))) notifyKeyspaceEvent(NOTIFY_KEY_MISS, "keymiss", key, db->id);
        if (!(flags & (LOOKUP_NOSTATS | LOOKUP_WRITE))) server.stat_keyspace_misses++;
    }
    return val;
}

obj *lookupKeyReadWithFlags(serverDb *db, obj *key, int flags) { return lookupKey(db, key, flags & ~LOOKUP_WRITE); }
obj *lookupKeyRead(serverDb *db, obj *key) { return lookupKeyReadWithFlags(db, key, LOOKUP_NONE); }
obj *lookupKeyWriteWithFlags(serverDb *db, obj *key, int flags) { return lookupKey(db, key, flags | LOOKUP_WRITE); }
obj *lookupKeyWrite(serverDb *db, obj *key) { return lookupKeyWriteWithFlags(db, key, LOOKUP_NONE); }

obj *lookupKeyReadOrReply(client *c, obj *key, obj *reply) {
    obj *o = lookupKeyRead(c->db, key);
    if (!o) addReplyOrNull(c, reply);
    return o;
}
obj *lookupKeyWriteOrReply(client *c, obj *key, obj *reply) {
    obj *o = lookupKeyWrite(c->db, key);
    if (!o) addReplyOrNull(c, reply);
    return o;
}

/* LFU: logarithmic counter in the low 8 bits, minutes in the high 16. */
unsigned long lfuTimeInMinutes(void) { return (unsigned long)(server.unixtime / 60) & 65535; }
static unsigned long lfuDecrAndReturn(obj *o) {
    unsigned long ldt = o->lru >> 8, counter = o->lru & 255;
    unsigned long now = lfuTimeInMinutes();
    unsigned long elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    unsigned long periods = server.lfu_decay_time ? elapsed / (unsigned long)server.lfu_decay_time : 0;
    if (periods) counter = periods > counter ? 0 : counter - periods;
    return counter;
}
unsigned long objectGetLFUFrequency(obj *o) { return lfuDecrAndReturn(o); }
static void updateLFU(obj *val) {
    unsigned long counter = lfuDecrAndReturn(val);
    if (counter < 255) {
        double r = (double)random() / RAND_MAX;
        double baseval = counter > 5 ? (double)(counter - 5) : 0;
        double p = 1.0 / (baseval * server.lfu_log_factor + 1);
        if (r < p) counter++;
    }
    val->lru = (unsigned)(lfuTimeInMinutes() << 8) | (unsigned)counter;
}

void dbAdd(serverDb *db, obj *key, obj *val) {
    bstr k = keyBstr(key);
    int type = val->type;
    int r = kvtAdd(db->keys, makeEntry(k, bstrLen(k), val));
    serverAssert(r == 0);
    signalKeyAsReady(db, key, type);
    notifyKeyspaceEvent(NOTIFY_NEW, "new", key, db->id);
}

int dbAddRDBLoad(serverDb *db, bstr key, obj *val) {
    if (kvtFind(db->keys, key)) return 0;
    kvtAdd(db->keys, makeEntry(key, bstrLen(key), val));
    bstrFree(key);
    return 1;
}

static void freeValueMaybeAsync(serverDb *db, obj *key, obj *old, int async) {
    if (async) freeObjAsync(key, old, db->id);
    else decrRefCount(old);
}

/* The expires table is keyed by the bstr inside the entry: follow a replacement. */
static void repointExpire(serverDb *db, bstr key, bstr newkey) {
    if (htSize(db->expires) == 0) return;
    htEntry *de = htFind(db->expires, key);
    if (de) de->key = newkey;
}

/* Replaces the value in the slot ref (found for key), consuming val. */
static void overwriteEntry(serverDb *db, obj *key, void **ref, obj *val) {
    bstr k = keyBstr(key);
    void *olde = *ref;
    obj *old = dbEntryVal(olde);
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) val->lru = old->lru;
    if (overwriteEmbeddedInPlace(olde, bstrLen(k), val)) return;
    void *newe = makeEntry(k, bstrLen(k), val);
    *ref = newe;
    repointExpire(db, k, dbEntryKey(newe));
    freeValueMaybeAsync(db, key, releaseEntry(olde), server.lazyfree_lazy_server_del);
}

void dbOverwrite(serverDb *db, obj *key, obj *val) {
    void **ref = kvtFindRef(db->keys, keyBstr(key));
    serverAssert(ref != NULL);
    overwriteEntry(db, key, ref, val);
}

void setKey(client *c, serverDb *db, obj *key, obj *val, int flags) {
    /* One keyspace lookup: the slot found here is the one overwritten. */
    void **ref = (flags & SETKEY_DOESNT_EXIST) ? NULL : kvtFindRef(db->keys, keyBstr(key));
    serverAssert(ref != NULL || !(flags & SETKEY_ALREADY_EXIST));
    incrRefCount(val);
    if (!ref) {
        dbAdd(db, key, val);
    } else {
        if (!(flags & SETKEY_KEEPTTL)) removeExpire(db, key);
        overwriteEntry(db, key, ref, val);
    }
    if (!(flags & SETKEY_NO_SIGNAL)) signalModifiedKey(c, db, key);
}

int dbExists(serverDb *db, obj *key) { return kvtFind(db->keys, keyBstr(key)) != NULL; }

obj *dbRandomKey(serverDb *db) {
    int maxtries = 100;
    int allvolatile = kvtSize(db->keys) == htSize(db->expires);
    while (1) {
        void *de = kvtFairRandom(db->keys);
        if (!de) return NULL;
        bstr k = dbEntryKey(de);
        obj *keyobj = createStringObject(k, bstrLen(k));
        if (htFind(db->expires, k)) {
            if (allvolatile && server.primary_host && --maxtries == 0) return keyobj;
            if (expireIfNeeded(db, keyobj, 0)) {
                decrRefCount(keyobj);
                continue;
            }
        }
        return keyobj;
    }
}

int dbGenericDelete(serverDb *db, obj *key, int async, int flags) {
    void *de = kvtPop(db->keys, keyBstr(key));
    if (!de) return 0;
    obj *val = dbEntryVal(de);
    /* Unblock clients waiting on a deleted key when they asked for it. */
    signalDeletedKeyAsReady(db, key, val->type);
    if (htSize(db->expires)) htDelete(db->expires, dbEntryKey(de));
    freeValueMaybeAsync(db, key, releaseEntry(de), async);
    return 1;
}

int dbSyncDelete(serverDb *db, obj *key) { return dbGenericDelete(db, key, 0, 0); }
int dbAsyncDelete(serverDb *db, obj *key) { return dbGenericDelete(db, key, 1, 0); }
int dbDelete(serverDb *db, obj *key) { return dbGenericDelete(db, key, server.lazyfree_lazy_server_del, 0); }

obj *dbUnshareStringValue(serverDb *db, obj *key, obj *o) {
    if (o->refcount != 1 || o->encoding != OBJ_ENCODING_RAW) {
        obj *decoded = getDecodedObject(o);
        o = createRawStringObject(objPtr(decoded), bstrLen(objPtr(decoded)));
        decrRefCount(decoded);
        dbOverwrite(db, key, o);
    }
    return o;
}

size_t dbSize(serverDb *db) { return kvtSize(db->keys); }

long long dbTotalServerKeyCount(void) {
    long long total = 0;
    for (int j = 0; j < server.dbnum; j++) total += (long long)kvtSize(server.db[j].keys);
    return total;
}

long long emptyData(int dbnum, int flags, void(callback)(hashtable *)) {
    (void)callback; /* no caller asks for progress callbacks yet */
    int async = flags & EMPTYDB_ASYNC;
    long long removed = 0;
    int start = dbnum == -1 ? 0 : dbnum, end = dbnum == -1 ? server.dbnum - 1 : dbnum;
    if (dbnum < -1 || dbnum >= server.dbnum) return -1;
    /* Every emptying (FLUSH*, full sync, DEBUG RELOAD) touches watchers and
     * invalidates client caches, while the keys still exist to be seen. */
    signalFlushedDb(dbnum, async);
    for (int j = start; j <= end; j++) {
        serverDb *db = &server.db[j];
        removed += (long long)kvtSize(db->keys);
        if (async) {
            emptyDbAsync(db);
        } else {
            htEmpty(db->expires, NULL);
            kvtEmpty(db->keys, NULL, NULL);
        }
        db->avg_ttl = 0;
        db->expires_cursor = 0;
    }
    /* Emptying everything (full sync, DEBUG RELOAD) takes the function
     * libraries too; FLUSHALL asks to keep them, as in Valkey. */
    if (dbnum == -1 && !(flags & EMPTYDB_NOFUNCTIONS) && functionsFlushAll) functionsFlushAll();
    return removed;
}

int selectDb(client *c, int id) {
    if (id < 0 || id >= server.dbnum) return -1;
    c->db = &server.db[id];
    return 0;
}

int checkType(client *c, obj *o, int type) {
    if (o && o->type != (unsigned)type) {
        addReplyErrorObject(c, shared.wrongtypeerr);
        return 1;
    }
    return 0;
}

void signalModifiedKey(client *c, serverDb *db, obj *key) {
    touchWatchedKey(db, key);
    if (server.tracking_active) trackingInvalidateKey(c, key, 1);
}

void signalFlushedDb(int dbid, int async) {
    int start = dbid == -1 ? 0 : dbid, end = dbid == -1 ? server.dbnum - 1 : dbid;
    for (int j = start; j <= end; j++) touchAllWatchedKeysInDb(&server.db[j], NULL);
    if (server.tracking_active) trackingInvalidateKeysOnFlush(async);
}

/* ---------- expiry ---------- */
void setExpire(client *c, serverDb *db, obj *key, long long when) {
    void *kde = kvtFind(db->keys, keyBstr(key));
    serverAssert(kde != NULL);
    htEntry *existing = NULL;
    htEntry *de = htAddRaw(db->expires, dbEntryKey(kde), &existing);
    if (!de) de = existing;
    de->v.s64 = when;
}

long long getExpire(serverDb *db, obj *key) {
    if (htSize(db->expires) == 0) return -1;
    htEntry *de = htFind(db->expires, keyBstr(key));
    return de ? de->v.s64 : -1;
}

int removeExpire(serverDb *db, obj *key) {
    if (htSize(db->expires) == 0) return 0;
    return htDelete(db->expires, keyBstr(key)) == 0;
}

int checkAlreadyExpired(long long when) {
    return when <= commandTimeSnapshot() && !server.loading && !server.primary_host;
}

int keyIsExpired(serverDb *db, obj *key) {
    if (server.loading) return 0;
    long long when = getExpire(db, key);
    if (when < 0) return 0;
    return commandTimeSnapshot() > when;
}

void propagateDeletion(serverDb *db, obj *key, int lazy) {
    obj *argv[2] = {lazy ? shared.unlink : shared.del, key};
    incrRefCount(argv[0]);
    incrRefCount(argv[1]);
    alsoPropagate(db->id, argv, 2, PROPAGATE_AOF | PROPAGATE_REPL);
    decrRefCount(argv[0]);
    decrRefCount(argv[1]);
}

void deleteExpiredKeyAndPropagate(serverDb *db, obj *keyobj) {
    int lazy = server.lazyfree_lazy_expire;
    dbGenericDelete(db, keyobj, lazy, 0);
    notifyKeyspaceEvent(NOTIFY_EXPIRED, "expired", keyobj, db->id);
    signalModifiedKey(NULL, db, keyobj);
    propagateDeletion(db, keyobj, lazy);
    server.stat_expiredkeys++;
}

/* Returns 1 when the key is (logically) expired. Replicas never delete on
 * their own: the primary's DEL arrives through the stream. */
int expireIfNeeded(serverDb *db, obj *key, int flags) {
    if (!keyIsExpired(db, key)) return 0;
    if (server.primary_host) {
        if (server.current_client && (server.current_client->flags & CLIENT_PRIMARY)) return 0;
        if (!(flags & LOOKUP_WRITE)) return 1;
        return 1;
    }
    if (flags & LOOKUP_NOEXPIRE) return 1;
    if (pauseDatasetFrozen()) return 1;   /* CLIENT PAUSE: logically gone, deleted later */
    deleteExpiredKeyAndPropagate(db, key);
    return 1;
}

void flushAllDataAndResetRDB(int flags) {
    server.dirty += emptyData(-1, flags, NULL);
}
