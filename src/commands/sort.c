/* sort: SORT and SORT_RO over lists, sets and sorted sets, with BY/GET key
 * patterns ("*" substituted by the element, "->field" reads a hash field,
 * "#" is the element itself), LIMIT, ASC/DESC, ALPHA and STORE (a list). */
#include "server/server.h"
#include "commands/t_set.h"
#include "commands/t_zset.h"
#include "commands/t_list.h"
#include "commands/t_hash.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sortItem {
    obj *ele;
    double score;
    obj *cmpobj;   /* ALPHA with BY: the looked-up value, may be NULL */
} sortItem;

typedef struct sortCtx {
    int desc, alpha, bypattern, store;
} sortCtx;

static sortCtx *sortCmpCtx; /* qsort has no user pointer in C11 */

static int argIs(obj *o, const char *word) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = objStrPtr(o, buf, sizeof(buf), &len);
    return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

/* Value for pattern with '*' replaced by subst; NULL when missing. Returns a
 * new string object reference. */
static obj *lookupByPattern(serverDb *db, obj *pattern, obj *subst) {
    char pb[LONG_STR_SIZE], sb[LONG_STR_SIZE];
    size_t plen, slen;
    const char *p = objStrPtr(pattern, pb, sizeof(pb), &plen);
    const char *s = objStrPtr(subst, sb, sizeof(sb), &slen);
    if (plen == 1 && p[0] == '#') {
        incrRefCount(subst);
        return subst;
    }
    const char *star = memchr(p, '*', plen);
    if (!star) return NULL;
    const char *end = p + plen, *field = NULL;
    size_t fieldlen = 0;
    for (const char *q = star + 1; q + 1 < end; q++) {
        if (q[0] == '-' && q[1] == '>' && q + 2 < end) {
            field = q + 2;
            fieldlen = (size_t)(end - field);
            end = q;
            break;
        }
    }
    bstr keyname = bstrNewLen(p, (size_t)(star - p));
    keyname = bstrCatLen(keyname, s, slen);
    keyname = bstrCatLen(keyname, star + 1, (size_t)(end - star - 1));
    obj *keyobj = createStringObjectFromBstr(keyname);
    obj *o = lookupKeyRead(db, keyobj);
    decrRefCount(keyobj);
    if (!o) return NULL;
    if (field) {
        if (o->type != OBJ_HASH) return NULL;
        const char *vs;
        size_t vlen;
        long long ll;
        if (!hashTypeGetValue(o, field, fieldlen, &vs, &vlen, &ll)) return NULL;
        return vs ? createStringObject(vs, vlen) : createStringObjectFromLongLong(ll);
    }
    if (o->type != OBJ_STRING) return NULL;
    incrRefCount(o);
    return o;
}

static int sortCompare(const void *a, const void *b) {
    const sortItem *x = a, *y = b;
    const sortCtx *k = sortCmpCtx;
    int cmp;
    if (!k->alpha) {
        if (x->score > y->score) cmp = 1;
        else if (x->score < y->score) cmp = -1;
        else cmp = compareStringObjects(x->ele, y->ele);
    } else if (k->bypattern) {
        if (!x->cmpobj || !y->cmpobj) cmp = x->cmpobj == y->cmpobj ? 0 : (x->cmpobj == NULL ? -1 : 1);
        else cmp = k->store ? compareStringObjects(x->cmpobj, y->cmpobj) : collateStringObjects(x->cmpobj, y->cmpobj);
    } else {
        cmp = k->store ? compareStringObjects(x->ele, y->ele) : collateStringObjects(x->ele, y->ele);
    }
    return k->desc ? -cmp : cmp;
}

static obj *elemObj(const char *s, size_t len, long long ll) {
    return s ? createStringObject(s, len) : createStringObjectFromLongLong(ll);
}

/* Fills items with every element of the value, or, when the value is kept in
 * its own order (BY nosort on a list or zset), only ranks [start,end] counted
 * from the tail for DESC. Returns the count. */
