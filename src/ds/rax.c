/* rax: sorted deque of (key, value) pairs. See rax.h for why not a tree. */
#include "ds/rax.h"
#include "core/zmalloc.h"
#include <string.h>

static int raxKeyCmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

rax *raxNew(void) { return zcalloc(sizeof(rax)); }

void raxFreeWithCallback(rax *r, void (*free_cb)(void *)) {
    if (!r) return;
    for (size_t i = 0; i < r->len; i++) {
        raxEntry *x = &r->e[r->head + i];
        if (free_cb) free_cb(x->data);
        zfree(x->key);
    }
    zfree(r->e);
    zfree(r);
}

void raxFree(rax *r) { raxFreeWithCallback(r, NULL); }

uint64_t raxSize(const rax *r) { return r->len; }

/* First index whose key is >= s (0..len). */
static size_t raxLowerBound(rax *r, const unsigned char *s, size_t len) {
    size_t lo = 0, hi = r->len;
    raxEntry *base = r->e + r->head;
    /* Appends dominate: check the tail before bisecting. */
    if (hi && raxKeyCmp(base[hi - 1].key, base[hi - 1].len, s, len) < 0) return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (raxKeyCmp(base[mid].key, base[mid].len, s, len) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int raxIsAt(rax *r, size_t idx, const unsigned char *s, size_t len) {
    return idx < r->len && raxKeyCmp(r->e[r->head + idx].key, r->e[r->head + idx].len, s, len) == 0;
}

/* Opens a hole at relative index idx, shifting whichever side is cheaper. */
static void raxOpenGap(rax *r, size_t idx) {
    if (r->head > 0 && idx < r->len / 2) {
        r->head--;
        memmove(r->e + r->head, r->e + r->head + 1, idx * sizeof(raxEntry));
    } else {
        if (r->head + r->len == r->cap) {
            if (r->head > r->cap / 2) {
                memmove(r->e, r->e + r->head, r->len * sizeof(raxEntry));
                r->head = 0;
            } else {
                r->cap = r->cap ? r->cap * 2 : 4;
                r->e = zrealloc(r->e, r->cap * sizeof(raxEntry));
            }
        }
        raxEntry *base = r->e + r->head;
        memmove(base + idx + 1, base + idx, (r->len - idx) * sizeof(raxEntry));
    }
    r->len++;
}

static int raxGenericInsert(rax *r, const unsigned char *s, size_t len, void *data, void **old, int overwrite) {
    size_t idx = raxLowerBound(r, s, len);
    if (raxIsAt(r, idx, s, len)) {
        raxEntry *x = &r->e[r->head + idx];
        if (old) *old = x->data;
        if (overwrite) x->data = data;
        return 0;
    }
    raxOpenGap(r, idx);
    raxEntry *x = &r->e[r->head + idx];
    x->key = zmalloc(len ? len : 1);
    if (len) memcpy(x->key, s, len);
    x->len = len;
    x->data = data;
    if (old) *old = NULL;
    return 1;
}

int raxInsert(rax *r, const unsigned char *s, size_t len, void *data, void **old) {
    return raxGenericInsert(r, s, len, data, old, 1);
}

int raxTryInsert(rax *r, const unsigned char *s, size_t len, void *data, void **old) {
    return raxGenericInsert(r, s, len, data, old, 0);
}

int raxRemove(rax *r, const unsigned char *s, size_t len, void **old) {
    size_t idx = raxLowerBound(r, s, len);
    if (!raxIsAt(r, idx, s, len)) return 0;
    raxEntry *base = r->e + r->head;
    if (old) *old = base[idx].data;
    zfree(base[idx].key);
    if (idx < r->len / 2) {
        memmove(base + 1, base, idx * sizeof(raxEntry));
        r->head++;
    } else {
        memmove(base + idx, base + idx + 1, (r->len - idx - 1) * sizeof(raxEntry));
    }
    r->len--;
    if (r->len == 0) r->head = 0;
    return 1;
}

int raxFind(rax *r, const unsigned char *s, size_t len, void **value) {
    size_t idx = raxLowerBound(r, s, len);
    if (!raxIsAt(r, idx, s, len)) return 0;
    if (value) *value = r->e[r->head + idx].data;
    return 1;
}

void raxStart(raxIterator *it, rax *r) {
    memset(it, 0, sizeof(*it));
    it->rt = r;
    it->key = it->key_buf;
    it->key_cap = sizeof(it->key_buf);
    it->eof = 1;
}

int raxSeek(raxIterator *it, const char *op, const unsigned char *ele, size_t len) {
    rax *r = it->rt;
    long pos;
    if (!strcmp(op, "^")) pos = 0;
    else if (!strcmp(op, "$")) pos = (long)r->len - 1;
    else if (!strcmp(op, ">=")) pos = (long)raxLowerBound(r, ele, len);
    else if (!strcmp(op, ">")) {
        pos = (long)raxLowerBound(r, ele, len);
        if (raxIsAt(r, (size_t)pos, ele, len)) pos++;
    } else if (!strcmp(op, "<=")) {
        pos = (long)raxLowerBound(r, ele, len);
        if (!raxIsAt(r, (size_t)pos, ele, len)) pos--;
    } else if (!strcmp(op, "<")) pos = (long)raxLowerBound(r, ele, len) - 1;
    else if (!strcmp(op, "=")) {
        pos = (long)raxLowerBound(r, ele, len);
        if (!raxIsAt(r, (size_t)pos, ele, len)) pos = -1;
    } else return 0;
    it->pos = pos;
    it->fresh = 1;
    it->eof = pos < 0 || pos >= (long)r->len;
    return 1;
}

static int raxLoad(raxIterator *it) {
    rax *r = it->rt;
    if (it->pos < 0 || it->pos >= (long)r->len) {
        it->eof = 1;
        return 0;
    }
    raxEntry *x = &r->e[r->head + (size_t)it->pos];
    if (x->len > it->key_cap) {
        if (it->key != it->key_buf) zfree(it->key);
        it->key = zmalloc(x->len);
        it->key_cap = x->len;
    }
    memcpy(it->key, x->key, x->len);
    it->key_len = x->len;
    it->data = x->data;
    return 1;
}

static int raxStep(raxIterator *it, long dir) {
    if (it->eof) return 0;
    if (!it->fresh) it->pos += dir;
    it->fresh = 0;
    return raxLoad(it);
}

int raxNext(raxIterator *it) { return raxStep(it, 1); }
int raxPrev(raxIterator *it) { return raxStep(it, -1); }
int raxEOF(raxIterator *it) { return it->eof; }

void raxStop(raxIterator *it) {
    if (it->key != it->key_buf) zfree(it->key);
    it->key = it->key_buf;
    it->key_cap = sizeof(it->key_buf);
}
