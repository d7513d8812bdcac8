/* quicklist.c: see quicklist.h. Compression policy: after any structural
 * change qlCompress() re-establishes "ends raw, interior compressed", so each
 * operation only has to say which node it touched. */
#include "ds/quicklist.h"
#include "ds/listpack.h"
#include "core/zmalloc.h"
#include <liblzf/lzf.h>
#include <string.h>
#include <stdio.h>
#include <limits.h>
#include <stdint.h>

#define QL_MIN_COMPRESS_BYTES 48
#define QL_MIN_COMPRESS_IMPROVE 8
#define QL_SIZE_SAFETY_LIMIT 8192
#define QL_SIZE_ESTIMATE_OVERHEAD 11
#define QL_DEFAULT_PACKED_THRESHOLD (1UL << 30)

static size_t packed_threshold = QL_DEFAULT_PACKED_THRESHOLD;
static const size_t ql_size_limits[] = {4096, 8192, 16384, 32768, 65536};

void quicklistSetPackedThreshold(size_t sz) { packed_threshold = sz ? sz : QL_DEFAULT_PACKED_THRESHOLD; }
size_t quicklistGetPackedThreshold(void) { return packed_threshold; }

/* ---------- limits ---------- */
void quicklistNodeLimit(int fill, size_t *size, unsigned int *count) {
    if (fill >= 0) {
        *size = SIZE_MAX;
        *count = fill == 0 ? 1 : (unsigned int)fill;
    } else {
        int idx = -fill - 1;
        if (idx >= 5) idx = 4;
        *size = ql_size_limits[idx];
        *count = UINT_MAX;
    }
}

int quicklistNodeExceedsLimit(int fill, size_t new_sz, unsigned int new_count) {
    size_t sz_limit;
    unsigned int count_limit;
    quicklistNodeLimit(fill, &sz_limit, &count_limit);
    if (sz_limit != SIZE_MAX) return new_sz > sz_limit;
    /* A count limit alone could build huge nodes from big elements. */
    if (new_sz > QL_SIZE_SAFETY_LIMIT) return 1;
    return new_count > count_limit;
}

int quicklistIsLargeElement(size_t sz, int fill) {
    if (packed_threshold != QL_DEFAULT_PACKED_THRESHOLD) return sz >= packed_threshold;
    if (fill >= 0) return sz > QL_SIZE_SAFETY_LIMIT;
    size_t sz_limit;
    unsigned int count_limit;
    quicklistNodeLimit(fill, &sz_limit, &count_limit);
    return sz > sz_limit;
}

static int qlNodeAllowInsert(const quicklistNode *node, int fill, size_t sz) {
    if (!node || node->container == QUICKLIST_NODE_CONTAINER_PLAIN || quicklistIsLargeElement(sz, fill))
        return 0;
    return !quicklistNodeExceedsLimit(fill, node->sz + sz + QL_SIZE_ESTIMATE_OVERHEAD, node->count + 1);
}

/* ---------- compression ---------- */
static int qlCompressNode(quicklistNode *node) {
    if (node->encoding == QUICKLIST_NODE_ENCODING_LZF) return 1;
    node->recompress = 0;
    if (node->sz < QL_MIN_COMPRESS_BYTES || node->sz > UINT_MAX) return 0;
    quicklistLZF *lzf = zmalloc(sizeof(*lzf) + node->sz);
    unsigned int csz = lzf_compress(node->entry, (unsigned int)node->sz, lzf->compressed, (unsigned int)node->sz);
    if (csz == 0 || csz + QL_MIN_COMPRESS_IMPROVE >= node->sz) {
        zfree(lzf);
        node->attempted_compress = 1;
        return 0;
    }
    lzf->sz = csz;
    lzf = zrealloc(lzf, sizeof(*lzf) + csz);
    zfree(node->entry);
    node->entry = (unsigned char *)lzf;
    node->encoding = QUICKLIST_NODE_ENCODING_LZF;
    return 1;
}

