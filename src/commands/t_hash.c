/* t_hash: hash type and commands. See t_hash.h. */
#include "commands/t_hash.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An element is one allocation holding the field and value bstrs back to back
 * (bstrNewPair); the element pointer is the field, which is also the key. */
static const void *hashElemKey(const void *elem) { return elem; }
kvtType hashKvtType = {hashElemKey, htBstrHash, htBstrEqual, htBstrFree};

static inline bstr elemField(void *elem) { return elem; }
static inline bstr elemValue(void *elem) { return bstrPairSecond(elem); }

/* ------------------------------------------------------------ helpers */

static const char *argStr(obj *o, char *buf, size_t buflen, size_t *len) { return objStrPtr(o, buf, buflen, len); }

static void addReplyBytesOrInt(client *c, const char *s, size_t len, long long ll) {
    if (s) addReplyBulkCBuffer(c, s, len);
    else addReplyBulkLongLong(c, ll);
}

/* ------------------------------------------------------- constructors */

obj *createHashObject(void) {
    obj *o = createObject(OBJ_HASH, lpNew(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

obj *hashTypeCreateHashtable(unsigned long size_hint) {
    kvtable *t = kvtCreate(&hashKvtType);
    if (size_hint) kvtExpand(t, size_hint);
    obj *o = createObject(OBJ_HASH, t);
    o->encoding = OBJ_ENCODING_HT;
    return o;
}

void freeHashObject(obj *o) {
    if (o->encoding == OBJ_ENCODING_HT) kvtRelease(objPtr(o));
    else if (o->encoding == OBJ_ENCODING_LISTPACK) lpFree(objPtr(o));
    else serverPanic("Unknown hash encoding");
}

unsigned long hashTypeLength(const obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) return lpLength(objPtr(o)) / 2;
    return kvtSize(objPtr(o));
}

/* --------------------------------------------------------- iteration */

void hashTypeInitIterator(obj *o, hashTypeIterator *hi) {
    hi->subject = o;
    hi->encoding = o->encoding;
    hi->fptr = hi->vptr = NULL;
    hi->de = NULL;
    /* Safe: callers may look fields up in the same hash while iterating. */
    if (o->encoding == OBJ_ENCODING_HT) kvtInitSafeIterator(&hi->di, objPtr(o));
}

void hashTypeResetIterator(hashTypeIterator *hi) {
    if (hi->encoding == OBJ_ENCODING_HT) kvtResetIterator(&hi->di);
}

int hashTypeNext(hashTypeIterator *hi) {
    if (hi->encoding == OBJ_ENCODING_HT) return (hi->de = kvtNext(&hi->di)) != NULL;
    unsigned char *lp = objPtr(hi->subject);
    hi->fptr = hi->fptr ? lpNext(lp, hi->vptr) : lpFirst(lp);
    if (!hi->fptr) return 0;
    hi->vptr = lpNext(lp, hi->fptr);
    return 1;
}

static int lpEntryValue(unsigned char *p, const char **s, size_t *len, long long *ll) {
    int64_t v;
    unsigned char *str = lpGet(p, &v, NULL);
    if (str) {
        *s = (const char *)str;
        *len = (size_t)v;
        return 1;
    }
    *s = NULL;
    *ll = v;
    return 0;
}

int hashTypeCurrent(hashTypeIterator *hi, int what, const char **s, size_t *len, long long *ll) {
    if (hi->encoding == OBJ_ENCODING_HT) {
        bstr b = what == OBJ_HASH_FIELD ? elemField(hi->de) : elemValue(hi->de);
        *s = b;
        *len = bstrLen(b);
        return 1;
    }
    return lpEntryValue(what == OBJ_HASH_FIELD ? hi->fptr : hi->vptr, s, len, ll);
}

/* The iterator's current field or value as bytes; an integer-encoded one is
 * rendered into buf (LONG_STR_SIZE bytes). */
static const char *hashIterBytes(hashTypeIterator *hi, int what, char *buf, size_t *len) {
    const char *p;
    long long ll;
    if (hashTypeCurrent(hi, what, &p, len, &ll)) return p;
    *len = (size_t)ll2string(buf, LONG_STR_SIZE, ll);
    return buf;
}

/* --------------------------------------------------------- conversion */

void hashTypeConvert(obj *o, int enc) {
    if (o->encoding == enc) return;
    if (o->encoding != OBJ_ENCODING_LISTPACK || enc != OBJ_ENCODING_HT) serverPanic("Unsupported hash conversion");
    kvtable *t = kvtCreate(&hashKvtType);
    kvtExpand(t, hashTypeLength(o));
    hashTypeIterator hi;
    hashTypeInitIterator(o, &hi);
    while (hashTypeNext(&hi)) {
        char fb[LONG_STR_SIZE], vb[LONG_STR_SIZE];
        size_t fl, vl;
        const char *f = hashIterBytes(&hi, OBJ_HASH_FIELD, fb, &fl);
        const char *v = hashIterBytes(&hi, OBJ_HASH_VALUE, vb, &vl);
        bstr e = bstrNewPair(f, fl, v, vl);
        if (kvtAdd(t, e) != 0) bstrFree(e); /* duplicate field: only possible from corrupt input */
    }
    hashTypeResetIterator(&hi);
    lpFree(objPtr(o));
    objSetPtr(o, t);
    o->encoding = OBJ_ENCODING_HT;
}

void hashTypeConvertIfNeeded(obj *o) {
    if (o->encoding != OBJ_ENCODING_LISTPACK) return;
    if (hashTypeLength(o) > server.hash_max_listpack_entries) {
        hashTypeConvert(o, OBJ_ENCODING_HT);
        return;
    }
    for (unsigned char *p = lpFirst(objPtr(o)); p; p = lpNext(objPtr(o), p)) {
        int64_t v;
        if (lpGet(p, &v, NULL) && (size_t)v > server.hash_max_listpack_value) {
            hashTypeConvert(o, OBJ_ENCODING_HT);
            return;
        }
    }
}

obj *hashTypeCreateFromListpack(unsigned char *lp) {
    obj *o = createObject(OBJ_HASH, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    hashTypeConvertIfNeeded(o);
    return o;
}

/* Before writing argv[start..end] into a listpack hash: too long -> hashtable. */
static void hashTypeTryConversion(obj *o, obj **argv, int start, int end) {
    if (o->encoding != OBJ_ENCODING_LISTPACK) return;
    size_t sum = 0;
    for (int i = start; i <= end; i++) {
        if (!sdsEncodedObject(argv[i])) continue;
        size_t len = bstrLen(objPtr(argv[i]));
        if (len > server.hash_max_listpack_value) {
            hashTypeConvert(o, OBJ_ENCODING_HT);
            return;
        }
        sum += len;
    }
    if (!lpSafeToAdd(objPtr(o), sum)) hashTypeConvert(o, OBJ_ENCODING_HT);
}

obj *hashTypeDup(obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        obj *d = createObject(OBJ_HASH, lpDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_LISTPACK;
        return d;
    }
    obj *d = hashTypeCreateHashtable(kvtSize(objPtr(o)));
    kvtIterator it;
    kvtInitIterator(&it, objPtr(o));
    void *e;
    while ((e = kvtNext(&it))) {
        bstr f = elemField(e), v = elemValue(e);
        kvtAdd(objPtr(d), bstrNewPair(f, bstrLen(f), v, bstrLen(v)));
    }
    kvtResetIterator(&it);
    return d;
}

/* ------------------------------------------------------- field access */

static unsigned char *hashLpFindField(unsigned char *lp, const char *field, size_t flen) {
    unsigned char *p = lpFirst(lp);
    if (!p) return NULL;
    return lpFind(lp, p, (const unsigned char *)field, (uint32_t)flen, 1);
}

int hashTypeGetValue(obj *o, const char *field, size_t flen, const char **s, size_t *len, long long *ll) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *f = hashLpFindField(objPtr(o), field, flen);
        if (!f) return 0;
        lpEntryValue(lpNext(objPtr(o), f), s, len, ll);
        return 1;
    }
    char buf[BSTR_TMPBUF];
    bstr k = bstrTmpView(buf, field, flen);
    void *e = kvtFind(objPtr(o), k);
    bstrTmpViewFree(buf, k);
    if (!e) return 0;
    bstr v = elemValue(e);
    *s = v;
    *len = bstrLen(v);
    return 1;
}

int hashTypeExists(obj *o, const char *field, size_t flen) {
    const char *s;
    size_t len;
    long long ll;
    return hashTypeGetValue(o, field, flen, &s, &len, &ll);
}

int hashTypeSet(obj *o, const char *field, size_t flen, const char *value, size_t vlen) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        if (flen > server.hash_max_listpack_value || vlen > server.hash_max_listpack_value)
            hashTypeConvert(o, OBJ_ENCODING_HT);
    }
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = objPtr(o);
        unsigned char *f = hashLpFindField(lp, field, flen);
        if (f) {
            unsigned char *v = lpNext(lp, f);
            objSetPtr(o, lpReplace(lp, &v, (const unsigned char *)value, (uint32_t)vlen));
            return 1;
        }
        lpEntry pair[2] = {{(unsigned char *)field, (uint32_t)flen, 0}, {(unsigned char *)value, (uint32_t)vlen, 0}};
        objSetPtr(o, lpBatchAppend(lp, pair, 2));
        if (hashTypeLength(o) > server.hash_max_listpack_entries) hashTypeConvert(o, OBJ_ENCODING_HT);
        return 0;
    }
    char buf[BSTR_TMPBUF];
    bstr k = bstrTmpView(buf, field, flen);
    void **ref = kvtFindRef(objPtr(o), k);
    bstrTmpViewFree(buf, k);
    /* Built before the old pair is freed: field/value may point into it. */
    bstr e = bstrNewPair(field, flen, value, vlen);
    if (ref) {
        bstr old = *ref;
        *ref = e; /* same field, so same hash and slot */
        bstrFree(old);
        return 1;
    }
    kvtAdd(objPtr(o), e);
    return 0;
}

