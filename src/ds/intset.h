/* intset: a sorted array of distinct integers, all stored with one width
 * (2, 4 or 8 bytes) that is upgraded when a wider value arrives. The memory
 * layout is the RDB blob: LE u32 encoding, LE u32 count, then LE values in
 * strictly ascending order, so saving is a byte copy and loading needs only
 * intsetValidateIntegrity. */
#ifndef DS_INTSET_H
#define DS_INTSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct intset {
    uint32_t encoding;   /* little endian on disk and in memory */
    uint32_t length;
    int8_t contents[];
} intset;

#define INTSET_ENC_INT16 2
#define INTSET_ENC_INT32 4
#define INTSET_ENC_INT64 8

intset *intsetNew(void);
/* *success = 1 when added, 0 when already present. May reallocate. */
intset *intsetAdd(intset *is, int64_t value, uint8_t *success);
intset *intsetRemove(intset *is, int64_t value, int *success);
uint8_t intsetFind(intset *is, int64_t value);
int64_t intsetRandom(intset *is);
int64_t intsetMax(intset *is);
int64_t intsetMin(intset *is);
uint8_t intsetGet(intset *is, uint32_t pos, int64_t *value);   /* 1 when pos is valid */
uint32_t intsetLen(const intset *is);
size_t intsetBlobLen(intset *is);
intset *intsetDup(intset *is);
/* Smallest width able to hold v (INTSET_ENC_*). */
uint8_t intsetValueEncoding(int64_t v);
/* 1 when p[0..size) is a well formed intset. deep also checks ordering and
 * uniqueness of every element (needed before trusting RESTORE payloads). */
int intsetValidateIntegrity(const unsigned char *p, size_t size, int deep);
#endif