static void qlDecompressNode(quicklistNode *node) {
    if (node->encoding != QUICKLIST_NODE_ENCODING_LZF) return;
    quicklistLZF *lzf = (quicklistLZF *)node->entry;
    unsigned char *buf = zmalloc(node->sz);
    unsigned int n = lzf_decompress(lzf->compressed, (unsigned int)lzf->sz, buf, (unsigned int)node->sz);
    (void)n; /* our own compressed bytes: a mismatch would be memory corruption */
    zfree(lzf);
    node->entry = buf;
    node->encoding = QUICKLIST_NODE_ENCODING_RAW;
}

static void qlDecompressForUse(quicklistNode *node) {
    if (node && node->encoding == QUICKLIST_NODE_ENCODING_LZF) {
        qlDecompressNode(node);
        node->recompress = 1;
    }
}

static void qlRecompressOnly(quicklistNode *node) {
    if (node && node->recompress) qlCompressNode(node);
}

static void qlCompress(quicklist *ql, quicklistNode *node) {
    if (ql->compress == 0 || ql->len == 0) return;
    quicklistNode *f = ql->head, *r = ql->tail;
    int in_depth = 0;
    for (unsigned int i = 0; i < ql->compress && f; i++) {
        qlDecompressNode(f);
        f->recompress = 0;
        if (f == node) in_depth = 1;
        f = f->next;
    }
    for (unsigned int i = 0; i < ql->compress && r; i++) {
        qlDecompressNode(r);
        r->recompress = 0;
        if (r == node) in_depth = 1;
        r = r->prev;
    }
    if (ql->len <= ql->compress * 2) return;
    /* f and r are now the first interior nodes from each side: nodes pushed
     * out of the raw region by head/tail operations land exactly there. */
    if (f) qlCompressNode(f);
    if (r) qlCompressNode(r);
    if (node && !in_depth) qlCompressNode(node);
}

/* ---------- nodes ---------- */
static quicklistNode *qlCreateNode(int container, unsigned char *entry, size_t sz, unsigned int count) {
    quicklistNode *n = zcalloc(sizeof(*n));
    n->container = container;
    n->encoding = QUICKLIST_NODE_ENCODING_RAW;
    n->entry = entry;
    n->sz = sz;
    n->count = count;
    return n;
}

static void qlFreeNode(quicklistNode *n) {
    zfree(n->entry);
    zfree(n);
}

/* Links new_node next to old_node (after when `after`), or as the only node. */
static void qlLinkNode(quicklist *ql, quicklistNode *old_node, quicklistNode *new_node, int after) {
    if (!old_node) {
        ql->head = ql->tail = new_node;
    } else if (after) {
        new_node->prev = old_node;
        new_node->next = old_node->next;
        if (old_node->next) old_node->next->prev = new_node;
        old_node->next = new_node;
        if (ql->tail == old_node) ql->tail = new_node;
    } else {
        new_node->next = old_node;
        new_node->prev = old_node->prev;
        if (old_node->prev) old_node->prev->next = new_node;
        old_node->prev = new_node;
        if (ql->head == old_node) ql->head = new_node;
    }
    ql->len++;
    ql->count += new_node->count;
    qlCompress(ql, new_node);
}

static void qlUnlinkNode(quicklist *ql, quicklistNode *n) {
    if (n->prev) n->prev->next = n->next;
    if (n->next) n->next->prev = n->prev;
    if (ql->head == n) ql->head = n->next;
    if (ql->tail == n) ql->tail = n->prev;
    ql->len--;
    ql->count -= n->count;
    qlFreeNode(n);
    qlCompress(ql, NULL);
}

static quicklistNode *qlNewPlainNode(const void *value, size_t sz) {
    unsigned char *buf = zmalloc(sz ? sz : 1);
    memcpy(buf, value, sz);
    return qlCreateNode(QUICKLIST_NODE_CONTAINER_PLAIN, buf, sz, 1);
}