int hashTypeDelete(obj *o, const char *field, size_t flen) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *f = hashLpFindField(objPtr(o), field, flen);
        if (!f) return 0;
        objSetPtr(o, lpDeleteRangeWithEntry(objPtr(o), &f, 2));
        return 1;
    }
    char buf[BSTR_TMPBUF];
    bstr k = bstrTmpView(buf, field, flen);
    int deleted = kvtDelete(objPtr(o), k) == 0;
    if (deleted) kvtResizeIfNeeded(objPtr(o));
    bstrTmpViewFree(buf, k);
    return deleted;
}

/* ------------------------------------------------------------ commands */

static obj *hashTypeLookupWriteOrCreate(client *c, obj *key) {
    obj *o = lookupKeyWrite(c->db, key);
    if (checkType(c, o, OBJ_HASH)) return NULL;
    if (!o) {
        o = createHashObject();
        dbAdd(c->db, key, o);
    }
    return o;
}

static void hsetGenericCommand(client *c, int is_hmset) {
    if ((c->argc % 2) == 1) {
        addReplyErrorArity(c);
        return;
    }
    obj *o = hashTypeLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    hashTypeTryConversion(o, c->argv, 2, c->argc - 1);
    long created = 0;
    for (int i = 2; i < c->argc; i += 2) {
        char fb[LONG_STR_SIZE], vb[LONG_STR_SIZE];
        size_t fl, vl;
        const char *f = argStr(c->argv[i], fb, sizeof(fb), &fl);
        const char *v = argStr(c->argv[i + 1], vb, sizeof(vb), &vl);
        created += !hashTypeSet(o, f, fl, v, vl);
    }
    if (is_hmset) addReply(c, shared.ok);
    else addReplyLongLong(c, created);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_HASH, "hset", c->argv[1], c->db->id);
    server.dirty += (c->argc - 2) / 2;
}

