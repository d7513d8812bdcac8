/* t_zset: sorted-set type and commands. See t_zset.h. */
#include "commands/t_zset_int.h"
#include "commands/t_set.h"
#include "ds/listpack.h"
#include "ds/intset.h"
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The member table's elements are skiplist nodes; zslFree frees them. */
static const void *zsetNodeKey(const void *node) { return zslNodeEle(node); }
kvtType zsetMembersType = {zsetNodeKey, htBstrHash, htBstrEqual, NULL};

/* ============================================================ helpers */

static int wrongType(client *c, obj *o) { return o && checkType(c, o, OBJ_ZSET); }

/* ============================================================ ranges */

typedef struct zrangespec {
    double min, max;
    int minex, maxex;
} zrangespec;

/* kind: -1 "-" (below everything), +1 "+" (above everything), 0 a value. */
typedef struct zlexbound {
    int kind, ex;
    const char *s;
    size_t len;
} zlexbound;

typedef struct zlexrangespec {
    zlexbound min, max;
} zlexrangespec;

static int parseScoreBound(obj *o, double *v, int *ex) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argPtr(o, buf, &len);
    char tmp[128];
    *ex = 0;
    if (len && s[0] == '(') {
        *ex = 1;
        s++;
        len--;
    }
    if (len >= sizeof(tmp)) return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    *v = strtod(tmp, &end);
    return *end == '\0' && !isnan(*v);
}

static int zslParseRange(obj *min, obj *max, zrangespec *r) {
    return parseScoreBound(min, &r->min, &r->minex) && parseScoreBound(max, &r->max, &r->maxex);
}

static int parseLexBound(obj *o, zlexbound *b, char *buf) {
    size_t len;
    const char *s = argPtr(o, buf, &len);
    b->kind = 0;
    b->ex = 0;
    if (len == 1 && s[0] == '-') b->kind = -1;
    else if (len == 1 && s[0] == '+') b->kind = 1;
    else if (len >= 1 && (s[0] == '(' || s[0] == '[')) {
        b->ex = s[0] == '(';
        b->s = s + 1;
        b->len = len - 1;
    } else return 0;
    return 1;
}

static int zslParseLexRange(obj *min, obj *max, zlexrangespec *r, char *bufmin, char *bufmax) {
    return parseLexBound(min, &r->min, bufmin) && parseLexBound(max, &r->max, bufmax);
}

static inline int scoreGteMin(double v, const zrangespec *r) { return r->minex ? v > r->min : v >= r->min; }
static inline int scoreLteMax(double v, const zrangespec *r) { return r->maxex ? v < r->max : v <= r->max; }

static int lexCmpBound(const char *s, size_t len, const zlexbound *b) {
    if (b->kind == -1) return 1;
    if (b->kind == 1) return -1;
    return zslMemberCmp(s, len, b->s, b->len);
}
static int lexGteMin(const char *s, size_t len, const zlexrangespec *r) {
    int c = lexCmpBound(s, len, &r->min);
    return r->min.ex ? c > 0 : c >= 0;
}
static int lexLteMax(const char *s, size_t len, const zlexrangespec *r) {
    int c = lexCmpBound(s, len, &r->max);
    return r->max.ex ? c < 0 : c <= 0;
}

