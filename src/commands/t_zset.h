/* t_zset: the sorted-set type (encodings listpack -> skiplist) and its
 * commands. Listpack form: member, score pairs ordered by (score, member).
 * Skiplist form: `zset` = a skiplist with spans for rank queries, whose
 * nodes embed member and score, plus a kvtable whose elements are those same
 * nodes keyed by their member (member -> node -> score): one allocation per
 * member and no per-member table entry. Ordering: score, then binary memcmp
 * of members. */
#ifndef COMMANDS_T_ZSET_H
#define COMMANDS_T_ZSET_H
#include "server/server.h"
#include "ds/skiplist.h"

typedef struct zset {
    kvtable *members;  /* elements: the zskiplistNodes of zsl, keyed by member */
    zskiplist *zsl;
} zset;

extern kvtType zsetMembersType;

/* zsetAdd flags (in) */
#define ZADD_IN_NONE 0
#define ZADD_IN_INCR (1 << 0)
#define ZADD_IN_NX (1 << 1)
#define ZADD_IN_XX (1 << 2)
#define ZADD_IN_GT (1 << 3)
#define ZADD_IN_LT (1 << 4)
/* zsetAdd flags (out) */
#define ZADD_OUT_NOP (1 << 0)
#define ZADD_OUT_NAN (1 << 1)
#define ZADD_OUT_ADDED (1 << 2)
#define ZADD_OUT_UPDATED (1 << 3)

/* Type API (RDB loading, DEBUG DIGEST, SORT). */
obj *zsetTypeCreate(size_t size_hint, size_t value_len_hint);
unsigned long zsetLength(const obj *zobj);
void zsetConvert(obj *zobj, int encoding);
/* Convert a skiplist zset to listpack when it fits the configured limits. */
void zsetConvertToListpackIfNeeded(obj *zobj, size_t maxelelen, size_t totelelen);
/* Convert a loaded listpack that exceeds the limits to skiplist. */
void zsetTypeMaybeConvert(obj *zobj);
/* Returns 1 on success (see out flags), 0 when the result would be NaN. */
int zsetAdd(obj *zobj, double score, const char *ele, size_t len, int in_flags, int *out_flags, double *newscore);
int zsetDel(obj *zobj, const char *ele, size_t len);
int zsetScore(obj *zobj, const char *ele, size_t len, double *score);  /* 1 found */
long zsetRank(obj *zobj, const char *ele, size_t len, int reverse, double *score); /* -1 absent */
obj *zsetDup(obj *o);
/* MEMORY USAGE of a skiplist zset: nodes estimated from the first samples. */
size_t zsetSkiplistMemUsage(obj *zobj, size_t samples);

/* In-order iteration: ele is set for strings (*str,*len), else *str = NULL and
 * *ll holds the integer form stored in a listpack. Returns 0 at the end. */
typedef struct zsetIterator {
    obj *z;
    unsigned char *eptr, *sptr;
    zskiplistNode *ln;
    int started;
} zsetIterator;
void zsetInitIterator(zsetIterator *it, obj *zobj);
int zsetNext(zsetIterator *it, const char **str, size_t *len, long long *ll, double *score);

/* Listpack helpers. */
double zzlGetScore(unsigned char *sptr);
unsigned char *zzlInsert(unsigned char *zl, const char *ele, size_t len, double score);

extern const serverCommandDef zsetCommandTable[];
#endif
