/* t_set: set type and commands. See t_set.h. */
#include "commands/t_set.h"
#include "ds/listpack.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

htType setHashtableType = {htBstrHash, htBstrEqual, htBstrFree, NULL};

/* The element is the member bstr itself: no entry, no separate key. */
static const void *setElemKey(const void *elem) { return elem; }
kvtType setKvtType = {setElemKey, htBstrHash, htBstrEqual, htBstrFree};

/* ------------------------------------------------------------ helpers */

static const char *argBytes(obj *o, char *buf, size_t buflen, size_t *len) {
    return objStrPtr(o, buf, buflen, len);
}

/* ------------------------------------------------------- constructors */

obj *createSetObject(void) {
    obj *o = createObject(OBJ_SET, kvtCreate(&setKvtType));
    o->encoding = OBJ_ENCODING_HT;
    return o;
}

obj *createIntsetObject(void) {
    obj *o = createObject(OBJ_SET, intsetNew());
    o->encoding = OBJ_ENCODING_INTSET;
    return o;
}

obj *createSetListpackObject(void) {
    obj *o = createObject(OBJ_SET, lpNew(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

void freeSetObject(obj *o) {
    switch (o->encoding) {
    case OBJ_ENCODING_HT: kvtRelease(objPtr(o)); break;
    case OBJ_ENCODING_INTSET: zfree(objPtr(o)); break;
    case OBJ_ENCODING_LISTPACK: lpFree(objPtr(o)); break;
    default: serverPanic("Unknown set encoding");
    }
}

obj *setTypeCreate(const char *value, size_t len, size_t size_hint) {
    long long ll;
    if (string2ll(value, len, &ll) && size_hint <= server.set_max_intset_entries)
        return createIntsetObject();
    if (size_hint <= server.set_max_listpack_entries) return createSetListpackObject();
    obj *o = createSetObject();
    if (size_hint) kvtExpand(objPtr(o), size_hint);
    return o;
}

unsigned long setTypeSize(const obj *set) {
    switch (set->encoding) {
    case OBJ_ENCODING_HT: return kvtSize(objPtr(set));
    case OBJ_ENCODING_INTSET: return intsetLen(objPtr(set));
    case OBJ_ENCODING_LISTPACK: return lpLength(objPtr(set));
    default: serverPanic("Unknown set encoding");
    }
}

/* --------------------------------------------------------- conversion */

static kvtable *buildHashtable(obj *set, unsigned long cap) {
    kvtable *t = kvtCreate(&setKvtType);
    if (cap) kvtExpand(t, cap);
    setTypeIterator si;
    setTypeInitIterator(&si, set);
    bstr s;
    while ((s = setTypeNextObject(&si)))
        if (kvtAdd(t, s) != 0) bstrFree(s); /* duplicate: only from corrupt input */
    setTypeResetIterator(&si);
    return t;
}

void setTypeConvertAndExpand(obj *set, int enc, unsigned long cap) {
    if (set->encoding == enc) return;
    if (enc == OBJ_ENCODING_HT) {
        kvtable *ht = buildHashtable(set, cap);
        freeSetObject(set);
        objSetPtr(set, ht);
        set->encoding = OBJ_ENCODING_HT;
    } else if (enc == OBJ_ENCODING_LISTPACK && set->encoding == OBJ_ENCODING_INTSET) {
        unsigned char *lp = lpNew(0);
        int64_t v;
        for (uint32_t i = 0; intsetGet(objPtr(set), i, &v); i++) lp = lpAppendInteger(lp, v);
        zfree(objPtr(set));
        objSetPtr(set, lp);
        set->encoding = OBJ_ENCODING_LISTPACK;
    } else {
        serverPanic("Unsupported set conversion");
    }
}

void setTypeConvert(obj *set, int enc) { setTypeConvertAndExpand(set, enc, setTypeSize(set)); }

void setTypeMaybeConvert(obj *set) {
    if (set->encoding == OBJ_ENCODING_INTSET && intsetLen(objPtr(set)) > server.set_max_intset_entries)
        setTypeConvert(set, OBJ_ENCODING_HT);
    else if (set->encoding == OBJ_ENCODING_LISTPACK && lpLength(objPtr(set)) > server.set_max_listpack_entries)
        setTypeConvert(set, OBJ_ENCODING_HT);
}

obj *setTypeDup(obj *o) {
    obj *d;
    if (o->encoding == OBJ_ENCODING_INTSET) {
        d = createObject(OBJ_SET, intsetDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_INTSET;
    } else if (o->encoding == OBJ_ENCODING_LISTPACK) {
        d = createObject(OBJ_SET, lpDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_LISTPACK;
    } else {
        d = createSetObject();
        kvtExpand(objPtr(d), kvtSize(objPtr(o)));
        kvtIterator it;
        kvtInitIterator(&it, objPtr(o));
        bstr m;
        while ((m = kvtNext(&it))) kvtAdd(objPtr(d), bstrDup(m));
        kvtResetIterator(&it);
    }
    return d;
}

/* ------------------------------------------------------ add/remove/has */

static size_t digitsOf(int64_t v) {
    char buf[LONG_STR_SIZE];
    return (size_t)ll2string(buf, sizeof(buf), v);
}

/* 1 when added. New members are the common case: copy first, hash once. */
static int kvtAddMember(kvtable *t, const char *str, size_t len) {
    bstr m = bstrNewLen(str, len);
    if (kvtAdd(t, m) == 0) return 1;
    bstrFree(m);
    return 0;
}

/* A non-integer joins an intset: listpack if everything fits, else hashtable. */
static int intsetAddString(obj *set, const char *str, size_t len) {
    unsigned long n = intsetLen(objPtr(set));
    size_t maxlen = 0;
    if (n) {
        size_t a = digitsOf(intsetMax(objPtr(set))), b = digitsOf(intsetMin(objPtr(set)));
        maxlen = a > b ? a : b;
    }
    if (n < server.set_max_listpack_entries && len <= server.set_max_listpack_value &&
        maxlen <= server.set_max_listpack_value && lpSafeToAdd(NULL, n * (maxlen + 2) + len)) {
        setTypeConvertAndExpand(set, OBJ_ENCODING_LISTPACK, n + 1);
        objSetPtr(set, lpAppend(objPtr(set), (const unsigned char *)str, (uint32_t)len));
        return 1;
    }
    setTypeConvertAndExpand(set, OBJ_ENCODING_HT, n + 1);
    return kvtAddMember(objPtr(set), str, len);
}

static unsigned char *lpFindElem(unsigned char *lp, const char *str, size_t len) {
    unsigned char *p = lpFirst(lp);
    return p ? lpFind(lp, p, (const unsigned char *)str, (uint32_t)len, 0) : NULL;
}

int setTypeAddAux(obj *set, const char *str, size_t len, int64_t llval, int has_str) {
    char nbuf[LONG_STR_SIZE];
    if (!has_str) {
        len = (size_t)ll2string(nbuf, sizeof(nbuf), llval);
        str = nbuf;
    }
    if (set->encoding == OBJ_ENCODING_HT) return kvtAddMember(objPtr(set), str, len);
    if (set->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = objPtr(set);
        if (lpFindElem(lp, str, len)) return 0;
        if (lpLength(lp) < server.set_max_listpack_entries && len <= server.set_max_listpack_value &&
            lpSafeToAdd(lp, len)) {
            objSetPtr(set, lpAppend(lp, (const unsigned char *)str, (uint32_t)len));
            return 1;
        }
        setTypeConvertAndExpand(set, OBJ_ENCODING_HT, lpLength(lp) + 1);
        return kvtAddMember(objPtr(set), str, len);
    }
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long ll;
        if (!string2ll(str, len, &ll)) return intsetAddString(set, str, len);
        uint8_t ok = 0;
        objSetPtr(set, intsetAdd(objPtr(set), ll, &ok));
        if (ok && intsetLen(objPtr(set)) > server.set_max_intset_entries) setTypeConvert(set, OBJ_ENCODING_HT);
        return ok;
    }
    serverPanic("Unknown set encoding");
}

int setTypeAdd(obj *set, bstr value) { return setTypeAddAux(set, value, bstrLen(value), 0, 1); }

int setTypeRemoveAux(obj *set, const char *str, size_t len, int64_t llval, int has_str) {
    char nbuf[LONG_STR_SIZE];
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long ll = llval;
        if (has_str && !string2ll(str, len, &ll)) return 0;
        int ok;
        objSetPtr(set, intsetRemove(objPtr(set), ll, &ok));
        return ok;
    }
    if (!has_str) {
        len = (size_t)ll2string(nbuf, sizeof(nbuf), llval);
        str = nbuf;
    }
    if (set->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *p = lpFindElem(objPtr(set), str, len);
        if (!p) return 0;
        objSetPtr(set, lpDelete(objPtr(set), p, NULL));
        return 1;
    }
    char tb[BSTR_TMPBUF];
    bstr k = bstrTmpView(tb, str, len);
    int r = kvtDelete(objPtr(set), k) == 0;
    if (r) kvtResizeIfNeeded(objPtr(set));
    bstrTmpViewFree(tb, k);
    return r;
}

int setTypeRemove(obj *set, bstr value) { return setTypeRemoveAux(set, value, bstrLen(value), 0, 1); }

int setTypeIsMemberAux(obj *set, const char *str, size_t len, int64_t llval, int has_str) {
    char nbuf[LONG_STR_SIZE];
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long ll = llval;
        if (has_str && !string2ll(str, len, &ll)) return 0;
        return intsetFind(objPtr(set), ll);
    }
    if (!has_str) {
        len = (size_t)ll2string(nbuf, sizeof(nbuf), llval);
        str = nbuf;
    }
    if (set->encoding == OBJ_ENCODING_LISTPACK) return lpFindElem(objPtr(set), str, len) != NULL;
    char tb[BSTR_TMPBUF];
    bstr k = bstrTmpView(tb, str, len);
    int r = kvtFind(objPtr(set), k) != NULL;
    bstrTmpViewFree(tb, k);
    return r;
}

int setTypeIsMember(obj *set, bstr value) { return setTypeIsMemberAux(set, value, bstrLen(value), 0, 1); }

/* ----------------------------------------------------------- iteration */

void setTypeInitIterator(setTypeIterator *si, obj *set) {
    si->subject = set;
    si->encoding = set->encoding;
    si->ii = 0;
    si->lpi = NULL;
    si->started = 0;
    /* Safe: SINTER s s looks members up (a rehash step) while iterating the same table. */
    if (set->encoding == OBJ_ENCODING_HT) kvtInitSafeIterator(&si->di, objPtr(set));
}

void setTypeResetIterator(setTypeIterator *si) {
    if (si->encoding == OBJ_ENCODING_HT) kvtResetIterator(&si->di);
}

static int lpElement(unsigned char *p, char **str, size_t *len, int64_t *llele) {
    unsigned char *s;
    uint32_t slen;
    long long lv;
    if (lpGetValue(p, &s, &slen, &lv)) {
        *str = (char *)s;
        *len = slen;
    } else {
        *str = NULL;
        *llele = lv;
    }
    return OBJ_ENCODING_LISTPACK;
}

int setTypeNext(setTypeIterator *si, char **str, size_t *len, int64_t *llele) {
    if (si->encoding == OBJ_ENCODING_HT) {
        bstr m = kvtNext(&si->di);
        if (!m) return -1;
        *str = m;
        *len = bstrLen(m);
        return OBJ_ENCODING_HT;
    }
    if (si->encoding == OBJ_ENCODING_INTSET) {
        if (!intsetGet(objPtr(si->subject), si->ii++, llele)) return -1;
        *str = NULL;
        return OBJ_ENCODING_INTSET;
    }
    unsigned char *lp = objPtr(si->subject);
    si->lpi = si->started ? (si->lpi ? lpNext(lp, si->lpi) : NULL) : lpFirst(lp);
    si->started = 1;
    if (!si->lpi) return -1;
    return lpElement(si->lpi, str, len, llele);
}

static bstr elementToBstr(const char *str, size_t len, int64_t ll) {
    return str ? bstrNewLen(str, len) : bstrFromLongLong(ll);
}

bstr setTypeNextObject(setTypeIterator *si) {
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    if (setTypeNext(si, &str, &len, &ll) == -1) return NULL;
    return elementToBstr(str, len, ll);
}

int setTypeRandomElement(obj *set, char **str, size_t *len, int64_t *llele) {
    if (set->encoding == OBJ_ENCODING_HT) {
        bstr m = kvtFairRandom(objPtr(set));
        *str = m;
        *len = bstrLen(m);
    } else if (set->encoding == OBJ_ENCODING_INTSET) {
        *llele = intsetRandom(objPtr(set));
        *str = NULL;
    } else {
        lpElement(lpRandomEntry(objPtr(set), NULL), str, len, llele);
    }
    return set->encoding;
}

/* ---------------------------------------------------- argument helpers */

static int parseLongLong(obj *o, long long *out) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argBytes(o, buf, sizeof(buf), &len);
    return string2ll(s, len, out);
}

int scanParseCursorOrReply(client *c, obj *o, unsigned long *cursor) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argBytes(o, buf, sizeof(buf), &len);
    char tmp[64];
    if (len == 0 || len >= sizeof(tmp)) goto err;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(tmp, &end, 10);
    if (*end != '\0' || errno == ERANGE || tmp[0] == '-' || tmp[0] == ' ') goto err;
    *cursor = (unsigned long)v;
    return 0;
err:
    addReplyError(c, "ERR invalid cursor");
    return -1;
}