static quicklistNode *qlNewPackedNode(const void *value, size_t sz) {
    unsigned char *lp = lpAppend(lpNew(0), value, (uint32_t)sz);
    return qlCreateNode(QUICKLIST_NODE_CONTAINER_PACKED, lp, lpBytes(lp), 1);
}

static void qlNodeUpdateSize(quicklistNode *n) {
    if (n->container == QUICKLIST_NODE_CONTAINER_PACKED) n->sz = lpBytes(n->entry);
}

/* ---------- lifecycle ---------- */
quicklist *quicklistCreate(void) { return quicklistNew(-2, 0); }

quicklist *quicklistNew(int fill, int compress) {
    quicklist *ql = zcalloc(sizeof(*ql));
    quicklistSetOptions(ql, fill, compress);
    return ql;
}

void quicklistSetOptions(quicklist *ql, int fill, int compress) {
    if (fill < -5) fill = -5;
    ql->fill = fill;
    ql->compress = compress < 0 ? 0 : (unsigned int)compress;
}

void quicklistRelease(quicklist *ql) {
    quicklistNode *n = ql->head;
    while (n) {
        quicklistNode *next = n->next;
        qlFreeNode(n);
        n = next;
    }
    zfree(ql);
}

unsigned long quicklistCount(const quicklist *ql) { return ql->count; }

quicklist *quicklistDup(quicklist *ql) {
    quicklist *copy = quicklistNew(ql->fill, (int)ql->compress);
    for (quicklistNode *n = ql->head; n; n = n->next) {
        size_t bytes = n->encoding == QUICKLIST_NODE_ENCODING_LZF
                           ? sizeof(quicklistLZF) + ((quicklistLZF *)n->entry)->sz
                           : n->sz;
        unsigned char *buf = zmalloc(bytes ? bytes : 1);
        memcpy(buf, n->entry, bytes);
        quicklistNode *c = qlCreateNode(n->container, buf, n->sz, n->count);
        c->encoding = n->encoding;
        c->prev = copy->tail;
        if (copy->tail) copy->tail->next = c;
        else copy->head = c;
        copy->tail = c;
        copy->len++;
        copy->count += c->count;
    }
    return copy;
}

/* ---------- push / pop ---------- */
void quicklistPushHead(quicklist *ql, const void *value, size_t sz) {
    quicklistNode *head = ql->head;
    if (quicklistIsLargeElement(sz, ql->fill)) {
        qlLinkNode(ql, head, qlNewPlainNode(value, sz), 0);
    } else if (qlNodeAllowInsert(head, ql->fill, sz)) {
        qlDecompressForUse(head);
        head->entry = lpPrepend(head->entry, value, (uint32_t)sz);
        head->count++;
        ql->count++;
        qlNodeUpdateSize(head);
        qlRecompressOnly(head);
    } else {
        qlLinkNode(ql, head, qlNewPackedNode(value, sz), 0);
    }
}

void quicklistPushTail(quicklist *ql, const void *value, size_t sz) {
    quicklistNode *tail = ql->tail;
    if (quicklistIsLargeElement(sz, ql->fill)) {
        qlLinkNode(ql, tail, qlNewPlainNode(value, sz), 1);
    } else if (qlNodeAllowInsert(tail, ql->fill, sz)) {
        qlDecompressForUse(tail);
        tail->entry = lpAppend(tail->entry, value, (uint32_t)sz);
        tail->count++;
        ql->count++;
        qlNodeUpdateSize(tail);
        qlRecompressOnly(tail);
    } else {
        qlLinkNode(ql, tail, qlNewPackedNode(value, sz), 1);
    }
}

void quicklistPush(quicklist *ql, const void *value, size_t sz, int where) {
    if (where == QUICKLIST_HEAD) quicklistPushHead(ql, value, sz);
    else quicklistPushTail(ql, value, sz);
}

