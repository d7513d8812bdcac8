/* t_zset_ops: sorted-set commands that pop, sample, combine or scan:
 * Z[M]POP*, BZ[M]POP*, ZRANDMEMBER, ZUNION/ZINTER/ZDIFF(STORE), ZINTERCARD
 * and ZSCAN. The type, encodings and cursors live in t_zset.c. */
#include "commands/t_zset_int.h"
#include "commands/t_set.h"
#include "ds/listpack.h"
#include "ds/intset.h"
#include <math.h>
#include <stdlib.h>

/* ============================================================ POP family */

#define ZSET_MIN 0
#define ZSET_MAX 1

static int cannotBlock(client *c) {
    return (c->flags & (CLIENT_MULTI | CLIENT_SCRIPT)) || server.in_exec || server.in_script;
}

/* count: -1 = single pop without COUNT. emitkey: reply includes the key. */
static void genericZpop(client *c, obj **keyv, int keyc, int where, int emitkey, long count,
                        int nested, int nilWhenEmpty, int isZmpop) {
    obj *z = NULL, *key = NULL;
    for (int i = 0; i < keyc; i++) {
        key = keyv[i];
        z = lookupKeyWrite(c->db, key);
        if (!z) continue;
        if (checkType(c, z, OBJ_ZSET)) return;
        break;
    }
    if (!z) {
        if (nilWhenEmpty) addReplyNullArray(c);
        else addReply(c, shared.emptyarray);
        return;
    }
    if (count == 0) {
        addReply(c, shared.emptyarray);
        return;
    }
    long want = count == -1 ? 1 : count;
    long llen = (long)zsetLength(z);
    long n = want > llen ? llen : want;
    if (!nested && !emitkey) addReplyArrayLen(c, n * 2);
    else if (nested && !emitkey) addReplyArrayLen(c, n);
    else if (!nested && emitkey) {
        addReplyArrayLen(c, n * 2 + 1);
        addReplyBulk(c, key);
    } else {
        addReplyArrayLen(c, 2);
        addReplyBulk(c, key);
        addReplyArrayLen(c, n);
    }
    for (long i = 0; i < n; i++) {
        zcursor cur;
        zcurSeekRank(&cur, z, where == ZSET_MIN ? 0 : zsetLength(z) - 1);
        zelem e;
        zcurGet(&cur, &e);
        size_t len;
        const char *s = zelemStr(&e, &len);
        bstr ele = bstrNewLen(s, len);
        double score = e.score;
        zsetDel(z, ele, bstrLen(ele));
        if (nested) addReplyArrayLen(c, 2);
        addReplyBulkCBuffer(c, ele, bstrLen(ele));
        addReplyDouble(c, score);
        bstrFree(ele);
    }
    notifyKeyspaceEvent(NOTIFY_ZSET, where == ZSET_MIN ? "zpopmin" : "zpopmax", key, c->db->id);
    signalModifiedKey(c, c->db, key);
    server.dirty += n;
    incrRefCount(key); /* argv may be rewritten below */
    if (zsetLength(z) == 0) {
        dbDelete(c->db, key);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
    }
    if (isZmpop || emitkey) {
        /* Replicate as plain ZPOPMIN/ZPOPMAX (deterministic, never blocks). */
        obj *cmd = where == ZSET_MAX ? shared.zpopmax : shared.zpopmin;
        if (count == -1) {
            rewriteClientCommandVector(c, 2, cmd, key);
        } else {
            obj *cnt = createStringObjectFromLongLong(count > 0 ? count : 1);
            rewriteClientCommandVector(c, 3, cmd, key, cnt);
            decrRefCount(cnt);
        }
    }
    decrRefCount(key);
}

static void zpopMinMax(client *c, int where) {
    if (c->argc > 3) {
        addReply(c, shared.syntaxerr);
        return;
    }
    long count = -1;
    if (c->argc == 3) {
        if (!argLong(c->argv[2], &count) || count < 0) {
            addReplyError(c, "ERR value is out of range, must be positive");
            return;
        }
    }
    genericZpop(c, &c->argv[1], 1, where, 0, count, c->resp > 2 && c->argc == 3, 0, 0);
}

