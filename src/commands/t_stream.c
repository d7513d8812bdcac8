/* t_stream: stream values and the X* commands. Node layout (shared with RDB):
 * [count][deleted][nfields][field...][0] master entry, then per entry
 * [flags][ms-delta][seq-delta]([nfields][field value...] | [value...])[lp-count]
 * where SAMEFIELDS entries reuse the master's field names. */
#include "commands/t_stream_int.h"
#include "commands/debug.h"
#include "ds/listpack.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STREAM_FLAG_NONE 0
#define STREAM_FLAG_DELETED 1
#define STREAM_FLAG_SAMEFIELDS 2
#define STREAM_LP_MAX_SIZE (1 << 30)
#define STREAM_MAX_PREALLOC 4096

#define TRIM_NONE 0
#define TRIM_MAXLEN 1
#define TRIM_MINID 2

const streamID streamMaxID = {UINT64_MAX, UINT64_MAX};

/* ------------------------------------------------------------------ IDs */

void streamEncodeID(unsigned char *buf, const streamID *id) {
    for (int i = 0; i < 8; i++) {
        buf[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        buf[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
}

void streamDecodeID(const unsigned char *buf, streamID *id) {
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = (id->ms << 8) | buf[i];
        id->seq = (id->seq << 8) | buf[8 + i];
    }
}

/* Hot in every reply that carries IDs, hence no snprintf. buf holds >= 42. */
int streamFormatID(char *buf, size_t len, const streamID *id) {
    int a = ull2string(buf, len, id->ms);
    buf[a] = '-';
    return a + 1 + ull2string(buf + a + 1, len - (size_t)a - 1, id->seq);
}

obj *createObjectFromStreamID(const streamID *id) {
    char buf[64];
    int l = streamFormatID(buf, sizeof(buf), id);
    return createStringObject(buf, (size_t)l);
}

void addReplyStreamID(client *c, const streamID *id) {
    char buf[64];
    int l = streamFormatID(buf, sizeof(buf), id);
    addReplyBulkCBuffer(c, buf, (size_t)l);
}

/* Digits only, the way Valkey reads each half of an ID (strtoull fallback
 * keeps its leniency for values above LLONG_MAX). */
static int streamParseU64(const char *s, unsigned long long *v) {
    long long ll;
    if (string2ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *v = (unsigned long long)ll;
        return 1;
    }
    if (!*s) return 0;
    errno = 0;
    char *end = NULL;
    *v = strtoull(s, &end, 10);
    if (errno == EINVAL || errno == ERANGE || *end != '\0') return 0;
    return 1;
}

#define STREAM_INVALID_ID_ERR "ERR Invalid stream ID specified as stream command argument"

/* Parses "ms-seq", "ms" (seq = missing_seq), "-" / "+" unless strict, and
 * "ms-*" when seq_given is not NULL. c NULL: no error reply. */
int streamParseID(client *c, obj *o, streamID *id, uint64_t missing_seq, int strict, int *seq_given) {
    char tmp[32], buf[128];
    size_t len;
    const char *p = argStr(o, tmp, sizeof(tmp), &len);
    if (len > sizeof(buf) - 1) goto invalid;
    memcpy(buf, p, len);
    buf[len] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') goto invalid;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 0;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        *id = streamMaxID;
        return 0;
    }
    unsigned long long ms, seq;
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    if (!streamParseU64(buf, &ms)) goto invalid;
    if (dash) {
        if (seq_given && dash[1] == '*' && dash[2] == '\0') {
            seq = 0;
            *seq_given = 0;
        } else if (!streamParseU64(dash + 1, &seq)) {
            goto invalid;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
invalid:
    if (c) addReplyError(c, STREAM_INVALID_ID_ERR);
    return -1;
}

int streamParseStrictID(client *c, obj *o, streamID *id, uint64_t missing_seq, int *seq_given) {
    return streamParseID(c, o, id, missing_seq, 1, seq_given);
}

/* Range bounds: a leading '(' makes the bound exclusive. */
int streamParseIntervalID(client *c, obj *o, streamID *id, int *exclude, uint64_t missing_seq) {
    char tmp[32];
    size_t len;
    const char *p = argStr(o, tmp, sizeof(tmp), &len);
    *exclude = len > 1 && p[0] == '(';
    if (!*exclude) return streamParseID(c, o, id, missing_seq, 0, NULL);
    obj *t = createStringObject(p + 1, len - 1);
    int rc = streamParseStrictID(c, t, id, missing_seq, NULL);
    decrRefCount(t);
    return rc;
}

/* --------------------------------------------------------------- objects */

stream *streamNew(void) {
    stream *s = zcalloc(sizeof(*s));
    s->nodes = raxNew();
    return s;
}

obj *createStreamObject(void) {
    obj *o = createObject(OBJ_STREAM, streamNew());
    o->encoding = OBJ_ENCODING_STREAM;
    return o;
}

static void streamFreeNACKVoid(void *p) { zfree(p); }

static void streamFreeConsumer(void *p) {
    streamConsumer *sc = p;
    raxFree(sc->pel);   /* NACKs belong to the group PEL */
    bstrFree(sc->name);
    zfree(sc);
}

void streamFreeCG(void *p) {
    streamCG *cg = p;
    raxFreeWithCallback(cg->pel, streamFreeNACKVoid);
    raxFreeWithCallback(cg->consumers, streamFreeConsumer);
    zfree(cg);
}

static void streamFreeListpack(void *p) { lpFree(p); }

static void streamFree(stream *s) {
    raxFreeWithCallback(s->nodes, streamFreeListpack);
    if (s->cgroups) raxFreeWithCallback(s->cgroups, streamFreeCG);
    zfree(s);
}

void freeStreamObject(obj *o) { streamFree(objPtr(o)); }

streamNACK *streamCreateNACK(streamConsumer *consumer) {
    streamNACK *n = zmalloc(sizeof(*n));
    n->delivery_time = commandTimeSnapshot();
    n->delivery_count = 1;
    n->consumer = consumer;
    return n;
}

streamCG *streamCreateCG(stream *s, const char *name, size_t len, streamID *id, long long entries_read) {
    if (!s->cgroups) s->cgroups = raxNew();
    if (raxFind(s->cgroups, (const unsigned char *)name, len, NULL)) return NULL;
    streamCG *cg = zmalloc(sizeof(*cg));
    cg->pel = raxNew();
    cg->consumers = raxNew();
    cg->last_id = *id;
    cg->entries_read = entries_read;
    raxInsert(s->cgroups, (const unsigned char *)name, len, cg, NULL);
    return cg;
}

streamCG *streamLookupCG(stream *s, obj *name) {
    if (!s || !s->cgroups) return NULL;
    char tmp[32];
    size_t len;
    const char *p = argStr(name, tmp, sizeof(tmp), &len);
    void *cg = NULL;
    return raxFind(s->cgroups, (const unsigned char *)p, len, &cg) ? cg : NULL;
}

streamConsumer *streamCreateConsumerRaw(streamCG *cg, const char *name, size_t len) {
    if (raxFind(cg->consumers, (const unsigned char *)name, len, NULL)) return NULL;
    streamConsumer *sc = zmalloc(sizeof(*sc));
    sc->name = bstrNewLen(name, len);
    sc->pel = raxNew();
    sc->active_time = -1;
    sc->seen_time = commandTimeSnapshot();
    raxInsert(cg->consumers, (const unsigned char *)name, len, sc, NULL);
    return sc;
}

streamConsumer *streamLookupConsumer(streamCG *cg, obj *name) {
    char tmp[32];
    size_t len;
    const char *p = argStr(name, tmp, sizeof(tmp), &len);
    void *sc = NULL;
    return raxFind(cg->consumers, (const unsigned char *)p, len, &sc) ? sc : NULL;
}

/* Creates the consumer and propagates its creation (XGROUP CREATECONSUMER). */
streamConsumer *streamCreateConsumer(client *c, streamCG *cg, obj *name, obj *key, obj *group, int notify) {
    char tmp[32];
    size_t len;
    const char *p = argStr(name, tmp, sizeof(tmp), &len);
    streamConsumer *sc = streamCreateConsumerRaw(cg, p, len);
    if (!sc) return NULL;
    obj *argv[5] = {createStringObject("XGROUP", 6), createStringObject("CREATECONSUMER", 14), key, group, name};
    alsoPropagate(c->db->id, argv, 5, PROPAGATE_AOF | PROPAGATE_REPL);
    decrRefCount(argv[0]);
    decrRefCount(argv[1]);
    if (notify) notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-createconsumer", key, c->db->id);
    server.dirty++;
    return sc;
}

void streamDelConsumer(streamCG *cg, streamConsumer *sc) {
    raxIterator it;
    raxStart(&it, sc->pel);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        void *nack = NULL;
        raxRemove(cg->pel, it.key, it.key_len, &nack);
        zfree(nack);
    }
    raxStop(&it);
    raxRemove(cg->consumers, (const unsigned char *)sc->name, bstrLen(sc->name), NULL);
    streamFreeConsumer(sc);
}

/* ------------------------------------------------------------ node access */

static int64_t lpInt(unsigned char *p) {
    int64_t v = 0;
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char *s = lpGet(p, &v, NULL);
    if (s) {   /* a string entry where a number belongs: read it leniently */
        long long ll = 0;
        size_t n = (size_t)v < sizeof(buf) - 1 ? (size_t)v : sizeof(buf) - 1;
        memcpy(buf, s, n);
        buf[n] = 0;
        string2ll((char *)buf, n, &ll);
        return ll;
    }
    return v;
}

static unsigned char *lpSkip(unsigned char *lp, unsigned char *p, int64_t n) {
    while (p && n-- > 0) p = lpNext(lp, p);
    return p;
}

static void streamNodeOpen(streamNode *n, unsigned char *lp, const unsigned char *key) {
    n->lp = lp;
    streamDecodeID(key, &n->master);
    unsigned char *p = lpSkip(lp, lpFirst(lp), 2);
    n->mcount = lpInt(p);
    n->mfields = lpNext(lp, p);
    n->first = lpSkip(lp, n->mfields, n->mcount + 1);
}

static int streamNodeEntry(streamNode *n, unsigned char *p, streamEntry *e) {
    if (!p) return 0;
    unsigned char *lp = n->lp;
    e->flagp = p;
    e->flags = (int)lpInt(p);
    p = lpNext(lp, p);
    e->id.ms = n->master.ms + (uint64_t)lpInt(p);
    p = lpNext(lp, p);
    e->id.seq = n->master.seq + (uint64_t)lpInt(p);
    p = lpNext(lp, p);
    if (e->flags & STREAM_FLAG_SAMEFIELDS) {
        e->numfields = n->mcount;
        e->fv = p;
        p = lpSkip(lp, p, n->mcount);
    } else {
        e->numfields = lpInt(p);
        p = lpNext(lp, p);
        e->fv = p;
        p = lpSkip(lp, p, e->numfields * 2);
    }
    e->next = p ? lpNext(lp, p) : NULL;
    return 1;
}

/* Walks the field/value pairs of an entry. */
typedef struct streamFieldIter {
    streamNode *n;
    streamEntry *e;
    unsigned char *f, *v;
    int64_t left;
} streamFieldIter;

static void streamFieldIterInit(streamFieldIter *fi, streamNode *n, streamEntry *e) {
    fi->n = n;
    fi->e = e;
    fi->left = e->numfields;
    if (e->flags & STREAM_FLAG_SAMEFIELDS) {
        fi->f = n->mfields;
        fi->v = e->fv;
    } else {
        fi->f = e->fv;
        fi->v = lpNext(n->lp, e->fv);
    }
}

static int streamFieldIterNext(streamFieldIter *fi, unsigned char **f, unsigned char **v) {
    if (fi->left-- <= 0) return 0;
    *f = fi->f;
    *v = fi->v;
    if (fi->e->flags & STREAM_FLAG_SAMEFIELDS) {
        fi->f = lpNext(fi->n->lp, fi->f);
        fi->v = lpNext(fi->n->lp, fi->v);
    } else if (fi->left > 0) {
        fi->f = lpNext(fi->n->lp, fi->v);
        fi->v = lpNext(fi->n->lp, fi->f);
    }
    return 1;
}

static void addReplyLpElem(client *c, unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    int64_t len;
    unsigned char *s = lpGet(p, &len, buf);
    addReplyBulkCBuffer(c, s, (size_t)len);
}

void addReplyStreamEntry(client *c, streamNode *n, streamEntry *e) {
    addReplyArrayLen(c, 2);
    addReplyStreamID(c, &e->id);
    addReplyArrayLen(c, (long)e->numfields * 2);
    streamFieldIter fi;
    unsigned char *f, *v;
    streamFieldIterInit(&fi, n, e);
    while (streamFieldIterNext(&fi, &f, &v)) {
        addReplyLpElem(c, f);
        addReplyLpElem(c, v);
    }
}

/* Visits live entries with start <= id <= end, ascending or descending.
 * The visitor returns 0 to stop. It must not modify the stream's nodes. */
static void streamVisitForward(stream *s, const streamID *start, const streamID *end, streamVisitFn *fn, void *ctx) {
    unsigned char key[STREAM_ID_SIZE];
    streamEncodeID(key, start);
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "<=", key, sizeof(key));
    if (raxEOF(&it)) raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamNode n;
        streamEntry e;
        streamNodeOpen(&n, it.data, it.key);
        if (streamCompareID(&n.master, end) > 0) break;
        for (unsigned char *p = n.first; streamNodeEntry(&n, p, &e); p = e.next) {
            if (e.flags & STREAM_FLAG_DELETED) continue;
            if (streamCompareID(&e.id, start) < 0) continue;
            if (streamCompareID(&e.id, end) > 0) goto done;
            if (!fn(&n, &e, ctx)) goto done;
        }
    }
done:
    raxStop(&it);
}