static int scoreRangeEmpty(const zrangespec *r) {
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

static int lexRangeEmpty(const zlexrangespec *r) {
    if (r->min.kind == 1 || r->max.kind == -1) return 1;
    if (r->min.kind == -1 || r->max.kind == 1) return 0;
    int c = zslMemberCmp(r->min.s, r->min.len, r->max.s, r->max.len);
    return c > 0 || (c == 0 && (r->min.ex || r->max.ex));
}

/* ============================================================ listpack form */

double zzlGetScore(unsigned char *sptr) {
    unsigned char *s;
    uint32_t slen;
    long long lv;
    if (!lpGetValue(sptr, &s, &slen, &lv)) return (double)lv;
    char buf[128];
    if (slen >= sizeof(buf)) slen = sizeof(buf) - 1;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    return strtod(buf, NULL);
}

/* Element bytes of a listpack entry; integers are rendered into buf. */
const char *zzlElem(unsigned char *p, char *buf, size_t *len) {
    unsigned char *s;
    uint32_t slen;
    long long lv;
    if (lpGetValue(p, &s, &slen, &lv)) {
        *len = slen;
        return (const char *)s;
    }
    *len = (size_t)ll2string(buf, LONG_STR_SIZE, lv);
    return buf;
}

static unsigned char *zzlFind(unsigned char *zl, const char *ele, size_t len, double *score) {
    unsigned char *p = lpFirst(zl);
    if (!p) return NULL;
    p = lpFind(zl, p, (const unsigned char *)ele, (uint32_t)len, 1);
    if (p && score) *score = zzlGetScore(lpNext(zl, p));
    return p;
}

static unsigned char *zzlInsertAt(unsigned char *zl, unsigned char *eptr, const char *ele, size_t len,
                                  double score) {
    char sbuf[MAX_D2STRING_CHARS];
    /* Integral scores are stored as integers, as Valkey does: this is also
     * what turns a -0 score into 0 in a listpack (a skiplist keeps -0). */
    int slen;
    if (score > -(double)(LLONG_MAX / 2) && score < (double)(LLONG_MAX / 2) && (double)(long long)score == score)
        slen = ll2string(sbuf, sizeof(sbuf), (long long)score);
    else
        slen = d2string(sbuf, sizeof(sbuf), score);
    if (!eptr) {
        zl = lpAppend(zl, (const unsigned char *)ele, (uint32_t)len);
        return lpAppend(zl, (unsigned char *)sbuf, (uint32_t)slen);
    }
    unsigned char *newp;
    zl = lpInsertString(zl, (const unsigned char *)ele, (uint32_t)len, eptr, LP_BEFORE, &newp);
    return lpInsertString(zl, (unsigned char *)sbuf, (uint32_t)slen, newp, LP_AFTER, NULL);
}

unsigned char *zzlInsert(unsigned char *zl, const char *ele, size_t len, double score) {
    unsigned char *eptr = lpFirst(zl);
    char buf[LONG_STR_SIZE];
    while (eptr) {
        unsigned char *sptr = lpNext(zl, eptr);
        double s = zzlGetScore(sptr);
        if (s > score) break;
        if (s == score) {
            size_t elen;
            const char *e = zzlElem(eptr, buf, &elen);
            if (zslMemberCmp(e, elen, ele, len) > 0) break;
        }
        eptr = lpNext(zl, sptr);
    }
    return zzlInsertAt(zl, eptr, ele, len, score);
}

static unsigned char *zzlDeletePair(unsigned char *zl, unsigned char *eptr) {
    return lpDeleteRangeWithEntry(zl, &eptr, 2);
}

/* ============================================================ objects */

static zset *zsetStructCreate(void) {
    zset *zs = zmalloc(sizeof(*zs));
    zs->members = kvtCreate(&zsetMembersType);
    zs->zsl = zslCreate();
    return zs;
}

static void zsetStructFree(zset *zs) {
    kvtRelease(zs->members);
    zslFree(zs->zsl);
    zfree(zs);
}

/* Adds a member known to be absent. */
static zskiplistNode *zsetStructInsert(zset *zs, double score, const char *ele, size_t len) {
    zskiplistNode *n = zslInsert(zs->zsl, score, ele, len);
    int added = kvtAdd(zs->members, n);
    serverAssert(added == 0);
    return n;
}

/* The node of a member, or NULL. */
static zskiplistNode *zsetStructFind(zset *zs, const char *ele, size_t len) {
    char tb[BSTR_TMPBUF];
    bstr k = bstrTmpView(tb, ele, len);
    zskiplistNode *n = kvtFind(zs->members, k);
    bstrTmpViewFree(tb, k);
    return n;
}

obj *createZsetObject(void) {
    zset *zs = zsetStructCreate();
    obj *o = createObject(OBJ_ZSET, zs);
    o->encoding = OBJ_ENCODING_SKIPLIST;
    return o;
}

obj *createZsetListpackObject(void) {
    obj *o = createObject(OBJ_ZSET, lpNew(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

void freeZsetObject(obj *o) {
    if (o->encoding == OBJ_ENCODING_SKIPLIST) {
        zsetStructFree(objPtr(o));
    } else if (o->encoding == OBJ_ENCODING_LISTPACK) {
        lpFree(objPtr(o));
    } else {
        serverPanic("Unknown sorted set encoding");
    }
}

obj *zsetTypeCreate(size_t size_hint, size_t value_len_hint) {
    if (size_hint <= server.zset_max_listpack_entries && value_len_hint <= server.zset_max_listpack_value &&
        server.zset_max_listpack_entries)
        return createZsetListpackObject();
    obj *o = createZsetObject();
    if (size_hint) kvtExpand(((zset *)objPtr(o))->members, size_hint);
    return o;
}

unsigned long zsetLength(const obj *z) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) return lpLength(objPtr(z)) / 2;
    if (z->encoding == OBJ_ENCODING_SKIPLIST) return ((const zset *)objPtr(z))->zsl->length;
    serverPanic("Unknown sorted set encoding");
}

void zsetInitIterator(zsetIterator *it, obj *z) {
    it->z = z;
    it->eptr = it->sptr = NULL;
    it->ln = NULL;
    it->started = 0;
}

int zsetNext(zsetIterator *it, const char **str, size_t *len, long long *ll, double *score) {
    if (it->z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *zl = objPtr(it->z);
        it->eptr = it->started ? (it->sptr ? lpNext(zl, it->sptr) : NULL) : lpFirst(zl);
        it->started = 1;
        if (!it->eptr) {
            it->sptr = NULL;
            return 0;
        }
        it->sptr = lpNext(zl, it->eptr);
        unsigned char *s;
        uint32_t slen;
        long long lv;
        if (lpGetValue(it->eptr, &s, &slen, &lv)) {
            *str = (const char *)s;
            *len = slen;
        } else {
            *str = NULL;
            *ll = lv;
        }
        *score = zzlGetScore(it->sptr);
        return 1;
    }
    zset *zs = objPtr(it->z);
    it->ln = it->started ? (it->ln ? it->ln->level[0].forward : NULL) : zs->zsl->header->level[0].forward;
    it->started = 1;
    if (!it->ln) return 0;
    *str = zslNodeEle(it->ln);
    *len = bstrLen((bstr)*str);
    *score = it->ln->score;
    return 1;
}

void zsetConvert(obj *z, int encoding) {
    if (z->encoding == encoding) return;
    if (encoding == OBJ_ENCODING_SKIPLIST) {
        serverAssert(z->encoding == OBJ_ENCODING_LISTPACK);
        zset *zs = zsetStructCreate();
        kvtExpand(zs->members, zsetLength(z));
        zsetIterator it;
        zsetInitIterator(&it, z);
        const char *s;
        size_t len = 0;
        long long ll = 0;
        double score;
        char buf[LONG_STR_SIZE];
        while (zsetNext(&it, &s, &len, &ll, &score)) {
            if (!s) {
                len = (size_t)ll2string(buf, sizeof(buf), ll);
                s = buf;
            }
            zsetStructInsert(zs, score, s, len);
        }
        lpFree(objPtr(z));
        objSetPtr(z, zs);
        z->encoding = OBJ_ENCODING_SKIPLIST;
    } else if (encoding == OBJ_ENCODING_LISTPACK) {
        serverAssert(z->encoding == OBJ_ENCODING_SKIPLIST);
        zset *zs = objPtr(z);
        unsigned char *zl = lpNew(0);
        for (zskiplistNode *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward) {
            bstr ele = zslNodeEle(n);
            zl = zzlInsertAt(zl, NULL, ele, bstrLen(ele), n->score);
        }
        zsetStructFree(zs);
        objSetPtr(z, zl);
        z->encoding = OBJ_ENCODING_LISTPACK;
    } else {
        serverPanic("Unknown sorted set encoding");
    }
}

void zsetConvertToListpackIfNeeded(obj *z, size_t maxelelen, size_t totelelen) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) return;
    zset *zs = objPtr(z);
    if (zs->zsl->length <= server.zset_max_listpack_entries && maxelelen <= server.zset_max_listpack_value &&
        lpSafeToAdd(NULL, totelelen))
        zsetConvert(z, OBJ_ENCODING_LISTPACK);
}

void zsetTypeMaybeConvert(obj *z) {
    if (z->encoding == OBJ_ENCODING_LISTPACK && zsetLength(z) > server.zset_max_listpack_entries)
        zsetConvert(z, OBJ_ENCODING_SKIPLIST);
}

