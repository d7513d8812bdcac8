/* quicklist: a doubly linked list of listpack nodes (PACKED) or single-element
 * raw nodes (PLAIN, for elements too large to pack), with interior nodes
 * optionally LZF-compressed. Invariants: ql->count is the sum of node counts,
 * no node is empty, and the `compress` nodes nearest each end are never
 * compressed once an operation finishes. */
#ifndef DS_QUICKLIST_H
#define DS_QUICKLIST_H
#include <stddef.h>
#include <stdint.h>

#define QUICKLIST_NODE_ENCODING_RAW 1
#define QUICKLIST_NODE_ENCODING_LZF 2
#define QUICKLIST_NODE_CONTAINER_PLAIN 1
#define QUICKLIST_NODE_CONTAINER_PACKED 2

#define QUICKLIST_HEAD 0
#define QUICKLIST_TAIL -1
#define AL_START_HEAD 0
#define AL_START_TAIL 1

typedef struct quicklistNode {
    struct quicklistNode *prev, *next;
    unsigned char *entry;   /* listpack, raw element (PLAIN), or quicklistLZF* when compressed */
    size_t sz;              /* uncompressed bytes of entry */
    unsigned int count;     /* elements in this node (1 for PLAIN) */
    unsigned int encoding : 2;
    unsigned int container : 2;
    unsigned int recompress : 1; /* temporarily decompressed for access */
    unsigned int attempted_compress : 1;
} quicklistNode;

typedef struct quicklistLZF {
    size_t sz; /* compressed bytes */
    char compressed[];
} quicklistLZF;

typedef struct quicklist {
    quicklistNode *head, *tail;
    unsigned long count; /* total elements */
    unsigned long len;   /* nodes */
    int fill;            /* list-max-listpack-size */
    unsigned int compress; /* list-compress-depth */
} quicklist;

typedef struct quicklistIter {
    quicklist *ql;
    quicklistNode *current;
    unsigned char *zi; /* current listpack entry, NULL before the first access of a node */
    long offset;       /* index inside current node (negative counts from its end) */
    int direction;
} quicklistIter;

/* One element seen through an iterator: a string (value, sz) or an integer
 * (value NULL, longval). Valid only until the iterator moves or is released. */
typedef struct quicklistEntry {
    quicklist *quicklist;
    quicklistNode *node;
    unsigned char *zi;
    unsigned char *value;
    long long longval;
    size_t sz;
    long offset;
} quicklistEntry;

quicklist *quicklistCreate(void);
quicklist *quicklistNew(int fill, int compress);
void quicklistSetOptions(quicklist *ql, int fill, int compress);
void quicklistRelease(quicklist *ql);
quicklist *quicklistDup(quicklist *ql);
unsigned long quicklistCount(const quicklist *ql);

void quicklistPushHead(quicklist *ql, const void *value, size_t sz);
void quicklistPushTail(quicklist *ql, const void *value, size_t sz);
void quicklistPush(quicklist *ql, const void *value, size_t sz, int where);
/* Pops one element. Strings come back as a zmalloc'd copy in *data (caller
 * frees); integers as *data == NULL and *sval. Returns 0 when empty. */
int quicklistPop(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval);

/* Building from loaded data (RDB): the quicklist takes ownership of the buffer. */
void quicklistAppendListpack(quicklist *ql, unsigned char *lp);
void quicklistAppendPlainNode(quicklist *ql, unsigned char *data, size_t sz);

/* Iteration. An iterator keeps its node decompressed; releasing it (or moving
 * on) recompresses. After an insert or replace the iterator may only be released. */
quicklistIter *quicklistGetIterator(quicklist *ql, int direction);
quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long long idx);
/* Iterator positioned at idx with *entry filled; NULL when out of range. */
quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long long idx, quicklistEntry *entry);
int quicklistNext(quicklistIter *iter, quicklistEntry *entry);
void quicklistReleaseIterator(quicklistIter *iter);
void quicklistSetDirection(quicklistIter *iter, int direction);
/* Deletes the element the iterator just returned; iteration continues with the next one. */
void quicklistDelEntry(quicklistIter *iter, quicklistEntry *entry);
void quicklistInsertBefore(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz);
void quicklistInsertAfter(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz);
void quicklistReplaceEntry(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz);
int quicklistReplaceAtIndex(quicklist *ql, long index, const void *value, size_t sz);
int quicklistDelRange(quicklist *ql, long start, long count);
int quicklistCompare(quicklistEntry *entry, const unsigned char *s, size_t len);

/* Node access (RDB writer): walk ql->head..->next; node->container says PLAIN
 * or PACKED; raw bytes via quicklistNodeData, or the LZF form directly. */
int quicklistNodeIsCompressed(const quicklistNode *node);
size_t quicklistGetLzf(const quicklistNode *node, void **data); /* compressed bytes */
/* Uncompressed bytes of a node: points into the node, or at a zmalloc'd copy
 * when compressed (*must_free set). */
unsigned char *quicklistNodeData(quicklistNode *node, size_t *sz, int *must_free);

/* Size rules shared with t_list's listpack<->quicklist conversion. */
void quicklistNodeLimit(int fill, size_t *size, unsigned int *count);
int quicklistNodeExceedsLimit(int fill, size_t new_sz, unsigned int new_count);
int quicklistIsLargeElement(size_t sz, int fill);
/* Elements of at least this many bytes get a PLAIN node (default 1 GB); tests lower it. */
void quicklistSetPackedThreshold(size_t sz);
size_t quicklistGetPackedThreshold(void);

#endif