/* Entries are walked from the node's end: each one ends with its element
 * count (lp-count), which leads back to its flags. */
static void streamVisitBackward(stream *s, const streamID *start, const streamID *end, streamVisitFn *fn, void *ctx) {
    unsigned char key[STREAM_ID_SIZE];
    streamEncodeID(key, end);
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "<=", key, sizeof(key));
    while (raxPrev(&it)) {
        streamNode n;
        streamNodeOpen(&n, it.data, it.key);
        unsigned char *first = lpFirst(n.lp);
        int64_t total = lpInt(first) + lpInt(lpNext(n.lp, first));
        unsigned char *p = lpLast(n.lp);
        while (total-- > 0 && p) {
            int64_t back = lpInt(p);
            while (p && back-- > 0) p = lpPrev(n.lp, p);
            streamEntry e;
            if (!p || !streamNodeEntry(&n, p, &e)) break;
            p = lpPrev(n.lp, p);
            if (e.flags & STREAM_FLAG_DELETED) continue;
            if (streamCompareID(&e.id, end) > 0) continue;
            if (streamCompareID(&e.id, start) < 0) goto done;
            if (!fn(&n, &e, ctx)) goto done;
        }
    }
done:
    raxStop(&it);
}

void streamVisit(stream *s, const streamID *start, const streamID *end, int rev, streamVisitFn *fn, void *ctx) {
    static const streamID zero = {0, 0};
    if (!start) start = &zero;
    if (!end) end = &streamMaxID;
    if (rev) streamVisitBackward(s, start, end, fn, ctx);
    else streamVisitForward(s, start, end, fn, ctx);
}