obj *zsetDup(obj *o) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        obj *d = createObject(OBJ_ZSET, lpDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_LISTPACK;
        return d;
    }
    obj *d = createZsetObject();
    zset *src = objPtr(o), *dst = objPtr(d);
    kvtExpand(dst->members, src->zsl->length);
    for (zskiplistNode *n = src->zsl->tail; n; n = n->backward) {
        bstr ele = zslNodeEle(n);
        zsetStructInsert(dst, n->score, ele, bstrLen(ele));
    }
    return d;
}

size_t zsetSkiplistMemUsage(obj *z, size_t samples) {
    zset *zs = objPtr(z);
    size_t fixed = zmalloc_size(zs) + zmalloc_size(zs->zsl) + zmalloc_size(zs->zsl->header) +
                   kvtMemUsage(zs->members);
    size_t sampled = 0, bytes = 0;
    for (zskiplistNode *n = zs->zsl->header->level[0].forward; n && sampled < samples; n = n->level[0].forward) {
        bytes += zmalloc_size(n);
        sampled++;
    }
    if (sampled == 0) return fixed;
    return fixed + (size_t)((double)bytes / (double)sampled * (double)zs->zsl->length);
}

int zsetScore(obj *z, const char *ele, size_t len, double *score) {
    if (!z) return 0;
    if (z->encoding == OBJ_ENCODING_LISTPACK) return zzlFind(objPtr(z), ele, len, score) != NULL;
    zskiplistNode *n = zsetStructFind(objPtr(z), ele, len);
    if (!n) return 0;
    *score = n->score;
    return 1;
}

/* ZADD's verdict on a member already present with score cur: 1 when the new
 * *score (INCR applied) is to be written, 0 when NX/GT/LT make it a NOP,
 * -1 when INCR gives NaN. The matching ZADD_OUT_* flag is set in *out. */
static int zaddExistingScore(int flags, double cur, double *score, int *out) {
    if (flags & ZADD_IN_NX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    if (flags & ZADD_IN_INCR) {
        *score += cur;
        if (isnan(*score)) {
            *out |= ZADD_OUT_NAN;
            return -1;
        }
    }
    if (((flags & ZADD_IN_LT) && *score >= cur) || ((flags & ZADD_IN_GT) && *score <= cur)) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    return 1;
}

static int zsetAddListpack(obj *z, double score, const char *ele, size_t len, int flags, int *out,
                           double *newscore) {
    int xx = flags & ZADD_IN_XX;
    double cur;
    unsigned char *eptr = zzlFind(objPtr(z), ele, len, &cur);
    if (eptr) {
        int verdict = zaddExistingScore(flags, cur, &score, out);
        if (verdict != 1) return verdict == 0; /* a NOP succeeds, NaN fails */
        if (newscore) *newscore = score;
        if (score != cur) {
            objSetPtr(z, zzlDeletePair(objPtr(z), eptr));
            objSetPtr(z, zzlInsert(objPtr(z), ele, len, score));
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (xx) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    if (zsetLength(z) + 1 > server.zset_max_listpack_entries || len > server.zset_max_listpack_value ||
        !lpSafeToAdd(objPtr(z), len)) {
        zsetConvert(z, OBJ_ENCODING_SKIPLIST);
        return -1; /* caller retries on the skiplist */
    }
    objSetPtr(z, zzlInsert(objPtr(z), ele, len, score));
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

static int zsetAddSkiplist(obj *z, double score, const char *ele, size_t len, int flags, int *out,
                           double *newscore) {
    int xx = flags & ZADD_IN_XX;
    zset *zs = objPtr(z);
    zskiplistNode *n = zsetStructFind(zs, ele, len);
    if (n) {
        double cur = n->score;
        int verdict = zaddExistingScore(flags, cur, &score, out);
        if (verdict != 1) return verdict == 0; /* a NOP succeeds, NaN fails */
        if (newscore) *newscore = score;
        if (score != cur) {
            zslUpdateScore(zs->zsl, n, score); /* n stays put in the member table */
            *out |= ZADD_OUT_UPDATED;
        }
        return 1;
    }
    if (xx) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    zsetStructInsert(zs, score, ele, len);
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zsetAdd(obj *z, double score, const char *ele, size_t len, int in_flags, int *out_flags, double *newscore) {
    *out_flags = 0;
    if (isnan(score)) {
        *out_flags = ZADD_OUT_NAN;
        return 0;
    }
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        int r = zsetAddListpack(z, score, ele, len, in_flags, out_flags, newscore);
        if (r >= 0) return r;
    }
    return zsetAddSkiplist(z, score, ele, len, in_flags, out_flags, newscore);
}

int zsetDel(obj *z, const char *ele, size_t len) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *eptr = zzlFind(objPtr(z), ele, len, NULL);
        if (!eptr) return 0;
        objSetPtr(z, zzlDeletePair(objPtr(z), eptr));
        return 1;
    }
    zset *zs = objPtr(z);
    char tb[BSTR_TMPBUF];
    bstr k = bstrTmpView(tb, ele, len);
    zskiplistNode *n = kvtPop(zs->members, k);
    bstrTmpViewFree(tb, k);
    if (!n) return 0;
    zskiplistNode *d = zslDetach(zs->zsl, n->score, ele, len);
    serverAssert(d == n);
    zslFreeNode(n);
    kvtResizeIfNeeded(zs->members); /* give back buckets as the set shrinks */
    return 1;
}

long zsetRank(obj *z, const char *ele, size_t len, int reverse, double *score) {
    unsigned long llen = zsetLength(z);
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *zl = objPtr(z), *eptr = lpFirst(zl);
        long rank = 0;
        while (eptr) {
            unsigned char *sptr = lpNext(zl, eptr);
            if (lpCompare(eptr, (const unsigned char *)ele, (uint32_t)len)) {
                if (score) *score = zzlGetScore(sptr);
                return reverse ? (long)llen - 1 - rank : rank;
            }
            rank++;
            eptr = lpNext(zl, sptr);
        }
        return -1;
    }
    zset *zs = objPtr(z);
    zskiplistNode *n = zsetStructFind(zs, ele, len);
    if (!n) return -1;
    if (score) *score = n->score;
    unsigned long r = zslGetRank(zs->zsl, n->score, ele, len);
    return reverse ? (long)(llen - r) : (long)(r - 1);
}

/* ============================================================ cursor */

int zcurValid(const zcursor *c) {
    return c->z->encoding == OBJ_ENCODING_LISTPACK ? c->eptr != NULL : c->ln != NULL;
}

void zcurGet(const zcursor *c, zelem *e) {
    if (c->z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *s;
        uint32_t slen;
        long long lv;
        if (lpGetValue(c->eptr, &s, &slen, &lv)) {
            e->s = (const char *)s;
            e->len = slen;
        } else {
            e->s = NULL;
            e->ll = lv;
        }
        e->score = zzlGetScore(c->sptr);
    } else {
        e->s = zslNodeEle(c->ln);
        e->len = bstrLen((bstr)e->s);
        e->score = c->ln->score;
    }
}

/* Member bytes (rendering integers into e->buf). */
const char *zelemStr(zelem *e, size_t *len) {
    if (e->s) {
        *len = e->len;
        return e->s;
    }
    *len = (size_t)ll2string(e->buf, sizeof(e->buf), e->ll);
    return e->buf;
}

void zcurNext(zcursor *c, int rev) {
    if (c->z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *zl = objPtr(c->z);
        if (!rev) {
            c->eptr = lpNext(zl, c->sptr);
            c->sptr = c->eptr ? lpNext(zl, c->eptr) : NULL;
        } else {
            c->sptr = lpPrev(zl, c->eptr);
            c->eptr = c->sptr ? lpPrev(zl, c->sptr) : NULL;
        }
    } else {
        c->ln = rev ? c->ln->backward : c->ln->level[0].forward;
    }
}

/* Positions at 0-based forward rank. */
void zcurSeekRank(zcursor *c, obj *z, unsigned long rank) {
    c->z = z;
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        c->eptr = lpSeek(objPtr(z), (long)(2 * rank));
        c->sptr = c->eptr ? lpNext(objPtr(z), c->eptr) : NULL;
    } else {
        c->ln = zslGetElementByRank(((zset *)objPtr(z))->zsl, rank + 1);
    }
}

