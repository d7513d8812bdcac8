/* evict: keeps used memory under maxmemory by deleting keys picked by the
 * configured policy. Choices are approximate: each round samples a few keys
 * per database into a small pool that remembers the best candidates seen so
 * far, so the quality improves across rounds without scanning the keyspace.
 * Pool entries are key copies; a key deleted meanwhile is simply skipped. */
#include "server/server.h"
#include "scripting/script.h"
#include <string.h>
#include <unistd.h>

#define EVPOOL_SIZE 16
#define EVICT_OK 0
#define EVICT_RUNNING 1
#define EVICT_FAIL -1
#define EVICT_CHECK_EVERY 16   /* keys between time-limit / lazyfree checks */

typedef struct evictPoolEntry {
    unsigned long long score;  /* higher is a better candidate */
    bstr key;                  /* NULL: free slot */
    int dbid;
} evictPoolEntry;

/* Kept sorted by ascending score: the best candidate sits at the highest used index. */
static evictPoolEntry evict_pool[EVPOOL_SIZE];

static int evict_timer_running;
static ustime_t exceeded_since;       /* 0 when under the limit */
static long long exceeded_total_us;

/* ---------------------------------------------------------------- memory */

size_t replicationBuffersMemory(void) __attribute__((weak));

/* Memory that exists only because we replicate: the shared replication
 * buffer beyond repl-backlog-size is what lagging replicas hold. Counting it
 * would make evicting (which emits DELs into that buffer) feed on itself.
 * There is no AOF buffer in this build, so nothing else is excluded. */
size_t freeMemoryGetNotCountedMemory(void) {
    size_t repl = replicationBuffersMemory ? replicationBuffersMemory() : 0;
    size_t backlog = server.repl_backlog_size > 0 ? (size_t)server.repl_backlog_size : 0;
    return repl > backlog ? repl - backlog : 0;
}

/* 1 and the bytes to free when over the limit, else 0. */
static int evictOverLimit(size_t *tofree) {
    size_t used = zmalloc_used_memory();
    if (tofree) *tofree = 0;
    if (!server.maxmemory || used <= server.maxmemory) return 0;
    size_t extra = freeMemoryGetNotCountedMemory();
    used = used > extra ? used - extra : 0;
    if (used <= server.maxmemory) return 0;
    if (tofree) *tofree = used - server.maxmemory;
    return 1;
}

/* tenacity 0..10 grows linearly up to 500us, then by 15% a step; 100 = no limit. */
static unsigned long long evictTimeLimitUs(void) {
    int t = server.maxmemory_eviction_tenacity;
    if (t <= 10) return 50ULL * (unsigned long long)(t < 0 ? 0 : t);
    if (t >= 100) return ULLONG_MAX;
    double us = 500.0;
    for (int i = 10; i < t; i++) us *= 1.15;
    return (unsigned long long)us;
}

/* ------------------------------------------------------------------ pool */

static void poolClearSlot(int k) {
    bstrFree(evict_pool[k].key);
    evict_pool[k].key = NULL;
}

static int poolContains(int dbid, const char *key, size_t len) {
    for (int k = 0; k < EVPOOL_SIZE && evict_pool[k].key; k++) {
        bstr pk = evict_pool[k].key;
        if (evict_pool[k].dbid == dbid && bstrLen(pk) == len && memcmp(pk, key, len) == 0) return 1;
    }
    return 0;
}

/* Slots are filled from index 0 up, so free slots are always at the end. */
static void poolInsert(int dbid, const char *key, size_t len, unsigned long long score) {
    int k = 0;
    while (k < EVPOOL_SIZE && evict_pool[k].key && evict_pool[k].score < score) k++;
    int full = evict_pool[EVPOOL_SIZE - 1].key != NULL;
    if (k == 0 && full) return;                       /* worse than every pooled key */
    if (poolContains(dbid, key, len)) return;
    if (!full) {
        memmove(&evict_pool[k + 1], &evict_pool[k], sizeof(evict_pool[0]) * (size_t)(EVPOOL_SIZE - 1 - k));
    } else {
        /* Drop the worst (index 0) to make room just below position k. */
        k--;
        bstrFree(evict_pool[0].key);
        memmove(&evict_pool[0], &evict_pool[1], sizeof(evict_pool[0]) * (size_t)k);
    }
    evict_pool[k].key = bstrNewLen(key, len);
    evict_pool[k].score = score;
    evict_pool[k].dbid = dbid;
}