/* ------------------------------------------------------- range replies */

typedef struct rangeCtx {
    client *c;
    long long count, emitted;
} rangeCtx;

static int rangeEmit(streamNode *n, streamEntry *e, void *ctx) {
    rangeCtx *rc = ctx;
    addReplyStreamEntry(rc->c, n, e);
    rc->emitted++;
    return !(rc->count && rc->emitted >= rc->count);
}

/* Replies an array of entries; returns how many. */
long long streamReplyRange(client *c, stream *s, const streamID *start, const streamID *end, long long count,
                                  int rev) {
    void *len = addReplyDeferredLen(c);
    rangeCtx rc = {c, count, 0};
    streamVisit(s, start, end, rev, rangeEmit, &rc);
    setDeferredArrayLen(c, len, rc.emitted);
    return rc.emitted;
}

/* Replies one entry (no surrounding array) if it exists. */
int streamReplyOne(client *c, stream *s, const streamID *id) {
    rangeCtx rc = {c, 1, 0};
    streamVisit(s, id, id, 0, rangeEmit, &rc);
    return rc.emitted > 0;
}

static int existsVisit(streamNode *n, streamEntry *e, void *ctx) {
    (void)n;
    (void)e;
    *(int *)ctx = 1;
    return 0;
}

int streamEntryExists(stream *s, const streamID *id) {
    int found = 0;
    streamVisit(s, id, id, 0, existsVisit, &found);
    return found;
}

static int edgeVisit(streamNode *n, streamEntry *e, void *ctx) {
    (void)n;
    *(streamID *)ctx = e->id;
    return 0;
}

/* First (or last) live ID; 0-0 / max when the stream is empty. */
/* First (or last) live ID; max (or 0-0) when the stream is empty. */
int streamGetEdgeID(stream *s, int first, streamID *id) {
    if (!s->length) {
        if (first) *id = streamMaxID;
        else id->ms = id->seq = 0;
        return 0;
    }
    id->ms = id->seq = 0;
    streamVisit(s, NULL, NULL, !first, edgeVisit, id);
    return 1;
}

/* Replies the first (rev 0) or last entry, no surrounding array. */
int streamReplyOneEdge(client *c, stream *s, int rev) {
    rangeCtx rc = {c, 1, 0};
    streamVisit(s, NULL, NULL, rev, rangeEmit, &rc);
    return rc.emitted > 0;
}

void streamLastValidID(stream *s, streamID *id) { streamGetEdgeID(s, 0, id); }

/* ---------------------------------------------------------------- append */

static unsigned char *lpAppendObj(unsigned char *lp, obj *o) {
    char tmp[32];
    size_t len;
    const char *p = argStr(o, tmp, sizeof(tmp), &len);
    return lpAppend(lp, (const unsigned char *)p, (uint32_t)len);
}

static int lpEqualsObj(unsigned char *p, obj *o) {
    char tmp[32];
    size_t len;
    const char *s = argStr(o, tmp, sizeof(tmp), &len);
    return lpCompare(p, (const unsigned char *)s, (uint32_t)len);
}

static size_t streamNodeMaxBytes(void) {
    size_t m = server.stream_node_max_bytes;
    if (m == 0 || m > STREAM_LP_MAX_SIZE) m = STREAM_LP_MAX_SIZE;
    return m;
}

/* Appends fields (argv pairs). errno EDOM: ID not greater than the top;
 * ERANGE: too large. On success *added is the new ID. */