static void replyElement(client *c, const char *str, size_t len, int64_t ll) {
    if (str) addReplyBulkCBuffer(c, str, len);
    else addReplyBulkLongLong(c, ll);
}

static int argIs(obj *o, const char *word) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argBytes(o, buf, sizeof(buf), &len);
    return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

static int wrongType(client *c, obj *o) { return o && checkType(c, o, OBJ_SET); }

static void notifyRemovedKey(client *c, obj *key) {
    notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
}

/* ------------------------------------------------------------ commands */

static void saddCommand(client *c) {
    obj *set = lookupKeyWrite(c->db, c->argv[1]);
    if (wrongType(c, set)) return;
    if (!set) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *s = argBytes(c->argv[2], buf, sizeof(buf), &len);
        set = setTypeCreate(s, len, (size_t)c->argc - 2);
        dbAdd(c->db, c->argv[1], set);
    }
    long long added = 0;
    for (int j = 2; j < c->argc; j++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *s = argBytes(c->argv[j], buf, sizeof(buf), &len);
        added += setTypeAddAux(set, s, len, 0, 1);
    }
    if (added) {
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_SET, "sadd", c->argv[1], c->db->id);
    }
    server.dirty += added;
    addReplyLongLong(c, added);
}

static void sremCommand(client *c) {
    obj *set = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!set || checkType(c, set, OBJ_SET)) return;
    long long deleted = 0;
    int keyremoved = 0;
    for (int j = 2; j < c->argc; j++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *s = argBytes(c->argv[j], buf, sizeof(buf), &len);
        if (setTypeRemoveAux(set, s, len, 0, 1)) {
            deleted++;
            if (setTypeSize(set) == 0) {
                dbDelete(c->db, c->argv[1]);
                keyremoved = 1;
                break;
            }
        }
    }
    if (deleted) {
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_SET, "srem", c->argv[1], c->db->id);
        if (keyremoved) notifyRemovedKey(c, c->argv[1]);
        server.dirty += deleted;
    }
    addReplyLongLong(c, deleted);
}