static unsigned long long evictScore(obj *val, long long expire_ms) {
    int policy = server.maxmemory_policy;
    if (policy == MAXMEMORY_VOLATILE_TTL) return ULLONG_MAX - (unsigned long long)expire_ms;
    if (policy & MAXMEMORY_FLAG_LFU) return 255 - objectGetLFUFrequency(val);
    return estimateObjectIdleTime(val);
}

static void poolSampleAllKeys(serverDb *db) {
    for (int i = 0; i < server.maxmemory_samples; i++) {
        void *e = kvtFairRandom(db->keys);
        if (!e) return;
        bstr k = dbEntryKey(e);
        poolInsert(db->id, k, bstrLen(k), evictScore(dbEntryVal(e), 0));
    }
}

static void poolSampleVolatile(serverDb *db) {
    htEntry *samples[64];
    unsigned int want = (unsigned int)server.maxmemory_samples;
    if (want > 64) want = 64;
    unsigned int n = htGetSomeEntries(db->expires, samples, want);
    for (unsigned int i = 0; i < n; i++) {
        bstr k = samples[i]->key;
        obj *val = NULL;
        if (server.maxmemory_policy != MAXMEMORY_VOLATILE_TTL) {
            void *e = kvtFind(db->keys, k);
            if (!e) continue;
            val = dbEntryVal(e);
        }
        poolInsert(db->id, k, bstrLen(k), evictScore(val, samples[i]->v.s64));
    }
}

static int keyIsCandidate(serverDb *db, bstr key) {
    if (server.maxmemory_policy & MAXMEMORY_FLAG_ALLKEYS) return kvtFind(db->keys, key) != NULL;
    return htFind(db->expires, key) != NULL;
}

static size_t candidateCount(serverDb *db) {
    return (server.maxmemory_policy & MAXMEMORY_FLAG_ALLKEYS) ? kvtSize(db->keys) : htSize(db->expires);
}

/* The best pooled key that still exists, refilling the pool from every
 * database first. NULL when no database holds a candidate. */
static obj *selectFromPool(serverDb **dbp) {
    for (;;) {
        size_t total = 0;
        for (int j = 0; j < server.dbnum; j++) {
            serverDb *db = &server.db[j];
            size_t n = candidateCount(db);
            if (!n) continue;
            if (server.maxmemory_policy & MAXMEMORY_FLAG_ALLKEYS) poolSampleAllKeys(db);
            else poolSampleVolatile(db);
            total += n;
        }
        if (!total) return NULL;
        for (int k = EVPOOL_SIZE - 1; k >= 0; k--) {
            if (!evict_pool[k].key) continue;
            serverDb *db = &server.db[evict_pool[k].dbid];
            bstr key = evict_pool[k].key;
            int alive = evict_pool[k].dbid < server.dbnum && keyIsCandidate(db, key);
            obj *keyobj = alive ? createStringObject(key, bstrLen(key)) : NULL;
            poolClearSlot(k);
            if (keyobj) {
                *dbp = db;
                return keyobj;
            }
        }
        /* Every pooled key was gone: sample again. */
    }
}

/* Random policies rotate over databases so one big db does not starve others. */
static obj *selectRandom(serverDb **dbp) {
    static unsigned int next_db;
    for (int i = 0; i < server.dbnum; i++) {
        serverDb *db = &server.db[next_db++ % (unsigned int)server.dbnum];
        bstr key = NULL;
        if (server.maxmemory_policy == MAXMEMORY_ALLKEYS_RANDOM) {
            void *e = kvtFairRandom(db->keys);
            if (e) key = dbEntryKey(e);
        } else {
            htEntry *he = htGetRandomEntry(db->expires);
            if (he) key = he->key;
        }
        if (key) {
            *dbp = db;
            return createStringObject(key, bstrLen(key));
        }
    }
    return NULL;
}

/* ------------------------------------------------------------ eviction */

/* Deletes one key the way a DEL from the server itself would look to
 * clients, replicas and the AOF. Returns the bytes the delete released. */