static int streamAppend(stream *s, obj **argv, int64_t numfields, streamID *added, const streamID *use_id,
                        int seq_given) {
    streamID id;
    if (use_id) {
        if (seq_given) {
            id = *use_id;
        } else if (s->last_id.ms == use_id->ms) {
            if (s->last_id.seq == UINT64_MAX) { errno = EDOM; return -1; }
            id = s->last_id;
            id.seq++;
        } else {
            id = *use_id;
        }
    } else {
        uint64_t ms = (uint64_t)commandTimeSnapshot();
        if (ms > s->last_id.ms) {
            id.ms = ms;
            id.seq = 0;
        } else {
            id = s->last_id;
            if (streamIncrID(&id) != 0) { errno = EDOM; return -1; }
        }
    }
    if (streamCompareID(&id, &s->last_id) <= 0) { errno = EDOM; return -1; }

    size_t total = 0;
    for (int64_t i = 0; i < numfields * 2; i++) total += stringObjectLen(argv[i]);
    if (total > STREAM_LP_MAX_SIZE) { errno = ERANGE; return -1; }

    raxIterator it;
    unsigned char *lp = NULL, lastkey[STREAM_ID_SIZE];
    raxStart(&it, s->nodes);
    raxSeek(&it, "$", NULL, 0);
    if (raxNext(&it)) {
        lp = it.data;
        memcpy(lastkey, it.key, STREAM_ID_SIZE);
    }
    raxStop(&it);

    if (lp) {
        size_t maxb = streamNodeMaxBytes();
        if (lpBytes(lp) + total >= maxb) lp = NULL;
        else if (server.stream_node_max_entries) {
            unsigned char *p = lpFirst(lp);
            int64_t cnt = lpInt(p) + lpInt(lpNext(lp, p));
            if (cnt >= server.stream_node_max_entries) lp = NULL;
        }
    }

    int flags = STREAM_FLAG_NONE;
    streamID master;
    if (!lp) {
        master = id;
        streamEncodeID(lastkey, &id);
        size_t prealloc = STREAM_MAX_PREALLOC;
        if (server.stream_node_max_bytes > 0 && server.stream_node_max_bytes < prealloc) prealloc = server.stream_node_max_bytes;
        lp = lpNew(prealloc);
        lp = lpAppendInteger(lp, 1);
        lp = lpAppendInteger(lp, 0);
        lp = lpAppendInteger(lp, numfields);
        for (int64_t i = 0; i < numfields; i++) lp = lpAppendObj(lp, argv[i * 2]);
        lp = lpAppendInteger(lp, 0);
        raxInsert(s->nodes, lastkey, STREAM_ID_SIZE, lp, NULL);
        flags |= STREAM_FLAG_SAMEFIELDS;
    } else {
        streamDecodeID(lastkey, &master);
        unsigned char *p = lpFirst(lp);
        lp = lpReplaceInteger(lp, &p, lpInt(p) + 1);
        p = lpSkip(lp, lpFirst(lp), 2);
        int64_t mcount = lpInt(p);
        if (mcount == numfields) {
            p = lpNext(lp, p);
            int64_t i;
            for (i = 0; i < numfields; i++, p = lpNext(lp, p))
                if (!lpEqualsObj(p, argv[i * 2])) break;
            if (i == numfields) flags |= STREAM_FLAG_SAMEFIELDS;
        }
    }

    lp = lpAppendInteger(lp, flags);
    lp = lpAppendInteger(lp, (long long)(id.ms - master.ms));
    lp = lpAppendInteger(lp, (long long)(id.seq - master.seq));
    if (!(flags & STREAM_FLAG_SAMEFIELDS)) lp = lpAppendInteger(lp, numfields);
    for (int64_t i = 0; i < numfields; i++) {
        if (!(flags & STREAM_FLAG_SAMEFIELDS)) lp = lpAppendObj(lp, argv[i * 2]);
        lp = lpAppendObj(lp, argv[i * 2 + 1]);
    }
    int64_t lpcount = (flags & STREAM_FLAG_SAMEFIELDS) ? numfields : numfields * 2 + 1;
    lp = lpAppendInteger(lp, lpcount + 3);
    raxInsert(s->nodes, lastkey, STREAM_ID_SIZE, lp, NULL);

    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1) s->first_id = id;
    if (added) *added = id;
    return 0;
}

/* ---------------------------------------------------------------- delete */

static int streamDeleteID(stream *s, const streamID *id) {
    unsigned char key[STREAM_ID_SIZE];
    streamEncodeID(key, id);
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "<=", key, sizeof(key));
    int done = 0;
    if (raxNext(&it)) {
        streamNode n;
        streamEntry e;
        streamNodeOpen(&n, it.data, it.key);
        for (unsigned char *p = n.first; streamNodeEntry(&n, p, &e); p = e.next) {
            int cmp = streamCompareID(&e.id, id);
            if (cmp > 0) break;
            if (cmp < 0 || (e.flags & STREAM_FLAG_DELETED)) continue;
            unsigned char *lp = n.lp, *fp = e.flagp;
            lp = lpReplaceInteger(lp, &fp, e.flags | STREAM_FLAG_DELETED);
            unsigned char *cp = lpFirst(lp);
            int64_t live = lpInt(cp);
            if (live == 1) {
                lpFree(lp);
                raxRemove(s->nodes, it.key, it.key_len, NULL);
            } else {
                lp = lpReplaceInteger(lp, &cp, live - 1);
                cp = lpNext(lp, cp);
                lp = lpReplaceInteger(lp, &cp, lpInt(cp) + 1);
                raxInsert(s->nodes, it.key, it.key_len, lp, NULL);
            }
            s->length--;
            done = 1;
            break;
        }
    }
    raxStop(&it);
    return done;
}

/* ------------------------------------------------------------------ trim */

typedef struct trimArgs {
    int strategy, approx;
    long long maxlen, limit;
    streamID minid;
    int strategy_arg_idx;   /* argv index of the threshold */
    int nomkstream, id_given, seq_given;
    streamID id;
} trimArgs;

/* Marks the node's leading entries deleted until the trim condition holds,
 * then updates its counters. Returns how many live entries were removed. */
static int64_t streamTrimInsideNode(stream *s, trimArgs *a, streamNode *n, raxIterator *it, int64_t entries) {
    int64_t removed = 0;
    streamEntry e;
    unsigned char *p = n->first;
    while (streamNodeEntry(n, p, &e)) {
        int stop = a->strategy == TRIM_MAXLEN ? s->length <= (uint64_t)a->maxlen
                                              : streamCompareID(&e.id, &a->minid) >= 0;
        if (stop) break;
        if (!(e.flags & STREAM_FLAG_DELETED)) {
            /* The rewrite may move the listpack: keep the next entry as an offset. */
            size_t nextoff = e.next ? (size_t)(e.next - n->lp) : 0;
            unsigned char *fp = e.flagp;
            n->lp = lpReplaceInteger(n->lp, &fp, e.flags | STREAM_FLAG_DELETED);
            e.next = nextoff ? n->lp + nextoff : NULL;
            removed++;
            s->length--;
        }
        p = e.next;
    }
    unsigned char *lp = n->lp, *cp = lpFirst(lp);
    lp = lpReplaceInteger(lp, &cp, entries - removed);
    cp = lpNext(lp, cp);
    lp = lpReplaceInteger(lp, &cp, lpInt(cp) + removed);
    raxInsert(s->nodes, it->key, it->key_len, lp, NULL);
    return removed;
}

