/* kvtable: a hash set of opaque element pointers (each element carries its own
 * key), stored in 64-byte buckets of 7 slots with a 1-byte hash tag per slot;
 * a full bucket chains to a child bucket through its last slot. Two tables
 * exist only while rehashing, which moves one bucket chain per step. Elements
 * never move inside a table, so the reverse-binary SCAN cursor returns every
 * element present for the whole scan at least once, even across resizes. */
#ifndef KVTABLE_H
#define KVTABLE_H
#include <stddef.h>
#include <stdint.h>

typedef struct kvtType {
    const void *(*elemKey)(const void *elem);        /* the key stored in the element */
    uint64_t (*hashKey)(const void *key);
    int (*keyEqual)(const void *a, const void *b);   /* nonzero when equal */
    void (*elemDestructor)(void *elem);              /* may be NULL */
} kvtType;

typedef struct kvtBucket kvtBucket;

typedef struct kvtable {
    kvtType *type;
    kvtBucket *tables[2];
    int8_t exp[2];            /* log2 of bucket count; -1 = no table */
    size_t used[2];
    size_t children;          /* chained child buckets, both tables */
    long rehashidx;           /* -1 when not rehashing */
    int16_t pauserehash;      /* >0: safe iterators active: no rehash steps, no compaction */
} kvtable;

typedef struct kvtIterator {
    kvtable *t;
    int table, safe, started;
    long index;
    kvtBucket *bucket;
    int slot;
} kvtIterator;

typedef void kvtScanFunction(void *privdata, void *elem);

/* Global policy: while a fork child shares our pages, avoid resizing (copy-on-write). */
void kvtSetResizeEnabled(int enabled);

kvtable *kvtCreate(kvtType *type);
void kvtRelease(kvtable *t);                                   /* destroys elements */
void kvtEmpty(kvtable *t, void (*callback)(void *), void *arg); /* callback every 65536 buckets */
size_t kvtSize(const kvtable *t);
size_t kvtBuckets(const kvtable *t);
size_t kvtMemUsage(const kvtable *t);                          /* bucket bytes, not elements */
int kvtIsRehashing(const kvtable *t);

int kvtExpand(kvtable *t, size_t n);      /* room for n elements: 0 ok, -1 refused */
int kvtTryExpand(kvtable *t, size_t n);   /* -1 also on allocation failure */
int kvtRehashSteps(kvtable *t, int n);    /* 1 if more to do */
int kvtRehashMicroseconds(kvtable *t, long long us);
void kvtResizeIfNeeded(kvtable *t);       /* shrink when sparse (cron) */

void *kvtFind(kvtable *t, const void *key);
/* The slot holding the element with this key, so the caller can swap in an
 * element with an equal key; NULL when absent. Valid until the next change. */
void **kvtFindRef(kvtable *t, const void *key);
/* Starts loading the bucket a lookup or add of key will touch, so a caller
 * with other work to do first (decoding the value) overlaps the cache miss. */
void kvtPrefetch(kvtable *t, const void *key);
int kvtAdd(kvtable *t, void *elem);          /* 0 added, -1 an equal key is present */
void *kvtPop(kvtable *t, const void *key);   /* unlink, not destroyed; NULL if absent */
int kvtDelete(kvtable *t, const void *key);  /* 0 deleted, -1 not found */
void *kvtFairRandom(kvtable *t);             /* NULL when empty */

void kvtInitIterator(kvtIterator *it, kvtable *t);     /* unsafe: no modification */
void kvtInitSafeIterator(kvtIterator *it, kvtable *t); /* may delete the current element */
void *kvtNext(kvtIterator *it);
void kvtResetIterator(kvtIterator *it);

unsigned long kvtScan(kvtable *t, unsigned long cursor, kvtScanFunction *fn, void *privdata);
#endif