void hsetCommand(client *c) { hsetGenericCommand(c, 0); }
void hmsetCommand(client *c) { hsetGenericCommand(c, 1); }

void hsetnxCommand(client *c) {
    obj *o = hashTypeLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    char fb[LONG_STR_SIZE], vb[LONG_STR_SIZE];
    size_t fl, vl;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl);
    if (hashTypeExists(o, f, fl)) {
        addReply(c, shared.czero);
        return;
    }
    hashTypeTryConversion(o, c->argv, 2, 3);
    const char *v = argStr(c->argv[3], vb, sizeof(vb), &vl);
    hashTypeSet(o, f, fl, v, vl);
    addReply(c, shared.cone);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_HASH, "hset", c->argv[1], c->db->id);
    server.dirty++;
}

void hgetCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    char fb[LONG_STR_SIZE];
    size_t fl, len;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl), *s;
    long long ll;
    if (hashTypeGetValue(o, f, fl, &s, &len, &ll)) addReplyBytesOrInt(c, s, len, ll);
    else addReplyNull(c);
}

void hmgetCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (checkType(c, o, OBJ_HASH)) return;
    addReplyArrayLen(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        char fb[LONG_STR_SIZE];
        size_t fl, len;
        const char *f = argStr(c->argv[i], fb, sizeof(fb), &fl), *s;
        long long ll;
        if (o && hashTypeGetValue(o, f, fl, &s, &len, &ll)) addReplyBytesOrInt(c, s, len, ll);
        else addReplyNull(c);
    }
}

