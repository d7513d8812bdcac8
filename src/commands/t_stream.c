/* t_stream: stream values and the X* commands. Node layout (shared with RDB):
 * [count][deleted][nfields][field...][0] master entry, then per entry
 * [flags][ms-delta][seq-delta]([nfields][field value...] | [value...])[lp-count]
 * where SAMEFIELDS entries reuse the master's field names. */
#include "commands/t_stream.h"
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

static const streamID streamMaxID = {UINT64_MAX, UINT64_MAX};

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

static int streamCompareID(const streamID *a, const streamID *b) {
    if (a->ms != b->ms) return a->ms > b->ms ? 1 : -1;
    if (a->seq != b->seq) return a->seq > b->seq ? 1 : -1;
    return 0;
}

static int streamIDIsZero(const streamID *id) { return id->ms == 0 && id->seq == 0; }

static int streamIncrID(streamID *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) return -1;
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

static int streamDecrID(streamID *id) {
    if (id->seq == 0) {
        if (id->ms == 0) return -1;
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

/* Hot in every reply that carries IDs, hence no snprintf. buf holds >= 42. */
static int streamFormatID(char *buf, size_t len, const streamID *id) {
    int a = ull2string(buf, len, id->ms);
    buf[a] = '-';
    return a + 1 + ull2string(buf + a + 1, len - (size_t)a - 1, id->seq);
}

static obj *createObjectFromStreamID(const streamID *id) {
    char buf[64];
    int l = streamFormatID(buf, sizeof(buf), id);
    return createStringObject(buf, (size_t)l);
}

static void addReplyStreamID(client *c, const streamID *id) {
    char buf[64];
    int l = streamFormatID(buf, sizeof(buf), id);
    addReplyBulkCBuffer(c, buf, (size_t)l);
}

static const char *argStr(obj *o, char *buf, size_t buflen, size_t *len) { return objStrPtr(o, buf, buflen, len); }

static int argIs(obj *o, const char *s) {
    char buf[32];
    size_t len;
    const char *p = argStr(o, buf, sizeof(buf), &len);
    return len == strlen(s) && !strncasecmp(p, s, len);
}

static int argEq(obj *o, const char *s) {
    char buf[32];
    size_t len;
    const char *p = argStr(o, buf, sizeof(buf), &len);
    return len == strlen(s) && !memcmp(p, s, len);
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
static int streamParseID(client *c, obj *o, streamID *id, uint64_t missing_seq, int strict, int *seq_given) {
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

static int streamParseStrictID(client *c, obj *o, streamID *id, uint64_t missing_seq, int *seq_given) {
    return streamParseID(c, o, id, missing_seq, 1, seq_given);
}

/* Range bounds: a leading '(' makes the bound exclusive. */
static int streamParseIntervalID(client *c, obj *o, streamID *id, int *exclude, uint64_t missing_seq) {
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

static void streamFreeCG(void *p) {
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

void freeStreamObject(obj *o) { streamFree(o->ptr); }

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

static streamCG *streamLookupCG(stream *s, obj *name) {
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

static streamConsumer *streamLookupConsumer(streamCG *cg, obj *name) {
    char tmp[32];
    size_t len;
    const char *p = argStr(name, tmp, sizeof(tmp), &len);
    void *sc = NULL;
    return raxFind(cg->consumers, (const unsigned char *)p, len, &sc) ? sc : NULL;
}

/* Creates the consumer and propagates its creation (XGROUP CREATECONSUMER). */
static streamConsumer *streamCreateConsumer(client *c, streamCG *cg, obj *name, obj *key, obj *group, int notify) {
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

static void streamDelConsumer(streamCG *cg, streamConsumer *sc) {
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

typedef struct streamNode {
    unsigned char *lp;
    streamID master;
    int64_t mcount;          /* master field count */
    unsigned char *mfields;  /* first master field */
    unsigned char *first;    /* flags of the first entry, NULL if none */
} streamNode;

typedef struct streamEntry {
    streamID id;
    unsigned char *flagp;
    int flags;
    int64_t numfields;
    unsigned char *fv;       /* first field (or first value with SAMEFIELDS) */
    unsigned char *next;     /* flags of the following entry, NULL at the end */
} streamEntry;

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

static void addReplyStreamEntry(client *c, streamNode *n, streamEntry *e) {
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
typedef int streamVisitFn(streamNode *n, streamEntry *e, void *ctx);

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

static void streamVisit(stream *s, const streamID *start, const streamID *end, int rev, streamVisitFn *fn, void *ctx) {
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
static long long streamReplyRange(client *c, stream *s, const streamID *start, const streamID *end, long long count,
                                  int rev) {
    void *len = addReplyDeferredLen(c);
    rangeCtx rc = {c, count, 0};
    streamVisit(s, start, end, rev, rangeEmit, &rc);
    setDeferredArrayLen(c, len, rc.emitted);
    return rc.emitted;
}

/* Replies one entry (no surrounding array) if it exists. */
static int streamReplyOne(client *c, stream *s, const streamID *id) {
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

static int streamEntryExists(stream *s, const streamID *id) {
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
static int streamGetEdgeID(stream *s, int first, streamID *id) {
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
static int streamReplyOneEdge(client *c, stream *s, int rev) {
    rangeCtx rc = {c, 1, 0};
    streamVisit(s, NULL, NULL, rev, rangeEmit, &rc);
    return rc.emitted > 0;
}

static void streamLastValidID(stream *s, streamID *id) { streamGetEdgeID(s, 0, id); }

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
    stream *s = o->ptr;
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
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = o->ptr;
    trimArgs a;
    int end = streamParseAddOrTrimArgs(c, &a, 0);
    if (end < 0) return;
    if (end < c->argc) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
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
    addReplyLongLong(c, (long long)((stream *)o->ptr)->length);
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
    streamReplyRange(c, o->ptr, &start, &end, count, rev);
}

static void xrangeCommand(client *c) { xrangeGeneric(c, 0); }
static void xrevrangeCommand(client *c) { xrangeGeneric(c, 1); }

static void xdelCommand(client *c) {
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = o->ptr;
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

/* ------------------------------------------------------ group bookkeeping */

/* The logical position (1-based count of entries added) of id, or -1. */
static long long streamEstimateDistance(stream *s, const streamID *id) {
    if (!s->entries_added) return 0;
    if (!s->length && streamCompareID(id, &s->last_id) < 1) return (long long)s->entries_added;
    int cmp_last = streamCompareID(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return SCG_INVALID_ENTRIES_READ;
    int cmp_first = streamCompareID(id, &s->first_id);
    if (streamIDIsZero(&s->max_deleted_entry_id) || streamCompareID(&s->max_deleted_entry_id, &s->first_id) < 0) {
        if (cmp_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return SCG_INVALID_ENTRIES_READ;
}

static int streamRangeHasTombstones(stream *s, const streamID *start, const streamID *end) {
    if (!s->length || streamIDIsZero(&s->max_deleted_entry_id)) return 0;
    if (streamCompareID(&s->first_id, &s->max_deleted_entry_id) > 0) return 0;
    streamID a = {0, 0}, b = streamMaxID;
    if (start) a = *start;
    if (end) b = *end;
    return streamCompareID(&a, &s->max_deleted_entry_id) <= 0 && streamCompareID(&s->max_deleted_entry_id, &b) <= 0;
}

static void streamReplyCGLag(client *c, stream *s, streamCG *cg) {
    long long lag = 0;
    int valid = 0;
    if (!s->entries_added) {
        valid = 1;
    } else if (cg->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, &cg->last_id, NULL)) {
        lag = (long long)s->entries_added - cg->entries_read;
        valid = 1;
    } else {
        long long er = streamEstimateDistance(s, &cg->last_id);
        if (er != SCG_INVALID_ENTRIES_READ) {
            lag = (long long)s->entries_added - er;
            valid = 1;
        }
    }
    if (valid) addReplyLongLong(c, lag);
    else addReplyNull(c);
}

/* XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group-last-id> */
static void streamPropagateXCLAIM(client *c, obj *key, streamCG *cg, obj *group, obj *id, streamNACK *nack) {
    obj *argv[14];
    argv[0] = createStringObject("XCLAIM", 6);
    argv[1] = key;
    argv[2] = group;
    argv[3] = createStringObject(nack->consumer->name, bstrLen(nack->consumer->name));
    argv[4] = createStringObjectFromLongLong(0);
    argv[5] = id;
    argv[6] = createStringObject("TIME", 4);
    argv[7] = createStringObjectFromLongLong(nack->delivery_time);
    argv[8] = createStringObject("RETRYCOUNT", 10);
    argv[9] = createStringObjectFromLongLong((long long)nack->delivery_count);
    argv[10] = createStringObject("FORCE", 5);
    argv[11] = createStringObject("JUSTID", 6);
    argv[12] = createStringObject("LASTID", 6);
    argv[13] = createObjectFromStreamID(&cg->last_id);
    alsoPropagate(c->db->id, argv, 14, PROPAGATE_AOF | PROPAGATE_REPL);
    for (int i = 0; i < 14; i++)
        if (i != 1 && i != 2 && i != 5) decrRefCount(argv[i]);
}

/* XGROUP SETID <key> <group> <id> ENTRIESREAD <n> */
static void streamPropagateGroupID(client *c, obj *key, streamCG *cg, obj *group) {
    obj *argv[7];
    argv[0] = createStringObject("XGROUP", 6);
    argv[1] = createStringObject("SETID", 5);
    argv[2] = key;
    argv[3] = group;
    argv[4] = createObjectFromStreamID(&cg->last_id);
    argv[5] = createStringObject("ENTRIESREAD", 11);
    argv[6] = createStringObjectFromLongLong(cg->entries_read);
    alsoPropagate(c->db->id, argv, 7, PROPAGATE_AOF | PROPAGATE_REPL);
    decrRefCount(argv[0]);
    decrRefCount(argv[1]);
    decrRefCount(argv[4]);
    decrRefCount(argv[5]);
    decrRefCount(argv[6]);
}

void streamRecomputeFirstID(stream *s) {
    if (s->length) streamGetEdgeID(s, 1, &s->first_id);
    else s->first_id.ms = s->first_id.seq = 0;
}

long long streamEstimateEntriesRead(stream *s, const streamID *id) { return streamEstimateDistance(s, id); }

/* ---------------------------------------------------------- XREAD family */

typedef struct groupReadCtx {
    client *c;
    stream *s;
    streamCG *cg;
    streamConsumer *consumer;
    obj *key, *groupname;
    int noack;
    long long count, emitted;
    int propagate_last_id;
} groupReadCtx;

static int groupReadVisit(streamNode *n, streamEntry *e, void *ctx) {
    groupReadCtx *g = ctx;
    streamCG *cg = g->cg;
    if (streamCompareID(&e->id, &cg->last_id) > 0) {
        if (cg->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(g->s, &e->id, NULL))
            cg->entries_read++;
        else if (g->s->entries_added)
            cg->entries_read = streamEstimateDistance(g->s, &e->id);
        cg->last_id = e->id;
        g->propagate_last_id = 1;
    }
    addReplyStreamEntry(g->c, n, e);
    if (!g->noack) {
        unsigned char buf[STREAM_ID_SIZE];
        streamEncodeID(buf, &e->id);
        streamNACK *nack = streamCreateNACK(g->consumer);
        void *old = NULL;
        if (!raxTryInsert(cg->pel, buf, sizeof(buf), nack, &old)) {
            zfree(nack);
            nack = old;
            raxRemove(nack->consumer->pel, buf, sizeof(buf), NULL);
            nack->consumer = g->consumer;
            nack->delivery_time = commandTimeSnapshot();
            nack->delivery_count = 1;
        }
        raxInsert(g->consumer->pel, buf, sizeof(buf), nack, NULL);
        g->consumer->active_time = commandTimeSnapshot();
        obj *idarg = createObjectFromStreamID(&e->id);
        streamPropagateXCLAIM(g->c, g->key, cg, g->groupname, idarg, nack);
        decrRefCount(idarg);
    }
    g->emitted++;
    return !(g->count && g->emitted >= g->count);
}

/* Entries of the consumer's own PEL from start on (XREADGROUP with an ID). */
static void streamReplyFromConsumerPEL(client *c, stream *s, streamConsumer *sc, const streamID *start, long long count) {
    unsigned char key[STREAM_ID_SIZE];
    streamEncodeID(key, start);
    raxIterator it;
    raxStart(&it, sc->pel);
    raxSeek(&it, ">=", key, sizeof(key));
    void *len = addReplyDeferredLen(c);
    long long n = 0;
    while ((!count || n < count) && raxNext(&it)) {
        streamID id;
        streamDecodeID(it.key, &id);
        if (!streamReplyOne(c, s, &id)) {
            addReplyArrayLen(c, 2);
            addReplyStreamID(c, &id);
            addReplyNullArray(c);
        } else {
            streamNACK *nack = it.data;
            nack->delivery_time = commandTimeSnapshot();
            nack->delivery_count++;
        }
        n++;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

/* BLOCK takes milliseconds; Valkey's own texts for bad values. */
static int streamParseBlockTimeout(client *c, obj *o, mstime_t *timeout) {
    long long t;
    if (getLongLongFromObjectOrReply(c, o, &t, "ERR timeout is not an integer or out of range") != 0) return -1;
    if (t < 0) {
        addReplyError(c, "ERR timeout is negative");
        return -1;
    }
    if (t > 0) {
        mstime_t now = commandTimeSnapshot();
        if (t > LLONG_MAX - now) {
            addReplyError(c, "ERR timeout is out of range");
            return -1;
        }
        t += now;
    }
    *timeout = t;
    return 0;
}

#define XREAD_STATIC_STREAMS 8

static void xreadGeneric(client *c, int xreadgroup) {
    long long count = 0;
    mstime_t timeout = -1;
    int streams_arg = 0, streams_count = 0, noack = 0;
    obj *groupname = NULL, *consumername = NULL;
    for (int i = 1; i < c->argc; i++) {
        int more = c->argc - i - 1;
        if (argIs(c->argv[i], "block") && more) {
            i++;
            if (streamParseBlockTimeout(c, c->argv[i], &timeout) != 0) return;
        } else if (argIs(c->argv[i], "count") && more) {
            i++;
            if (getLongLongFromObjectOrReply(c, c->argv[i], &count, NULL) != 0) return;
            if (count < 0) count = 0;
        } else if (argIs(c->argv[i], "streams") && more) {
            streams_arg = i + 1;
            streams_count = c->argc - streams_arg;
            if (streams_count % 2 != 0) {
                /* Valkey 8 names the command as typed in the table (redis 7.0 said "XREAD" for both). */
                addReplyErrorFormat(c, "ERR Unbalanced '%s' list of streams: for each stream key an ID or '%c' must be specified.",
                                    c->cmd ? c->cmd->fullname : (xreadgroup ? "xreadgroup" : "xread"), xreadgroup ? '>' : '$');
                return;
            }
            streams_count /= 2;
            break;
        } else if (argIs(c->argv[i], "group") && more >= 2) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            groupname = c->argv[i + 1];
            consumername = c->argv[i + 2];
            i += 2;
        } else if (argIs(c->argv[i], "noack")) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            noack = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if (streams_arg == 0) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    if (xreadgroup && !groupname) {
        addReplyError(c, "ERR Missing GROUP option for XREADGROUP");
        return;
    }

    streamID ids_static[XREAD_STATIC_STREAMS], *ids = ids_static;
    streamCG *groups_static[XREAD_STATIC_STREAMS], **groups = groups_static;
    if (streams_count > XREAD_STATIC_STREAMS) {
        ids = zmalloc(sizeof(streamID) * (size_t)streams_count);
        groups = zmalloc(sizeof(streamCG *) * (size_t)streams_count);
    }
    for (int i = 0; i < streams_count; i++) {
        obj *key = c->argv[streams_arg + i], *idarg = c->argv[streams_arg + streams_count + i];
        obj *o = lookupKeyRead(c->db, key);
        if (checkType(c, o, OBJ_STREAM)) goto cleanup;
        groups[i] = NULL;
        if (groupname) {
            if (!o || !(groups[i] = streamLookupCG(o->ptr, groupname))) {
                if (c->flags & CLIENT_REPROCESSING) {
                    addReplyError(c, o ? "NOGROUP the consumer group this client was blocked on no longer exists"
                                       : "UNBLOCKED the stream key no longer exists");
                    goto cleanup;
                }
                char t1[32], t2[32];
                size_t l1, l2;
                const char *k = argStr(key, t1, sizeof(t1), &l1), *g = argStr(groupname, t2, sizeof(t2), &l2);
                addReplyErrorFormat(c, "NOGROUP No such key '%.*s' or consumer group '%.*s' in XREADGROUP with GROUP option",
                                    (int)l1, k, (int)l2, g);
                goto cleanup;
            }
        }
        if (argEq(idarg, "$")) {
            if (xreadgroup) {
                addReplyError(c, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
                                 "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
                                 "would just return an empty result set.");
                goto cleanup;
            }
            if (o) ids[i] = ((stream *)o->ptr)->last_id;
            else ids[i].ms = ids[i].seq = 0;
            continue;
        }
        if (argEq(idarg, ">")) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                                 "<consumer> option.");
                goto cleanup;
            }
            ids[i] = streamMaxID;
            continue;
        }
        if (streamParseStrictID(c, idarg, &ids[i], 0, NULL) != 0) goto cleanup;
    }

    long served = 0;
    void *outer = NULL;
    for (int i = 0; i < streams_count; i++) {
        obj *key = c->argv[streams_arg + i];
        obj *o = lookupKeyRead(c->db, key);
        if (!o) continue;
        stream *s = o->ptr;
        streamID gt = ids[i];
        int sync = 0, history = 0;
        streamConsumer *consumer = NULL;
        if (groupname) {
            if (gt.ms != UINT64_MAX || gt.seq != UINT64_MAX) {
                sync = history = 1;
            } else if (s->length) {
                streamID maxid;
                streamLastValidID(s, &maxid);
                if (streamCompareID(&maxid, &groups[i]->last_id) > 0) {
                    sync = 1;
                    gt = groups[i]->last_id;
                }
            }
            consumer = streamLookupConsumer(groups[i], consumername);
            if (!consumer) consumer = streamCreateConsumer(c, groups[i], consumername, key, groupname, 1);
            consumer->seen_time = commandTimeSnapshot();
        } else if (s->length) {
            streamID maxid;
            streamLastValidID(s, &maxid);
            if (streamCompareID(&maxid, &gt) > 0) sync = 1;
        }
        if (!sync) continue;
        if (++served == 1) outer = addReplyDeferredLen(c);
        streamID start = gt;
        streamIncrID(&start);
        if (c->resp == 2) addReplyArrayLen(c, 2);
        addReplyBulk(c, key);
        if (history) {
            streamReplyFromConsumerPEL(c, s, consumer, &start, count);
        } else if (groupname) {
            groupReadCtx g = {c, s, groups[i], consumer, key, groupname, noack, count, 0, 0};
            void *len = addReplyDeferredLen(c);
            streamVisit(s, &start, NULL, 0, groupReadVisit, &g);
            setDeferredArrayLen(c, len, g.emitted);
            if (g.propagate_last_id) streamPropagateGroupID(c, key, groups[i], groupname);
        } else {
            streamReplyRange(c, s, &start, NULL, count, 0);
        }
        if (groupname) server.dirty++;
    }
    if (served) {
        if (c->resp == 2) setDeferredArrayLen(c, outer, served);
        else setDeferredMapLen(c, outer, served);
        goto cleanup;
    }
    if (timeout != -1) {
        /* A re-run after a wake-up must compare with the ID '$' meant now. */
        for (int i = 0; i < streams_count; i++) {
            int idx = streams_arg + streams_count + i;
            if (argEq(c->argv[idx], "$")) {
                obj *idobj = createObjectFromStreamID(&ids[i]);
                rewriteClientCommandArgument(c, idx, idobj);
                decrRefCount(idobj);
            }
        }
        blockForKeys(c, BLOCKED_STREAM, c->argv + streams_arg, streams_count, timeout, xreadgroup);
        goto cleanup;
    }
    addReplyNullArray(c);
cleanup:
    preventCommandPropagation(c);
    if (ids != ids_static) zfree(ids);
    if (groups != groups_static) zfree(groups);
}

static void xreadCommand(client *c) { xreadGeneric(c, 0); }
static void xreadgroupCommand(client *c) { xreadGeneric(c, 1); }

/* ---------------------------------------------------------------- XGROUP */

static int parseEntriesRead(client *c, obj *o, long long *v) {
    if (getLongLongFromObjectOrReply(c, o, v, NULL) != 0) return -1;
    if (*v < 0 && *v != SCG_INVALID_ENTRIES_READ) {
        addReplyError(c, "ERR value for ENTRIESREAD must be positive or -1");
        return -1;
    }
    return 0;
}

static void replyNoGroupForKey(client *c, obj *group, obj *key) {
    char t1[32], t2[32];
    size_t l1, l2;
    const char *g = argStr(group, t1, sizeof(t1), &l1), *k = argStr(key, t2, sizeof(t2), &l2);
    addReplyErrorFormat(c, "NOGROUP No such consumer group '%.*s' for key name '%.*s'", (int)l1, g, (int)l2, k);
}

/* Common prologue of the XGROUP subcommands: key and group checks. */
static int xgroupPrologue(client *c, int need_group, int mkstream, obj **o_out, streamCG **cg_out) {
    obj *o = lookupKeyWrite(c->db, c->argv[2]);
    if (checkType(c, o, OBJ_STREAM)) return -1;
    if (!o && !mkstream) {
        addReplyError(c, "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
                         "the MKSTREAM option to create an empty stream automatically.");
        return -1;
    }
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[3]) : NULL;
    if (need_group && !cg) {
        replyNoGroupForKey(c, c->argv[3], c->argv[2]);
        return -1;
    }
    *o_out = o;
    *cg_out = cg;
    return 0;
}

static void xgroupCreateCommand(client *c) {
    int mkstream = 0;
    long long entries_read = SCG_INVALID_ENTRIES_READ;
    for (int i = 5; i < c->argc; i++) {
        if (argIs(c->argv[i], "mkstream")) {
            mkstream = 1;
        } else if (argIs(c->argv[i], "entriesread") && i + 1 < c->argc) {
            if (parseEntriesRead(c, c->argv[i + 1], &entries_read) != 0) return;
            i++;
        } else {
            addReplySubcommandSyntaxError(c);
            return;
        }
    }
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 0, mkstream, &o, &cg) != 0) return;
    streamID id;
    if (argEq(c->argv[4], "$")) {
        if (o) id = ((stream *)o->ptr)->last_id;
        else id.ms = id.seq = 0;
    } else if (streamParseStrictID(c, c->argv[4], &id, 0, NULL) != 0) {
        return;
    }
    if (!o) {
        o = createStreamObject();
        dbAdd(c->db, c->argv[2], o);
        signalModifiedKey(c, c->db, c->argv[2]);
    }
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[3], tmp, sizeof(tmp), &len);
    if (streamCreateCG(o->ptr, name, len, &id, entries_read)) {
        addReply(c, shared.ok);
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-create", c->argv[2], c->db->id);
    } else {
        addReplyError(c, "BUSYGROUP Consumer Group name already exists");
    }
}

static void xgroupSetidCommand(client *c) {
    long long entries_read = SCG_INVALID_ENTRIES_READ;
    obj *o;
    streamCG *cg;
    if (c->argc != 5 && c->argc != 7) {
        addReplySubcommandSyntaxError(c);
        return;
    }
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    streamID id;
    if (argEq(c->argv[4], "$")) id = ((stream *)o->ptr)->last_id;
    else if (streamParseID(c, c->argv[4], &id, 0, 0, NULL) != 0) return;
    if (c->argc == 7) {
        if (!argIs(c->argv[5], "entriesread")) {
            addReplySubcommandSyntaxError(c);
            return;
        }
        if (parseEntriesRead(c, c->argv[6], &entries_read) != 0) return;
    }
    cg->last_id = id;
    cg->entries_read = entries_read;
    addReply(c, shared.ok);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-setid", c->argv[2], c->db->id);
}

static void xgroupDestroyCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 0, 0, &o, &cg) != 0) return;
    if (!cg) {
        addReply(c, shared.czero);
        return;
    }
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[3], tmp, sizeof(tmp), &len);
    raxRemove(((stream *)o->ptr)->cgroups, (const unsigned char *)name, len, NULL);
    streamFreeCG(cg);
    addReply(c, shared.cone);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-destroy", c->argv[2], c->db->id);
    signalKeyAsReady(c->db, c->argv[2], OBJ_STREAM);   /* blocked readers of the group fail with NOGROUP */
}

static void xgroupCreateconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[4], tmp, sizeof(tmp), &len);
    streamConsumer *sc = streamCreateConsumerRaw(cg, name, len);
    if (sc) {
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-createconsumer", c->argv[2], c->db->id);
    }
    addReplyLongLong(c, sc ? 1 : 0);
}

static void xgroupDelconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    streamConsumer *sc = streamLookupConsumer(cg, c->argv[4]);
    long long pending = 0;
    if (sc) {
        pending = (long long)raxSize(sc->pel);
        streamDelConsumer(cg, sc);
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-delconsumer", c->argv[2], c->db->id);
    }
    addReplyLongLong(c, pending);
}

static void xgroupHelpCommand(client *c) {
    static const char *help[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        NULL};
    addReplyHelp(c, help);
}

/* ----------------------------------------------------- XACK / XPENDING */

static void replyNoKeyOrGroup(client *c, obj *key, obj *group, const char *suffix) {
    char t1[32], t2[32];
    size_t l1, l2;
    const char *k = argStr(key, t1, sizeof(t1), &l1), *g = argStr(group, t2, sizeof(t2), &l2);
    addReplyErrorFormat(c, "NOGROUP No such key '%.*s' or consumer group '%.*s'%s", (int)l1, k, (int)l2, g, suffix);
}

static void xackCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    streamCG *cg = NULL;
    if (o) {
        if (checkType(c, o, OBJ_STREAM)) return;
        cg = streamLookupCG(o->ptr, c->argv[2]);
    }
    int n = c->argc - 3;
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (streamParseStrictID(c, c->argv[j + 3], &ids[j], 0, NULL) != 0) {
            zfree(ids);
            return;
        }
    }
    long long acked = 0;
    if (o && cg) {
        for (int j = 0; j < n; j++) {
            unsigned char buf[STREAM_ID_SIZE];
            streamEncodeID(buf, &ids[j]);
            void *v;
            if (!raxFind(cg->pel, buf, sizeof(buf), &v)) continue;
            streamNACK *nack = v;
            raxRemove(cg->pel, buf, sizeof(buf), NULL);
            raxRemove(nack->consumer->pel, buf, sizeof(buf), NULL);
            zfree(nack);
            acked++;
            server.dirty++;
        }
    }
    zfree(ids);
    addReplyLongLong(c, acked);
}

static void xpendingCommand(client *c) {
    int justinfo = c->argc == 3;
    long long minidle = 0, count = 0;
    streamID start, end;
    int startex, endex;
    obj *consumername = NULL;
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    if (c->argc >= 6) {
        int si = 3;
        if (argIs(c->argv[3], "idle")) {
            if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, NULL) != 0) return;
            if (c->argc < 8) {
                addReplyErrorObject(c, shared.syntaxerr);
                return;
            }
            si += 2;
        }
        if (getLongLongFromObjectOrReply(c, c->argv[si + 2], &count, NULL) != 0) return;
        if (count < 0) count = 0;
        if (streamParseIntervalID(c, c->argv[si], &start, &startex, 0) != 0) return;
        if (startex && streamIncrID(&start) != 0) {
            addReplyError(c, "ERR invalid start ID for the interval");
            return;
        }
        if (streamParseIntervalID(c, c->argv[si + 1], &end, &endex, UINT64_MAX) != 0) return;
        if (endex && streamDecrID(&end) != 0) {
            addReplyError(c, "ERR invalid end ID for the interval");
            return;
        }
        if (si + 3 < c->argc) consumername = c->argv[si + 3];
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (checkType(c, o, OBJ_STREAM)) return;
    streamCG *cg = o ? streamLookupCG(o->ptr, c->argv[2]) : NULL;
    if (!cg) {
        replyNoKeyOrGroup(c, c->argv[1], c->argv[2], "");
        return;
    }
    raxIterator it;
    if (justinfo) {
        addReplyArrayLen(c, 4);
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        if (raxSize(cg->pel) == 0) {
            addReplyNull(c);
            addReplyNull(c);
            addReplyNullArray(c);
            return;
        }
        streamID id;
        raxStart(&it, cg->pel);
        raxSeek(&it, "^", NULL, 0);
        raxNext(&it);
        streamDecodeID(it.key, &id);
        addReplyStreamID(c, &id);
        raxSeek(&it, "$", NULL, 0);
        raxPrev(&it);
        streamDecodeID(it.key, &id);
        addReplyStreamID(c, &id);
        raxStop(&it);
        raxStart(&it, cg->consumers);
        raxSeek(&it, "^", NULL, 0);
        void *len = addReplyDeferredLen(c);
        long n = 0;
        while (raxNext(&it)) {
            streamConsumer *sc = it.data;
            if (raxSize(sc->pel) == 0) continue;
            addReplyArrayLen(c, 2);
            addReplyBulkCBuffer(c, it.key, it.key_len);
            addReplyBulkLongLong(c, (long long)raxSize(sc->pel));
            n++;
        }
        raxStop(&it);
        setDeferredArrayLen(c, len, n);
        return;
    }
    streamConsumer *sc = NULL;
    if (consumername) {
        sc = streamLookupConsumer(cg, consumername);
        if (!sc) {
            addReplyArrayLen(c, 0);
            return;
        }
    }
    unsigned char sk[STREAM_ID_SIZE], ek[STREAM_ID_SIZE];
    streamEncodeID(sk, &start);
    streamEncodeID(ek, &end);
    mstime_t now = commandTimeSnapshot();
    raxStart(&it, sc ? sc->pel : cg->pel);
    raxSeek(&it, ">=", sk, sizeof(sk));
    void *len = addReplyDeferredLen(c);
    long n = 0;
    while (count && raxNext(&it) && memcmp(it.key, ek, it.key_len) <= 0) {
        streamNACK *nack = it.data;
        if (minidle && now - nack->delivery_time < minidle) continue;
        streamID id;
        streamDecodeID(it.key, &id);
        addReplyArrayLen(c, 4);
        addReplyStreamID(c, &id);
        addReplyBulkCBuffer(c, nack->consumer->name, bstrLen(nack->consumer->name));
        mstime_t elapsed = now - nack->delivery_time;
        addReplyLongLong(c, elapsed < 0 ? 0 : elapsed);
        addReplyLongLong(c, (long long)nack->delivery_count);
        n++;
        count--;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

/* ------------------------------------------------- XCLAIM / XAUTOCLAIM */

static streamConsumer *getOrCreateConsumer(client *c, streamCG *cg, obj *name, obj *key, obj *group) {
    streamConsumer *sc = streamLookupConsumer(cg, name);
    return sc ? sc : streamCreateConsumer(c, cg, name, key, group, 1);
}

/* Drops a NACK whose entry no longer exists, propagating the drop. */
static void streamDropStaleNACK(client *c, streamCG *cg, obj *key, obj *group, obj *idarg, unsigned char *buf,
                                streamNACK *nack) {
    streamPropagateXCLAIM(c, key, cg, group, idarg, nack);
    server.dirty++;
    raxRemove(cg->pel, buf, STREAM_ID_SIZE, NULL);
    raxRemove(nack->consumer->pel, buf, STREAM_ID_SIZE, NULL);
    zfree(nack);
}

static void streamMoveNACK(streamNACK *nack, streamConsumer *to, unsigned char *buf) {
    if (nack->consumer == to) return;
    if (nack->consumer) raxRemove(nack->consumer->pel, buf, STREAM_ID_SIZE, NULL);
    raxInsert(to->pel, buf, STREAM_ID_SIZE, nack, NULL);
    nack->consumer = to;
}

static void xclaimCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    streamCG *cg = NULL;
    if (o) {
        if (checkType(c, o, OBJ_STREAM)) return;
        cg = streamLookupCG(o->ptr, c->argv[2]);
    }
    if (!o || !cg) {
        replyNoKeyOrGroup(c, c->argv[1], c->argv[2], "");
        return;
    }
    stream *s = o->ptr;
    long long minidle, retrycount = -1;
    mstime_t deliverytime = -1;
    int force = 0, justid = 0;
    if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XCLAIM") != 0) return;
    if (minidle < 0) minidle = 0;
    int j;
    streamID tmpid;
    for (j = 5; j < c->argc; j++)
        if (streamParseStrictID(NULL, c->argv[j], &tmpid, 0, NULL) != 0) break;
    int last_id_arg = j - 1;
    mstime_t now = commandTimeSnapshot();
    streamID last_id = {0, 0};
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        obj *opt = c->argv[j];
        if (argIs(opt, "force")) force = 1;
        else if (argIs(opt, "justid")) justid = 1;
        else if (argIs(opt, "idle") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &deliverytime, "ERR Invalid IDLE option argument for XCLAIM") != 0) return;
            deliverytime = now - deliverytime;
        } else if (argIs(opt, "time") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &deliverytime, "ERR Invalid TIME option argument for XCLAIM") != 0) return;
        } else if (argIs(opt, "retrycount") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &retrycount, "ERR Invalid RETRYCOUNT option argument for XCLAIM") != 0) return;
        } else if (argIs(opt, "lastid") && more) {
            j++;
            if (streamParseStrictID(c, c->argv[j], &last_id, 0, NULL) != 0) return;
        } else {
            char tmp[32];
            size_t len;
            const char *p = argStr(opt, tmp, sizeof(tmp), &len);
            addReplyErrorFormat(c, "ERR Unrecognized XCLAIM option '%.*s'", (int)len, p);
            return;
        }
    }
    int propagate_last_id = 0;
    if (streamCompareID(&last_id, &cg->last_id) > 0) {
        cg->last_id = last_id;
        propagate_last_id = 1;
    }
    if (deliverytime != -1) {
        if (deliverytime < 0 || deliverytime > now) deliverytime = now;
    } else {
        deliverytime = now;
    }
    streamConsumer *consumer = NULL;
    void *len = addReplyDeferredLen(c);
    long n = 0;
    for (j = 5; j <= last_id_arg; j++) {
        streamID id;
        streamParseStrictID(NULL, c->argv[j], &id, 0, NULL);
        unsigned char buf[STREAM_ID_SIZE];
        streamEncodeID(buf, &id);
        void *v = NULL;
        streamNACK *nack = raxFind(cg->pel, buf, sizeof(buf), &v) ? v : NULL;
        if (!streamEntryExists(s, &id)) {
            if (nack) {
                streamDropStaleNACK(c, cg, c->argv[1], c->argv[2], c->argv[j], buf, nack);
                propagate_last_id = 0;
            }
            continue;
        }
        if (force && !nack) {
            nack = streamCreateNACK(NULL);
            raxInsert(cg->pel, buf, sizeof(buf), nack, NULL);
        }
        if (!nack) continue;
        if (nack->consumer && minidle && now - nack->delivery_time < minidle) continue;
        if (!consumer) consumer = getOrCreateConsumer(c, cg, c->argv[3], c->argv[1], c->argv[2]);
        nack->delivery_time = deliverytime;
        if (retrycount >= 0) nack->delivery_count = (uint64_t)retrycount;
        else if (!justid) nack->delivery_count++;
        streamMoveNACK(nack, consumer, buf);
        if (justid) addReplyStreamID(c, &id);
        else streamReplyOne(c, s, &id);
        n++;
        consumer->active_time = commandTimeSnapshot();
        streamPropagateXCLAIM(c, c->argv[1], cg, c->argv[2], c->argv[j], nack);
        propagate_last_id = 0;
        server.dirty++;
    }
    if (propagate_last_id) {
        streamPropagateGroupID(c, c->argv[1], cg, c->argv[2]);
        server.dirty++;
    }
    setDeferredArrayLen(c, len, n);
    preventCommandPropagation(c);
}

