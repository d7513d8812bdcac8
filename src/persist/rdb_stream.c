/* rdb_stream: streams in RDB (types 15, 19 and 21 on load, 21 on save).
 * Nodes are written as they sit in memory (16-byte master ID, listpack),
 * followed by the stream metadata and the consumer groups with their PELs. */
#include "persist/rdb.h"
#include "persist/rdb_codec.h"
#include "commands/t_stream.h"
#include "ds/listpack.h"
#include <string.h>

ssize_t rdbSaveStream(rio *r, obj *o);
obj *rdbLoadStream(rio *r, int rdbtype, int deep, int *error);

/* Adds the bytes written by a saver returning -1 on error. */
#define SAVE(expr)                      \
    do {                                \
        ssize_t _n = (expr);            \
        if (_n == -1) goto werr;        \
        total += _n;                    \
    } while (0)

static ssize_t rdbSaveStreamID(rio *r, const streamID *id) {
    ssize_t a = rdbSaveLen(r, id->ms);
    if (a == -1) return -1;
    ssize_t b = rdbSaveLen(r, id->seq);
    return b == -1 ? -1 : a + b;
}

static ssize_t rdbSaveRawID(rio *r, const unsigned char *key) {
    return rioWrite(r, key, STREAM_ID_SIZE) ? STREAM_ID_SIZE : -1;
}

static ssize_t rdbSaveTimeMs(rio *r, long long t) { return rdbSaveMillisecondTime(r, t) == -1 ? -1 : 8; }

/* The group PEL carries delivery data; consumer PELs only the IDs. */
static ssize_t rdbSavePEL(rio *r, rax *pel, int nacks) {
    ssize_t total = 0;
    raxIterator it;
    raxStart(&it, pel);
    SAVE(rdbSaveLen(r, raxSize(pel)));
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        SAVE(rdbSaveRawID(r, it.key));
        if (nacks) {
            streamNACK *nack = it.data;
            SAVE(rdbSaveTimeMs(r, nack->delivery_time));
            SAVE(rdbSaveLen(r, nack->delivery_count));
        }
    }
    raxStop(&it);
    return total;
werr:
    raxStop(&it);
    return -1;
}

static ssize_t rdbSaveConsumers(rio *r, streamCG *cg) {
    ssize_t total = 0;
    raxIterator it;
    raxStart(&it, cg->consumers);
    SAVE(rdbSaveLen(r, raxSize(cg->consumers)));
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamConsumer *sc = it.data;
        SAVE(rdbSaveRawString(r, it.key, it.key_len));
        SAVE(rdbSaveTimeMs(r, sc->seen_time));
        SAVE(rdbSaveTimeMs(r, sc->active_time));
        SAVE(rdbSavePEL(r, sc->pel, 0));
    }
    raxStop(&it);
    return total;
werr:
    raxStop(&it);
    return -1;
}

static ssize_t rdbSaveGroups(rio *r, stream *s) {
    ssize_t total = 0;
    raxIterator it;
    if (!s->cgroups) return rdbSaveLen(r, 0);
    raxStart(&it, s->cgroups);
    SAVE(rdbSaveLen(r, raxSize(s->cgroups)));
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamCG *cg = it.data;
        SAVE(rdbSaveRawString(r, it.key, it.key_len));
        SAVE(rdbSaveStreamID(r, &cg->last_id));
        SAVE(rdbSaveLen(r, (uint64_t)cg->entries_read));
        SAVE(rdbSavePEL(r, cg->pel, 1));
        SAVE(rdbSaveConsumers(r, cg));
    }
    raxStop(&it);
    return total;
werr:
    raxStop(&it);
    return -1;
}

ssize_t rdbSaveStream(rio *r, obj *o) {
    stream *s = objPtr(o);
    ssize_t total = 0;
    raxIterator it;
    raxStart(&it, s->nodes);
    SAVE(rdbSaveLen(r, raxSize(s->nodes)));
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        SAVE(rdbSaveRawString(r, it.key, it.key_len));
        SAVE(rdbSaveRawString(r, it.data, lpBytes(it.data)));
    }
    raxStop(&it);
    SAVE(rdbSaveLen(r, s->length));
    SAVE(rdbSaveStreamID(r, &s->last_id));
    SAVE(rdbSaveStreamID(r, &s->first_id));
    SAVE(rdbSaveStreamID(r, &s->max_deleted_entry_id));
    SAVE(rdbSaveLen(r, s->entries_added));
    SAVE(rdbSaveGroups(r, s));
    return total;
