#include "ds/bstr.h"
#include "core/zmalloc.h"
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int typeFor(size_t n) {
    if (n < 256) return BSTR_T8;
    if (n < 65536) return BSTR_T16;
    if (n < 4294967296ULL) return BSTR_T32;
    return BSTR_T64;
}
static size_t hdrSize(int type) { return bstrHdrSizeOfType(type); }
static size_t typeMax(int type) {
    switch (type) {
    case BSTR_T8: return 255;
    case BSTR_T16: return 65535;
    case BSTR_T32: return 4294967295ULL;
    default: return SIZE_MAX;
    }
}

static void setHeader(char *s, int type, size_t len, size_t alloc) {
    s[-1] = (char)type;
    switch (type) {
    case BSTR_T8: BSTR_HDR(8, s)->len = len; BSTR_HDR(8, s)->alloc = alloc; break;
    case BSTR_T16: BSTR_HDR(16, s)->len = len; BSTR_HDR(16, s)->alloc = alloc; break;
    case BSTR_T32: BSTR_HDR(32, s)->len = len; BSTR_HDR(32, s)->alloc = alloc; break;
    default: BSTR_HDR(64, s)->len = len; BSTR_HDR(64, s)->alloc = alloc; break;
    }
}

void bstrSetLen(bstr s, size_t len) {
    switch (s[-1] & BSTR_TMASK) {
    case BSTR_T5: s[-1] = (char)(BSTR_T5 | (len << 3)); return; /* packed: no NUL slot */
    case BSTR_T8: BSTR_HDR(8, s)->len = len; break;
    case BSTR_T16: BSTR_HDR(16, s)->len = len; break;
    case BSTR_T32: BSTR_HDR(32, s)->len = len; break;
    default: BSTR_HDR(64, s)->len = len; break;
    }
    s[len] = '\0';
}

static void setAlloc(bstr s, size_t alloc) {
    switch (s[-1] & BSTR_TMASK) {
    case BSTR_T5: break; /* capacity is the length */
    case BSTR_T8: BSTR_HDR(8, s)->alloc = alloc; break;
    case BSTR_T16: BSTR_HDR(16, s)->alloc = alloc; break;
    case BSTR_T32: BSTR_HDR(32, s)->alloc = alloc; break;
    default: BSTR_HDR(64, s)->alloc = alloc; break;
    }
}

/* Allocate with room for `cap` bytes; the usable size the allocator grants is
 * claimed as capacity (up to the header type's maximum). */
static bstr allocWith(const void *init, size_t len, size_t cap) {
    int type = typeFor(cap);
    size_t hs = hdrSize(type);
    char *base = zmalloc(hs + cap + 1);
    size_t usable = zmalloc_size(base) - hs - 1;
    if (usable > typeMax(type)) usable = typeMax(type);
    char *s = base + hs;
    setHeader(s, type, len, usable);
    if (len) {
        if (init) memcpy(s, init, len);
        else memset(s, 0, len);
    }
    s[len] = '\0';
    return s;
}

bstr bstrNewPair(const void *a, size_t alen, const void *b, size_t blen) {
    int type = typeFor(alen > blen ? alen : blen);
    size_t hs = hdrSize(type);
    char *base = zmalloc(2 * hs + alen + blen + 2);
    char *first = base + hs, *second = first + alen + 1 + hs;
    setHeader(first, type, alen, alen);
    setHeader(second, type, blen, blen);
    if (alen) memcpy(first, a, alen);
    if (blen) memcpy(second, b, blen);
    first[alen] = '\0';
    second[blen] = '\0';
    return first;
}

bstr bstrNewLen(const void *init, size_t len) { return allocWith(init, len, len); }
bstr bstrNew(const char *cstr) { return bstrNewLen(cstr, cstr ? strlen(cstr) : 0); }
bstr bstrEmpty(void) { return bstrNewLen("", 0); }
bstr bstrDup(const bstr s) { return bstrNewLen(s, bstrLen(s)); }

bstr bstrFromLongLong(long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld", v);
    return bstrNewLen(buf, (size_t)n);
}

void bstrFree(bstr s) {
    if (s) zfree(s - hdrSize(s[-1] & BSTR_TMASK));
}

size_t bstrAllocSize(const bstr s) { return zmalloc_size(s - hdrSize(s[-1] & BSTR_TMASK)); }