static void xautoclaimCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    streamCG *cg = NULL;
    if (o) {
        if (checkType(c, o, OBJ_STREAM)) return;
        cg = streamLookupCG(o->ptr, c->argv[2]);
    }
    if (!o || !cg) {
        replyNoKeyOrGroup(c, c->argv[1], c->argv[2], "");
        return;
    }
    stream *s = o->ptr;
    long long minidle;
    long count = 100;
    int justid = 0, startex;
    const long attempts_factor = 10;
    if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XAUTOCLAIM") != 0) return;
    if (minidle < 0) minidle = 0;
    streamID start;
    if (streamParseIntervalID(c, c->argv[5], &start, &startex, 0) != 0) return;
    if (startex && streamIncrID(&start) != 0) {
        addReplyError(c, "ERR invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (argIs(c->argv[j], "count") && more) {
            long max_count = LONG_MAX / (STREAM_ID_SIZE > attempts_factor ? STREAM_ID_SIZE : attempts_factor);
            if (getRangeLongFromObjectOrReply(c, c->argv[j + 1], 1, max_count, &count, "ERR COUNT must be > 0") != 0) return;
            j++;
        } else if (argIs(c->argv[j], "justid")) {
            justid = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    long long attempts = count * attempts_factor;
    /* Valkey allocates COUNT IDs up front and fails when that cannot work;
     * we only need as many as the PEL could yield. */
    size_t need = raxSize(cg->pel) < (uint64_t)count ? raxSize(cg->pel) : (size_t)count;
    streamID *deleted = (size_t)count > ((size_t)1 << 36) ? NULL : ztrymalloc(sizeof(streamID) * (need ? need : 1));
    if (!deleted) {
        addReplyError(c, "ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
        return;
    }
    long ndeleted = 0, n = 0;
    unsigned char sk[STREAM_ID_SIZE];
    streamEncodeID(sk, &start);
    mstime_t now = commandTimeSnapshot();
    streamConsumer *consumer = NULL;
    raxIterator it;
    raxStart(&it, cg->pel);
    raxSeek(&it, ">=", sk, sizeof(sk));
    addReplyArrayLen(c, 3);
    void *cursorlen = addReplyDeferredLen(c);
    void *arraylen = addReplyDeferredLen(c);
    while (attempts-- && count && raxNext(&it)) {
        streamNACK *nack = it.data;
        streamID id;
        streamDecodeID(it.key, &id);
        unsigned char buf[STREAM_ID_SIZE];
        memcpy(buf, it.key, sizeof(buf));
        obj *idarg = createObjectFromStreamID(&id);
        if (!streamEntryExists(s, &id)) {
            streamDropStaleNACK(c, cg, c->argv[1], c->argv[2], idarg, buf, nack);
            decrRefCount(idarg);
            deleted[ndeleted++] = id;
            raxSeek(&it, ">=", buf, sizeof(buf));
            count--;
            continue;
        }
        if (minidle && now - nack->delivery_time < minidle) {
            decrRefCount(idarg);
            continue;
        }
        if (!consumer) consumer = getOrCreateConsumer(c, cg, c->argv[3], c->argv[1], c->argv[2]);
        nack->delivery_time = now;
        if (!justid) nack->delivery_count++;
        streamMoveNACK(nack, consumer, buf);
        if (justid) addReplyStreamID(c, &id);
        else streamReplyOne(c, s, &id);
        n++;
        count--;
        consumer->active_time = commandTimeSnapshot();
        streamPropagateXCLAIM(c, c->argv[1], cg, c->argv[2], idarg, nack);
        decrRefCount(idarg);
        server.dirty++;
    }
    raxNext(&it);
    streamID cursor = {0, 0};
    if (!raxEOF(&it)) streamDecodeID(it.key, &cursor);
    raxStop(&it);
    setDeferredArrayLen(c, arraylen, n);
    char idbuf[64];
    int l = streamFormatID(idbuf, sizeof(idbuf), &cursor);
    setDeferredReplyBulkBstr(c, cursorlen, bstrNewLen(idbuf, (size_t)l));
    addReplyArrayLen(c, ndeleted);
    for (long i = 0; i < ndeleted; i++) addReplyStreamID(c, &deleted[i]);
    zfree(deleted);
    preventCommandPropagation(c);
}

/* ---------------------------------------------------------- XINFO / XSETID */

static void addReplyNACKs(client *c, rax *pel, long long count, int with_consumer) {
    raxIterator it;
    raxStart(&it, pel);
    raxSeek(&it, "^", NULL, 0);
    void *len = addReplyDeferredLen(c);
    long n = 0;
    while ((!count || n < count) && raxNext(&it)) {
        streamNACK *nack = it.data;
        streamID id;
        streamDecodeID(it.key, &id);
        addReplyArrayLen(c, with_consumer ? 4 : 3);
        addReplyStreamID(c, &id);
        if (with_consumer) addReplyBulkCBuffer(c, nack->consumer->name, bstrLen(nack->consumer->name));
        addReplyLongLong(c, nack->delivery_time);
        addReplyLongLong(c, (long long)nack->delivery_count);
        n++;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

static void addReplyEntriesRead(client *c, streamCG *cg) {
    if (cg->entries_read != SCG_INVALID_ENTRIES_READ) addReplyLongLong(c, cg->entries_read);
    else addReplyNull(c);
}

static void xinfoStreamFullGroups(client *c, stream *s, long long count) {
    if (!s->cgroups) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(s->cgroups));
    raxIterator gi;
    raxStart(&gi, s->cgroups);
    raxSeek(&gi, "^", NULL, 0);
    while (raxNext(&gi)) {
        streamCG *cg = gi.data;
        addReplyMapLen(c, 7);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, gi.key, gi.key_len);
        addReplyBulkCString(c, "last-delivered-id");
        addReplyStreamID(c, &cg->last_id);
        addReplyBulkCString(c, "entries-read");
        addReplyEntriesRead(c, cg);
        addReplyBulkCString(c, "lag");
        streamReplyCGLag(c, s, cg);
        addReplyBulkCString(c, "pel-count");
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        addReplyBulkCString(c, "pending");
        addReplyNACKs(c, cg->pel, count, 1);
        addReplyBulkCString(c, "consumers");
        addReplyArrayLen(c, (long)raxSize(cg->consumers));
        raxIterator ci;
        raxStart(&ci, cg->consumers);
        raxSeek(&ci, "^", NULL, 0);
        while (raxNext(&ci)) {
            streamConsumer *sc = ci.data;
            addReplyMapLen(c, 5);
            addReplyBulkCString(c, "name");
            addReplyBulkCBuffer(c, sc->name, bstrLen(sc->name));
            addReplyBulkCString(c, "seen-time");
            addReplyLongLong(c, sc->seen_time);
            addReplyBulkCString(c, "active-time");
            addReplyLongLong(c, sc->active_time);
            addReplyBulkCString(c, "pel-count");
            addReplyLongLong(c, (long long)raxSize(sc->pel));
            addReplyBulkCString(c, "pending");
            addReplyNACKs(c, sc->pel, count, 0);
        }
        raxStop(&ci);
    }
    raxStop(&gi);
}

static void xinfoStream(client *c, stream *s) {
    int full = 0;
    long long count = 10;
    if (c->argc > 3) {
        if ((c->argc != 4 && c->argc != 6) || !argIs(c->argv[3], "full")) {
            addReplySubcommandSyntaxError(c);
            return;
        }
        full = 1;
        if (c->argc == 6) {
            if (!argIs(c->argv[4], "count")) {
                addReplySubcommandSyntaxError(c);
                return;
            }
            if (getLongLongFromObjectOrReply(c, c->argv[5], &count, NULL) != 0) return;
            if (count < 0) count = 10;
        }
    }
    addReplyMapLen(c, full ? 9 : 10);
    addReplyBulkCString(c, "length");
    addReplyLongLong(c, (long long)s->length);
    addReplyBulkCString(c, "radix-tree-keys");
    addReplyLongLong(c, (long long)raxSize(s->nodes));
    addReplyBulkCString(c, "radix-tree-nodes");
    addReplyLongLong(c, (long long)streamRaxNodeCount(s->nodes));
    addReplyBulkCString(c, "last-generated-id");
    addReplyStreamID(c, &s->last_id);
    addReplyBulkCString(c, "max-deleted-entry-id");
    addReplyStreamID(c, &s->max_deleted_entry_id);
    addReplyBulkCString(c, "entries-added");
    addReplyLongLong(c, (long long)s->entries_added);
    addReplyBulkCString(c, "recorded-first-entry-id");
    addReplyStreamID(c, &s->first_id);
    if (!full) {
        addReplyBulkCString(c, "groups");
        addReplyLongLong(c, s->cgroups ? (long long)raxSize(s->cgroups) : 0);
        addReplyBulkCString(c, "first-entry");
        if (!streamReplyOneEdge(c, s, 0)) addReplyNull(c);
        addReplyBulkCString(c, "last-entry");
        if (!streamReplyOneEdge(c, s, 1)) addReplyNull(c);
    } else {
        addReplyBulkCString(c, "entries");
        streamReplyRange(c, s, NULL, NULL, count, 0);
        addReplyBulkCString(c, "groups");
        xinfoStreamFullGroups(c, s, count);
    }
}

static void xinfoGroups(client *c, stream *s) {
    if (!s->cgroups) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(s->cgroups));
    raxIterator it;
    raxStart(&it, s->cgroups);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamCG *cg = it.data;
        addReplyMapLen(c, 6);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, it.key, it.key_len);
        addReplyBulkCString(c, "consumers");
        addReplyLongLong(c, (long long)raxSize(cg->consumers));
        addReplyBulkCString(c, "pending");
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        addReplyBulkCString(c, "last-delivered-id");
        addReplyStreamID(c, &cg->last_id);
        addReplyBulkCString(c, "entries-read");
        addReplyEntriesRead(c, cg);
        addReplyBulkCString(c, "lag");
        streamReplyCGLag(c, s, cg);
    }
    raxStop(&it);
}

