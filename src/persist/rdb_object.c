/* Value encodings: how each type is written (the form Valkey 8 writes) and
 * read back (every form listed in the spec). Compact blobs are validated
 * before they become objects, and converted when over the configured limits. */
#include "persist/rdb.h"
#include "persist/rdb_load_legacy.h"
#include "ds/listpack.h"
#include "ds/intset.h"
#include "ds/quicklist.h"
#include "commands/t_set.h"
#include "commands/t_zset.h"
#include "commands/t_hash.h"
#include <math.h>
#include <string.h>

static ssize_t rdbSaveZset(rio *r, obj *o);
int rdbSetListpackUnsupported(void);
/* Streams live in persist/rdb_stream.c. */
ssize_t rdbSaveStream(rio *r, obj *o);
obj *rdbLoadStream(rio *r, int rdbtype, int deep, int *error);
static ssize_t rdbSaveHash(rio *r, obj *o);
static obj *rdbLoadZsetPlain(rio *r, int rdbtype, int *error);
static obj *rdbLoadZsetCompact(rio *r, int rdbtype, int deep, int *error);
static obj *rdbLoadHashPlain(rio *r, int *error);
static obj *rdbLoadHashCompact(rio *r, int rdbtype, int deep, int *error);

/* ------------------------------------------------------------------ saving */

int rdbSaveObjectType(rio *r, obj *o) {
    switch (o->type) {
    case OBJ_STRING: return rdbSaveType(r, RDB_TYPE_STRING);
    case OBJ_LIST:
        if (o->encoding == OBJ_ENCODING_QUICKLIST || o->encoding == OBJ_ENCODING_LISTPACK)
            return rdbSaveType(r, RDB_TYPE_LIST_QUICKLIST_2);
        break;
    case OBJ_SET:
        if (o->encoding == OBJ_ENCODING_INTSET) return rdbSaveType(r, RDB_TYPE_SET_INTSET);
        if (o->encoding == OBJ_ENCODING_LISTPACK && !rdbSetListpackUnsupported())
            return rdbSaveType(r, RDB_TYPE_SET_LISTPACK);
        if (o->encoding == OBJ_ENCODING_HT || o->encoding == OBJ_ENCODING_LISTPACK) return rdbSaveType(r, RDB_TYPE_SET);
        break;
    case OBJ_ZSET:
        if (o->encoding == OBJ_ENCODING_LISTPACK) return rdbSaveType(r, RDB_TYPE_ZSET_LISTPACK);
        if (o->encoding == OBJ_ENCODING_SKIPLIST) return rdbSaveType(r, RDB_TYPE_ZSET_2);
        break;
    case OBJ_HASH:
        if (o->encoding == OBJ_ENCODING_LISTPACK) return rdbSaveType(r, RDB_TYPE_HASH_LISTPACK);
        if (o->encoding == OBJ_ENCODING_HT) return rdbSaveType(r, RDB_TYPE_HASH);
        break;
    case OBJ_STREAM: return rdbSaveType(r, RDB_TYPE_STREAM_LISTPACKS_3);
    }
    serverLog(LL_WARNING, "RDB: cannot save object of type %d encoding %d", o->type, o->encoding);
    return -1;
}

static ssize_t rdbSaveStringObject(rio *r, obj *o) {
    if (o->encoding == OBJ_ENCODING_INT) return rdbSaveLongLongAsString(r, (long)objPtr(o));
    return rdbSaveRawString(r, objPtr(o), bstrLen(objPtr(o)));
}

static ssize_t rdbSaveQuicklistNode(rio *r, quicklistNode *node) {
    if (rdbSaveLen(r, node->container) == -1) return -1;
    /* A compressed node is written in its LZF form as is: no recompression. */
    if (quicklistNodeIsCompressed(node)) {
        void *data;
        size_t clen = quicklistGetLzf(node, &data);
        return rdbSaveLzfBlob(r, data, clen, node->sz);
    }
    size_t sz;
    int must_free = 0;
    unsigned char *data = quicklistNodeData(node, &sz, &must_free);
    ssize_t n = rdbSaveRawString(r, data, sz);
    if (must_free) zfree(data);
    return n;
}