typedef int zInRangeFn(zelem *e, const void *range, int upper);

static int scoreInFn(zelem *e, const void *range, int upper) {
    return upper ? scoreLteMax(e->score, range) : scoreGteMin(e->score, range);
}

static int lexInFn(zelem *e, const void *range, int upper) {
    size_t len;
    const char *s = zelemStr(e, &len);
    return upper ? lexLteMax(s, len, range) : lexGteMin(s, len, range);
}

/* Seeks the first element (rev: last) in range. Linear for listpacks; for
 * skiplists a log(n) descent by score or member. */
/* Valkey first checks the whole set against the range: the last element must
 * reach min and the first must not pass max. With mixed scores (lex ranges
 * are only meaningful when all scores are equal) this decides the reply, so
 * it is reproduced exactly. */
static int rangeOverlapsSet(obj *z, const void *range, zInRangeFn *fn) {
    unsigned long n = zsetLength(z);
    if (n == 0) return 0;
    zcursor c;
    zelem e;
    zcurSeekRank(&c, z, n - 1);
    zcurGet(&c, &e);
    if (!fn(&e, range, 0)) return 0;
    zcurSeekRank(&c, z, 0);
    zcurGet(&c, &e);
    return fn(&e, range, 1);
}

static int zcurSeekRange(zcursor *c, obj *z, const void *range, zInRangeFn *fn, int isLex, int rev) {
    c->z = z;
    zelem e;
    (void)isLex;
    if (!rangeOverlapsSet(z, range, fn)) {
        c->eptr = NULL;
        c->ln = NULL;
        return 0;
    }
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned long n = zsetLength(z);
        if (n == 0) {
            c->eptr = NULL;
            return 0;
        }
        zcurSeekRank(c, z, rev ? n - 1 : 0);
        while (zcurValid(c)) {
            zcurGet(c, &e);
            if (fn(&e, range, rev)) break;
            zcurNext(c, rev);
        }
    } else {
        zskiplist *zsl = ((zset *)objPtr(z))->zsl;
        zskiplistNode *x = zsl->header;
        for (int i = zsl->level - 1; i >= 0; i--) {
            while (x->level[i].forward) {
                zskiplistNode *f = x->level[i].forward;
                bstr fele = zslNodeEle(f);
                zelem fe = {.s = fele, .len = bstrLen(fele), .score = f->score};
                /* forward: skip while below min; rev: advance while <= max */
                int advance = rev ? fn(&fe, range, 1) : !fn(&fe, range, 0);
                if (!advance) break;
                x = f;
            }
        }
        c->ln = rev ? (x == zsl->header ? NULL : x) : x->level[0].forward;
    }
    if (!zcurValid(c)) return 0;
    zcurGet(c, &e);
    return fn(&e, range, !rev); /* also within the opposite bound */
}

/* A *STORE with an empty result: the destination key goes away, reply 0. */
void zsetReplyEmptyStore(client *c, obj *dstkey) {
    addReply(c, shared.czero);
    if (dbDelete(c->db, dstkey)) {
        signalModifiedKey(c, c->db, dstkey);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, c->db->id);
        server.dirty++;
    }
}

/* ============================================================ result sink */

/* Results go either to the client (reply) or to a destination zset (store). */
typedef struct zsink {
    client *c;
    int withscores, store;
    obj *dst;
    void *deferred;
    long count;
    size_t maxelelen, totelelen;
} zsink;

static void sinkBegin(zsink *k, long len) {
    k->count = 0;
    if (k->store) {
        k->dst = createZsetObject();
        k->maxelelen = k->totelelen = 0;
        return;
    }
    if (len < 0) {
        k->deferred = addReplyDeferredLen(k->c);
        return;
    }
    addReplyArrayLen(k->c, k->withscores && k->c->resp == 2 ? len * 2 : len);
}

static void sinkEmit(zsink *k, zelem *e) {
    k->count++;
    if (k->store) {
        size_t len;
        const char *s = zelemStr(e, &len);
        int out;
        zsetAdd(k->dst, e->score, s, len, 0, &out, NULL);
        if (len > k->maxelelen) k->maxelelen = len;
        k->totelelen += len;
        return;
    }
    if (k->withscores && k->c->resp > 2) addReplyArrayLen(k->c, 2);
    if (e->s) addReplyBulkCBuffer(k->c, e->s, e->len);
    else addReplyBulkLongLong(k->c, e->ll);
    if (k->withscores) addReplyDouble(k->c, e->score);
}