static void xinfoConsumers(client *c, stream *s) {
    streamCG *cg = streamLookupCG(s, c->argv[3]);
    if (!cg) {
        replyNoGroupForKey(c, c->argv[3], c->argv[2]);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(cg->consumers));
    mstime_t now = commandTimeSnapshot();
    raxIterator it;
    raxStart(&it, cg->consumers);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamConsumer *sc = it.data;
        mstime_t idle = now - sc->seen_time;
        mstime_t inactive = sc->active_time != -1 ? now - sc->active_time : -1;
        addReplyMapLen(c, 4);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, sc->name, bstrLen(sc->name));
        addReplyBulkCString(c, "pending");
        addReplyLongLong(c, (long long)raxSize(sc->pel));
        addReplyBulkCString(c, "idle");
        addReplyLongLong(c, idle < 0 ? 0 : idle);
        addReplyBulkCString(c, "inactive");
        addReplyLongLong(c, inactive);
    }
    raxStop(&it);
}

static stream *xinfoLookup(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[2], shared.nokeyerr);
    if (!o || checkType(c, o, OBJ_STREAM)) return NULL;
    return o->ptr;
}

static void xinfoStreamCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoStream(c, s);
}

static void xinfoGroupsCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoGroups(c, s);
}

static void xinfoConsumersCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoConsumers(c, s);
}