static ssize_t rdbSaveList(rio *r, obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        /* A small list is one PACKED node. */
        if (rdbSaveLen(r, 1) == -1 || rdbSaveLen(r, QUICKLIST_NODE_CONTAINER_PACKED) == -1) return -1;
        return rdbSaveRawString(r, objPtr(o), lpBytes(objPtr(o)));
    }
    quicklist *ql = objPtr(o);
    if (rdbSaveLen(r, ql->len) == -1) return -1;
    for (quicklistNode *node = ql->head; node; node = node->next)
        if (rdbSaveQuicklistNode(r, node) == -1) return -1;
    return 1;
}

/* SET_LISTPACK (20) exists since RDB 11: peers that asked for an older
 * version (Redis 7.0 replicas) get such sets as plain SET (2). */
int rdbSetListpackUnsupported(void) { return rdb_save_version_override && rdb_save_version_override < 11; }

static ssize_t rdbSaveListpackSetAsPlain(rio *r, unsigned char *lp) {
    if (rdbSaveLen(r, lpLength(lp)) == -1) return -1;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        unsigned char *s;
        uint32_t slen;
        long long v;
        char buf[32];
        if (!lpGetValue(p, &s, &slen, &v)) {
            slen = (uint32_t)ll2string(buf, sizeof(buf), v);
            s = (unsigned char *)buf;
        }
        if (rdbSaveRawString(r, s, slen) == -1) return -1;
    }
    return 1;
}

static ssize_t rdbSaveSet(rio *r, obj *o) {
    if (o->encoding == OBJ_ENCODING_INTSET) return rdbSaveRawString(r, objPtr(o), intsetBlobLen(objPtr(o)));
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        if (rdbSetListpackUnsupported()) return rdbSaveListpackSetAsPlain(r, objPtr(o));
        return rdbSaveRawString(r, objPtr(o), lpBytes(objPtr(o)));
    }
    if (rdbSaveLen(r, setTypeSize(o)) == -1) return -1;
    setTypeIterator si;
    setTypeInitIterator(&si, o);
    char *m;
    size_t len;
    int64_t ll;
    ssize_t rc = 1;
    while (setTypeNext(&si, &m, &len, &ll) != -1) {
        if (rdbSaveRawString(r, m, len) == -1) { /* hashtable members are always strings */
            rc = -1;
            break;
        }
    }
    setTypeResetIterator(&si);
    return rc;
}

ssize_t rdbSaveObject(rio *r, obj *o) {
    switch (o->type) {
    case OBJ_STRING: return rdbSaveStringObject(r, o);
    case OBJ_LIST: return rdbSaveList(r, o);
    case OBJ_SET: return rdbSaveSet(r, o);
    case OBJ_ZSET: return rdbSaveZset(r, o);
    case OBJ_HASH: return rdbSaveHash(r, o);
    case OBJ_STREAM: return rdbSaveStream(r, o);
    }
    return -1;
}

/* ----------------------------------------------------------------- loading */

#define RDB_FAIL(...) \
    do { rdbSetLoadError(__VA_ARGS__); goto fail; } while (0)

static obj *rdbLoadStringValue(rio *r) {
    size_t len;
    bstr s = rdbGenericLoadStringRaw(r, RDB_LOAD_BSTR, &len);
    if (!s) return NULL;
    return tryObjectEncoding(createStringObjectFromBstr(s));
}

/* Deep listpack validation state: duplicate detection over a chosen stride
 * (every member of a set, every field of a hash or zset) and score syntax. */
typedef struct lpCheck {
    hashtable *seen;     /* NULL: no duplicate check */
    int stride;          /* 1 = every entry is a member; 2 = key/value pairs */
    int scores;          /* odd entries must parse as doubles */
    unsigned long idx;
} lpCheck;

static htType rdbCheckSetType = {htBstrHash, htBstrEqual, htBstrFree, NULL};

