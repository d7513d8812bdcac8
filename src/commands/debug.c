/* debug: the DEBUG command (POPULATE, OBJECT, DIGEST, DIGEST-VALUE, RELOAD,
 * SLEEP, SET-ACTIVE-EXPIRE, ...). The dataset digest is a SHA1 mix that only
 * depends on logical content (key names, types, elements, whether a TTL is
 * set), never on encodings, so replicas and reloaded servers compare equal. */
#include "server/server.h"
#include "ds/sha1.h"
#include "persist/rdb.h"
#include "commands/t_set.h"
#include "commands/t_list.h"
#include "commands/t_zset.h"
#include "commands/t_hash.h"
#include "commands/debug.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------- digest primitives ---------- */

/* XOR the hash of the bytes into digest: element order does not matter. */
void xorDigest(unsigned char *digest, const void *ptr, size_t len) {
    unsigned char h[SHA1_DIGEST_LEN];
    sha1Digest(ptr, len, h);
    for (int j = 0; j < SHA1_DIGEST_LEN; j++) digest[j] ^= h[j];
}

/* XOR then rehash the digest itself: successive calls are order dependent. */
void mixDigest(unsigned char *digest, const void *ptr, size_t len) {
    xorDigest(digest, ptr, len);
    sha1Digest(digest, SHA1_DIGEST_LEN, digest);
}

void mixStringObjectDigest(unsigned char *digest, obj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = objStrPtr(o, buf, sizeof(buf), &len);
    mixDigest(digest, p, len);
}