static void smoveCommand(client *c) {
    obj *src = lookupKeyWrite(c->db, c->argv[1]);
    obj *dst = lookupKeyWrite(c->db, c->argv[2]);
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *ele = argBytes(c->argv[3], buf, sizeof(buf), &len);
    if (!src) {
        addReply(c, shared.czero);
        return;
    }
    if (wrongType(c, src) || wrongType(c, dst)) return;
    if (src == dst) {
        addReply(c, setTypeIsMemberAux(src, ele, len, 0, 1) ? shared.cone : shared.czero);
        return;
    }
    if (!setTypeRemoveAux(src, ele, len, 0, 1)) {
        addReply(c, shared.czero);
        return;
    }
    notifyKeyspaceEvent(NOTIFY_SET, "srem", c->argv[1], c->db->id);
    if (setTypeSize(src) == 0) {
        dbDelete(c->db, c->argv[1]);
        notifyRemovedKey(c, c->argv[1]);
    }
    if (!dst) {
        dst = setTypeCreate(ele, len, 1);
        dbAdd(c->db, c->argv[2], dst);
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
    if (setTypeAddAux(dst, ele, len, 0, 1)) {
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_SET, "sadd", c->argv[2], c->db->id);
    }
    signalModifiedKey(c, c->db, c->argv[2]);
    addReply(c, shared.cone);
}