static void sinkEnd(zsink *k, obj *dstkey) {
    client *c = k->c;
    if (!k->store) {
        if (k->deferred)
            setDeferredArrayLen(c, k->deferred, k->withscores && c->resp == 2 ? k->count * 2 : k->count);
        return;
    }
    if (k->count) {
        zsetConvertToListpackIfNeeded(k->dst, k->maxelelen, k->totelelen);
        setKey(c, c->db, dstkey, k->dst, 0);
        addReplyLongLong(c, k->count);
        notifyKeyspaceEvent(NOTIFY_ZSET, "zrangestore", dstkey, c->db->id);
        server.dirty++;
    } else {
        zsetReplyEmptyStore(c, dstkey);
    }
    decrRefCount(k->dst);
}

/* ============================================================ ZADD & co */

static void zaddGeneric(client *c, int flags) {
    int incr = flags & ZADD_IN_INCR, nx = 0, xx = 0, gt = 0, lt = 0, ch = 0;
    int j = 2;
    for (; j < c->argc; j++) {
        if (argIs(c->argv[j], "nx")) nx = 1;
        else if (argIs(c->argv[j], "xx")) xx = 1;
        else if (argIs(c->argv[j], "gt")) gt = 1;
        else if (argIs(c->argv[j], "lt")) lt = 1;
        else if (argIs(c->argv[j], "ch")) ch = 1;
        else if (argIs(c->argv[j], "incr")) incr = 1;
        else break;
    }
    int elements = c->argc - j;
    if (elements % 2 || elements == 0) {
        addReply(c, shared.syntaxerr);
        return;
    }
    elements /= 2;
    if (nx && xx) {
        addReplyError(c, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        addReplyError(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && elements > 1) {
        addReplyError(c, "ERR INCR option supports a single increment-element pair");
        return;
    }
    double *scores = zmalloc(sizeof(double) * (size_t)elements);
    size_t maxelelen = 0;
    for (int i = 0; i < elements; i++) {
        if (getDoubleFromObjectOrReply(c, c->argv[j + i * 2], &scores[i], NULL) != 0) {
            zfree(scores);
            return;
        }
        size_t l = stringObjectLen(c->argv[j + i * 2 + 1]);
        if (l > maxelelen) maxelelen = l;
    }
    int in = (incr ? ZADD_IN_INCR : 0) | (nx ? ZADD_IN_NX : 0) | (xx ? ZADD_IN_XX : 0) |
             (gt ? ZADD_IN_GT : 0) | (lt ? ZADD_IN_LT : 0);
    obj *key = c->argv[1];
    obj *z = lookupKeyWrite(c->db, key);
    long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (wrongType(c, z)) goto cleanup;
    if (!z) {
        if (xx) goto reply;
        z = zsetTypeCreate((size_t)elements, maxelelen);
        dbAdd(c->db, key, z);
    }
    for (int i = 0; i < elements; i++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *ele = argPtr(c->argv[j + i * 2 + 1], buf, &len);
        int out;
        double ns = scores[i];
        if (!zsetAdd(z, scores[i], ele, len, in, &out, &ns)) {
            addReplyError(c, "ERR resulting score is not a number (NaN)");
            goto notify;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = ns;
    }
reply:
    if (incr) {
        if (processed) addReplyDouble(c, score);
        else addReplyNull(c);
    } else {
        addReplyLongLong(c, ch ? added + updated : added);
    }
notify:
    if (added || updated) {
        signalModifiedKey(c, c->db, key);
        notifyKeyspaceEvent(NOTIFY_ZSET, incr ? "zincr" : "zadd", key, c->db->id);
    }
    server.dirty += added + updated;
cleanup:
    zfree(scores);
}

static void zaddCommand(client *c) { zaddGeneric(c, ZADD_IN_NONE); }

static void zincrbyCommand(client *c) { zaddGeneric(c, ZADD_IN_INCR); }

static void zremCommand(client *c) {
    obj *key = c->argv[1];
    obj *z = lookupKeyWriteOrReply(c, key, shared.czero);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    long deleted = 0;
    int keyremoved = 0;
    for (int j = 2; j < c->argc; j++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *ele = argPtr(c->argv[j], buf, &len);
        if (zsetDel(z, ele, len)) deleted++;
        if (zsetLength(z) == 0) {
            dbDelete(c->db, key);
            keyremoved = 1;
            break;
        }
    }
    if (deleted) {
        notifyKeyspaceEvent(NOTIFY_ZSET, "zrem", key, c->db->id);
        if (keyremoved) notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
        signalModifiedKey(c, c->db, key);
        server.dirty += deleted;
    }
    addReplyLongLong(c, deleted);
}

/* ============================================================ ZREMRANGEBY* */

#define ZRANGE_RANK 0
#define ZRANGE_SCORE 1
#define ZRANGE_LEX 2

static void zremrangeGeneric(client *c, int type) {
    obj *key = c->argv[1];
    long start = 0, end = 0;
    zrangespec range;
    zlexrangespec lex;
    char b1[LONG_STR_SIZE], b2[LONG_STR_SIZE];
    if (type == ZRANGE_RANK) {
        if (!argLongOrReply(c, c->argv[2], &start) || !argLongOrReply(c, c->argv[3], &end)) return;
    } else if (type == ZRANGE_SCORE) {
        if (!zslParseRange(c->argv[2], c->argv[3], &range)) {
            addReplyError(c, "ERR min or max is not a float");
            return;
        }
    } else if (!zslParseLexRange(c->argv[2], c->argv[3], &lex, b1, b2)) {
        addReplyError(c, "ERR min or max not valid string range item");
        return;
    }
    obj *z = lookupKeyWriteOrReply(c, key, shared.czero);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    zcursor cur;
    long todo = -1;
    if (type == ZRANGE_RANK) {
        long llen = (long)zsetLength(z);
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            addReply(c, shared.czero);
            return;
        }
        if (end >= llen) end = llen - 1;
        zcurSeekRank(&cur, z, (unsigned long)start);
        todo = end - start + 1;
    } else if (type == ZRANGE_SCORE) {
        if (scoreRangeEmpty(&range) || !zcurSeekRange(&cur, z, &range, scoreInFn, 0, 0)) {
            addReply(c, shared.czero);
            return;
        }
    } else {
        if (lexRangeEmpty(&lex) || !zcurSeekRange(&cur, z, &lex, lexInFn, 1, 0)) {
            addReply(c, shared.czero);
            return;
        }
    }
    /* Collect first: deleting invalidates listpack cursors. */
    list *victims = listCreate();
    while (zcurValid(&cur) && todo != 0) {
        zelem e;
        zcurGet(&cur, &e);
        if (type == ZRANGE_SCORE && !scoreLteMax(e.score, &range)) break;
        if (type == ZRANGE_LEX && !lexInFn(&e, &lex, 1)) break;
        size_t len;
        const char *s = zelemStr(&e, &len);
        listAddNodeTail(victims, bstrNewLen(s, len));
        if (todo > 0) todo--;
        zcurNext(&cur, 0);
    }
    long deleted = 0;
    listIter li;
    listNode *ln;
    listRewind(victims, &li);
    while ((ln = listNext(&li))) {
        bstr m = listNodeValue(ln);
        deleted += zsetDel(z, m, bstrLen(m));
        bstrFree(m);
    }
    listRelease(victims);
    if (deleted) {
        static const char *events[] = {"zremrangebyrank", "zremrangebyscore", "zremrangebylex"};
        signalModifiedKey(c, c->db, key);
        notifyKeyspaceEvent(NOTIFY_ZSET, events[type], key, c->db->id);
        if (zsetLength(z) == 0) {
            dbDelete(c->db, key);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
        }
    }
    server.dirty += deleted;
    addReplyLongLong(c, deleted);
}

static void zremrangebyrankCommand(client *c) { zremrangeGeneric(c, ZRANGE_RANK); }
static void zremrangebyscoreCommand(client *c) { zremrangeGeneric(c, ZRANGE_SCORE); }
static void zremrangebylexCommand(client *c) { zremrangeGeneric(c, ZRANGE_LEX); }

/* ============================================================ simple reads */

static void zcardCommand(client *c) {
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    addReplyLongLong(c, (long long)zsetLength(z));
}

static long countInRange(obj *z, const void *range, zInRangeFn *fn) {
    zcursor cur;
    long n = 0;
    if (!zcurSeekRange(&cur, z, range, fn, 0, 0)) return 0;
    if (z->encoding == OBJ_ENCODING_SKIPLIST) {
        /* Rank arithmetic between the first and last node in range: O(log n). */
        zskiplist *zsl = ((zset *)objPtr(z))->zsl;
        zskiplistNode *first = cur.ln;
        zcursor last;
        bstr e1 = zslNodeEle(first);
        long r1 = (long)zslGetRank(zsl, first->score, e1, bstrLen(e1));
        if (!zcurSeekRange(&last, z, range, fn, 0, 1)) return 0;
        bstr e2 = zslNodeEle(last.ln);
        long r2 = (long)zslGetRank(zsl, last.ln->score, e2, bstrLen(e2));
        return r2 - r1 + 1;
    }
    while (zcurValid(&cur)) {
        zelem e;
        zcurGet(&cur, &e);
        if (!fn(&e, range, 1)) break;
        n++;
        zcurNext(&cur, 0);
    }
    return n;
}

static void zcountCommand(client *c) {
    zrangespec range;
    if (!zslParseRange(c->argv[2], c->argv[3], &range)) {
        addReplyError(c, "ERR min or max is not a float");
        return;
    }
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    addReplyLongLong(c, scoreRangeEmpty(&range) ? 0 : countInRange(z, &range, scoreInFn));
}

static void zlexcountCommand(client *c) {
    zlexrangespec lex;
    char b1[LONG_STR_SIZE], b2[LONG_STR_SIZE];
    if (!zslParseLexRange(c->argv[2], c->argv[3], &lex, b1, b2)) {
        addReplyError(c, "ERR min or max not valid string range item");
        return;
    }
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    addReplyLongLong(c, lexRangeEmpty(&lex) ? 0 : countInRange(z, &lex, lexInFn));
}

static int argScore(obj *z, obj *member, double *score) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argPtr(member, buf, &len);
    return zsetScore(z, s, len, score);
}

static void zscoreCommand(client *c) {
    obj *z = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!z || checkType(c, z, OBJ_ZSET)) return;
    double score;
    if (argScore(z, c->argv[2], &score)) addReplyDouble(c, score);
    else addReplyNull(c);
}