void quicklistAppendListpack(quicklist *ql, unsigned char *lp) {
    quicklistNode *n = qlCreateNode(QUICKLIST_NODE_CONTAINER_PACKED, lp, lpBytes(lp), (unsigned int)lpLength(lp));
    qlLinkNode(ql, ql->tail, n, 1);
}

void quicklistAppendPlainNode(quicklist *ql, unsigned char *data, size_t sz) {
    qlLinkNode(ql, ql->tail, qlCreateNode(QUICKLIST_NODE_CONTAINER_PLAIN, data, sz, 1), 1);
}

/* Deletes the entry *p of node; returns 1 when the node itself went away.
 * Otherwise *p is the entry that followed (NULL at the node's end). */
static int qlDelIndex(quicklist *ql, quicklistNode *node, unsigned char **p) {
    if (node->container == QUICKLIST_NODE_CONTAINER_PLAIN || node->count == 1) {
        qlUnlinkNode(ql, node);
        return 1;
    }
    node->entry = lpDelete(node->entry, *p, p);
    node->count--;
    ql->count--;
    qlNodeUpdateSize(node);
    return 0;
}

int quicklistPop(quicklist *ql, int where, unsigned char **data, size_t *sz, long long *sval) {
    if (ql->count == 0) return 0;
    quicklistNode *node = where == QUICKLIST_HEAD ? ql->head : ql->tail;
    qlDecompressForUse(node);
    if (node->container == QUICKLIST_NODE_CONTAINER_PLAIN) {
        *data = zmalloc(node->sz ? node->sz : 1);
        memcpy(*data, node->entry, node->sz);
        *sz = node->sz;
        qlUnlinkNode(ql, node);
        return 1;
    }
    unsigned char *p = where == QUICKLIST_HEAD ? lpFirst(node->entry) : lpLast(node->entry);
    int64_t len;
    unsigned char *s = lpGet(p, &len, NULL);
    if (s) {
        *data = zmalloc(len ? (size_t)len : 1);
        memcpy(*data, s, (size_t)len);
        *sz = (size_t)len;
    } else {
        *data = NULL;
        *sval = len;
        *sz = 0;
    }
    if (!qlDelIndex(ql, node, &p)) qlRecompressOnly(node);
    return 1;
}

/* ---------- iteration ---------- */
quicklistIter *quicklistGetIterator(quicklist *ql, int direction) {
    quicklistIter *it = zmalloc(sizeof(*it));
    it->ql = ql;
    it->direction = direction;
    it->zi = NULL;
    if (direction == AL_START_HEAD) { it->current = ql->head; it->offset = 0; }
    else { it->current = ql->tail; it->offset = -1; }
    return it;
}

quicklistIter *quicklistGetIteratorAtIdx(quicklist *ql, int direction, long long idx) {
    unsigned long long index = idx < 0 ? (unsigned long long)(-idx) - 1 : (unsigned long long)idx;
    if (index >= ql->count) return NULL;
    int forward = idx >= 0;
    quicklistNode *n = forward ? ql->head : ql->tail;
    unsigned long long acc = 0;
    while (n && acc + n->count <= index) {
        acc += n->count;
        n = forward ? n->next : n->prev;
    }
    if (!n) return NULL;
    long local = (long)(index - acc); /* from the node's start (forward) or end (backward) */
    if (!forward) local = (long)n->count - 1 - local;
    quicklistIter *it = quicklistGetIterator(ql, direction);
    it->current = n;
    it->offset = direction == AL_START_HEAD ? local : local - (long)n->count;
    return it;
}

quicklistIter *quicklistGetIteratorEntryAtIdx(quicklist *ql, long long idx, quicklistEntry *entry) {
    quicklistIter *it = quicklistGetIteratorAtIdx(ql, AL_START_TAIL, idx);
    if (!it) return NULL;
    if (!quicklistNext(it, entry)) {
        quicklistReleaseIterator(it);
        return NULL;
    }
    return it;
}