/* Shortest text that reads back as the same double (scores in digests). */
int digestFormatDouble(char *buf, size_t len, double d) {
    for (int prec = 1; prec <= 17; prec++) {
        int n = snprintf(buf, len, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return n;
    }
    return snprintf(buf, len, "%.17g", d);
}

/* Type owners register per-type digest mixers here (see debug.h); until one
 * is registered, values of that type contribute only type and TTL. */
static debugDigestFn *digest_fns[16];

void debugRegisterDigestFunction(int type, debugDigestFn *fn) {
    if (type >= 0 && type < 16) digest_fns[type] = fn;
}

static void digestSet(unsigned char *digest, obj *o) {
    setTypeIterator si;
    char *str;
    size_t len;
    int64_t ll;
    setTypeInitIterator(&si, o);
    while (setTypeNext(&si, &str, &len, &ll) != -1) {
        if (str) {
            xorDigest(digest, str, len);
        } else {
            char buf[LONG_STR_SIZE];
            int l = ll2string(buf, sizeof(buf), ll);
            xorDigest(digest, buf, (size_t)l);
        }
    }
    setTypeResetIterator(&si);
}

/* Lists are ordered: every element is mixed in sequence. */
static void digestList(unsigned char *digest, obj *o) {
    listTypeIterator *li = listTypeInitIterator(o, 0, LIST_TAIL);
    listTypeEntry entry;
    while (listTypeNext(li, &entry)) {
        const char *s;
        size_t len;
        long long ll;
        if (listTypeGetValue(&entry, &s, &len, &ll)) {
            mixDigest(digest, s, len);
        } else {
            char buf[LONG_STR_SIZE];
            int l = ll2string(buf, sizeof(buf), ll);
            mixDigest(digest, buf, (size_t)l);
        }
    }
    listTypeReleaseIterator(li);
}

/* Each (member, score) pair is hashed on its own, then XORed in: order free. */
static void digestZset(unsigned char *digest, obj *o) {
    zsetIterator it;
    const char *str;
    size_t len;
    long long ll;
    double score;
    zsetInitIterator(&it, o);
    while (zsetNext(&it, &str, &len, &ll, &score)) {
        unsigned char eledigest[SHA1_DIGEST_LEN];
        char buf[MAX_D2STRING_CHARS];
        memset(eledigest, 0, sizeof(eledigest));
        if (str) {
            mixDigest(eledigest, str, len);
        } else {
            int l = ll2string(buf, sizeof(buf), ll);
            mixDigest(eledigest, buf, (size_t)l);
        }
        int l = digestFormatDouble(buf, sizeof(buf), score);
        mixDigest(eledigest, buf, (size_t)l);
        xorDigest(digest, eledigest, SHA1_DIGEST_LEN);
    }
}

static void mixHashPart(unsigned char *eledigest, hashTypeIterator *hi, int what) {
    const char *s;
    size_t len;
    long long ll;
    if (hashTypeCurrent(hi, what, &s, &len, &ll)) {
        mixDigest(eledigest, s, len);
    } else {
        char buf[LONG_STR_SIZE];
        int l = ll2string(buf, sizeof(buf), ll);
        mixDigest(eledigest, buf, (size_t)l);
    }
}

/* Field then value into a per-pair digest, pairs XORed together. */
static void digestHash(unsigned char *digest, obj *o) {
    hashTypeIterator hi;
    hashTypeInitIterator(o, &hi);
    while (hashTypeNext(&hi)) {
        unsigned char eledigest[SHA1_DIGEST_LEN];
        memset(eledigest, 0, sizeof(eledigest));
        mixHashPart(eledigest, &hi, OBJ_HASH_FIELD);
        mixHashPart(eledigest, &hi, OBJ_HASH_VALUE);
        xorDigest(digest, eledigest, SHA1_DIGEST_LEN);
    }
    hashTypeResetIterator(&hi);
}

void xorObjectDigest(serverDb *db, obj *keyobj, unsigned char *digest, obj *o) {
    uint32_t aux = htonl(o->type);
    mixDigest(digest, &aux, sizeof(aux));
    long long expiretime = getExpire(db, keyobj);
    if (o->type == OBJ_STRING) mixStringObjectDigest(digest, o);
    else if (o->type == OBJ_SET) digestSet(digest, o);
    else if (o->type == OBJ_LIST) digestList(digest, o);
    else if (o->type == OBJ_ZSET) digestZset(digest, o);
    else if (o->type == OBJ_HASH) digestHash(digest, o);
    else if (o->type < 16 && digest_fns[o->type]) digest_fns[o->type](digest, o);
    if (expiretime != -1) xorDigest(digest, "!!expire!!", 10);
}

static void computeDatasetDigest(unsigned char *final) {
    memset(final, 0, SHA1_DIGEST_LEN);
    for (int j = 0; j < server.dbnum; j++) {
        serverDb *db = server.db + j;
        if (kvtSize(db->keys) == 0) continue;
        uint32_t aux = htonl((uint32_t)j);
        mixDigest(final, &aux, sizeof(aux));
        kvtIterator it;
        kvtInitSafeIterator(&it, db->keys);
        void *e;
        while ((e = kvtNext(&it)) != NULL) {
            unsigned char digest[SHA1_DIGEST_LEN];
            bstr key = dbEntryKey(e);
            obj *keyobj = createStringObject(key, bstrLen(key));
            memset(digest, 0, sizeof(digest));
            mixDigest(digest, key, bstrLen(key));
            xorObjectDigest(db, keyobj, digest, dbEntryVal(e));
            xorDigest(final, digest, SHA1_DIGEST_LEN);
            decrRefCount(keyobj);
        }
        kvtResetIterator(&it);
    }
}

static void addReplyDigest(client *c, const unsigned char *digest) {
    char hex[41];
    sha1Hex(digest, hex);
    addReplyStatus(c, hex);
}

/* ---------- subcommands ---------- */

/* Debug commands see logically expired keys too: no lazy expiry here. */
static obj *debugFindValue(serverDb *db, obj *key) {
    void *e = kvtFind(db->keys, objPtr(key));
    return e ? dbEntryVal(e) : NULL;
}

static void debugPopulate(client *c) {
    long count, valsize = 0;
    if (getPositiveLongFromObjectOrReply(c, c->argv[2], &count, NULL) != 0) return;
    /* Pre-size as a hint only: a refusal (e.g. mid-rehash) is harmless. */
    kvtTryExpand(c->db->keys, kvtSize(c->db->keys) + (size_t)count);
    const char *prefix = c->argc > 3 ? objPtr(c->argv[3]) : "key";
    if (c->argc == 5 && getPositiveLongFromObjectOrReply(c, c->argv[4], &valsize, NULL) != 0) return;
    char *padded = valsize ? zcalloc((size_t)valsize) : NULL;
    bstr kbuf = bstrEmpty();
    for (long j = 0; j < count; j++) {
        bstrClear(kbuf);
        kbuf = bstrCatPrintf(kbuf, "%s:%ld", prefix, j);
        obj *key = createStringObject(kbuf, bstrLen(kbuf));
        if (lookupKeyWrite(c->db, key) != NULL) {
            decrRefCount(key);
            continue;
        }
        char vbuf[128];
        int vlen = snprintf(vbuf, sizeof(vbuf), "value:%ld", j);
        obj *val;
        if (valsize == 0) {
            val = createStringObject(vbuf, (size_t)vlen);
        } else {
            memset(padded, 0, (size_t)valsize);
            memcpy(padded, vbuf, (size_t)(valsize < vlen ? valsize : vlen));
            val = createStringObject(padded, (size_t)valsize);
        }
        dbAdd(c->db, key, val);
        signalModifiedKey(c, c->db, key);
        decrRefCount(key);
    }
    bstrFree(kbuf);
    zfree(padded);
    addReply(c, shared.ok);
}

/* Size of the value's RDB payload, as DEBUG OBJECT reports it. */
static size_t serializedLength(obj *o) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    ssize_t n = rdbSaveObject(&r, o);
    size_t written = bstrLen(r.io.buffer.ptr);
    bstrFree(r.io.buffer.ptr);
    return n < 0 ? 0 : written;
}