void hdelCommand(client *c) {
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    long deleted = 0;
    int keyremoved = 0;
    for (int i = 2; i < c->argc; i++) {
        char fb[LONG_STR_SIZE];
        size_t fl;
        const char *f = argStr(c->argv[i], fb, sizeof(fb), &fl);
        if (hashTypeDelete(o, f, fl)) {
            deleted++;
            if (hashTypeLength(o) == 0) {
                dbDelete(c->db, c->argv[1]);
                keyremoved = 1;
                break;
            }
        }
    }
    if (deleted) {
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_HASH, "hdel", c->argv[1], c->db->id);
        if (keyremoved) notifyKeyspaceEvent(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
        server.dirty += deleted;
    }
    addReplyLongLong(c, deleted);
}

void hlenCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    addReplyLongLong(c, (long long)hashTypeLength(o));
}

void hstrlenCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    char fb[LONG_STR_SIZE];
    size_t fl, len = 0;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl), *s;
    long long ll;
    if (!hashTypeGetValue(o, f, fl, &s, &len, &ll)) len = 0;
    else if (!s) {
        char nb[LONG_STR_SIZE];
        len = (size_t)ll2string(nb, sizeof(nb), ll);
    }
    addReplyLongLong(c, (long long)len);
}

void hexistsCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    char fb[LONG_STR_SIZE];
    size_t fl;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl);
    addReply(c, hashTypeExists(o, f, fl) ? shared.cone : shared.czero);
}

static void addHashIteratorCursorToReply(client *c, hashTypeIterator *hi, int what) {
    const char *s;
    size_t len;
    long long ll;
    if (hashTypeCurrent(hi, what, &s, &len, &ll)) addReplyBulkCBuffer(c, s, len);
    else addReplyBulkLongLong(c, ll);
}

static void genericHgetallCommand(client *c, int flags) {
    obj *empty = flags == (OBJ_HASH_FIELD | OBJ_HASH_VALUE) ? shared.emptymap[c->resp] : shared.emptyarray;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], empty);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    long length = (long)hashTypeLength(o);
    if (flags == (OBJ_HASH_FIELD | OBJ_HASH_VALUE)) addReplyMapLen(c, length);
    else addReplyArrayLen(c, length);
    hashTypeIterator hi;
    hashTypeInitIterator(o, &hi);
    while (hashTypeNext(&hi)) {
        if (flags & OBJ_HASH_FIELD) addHashIteratorCursorToReply(c, &hi, OBJ_HASH_FIELD);
        if (flags & OBJ_HASH_VALUE) addHashIteratorCursorToReply(c, &hi, OBJ_HASH_VALUE);
    }
    hashTypeResetIterator(&hi);
}

void hkeysCommand(client *c) { genericHgetallCommand(c, OBJ_HASH_FIELD); }
void hvalsCommand(client *c) { genericHgetallCommand(c, OBJ_HASH_VALUE); }
void hgetallCommand(client *c) { genericHgetallCommand(c, OBJ_HASH_FIELD | OBJ_HASH_VALUE); }