void quicklistSetDirection(quicklistIter *iter, int direction) { iter->direction = direction; }

void quicklistReleaseIterator(quicklistIter *iter) {
    if (!iter) return;
    if (iter->current) qlRecompressOnly(iter->current);
    zfree(iter);
}

static void qlFillEntry(quicklistEntry *e, quicklistNode *node, unsigned char *zi) {
    e->node = node;
    e->zi = zi;
    if (node->container == QUICKLIST_NODE_CONTAINER_PLAIN) {
        e->value = node->entry;
        e->sz = node->sz;
        e->longval = 0;
        return;
    }
    int64_t len;
    e->value = lpGet(zi, &len, NULL);
    if (e->value) { e->sz = (size_t)len; e->longval = 0; }
    else { e->sz = 0; e->longval = len; }
}

int quicklistNext(quicklistIter *iter, quicklistEntry *entry) {
    memset(entry, 0, sizeof(*entry));
    entry->quicklist = iter->ql;
    while (iter->current) {
        quicklistNode *n = iter->current;
        int fwd = iter->direction == AL_START_HEAD;
        if (!iter->zi) {
            qlDecompressForUse(n);
            if (n->container == QUICKLIST_NODE_CONTAINER_PLAIN) iter->zi = n->entry;
            else iter->zi = lpSeek(n->entry, iter->offset);
        } else if (n->container == QUICKLIST_NODE_CONTAINER_PLAIN) {
            iter->zi = NULL;
        } else {
            iter->zi = fwd ? lpNext(n->entry, iter->zi) : lpPrev(n->entry, iter->zi);
            iter->offset += fwd ? 1 : -1;
        }
        if (iter->zi) {
            qlFillEntry(entry, n, iter->zi);
            entry->offset = iter->offset;
            return 1;
        }
        qlRecompressOnly(n);
        iter->current = fwd ? n->next : n->prev;
        iter->offset = fwd ? 0 : -1;
    }
    return 0;
}

void quicklistDelEntry(quicklistIter *iter, quicklistEntry *entry) {
    quicklistNode *prev = entry->node->prev, *next = entry->node->next;
    unsigned char *p = entry->zi;
    int gone = qlDelIndex(iter->ql, entry->node, &p);
    iter->zi = NULL;
    if (gone) {
        if (iter->direction == AL_START_HEAD) { iter->current = next; iter->offset = 0; }
        else { iter->current = prev; iter->offset = -1; }
    }
    /* Otherwise the offset already names the following element in either
     * direction: the next one slid into it, or (backwards) was never moved. */
}

/* Local index of zi inside a packed node. */
static long qlLocalIndex(quicklistNode *node, unsigned char *zi) {
    long i = 0;
    for (unsigned char *p = lpFirst(node->entry); p && p != zi; p = lpNext(node->entry, p)) i++;
    return i;
}

/* Splits node so that entries [at, count) move to a new node linked after it. */
static quicklistNode *qlSplitNode(quicklist *ql, quicklistNode *node, long at) {
    unsigned char *right = lpDup(node->entry);
    right = lpDeleteRange(right, 0, (unsigned long)at);
    node->entry = lpDeleteRange(node->entry, at, node->count - (unsigned long)at);
    quicklistNode *rn = qlCreateNode(QUICKLIST_NODE_CONTAINER_PACKED, right, lpBytes(right), node->count - (unsigned int)at);
    node->count = (unsigned int)at;
    qlNodeUpdateSize(node);
    /* qlLinkNode adds rn->count to the total; those elements were already counted. */
    ql->count -= rn->count;
    qlLinkNode(ql, node, rn, 1);
    return rn;
}