werr:
    raxStop(&it);
    return -1;
}

/* ----------------------------------------------------------------- loading */

#define LOAD_FAIL(...) \
    do { rdbSetLoadError(__VA_ARGS__); goto fail; } while (0)

static int rdbLoadLenOrFail(rio *r, uint64_t *v) {
    /* By reference: UINT64_MAX is a legal value here (IDs, entries_read -1). */
    return rdbLoadLenByRef(r, NULL, v);
}

static int rdbLoadStreamID(rio *r, streamID *id) {
    if (rdbLoadLenOrFail(r, &id->ms) != 0) return -1;
    return rdbLoadLenOrFail(r, &id->seq);
}

static int rdbLoadStreamNodes(rio *r, stream *s, int deep) {
    uint64_t n;
    if (rdbLoadLenOrFail(r, &n) != 0) return -1;
    while (n--) {
        size_t klen, lplen;
        unsigned char *key = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &klen);
        if (!key) return -1;
        if (klen != STREAM_ID_SIZE) {
            zfree(key);
            rdbSetLoadError("Stream node key entry is not the size of a stream ID");
            return -1;
        }
        unsigned char *lp = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &lplen);
        if (!lp) {
            zfree(key);
            return -1;
        }
        streamID master;
        streamDecodeID(key, &master);
        (void)deep;   /* always deep: commands walk nodes without bounds checks */
        if (!streamValidateListpack(lp, lplen, &master, 1)) {
            zfree(key);
            zfree(lp);
            rdbSetLoadError("Stream listpack integrity check failed.");
            return -1;
        }
        if (lpFirst(lp) == NULL) {
            zfree(key);
            zfree(lp);
            rdbSetLoadError("Empty listpack inside stream");
            return -1;
        }
        int added = raxTryInsert(s->nodes, key, STREAM_ID_SIZE, lp, NULL);
        zfree(key);
        if (!added) {
            zfree(lp);
            rdbSetLoadError("Listpack re-added with existing key");
            return -1;
        }
    }
    return 0;
}

static int rdbLoadGroupPEL(rio *r, streamCG *cg) {
    uint64_t n;
    if (rdbLoadLenOrFail(r, &n) != 0) return -1;
    while (n--) {
        unsigned char raw[STREAM_ID_SIZE];
        if (!rioRead(r, raw, sizeof(raw))) return -1;
        streamNACK *nack = streamCreateNACK(NULL);
        nack->delivery_time = rdbLoadMillisecondTime(r, RDB_VERSION);
        if (rioGetReadError(r) || rdbLoadLenOrFail(r, &nack->delivery_count) != 0) {
            zfree(nack);
            return -1;
        }
        if (!raxTryInsert(cg->pel, raw, sizeof(raw), nack, NULL)) {
            zfree(nack);
            rdbSetLoadError("Duplicated global PEL entry loading stream consumer group");
            return -1;
        }
    }
    return 0;
}

static int rdbLoadConsumers(rio *r, streamCG *cg, int rdbtype) {
    uint64_t n;
    if (rdbLoadLenOrFail(r, &n) != 0) return -1;
    while (n--) {
        size_t nlen;
        char *name = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &nlen);
        if (!name) return -1;
        streamConsumer *sc = streamCreateConsumerRaw(cg, name, nlen);
        zfree(name);
        if (!sc) {
            rdbSetLoadError("Duplicate stream consumer detected.");
            return -1;
        }
        sc->seen_time = rdbLoadMillisecondTime(r, RDB_VERSION);
        if (rioGetReadError(r)) return -1;
        if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_3) {
            sc->active_time = rdbLoadMillisecondTime(r, RDB_VERSION);
            if (rioGetReadError(r)) return -1;
        } else {
            sc->active_time = sc->seen_time;
        }
        uint64_t pn;
        if (rdbLoadLenOrFail(r, &pn) != 0) return -1;
        while (pn--) {
            unsigned char raw[STREAM_ID_SIZE];
            if (!rioRead(r, raw, sizeof(raw))) return -1;
            void *nack = NULL;
            if (!raxFind(cg->pel, raw, sizeof(raw), &nack)) {
                rdbSetLoadError("Consumer entry not found in group global PEL");
                return -1;
            }
            if (!raxTryInsert(sc->pel, raw, sizeof(raw), nack, NULL)) {
                rdbSetLoadError("Duplicated consumer PEL entry loading a stream consumer group");
                return -1;
            }
            ((streamNACK *)nack)->consumer = sc;
        }
    }
    return 0;
}

