/* t_hash: the hash type (a listpack of field,value pairs while within
 * hash-max-listpack-entries/-value, then the "hashtable" encoding: a kvtable
 * whose elements each hold a field and its value in one allocation; never
 * converted back) and the hash commands. A hash value is never
 * empty: deleting the last field deletes the key. */
#ifndef COMMANDS_T_HASH_H
#define COMMANDS_T_HASH_H
#include "server/server.h"
#include "ds/listpack.h"

#define OBJ_HASH_FIELD 1
#define OBJ_HASH_VALUE 2

extern kvtType hashKvtType; /* elements: bstrNewPair(field, value), keyed by the field */

typedef struct hashTypeIterator {
    obj *subject;
    int encoding;
    unsigned char *fptr, *vptr; /* listpack cursor */
    kvtIterator di;
    void *de;
} hashTypeIterator;

unsigned long hashTypeLength(const obj *o);
/* 1 when an existing field was updated, 0 when it was added. Converts to a
 * hashtable when the limits are crossed. */
int hashTypeSet(obj *o, const char *field, size_t flen, const char *value, size_t vlen);
int hashTypeDelete(obj *o, const char *field, size_t flen); /* 1 if deleted */
int hashTypeExists(obj *o, const char *field, size_t flen);
/* 1 if found: string (*s,*len) or, for listpack integers, *s NULL and *ll. */
int hashTypeGetValue(obj *o, const char *field, size_t flen, const char **s, size_t *len, long long *ll);

void hashTypeInitIterator(obj *o, hashTypeIterator *hi);
void hashTypeResetIterator(hashTypeIterator *hi);
int hashTypeNext(hashTypeIterator *hi); /* 1 while positioned on a pair */
/* what: OBJ_HASH_FIELD or OBJ_HASH_VALUE; returns 1 for a string, 0 for an integer (*ll). */
int hashTypeCurrent(hashTypeIterator *hi, int what, const char **s, size_t *len, long long *ll);

void hashTypeConvert(obj *o, int enc); /* listpack -> OBJ_ENCODING_HT */
/* Converts a listpack hash that exceeds the limits (RDB loading). */
void hashTypeConvertIfNeeded(obj *o);
obj *hashTypeCreateFromListpack(unsigned char *lp); /* takes ownership */
obj *hashTypeCreateHashtable(unsigned long size_hint);
obj *hashTypeDup(obj *o);

extern const serverCommandDef hashCommandTable[];
#endif