static void zmscoreCommand(client *c) {
    obj *z = lookupKeyRead(c->db, c->argv[1]);
    if (wrongType(c, z)) return;
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (z && argScore(z, c->argv[j], &score)) addReplyDouble(c, score);
        else addReplyNull(c);
    }
}

static void zrankGeneric(client *c, int reverse) {
    int withscore = 0;
    if (c->argc > 4) {
        addReplyErrorArity(c);
        return;
    }
    if (c->argc == 4) {
        if (!argIs(c->argv[3], "withscore")) {
            addReply(c, shared.syntaxerr);
            return;
        }
        withscore = 1;
    }
    obj *z = lookupKeyRead(c->db, c->argv[1]);
    if (wrongType(c, z)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *ele = argPtr(c->argv[2], buf, &len);
    double score;
    long rank = z ? zsetRank(z, ele, len, reverse, &score) : -1;
    if (rank < 0) {
        if (withscore) addReplyNullArray(c);
        else addReplyNull(c);
        return;
    }
    if (withscore) {
        addReplyArrayLen(c, 2);
        addReplyLongLong(c, rank);
        addReplyDouble(c, score);
    } else {
        addReplyLongLong(c, rank);
    }
}

static void zrankCommand(client *c) { zrankGeneric(c, 0); }
static void zrevrankCommand(client *c) { zrankGeneric(c, 1); }

/* ============================================================ ZRANGE family */

static void rangeByRank(zsink *k, obj *z, long start, long end, int rev) {
    long llen = (long)zsetLength(z);
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        sinkBegin(k, 0);
        return;
    }
    if (end >= llen) end = llen - 1;
    long n = end - start + 1;
    sinkBegin(k, n);
    zcursor cur;
    zcurSeekRank(&cur, z, (unsigned long)(rev ? llen - 1 - start : start));
    while (n-- > 0 && zcurValid(&cur)) {
        zelem e;
        zcurGet(&cur, &e);
        sinkEmit(k, &e);
        zcurNext(&cur, rev);
    }
}