/* Every group PEL entry must belong to a consumer. */
static int rdbCheckPELOwners(streamCG *cg) {
    raxIterator it;
    raxStart(&it, cg->pel);
    raxSeek(&it, "^", NULL, 0);
    int ok = 1;
    while (raxNext(&it))
        if (!((streamNACK *)it.data)->consumer) ok = 0;
    raxStop(&it);
    return ok;
}

static int rdbLoadGroups(rio *r, stream *s, int rdbtype) {
    uint64_t n;
    if (rdbLoadLenOrFail(r, &n) != 0) return -1;
    while (n--) {
        size_t nlen;
        char *name = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &nlen);
        if (!name) return -1;
        streamID last;
        if (rdbLoadStreamID(r, &last) != 0) {
            zfree(name);
            return -1;
        }
        long long entries_read = SCG_INVALID_ENTRIES_READ;
        if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) {
            uint64_t v;
            if (rdbLoadLenOrFail(r, &v) != 0) {
                zfree(name);
                return -1;
            }
            entries_read = (long long)v;
        }
        if (rdbtype < RDB_TYPE_STREAM_LISTPACKS_2) entries_read = streamEstimateEntriesRead(s, &last);
        streamCG *cg = streamCreateCG(s, name, nlen, &last, entries_read);
        zfree(name);
        if (!cg) {
            rdbSetLoadError("Duplicated consumer group name");
            return -1;
        }
        if (rdbLoadGroupPEL(r, cg) != 0 || rdbLoadConsumers(r, cg, rdbtype) != 0) return -1;
        if (!rdbCheckPELOwners(cg)) {
            rdbSetLoadError("Stream CG PEL entry without consumer");
            return -1;
        }
    }
    return 0;
}

/* Sum of the nodes' live counters: must equal the stored length, which
 * trimming arithmetic relies on. */
static uint64_t rdbStreamLiveCount(stream *s) {
    uint64_t total = 0;
    raxIterator it;
    raxStart(&it, s->nodes);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        long long v = 0;
        lpGetIntegerIfValid(lpFirst(it.data), &v);
        total += (uint64_t)v;
    }
    raxStop(&it);
    return total;
}

obj *rdbLoadStream(rio *r, int rdbtype, int deep, int *error) {
    *error = RDB_LOAD_ERR_OTHER;
    obj *o = createStreamObject();
    stream *s = objPtr(o);
    if (rdbLoadStreamNodes(r, s, deep) != 0) goto fail;
    if (rdbLoadLenOrFail(r, &s->length) != 0 || rdbLoadStreamID(r, &s->last_id) != 0) goto fail;
    if (rdbtype >= RDB_TYPE_STREAM_LISTPACKS_2) {
        if (rdbLoadStreamID(r, &s->first_id) != 0 || rdbLoadStreamID(r, &s->max_deleted_entry_id) != 0 ||
            rdbLoadLenOrFail(r, &s->entries_added) != 0)
            goto fail;
    } else {
        /* Older files lack these: derive what can be derived. */
        s->entries_added = s->length;
        streamRecomputeFirstID(s);
    }
    if (rdbStreamLiveCount(s) != s->length) LOAD_FAIL("Stream length inconsistent with its nodes");
    if (rdbLoadGroups(r, s, rdbtype) != 0) goto fail;
    return o;
fail:
    decrRefCount(o);
    return NULL;
}