static int isMemberArg(obj *set, obj *arg) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argBytes(arg, buf, sizeof(buf), &len);
    return setTypeIsMemberAux(set, s, len, 0, 1);
}

static void sismemberCommand(client *c) {
    obj *set = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!set || checkType(c, set, OBJ_SET)) return;
    addReply(c, isMemberArg(set, c->argv[2]) ? shared.cone : shared.czero);
}

static void smismemberCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (wrongType(c, set)) return;
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        addReply(c, set && isMemberArg(set, c->argv[j]) ? shared.cone : shared.czero);
}

static void scardCommand(client *c) {
    obj *set = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!set || checkType(c, set, OBJ_SET)) return;
    addReplyLongLong(c, (long long)setTypeSize(set));
}

static void replyWholeSet(client *c, obj *set, int asArray) {
    if (asArray) addReplyArrayLen(c, (long)setTypeSize(set));
    else addReplySetLen(c, (long)setTypeSize(set));
    setTypeIterator si;
    setTypeInitIterator(&si, set);
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    while (setTypeNext(&si, &str, &len, &ll) != -1) replyElement(c, str, len, ll);
    setTypeResetIterator(&si);
}

static void smembersCommand(client *c) {
    obj *set = lookupKeyRead(c->db, c->argv[1]);
    if (wrongType(c, set)) return;
    if (!set) {
        addReplySetLen(c, 0);
        return;
    }
    replyWholeSet(c, set, 0);
}

/* SREM batches propagated in place of a SPOP with count. */
#define SPOP_PROPAGATE_BATCH 1024
typedef struct sremBatch {
    obj *argv[SPOP_PROPAGATE_BATCH + 2];
    int argc;
    int dbid;
} sremBatch;

static void batchFlush(sremBatch *b) {
    if (b->argc <= 2) return;
    alsoPropagate(b->dbid, b->argv, b->argc, PROPAGATE_AOF | PROPAGATE_REPL);
    for (int i = 2; i < b->argc; i++) decrRefCount(b->argv[i]);
    b->argc = 2;
}

static void batchAdd(sremBatch *b, bstr member) {
    b->argv[b->argc++] = createStringObjectFromBstr(member);
    if (b->argc == SPOP_PROPAGATE_BATCH + 2) batchFlush(b);
}

static obj *emptyLike(obj *set, unsigned long cap) {
    if (set->encoding == OBJ_ENCODING_INTSET) return createIntsetObject();
    if (set->encoding == OBJ_ENCODING_LISTPACK) return createSetListpackObject();
    obj *o = createSetObject();
    if (cap) kvtExpand(objPtr(o), cap);
    return o;
}

/* Pops one random element as a new bstr. */
static bstr popRandom(obj *set) {
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    setTypeRandomElement(set, &str, &len, &ll);
    bstr m = elementToBstr(str, len, ll);
    setTypeRemoveAux(set, m, bstrLen(m), 0, 1);
    return m;
}

