/* rdb_load_legacy: readers for blobs only old servers wrote (ziplist, zipmap).
 * They bound-check every byte of untrusted input and convert to listpacks,
 * the compact form we hold in memory. */
#ifndef PERSIST_RDB_LOAD_LEGACY_H
#define PERSIST_RDB_LOAD_LEGACY_H
#include <stddef.h>

/* Returns a new listpack with the ziplist's entries (NULL when malformed);
 * *count receives the number of entries. */
unsigned char *rdbZiplistToListpack(const unsigned char *zl, size_t size, long *count);
/* Zipmap (field, value, ...) to a listpack of alternating fields and values. */
unsigned char *rdbZipmapToListpack(const unsigned char *zm, size_t size, long *count);
#endif