static int64_t streamTrim(stream *s, trimArgs *a) {
    if (a->strategy == TRIM_NONE) return 0;
    int64_t deleted = 0;
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        if (a->strategy == TRIM_MAXLEN && s->length <= (uint64_t)a->maxlen) break;
        unsigned char *lp = it.data;
        int64_t entries = lpInt(lpFirst(lp));
        if (a->limit && deleted + entries > a->limit) break;
        streamNode n;
        streamNodeOpen(&n, lp, it.key);
        int remove_node;
        if (a->strategy == TRIM_MAXLEN) {
            remove_node = s->length - (uint64_t)entries >= (uint64_t)a->maxlen;
        } else {
            /* The node's last entry (live or not) bounds it. */
            streamID last = n.master;
            unsigned char *p = lpLast(lp);
            int64_t back = lpInt(p);
            p = lpPrev(lp, p);
            while (p && --back > 0) p = lpPrev(lp, p);
            streamEntry e;
            if (p && streamNodeEntry(&n, p, &e)) last = e.id;
            remove_node = streamCompareID(&last, &a->minid) < 0;
        }
        if (remove_node) {
            lpFree(lp);
            raxRemove(s->nodes, it.key, it.key_len, NULL);
            raxSeek(&it, ">=", it.key, it.key_len);
            s->length -= (uint64_t)entries;
            deleted += entries;
            continue;
        }
        if (a->approx) break;
        int64_t removed_here = streamTrimInsideNode(s, a, &n, &it, entries);
        deleted += removed_here;
        break;
    }
    raxStop(&it);
    if (s->length) streamGetEdgeID(s, 1, &s->first_id);
    else s->first_id.ms = s->first_id.seq = 0;
    return deleted;
}

/* ------------------------------------------------------ XADD / XTRIM args */

/* Parses the options shared by XADD and XTRIM. Returns the index of the ID
 * argument for XADD (of the end for XTRIM), -1 after an error reply. */
static int streamParseAddOrTrimArgs(client *c, trimArgs *a, int xadd) {
    int i, limit_given = 0;
    memset(a, 0, sizeof(*a));
    for (i = 2; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        if (xadd && argEq(c->argv[i], "*")) break;
        if ((argIs(c->argv[i], "maxlen") || argIs(c->argv[i], "minid")) && more) {
            int maxlen = argIs(c->argv[i], "maxlen");
            if (a->strategy != TRIM_NONE) {
                addReplyError(c, "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return -1;
            }
            a->approx = 0;
            if (more >= 2 && argEq(c->argv[i + 1], "~")) { a->approx = 1; i++; }
            else if (more >= 2 && argEq(c->argv[i + 1], "=")) i++;
            if (maxlen) {
                if (getLongLongFromObjectOrReply(c, c->argv[i + 1], &a->maxlen, NULL) != 0) return -1;
                if (a->maxlen < 0) { addReplyError(c, "ERR The MAXLEN argument must be >= 0."); return -1; }
                a->strategy = TRIM_MAXLEN;
            } else {
                if (streamParseStrictID(c, c->argv[i + 1], &a->minid, 0, NULL) != 0) return -1;
                a->strategy = TRIM_MINID;
            }
            i++;
            a->strategy_arg_idx = i;
        } else if (argIs(c->argv[i], "limit") && more) {
            if (getLongLongFromObjectOrReply(c, c->argv[i + 1], &a->limit, NULL) != 0) return -1;
            if (a->limit < 0) { addReplyError(c, "ERR The LIMIT argument must be >= 0."); return -1; }
            limit_given = 1;
            i++;
        } else if (xadd && argIs(c->argv[i], "nomkstream")) {
            a->nomkstream = 1;
        } else if (xadd) {
            if (streamParseStrictID(c, c->argv[i], &a->id, 0, &a->seq_given) != 0) return -1;
            a->id_given = 1;
            break;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    if (a->limit && a->strategy == TRIM_NONE) {
        addReplyError(c, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return -1;
    }
    if (!xadd && a->strategy == TRIM_NONE) {
        addReplyError(c, "ERR syntax error, XTRIM must be called with a trimming strategy");
        return -1;
    }
    if (mustObeyClient(c)) {
        a->limit = 0;
    } else if (limit_given) {
        if (!a->approx) {
            addReplyError(c, "ERR syntax error, LIMIT cannot be used without the special ~ option");
            return -1;
        }
    } else if (a->approx) {
        a->limit = 100 * server.stream_node_max_entries;
        if (a->limit <= 0 || a->limit > 1000000) a->limit = 10000;
    } else {
        a->limit = 0;
    }
    return i;
}

/* Replicas must trim exactly what we trimmed: '~' becomes '=' and the
 * threshold becomes the resulting length / first ID. */
static void streamRewriteTrimArgs(client *c, stream *s, trimArgs *a) {
    if (a->approx) {
        obj *eq = createStringObject("=", 1);
        rewriteClientCommandArgument(c, a->strategy_arg_idx - 1, eq);
        decrRefCount(eq);
    }
    obj *arg = a->strategy == TRIM_MAXLEN ? createStringObjectFromLongLong((long long)s->length)
                                          : createObjectFromStreamID(&s->first_id);
    rewriteClientCommandArgument(c, a->strategy_arg_idx, arg);
    decrRefCount(arg);
}

static void xaddCommand(client *c) {
    trimArgs a;
    int idpos = streamParseAddOrTrimArgs(c, &a, 1);
    if (idpos < 0) return;
    int fpos = idpos + 1;
    if (c->argc - fpos < 2 || (c->argc - fpos) % 2 == 1) {
        addReplyErrorArity(c);
        return;
    }
    if (a.id_given && a.seq_given && a.id.ms == 0 && a.id.seq == 0) {
        addReplyError(c, "ERR The ID specified in XADD must be greater than 0-0");
        return;
    }
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (checkType(c, o, OBJ_STREAM)) return;
    if (!o) {
        if (a.nomkstream) {
            addReplyNull(c);
            return;
        }
        o = createStreamObject();
        dbAdd(c->db, c->argv[1], o);
    }
    stream *s = objPtr(o);
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        addReplyError(c, "ERR The stream has exhausted the last possible ID, unable to add more items");
        return;
    }
    streamID id;
    if (streamAppend(s, c->argv + fpos, (c->argc - fpos) / 2, &id, a.id_given ? &a.id : NULL, a.seq_given) != 0) {
        if (errno == EDOM)
            addReplyError(c, "ERR The ID specified in XADD is equal or smaller than the target stream top item");
        else
            addReplyError(c, "ERR Elements are too large to be stored");
        return;
    }
    addReplyStreamID(c, &id);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STREAM, "xadd", c->argv[1], c->db->id);
    server.dirty++;
    if (a.strategy != TRIM_NONE) {
        if (streamTrim(s, &a)) notifyKeyspaceEvent(NOTIFY_STREAM, "xtrim", c->argv[1], c->db->id);
        streamRewriteTrimArgs(c, s, &a);
    }
    if (!a.id_given || !a.seq_given) {
        obj *idarg = createObjectFromStreamID(&id);
        rewriteClientCommandArgument(c, idpos, idarg);
        decrRefCount(idarg);
    }
    signalKeyAsReady(c->db, c->argv[1], OBJ_STREAM);
}

static void xtrimCommand(client *c) {
    /* Arguments are checked before the key, as in Valkey. */
    trimArgs a;
    int end = streamParseAddOrTrimArgs(c, &a, 0);
    if (end < 0) return;
    if (end < c->argc) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = objPtr(o);
    int64_t deleted = streamTrim(s, &a);
    if (deleted) {
        notifyKeyspaceEvent(NOTIFY_STREAM, "xtrim", c->argv[1], c->db->id);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty += deleted;
    }
    streamRewriteTrimArgs(c, s, &a);
    addReplyLongLong(c, deleted);
}

static void xlenCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    addReplyLongLong(c, (long long)((stream *)objPtr(o))->length);
}

static void xrangeGeneric(client *c, int rev) {
    obj *startarg = rev ? c->argv[3] : c->argv[2];
    obj *endarg = rev ? c->argv[2] : c->argv[3];
    streamID start, end;
    int startex, endex;
    long long count = -1;
    if (streamParseIntervalID(c, startarg, &start, &startex, 0) != 0) return;
    if (startex && streamIncrID(&start) != 0) {
        addReplyError(c, "ERR invalid start ID for the interval");
        return;
    }
    if (streamParseIntervalID(c, endarg, &end, &endex, UINT64_MAX) != 0) return;
    if (endex && streamDecrID(&end) != 0) {
        addReplyError(c, "ERR invalid end ID for the interval");
        return;
    }
    for (int j = 4; j < c->argc; j++) {
        if (argIs(c->argv[j], "count") && j + 1 < c->argc) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], &count, NULL) != 0) return;
            if (count < 0) count = 0;
            j++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.emptyarray);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    if (count == 0) {
        addReplyNullArray(c);
        return;
    }
    if (count == -1) count = 0;
    streamReplyRange(c, objPtr(o), &start, &end, count, rev);
}