/* Puts value between nodes left and right (either may be NULL, not both). */
static void qlInsertBetween(quicklist *ql, quicklistNode *left, quicklistNode *right, const void *value, size_t sz) {
    int fill = ql->fill;
    if (!quicklistIsLargeElement(sz, fill)) {
        if (qlNodeAllowInsert(left, fill, sz)) {
            qlDecompressForUse(left);
            left->entry = lpAppend(left->entry, value, (uint32_t)sz);
            left->count++; ql->count++;
            qlNodeUpdateSize(left);
            qlRecompressOnly(left);
            return;
        }
        if (qlNodeAllowInsert(right, fill, sz)) {
            qlDecompressForUse(right);
            right->entry = lpPrepend(right->entry, value, (uint32_t)sz);
            right->count++; ql->count++;
            qlNodeUpdateSize(right);
            qlRecompressOnly(right);
            return;
        }
    }
    quicklistNode *n = quicklistIsLargeElement(sz, fill) ? qlNewPlainNode(value, sz) : qlNewPackedNode(value, sz);
    if (left) qlLinkNode(ql, left, n, 1);
    else qlLinkNode(ql, right, n, 0);
}

static void qlInsert(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz, int after) {
    quicklist *ql = iter->ql;
    quicklistNode *node = entry->node;
    if (!node) { /* empty list */
        quicklistPushTail(ql, value, sz);
        return;
    }
    if (node->container == QUICKLIST_NODE_CONTAINER_PACKED && qlNodeAllowInsert(node, ql->fill, sz)) {
        qlDecompressForUse(node);
        node->entry = lpInsertString(node->entry, value, (uint32_t)sz, entry->zi, after ? LP_AFTER : LP_BEFORE, NULL);
        node->count++; ql->count++;
        qlNodeUpdateSize(node);
        qlRecompressOnly(node);
        return;
    }
    long pos = 0, cnt = 1;
    if (node->container == QUICKLIST_NODE_CONTAINER_PACKED) {
        qlDecompressForUse(node);
        pos = qlLocalIndex(node, entry->zi);
        cnt = node->count;
    }
    long cut = after ? pos + 1 : pos; /* value goes before local index `cut` */
    if (cut == 0) {
        qlInsertBetween(ql, node->prev, node, value, sz);
    } else if (cut == cnt) {
        qlInsertBetween(ql, node, node->next, value, sz);
    } else {
        quicklistNode *rn = qlSplitNode(ql, node, cut);
        qlInsertBetween(ql, node, rn, value, sz);
    }
    qlRecompressOnly(node);
    qlCompress(ql, node);
}

void quicklistInsertBefore(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz) {
    qlInsert(iter, entry, value, sz, 0);
}

void quicklistInsertAfter(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz) {
    qlInsert(iter, entry, value, sz, 1);
}

static unsigned long qlGlobalIndex(quicklist *ql, quicklistEntry *entry) {
    unsigned long idx = 0;
    for (quicklistNode *n = ql->head; n && n != entry->node; n = n->next) idx += n->count;
    if (entry->node->container == QUICKLIST_NODE_CONTAINER_PACKED) idx += qlLocalIndex(entry->node, entry->zi);
    return idx;
}