/* Quicklist layout details appended to DEBUG OBJECT, as Valkey prints them. */
static void quicklistExtra(obj *val, char *buf, size_t len) {
    buf[0] = '\0';
    if (val->type != OBJ_LIST || val->encoding != OBJ_ENCODING_QUICKLIST) return;
    quicklist *ql = objPtr(val);
    unsigned long usize = 0;
    for (quicklistNode *n = ql->head; n; n = n->next) usize += n->sz;
    double avg = ql->len ? (double)ql->count / ql->len : 0;
    snprintf(buf, len, " ql_nodes:%lu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%lu",
             ql->len, avg, ql->fill, ql->compress != 0, usize);
}

static void debugObject(client *c) {
    obj *val = debugFindValue(c->db, c->argv[2]);
    if (val == NULL) {
        addReplyErrorObject(c, shared.nokeyerr);
        return;
    }
    char extra[256];
    quicklistExtra(val, extra, sizeof(extra));
    addReplyStatusFormat(c, "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%d lru_seconds_idle:%llu%s",
                         (void *)val, val->refcount == OBJ_SHARED_REFCOUNT ? INT_MAX : (int)val->refcount, strEncoding(val->encoding), serializedLength(val),
                         (int)val->lru, estimateObjectIdleTime(val) / 1000, extra);
}

static void debugDigestValue(client *c) {
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char digest[SHA1_DIGEST_LEN];
        memset(digest, 0, sizeof(digest));
        obj *o = debugFindValue(c->db, c->argv[j]);
        if (o) xorObjectDigest(c->db, c->argv[j], digest, o);
        addReplyDigest(c, digest);
    }
}

static void debugReload(client *c) {
    int save = 1, flush = 1, flags = RDBFLAGS_NONE;
    for (int j = 2; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        if (!strcasecmp(opt, "merge")) flags |= RDBFLAGS_ALLOW_DUP;
        else if (!strcasecmp(opt, "noflush")) flush = 0;
        else if (!strcasecmp(opt, "nosave")) save = 0;
        else {
            addReplyError(c, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    if (save && rdbSave(server.dbfilename) != RDB_OK) {
        addReplyErrorObject(c, shared.err);
        return;
    }
    if (flush) emptyData(-1, EMPTYDB_NO_FLAGS, NULL);
    if (rdbLoad(server.dbfilename, NULL, flags) != RDB_OK) {
        addReplyError(c, "ERR Error trying to load the RDB dump, check server logs.");
        return;
    }
    serverLog(LL_NOTICE, "DB reloaded by DEBUG RELOAD");
    addReply(c, shared.ok);
}

static void debugSleep(client *c) {
    double secs = strtod(objPtr(c->argv[2]), NULL);
    if (secs > 0) {
        struct timespec ts;
        ts.tv_sec = (time_t)secs;
        ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    }
    addReply(c, shared.ok);
}

static const char *debugHelp[] = {
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "DICT-RESIZING <0|1>",
    "    Enable or disable the main dict and expire dict resizing.",
    "ERROR <string>",
    "    Return a Valkey protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Valkey errors.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "OBJECT <key>",
    "    Show low level info about the `key` and associated value.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the server behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    NULL};

void debugCommand(client *c) {
    const char *sub = objPtr(c->argv[1]);
    int argc = c->argc;
    if (argc == 2 && !strcasecmp(sub, "help")) {
        addReplyHelp(c, debugHelp);
    } else if (!strcasecmp(sub, "populate") && argc >= 3 && argc <= 5) {
        debugPopulate(c);
    } else if (!strcasecmp(sub, "object") && argc == 3) {
        debugObject(c);
    } else if (!strcasecmp(sub, "digest") && argc == 2) {
        unsigned char digest[SHA1_DIGEST_LEN];
        computeDatasetDigest(digest);
        addReplyDigest(c, digest);
    } else if (!strcasecmp(sub, "digest-value") && argc >= 2) {
        debugDigestValue(c);
    } else if (!strcasecmp(sub, "reload")) {
        debugReload(c);
    } else if (!strcasecmp(sub, "sleep") && argc == 3) {
        debugSleep(c);
    } else if (!strcasecmp(sub, "set-active-expire") && argc == 3) {
        server.active_expire_enabled = atoi(objPtr(c->argv[2]));
        addReply(c, shared.ok);
    } else if (!strcasecmp(sub, "dict-resizing") && argc == 3) {
        htSetResizeEnabled(atoi(objPtr(c->argv[2])));
        kvtSetResizeEnabled(atoi(objPtr(c->argv[2])));
        addReply(c, shared.ok);
    } else if (!strcasecmp(sub, "log") && argc == 3) {
        serverLog(LL_WARNING, "DEBUG LOG: %s", (char *)objPtr(c->argv[2]));
        addReply(c, shared.ok);
    } else if (!strcasecmp(sub, "error") && argc == 3) {
        addReplyError(c, objPtr(c->argv[2]));
    } else {
        addReplySubcommandSyntaxError(c);
    }
}

const serverCommandDef debugCommandTable[] = {
    {"debug", debugCommand, -2, "admin noscript loading stale protected", 0, 0, 0, "server", "A container for debugging commands.", "1.0.0", "Depends on subcommand.", NULL, NULL, "subcommand [arg ...]"},
    {0}};