static void spopWithCountCommand(client *c) {
    long long l;
    if (!parseLongLong(c->argv[2], &l) || l < 0) {
        addReplyError(c, "ERR value is out of range, must be positive");
        return;
    }
    unsigned long count = (unsigned long)l;
    obj *set = lookupKeyWriteOrReply(c, c->argv[1], shared.emptyset[c->resp]);
    if (!set || checkType(c, set, OBJ_SET)) return;
    if (count == 0) {
        addReply(c, shared.emptyset[c->resp]);
        return;
    }
    unsigned long size = setTypeSize(set);
    notifyKeyspaceEvent(NOTIFY_SET, "spop", c->argv[1], c->db->id);
    if (count >= size) {
        replyWholeSet(c, set, 0);
        dbDelete(c->db, c->argv[1]);
        notifyRemovedKey(c, c->argv[1]);
        rewriteClientCommandVector(c, 2, shared.del, c->argv[1]);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += count;
        return;
    }
    sremBatch *b = zmalloc(sizeof(*b));
    b->argv[0] = shared.srem;
    b->argv[1] = c->argv[1];
    b->argc = 2;
    b->dbid = c->db->id;
    addReplySetLen(c, (long)count);
    unsigned long remaining = size - count;
    if (remaining * 5 > count) {
        for (unsigned long i = 0; i < count; i++) {
            bstr m = popRandom(set);
            addReplyBulkCBuffer(c, m, bstrLen(m));
            batchAdd(b, m);
        }
    } else {
        /* Cheaper to pick the survivors: move them to a new set, pop the rest. */
        obj *keep = emptyLike(set, remaining);
        for (unsigned long i = 0; i < remaining; i++) {
            bstr m = popRandom(set);
            setTypeAdd(keep, m);
            bstrFree(m);
        }
        setTypeIterator si;
        setTypeInitIterator(&si, set);
        bstr m;
        while ((m = setTypeNextObject(&si))) {
            addReplyBulkCBuffer(c, m, bstrLen(m));
            batchAdd(b, m);
        }
        setTypeResetIterator(&si);
        void *tp = objPtr(set);
        int te = set->encoding;
        objSetPtr(set, objPtr(keep));
        set->encoding = keep->encoding;
        objSetPtr(keep, tp);
        keep->encoding = te;
        decrRefCount(keep);
    }
    batchFlush(b);
    zfree(b);
    preventCommandPropagation(c);
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty += count;
}

static void spopCommand(client *c) {
    if (c->argc == 3) {
        spopWithCountCommand(c);
        return;
    }
    if (c->argc > 3) {
        addReply(c, shared.syntaxerr);
        return;
    }
    obj *set = lookupKeyWriteOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!set || checkType(c, set, OBJ_SET)) return;
    bstr m = popRandom(set);
    obj *ele = createStringObjectFromBstr(m);
    addReplyBulk(c, ele);
    notifyKeyspaceEvent(NOTIFY_SET, "spop", c->argv[1], c->db->id);
    rewriteClientCommandVector(c, 3, shared.srem, c->argv[1], ele);
    decrRefCount(ele);
    if (setTypeSize(set) == 0) {
        dbDelete(c->db, c->argv[1]);
        notifyRemovedKey(c, c->argv[1]);
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty++;
}

static void srandmemberWithCount(client *c) {
    long long l;
    if (!parseLongLong(c->argv[2], &l) || l == LLONG_MIN) {
        addReplyError(c, l == LLONG_MIN ? "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                                        : "ERR value is not an integer or out of range");
        return;
    }
    int uniq = l >= 0;
    unsigned long count = (unsigned long)(l >= 0 ? l : -l);
    obj *set = lookupKeyReadOrReply(c, c->argv[1], shared.emptyarray);
    if (!set || checkType(c, set, OBJ_SET)) return;
    if (count == 0) {
        addReply(c, shared.emptyarray);
        return;
    }
    unsigned long size = setTypeSize(set);
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    if (!uniq || count == 1) {
        addReplyArrayLen(c, (long)count);
        while (count--) {
            setTypeRandomElement(set, &str, &len, &ll);
            replyElement(c, str, len, ll);
        }
        return;
    }
    if (count >= size) {
        replyWholeSet(c, set, 1);
        return;
    }
    hashtable *pick = htCreate(&setHashtableType);
    if (count * 3 > size) {
        /* Copy everything, then drop random members until count remain. */
        setTypeIterator si;
        setTypeInitIterator(&si, set);
        bstr m;
        while ((m = setTypeNextObject(&si))) htAdd(pick, m, NULL);
        setTypeResetIterator(&si);
        while (htSize(pick) > count) {
            htEntry *e = htGetFairRandomEntry(pick);
            htDelete(pick, e->key);
        }
    } else {
        while (htSize(pick) < count) {
            setTypeRandomElement(set, &str, &len, &ll);
            bstr m = elementToBstr(str, len, ll);
            if (htAdd(pick, m, NULL) != 0) bstrFree(m);
        }
    }
    addReplyArrayLen(c, (long)count);
    htIterator it;
    htInitIterator(&it, pick);
    htEntry *e;
    while ((e = htNext(&it))) addReplyBulkCBuffer(c, e->key, bstrLen(e->key));
    htResetIterator(&it);
    htRelease(pick);
}

static void srandmemberCommand(client *c) {
    if (c->argc == 3) {
        srandmemberWithCount(c);
        return;
    }
    if (c->argc > 3) {
        addReply(c, shared.syntaxerr);
        return;
    }
    obj *set = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!set || checkType(c, set, OBJ_SET)) return;
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    setTypeRandomElement(set, &str, &len, &ll);
    replyElement(c, str, len, ll);
}

/* ------------------------------------------------ multi-set operations */

/* Missing keys (NULL) count as empty sets. */
static unsigned long sizeOrZero(const obj *o) { return o ? setTypeSize(o) : 0; }

