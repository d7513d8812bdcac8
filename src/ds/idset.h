/* idset: a set of 64-bit ids kept as one sorted array behind a small header.
 * Made for the client-tracking table, where almost every key is cached by one
 * or two clients: a one-id set is a single 16-byte allocation, membership is a
 * binary search, and iteration is in ascending id order. */
#ifndef DS_IDSET_H
#define DS_IDSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct idset {
    uint32_t len, cap;
    uint64_t ids[];
} idset;

idset *idsetNew(void);
void idsetFree(idset *s);
/* Adds id; returns 1 when added, 0 when present. May move the set (*sp). */
int idsetAdd(idset **sp, uint64_t id);
/* Returns 1 when id was removed, 0 when absent. Never reallocates. */
int idsetRemove(idset *s, uint64_t id);
int idsetContains(const idset *s, uint64_t id);
static inline uint32_t idsetLen(const idset *s) { return s->len; }
static inline uint64_t idsetGet(const idset *s, uint32_t i) { return s->ids[i]; }
size_t idsetAllocSize(const idset *s);
#endif