static void xrangeCommand(client *c) { xrangeGeneric(c, 0); }
static void xrevrangeCommand(client *c) { xrangeGeneric(c, 1); }

static void xdelCommand(client *c) {
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = objPtr(o);
    int n = c->argc - 2;
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (streamParseStrictID(c, c->argv[j + 2], &ids[j], 0, NULL) != 0) {
            zfree(ids);
            return;
        }
    }
    long long deleted = 0;
    int first_deleted = 0;
    for (int j = 0; j < n; j++) {
        if (!streamDeleteID(s, &ids[j])) continue;
        if (streamCompareID(&ids[j], &s->first_id) == 0) first_deleted = 1;
        if (streamCompareID(&ids[j], &s->max_deleted_entry_id) > 0) s->max_deleted_entry_id = ids[j];
        deleted++;
    }
    zfree(ids);
    if (deleted) {
        if (s->length == 0) s->first_id.ms = s->first_id.seq = 0;
        else if (first_deleted) streamGetEdgeID(s, 1, &s->first_id);
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_STREAM, "xdel", c->argv[1], c->db->id);
        server.dirty += deleted;
    }
    addReplyLongLong(c, deleted);
}

/* ------------------------------------------------------ dup, digest, misc */

obj *streamDup(obj *o) {
    stream *s = objPtr(o), *d = streamNew();
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) raxInsert(d->nodes, it.key, it.key_len, lpDup(it.data), NULL);
    raxStop(&it);
    d->length = s->length;
    d->last_id = s->last_id;
    d->first_id = s->first_id;
    d->max_deleted_entry_id = s->max_deleted_entry_id;
    d->entries_added = s->entries_added;
    if (s->cgroups) {
        raxIterator gi;
        raxStart(&gi, s->cgroups);
        raxSeek(&gi, "^", NULL, 0);
        while (raxNext(&gi)) {
            streamCG *cg = gi.data;
            streamCG *ncg = streamCreateCG(d, (const char *)gi.key, gi.key_len, &cg->last_id, cg->entries_read);
            raxIterator pi;
            raxStart(&pi, cg->pel);
            raxSeek(&pi, "^", NULL, 0);
            while (raxNext(&pi)) {
                streamNACK *nack = pi.data, *nn = streamCreateNACK(NULL);
                nn->delivery_time = nack->delivery_time;
                nn->delivery_count = nack->delivery_count;
                raxInsert(ncg->pel, pi.key, pi.key_len, nn, NULL);
            }
            raxStop(&pi);
            raxIterator ci;
            raxStart(&ci, cg->consumers);
            raxSeek(&ci, "^", NULL, 0);
            while (raxNext(&ci)) {
                streamConsumer *sc = ci.data;
                streamConsumer *nc = streamCreateConsumerRaw(ncg, sc->name, bstrLen(sc->name));
                nc->seen_time = sc->seen_time;
                nc->active_time = sc->active_time;
                raxStart(&pi, sc->pel);
                raxSeek(&pi, "^", NULL, 0);
                while (raxNext(&pi)) {
                    void *v = NULL;
                    raxFind(ncg->pel, pi.key, pi.key_len, &v);
                    ((streamNACK *)v)->consumer = nc;
                    raxInsert(nc->pel, pi.key, pi.key_len, v, NULL);
                }
                raxStop(&pi);
            }
            raxStop(&ci);
        }
        raxStop(&gi);
    }
    obj *r = createObject(OBJ_STREAM, d);
    r->encoding = OBJ_ENCODING_STREAM;
    return r;
}

static void lpMixDigest(unsigned char *digest, unsigned char *p) {
    unsigned char buf[LP_INTBUF_SIZE];
    int64_t len;
    unsigned char *s = lpGet(p, &len, buf);
    mixDigest(digest, s, (size_t)len);
}

static int digestVisit(streamNode *n, streamEntry *e, void *ctx) {
    unsigned char *digest = ctx;
    char buf[64];
    int l = snprintf(buf, sizeof(buf), "%llu.%llu", (unsigned long long)e->id.ms, (unsigned long long)e->id.seq);
    mixDigest(digest, buf, (size_t)l);
    streamFieldIter fi;
    unsigned char *f, *v;
    streamFieldIterInit(&fi, n, e);
    while (streamFieldIterNext(&fi, &f, &v)) {
        lpMixDigest(digest, f);
        lpMixDigest(digest, v);
    }
    return 1;
}