static void xinfoHelpCommand(client *c) {
    static const char *help[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL};
    addReplyHelp(c, help);
}

static void xsetidCommand(client *c) {
    streamID id, max_xdel = {0, 0};
    long long entries_added = -1;
    if (streamParseStrictID(c, c->argv[2], &id, 0, NULL) != 0) return;
    for (int i = 3; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        if (argIs(c->argv[i], "entriesadded") && more) {
            if (getLongLongFromObjectOrReply(c, c->argv[i + 1], &entries_added, NULL) != 0) return;
            if (entries_added < 0) {
                addReplyError(c, "ERR entries_added must be positive");
                return;
            }
            i++;
        } else if (argIs(c->argv[i], "maxdeletedid") && more) {
            if (streamParseStrictID(c, c->argv[i + 1], &max_xdel, 0, NULL) != 0) return;
            if (streamCompareID(&id, &max_xdel) < 0) {
                addReplyError(c, "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                return;
            }
            i++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.nokeyerr);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = o->ptr;
    /* Valkey 8 (from redis 7.2 on) checks this first; redis 7.0 did not. */
    if (streamCompareID(&id, &s->max_deleted_entry_id) < 0) {
        addReplyError(c, "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
        return;
    }
    if (s->length > 0) {
        streamID maxid;
        streamLastValidID(s, &maxid);
        if (streamCompareID(&id, &maxid) < 0) {
            addReplyError(c, "ERR The ID specified in XSETID is smaller than the target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            addReplyError(c, "ERR The entries_added specified in XSETID is smaller than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) s->entries_added = (uint64_t)entries_added;
    if (!streamIDIsZero(&max_xdel)) s->max_deleted_entry_id = max_xdel;
    addReply(c, shared.ok);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xsetid", c->argv[1], c->db->id);
}

/* ------------------------------------------------------ dup, digest, misc */

obj *streamDup(obj *o) {
    stream *s = o->ptr, *d = streamNew();
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

static void streamDigest(unsigned char *digest, obj *o) { streamVisit(o->ptr, NULL, NULL, 0, digestVisit, digest); }

__attribute__((constructor)) static void streamRegisterDigest(void) {
    debugRegisterDigestFunction(OBJ_STREAM, streamDigest);
}

/* MEMORY USAGE: struct and index, sampled node allocations (nodes are
 * preallocated, so allocation size beats lpBytes), and group bookkeeping. */
size_t streamObjectMemoryUsage(obj *o, size_t samples) {
    stream *s = o->ptr;
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
