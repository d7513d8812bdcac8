/* t_set: the set type (encodings intset -> listpack -> "hashtable", which is a
 * kvtable whose elements are the member bstrs) and its commands. Encodings only move "up" on writes, except when a
 * whole set is rebuilt (SINTERSTORE...). Exports the set API used by RDB,
 * DEBUG DIGEST, SORT and the scan helpers shared with t_zset/t_hash. */
#ifndef COMMANDS_T_SET_H
#define COMMANDS_T_SET_H
#include "server/server.h"
#include "ds/intset.h"

/* One element as stored: str != NULL for a string, else the integer llval. */
typedef struct setTypeIterator {
    obj *subject;
    int encoding;
    uint32_t ii;            /* intset position */
    unsigned char *lpi;     /* listpack cursor, NULL before start/after end */
    int started;
    kvtIterator di;
} setTypeIterator;

/* Scratch tables of bstr members (SRANDMEMBER, ZRANDMEMBER picks). */
extern htType setHashtableType;   /* bstr member -> NULL */
/* The hashtable encoding: a kvtable whose elements are the member bstrs. */
extern kvtType setKvtType;

/* A set sized/encoded for its first element `value` and about size_hint members. */
obj *setTypeCreate(const char *value, size_t len, size_t size_hint);
/* 1 when added. has_str: element is str/len, else llval. */
int setTypeAddAux(obj *set, const char *str, size_t len, int64_t llval, int has_str);
int setTypeAdd(obj *set, bstr value);
int setTypeRemoveAux(obj *set, const char *str, size_t len, int64_t llval, int has_str);
int setTypeRemove(obj *set, bstr value);
int setTypeIsMemberAux(obj *set, const char *str, size_t len, int64_t llval, int has_str);
int setTypeIsMember(obj *set, bstr value);
unsigned long setTypeSize(const obj *set);

void setTypeInitIterator(setTypeIterator *si, obj *set);
void setTypeResetIterator(setTypeIterator *si);
/* Next element; returns the set's encoding, or -1 at the end. For integers
 * *str is NULL and *llele holds the value. */
int setTypeNext(setTypeIterator *si, char **str, size_t *len, int64_t *llele);
bstr setTypeNextObject(setTypeIterator *si);       /* NULL at the end; caller frees */
/* Random member (same out-parameters as setTypeNext). Set must be non empty. */
int setTypeRandomElement(obj *set, char **str, size_t *len, int64_t *llele);

/* Conversions (RDB loading: build with setTypeCreate/setTypeAddAux, or load the
 * blob directly as an intset/listpack object and call setTypeMaybeConvert). */
void setTypeConvert(obj *set, int enc);
void setTypeConvertAndExpand(obj *set, int enc, unsigned long cap);
/* Convert intset/listpack that exceeds the configured limits to the next encoding. */
void setTypeMaybeConvert(obj *set);
obj *setTypeDup(obj *o);

/* Shared SCAN helpers for collection scans: parse "cursor [MATCH p] [COUNT n]
 * [NOSCORES|NOVALUES]" starting at argv[2]. */
int scanParseCursorOrReply(client *c, obj *o, unsigned long *cursor);

extern const serverCommandDef setCommandTable[];
#endif