static bstr growTo(bstr s, size_t newcap) {
    size_t len = bstrLen(s);
    int oldtype = s[-1] & BSTR_TMASK;
    int type = typeFor(newcap);
    if (type == oldtype) {
        size_t hs = hdrSize(type);
        char *base = zrealloc(s - hs, hs + newcap + 1);
        size_t usable = zmalloc_size(base) - hs - 1;
        if (usable > typeMax(type)) usable = typeMax(type);
        s = base + hs;
        setAlloc(s, usable);
        return s;
    }
    bstr n = allocWith(s, len, newcap);
    bstrFree(s);
    return n;
}

bstr bstrMakeRoom(bstr s, size_t addlen) {
    size_t len = bstrLen(s);
    if (bstrAvail(s) >= addlen) return s;
    size_t need = len + addlen;
    size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
    return growTo(s, cap);
}

bstr bstrMakeRoomExact(bstr s, size_t addlen) {
    if (bstrAvail(s) >= addlen) return s;
    return growTo(s, bstrLen(s) + addlen);
}

void bstrIncrLen(bstr s, ssize_t incr) { bstrSetLen(s, (size_t)((ssize_t)bstrLen(s) + incr)); }

bstr bstrRemoveFree(bstr s) {
    size_t len = bstrLen(s);
    if (bstrAvail(s) == 0) return s;
    bstr n = bstrNewLen(s, len);
    bstrFree(s);
    return n;
}

bstr bstrCatLen(bstr s, const void *p, size_t len) {
    size_t cur = bstrLen(s);
    s = bstrMakeRoom(s, len);
    memcpy(s + cur, p, len);
    bstrSetLen(s, cur + len);
    return s;
}
bstr bstrCat(bstr s, const char *cstr) { return bstrCatLen(s, cstr, strlen(cstr)); }
bstr bstrCatBstr(bstr s, const bstr t) { return bstrCatLen(s, t, bstrLen(t)); }

bstr bstrCpyLen(bstr s, const void *p, size_t len) {
    if (bstrAlloc(s) < len) s = bstrMakeRoomExact(s, len - bstrLen(s));
    memmove(s, p, len);
    bstrSetLen(s, len);
    return s;
}

bstr bstrCatVPrintf(bstr s, const char *fmt, va_list ap) {
    char stackbuf[512];
    va_list cpy;
    va_copy(cpy, ap);
    int n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, cpy);
    va_end(cpy);
    if (n < 0) return s;
    if ((size_t)n < sizeof(stackbuf)) return bstrCatLen(s, stackbuf, (size_t)n);
    char *buf = zmalloc((size_t)n + 1);
    va_copy(cpy, ap);
    vsnprintf(buf, (size_t)n + 1, fmt, cpy);
    va_end(cpy);
    s = bstrCatLen(s, buf, (size_t)n);
    zfree(buf);
    return s;
}

bstr bstrCatPrintf(bstr s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    s = bstrCatVPrintf(s, fmt, ap);
    va_end(ap);
    return s;
}

bstr bstrCatRepr(bstr s, const char *p, size_t len) {
    s = bstrCatLen(s, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '\\': case '"': s = bstrCatPrintf(s, "\\%c", c); break;
        case '\n': s = bstrCatLen(s, "\\n", 2); break;
        case '\r': s = bstrCatLen(s, "\\r", 2); break;
        case '\t': s = bstrCatLen(s, "\\t", 2); break;
        case '\a': s = bstrCatLen(s, "\\a", 2); break;
        case '\b': s = bstrCatLen(s, "\\b", 2); break;
        default:
            if (isprint(c)) s = bstrCatLen(s, (char *)&c, 1);
            else s = bstrCatPrintf(s, "\\x%02x", c);
        }
    }
    return bstrCatLen(s, "\"", 1);
}

void bstrClear(bstr s) { bstrSetLen(s, 0); }

void bstrRange(bstr s, ssize_t start, ssize_t end) {
    ssize_t len = (ssize_t)bstrLen(s);
    if (len == 0) return;
    if (start < 0) { start += len; if (start < 0) start = 0; }
    if (end < 0) { end += len; if (end < 0) end = 0; }
    ssize_t newlen = (start > end) ? 0 : end - start + 1;
    if (newlen != 0) {
        if (start >= len) newlen = 0;
        else if (end >= len) { end = len - 1; newlen = end - start + 1; }
    }
    if (start && newlen) memmove(s, s + start, (size_t)newlen);
    bstrSetLen(s, (size_t)newlen);
}