void zpopminCommand(client *c) { zpopMinMax(c, ZSET_MIN); }
void zpopmaxCommand(client *c) { zpopMinMax(c, ZSET_MAX); }

static void blockingZpop(client *c, obj **keys, int numkeys, int where, int timeout_idx, long count,
                         int nested, int nilWhenEmpty) {
    mstime_t timeout;
    if (getTimeoutFromObjectOrReply(c, c->argv[timeout_idx], &timeout) != 0) return;
    for (int j = 0; j < numkeys; j++) {
        obj *o = lookupKeyWrite(c->db, keys[j]);
        if (!o) continue;
        if (checkType(c, o, OBJ_ZSET)) return;
        if (zsetLength(o) == 0) continue;
        genericZpop(c, &keys[j], 1, where, 1, count, nested, nilWhenEmpty, 0);
        return;
    }
    if (cannotBlock(c)) {
        addReplyNullArray(c);
        return;
    }
    blockForKeys(c, BLOCKED_ZSET, keys, numkeys, timeout, 0);
}

void bzpopminCommand(client *c) { blockingZpop(c, c->argv + 1, c->argc - 2, ZSET_MIN, c->argc - 1, -1, 0, 0); }
void bzpopmaxCommand(client *c) { blockingZpop(c, c->argv + 1, c->argc - 2, ZSET_MAX, c->argc - 1, -1, 0, 0); }