static int cmpBySizeAsc(const void *a, const void *b) {
    unsigned long x = sizeOrZero(*(obj *const *)a), y = sizeOrZero(*(obj *const *)b);
    return x < y ? -1 : x > y;
}

static int cmpBySizeDesc(const void *a, const void *b) { return -cmpBySizeAsc(a, b); }

/* Loads sets for the given keys; NULL slots for missing keys. Returns -1 after
 * replying WRONGTYPE. */
static int loadSets(client *c, obj **keys, int n, obj **sets, int forWrite) {
    for (int j = 0; j < n; j++) {
        obj *o = forWrite ? lookupKeyWrite(c->db, keys[j]) : lookupKeyRead(c->db, keys[j]);
        if (o && checkType(c, o, OBJ_SET)) return -1;
        sets[j] = o;
    }
    return 0;
}

static void storeResult(client *c, obj *dstkey, obj *dstset, const char *event) {
    if (setTypeSize(dstset) > 0) {
        setKey(c, c->db, dstkey, dstset, 0);
        addReplyLongLong(c, (long long)setTypeSize(dstset));
        notifyKeyspaceEvent(NOTIFY_SET, event, dstkey, c->db->id);
    } else {
        addReply(c, shared.czero);
        if (dbDelete(c->db, dstkey)) notifyRemovedKey(c, dstkey);
    }
    decrRefCount(dstset);
    signalModifiedKey(c, c->db, dstkey);
    server.dirty++;
}

static int inAllOthers(obj **sets, int n, const char *str, size_t len, int64_t ll) {
    for (int j = 1; j < n; j++) {
        if (sets[j] == sets[0]) continue;
        if (!setTypeIsMemberAux(sets[j], str, len, ll, str != NULL)) return 0;
    }
    return 1;
}

static void sinterGeneric(client *c, obj **keys, int n, obj *dstkey, int cardOnly, unsigned long limit) {
    obj **sets = zmalloc(sizeof(obj *) * (size_t)n);
    if (loadSets(c, keys, n, sets, dstkey != NULL) < 0) {
        zfree(sets);
        return;
    }
    int empty = 0;
    for (int j = 0; j < n; j++) empty += sets[j] == NULL;
    if (empty) {
        zfree(sets);
        if (dstkey) {
            if (dbDelete(c->db, dstkey)) {
                signalModifiedKey(c, c->db, dstkey);
                notifyRemovedKey(c, dstkey);
                server.dirty++;
            }
            addReply(c, shared.czero);
        } else if (cardOnly) {
            addReplyLongLong(c, 0);
        } else {
            addReply(c, shared.emptyset[c->resp]);
        }
        return;
    }
    qsort(sets, (size_t)n, sizeof(obj *), cmpBySizeAsc);
    obj *dstset = dstkey ? createIntsetObject() : NULL;
    void *deferred = (!dstkey && !cardOnly) ? addReplyDeferredLen(c) : NULL;
    unsigned long card = 0;
    setTypeIterator si;
    setTypeInitIterator(&si, sets[0]);
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    while (setTypeNext(&si, &str, &len, &ll) != -1) {
        if (!inAllOthers(sets, n, str, len, ll)) continue;
        card++;
        if (cardOnly) {
            if (limit && card >= limit) break;
        } else if (dstset) {
            setTypeAddAux(dstset, str, len, ll, str != NULL);
        } else {
            replyElement(c, str, len, ll);
        }
    }
    setTypeResetIterator(&si);
    zfree(sets);
    if (cardOnly) addReplyLongLong(c, (long long)card);
    else if (dstkey) storeResult(c, dstkey, dstset, "sinterstore");
    else setDeferredSetLen(c, deferred, (long)card);
}

static void sinterCommand(client *c) { sinterGeneric(c, c->argv + 1, c->argc - 1, NULL, 0, 0); }

static void sinterstoreCommand(client *c) { sinterGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], 0, 0); }

