/* idset: sorted id array. See idset.h. */
#include "ds/idset.h"
#include "core/zmalloc.h"
#include <string.h>

idset *idsetNew(void) {
    idset *s = zmalloc(sizeof(*s) + sizeof(uint64_t));
    s->len = 0;
    s->cap = 1;
    return s;
}

void idsetFree(idset *s) { zfree(s); }

/* Index of the first id >= id. */
static uint32_t lowerBound(const idset *s, uint64_t id) {
    uint32_t lo = 0, hi = s->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int idsetContains(const idset *s, uint64_t id) {
    uint32_t i = lowerBound(s, id);
    return i < s->len && s->ids[i] == id;
}

int idsetAdd(idset **sp, uint64_t id) {
    idset *s = *sp;
    uint32_t i = lowerBound(s, id);
    if (i < s->len && s->ids[i] == id) return 0;
    if (s->len == s->cap) {
        /* Small sets grow by one slot: most stay at one or two ids. */
        uint32_t cap = s->cap < 4 ? s->cap + 1 : s->cap * 2;
        s = zrealloc(s, sizeof(*s) + sizeof(uint64_t) * cap);
        s->cap = cap;
        *sp = s;
    }
    memmove(s->ids + i + 1, s->ids + i, sizeof(uint64_t) * (s->len - i));
    s->ids[i] = id;
    s->len++;
    return 1;
}

int idsetRemove(idset *s, uint64_t id) {
    uint32_t i = lowerBound(s, id);
    if (i >= s->len || s->ids[i] != id) return 0;
    memmove(s->ids + i, s->ids + i + 1, sizeof(uint64_t) * (s->len - i - 1));
    s->len--;
    return 1;
}

size_t idsetAllocSize(const idset *s) { return sizeof(*s) + sizeof(uint64_t) * s->cap; }