static void zmpopGeneric(client *c, int numkeys_idx, int block) {
    long long numkeys;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argPtr(c->argv[numkeys_idx], buf, &len);
    if (!string2ll(s, len, &numkeys) || numkeys < 1 || numkeys > LONG_MAX) {
        addReplyError(c, "ERR numkeys should be greater than 0");
        return;
    }
    /* numkeys may be up to LONG_MAX: compare before adding (overflow is UB). */
    long long where_idx = numkeys >= c->argc ? c->argc : numkeys_idx + numkeys + 1;
    if (where_idx >= c->argc) {
        addReply(c, shared.syntaxerr);
        return;
    }
    int where;
    if (argIs(c->argv[where_idx], "min")) where = ZSET_MIN;
    else if (argIs(c->argv[where_idx], "max")) where = ZSET_MAX;
    else {
        addReply(c, shared.syntaxerr);
        return;
    }
    long count = -1;
    for (int j = (int)where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (count == -1 && argIs(c->argv[j], "count") && more) {
            j++;
            if (!argLong(c->argv[j], &count) || count < 1) {
                addReplyError(c, "ERR count should be greater than 0");
                return;
            }
        } else {
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    if (count == -1) count = 1;
    if (block) blockingZpop(c, c->argv + numkeys_idx + 1, (int)numkeys, where, 1, count, 1, 1);
    else genericZpop(c, c->argv + numkeys_idx + 1, (int)numkeys, where, 1, count, 1, 1, 1);
}

void zmpopCommand(client *c) { zmpopGeneric(c, 1, 0); }
void bzmpopCommand(client *c) { zmpopGeneric(c, 2, 1); }

/* ============================================================ ZRANDMEMBER */

static void replyZelem(client *c, zelem *e, int withscores) {
    if (withscores && c->resp > 2) addReplyArrayLen(c, 2);
    if (e->s) addReplyBulkCBuffer(c, e->s, e->len);
    else addReplyBulkLongLong(c, e->ll);
    if (withscores) addReplyDouble(c, e->score);
}

/* A uniform rank is exactly fair on both encodings (O(log n) on a skiplist).
 * The member table's bucket-then-slot pick is not: members sharing a crowded
 * bucket would come up less often. */
static void randomElem(obj *z, zelem *e) {
    zcursor cur;
    unsigned long n = zsetLength(z);
    unsigned long r = (unsigned long)(((unsigned long)random() << 31) ^ (unsigned long)random()) % n;
    zcurSeekRank(&cur, z, r);
    zcurGet(&cur, e);
}

static void zrandmemberWithCount(client *c, long l, int withscores) {
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.emptyarray);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    if (l == 0) {
        addReply(c, shared.emptyarray);
        return;
    }
    unsigned long count = (unsigned long)(l < 0 ? -l : l);
    unsigned long size = zsetLength(z);
    zelem e;
    if (l < 0) {
        addReplyArrayLen(c, (long)(withscores && c->resp == 2 ? count * 2 : count));
        while (count--) {
            randomElem(z, &e);
            replyZelem(c, &e, withscores);
        }
        return;
    }
    if (count >= size) {
        addReplyArrayLen(c, (long)(withscores && c->resp == 2 ? size * 2 : size));
        /* Valkey walks from the tail here: same order for compatibility. */
        zcursor cur;
        zcurSeekRank(&cur, z, size - 1);
        while (zcurValid(&cur)) {
            zcurGet(&cur, &e);
            replyZelem(c, &e, withscores);
            zcurNext(&cur, 1);
        }
        return;
    }
    /* Distinct picks: choose ranks without repetition. */
    hashtable *picked = htCreate(&setHashtableType);
    if (count * 3 > size) {
        for (unsigned long i = 0; i < size; i++) htAdd(picked, bstrFromLongLong((long long)i), NULL);
        while (htSize(picked) > count) htDelete(picked, htGetFairRandomEntry(picked)->key);
    } else {
        while (htSize(picked) < count) {
            unsigned long r = (unsigned long)(((unsigned long)random() << 31) ^ (unsigned long)random()) % size;
            bstr k = bstrFromLongLong((long long)r);
            if (htAdd(picked, k, NULL) != 0) bstrFree(k);
        }
    }
    addReplyArrayLen(c, (long)(withscores && c->resp == 2 ? count * 2 : count));
    htIterator it;
    htInitIterator(&it, picked);
    htEntry *he;
    while ((he = htNext(&it))) {
        zcursor cur;
        zcurSeekRank(&cur, z, strtoul(he->key, NULL, 10));
        zcurGet(&cur, &e);
        replyZelem(c, &e, withscores);
    }
    htResetIterator(&it);
    htRelease(picked);
}

void zrandmemberCommand(client *c) {
    if (c->argc >= 3) {
        long l;
        if (!argLong(c->argv[2], &l)) {
            addReplyError(c, "ERR value is not an integer or out of range");
            return;
        }
        if (l == LONG_MIN) {
            addReplyError(c, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
            return;
        }
        int withscores = 0;
        if (c->argc > 4 || (c->argc == 4 && !argIs(c->argv[3], "withscores"))) {
            addReply(c, shared.syntaxerr);
            return;
        }
        if (c->argc == 4) {
            withscores = 1;
            if (l < -LONG_MAX / 2) {
                addReplyError(c, "ERR value is out of range");
                return;
            }
        }
        zrandmemberWithCount(c, l, withscores);
        return;
    }
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    zelem e;
    randomElem(z, &e);
    replyZelem(c, &e, 0);
}

/* ============================================================ ZUNION/ZINTER/ZDIFF */

#define SETOP_UNION 0
#define SETOP_INTER 1
#define SETOP_DIFF 2
#define AGGR_SUM 0
#define AGGR_MIN 1
#define AGGR_MAX 2

typedef struct zsrc {
    obj *o;
    double weight;
} zsrc;

static unsigned long srcSize(const zsrc *s) {
    if (!s->o) return 0;
    return s->o->type == OBJ_SET ? setTypeSize(s->o) : zsetLength(s->o);
}

static int cmpSrcAsc(const void *a, const void *b) {
    unsigned long x = srcSize(a), y = srcSize(b);
    return x < y ? -1 : x > y;
}

/* Score of member in a source (sets count as 1.0), 1 when present. */
static int srcScore(const zsrc *s, const char *ele, size_t len, double *score) {
    if (!s->o) return 0;
    if (s->o->type == OBJ_SET) {
        *score = 1.0;
        return setTypeIsMemberAux(s->o, ele, len, 0, 1);
    }
    return zsetScore(s->o, ele, len, score);
}

typedef void srcVisitFn(void *pd, const char *ele, size_t len, double score);

static void srcForEach(const zsrc *s, srcVisitFn *fn, void *pd) {
    if (!s->o) return;
    char buf[LONG_STR_SIZE];
    if (s->o->type == OBJ_SET) {
        setTypeIterator si;
        setTypeInitIterator(&si, s->o);
        char *str;
        size_t len = 0;
        int64_t ll = 0;
        while (setTypeNext(&si, &str, &len, &ll) != -1) {
            if (!str) {
                len = (size_t)ll2string(buf, sizeof(buf), ll);
                str = buf;
            }
            fn(pd, str, len, 1.0);
        }
        setTypeResetIterator(&si);
        return;
    }
    zsetIterator it;
    zsetInitIterator(&it, s->o);
    const char *str;
    size_t len = 0;
    long long ll = 0;
    double score;
    while (zsetNext(&it, &str, &len, &ll, &score)) {
        if (!str) {
            len = (size_t)ll2string(buf, sizeof(buf), ll);
            str = buf;
        }
        fn(pd, str, len, score);
    }
}

static inline double weighted(double score, double weight) {
    double r = score * weight;
    return isnan(r) ? 0.0 : r;
}

static void aggregate(int aggr, double *target, double val) {
    if (aggr == AGGR_SUM) {
        *target += val;
        if (isnan(*target)) *target = 0.0;
    } else if (aggr == AGGR_MIN) {
        if (val < *target) *target = val;
    } else if (val > *target) {
        *target = val;
    }
}

typedef struct zopState {
    zsrc *src;
    int n, cur, aggr, op;
    hashtable *acc;      /* member -> v.d (union) */
    obj *dst;            /* skiplist zset being built */
    size_t maxelelen, totelelen;
    long card, limit;
    int cardOnly, stop;
} zopState;

static void addResult(zopState *st, const char *ele, size_t len, double score) {
    int out;
    zsetAdd(st->dst, score, ele, len, 0, &out, NULL);
    if (len > st->maxelelen) st->maxelelen = len;
    st->totelelen += len;
}

static void interVisit(void *pd, const char *ele, size_t len, double score) {
    zopState *st = pd;
    if (st->stop) return;
    double acc = weighted(score, st->src[0].weight);
    for (int j = 1; j < st->n; j++) {
        double other;
        if (st->src[j].o == st->src[0].o) {
            other = score;
        } else if (!srcScore(&st->src[j], ele, len, &other)) {
            return;
        }
        aggregate(st->aggr, &acc, weighted(other, st->src[j].weight));
    }
    st->card++;
    if (st->cardOnly) {
        if (st->limit && st->card >= st->limit) st->stop = 1;
        return;
    }
    addResult(st, ele, len, acc);
}

static void unionVisit(void *pd, const char *ele, size_t len, double score) {
    zopState *st = pd;
    double v = weighted(score, st->src[st->cur].weight);
    char tb[BSTR_TMPBUF];
    bstr k = bstrTmpView(tb, ele, len);
    htEntry *e = htFind(st->acc, k);
    bstrTmpViewFree(tb, k);
    if (e) {
        aggregate(st->aggr, &e->v.d, v);
        return;
    }
    e = htAddRaw(st->acc, bstrNewLen(ele, len), NULL);
    e->v.d = v;
}

static void diffVisit(void *pd, const char *ele, size_t len, double score) {
    zopState *st = pd;
    for (int j = 1; j < st->n; j++) {
        double other;
        /* Never probe the set being iterated: lookups may rehash it. */
        if (st->src[j].o == st->src[0].o || srcScore(&st->src[j], ele, len, &other)) return;
    }
    addResult(st, ele, len, score);
}

int keysOfNumkeys(obj **argv, int argc, int numkeysIndex, int *keyidx, int maxkeys, int withDst) {
    long n;
    if (numkeysIndex >= argc || !argLong(argv[numkeysIndex], &n) || n < 1 || n > argc - numkeysIndex - 1)
        return 0;
    int count = 0;
    if (withDst && count < maxkeys) keyidx[count++] = 1;
    for (long i = 0; i < n && count < maxkeys; i++) keyidx[count++] = numkeysIndex + 1 + (int)i;
    return count;
}

static void zsetopGeneric(client *c, obj *dstkey, int numkeysIndex, int op, int cardOnly) {
    long setnum;
    if (!argLongOrReply(c, c->argv[numkeysIndex], &setnum)) return;
    if (setnum < 1) {
        addReplyErrorFormat(c, "ERR at least 1 input key is needed for '%s' command", c->cmd ? c->cmd->fullname : "");
        return;
    }
    if (setnum > c->argc - (numkeysIndex + 1)) {
        addReply(c, shared.syntaxerr);
        return;
    }
    zsrc *src = zcalloc(sizeof(zsrc) * (size_t)setnum);
    int j = numkeysIndex + 1;
    for (long i = 0; i < setnum; i++, j++) {
        obj *o = dstkey ? lookupKeyWrite(c->db, c->argv[j]) : lookupKeyRead(c->db, c->argv[j]);
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            zfree(src);
            addReplyErrorObject(c, shared.wrongtypeerr);
            return;
        }
        src[i].o = o;
        src[i].weight = 1.0;
    }
    int aggr = AGGR_SUM, withscores = 0;
    long limit = 0;
    while (j < c->argc) {
        int remaining = c->argc - j;
        if (op != SETOP_DIFF && !cardOnly && remaining >= setnum + 1 && argIs(c->argv[j], "weights")) {
            j++;
            for (long i = 0; i < setnum; i++, j++) {
                if (getDoubleFromObject(c->argv[j], &src[i].weight) != 0) {
                    zfree(src);
                    addReplyError(c, "ERR weight value is not a float");
                    return;
                }
            }
        } else if (op != SETOP_DIFF && !cardOnly && remaining >= 2 && argIs(c->argv[j], "aggregate")) {
            j++;
            if (argIs(c->argv[j], "sum")) aggr = AGGR_SUM;
            else if (argIs(c->argv[j], "min")) aggr = AGGR_MIN;
            else if (argIs(c->argv[j], "max")) aggr = AGGR_MAX;
            else {
                zfree(src);
                addReply(c, shared.syntaxerr);
                return;
            }
            j++;
        } else if (!dstkey && !cardOnly && argIs(c->argv[j], "withscores")) {
            j++;
            withscores = 1;
        } else if (cardOnly && remaining >= 2 && argIs(c->argv[j], "limit")) {
            j++;
            if (!argLong(c->argv[j], &limit) || limit < 0) {
                zfree(src);
                addReplyError(c, "ERR LIMIT can't be negative");
                return;
            }
            j++;
        } else {
            zfree(src);
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    if (op != SETOP_DIFF) qsort(src, (size_t)setnum, sizeof(zsrc), cmpSrcAsc);
    zopState st = {.src = src, .n = (int)setnum, .aggr = aggr, .op = op, .limit = limit, .cardOnly = cardOnly};
    st.dst = createZsetObject();
    if (op == SETOP_INTER) {
        if (src[0].o && srcSize(&src[0]) > 0) srcForEach(&src[0], interVisit, &st);
    } else if (op == SETOP_UNION) {
        st.acc = htCreate(&setHashtableType);
        for (st.cur = 0; st.cur < st.n; st.cur++) srcForEach(&src[st.cur], unionVisit, &st);
        htIterator it;
        htInitIterator(&it, st.acc);
        htEntry *e;
        while ((e = htNext(&it))) addResult(&st, e->key, bstrLen(e->key), e->v.d);
        htResetIterator(&it);
        htRelease(st.acc);
    } else if (src[0].o) {
        srcForEach(&src[0], diffVisit, &st);
    }
    zfree(src);
    if (cardOnly) {
        addReplyLongLong(c, st.card);
        decrRefCount(st.dst);
        return;
    }
    obj *dst = st.dst;
    unsigned long len = zsetLength(dst);
    if (dstkey) {
        if (len) {
            zsetConvertToListpackIfNeeded(dst, st.maxelelen, st.totelelen);
            setKey(c, c->db, dstkey, dst, 0);
            addReplyLongLong(c, (long long)len);
            static const char *ev[] = {"zunionstore", "zinterstore", "zdiffstore"};
            notifyKeyspaceEvent(NOTIFY_ZSET, ev[op], dstkey, c->db->id);
            server.dirty++;
        } else {
            zsetReplyEmptyStore(c, dstkey);
        }
    } else {
        addReplyArrayLen(c, (long)(withscores && c->resp == 2 ? len * 2 : len));
        for (zskiplistNode *n = ((zset *)objPtr(dst))->zsl->header->level[0].forward; n; n = n->level[0].forward) {
            if (withscores && c->resp > 2) addReplyArrayLen(c, 2);
            bstr ele = zslNodeEle(n);
            addReplyBulkCBuffer(c, ele, bstrLen(ele));
            if (withscores) addReplyDouble(c, n->score);
        }
    }
    decrRefCount(dst);
}

void zunionstoreCommand(client *c) { zsetopGeneric(c, c->argv[1], 2, SETOP_UNION, 0); }
void zinterstoreCommand(client *c) { zsetopGeneric(c, c->argv[1], 2, SETOP_INTER, 0); }
void zdiffstoreCommand(client *c) { zsetopGeneric(c, c->argv[1], 2, SETOP_DIFF, 0); }
void zunionCommand(client *c) { zsetopGeneric(c, NULL, 1, SETOP_UNION, 0); }
void zinterCommand(client *c) { zsetopGeneric(c, NULL, 1, SETOP_INTER, 0); }
void zdiffCommand(client *c) { zsetopGeneric(c, NULL, 1, SETOP_DIFF, 0); }
void zintercardCommand(client *c) { zsetopGeneric(c, NULL, 1, SETOP_INTER, 1); }

/* ============================================================ ZSCAN */

typedef struct zscanAcc {
    list *items;   /* alternating member / score bstr */
} zscanAcc;

static void zscanCb(void *pd, void *elem) {
    zscanAcc *a = pd;
    zskiplistNode *node = elem;
    char buf[MAX_D2STRING_CHARS];
    int n = d2string(buf, sizeof(buf), node->score);
    bstr ele = zslNodeEle(node);
    listAddNodeTail(a->items, bstrNewLen(ele, bstrLen(ele)));
    listAddNodeTail(a->items, bstrNewLen(buf, (size_t)n));
}

void zscanCommand(client *c) {
    unsigned long cursor;
    if (scanParseCursorOrReply(c, c->argv[2], &cursor) < 0) return;
    long count = 10;
    const char *pat = NULL;
    size_t patlen = 0;
    char patbuf[LONG_STR_SIZE];
    int noscores = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (argIs(c->argv[j], "count") && more >= 1) {
            if (!argLongOrReply(c, c->argv[j + 1], &count)) return;
            if (count < 1) {
                addReply(c, shared.syntaxerr);
                return;
            }
            j++;
        } else if (argIs(c->argv[j], "match") && more >= 1) {
            pat = argPtr(c->argv[j + 1], patbuf, &patlen);
            j++;
        } else if (argIs(c->argv[j], "noscores")) {
            noscores = 1;
        } else {
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.emptyscan);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    if (pat && patlen == 1 && pat[0] == '*') pat = NULL;
    list *items = listCreate();
    if (z->encoding == OBJ_ENCODING_SKIPLIST) {
        zscanAcc acc = {items};
        long maxiter = count * 10;
        do {
            cursor = kvtScan(((zset *)objPtr(z))->members, cursor, zscanCb, &acc);
        } while (cursor && maxiter-- && (long)listLength(items) < count * 2);
    } else {
        unsigned char *zl = objPtr(z);
        for (unsigned char *p = lpFirst(zl); p; p = lpNext(zl, p)) {
            char buf[LONG_STR_SIZE];
            size_t len;
            const char *s = zzlElem(p, buf, &len);
            listAddNodeTail(items, bstrNewLen(s, len));
        }
        cursor = 0;
    }
    addReplyArrayLen(c, 2);
    addReplyBulkBstr(c, bstrCatPrintf(bstrEmpty(), "%lu", cursor));
    void *deferred = addReplyDeferredLen(c);
    long n = 0;
    listIter li;
    listNode *ln;
    listRewind(items, &li);
    while ((ln = listNext(&li))) {
        bstr m = listNodeValue(ln);
        ln = listNext(&li);
        bstr s = listNodeValue(ln);
        if (!pat || stringmatchlen(pat, (int)patlen, m, (int)bstrLen(m), 0)) {
            addReplyBulkCBuffer(c, m, bstrLen(m));
            n++;
            if (!noscores) {
                addReplyBulkCBuffer(c, s, bstrLen(s));
                n++;
            }
        }
        bstrFree(m);
        bstrFree(s);
    }
    listRelease(items);
    setDeferredArrayLen(c, deferred, n);
}