static void streamDigest(unsigned char *digest, obj *o) { streamVisit(objPtr(o), NULL, NULL, 0, digestVisit, digest); }

__attribute__((constructor)) static void streamRegisterDigest(void) {
    debugRegisterDigestFunction(OBJ_STREAM, streamDigest);
}

/* MEMORY USAGE: struct and index, sampled node allocations (nodes are
 * preallocated, so allocation size beats lpBytes), and group bookkeeping. */
size_t streamObjectMemoryUsage(obj *o, size_t samples) {
    stream *s = objPtr(o);
    size_t total = sizeof(*o) + sizeof(*s) + sizeof(rax) + s->nodes->cap * sizeof(raxEntry);
    size_t nodes = raxSize(s->nodes), seen = 0, sampled = 0;
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "^", NULL, 0);
    while (seen < samples && raxNext(&it)) {
        sampled += zmalloc_size(it.data) + STREAM_ID_SIZE;
        seen++;
    }
    if (seen) total += nodes <= seen ? sampled : sampled / seen * nodes;
    raxStop(&it);
    if (!s->cgroups) return total;
    raxStart(&it, s->cgroups);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamCG *cg = it.data;
        total += sizeof(*cg) + it.key_len + raxSize(cg->pel) * (sizeof(streamNACK) + 2 * (sizeof(raxEntry) + STREAM_ID_SIZE));
        raxIterator ci;
        raxStart(&ci, cg->consumers);
        raxSeek(&ci, "^", NULL, 0);
        while (raxNext(&ci)) {
            streamConsumer *sc = ci.data;
            total += sizeof(*sc) + sizeof(rax) + 2 * bstrLen(sc->name);
        }
        raxStop(&ci);
    }
    raxStop(&it);
    return total;
}

/* Nodes of a compressed radix tree over the keys: the root, every key, every
 * branching prefix and every child of a branching prefix. Reproduces what
 * Valkey's rax reports for XINFO radix-tree-nodes. */
typedef struct prefixRef {
    const unsigned char *p;
    size_t len;
} prefixRef;

static int prefixCmp(const void *a, const void *b) {
    const prefixRef *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = m ? memcmp(x->p, y->p, m) : 0;
    if (c) return c;
    return x->len < y->len ? -1 : (x->len > y->len);
}

uint64_t streamRaxNodeCount(rax *r) {
    size_t n = r->len;
    if (n == 0) return 1;
    prefixRef *v = zmalloc(sizeof(prefixRef) * (4 * n + 1));
    size_t k = 0;
    raxEntry *e = r->e + r->head;
    v[k++] = (prefixRef){e[0].key, 0};
    for (size_t i = 0; i < n; i++) {
        v[k++] = (prefixRef){e[i].key, e[i].len};
        if (i + 1 == n) break;
        size_t l = 0, m = e[i].len < e[i + 1].len ? e[i].len : e[i + 1].len;
        while (l < m && e[i].key[l] == e[i + 1].key[l]) l++;
        v[k++] = (prefixRef){e[i].key, l};
        if (l < e[i].len) v[k++] = (prefixRef){e[i].key, l + 1};
        if (l < e[i + 1].len) v[k++] = (prefixRef){e[i + 1].key, l + 1};
    }
    qsort(v, k, sizeof(prefixRef), prefixCmp);
    uint64_t count = 0;
    for (size_t i = 0; i < k; i++)
        if (i == 0 || prefixCmp(&v[i - 1], &v[i]) != 0) count++;
    zfree(v);
    return count;
}

/* Structural check of a node: counters, master fields, every entry's shape
 * and lp-count. Keeps later walks inside the listpack. */
int streamValidateListpack(unsigned char *lp, size_t size, const streamID *master, int deep) {
    if (!lpValidateIntegrity(lp, size, deep, NULL, NULL)) return 0;
    if (!deep) return lpFirst(lp) != NULL;
    unsigned char *p = lpFirst(lp);
    long long v;
    int64_t count, deleted, mcount;
    if (!p || !lpGetIntegerIfValid(p, &v)) return 0;
    count = v;
    if (!(p = lpNext(lp, p)) || !lpGetIntegerIfValid(p, &v)) return 0;
    deleted = v;
    if (!(p = lpNext(lp, p)) || !lpGetIntegerIfValid(p, &v) || v < 0) return 0;
    mcount = v;
    for (int64_t i = 0; i < mcount; i++)
        if (!(p = lpNext(lp, p))) return 0;
    if (!(p = lpNext(lp, p)) || !lpGetIntegerIfValid(p, &v) || v != 0) return 0;
    int64_t seen_live = 0, seen_deleted = 0;
    streamID prev = {0, 0};
    int have_prev = 0;
    p = lpNext(lp, p);
    while (p) {
        long long flags, nf, lpcount;
        long long dms, dseq;
        if (!lpGetIntegerIfValid(p, &flags)) return 0;
        if (!(p = lpNext(lp, p)) || !lpGetIntegerIfValid(p, &dms)) return 0;
        if (!(p = lpNext(lp, p)) || !lpGetIntegerIfValid(p, &dseq)) return 0;
        if (!(p = lpNext(lp, p))) return 0;
        streamID cur = {master->ms + (uint64_t)dms, master->seq + (uint64_t)dseq};
        if (streamCompareID(&cur, master) < 0 || (have_prev && streamCompareID(&cur, &prev) <= 0)) return 0;
        prev = cur;
        have_prev = 1;
        int64_t skip;
        if (flags & STREAM_FLAG_SAMEFIELDS) {
            nf = mcount;
            skip = mcount;
        } else {
            if (!lpGetIntegerIfValid(p, &nf) || nf < 0) return 0;
            if (!(p = lpNext(lp, p))) return 0;
            skip = nf * 2;
        }
        for (int64_t i = 0; i < skip; i++)
            if (!p || !(p = lpNext(lp, p)) ) { if (i + 1 < skip || !p) return 0; }
        if (!p || !lpGetIntegerIfValid(p, &lpcount)) return 0;
        int64_t want = (flags & STREAM_FLAG_SAMEFIELDS) ? nf + 3 : nf * 2 + 4;
        if (lpcount != want) return 0;
        if (flags & STREAM_FLAG_DELETED) seen_deleted++;
        else seen_live++;
        p = lpNext(lp, p);
    }
    /* A node may hold only deleted entries (exact MINID trimming can leave that). */
    return seen_live == count && seen_deleted == deleted && seen_live + seen_deleted > 0;
}

