/* hashtable: chained hash table with incremental rehashing (two tables while
 * growing/shrinking, each operation moves a bounded number of buckets, so no
 * single step is proportional to the table size) and a reverse-binary SCAN
 * cursor that returns every element present for the whole scan at least once,
 * even across resizes. Keys and values are opaque; htType supplies behaviour. */
#ifndef HASHTABLE_H
#define HASHTABLE_H
#include <stddef.h>
#include <stdint.h>

typedef struct htEntry {
    void *key;
    union {
        void *val;
        int64_t s64;
        uint64_t u64;
        double d;
    } v;
    struct htEntry *next;
} htEntry;

typedef struct htType {
    uint64_t (*hash)(const void *key);
    int (*keyEqual)(const void *a, const void *b);       /* nonzero when equal; NULL = pointer equality */
    void (*keyDestructor)(void *key);                     /* may be NULL */
    void (*valDestructor)(void *val);                     /* may be NULL */
} htType;

typedef struct hashtable {
    htType *type;
    htEntry **table[2];
    unsigned long size[2];       /* bucket counts, powers of two (0 = unused) */
    unsigned long used[2];
    long rehashidx;              /* -1 when not rehashing */
    int16_t pauserehash;         /* >0: safe iterators active, no rehash steps */
    void *metadata;              /* owner's pointer, untouched by the table */
} hashtable;

typedef struct htIterator {
    hashtable *ht;
    long index;
    int table, safe;
    htEntry *entry, *nextEntry;
    uint64_t fingerprint;        /* unsafe iterators assert the table did not change */
} htIterator;

typedef void htScanFunction(void *privdata, const htEntry *e);

/* Global policy: while a fork child shares our pages, avoid resizing (copy-on-write). */
void htSetResizeEnabled(int enabled);

hashtable *htCreate(htType *type);
void htRelease(hashtable *ht);
void htEmpty(hashtable *ht, void (*callback)(hashtable *));   /* remove everything */
size_t htSize(const hashtable *ht);
size_t htBuckets(const hashtable *ht);
size_t htMemUsage(const hashtable *ht);   /* bytes of buckets + entries (not keys/values) */
int htIsRehashing(const hashtable *ht);

int htExpand(hashtable *ht, unsigned long size);     /* 0 ok, -1 refused */
int htTryExpand(hashtable *ht, unsigned long size);  /* -1 on allocation failure */
int htRehashSteps(hashtable *ht, int n);             /* 1 if more to do */
int htRehashMicroseconds(hashtable *ht, long long us);
void htResizeIfNeeded(hashtable *ht);                /* shrink when sparse (cron) */

int htAdd(hashtable *ht, void *key, void *val);      /* 0 added, -1 already present */
/* Adds key (ownership transferred) and returns the entry, or NULL if present and
 * stores the existing entry in *existing (when non-NULL). */
htEntry *htAddRaw(hashtable *ht, void *key, htEntry **existing);
/* Add or replace the value: 1 if added, 0 if replaced (old value destroyed). */
int htReplace(hashtable *ht, void *key, void *val);
htEntry *htFind(hashtable *ht, const void *key);
void *htFetchValue(hashtable *ht, const void *key);
int htDelete(hashtable *ht, const void *key);        /* 0 deleted, -1 not found */
/* Removes the entry without freeing it; free with htFreeUnlinkedEntry. */
htEntry *htUnlink(hashtable *ht, const void *key);
void htFreeUnlinkedEntry(hashtable *ht, htEntry *e);
/* Find the bucket slot pointing at the entry with this key + its precomputed hash,
 * for callers that want to replace the key pointer in place. */
htEntry *htFindWithHash(hashtable *ht, const void *key, uint64_t hash);
uint64_t htHashKey(hashtable *ht, const void *key);

htEntry *htGetRandomEntry(hashtable *ht);   /* NULL when empty */
/* Up to count entries sampled from a random spot: fast, not uniform. */
unsigned int htGetSomeEntries(hashtable *ht, htEntry **out, unsigned int count);
htEntry *htGetFairRandomEntry(hashtable *ht);

void htInitIterator(htIterator *it, hashtable *ht);      /* unsafe: no modification */
void htInitSafeIterator(htIterator *it, hashtable *ht);  /* may delete the current entry */
htEntry *htNext(htIterator *it);
void htResetIterator(htIterator *it);

/* Scan step: calls fn for every entry of one cursor position, returns the next
 * cursor (0 when the scan is complete). */
unsigned long htScan(hashtable *ht, unsigned long cursor, htScanFunction *fn, void *privdata);

/* Hash functions: SipHash-1-2 keyed with a per-process secret (set once at startup). */
void htSetHashSeed(const uint8_t seed[16]);
uint64_t htGenHash(const void *key, size_t len);
uint64_t htGenCaseHash(const void *key, size_t len);   /* ASCII case-insensitive */
/* SipHash-c-d with an explicit key (fold: ASCII lowercase input first); for tests/other users. */
uint64_t htSipHashCD(const uint8_t key[16], const void *data, size_t len, int crounds,
                     int drounds, int fold);

/* Ready-made types. Keys are bstr. */
uint64_t htBstrHash(const void *key);
int htBstrEqual(const void *a, const void *b);
uint64_t htBstrCaseHash(const void *key);
int htBstrCaseEqual(const void *a, const void *b);
void htBstrFree(void *p);
#endif