static int rdbLpCheckEntry(unsigned char *p, unsigned int head_count, void *ud) {
    (void)head_count;
    lpCheck *c = ud;
    unsigned long i = c->idx++;
    unsigned char buf[LP_INTBUF_SIZE];
    int64_t len;
    unsigned char *s = lpGet(p, &len, buf);
    if (i % (unsigned long)c->stride == 0) {
        if (c->seen) {
            bstr member = bstrNewLen(s, (size_t)len);
            if (htAdd(c->seen, member, NULL) != 0) {
                bstrFree(member);   /* a duplicate: the set did not take it */
                return 0;
            }
        }
    } else if (c->scores) {
        double d;
        if (!string2d((char *)s, (size_t)len, &d)) return 0;
    }
    return 1;
}

/* Listpack from an untrusted blob. Entries are always walked (cheap, and it
 * keeps later accesses in bounds); duplicates are checked when `deep`. */
static int rdbValidateListpack(unsigned char *lp, size_t size, int deep, int stride, int scores) {
    lpCheck c = {NULL, stride, scores, 0};
    if (deep) c.seen = htCreate(&rdbCheckSetType);
    int ok = lpValidateIntegrity(lp, size, 1, rdbLpCheckEntry, &c);
    if (c.seen) htRelease(c.seen);
    if (ok && c.idx % (unsigned long)stride != 0) ok = 0;
    return ok;
}

/* Valkey keeps a one-node list well under the node limits as a plain
 * listpack; half the limit leaves room before it flips back. */
static obj *rdbListFromQuicklist(quicklist *ql) {
    obj *o = createObject(OBJ_LIST, ql);
    o->encoding = OBJ_ENCODING_QUICKLIST;
    quicklistNode *n = ql->head;
    if (ql->len == 1 && n->container == QUICKLIST_NODE_CONTAINER_PACKED && !quicklistNodeIsCompressed(n)) {
        size_t szlimit;
        unsigned int cntlimit;
        quicklistNodeLimit(server.list_max_listpack_size, &szlimit, &cntlimit);
        if (n->sz <= szlimit / 2 && n->count <= cntlimit / 2) {
            objSetPtr(o, lpDup(n->entry));
            o->encoding = OBJ_ENCODING_LISTPACK;
            quicklistRelease(ql);
        }
    }
    return o;
}

static obj *rdbLoadListQuicklist2(rio *r, int rdbtype, int deep, int *error) {
    uint64_t nodes = rdbLoadLen(r, NULL);
    if (nodes == RDB_LENERR) return NULL;
    quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
    while (nodes--) {
        uint64_t container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if ((container = rdbLoadLen(r, NULL)) == RDB_LENERR) goto fail;
            if (container != QUICKLIST_NODE_CONTAINER_PACKED && container != QUICKLIST_NODE_CONTAINER_PLAIN)
                RDB_FAIL("Quicklist integrity check failed: unknown container %llu", (unsigned long long)container);
        }
        size_t sz;
        unsigned char *data = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
        if (!data) goto fail;
        if (container == QUICKLIST_NODE_CONTAINER_PLAIN) {
            quicklistAppendPlainNode(ql, data, sz);
            continue;
        }
        unsigned char *lp = data;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST) {
            long n;
            lp = rdbZiplistToListpack(data, sz, &n);
            zfree(data);
            if (!lp) RDB_FAIL("Ziplist integrity check failed.");
        } else if (!rdbValidateListpack(lp, sz, 0, 1, 0)) {
            zfree(lp);
            RDB_FAIL("Listpack integrity check failed.");
        }
        if (lpLength(lp) == 0) {
            /* Old servers could leave empty nodes behind: drop them. */
            lpFree(lp);
            continue;
        }
        quicklistAppendListpack(ql, lp);
    }
    if (quicklistCount(ql) == 0) {
        quicklistRelease(ql);
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    (void)deep;
    return rdbListFromQuicklist(ql);
fail:
    quicklistRelease(ql);
    return NULL;
}