static void rangeByFn(zsink *k, obj *z, const void *range, zInRangeFn *fn, int empty, int rev, long offset,
                      long limit) {
    zcursor cur;
    if (empty || offset < 0 || (offset > 0 && offset >= (long)zsetLength(z)) ||
        !zcurSeekRange(&cur, z, range, fn, 0, rev)) {
        sinkBegin(k, 0);
        return;
    }
    sinkBegin(k, -1);
    /* Skip offset elements (still bounded by the range). */
    while (zcurValid(&cur) && offset > 0) {
        zelem e;
        zcurGet(&cur, &e);
        if (!fn(&e, range, !rev)) break;
        offset--;
        zcurNext(&cur, rev);
    }
    while (zcurValid(&cur) && limit != 0) {
        zelem e;
        zcurGet(&cur, &e);
        if (!fn(&e, range, !rev)) break;
        sinkEmit(k, &e);
        if (limit > 0) limit--;
        zcurNext(&cur, rev);
    }
}

#define ZDIR_AUTO 0
#define ZDIR_FWD 1
#define ZDIR_REV 2
#define ZRANGE_AUTO (-1)

/* argc_start: index of the source key minus one (ZRANGESTORE has dst first). */
static void zrangeGeneric(client *c, int argc_start, int store, int rangetype, int direction) {
    obj *key = c->argv[argc_start + 1];
    int minidx = argc_start + 2, maxidx = argc_start + 3;
    int withscores = 0;
    long offset = 0, limit = -1;
    for (int j = argc_start + 4; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (!store && argIs(c->argv[j], "withscores")) {
            withscores = 1;
        } else if (argIs(c->argv[j], "limit") && left >= 2) {
            if (!argLongOrReply(c, c->argv[j + 1], &offset) || !argLongOrReply(c, c->argv[j + 2], &limit)) return;
            j += 2;
        } else if (direction == ZDIR_AUTO && argIs(c->argv[j], "rev")) {
            direction = ZDIR_REV;
        } else if (rangetype == ZRANGE_AUTO && argIs(c->argv[j], "bylex")) {
            rangetype = ZRANGE_LEX;
        } else if (rangetype == ZRANGE_AUTO && argIs(c->argv[j], "byscore")) {
            rangetype = ZRANGE_SCORE;
        } else {
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    if (direction == ZDIR_AUTO) direction = ZDIR_FWD;
    if (rangetype == ZRANGE_AUTO) rangetype = ZRANGE_RANK;
    if (limit != -1 && rangetype == ZRANGE_RANK) {
        addReplyError(c, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return;
    }
    if (withscores && rangetype == ZRANGE_LEX) {
        addReplyError(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    int rev = direction == ZDIR_REV;
    if (rev && rangetype != ZRANGE_RANK) {
        int t = minidx;
        minidx = maxidx;
        maxidx = t;
    }
    long start = 0, end = 0;
    zrangespec range;
    zlexrangespec lex;
    char b1[LONG_STR_SIZE], b2[LONG_STR_SIZE];
    if (rangetype == ZRANGE_RANK) {
        if (!argLongOrReply(c, c->argv[minidx], &start) || !argLongOrReply(c, c->argv[maxidx], &end)) return;
    } else if (rangetype == ZRANGE_SCORE) {
        if (!zslParseRange(c->argv[minidx], c->argv[maxidx], &range)) {
            addReplyError(c, "ERR min or max is not a float");
            return;
        }
    } else if (!zslParseLexRange(c->argv[minidx], c->argv[maxidx], &lex, b1, b2)) {
        addReplyError(c, "ERR min or max not valid string range item");
        return;
    }
    zsink k = {.c = c, .withscores = withscores || store, .store = store};
    obj *z = lookupKeyRead(c->db, key);
    if (!z) {
        if (store) {
            sinkBegin(&k, -1);
            sinkEnd(&k, c->argv[1]);
        } else {
            addReply(c, shared.emptyarray);
        }
        return;
    }
    if (checkType(c, z, OBJ_ZSET)) return;
    if (rangetype == ZRANGE_RANK) rangeByRank(&k, z, start, end, rev);
    else if (rangetype == ZRANGE_SCORE)
        rangeByFn(&k, z, &range, scoreInFn, scoreRangeEmpty(&range), rev, offset, limit);
    else rangeByFn(&k, z, &lex, lexInFn, lexRangeEmpty(&lex), rev, offset, limit);
    sinkEnd(&k, store ? c->argv[1] : NULL);
}

static void zrangeCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_AUTO, ZDIR_AUTO); }
static void zrangestoreCommand(client *c) { zrangeGeneric(c, 1, 1, ZRANGE_AUTO, ZDIR_AUTO); }
static void zrevrangeCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_RANK, ZDIR_REV); }
static void zrangebyscoreCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_SCORE, ZDIR_FWD); }
static void zrevrangebyscoreCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_SCORE, ZDIR_REV); }
static void zrangebylexCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_LEX, ZDIR_FWD); }
static void zrevrangebylexCommand(client *c) { zrangeGeneric(c, 0, 0, ZRANGE_LEX, ZDIR_REV); }

/* ============================================================ key specs */

static int zunionstoreGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    return keysOfNumkeys(argv, argc, 2, keyidx, maxkeys, 1);
}
static int zunionGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    return keysOfNumkeys(argv, argc, 1, keyidx, maxkeys, 0);
}
static int bzmpopGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    return keysOfNumkeys(argv, argc, 2, keyidx, maxkeys, 0);
}

#define ZROW(name, proc, arity, flags, fk, lk, ks, summary, since, cplx, gk, args) \
    {name, proc, arity, flags, fk, lk, ks, "sorted-set", summary, since, cplx, gk, NULL, args}