static void sintercardCommand(client *c) {
    long long numkeys, limit = 0;
    if (!parseLongLong(c->argv[1], &numkeys)) {
        addReplyError(c, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys < 1) {
        addReplyError(c, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        addReplyError(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        if (argIs(c->argv[j], "limit") && j + 1 < c->argc) {
            if (!parseLongLong(c->argv[j + 1], &limit) || limit < 0) {
                addReplyError(c, "ERR LIMIT can't be negative");
                return;
            }
            j++;
        } else {
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    sinterGeneric(c, c->argv + 2, (int)numkeys, NULL, 1, (unsigned long)limit);
}

#define SET_OP_UNION 0
#define SET_OP_DIFF 1

static void addAll(obj *dst, obj *src) {
    setTypeIterator si;
    setTypeInitIterator(&si, src);
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    while (setTypeNext(&si, &str, &len, &ll) != -1) setTypeAddAux(dst, str, len, ll, str != NULL);
    setTypeResetIterator(&si);
}

static void diffInto(obj *dst, obj **sets, int n) {
    /* Pick the cheaper algorithm: probe each element of the first set against
     * the others, or copy the first set and remove the others' elements. */
    unsigned long work1 = 0, work2 = 0;
    for (int j = 0; j < n; j++) {
        if (!sets[j]) continue;
        work1 += setTypeSize(sets[0]);
        work2 += setTypeSize(sets[j]);
    }
    work1 /= 2;
    setTypeIterator si;
    char *str;
    size_t len = 0;
    int64_t ll = 0;
    if (work1 <= work2) {
        if (n > 2) qsort(sets + 1, (size_t)n - 1, sizeof(obj *), cmpBySizeDesc);
        setTypeInitIterator(&si, sets[0]);
        while (setTypeNext(&si, &str, &len, &ll) != -1) {
            int j;
            for (j = 1; j < n; j++) {
                if (!sets[j]) continue;
                if (sets[j] == sets[0]) break;
                if (setTypeIsMemberAux(sets[j], str, len, ll, str != NULL)) break;
            }
            if (j == n) setTypeAddAux(dst, str, len, ll, str != NULL);
        }
        setTypeResetIterator(&si);
        return;
    }
    addAll(dst, sets[0]);
    for (int j = 1; j < n && setTypeSize(dst) > 0; j++) {
        if (!sets[j]) continue;
        setTypeInitIterator(&si, sets[j]);
        while (setTypeNext(&si, &str, &len, &ll) != -1) setTypeRemoveAux(dst, str, len, ll, str != NULL);
        setTypeResetIterator(&si);
    }
}

static void sunionDiffGeneric(client *c, obj **keys, int n, obj *dstkey, int op) {
    obj **sets = zmalloc(sizeof(obj *) * (size_t)n);
    if (loadSets(c, keys, n, sets, dstkey != NULL) < 0) {
        zfree(sets);
        return;
    }
    obj *dst = createIntsetObject();
    if (op == SET_OP_UNION) {
        unsigned long total = 0;
        for (int j = 0; j < n; j++) total += sets[j] ? setTypeSize(sets[j]) : 0;
        if (total > server.set_max_listpack_entries) {
            decrRefCount(dst);
            dst = createSetObject();
            kvtExpand(objPtr(dst), total);
        }
        if (!dstkey) {
            /* Reply while deduplicating: saves a second walk over the result. */
            void *deferred = addReplyDeferredLen(c);
            long count = 0;
            for (int j = 0; j < n; j++) {
                if (!sets[j]) continue;
                setTypeIterator si;
                setTypeInitIterator(&si, sets[j]);
                char *str;
                size_t len = 0;
                int64_t ll = 0;
                while (setTypeNext(&si, &str, &len, &ll) != -1) {
                    if (!setTypeAddAux(dst, str, len, ll, str != NULL)) continue;
                    replyElement(c, str, len, ll);
                    count++;
                }
                setTypeResetIterator(&si);
            }
            setDeferredSetLen(c, deferred, count);
            zfree(sets);
            decrRefCount(dst);
            return;
        }
        for (int j = 0; j < n; j++)
            if (sets[j]) addAll(dst, sets[j]);
    } else if (sets[0]) {
        diffInto(dst, sets, n);
    }
    zfree(sets);
    if (dstkey) {
        storeResult(c, dstkey, dst, op == SET_OP_UNION ? "sunionstore" : "sdiffstore");
        return;
    }
    replyWholeSet(c, dst, 0);
    decrRefCount(dst);
}

static void sunionCommand(client *c) { sunionDiffGeneric(c, c->argv + 1, c->argc - 1, NULL, SET_OP_UNION); }
static void sunionstoreCommand(client *c) {
    sunionDiffGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_UNION);
}
static void sdiffCommand(client *c) { sunionDiffGeneric(c, c->argv + 1, c->argc - 1, NULL, SET_OP_DIFF); }
static void sdiffstoreCommand(client *c) {
    sunionDiffGeneric(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_DIFF);
}

/* ---------------------------------------------------------------- SSCAN */

typedef struct scanCollect {
    list *items;   /* bstr */
} scanCollect;

static void sscanCb(void *pd, void *member) {
    scanCollect *sc = pd;
    listAddNodeTail(sc->items, bstrDup(member));
}

static void sscanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursorOrReply(c, c->argv[2], &cursor) < 0) return;
    long long count = 10;
    const char *pat = NULL;
    size_t patlen = 0;
    char patbuf[LONG_STR_SIZE];
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (argIs(c->argv[j], "count") && more >= 1) {
            if (!parseLongLong(c->argv[j + 1], &count)) {
                addReplyError(c, "ERR value is not an integer or out of range");
                return;
            }
            if (count < 1) {
                addReply(c, shared.syntaxerr);
                return;
            }
            j++;
        } else if (argIs(c->argv[j], "match") && more >= 1) {
            pat = argBytes(c->argv[j + 1], patbuf, sizeof(patbuf), &patlen);
            j++;
        } else {
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    obj *set = lookupKeyReadOrReply(c, c->argv[1], shared.emptyscan);
    if (!set || checkType(c, set, OBJ_SET)) return;
    int matchAll = pat && patlen == 1 && pat[0] == '*';
    if (matchAll) pat = NULL;
    list *items = listCreate();
    if (set->encoding == OBJ_ENCODING_HT) {
        scanCollect sc = {items};
        long maxiter = (long)count * 10;
        do {
            cursor = kvtScan(objPtr(set), cursor, sscanCb, &sc);
        } while (cursor && maxiter-- && (long long)listLength(items) < count);
    } else {
        setTypeIterator si;
        setTypeInitIterator(&si, set);
        bstr m;
        while ((m = setTypeNextObject(&si))) listAddNodeTail(items, m);
        setTypeResetIterator(&si);
        cursor = 0;
    }
    addReplyArrayLen(c, 2);
    addReplyBulkBstr(c, bstrCatPrintf(bstrEmpty(), "%lu", cursor));
    void *deferred = addReplyDeferredLen(c);
    long n = 0;
    listIter li;
    listRewind(items, &li);
    listNode *ln;
    while ((ln = listNext(&li))) {
        bstr m = listNodeValue(ln);
        if (!pat || stringmatchlen(pat, (int)patlen, m, (int)bstrLen(m), 0)) {
            addReplyBulkCBuffer(c, m, bstrLen(m));
            n++;
        }
        bstrFree(m);
    }
    listRelease(items);
    setDeferredArrayLen(c, deferred, n);
}

/* -------------------------------------------------------- command table */

/* Keys of "numkeys key [key ...]" commands: numkeys at argv[1]. */
static int sintercardGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    long long n;
    if (argc < 3 || !parseLongLong(argv[1], &n) || n < 1 || n > argc - 2) return 0;
    int count = 0;
    for (int i = 0; i < n && count < maxkeys; i++) keyidx[count++] = 2 + i;
    return count;
}

const serverCommandDef setCommandTable[] = {
    {"sadd", saddCommand, -3, "write denyoom fast", 1, 1, 1, "set", "Adds one or more members to a set. Creates the key if it doesn't exist.", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", NULL, NULL, "key member [member ...]"},
    {"srem", sremCommand, -3, "write fast", 1, 1, 1, "set", "Removes one or more members from a set. Deletes the set if the last member was removed.", "1.0.0", "O(N) where N is the number of members to be removed.", NULL, NULL, "key member [member ...]"},
    {"smove", smoveCommand, 4, "write fast", 1, 2, 1, "set", "Moves a member from one set to another.", "1.0.0", "O(1)", NULL, NULL, "source destination member"},
    {"sismember", sismemberCommand, 3, "readonly fast", 1, 1, 1, "set", "Determines whether a member belongs to a set.", "1.0.0", "O(1)", NULL, NULL, "key member"},
    {"smismember", smismemberCommand, -3, "readonly fast", 1, 1, 1, "set", "Determines whether multiple members belong to a set.", "6.2.0", "O(N) where N is the number of elements being checked for membership", NULL, NULL, "key member [member ...]"},
    {"scard", scardCommand, 2, "readonly fast", 1, 1, 1, "set", "Returns the number of members in a set.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"smembers", smembersCommand, 2, "readonly", 1, 1, 1, "set", "Returns all members of a set.", "1.0.0", "O(N) where N is the set cardinality.", NULL, NULL, "key"},
    {"spop", spopCommand, -2, "write fast", 1, 1, 1, "set", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", NULL, NULL, "key [count]"},
    {"srandmember", srandmemberCommand, -2, "readonly", 1, 1, 1, "set", "Get one or multiple random members from a set", "1.0.0", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", NULL, NULL, "key [count]"},
    {"sinter", sinterCommand, -2, "readonly", 1, -1, 1, "set", "Returns the intersect of multiple sets.", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", NULL, NULL, "key [key ...]"},
    {"sintercard", sintercardCommand, -3, "readonly movablekeys", 0, 0, 0, "set", "Returns the number of members of the intersect of multiple sets.", "7.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", sintercardGetKeys, NULL, "numkeys key [key ...] [LIMIT limit]"},
    {"sinterstore", sinterstoreCommand, -3, "write denyoom", 1, -1, 1, "set", "Stores the intersect of multiple sets in a key.", "1.0.0", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", NULL, NULL, "destination key [key ...]"},
    {"sunion", sunionCommand, -2, "readonly", 1, -1, 1, "set", "Returns the union of multiple sets.", "1.0.0", "O(N) where N is the total number of elements in all given sets.", NULL, NULL, "key [key ...]"},
    {"sunionstore", sunionstoreCommand, -3, "write denyoom", 1, -1, 1, "set", "Stores the union of multiple sets in a key.", "1.0.0", "O(N) where N is the total number of elements in all given sets.", NULL, NULL, "destination key [key ...]"},
    {"sdiff", sdiffCommand, -2, "readonly", 1, -1, 1, "set", "Returns the difference of multiple sets.", "1.0.0", "O(N) where N is the total number of elements in all given sets.", NULL, NULL, "key [key ...]"},
    {"sdiffstore", sdiffstoreCommand, -3, "write denyoom", 1, -1, 1, "set", "Stores the difference of multiple sets in a key.", "1.0.0", "O(N) where N is the total number of elements in all given sets.", NULL, NULL, "destination key [key ...]"},
    {"sscan", sscanCommand, -3, "readonly", 1, 1, 1, "set", "Iterates over members of a set.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", NULL, NULL, "key cursor [MATCH pattern] [COUNT count]"},
    {0},
};