void hincrbyCommand(client *c) {
    long long value = 0, incr;
    if (getLongLongFromObjectOrReply(c, c->argv[3], &incr, NULL) != 0) return;
    obj *o = hashTypeLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    char fb[LONG_STR_SIZE];
    size_t fl, len;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl), *s;
    long long ll;
    if (hashTypeGetValue(o, f, fl, &s, &len, &ll)) {
        if (!s) value = ll;
        else if (!string2ll(s, len, &value)) {
            addReplyError(c, "ERR hash value is not an integer");
            return;
        }
    }
    if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) || (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
        addReplyError(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    char nb[LONG_STR_SIZE];
    int nl = ll2string(nb, sizeof(nb), value);
    hashTypeSet(o, f, fl, nb, (size_t)nl);
    addReplyLongLong(c, value);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_HASH, "hincrby", c->argv[1], c->db->id);
    server.dirty++;
}

void hincrbyfloatCommand(client *c) {
    long double value = 0, incr;
    if (getLongDoubleFromObjectOrReply(c, c->argv[3], &incr, NULL) != 0) return;
    if (isnan(incr) || isinf(incr)) {
        addReplyError(c, "ERR value is NaN or Infinity");
        return;
    }
    obj *o = hashTypeLookupWriteOrCreate(c, c->argv[1]);
    if (!o) return;
    char fb[LONG_STR_SIZE];
    size_t fl, len;
    const char *f = argStr(c->argv[2], fb, sizeof(fb), &fl), *s;
    long long ll;
    if (hashTypeGetValue(o, f, fl, &s, &len, &ll)) {
        if (!s) value = (long double)ll;
        else if (!string2ld(s, len, &value)) {
            addReplyError(c, "ERR hash value is not a float");
            return;
        }
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        addReplyError(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[MAX_LONG_DOUBLE_CHARS];
    int n = ld2string(buf, sizeof(buf), value, LD_STR_HUMAN);
    hashTypeSet(o, f, fl, buf, (size_t)n);
    addReplyBulkCBuffer(c, buf, (size_t)n);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_HASH, "hincrbyfloat", c->argv[1], c->db->id);
    server.dirty++;
    /* Propagate the result, not the increment: float formatting must not drift on replicas. */
    obj *newobj = createStringObject(buf, (size_t)n);
    rewriteClientCommandVector(c, 4, shared.hset, c->argv[1], c->argv[2], newobj);
    decrRefCount(newobj);
}

/* ------------------------------------------------------------ HRANDFIELD */

static void addReplyLpPair(client *c, unsigned char *lp, unsigned char *f, int withvalues) {
    const char *s;
    size_t len;
    long long ll;
    if (withvalues && c->resp > 2) addReplyArrayLen(c, 2);
    lpEntryValue(f, &s, &len, &ll);
    addReplyBytesOrInt(c, s, len, ll);
    if (withvalues) {
        lpEntryValue(lpNext(lp, f), &s, &len, &ll);
        addReplyBytesOrInt(c, s, len, ll);
    }
}

static void addReplyHtPair(client *c, void *e, int withvalues) {
    if (withvalues && c->resp > 2) addReplyArrayLen(c, 2);
    addReplyBulkCBuffer(c, elemField(e), bstrLen(elemField(e)));
    if (withvalues) addReplyBulkCBuffer(c, elemValue(e), bstrLen(elemValue(e)));
}

static void hrandfieldWithCountCommand(client *c, long l, int withvalues) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.emptyarray);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    unsigned long size = hashTypeLength(o);
    if (l == 0) {
        addReply(c, shared.emptyarray);
        return;
    }
    int uniq = l > 0;
    unsigned long count = uniq ? (unsigned long)l : (unsigned long)(-l);
    if (uniq && count > size) count = size;
    addReplyArrayLen(c, (long)((withvalues && c->resp == 2) ? count * 2 : count));
    if (!uniq) {
        for (unsigned long i = 0; i < count; i++) {
            if (o->encoding == OBJ_ENCODING_LISTPACK) {
                unsigned char *lp = objPtr(o);
                addReplyLpPair(c, lp, lpSeek(lp, (long)(2 * (random() % size))), withvalues);
            } else {
                addReplyHtPair(c, kvtFairRandom(objPtr(o)), withvalues);
            }
        }
        return;
    }
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        /* Selection sampling: each pair is taken with probability needed/remaining. */
        unsigned char *lp = objPtr(o), *f = lpFirst(lp);
        unsigned long needed = count, remaining = size;
        while (needed && f) {
            if ((unsigned long)random() % remaining < needed) {
                addReplyLpPair(c, lp, f, withvalues);
                needed--;
            }
            remaining--;
            f = lpNext(lp, lpNext(lp, f));
        }
        return;
    }
    void **all = zmalloc(sizeof(void *) * size);
    unsigned long n = 0;
    kvtIterator it;
    kvtInitIterator(&it, objPtr(o));
    void *e;
    while ((e = kvtNext(&it)) && n < size) all[n++] = e;
    kvtResetIterator(&it);
    for (unsigned long i = 0; i < count && i < n; i++) {
        unsigned long j = i + (unsigned long)random() % (n - i);
        void *t = all[i];
        all[i] = all[j];
        all[j] = t;
        addReplyHtPair(c, all[i], withvalues);
    }
    zfree(all);
}