/* Old list encodings: a plain list of strings, or one ziplist. */
static obj *rdbLoadListOld(rio *r, int rdbtype, int *error) {
    quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
    if (rdbtype == RDB_TYPE_LIST) {
        uint64_t len = rdbLoadLen(r, NULL);
        if (len == RDB_LENERR) goto fail;
        while (len--) {
            size_t sz;
            char *ele = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
            if (!ele) goto fail;
            quicklistPushTail(ql, ele, sz);
            zfree(ele);
        }
    } else {
        size_t sz;
        long n;
        unsigned char *zl = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
        if (!zl) goto fail;
        unsigned char *lp = rdbZiplistToListpack(zl, sz, &n);
        zfree(zl);
        if (!lp) RDB_FAIL("Ziplist integrity check failed.");
        if (n == 0) lpFree(lp);
        else quicklistAppendListpack(ql, lp);
    }
    if (quicklistCount(ql) == 0) {
        quicklistRelease(ql);
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    return rdbListFromQuicklist(ql);
fail:
    quicklistRelease(ql);
    return NULL;
}

/* SET: members one by one, encoding picked from the announced size. */
static obj *rdbLoadSetPlain(rio *r, int *error) {
    uint64_t len = rdbLoadLen(r, NULL);
    if (len == RDB_LENERR) return NULL;
    if (len == 0) {
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    obj *o = NULL;
    for (uint64_t i = 0; i < len; i++) {
        size_t sz;
        bstr m = rdbGenericLoadStringRaw(r, RDB_LOAD_BSTR, &sz);
        if (!m) goto fail;
        if (!o) o = setTypeCreate(m, sz, len > (1 << 20) ? (1 << 20) : len);
        int added = setTypeAddAux(o, m, sz, 0, 1);
        bstrFree(m);
        if (!added) RDB_FAIL("Duplicate set members detected");
    }
    return o;
fail:
    if (o) decrRefCount(o);
    return NULL;
}

static obj *rdbLoadSetIntset(rio *r, int deep, int *error) {
    size_t sz;
    unsigned char *blob = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
    if (!blob) return NULL;
    /* Ordering/uniqueness is O(n) and cheap: always checked. */
    (void)deep;
    if (!intsetValidateIntegrity(blob, sz, 1)) {
        zfree(blob);
        rdbSetLoadError("Intset integrity check failed.");
        return NULL;
    }
    if (intsetLen((intset *)blob) == 0) {
        zfree(blob);
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    obj *o = createObject(OBJ_SET, blob);
    o->encoding = OBJ_ENCODING_INTSET;
    setTypeMaybeConvert(o);
    return o;
}

/* A validated listpack blob as an object of `type`, or NULL (error / empty). */
static unsigned char *rdbLoadListpackBlob(rio *r, int deep, int stride, int scores, int *error) {
    size_t sz;
    unsigned char *lp = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
    if (!lp) return NULL;
    if (!rdbValidateListpack(lp, sz, deep, stride, scores)) {
        zfree(lp);
        rdbSetLoadError("Listpack integrity check failed.");
        return NULL;
    }
    if (lpLength(lp) == 0) {
        zfree(lp);
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    return lp;
}

static obj *rdbLoadSetListpack(rio *r, int deep, int *error) {
    unsigned char *lp = rdbLoadListpackBlob(r, deep, 1, 0, error);
    if (!lp) return NULL;
    obj *o = createObject(OBJ_SET, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    setTypeMaybeConvert(o);
    return o;
}

obj *rdbLoadObject(int rdbtype, rio *r, int deep, int *error) {
    *error = RDB_LOAD_ERR_OTHER;
    switch (rdbtype) {
    case RDB_TYPE_STRING: return rdbLoadStringValue(r);
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST: return rdbLoadListOld(r, rdbtype, error);
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: return rdbLoadListQuicklist2(r, rdbtype, deep, error);
    case RDB_TYPE_SET: return rdbLoadSetPlain(r, error);
    case RDB_TYPE_SET_INTSET: return rdbLoadSetIntset(r, deep, error);
    case RDB_TYPE_SET_LISTPACK: return rdbLoadSetListpack(r, deep, error);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: return rdbLoadZsetPlain(r, rdbtype, error);
    case RDB_TYPE_ZSET_LISTPACK:
    case RDB_TYPE_ZSET_ZIPLIST: return rdbLoadZsetCompact(r, rdbtype, deep, error);
    case RDB_TYPE_HASH: return rdbLoadHashPlain(r, error);
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_ZIPMAP: return rdbLoadHashCompact(r, rdbtype, deep, error);
    case RDB_TYPE_MODULE_2:
    case RDB_TYPE_MODULE_PRE_GA:
        rdbSetLoadError("The RDB file contains module data I can't load: no matching module type");
        return NULL;
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3: return rdbLoadStream(r, rdbtype, deep, error);
    }
    rdbSetLoadError("Unknown RDB encoding type %d", rdbtype);
    return NULL;
}

/* ----------------------------------------------------- hashes and zsets */


/* Compact hash/zset blob of any generation, as a validated listpack. */
static unsigned char *rdbLoadPairsBlob(rio *r, int rdbtype, int deep, int scores, int *error) {
    if (rdbtype == RDB_TYPE_HASH_LISTPACK || rdbtype == RDB_TYPE_ZSET_LISTPACK)
        return rdbLoadListpackBlob(r, deep, 2, scores, error);
    size_t sz;
    long n;
    unsigned char *blob = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
    if (!blob) return NULL;
    unsigned char *lp = rdbtype == RDB_TYPE_HASH_ZIPMAP ? rdbZipmapToListpack(blob, sz, &n)
                                                        : rdbZiplistToListpack(blob, sz, &n);
    zfree(blob);
    if (!lp) {
        rdbSetLoadError(rdbtype == RDB_TYPE_HASH_ZIPMAP ? "Zipmap integrity check failed."
                                                        : "Ziplist integrity check failed.");
        return NULL;
    }
    if (!rdbValidateListpack(lp, lpBytes(lp), deep, 2, scores)) {
        lpFree(lp);
        rdbSetLoadError("Ziplist integrity check failed.");
        return NULL;
    }
    if (n == 0) {
        lpFree(lp);
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    return lp;
}

/* Whether a key/value listpack is within the given compact-encoding limits. */
static int rdbPairsFit(unsigned char *lp, size_t max_entries, size_t max_value) {
    if (lpLength(lp) / 2 > max_entries) return 0;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) {
        int64_t len;
        unsigned char buf[LP_INTBUF_SIZE];
        unsigned char *v = lpGet(p, &len, buf);
        if (v != buf && (size_t)len > max_value) return 0;
    }
    return 1;
}

static obj *rdbLoadHashCompact(rio *r, int rdbtype, int deep, int *error) {
    unsigned char *lp = rdbLoadPairsBlob(r, rdbtype, deep, 0, error);
    if (!lp) return NULL;
    obj *o = createObject(OBJ_HASH, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    if (!rdbPairsFit(lp, server.hash_max_listpack_entries, server.hash_max_listpack_value))
        hashTypeConvert(o, OBJ_ENCODING_HT);
    return o;
}

static obj *rdbLoadZsetCompact(rio *r, int rdbtype, int deep, int *error) {
    unsigned char *lp = rdbLoadPairsBlob(r, rdbtype, deep, 1, error);
    if (!lp) return NULL;
    obj *o = createObject(OBJ_ZSET, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    if (!rdbPairsFit(lp, server.zset_max_listpack_entries, server.zset_max_listpack_value))
        zsetTypeMaybeConvert(o);
    return o;
}

/* ------------------------------------------------------------------ zsets */

/* ZSET_2, walking from the tail so the loader's inserts land at the head. */
static ssize_t rdbSaveZset(rio *r, obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return rdbSaveRawString(r, objPtr(o), lpBytes(objPtr(o)));
    zskiplist *zsl = ((zset *)objPtr(o))->zsl;
    if (rdbSaveLen(r, zsl->length) == -1) return -1;
    for (zskiplistNode *n = zsl->tail; n; n = n->backward) {
        bstr ele = zslNodeEle(n);
        if (rdbSaveRawString(r, ele, bstrLen(ele)) == -1) return -1;
        if (rdbSaveBinaryDoubleValue(r, n->score) == -1) return -1;
    }
    return 1;
}

static obj *rdbLoadZsetPlain(rio *r, int rdbtype, int *error) {
    uint64_t len = rdbLoadLen(r, NULL);
    if (len == RDB_LENERR) return NULL;
    if (len == 0) {
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    obj *o = zsetTypeCreate(len > (1 << 20) ? (1 << 20) : len, 0);
    size_t maxelelen = 0, totelelen = 0;
    while (len--) {
        size_t sz;
        char *ele = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &sz);
        if (!ele) goto fail;
        double score, old;
        int rc = rdbtype == RDB_TYPE_ZSET_2 ? rdbLoadBinaryDoubleValue(r, &score) : rdbLoadDoubleValue(r, &score);
        if (rc == -1) {
            zfree(ele);
            goto fail;
        }
        if (isnan(score)) {
            zfree(ele);
            RDB_FAIL("Zset with NAN score detected");
        }
        if (zsetScore(o, ele, sz, &old)) {
            zfree(ele);
            RDB_FAIL("Duplicate zset fields detected");
        }
        int out = 0;
        zsetAdd(o, score, ele, sz, ZADD_IN_NONE, &out, NULL);
        zfree(ele);
        if (sz > maxelelen) maxelelen = sz;
        totelelen += sz;
    }
    if (o->encoding == OBJ_ENCODING_SKIPLIST) zsetConvertToListpackIfNeeded(o, maxelelen, totelelen);
    return o;
fail:
    decrRefCount(o);
    return NULL;
}

/* ----------------------------------------------------------------- hashes */

static ssize_t rdbSaveHash(rio *r, obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return rdbSaveRawString(r, objPtr(o), lpBytes(objPtr(o)));
    if (rdbSaveLen(r, hashTypeLength(o)) == -1) return -1;
    hashTypeIterator hi;
    hashTypeInitIterator(o, &hi);
    ssize_t rc = 1;
    while (hashTypeNext(&hi)) {
        const char *f, *v;
        size_t fl, vl;
        long long ll;
        hashTypeCurrent(&hi, OBJ_HASH_FIELD, &f, &fl, &ll); /* always strings in this encoding */
        hashTypeCurrent(&hi, OBJ_HASH_VALUE, &v, &vl, &ll);
        if (rdbSaveRawString(r, f, fl) == -1 || rdbSaveRawString(r, v, vl) == -1) {
            rc = -1;
            break;
        }
    }
    hashTypeResetIterator(&hi);
    return rc;
}

/* HASH: field/value pairs; small ones end up as a listpack like Valkey does. */
static obj *rdbLoadHashPlain(rio *r, int *error) {
    uint64_t len = rdbLoadLen(r, NULL);
    if (len == RDB_LENERR) return NULL;
    if (len == 0) {
        *error = RDB_LOAD_ERR_EMPTY_KEY;
        return NULL;
    }
    obj *o = len > server.hash_max_listpack_entries ? hashTypeCreateHashtable(len > (1 << 20) ? (1 << 20) : len)
                                                    : hashTypeCreateFromListpack(lpNew(0));
    while (len--) {
        size_t flen, vlen;
        char *f = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &flen);
        if (!f) goto fail;
        char *v = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &vlen);
        if (!v) {
            zfree(f);
            goto fail;
        }
        if (hashTypeExists(o, f, flen)) {
            zfree(f);
            zfree(v);
            RDB_FAIL("Duplicate hash fields detected");
        }
        hashTypeSet(o, f, flen, v, vlen);
        zfree(f);
        zfree(v);
    }
    return o;
fail:
    decrRefCount(o);
    return NULL;
}