static long long evictKey(serverDb *db, obj *keyobj) {
    int lazy = server.lazyfree_lazy_eviction;
    ustime_t t0 = ustime();
    size_t before = zmalloc_used_memory();
    /* A value the lazyfree thread will free shrinks used_memory only later:
     * count its estimated size now, or the loop evicts far more keys than the
     * limit asks for while that thread catches up. */
    long long deferred = 0;
    obj *val = lazy ? lookupKeyReadWithFlags(db, keyobj, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY | LOOKUP_NOSTATS | LOOKUP_NOEXPIRE) : NULL;
    if (val && lazyfreeWouldDefer(val)) deferred = (long long)objectComputeSize(keyobj, val, 5, db->id);
    dbGenericDelete(db, keyobj, lazy, 0);
    long long freed = (long long)before - (long long)zmalloc_used_memory() + deferred;
    latencyAddSampleIfNeeded("eviction-del", (ustime() - t0) / 1000);
    server.stat_evictedkeys++;
    signalModifiedKey(NULL, db, keyobj);
    notifyKeyspaceEvent(NOTIFY_EVICTED, "evicted", keyobj, db->id);
    propagateDeletion(db, keyobj, lazy);
    /* Each eviction is its own unit; inside a command it joins the command's. */
    postExecutionUnitOperations();
    return freed;
}

static int evictSafeNow(void) {
    if (server.loading) return 0;
    if (server.primary_host && server.repl_replica_ignore_maxmemory) return 0;
    if (pauseDatasetFrozen()) return 0;
    if (scriptIsTimedout()) return 0;
    return 1;
}

static int evictTimeProc(eventLoop *el, long long id, void *data) {
    (void)el;
    (void)id;
    (void)data;
    if (performEvictions() == EVICT_RUNNING) return 0;
    evict_timer_running = 0;
    return EL_NOMORE;
}

void evictStartTimeProc(void) {
    if (evict_timer_running || !server.el) return;
    evict_timer_running = 1;
    elCreateTimeEvent(server.el, 0, evictTimeProc, NULL);
}

static void evictUpdateExceeded(int result) {
    if (result != EVICT_OK) {
        if (!exceeded_since) exceeded_since = ustime();
    } else if (exceeded_since) {
        exceeded_total_us += ustime() - exceeded_since;
        exceeded_since = 0;
    }
}

long long evictExceededTimeMs(int current) {
    long long cur = exceeded_since ? ustime() - exceeded_since : 0;
    return (current ? cur : exceeded_total_us + cur) / 1000;
}

/* Nothing left to evict, but the lazyfree thread may still be returning
 * memory: wait for it a little, within the same time budget. */
static int evictWaitLazyfree(ustime_t start, unsigned long long limit_us) {
    while (lazyfreeGetPendingObjectsCount() && (unsigned long long)(ustime() - start) < limit_us) {
        if (!evictOverLimit(NULL)) return EVICT_OK;
        usleep(limit_us < 1000 ? (useconds_t)limit_us : 1000);
    }
    return evictOverLimit(NULL) ? EVICT_FAIL : EVICT_OK;
}

/* Frees keys until under the limit or the time budget runs out (then a
 * timer carries on and we report RUNNING, which callers treat as fine). */
static int evictLoop(size_t tofree) {
    unsigned long long limit_us = evictTimeLimitUs();
    ustime_t start = ustime();
    long long freed = 0;
    long keys = 0;
    while (freed < (long long)tofree) {
        serverDb *db = NULL;
        obj *keyobj = (server.maxmemory_policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU)) ||
                              server.maxmemory_policy == MAXMEMORY_VOLATILE_TTL
                          ? selectFromPool(&db)
                          : selectRandom(&db);
        if (!keyobj) return evictWaitLazyfree(start, limit_us);
        freed += evictKey(db, keyobj);
        decrRefCount(keyobj);
        if (++keys % EVICT_CHECK_EVERY) continue;
        /* Lazily freed values shrink memory later than we count: re-measure. */
        if (server.lazyfree_lazy_eviction && !evictOverLimit(NULL)) break;
        if ((unsigned long long)(ustime() - start) > limit_us) {
            evictStartTimeProc();
            break;
        }
    }
    latencyAddSampleIfNeeded("eviction-cycle", (ustime() - start) / 1000);
    return evict_timer_running ? EVICT_RUNNING : EVICT_OK;
}

int performEvictions(void) {
    if (!evictSafeNow()) return EVICT_OK;
    size_t tofree;
    int result;
    if (!evictOverLimit(&tofree)) result = EVICT_OK;
    else if (server.maxmemory_policy == MAXMEMORY_NO_EVICTION) result = EVICT_FAIL;
    else result = evictLoop(tofree);
    evictUpdateExceeded(result);
    return result;
}