const serverCommandDef zsetCommandTable[] = {
    ZROW("zadd", zaddCommand, -4, "write denyoom fast", 1, 1, 1, "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", "1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", NULL, "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"),
    ZROW("zincrby", zincrbyCommand, 4, "write denyoom fast", 1, 1, 1, "Increments the score of a member in a sorted set.", "1.2.0", "O(log(N)) where N is the number of elements in the sorted set.", NULL, "key increment member"),
    ZROW("zrem", zremCommand, -3, "write fast", 1, 1, 1, "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", "1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", NULL, "key member [member ...]"),
    ZROW("zcard", zcardCommand, 2, "readonly fast", 1, 1, 1, "Returns the number of members in a sorted set.", "1.2.0", "O(1)", NULL, "key"),
    ZROW("zcount", zcountCommand, 4, "readonly fast", 1, 1, 1, "Returns the count of members in a sorted set that have scores within a range.", "2.0.0", "O(log(N)) with N being the number of elements in the sorted set.", NULL, "key min max"),
    ZROW("zlexcount", zlexcountCommand, 4, "readonly fast", 1, 1, 1, "Returns the number of members in a sorted set within a lexicographical range.", "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.", NULL, "key min max"),
    ZROW("zscore", zscoreCommand, 3, "readonly fast", 1, 1, 1, "Returns the score of a member in a sorted set.", "1.2.0", "O(1)", NULL, "key member"),
    ZROW("zmscore", zmscoreCommand, -3, "readonly fast", 1, 1, 1, "Returns the score of one or more members in a sorted set.", "6.2.0", "O(N) where N is the number of members being requested.", NULL, "key member [member ...]"),
    ZROW("zrank", zrankCommand, -3, "readonly fast", 1, 1, 1, "Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0", "O(log(N))", NULL, "key member [WITHSCORE]"),
    ZROW("zrevrank", zrevrankCommand, -3, "readonly fast", 1, 1, 1, "Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0", "O(log(N))", NULL, "key member [WITHSCORE]"),
    ZROW("zrange", zrangeCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a range of indexes.", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", NULL, "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"),
    ZROW("zrangestore", zrangestoreCommand, -5, "write denyoom", 1, 2, 1, "Stores a range of members from sorted set in a key.", "6.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", NULL, "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"),
    ZROW("zrangebyscore", zrangebyscoreCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a range of scores.", "1.0.5", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", NULL, "key min max [WITHSCORES] [LIMIT offset count]"),
    ZROW("zrevrangebyscore", zrevrangebyscoreCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a range of scores in reverse order.", "2.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", NULL, "key max min [WITHSCORES] [LIMIT offset count]"),
    ZROW("zrangebylex", zrangebylexCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a lexicographical range.", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", NULL, "key min max [LIMIT offset count]"),
    ZROW("zrevrangebylex", zrevrangebylexCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a lexicographical range in reverse order.", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.", NULL, "key max min [LIMIT offset count]"),
    ZROW("zrevrange", zrevrangeCommand, -4, "readonly", 1, 1, 1, "Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", NULL, "key start stop [WITHSCORES]"),
    ZROW("zremrangebyrank", zremrangebyrankCommand, 4, "write", 1, 1, 1, "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", "2.0.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", NULL, "key start stop"),
    ZROW("zremrangebyscore", zremrangebyscoreCommand, 4, "write", 1, 1, 1, "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", "1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", NULL, "key min max"),
    ZROW("zremrangebylex", zremrangebylexCommand, 4, "write", 1, 1, 1, "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", "2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", NULL, "key min max"),
    ZROW("zpopmin", zpopminCommand, -2, "write fast", 1, 1, 1, "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", NULL, "key [count]"),
    ZROW("zpopmax", zpopmaxCommand, -2, "write fast", 1, 1, 1, "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", NULL, "key [count]"),
    ZROW("zmpop", zmpopCommand, -4, "write movablekeys", 0, 0, 0, "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", zunionGetKeys, "numkeys key [key ...] MIN|MAX [COUNT count]"),
    ZROW("bzpopmin", bzpopminCommand, -3, "write noscript blocking fast", 1, -2, 1, "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", NULL, "key [key ...] timeout"),
    ZROW("bzpopmax", bzpopmaxCommand, -3, "write noscript blocking fast", 1, -2, 1, "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.", "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", NULL, "key [key ...] timeout"),
    ZROW("bzmpop", bzmpopCommand, -5, "write blocking movablekeys", 0, 0, 0, "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", "7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", bzmpopGetKeys, "timeout numkeys key [key ...] MIN|MAX [COUNT count]"),
    ZROW("zrandmember", zrandmemberCommand, -2, "readonly", 1, 1, 1, "Returns one or more random members from a sorted set.", "6.2.0", "O(N) where N is the number of members returned", NULL, "key [count [WITHSCORES]]"),
    ZROW("zunion", zunionCommand, -3, "readonly movablekeys", 0, 0, 0, "Returns the union of multiple sorted sets.", "6.2.0", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", zunionGetKeys, "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"),
    ZROW("zinter", zinterCommand, -3, "readonly movablekeys", 0, 0, 0, "Returns the intersect of multiple sorted sets.", "6.2.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", zunionGetKeys, "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"),
    ZROW("zdiff", zdiffCommand, -3, "readonly movablekeys", 0, 0, 0, "Returns the difference between multiple sorted sets.", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", zunionGetKeys, "numkeys key [key ...] [WITHSCORES]"),
    ZROW("zunionstore", zunionstoreCommand, -4, "write denyoom movablekeys", 1, 1, 1, "Stores the union of multiple sorted sets in a key.", "2.0.0", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", zunionstoreGetKeys, "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"),
    ZROW("zinterstore", zinterstoreCommand, -4, "write denyoom movablekeys", 1, 1, 1, "Stores the intersect of multiple sorted sets in a key.", "2.0.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", zunionstoreGetKeys, "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]"),
    ZROW("zdiffstore", zdiffstoreCommand, -4, "write denyoom movablekeys", 1, 1, 1, "Stores the difference of multiple sorted sets in a key.", "6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", zunionstoreGetKeys, "destination numkeys key [key ...]"),
    ZROW("zintercard", zintercardCommand, -3, "readonly movablekeys", 0, 0, 0, "Returns the number of members of the intersect of multiple sorted sets.", "7.0.0", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", zunionGetKeys, "numkeys key [key ...] [LIMIT limit]"),
    ZROW("zscan", zscanCommand, -3, "readonly", 1, 1, 1, "Iterates over members and scores of a sorted set.", "2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", NULL, "key cursor [MATCH pattern] [COUNT count] [NOSCORES]"),
    {0},
};