/* ---------------------------------------------------------------- table */

static const serverCommandDef xgroupSubcommands[] = {
    {"create", xgroupCreateCommand, -5, "write denyoom", 2, 2, 1, "stream", "Creates a consumer group.", "5.0.0", "O(1)", NULL, NULL, "key group <id|$> [MKSTREAM] [ENTRIESREAD entries-read]"},
    {"setid", xgroupSetidCommand, -5, "write", 2, 2, 1, "stream", "Sets the last-delivered ID of a consumer group.", "5.0.0", "O(1)", NULL, NULL, "key group <id|$> [ENTRIESREAD entries-read]"},
    {"destroy", xgroupDestroyCommand, 4, "write", 2, 2, 1, "stream", "Destroys a consumer group.", "5.0.0", "O(N) where N is the number of entries in the group's pending entries list (PEL).", NULL, NULL, "key group"},
    {"createconsumer", xgroupCreateconsumerCommand, 5, "write denyoom", 2, 2, 1, "stream", "Creates a consumer in a consumer group.", "6.2.0", "O(1)", NULL, NULL, "key group consumer"},
    {"delconsumer", xgroupDelconsumerCommand, 5, "write", 2, 2, 1, "stream", "Deletes a consumer from a consumer group.", "5.0.0", "O(1)", NULL, NULL, "key group consumer"},
    {"help", xgroupHelpCommand, 2, "loading stale", 0, 0, 0, "stream", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", NULL, NULL, ""},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL}};

static const serverCommandDef xinfoSubcommands[] = {
    {"consumers", xinfoConsumersCommand, 4, "readonly", 2, 2, 1, "stream", "Returns a list of the consumers in a consumer group.", "5.0.0", "O(1)", NULL, NULL, "key group"},
    {"groups", xinfoGroupsCommand, 3, "readonly", 2, 2, 1, "stream", "Returns a list of the consumer groups of a stream.", "5.0.0", "O(1)", NULL, NULL, "key"},
    {"stream", xinfoStreamCommand, -3, "readonly", 2, 2, 1, "stream", "Returns information about a stream.", "5.0.0", "O(1)", NULL, NULL, "key [FULL [COUNT count]]"},
    {"help", xinfoHelpCommand, 2, "loading stale", 0, 0, 0, "stream", "Returns helpful text about the different subcommands.", "5.0.0", "O(1)", NULL, NULL, ""},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL}};

/* Keys of XREAD/XREADGROUP follow STREAMS: the first half of what remains. */
static int xreadGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    (void)cmd;
    int streams = 0;
    for (int i = 1; i < argc; i++) {
        if (argIs(argv[i], "block") || argIs(argv[i], "count")) i++;
        else if (argIs(argv[i], "group")) i += 2;
        else if (argIs(argv[i], "noack")) continue;
        else if (argIs(argv[i], "streams")) { streams = i; break; }
        else return 0;
    }
    int left = argc - streams - 1;
    if (!streams || left == 0 || left % 2) return 0;
    int n = 0;
    for (int i = streams + 1; i < streams + 1 + left / 2 && n < maxkeys; i++) keyidx[n++] = i;
    return n;
}

const serverCommandDef streamCommandTable[] = {
    {"xadd", xaddCommand, -5, "write denyoom fast", 1, 1, 1, "stream", "Appends a new message to a stream. Creates the key if it doesn't exist.", "5.0.0", "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.", NULL, NULL, "key [NOMKSTREAM] [<MAXLEN|MINID> [=|~] threshold [LIMIT count]] <*|id> field value [field value ...]"},
    {"xlen", xlenCommand, 2, "readonly fast", 1, 1, 1, "stream", "Return the number of messages in a stream.", "5.0.0", "O(1)", NULL, NULL, "key"},
    {"xrange", xrangeCommand, -4, "readonly", 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs.", "5.0.0", "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", NULL, NULL, "key start end [COUNT count]"},
    {"xrevrange", xrevrangeCommand, -4, "readonly", 1, 1, 1, "stream", "Returns the messages from a stream within a range of IDs in reverse order.", "5.0.0", "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", NULL, NULL, "key end start [COUNT count]"},
    {"xdel", xdelCommand, -3, "write fast", 1, 1, 1, "stream", "Returns the number of messages after removing them from a stream.", "5.0.0", "O(1) for each single item to delete in the stream, regardless of the stream size.", NULL, NULL, "key id [id ...]"},
    {"xtrim", xtrimCommand, -4, "write", 1, 1, 1, "stream", "Deletes messages from the beginning of a stream.", "5.0.0", "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.", NULL, NULL, "key <MAXLEN|MINID> [=|~] threshold [LIMIT count]"},
    {"xread", xreadCommand, -4, "readonly blocking movablekeys", 0, 0, 0, "stream", "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", "5.0.0", "", xreadGetKeys, NULL, "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]"},
    {"xreadgroup", xreadgroupCommand, -7, "write blocking movablekeys", 0, 0, 0, "stream", "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", "5.0.0", "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.", xreadGetKeys, NULL, "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]"},
    {"xgroup", NULL, -2, "", 0, 0, 0, "stream", "A container for consumer groups commands.", "5.0.0", "Depends on subcommand.", NULL, xgroupSubcommands, ""},
    {"xack", xackCommand, -4, "write fast", 1, 1, 1, "stream", "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", "5.0.0", "O(1) for each message ID processed.", NULL, NULL, "key group id [id ...]"},
    {"xpending", xpendingCommand, -3, "readonly", 1, 1, 1, "stream", "Returns the information and entries from a stream consumer group's pending entries list.", "5.0.0", "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.", NULL, NULL, "key group [[IDLE min-idle-time] start end count [consumer]]"},
    {"xclaim", xclaimCommand, -6, "write fast", 1, 1, 1, "stream", "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", "5.0.0", "O(log N) with N being the number of messages in the PEL of the consumer group.", NULL, NULL, "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"},
    {"xautoclaim", xautoclaimCommand, -6, "write fast", 1, 1, 1, "stream", "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", "6.2.0", "O(1) if COUNT is small.", NULL, NULL, "key group consumer min-idle-time start [COUNT count] [JUSTID]"},
    {"xinfo", NULL, -2, "", 0, 0, 0, "stream", "A container for stream introspection commands.", "5.0.0", "Depends on subcommand.", NULL, xinfoSubcommands, ""},
    {"xsetid", xsetidCommand, -3, "write denyoom fast", 1, 1, 1, "stream", "An internal command for replicating stream values.", "5.0.0", "O(1)", NULL, NULL, "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL}};
