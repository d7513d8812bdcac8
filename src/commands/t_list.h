/* t_list: the list type (listpack for small lists, quicklist beyond the
 * list-max-listpack-size limit, back to listpack once a single-node quicklist
 * shrinks under half the limit) and the list commands, blocking ones included.
 * A list value is never empty: the last pop deletes the key. */
#ifndef COMMANDS_T_LIST_H
#define COMMANDS_T_LIST_H
#include "server/server.h"
#include "ds/quicklist.h"
#include "ds/listpack.h"

#define LIST_HEAD 0
#define LIST_TAIL 1

#define LIST_CONV_AUTO 0
#define LIST_CONV_GROWING 1
#define LIST_CONV_SHRINKING 2

typedef struct listTypeIterator {
    obj *subject;
    unsigned char encoding;
    unsigned char direction; /* LIST_TAIL: towards the tail (forward) */
    quicklistIter *iter;
    unsigned char *lpi;      /* next listpack entry to return */
} listTypeIterator;

typedef struct listTypeEntry {
    listTypeIterator *li;
    quicklistEntry entry; /* quicklist encoding */
    unsigned char *lpe;   /* listpack encoding */
} listTypeEntry;

unsigned long listTypeLength(const obj *subject);
void listTypePush(obj *subject, obj *value, int where);
void listTypePushBuffer(obj *subject, const char *s, size_t len, int where);
obj *listTypePop(obj *subject, int where);
/* Conversion by size rules; for RDB loading call with LIST_CONV_AUTO. */
void listTypeTryConversion(obj *o, int lct);
obj *listTypeDup(obj *o);
/* Wraps a loaded quicklist (takes ownership), converting to listpack when it
 * fits the configured limit, as Valkey does on load. */
obj *listTypeCreateFromQuicklist(quicklist *ql);
/* Wraps a loaded listpack (takes ownership); converts to quicklist if too big. */
obj *listTypeCreateFromListpack(unsigned char *lp);

/* Iteration from index (negative from the tail) in a direction. */
listTypeIterator *listTypeInitIterator(obj *subject, long index, unsigned char direction);
void listTypeReleaseIterator(listTypeIterator *li);
int listTypeNext(listTypeIterator *li, listTypeEntry *entry);
/* Current element: string (returns 1 with *s and *len) or integer (returns 0, *ll). */
int listTypeGetValue(listTypeEntry *entry, const char **s, size_t *len, long long *ll);
obj *listTypeGet(listTypeEntry *entry);
void listTypeDelete(listTypeIterator *li, listTypeEntry *entry);

extern const serverCommandDef listCommandTable[];
#endif