void hrandfieldCommand(client *c) {
    if (c->argc >= 3) {
        long l;
        int withvalues = 0;
        if (getRangeLongFromObjectOrReply(c, c->argv[2], -LONG_MAX, LONG_MAX, &l, NULL) != 0) return;
        if (c->argc > 4 || (c->argc == 4 && strcasecmp(objPtr(c->argv[3]), "withvalues"))) {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
        if (c->argc == 4) {
            withvalues = 1;
            if (l < -LONG_MAX / 2 || l > LONG_MAX / 2) {
                addReplyError(c, "ERR value is out of range");
                return;
            }
        }
        hrandfieldWithCountCommand(c, l, withvalues);
        return;
    }
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned long size = hashTypeLength(o);
        addReplyLpPair(c, objPtr(o), lpSeek(objPtr(o), (long)(2 * (random() % size))), 0);
    } else {
        addReplyHtPair(c, kvtFairRandom(objPtr(o)), 0);
    }
}

/* ------------------------------------------------------------------ HSCAN */

typedef struct hscanState {
    const char *pat;
    int patlen, use_pattern, novalues;
    bstr *items;
    long n, cap, count_elements;
} hscanState;

static void hscanPush(hscanState *st, bstr s) {
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->items = zrealloc(st->items, sizeof(bstr) * st->cap);
    }
    st->items[st->n++] = s;
}

static void hscanAdd(hscanState *st, const char *f, size_t flen, const char *v, size_t vlen) {
    if (st->use_pattern && !stringmatchlen(st->pat, st->patlen, f, (int)flen, 0)) return;
    hscanPush(st, bstrNewLen(f, flen));
    if (!st->novalues) hscanPush(st, bstrNewLen(v, vlen));
    st->count_elements++;
}

static void hscanCallback(void *privdata, void *e) {
    bstr f = elemField(e), v = elemValue(e);
    hscanAdd(privdata, f, bstrLen(f), v, bstrLen(v));
}

void hscanCommand(client *c) {
    unsigned long cursor;
    if (parseScanCursorOrReply(c, c->argv[2], &cursor) != 0) return;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.emptyscan);
    if (!o || checkType(c, o, OBJ_HASH)) return;
    hscanState st = {0};
    long count = 10;
    for (int i = 3; i < c->argc; i++) {
        int remaining = c->argc - i - 1;
        const char *opt = objPtr(c->argv[i]);
        if (!strcasecmp(opt, "count") && remaining) {
            if (getLongFromObjectOrReply(c, c->argv[i + 1], &count, NULL) != 0) return;
            if (count < 1) {
                addReplyErrorObject(c, shared.syntaxerr);
                return;
            }
            i++;
        } else if (!strcasecmp(opt, "match") && remaining) {
            st.pat = objPtr(c->argv[i + 1]);
            st.patlen = (int)bstrLen(objPtr(c->argv[i + 1]));
            st.use_pattern = !(st.patlen == 1 && st.pat[0] == '*');
            i++;
        } else if (!strcasecmp(opt, "novalues")) {
            st.novalues = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        /* Small hashes are returned whole in one call, cursor 0. */
        hashTypeIterator hi;
        hashTypeInitIterator(o, &hi);
        while (hashTypeNext(&hi)) {
            char fb[LONG_STR_SIZE], vb[LONG_STR_SIZE];
            size_t fl, vl;
            const char *f = hashIterBytes(&hi, OBJ_HASH_FIELD, fb, &fl);
            const char *v = hashIterBytes(&hi, OBJ_HASH_VALUE, vb, &vl);
            hscanAdd(&st, f, fl, v, vl);
        }
        hashTypeResetIterator(&hi);
        cursor = 0;
    } else {
        long maxiter = count * 10;
        do {
            cursor = kvtScan(objPtr(o), cursor, hscanCallback, &st);
        } while (cursor && maxiter-- && st.count_elements < count);
    }
    char cbuf[LONG_STR_SIZE];
    int clen = ull2string(cbuf, sizeof(cbuf), cursor);
    addReplyArrayLen(c, 2);
    addReplyBulkCBuffer(c, cbuf, (size_t)clen);
    addReplyArrayLen(c, st.n);
    for (long j = 0; j < st.n; j++) {
        addReplyBulkCBuffer(c, st.items[j], bstrLen(st.items[j]));
        bstrFree(st.items[j]);
    }
    zfree(st.items);
}