static long loadItems(obj *v, sortItem *items, int direct, long start, long end, int desc) {
    long n = 0;
    if (v->type == OBJ_LIST) {
        long first = direct ? (desc ? (long)listTypeLength(v) - start - 1 : start) : 0;
        long want = direct ? end - start + 1 : LONG_MAX;
        listTypeIterator *li = listTypeInitIterator(v, first, direct && desc ? LIST_HEAD : LIST_TAIL);
        listTypeEntry e;
        while (n < want && listTypeNext(li, &e)) {
            const char *s;
            size_t len;
            long long ll;
            int isStr = listTypeGetValue(&e, &s, &len, &ll);
            items[n++].ele = elemObj(isStr ? s : NULL, len, ll);
        }
        listTypeReleaseIterator(li);
    } else if (v->type == OBJ_SET) {
        setTypeIterator si;
        setTypeInitIterator(&si, v);
        char *s;
        size_t len = 0;
        int64_t ll = 0;
        while (setTypeNext(&si, &s, &len, &ll) != -1) items[n++].ele = elemObj(s, len, ll);
        setTypeResetIterator(&si);
    } else if (direct) {
        long total = (long)zsetLength(v);
        for (long r = start; r <= end; r++) {
            long rank = desc ? total - 1 - r : r;
            zsetIterator it;
            zsetInitIterator(&it, v);
            const char *s;
            size_t len = 0;
            long long ll = 0;
            double score;
            if (v->encoding == OBJ_ENCODING_SKIPLIST) {
                zskiplistNode *node = zslGetElementByRank(((zset *)objPtr(v))->zsl, (unsigned long)rank + 1);
                bstr ele = zslNodeEle(node);
                items[n++].ele = createStringObject(ele, bstrLen(ele));
                continue;
            }
            for (long i = 0; i <= rank; i++) zsetNext(&it, &s, &len, &ll, &score);
            items[n++].ele = elemObj(s, len, ll);
        }
    } else {
        zsetIterator it;
        zsetInitIterator(&it, v);
        const char *s;
        size_t len = 0;
        long long ll = 0;
        double score;
        while (zsetNext(&it, &s, &len, &ll, &score)) items[n++].ele = elemObj(s, len, ll);
    }
    for (long i = 0; i < n; i++) {
        items[i].score = 0;
        items[i].cmpobj = NULL;
    }
    return n;
}

static unsigned long valueLength(obj *v) {
    if (v->type == OBJ_LIST) return listTypeLength(v);
    if (v->type == OBJ_SET) return setTypeSize(v);
    return zsetLength(v);
}

