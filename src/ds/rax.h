/* rax: an ordered map from byte-string keys to void* values, with seek and
 * two-way iteration. Implemented as a sorted gap-free deque of entries (not a
 * radix tree): stream workloads append at the tail and drop at the head, which
 * a deque serves in O(1), and lookups are O(log n) binary searches. Invariant:
 * entries [head, head+len) are strictly increasing by memcmp-then-length order. */
#ifndef DS_RAX_H
#define DS_RAX_H
#include <stddef.h>
#include <stdint.h>

typedef struct raxEntry {
    unsigned char *key;
    size_t len;
    void *data;
} raxEntry;

typedef struct rax {
    raxEntry *e;
    size_t head, len, cap;
} rax;

/* An iterator holds a private copy of the current key, so the map may be
 * modified between calls as long as the caller re-seeks afterwards. */
typedef struct raxIterator {
    rax *rt;
    long pos;           /* index (relative to head) of the next element to return */
    int fresh;          /* just seeked: the next step returns pos itself */
    int eof;
    unsigned char *key;
    size_t key_len, key_cap;
    void *data;
    unsigned char key_buf[32];
} raxIterator;

rax *raxNew(void);
void raxFree(rax *r);
void raxFreeWithCallback(rax *r, void (*free_cb)(void *));
uint64_t raxSize(const rax *r);
/* Returns 1 if the key was added, 0 if it existed (value replaced; old in *old). */
int raxInsert(rax *r, const unsigned char *s, size_t len, void *data, void **old);
/* Like raxInsert but never overwrites: returns 0 and leaves the value alone. */
int raxTryInsert(rax *r, const unsigned char *s, size_t len, void *data, void **old);
/* Returns 1 if removed (value in *old when not NULL). */
int raxRemove(rax *r, const unsigned char *s, size_t len, void **old);
/* Returns 1 if found (value in *value when not NULL). */
int raxFind(rax *r, const unsigned char *s, size_t len, void **value);

void raxStart(raxIterator *it, rax *r);
/* op: "^" first, "$" last, ">=", ">", "<=", "<", "=". Returns 0 on a bad op.
 * The first raxNext or raxPrev after a seek returns the sought element. */
int raxSeek(raxIterator *it, const char *op, const unsigned char *ele, size_t len);
int raxNext(raxIterator *it);   /* 1 while an element is produced into key/data */
int raxPrev(raxIterator *it);
void raxStop(raxIterator *it);
int raxEOF(raxIterator *it);
#endif