/* ------------------------------------------------------ command table */

const serverCommandDef hashCommandTable[] = {
    {"hset", hsetCommand, -4, "write denyoom fast", 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash.", "2.0.0", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", NULL, NULL, "key field value [field value ...]"},
    {"hsetnx", hsetnxCommand, 4, "write denyoom fast", 1, 1, 1, "hash", "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", "O(1)", NULL, NULL, "key field value"},
    {"hget", hgetCommand, 3, "readonly fast", 1, 1, 1, "hash", "Returns the value of a field in a hash.", "2.0.0", "O(1)", NULL, NULL, "key field"},
    {"hmset", hmsetCommand, -4, "write denyoom fast", 1, 1, 1, "hash", "Sets the values of multiple fields.", "2.0.0", "O(N) where N is the number of fields being set.", NULL, NULL, "key field value [field value ...]"},
    {"hmget", hmgetCommand, -3, "readonly fast", 1, 1, 1, "hash", "Returns the values of all fields in a hash.", "2.0.0", "O(N) where N is the number of fields being requested.", NULL, NULL, "key field [field ...]"},
    {"hincrby", hincrbyCommand, 4, "write denyoom fast", 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0", "O(1)", NULL, NULL, "key field increment"},
    {"hincrbyfloat", hincrbyfloatCommand, 4, "write denyoom fast", 1, 1, 1, "hash", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0", "O(1)", NULL, NULL, "key field increment"},
    {"hdel", hdelCommand, -3, "write fast", 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0", "O(N) where N is the number of fields to be removed.", NULL, NULL, "key field [field ...]"},
    {"hlen", hlenCommand, 2, "readonly fast", 1, 1, 1, "hash", "Returns the number of fields in a hash.", "2.0.0", "O(1)", NULL, NULL, "key"},
    {"hstrlen", hstrlenCommand, 3, "readonly fast", 1, 1, 1, "hash", "Returns the length of the value of a field.", "3.2.0", "O(1)", NULL, NULL, "key field"},
    {"hkeys", hkeysCommand, 2, "readonly", 1, 1, 1, "hash", "Returns all fields in a hash.", "2.0.0", "O(N) where N is the size of the hash.", NULL, NULL, "key"},
    {"hvals", hvalsCommand, 2, "readonly", 1, 1, 1, "hash", "Returns all values in a hash.", "2.0.0", "O(N) where N is the size of the hash.", NULL, NULL, "key"},
    {"hgetall", hgetallCommand, 2, "readonly", 1, 1, 1, "hash", "Returns all fields and values in a hash.", "2.0.0", "O(N) where N is the size of the hash.", NULL, NULL, "key"},
    {"hexists", hexistsCommand, 3, "readonly fast", 1, 1, 1, "hash", "Determines whether a field exists in a hash.", "2.0.0", "O(1)", NULL, NULL, "key field"},
    {"hrandfield", hrandfieldCommand, -2, "readonly", 1, 1, 1, "hash", "Returns one or more random fields from a hash.", "6.2.0", "O(N) where N is the number of fields returned", NULL, NULL, "key [count [WITHVALUES]]"},
    {"hscan", hscanCommand, -3, "readonly", 1, 1, 1, "hash", "Iterates over fields and values of a hash.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the size of the collection.", NULL, NULL, "key cursor [MATCH pattern] [COUNT count] [NOVALUES]"},
    {0}};