static int parseScore(obj *o, double *out) {
    if (o->encoding == OBJ_ENCODING_INT) {
        *out = (double)(long)objPtr(o);
        return 1;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = objStrPtr(o, buf, sizeof(buf), &len);
    bstr tmp = bstrNewLen(s, len);
    char *eptr;
    errno = 0;
    *out = strtod(tmp, &eptr);
    int ok = !(eptr[0] != '\0' || errno == ERANGE || isnan(*out)) && (size_t)(eptr - tmp) == len;
    bstrFree(tmp);
    return ok;
}

static void sortGeneric(client *c, int readonly) {
    sortCtx k = {0};
    obj *sortby = NULL, *storekey = NULL;
    long limit_start = 0, limit_count = -1;
    int dontsort = 0;
    obj **gets = zmalloc(sizeof(obj *) * (size_t)c->argc);
    int getop = 0;
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (argIs(c->argv[j], "asc")) k.desc = 0;
        else if (argIs(c->argv[j], "desc")) k.desc = 1;
        else if (argIs(c->argv[j], "alpha")) k.alpha = 1;
        else if (argIs(c->argv[j], "limit") && left >= 2) {
            long long a, b;
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], &a, NULL) != 0 ||
                getLongLongFromObjectOrReply(c, c->argv[j + 2], &b, NULL) != 0) {
                zfree(gets);
                return;
            }
            limit_start = (long)a;
            limit_count = (long)b;
            j += 2;
        } else if (!readonly && argIs(c->argv[j], "store") && left >= 1) {
            storekey = c->argv[++j];
        } else if (argIs(c->argv[j], "by") && left >= 1) {
            sortby = c->argv[++j];
            char buf[LONG_STR_SIZE];
            size_t len;
            const char *s = objStrPtr(sortby, buf, sizeof(buf), &len);
            if (!memchr(s, '*', len)) dontsort = 1;
        } else if (argIs(c->argv[j], "get") && left >= 1) {
            gets[getop++] = c->argv[++j];
        } else {
            zfree(gets);
            addReply(c, shared.syntaxerr);
            return;
        }
    }
    obj *v = storekey ? lookupKeyWrite(c->db, c->argv[1]) : lookupKeyRead(c->db, c->argv[1]);
    if (v && v->type != OBJ_SET && v->type != OBJ_LIST && v->type != OBJ_ZSET) {
        zfree(gets);
        addReplyErrorObject(c, shared.wrongtypeerr);
        return;
    }
    /* Set order is arbitrary: sort when the result must be reproducible. */
    if (v && dontsort && v->type == OBJ_SET && (storekey || (c->flags & CLIENT_SCRIPT))) {
        dontsort = 0;
        k.alpha = 1;
        sortby = NULL;
    }
    long vectorlen = v ? (long)valueLength(v) : 0;
    long start = limit_start < 0 ? 0 : limit_start;
    long end;
    if (start >= vectorlen) {
        start = vectorlen - 1;
        end = vectorlen - 2;
    } else {
        /* Clamp before adding: LIMIT values may be near LONG_MAX. */
        end = (limit_count < 0 || limit_count > vectorlen - start) ? vectorlen - 1 : start + limit_count - 1;
    }
    /* Lists and zsets keep their own order under BY nosort: load just the
     * LIMIT window, walked backwards for DESC. */
    int direct = v && dontsort && (v->type == OBJ_ZSET || v->type == OBJ_LIST);
    sortItem *items = NULL;
    long n = 0;
    if (v) {
        if (direct) {
            long cnt = end >= start ? end - start + 1 : 0;
            items = zmalloc(sizeof(sortItem) * (size_t)(cnt ? cnt : 1));
            n = cnt ? loadItems(v, items, 1, start, end, k.desc) : 0;
            end -= start;
            start = 0;
        } else {
            items = zmalloc(sizeof(sortItem) * (size_t)(vectorlen ? vectorlen : 1));
            n = loadItems(v, items, 0, 0, 0, 0);
        }
    }
    k.bypattern = sortby != NULL;
    k.store = storekey != NULL;
    if (!dontsort) {
        int convErr = 0;
        for (long i = 0; i < n; i++) {
            obj *byval = sortby ? lookupByPattern(c->db, sortby, items[i].ele) : items[i].ele;
            if (!byval) continue;
            if (sortby) {
                if (k.alpha) items[i].cmpobj = byval;
                else if (!parseScore(byval, &items[i].score)) convErr = 1;
                if (!k.alpha) decrRefCount(byval);
            } else if (!k.alpha && !parseScore(byval, &items[i].score)) {
                convErr = 1;
            }
        }
        if (convErr) {
            addReplyError(c, "ERR One or more scores can't be converted into double");
            goto cleanup;
        }
        sortCmpCtx = &k;
        if (n > 1) qsort(items, (size_t)n, sizeof(sortItem), sortCompare);
    }
    long outputlen = n ? (getop ? getop * (end - start + 1) : end - start + 1) : 0;
    if (outputlen < 0) outputlen = 0;
    if (!storekey) {
        addReplyArrayLen(c, outputlen);
        for (long i = start; n && i <= end; i++) {
            if (!getop) addReplyBulk(c, items[i].ele);
            for (int g = 0; g < getop; g++) {
                obj *val = lookupByPattern(c->db, gets[g], items[i].ele);
                if (val) {
                    addReplyBulk(c, val);
                    decrRefCount(val);
                } else {
                    addReplyNull(c);
                }
            }
        }
    } else {
        obj *list = createListListpackObject();
        for (long i = start; n && i <= end; i++) {
            if (!getop) {
                listTypePush(list, items[i].ele, LIST_TAIL);
                continue;
            }
            for (int g = 0; g < getop; g++) {
                obj *val = lookupByPattern(c->db, gets[g], items[i].ele);
                if (val) {
                    listTypePush(list, val, LIST_TAIL);
                    decrRefCount(val);
                } else {
                    listTypePushBuffer(list, "", 0, LIST_TAIL);
                }
            }
        }
        if (outputlen) {
            setKey(c, c->db, storekey, list, 0);
            notifyKeyspaceEvent(NOTIFY_LIST, "sortstore", storekey, c->db->id);
            server.dirty += outputlen;
        } else if (dbDelete(c->db, storekey)) {
            signalModifiedKey(c, c->db, storekey);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", storekey, c->db->id);
            server.dirty++;
        }
        decrRefCount(list);
        addReplyLongLong(c, outputlen);
    }
cleanup:
    for (long i = 0; i < n; i++) {
        decrRefCount(items[i].ele);
        if (items[i].cmpobj) decrRefCount(items[i].cmpobj);
    }
    zfree(items);
    zfree(gets);
}

static void sortCommand(client *c) { sortGeneric(c, 0); }
static void sortroCommand(client *c) { sortGeneric(c, 1); }

/* The sorted key, plus the STORE destination. */
static int sortGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    int n = 0;
    if (maxkeys > 0) keyidx[n++] = 1;
    int store = -1;
    for (int j = 2; j < argc; j++) {
        if (argIs(argv[j], "limit")) j += 2;
        else if (argIs(argv[j], "get") || argIs(argv[j], "by")) j += 1;
        else if (argIs(argv[j], "store") && j + 1 < argc) store = ++j;
    }
    if (store > 0 && n < maxkeys) keyidx[n++] = store;
    return n;
}

static int sortroGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    if (maxkeys < 1) return 0;
    keyidx[0] = 1;
    return 1;
}

const serverCommandDef sortCommandTable[] = {
    {"sort", sortCommand, -2, "write denyoom movablekeys", 1, 1, 1, "generic", "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", "1.0.0", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", sortGetKeys, NULL, "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]"},
    {"sort_ro", sortroCommand, -2, "readonly movablekeys", 1, 1, 1, "generic", "Returns the sorted elements of a list, a set, or a sorted set.", "7.0.0", "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", sortroGetKeys, NULL, "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]"},
    {0},
};