void bstrTrim(bstr s, const char *cset) {
    size_t len = bstrLen(s), a = 0, b = len;
    while (a < b && strchr(cset, s[a])) a++;
    while (b > a && strchr(cset, s[b - 1])) b--;
    if (a) memmove(s, s + a, b - a);
    bstrSetLen(s, b - a);
}

void bstrToLower(bstr s) { for (size_t i = 0, l = bstrLen(s); i < l; i++) s[i] = (char)tolower((unsigned char)s[i]); }
void bstrToUpper(bstr s) { for (size_t i = 0, l = bstrLen(s); i < l; i++) s[i] = (char)toupper((unsigned char)s[i]); }

int bstrCmp(const bstr a, const bstr b) {
    size_t la = bstrLen(a), lb = bstrLen(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : (la > lb);
}

static int hexVal(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Tokenizes a line like a shell: spaces separate, "double quotes" support
 * \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' support only \'.
 * A closing quote must be followed by a space or the end. NULL on bad syntax. */
bstr *bstrSplitArgs(const char *line, int *argc) {
    const char *p = line;
    bstr *vec = NULL;
    *argc = 0;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) {
            if (!vec) vec = zmalloc(sizeof(bstr));
            return vec;
        }
        int inq = 0, insq = 0, done = 0;
        bstr cur = bstrEmpty();
        while (!done) {
            if (inq) {
                if (!*p) goto err;
                if (*p == '\\' && p[1] == 'x' && hexVal(p[2]) >= 0 && hexVal(p[3]) >= 0) {
                    char c = (char)(hexVal(p[2]) * 16 + hexVal(p[3]));
                    cur = bstrCatLen(cur, &c, 1);
                    p += 3;
                } else if (*p == '\\' && p[1]) {
                    char c;
                    p++;
                    switch (*p) {
                    case 'n': c = '\n'; break;
                    case 'r': c = '\r'; break;
                    case 't': c = '\t'; break;
                    case 'b': c = '\b'; break;
                    case 'a': c = '\a'; break;
                    default: c = *p; break;
                    }
                    cur = bstrCatLen(cur, &c, 1);
                } else if (*p == '"') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto err;
                    done = 1;
                } else {
                    cur = bstrCatLen(cur, p, 1);
                }
            } else if (insq) {
                if (!*p) goto err;
                if (*p == '\\' && p[1] == '\'') {
                    p++;
                    cur = bstrCatLen(cur, "'", 1);
                } else if (*p == '\'') {
                    if (p[1] && !isspace((unsigned char)p[1])) goto err;
                    done = 1;
                } else {
                    cur = bstrCatLen(cur, p, 1);
                }
            } else {
                switch (*p) {
                case ' ': case '\n': case '\r': case '\t': case '\0': done = 1; break;
                case '"': inq = 1; break;
                case '\'': insq = 1; break;
                default: cur = bstrCatLen(cur, p, 1); break;
                }
            }
            if (*p) p++;
        }
        vec = zrealloc(vec, (size_t)(*argc + 1) * sizeof(bstr));
        vec[(*argc)++] = cur;
        continue;
    err:
        bstrFree(cur);
        bstrFreeSplit(vec, *argc);
        *argc = 0;
        return NULL;
    }
}

bstr *bstrSplitLen(const char *s, ssize_t len, const char *sep, int seplen, int *count) {
    bstr *tokens = NULL;
    int n = 0;
    ssize_t start = 0;
    *count = 0;
    if (len < 0 || seplen < 1) return NULL;
    for (ssize_t j = 0; j + seplen <= len; j++) {
        if (memcmp(s + j, sep, (size_t)seplen) == 0) {
            tokens = zrealloc(tokens, sizeof(bstr) * (size_t)(n + 1));
            tokens[n++] = bstrNewLen(s + start, (size_t)(j - start));
            start = j + seplen;
            j += seplen - 1;
        }
    }
    tokens = zrealloc(tokens, sizeof(bstr) * (size_t)(n + 1));
    tokens[n++] = bstrNewLen(s + start, (size_t)(len - start));
    *count = n;
    return tokens;
}

void bstrFreeSplit(bstr *tokens, int count) {
    if (!tokens) return;
    for (int i = 0; i < count; i++) bstrFree(tokens[i]);
    zfree(tokens);
}
