/* bstr: binary-safe, length-prefixed, NUL-terminated byte strings.
 * A bstr is a char* pointing at the bytes; the header (length, capacity, type)
 * sits just before it, in the smallest of four widths that fits, so a short key
 * costs 3 bytes of overhead. Invariant: s[len] == '\0', len <= alloc.
 * One exception: T5 is a read-only 1-byte header (type in the low 3 bits, the
 * length, under 32, in the high 5) used only for strings packed inside keyspace
 * entries (db.c) and members embedded in skiplist nodes (skiplist.c); a T5
 * string is never grown or freed on its own and its NUL may be absent (the
 * packed key is followed directly by the value). */
#ifndef BSTR_H
#define BSTR_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h> /* memcpy in bstrTmpView */
#include <sys/types.h> /* ssize_t */

typedef char *bstr;

#define BSTR_T8 0
#define BSTR_T16 1
#define BSTR_T32 2
#define BSTR_T64 3
#define BSTR_T5 4
#define BSTR_TMASK 7
#define BSTR_T5_MAXLEN 31

struct __attribute__((packed)) bstrh8 { uint8_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((packed)) bstrh16 { uint16_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((packed)) bstrh32 { uint32_t len, alloc; unsigned char flags; char buf[]; };
struct __attribute__((packed)) bstrh64 { uint64_t len, alloc; unsigned char flags; char buf[]; };

#define BSTR_HDR(T, s) ((struct bstrh##T *)((s) - sizeof(struct bstrh##T)))

static inline size_t bstrLen(const bstr s) {
    switch (s[-1] & BSTR_TMASK) {
    case BSTR_T5: return (unsigned char)s[-1] >> 3;
    case BSTR_T8: return BSTR_HDR(8, s)->len;
    case BSTR_T16: return BSTR_HDR(16, s)->len;
    case BSTR_T32: return BSTR_HDR(32, s)->len;
    default: return BSTR_HDR(64, s)->len;
    }
}
static inline size_t bstrAlloc(const bstr s) {
    switch (s[-1] & BSTR_TMASK) {
    case BSTR_T5: return (unsigned char)s[-1] >> 3;
    case BSTR_T8: return BSTR_HDR(8, s)->alloc;
    case BSTR_T16: return BSTR_HDR(16, s)->alloc;
    case BSTR_T32: return BSTR_HDR(32, s)->alloc;
    default: return BSTR_HDR(64, s)->alloc;
    }
}
static inline size_t bstrAvail(const bstr s) { return bstrAlloc(s) - bstrLen(s); }
void bstrSetLen(bstr s, size_t len); /* also writes the terminating NUL */

bstr bstrNewLen(const void *init, size_t len); /* init may be NULL: zero-filled */
bstr bstrNew(const char *cstr);
bstr bstrEmpty(void);
bstr bstrDup(const bstr s);
bstr bstrFromLongLong(long long v);
void bstrFree(bstr s);
bstr bstrMakeRoom(bstr s, size_t addlen);   /* grows greedily (amortized appends) */
bstr bstrMakeRoomExact(bstr s, size_t addlen);
void bstrIncrLen(bstr s, ssize_t incr);
bstr bstrRemoveFree(bstr s);                 /* shrink capacity to length */
size_t bstrAllocSize(const bstr s);          /* total bytes of the allocation */
bstr bstrCatLen(bstr s, const void *p, size_t len);
bstr bstrCat(bstr s, const char *cstr);
bstr bstrCatBstr(bstr s, const bstr t);
bstr bstrCpyLen(bstr s, const void *p, size_t len);
bstr bstrCatVPrintf(bstr s, const char *fmt, va_list ap);
bstr bstrCatPrintf(bstr s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bstr bstrCatRepr(bstr s, const char *p, size_t len); /* quoted, escaped form */
void bstrClear(bstr s);
void bstrRange(bstr s, ssize_t start, ssize_t end); /* inclusive, negative from end */
void bstrTrim(bstr s, const char *cset);
void bstrToLower(bstr s);
void bstrToUpper(bstr s);
int bstrCmp(const bstr a, const bstr b);
bstr *bstrSplitArgs(const char *line, int *argc); /* shell-like, quotes and \x escapes */
bstr *bstrSplitLen(const char *s, ssize_t len, const char *sep, int seplen, int *count);
void bstrFreeSplit(bstr *tokens, int count);
/* Read-only bstr views of caller bytes, for hashtable lookups that must not
 * allocate on the hot path: strings up to 255 bytes are laid out in the
 * caller's stack buffer (BSTR_TMPBUF bytes), longer ones go to the heap.
 * Never mutate or keep a view; release it with bstrTmpViewFree. */
#define BSTR_TMPBUF (sizeof(struct bstrh8) + 256)
static inline bstr bstrTmpView(char *buf, const char *s, size_t len) {
    if (len > 255) return bstrNewLen(s, len);
    struct bstrh8 *h = (struct bstrh8 *)buf;
    h->len = (uint8_t)len;
    h->alloc = (uint8_t)len;
    h->flags = BSTR_T8;
    memcpy(h->buf, s, len);
    h->buf[len] = '\0';
    return h->buf;
}
/* Writes a T5 header (len <= BSTR_T5_MAXLEN) and the bytes at dst, no NUL;
 * returns the bstr (dst + 1). */
static inline bstr bstrWriteT5(char *dst, const char *p, size_t len) {
    dst[0] = (char)(BSTR_T5 | (len << 3));
    memcpy(dst + 1, p, len);
    return dst + 1;
}
/* Two bstrs in one allocation, [hdr a][a][NUL][hdr b][b][NUL], for pairs
 * that live and die together (hash fields and their values). Both headers
 * use the width the longer string needs, so the first string's header tells
 * where the second starts. Read-only: never grow either part; free the pair
 * with bstrFree(first); bstrAllocSize(first) covers the whole pair. */
bstr bstrNewPair(const void *a, size_t alen, const void *b, size_t blen);
static inline size_t bstrHdrSizeOfType(int type) {
    switch (type) {
    case BSTR_T5: return 1;
    case BSTR_T8: return sizeof(struct bstrh8);
    case BSTR_T16: return sizeof(struct bstrh16);
    case BSTR_T32: return sizeof(struct bstrh32);
    default: return sizeof(struct bstrh64);
    }
}
static inline bstr bstrPairSecond(const bstr first) {
    return first + bstrLen(first) + 1 + bstrHdrSizeOfType(first[-1] & BSTR_TMASK);
}
static inline void bstrTmpViewFree(char *buf, bstr view) {
    if (view != ((struct bstrh8 *)buf)->buf) bstrFree(view);
}
#endif
