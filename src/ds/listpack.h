/* listpack: a compact, contiguous sequence of string/integer entries, stored in
 * exactly the byte layout RDB uses (so saving is a copy). Invariants: the 4-byte
 * header total equals the allocation's used bytes, the last byte is 0xFF, and the
 * 2-byte count is exact unless it holds 65535 ("count by walking"). */
#ifndef DS_LISTPACK_H
#define DS_LISTPACK_H
#include <stddef.h>
#include <stdint.h>

#define LP_HDR_SIZE 6
#define LP_EOF 0xFF
#define LP_COUNT_UNKNOWN 65535
#define LP_INTBUF_SIZE 21 /* enough for "-9223372036854775808" */

#define LP_BEFORE 0
#define LP_AFTER 1
#define LP_REPLACE 2

/* One element for batch operations: a string when sval != NULL, else lval. */
typedef struct lpEntry {
    unsigned char *sval;
    uint32_t slen;
    long long lval;
} lpEntry;

unsigned char *lpNew(size_t capacity);
void lpFree(unsigned char *lp);
unsigned char *lpShrinkToFit(unsigned char *lp);
unsigned char *lpDup(const unsigned char *lp);
size_t lpBytes(const unsigned char *lp);
unsigned long lpLength(unsigned char *lp);

/* Navigation: NULL past either end. p always points at an entry's first byte. */
unsigned char *lpFirst(unsigned char *lp);
unsigned char *lpLast(unsigned char *lp);
unsigned char *lpNext(unsigned char *lp, unsigned char *p);
unsigned char *lpPrev(unsigned char *lp, unsigned char *p);
unsigned char *lpSeek(unsigned char *lp, long index); /* negative counts from the end */

/* Reading. lpGet: for a string entry returns its bytes and sets *count to the
 * length; for an integer, writes its decimal form to buf (LP_INTBUF_SIZE) and
 * returns buf, or when buf is NULL returns NULL and puts the value in *count. */
unsigned char *lpGet(unsigned char *p, int64_t *count, unsigned char *buf);
/* Returns 1 for a string (sets *s, *slen), 0 for an integer (sets *lval). */
int lpGetValue(unsigned char *p, unsigned char **s, uint32_t *slen, long long *lval);
int lpGetIntegerIfValid(unsigned char *p, long long *lval); /* 1 if an integer entry */
/* Compares the entry with a string (integers compare by their decimal form). */
int lpCompare(unsigned char *p, const unsigned char *s, uint32_t slen);
size_t lpEntrySize(unsigned char *p); /* encoding + data + backlen */

/* Modification. All may reallocate: always use the returned listpack. When
 * newp is not NULL it receives the inserted/replaced entry (for delete: the
 * entry that followed the deleted one, or NULL at the end). */
unsigned char *lpInsertString(unsigned char *lp, const unsigned char *s, uint32_t slen,
                              unsigned char *p, int where, unsigned char **newp);
unsigned char *lpInsertInteger(unsigned char *lp, long long v, unsigned char *p, int where,
                               unsigned char **newp);
unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen);
unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long v);
unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp);
unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *lpAppendInteger(unsigned char *lp, long long v);
unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *lpPrependInteger(unsigned char *lp, long long v);
unsigned char *lpBatchAppend(unsigned char *lp, lpEntry *entries, unsigned long n);
unsigned char *lpBatchInsert(unsigned char *lp, unsigned char *p, int where, lpEntry *entries,
                             unsigned long n, unsigned char **newp);
/* Deletes num entries starting at index (negative from the end). */
unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long num);
/* Deletes num entries starting at *p; *p is updated to the following entry (or NULL). */
unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long num);
unsigned char *lpMerge(unsigned char *first, unsigned char *second); /* frees second */

/* Search from p (inclusive) for an entry equal to s, comparing every (skip+1)-th
 * entry: skip 1 searches the keys of a key/value listpack. NULL if absent. */
unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s, uint32_t slen,
                      unsigned int skip);

/* Would adding `add` bytes keep the listpack under the safety limit (1 GB)? */
int lpSafeToAdd(unsigned char *lp, size_t add);
/* Bytes an entry for this string would take (encoding + data + backlen). */
size_t lpEstimateBytesForString(const unsigned char *s, size_t slen);
size_t lpEstimateBytesForInteger(long long v);

/* Validation of untrusted bytes (RDB, RESTORE). Shallow checks the header only;
 * deep walks every entry, checks bounds, back-lengths and the count, and calls
 * cb (when not NULL) on each entry: a 0 return fails validation. Never reads
 * outside [p, p+size). Returns 1 when valid. */
typedef int (*lpValidateEntryCB)(unsigned char *p, unsigned int head_count, void *userdata);
int lpValidateIntegrity(unsigned char *lp, size_t size, int deep, lpValidateEntryCB cb, void *data);

/* Random access helpers (HRANDFIELD and friends). */
unsigned char *lpRandomEntry(unsigned char *lp, unsigned long *index_out);

#endif