void quicklistReplaceEntry(quicklistIter *iter, quicklistEntry *entry, const void *value, size_t sz) {
    quicklist *ql = iter->ql;
    quicklistNode *node = entry->node;
    int large = quicklistIsLargeElement(sz, ql->fill);
    if (node->container == QUICKLIST_NODE_CONTAINER_PACKED && !large) {
        size_t oldsz = lpEntrySize(entry->zi);
        size_t newsz = node->sz - oldsz + sz + QL_SIZE_ESTIMATE_OVERHEAD;
        if (!quicklistNodeExceedsLimit(ql->fill, newsz, node->count) || node->count == 1) {
            qlDecompressForUse(node);
            unsigned char *p = entry->zi;
            node->entry = lpReplace(node->entry, &p, value, (uint32_t)sz);
            iter->zi = p;
            qlNodeUpdateSize(node);
            qlRecompressOnly(node);
            return;
        }
    } else if (node->container == QUICKLIST_NODE_CONTAINER_PLAIN && large) {
        qlDecompressNode(node);
        zfree(node->entry);
        node->entry = zmalloc(sz ? sz : 1);
        memcpy(node->entry, value, sz);
        node->sz = sz;
        node->recompress = 0;
        qlCompress(ql, node);
        return;
    }
    /* Container kind changes or the node would overflow: delete, then re-insert. */
    unsigned long idx = qlGlobalIndex(ql, entry);
    unsigned char *p = entry->zi;
    int gone = qlDelIndex(ql, node, &p);
    if (!gone) qlRecompressOnly(node);
    iter->current = NULL;
    iter->zi = NULL;
    if (idx >= ql->count) {
        quicklistPushTail(ql, value, sz);
        return;
    }
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, (long long)idx, &e);
    qlInsert(it, &e, value, sz, 0);
    quicklistReleaseIterator(it);
}

int quicklistReplaceAtIndex(quicklist *ql, long index, const void *value, size_t sz) {
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, index, &e);
    if (!it) return 0;
    quicklistReplaceEntry(it, &e, value, sz);
    quicklistReleaseIterator(it);
    return 1;
}

int quicklistDelRange(quicklist *ql, long start, long count) {
    if (count <= 0) return 0;
    unsigned long total = ql->count;
    if (start < 0) start += (long)total;
    if (start < 0 || (unsigned long)start >= total) return 0;
    unsigned long extent = (unsigned long)count;
    if (extent > total - (unsigned long)start) extent = total - (unsigned long)start;
    quicklistNode *n = ql->head;
    unsigned long acc = 0;
    while (n && acc + n->count <= (unsigned long)start) { acc += n->count; n = n->next; }
    unsigned long offset = (unsigned long)start - acc;
    while (extent && n) {
        quicklistNode *next = n->next;
        unsigned long del = n->count - offset;
        if (del > extent) del = extent;
        if (offset == 0 && del == n->count) {
            qlUnlinkNode(ql, n);
        } else {
            qlDecompressForUse(n);
            n->entry = lpDeleteRange(n->entry, (long)offset, del);
            n->count -= (unsigned int)del;
            ql->count -= del;
            qlNodeUpdateSize(n);
            qlRecompressOnly(n);
        }
        extent -= del;
        offset = 0;
        n = next;
    }
    return 1;
}

int quicklistCompare(quicklistEntry *entry, const unsigned char *s, size_t len) {
    if (entry->value) return entry->sz == len && (len == 0 || memcmp(entry->value, s, len) == 0);
    char buf[LP_INTBUF_SIZE];
    int n = snprintf(buf, sizeof(buf), "%lld", entry->longval);
    return (size_t)n == len && memcmp(buf, s, len) == 0;
}

/* ---------- node access ---------- */
int quicklistNodeIsCompressed(const quicklistNode *node) { return node->encoding == QUICKLIST_NODE_ENCODING_LZF; }

size_t quicklistGetLzf(const quicklistNode *node, void **data) {
    quicklistLZF *lzf = (quicklistLZF *)node->entry;
    *data = lzf->compressed;
    return lzf->sz;
}

unsigned char *quicklistNodeData(quicklistNode *node, size_t *sz, int *must_free) {
    *sz = node->sz;
    if (node->encoding != QUICKLIST_NODE_ENCODING_LZF) {
        *must_free = 0;
        return node->entry;
    }
    quicklistLZF *lzf = (quicklistLZF *)node->entry;
    unsigned char *buf = zmalloc(node->sz ? node->sz : 1);
    lzf_decompress(lzf->compressed, (unsigned int)lzf->sz, buf, (unsigned int)node->sz);
    *must_free = 1;
    return buf;
}
