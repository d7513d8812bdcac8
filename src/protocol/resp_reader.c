/* resp_reader: incremental RESP2/RESP3 reply parser (see resp_reader.h).
 *
 * The reader keeps a stack of open aggregates so that a reply arriving in
 * many small pieces is parsed exactly once: each call resumes where the
 * previous one stopped instead of rescanning from the first byte. A scalar
 * item is only consumed once it is complete in the buffer, so the unit of
 * "progress" is one item (header line or header+payload). */
#include "protocol/resp_reader.h"
#include "core/zmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESP_DEFAULT_MAXBULK (512LL * 1024 * 1024)
#define RESP_DEFAULT_MAXELEMENTS (1LL << 32)
#define RESP_MAX_DEPTH 1024
/* Keep the initial element vector small: the count comes from the peer. */
#define RESP_INITIAL_ELEMENTS 1024

typedef struct respFrame {
    respValue *agg;          /* NULL while skipping or while discarding */
    long long remaining;     /* child items still expected */
    int is_attr;             /* attribute map: discarded, not counted by parent */
    size_t cap;              /* allocated slots of agg->element */
} respFrame;

struct respReader {
    char *buf;
    size_t len, pos, cap;
    long long maxbulk;
    long long maxelements;
    respFrame *stack;
    int depth, stackcap;
    int mode;                /* 0 idle, 1 building, 2 skipping */
    int top_is_error;        /* skip mode: first real top-level item was an error */
    int top_seen;            /* skip mode: first real top-level item already seen */
    respValue *root;         /* build mode: the reply under construction */
    int failed;
    char errstr[128];
};

respReader *respReaderCreate(void) {
    respReader *r = zcalloc(sizeof(*r));
    r->maxbulk = RESP_DEFAULT_MAXBULK;
    r->maxelements = RESP_DEFAULT_MAXELEMENTS;
    return r;
}

static void respResetReplyState(respReader *r) {
    /* Open aggregates are not linked to anything until they complete. */
    for (int i = 0; i < r->depth; i++) respValueFree(r->stack[i].agg);
    r->depth = 0;
    r->mode = 0;
    r->top_is_error = 0;
    r->top_seen = 0;
    if (r->root) respValueFree(r->root);
    r->root = NULL;
}

void respReaderFree(respReader *r) {
    if (!r) return;
    respResetReplyState(r);
    zfree(r->stack);
    zfree(r->buf);
    zfree(r);
}

void respReaderSetMaxBulk(respReader *r, long long maxbulk) {
    r->maxbulk = maxbulk > 0 ? maxbulk : RESP_DEFAULT_MAXBULK;
    r->maxelements = maxbulk > 0 ? maxbulk : RESP_DEFAULT_MAXELEMENTS;
}

void respReaderFeed(respReader *r, const char *buf, size_t len) {
    if (r->failed || len == 0) return;
    /* Compact lazily: moving consumed bytes costs only when they dominate. */
    if (r->pos > 0 && (r->pos == r->len || r->pos >= r->cap / 2)) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len + len > r->cap) {
        size_t ncap = r->cap ? r->cap : 16384;
        while (ncap < r->len + len) ncap *= 2;
        r->buf = zrealloc(r->buf, ncap);
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, buf, len);
    r->len += len;
}

size_t respReaderBuffered(respReader *r) { return r->len - r->pos; }

const char *respReaderError(respReader *r) { return r->failed ? r->errstr : NULL; }

static int respFail(respReader *r, const char *fmt, const char *detail) {
    snprintf(r->errstr, sizeof(r->errstr), fmt, detail);
    r->failed = 1;
    return -1;
}

void respValueFree(respValue *v) {
    if (!v) return;
    if (v->element) {
        for (size_t i = 0; i < v->elements; i++) respValueFree(v->element[i]);
        zfree(v->element);
    }
    zfree(v->str);
    zfree(v);
}

/* Strict decimal: optional '-', at least one digit, nothing else. */
static int respParseLL(const char *p, size_t n, long long *out) {
    if (n == 0 || n > 20) return 0;
    int neg = 0;
    size_t i = 0;
    if (p[0] == '-') { neg = 1; i = 1; if (n == 1) return 0; }
    unsigned long long v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        unsigned long long nv = v * 10 + (unsigned long long)(p[i] - '0');
        if (nv / 10 != v) return 0;
        v = nv;
    }
    if (neg) {
        if (v > (unsigned long long)9223372036854775807LL + 1) return 0;
        *out = (long long)(0 - v);
    } else {
        if (v > 9223372036854775807ULL) return 0;
        *out = (long long)v;
    }
    return 1;
}

/* Finds the CRLF ending the line at r->pos. Returns line length or -1 if the
 * line is incomplete (and -2 after failing on an over-long line). */
static long long respFindLine(respReader *r) {
    const char *start = r->buf + r->pos;
    size_t avail = r->len - r->pos;
    const char *cr = memchr(start, '\r', avail);
    while (cr) {
        size_t off = (size_t)(cr - start);
        if (off + 1 >= avail) break;
        if (cr[1] == '\n') return (long long)off;
        cr = memchr(cr + 1, '\r', avail - off - 1);
    }
    if ((long long)avail > r->maxbulk + 64) {
        respFail(r, "Protocol error: line too long%s", "");
        return -2;
    }
    return -1;
}

static respValue *respNewValue(int type) {
    respValue *v = zcalloc(sizeof(*v));
    v->type = type;
    return v;
}

static char *respDupBytes(const char *p, size_t n) {
    char *s = zmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static int respPushFrame(respReader *r, respValue *agg, long long count, int is_attr) {
    if (r->depth >= RESP_MAX_DEPTH) return respFail(r, "Protocol error: nesting too deep%s", "");
    if (r->depth == r->stackcap) {
        r->stackcap = r->stackcap ? r->stackcap * 2 : 8;
        r->stack = zrealloc(r->stack, sizeof(respFrame) * (size_t)r->stackcap);
    }
    respFrame *f = &r->stack[r->depth++];
    f->agg = agg;
    f->remaining = count;
    f->is_attr = is_attr;
    /* Trust the announced count only up to a bound: it comes from the peer. */
    f->cap = 0;
    if (agg && count > 0) {
        f->cap = count < RESP_INITIAL_ELEMENTS ? (size_t)count : RESP_INITIAL_ELEMENTS;
        agg->element = zmalloc(sizeof(respValue *) * f->cap);
    }
    return 0;
}

static int respInsideDiscard(respReader *r) {
    for (int i = 0; i < r->depth; i++)
        if (r->stack[i].is_attr) return 1;
    return 0;
}

/* Attaches a finished value to the innermost open aggregate (or makes it the root). */
static void respAttach(respReader *r, respValue *v) {
    if (r->depth == 0) { r->root = v; return; }
    respFrame *f = &r->stack[r->depth - 1];
    if (!f->agg) { respValueFree(v); return; }
    respValue *a = f->agg;
    if (a->elements == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 4;
        a->element = zrealloc(a->element, sizeof(respValue *) * f->cap);
    }
    a->element[a->elements++] = v;
}

/* Called after a child item is complete: closes every aggregate that just became
 * full. Returns 1 when the whole top-level reply is complete. */
static int respItemDone(respReader *r, int counts) {
    if (r->depth == 0) return 1;
    if (counts) r->stack[r->depth - 1].remaining--;
    while (r->depth > 0 && r->stack[r->depth - 1].remaining == 0) {
        respFrame f = r->stack[--r->depth];
        if (f.is_attr) {
            /* An attribute annotates the next item: it does not count as one. */
            if (f.agg) respValueFree(f.agg);
            if (r->depth == 0) return 0;
            continue;
        }
        if (r->depth == 0) {
            if (f.agg) r->root = f.agg;
            return 1;
        }
        if (f.agg) respAttach(r, f.agg);
        r->stack[r->depth - 1].remaining--;
    }
    return r->depth == 0;
}

static int respTypeFromPrefix(char c) {
    switch (c) {
    case '$': return RESP_T_STRING;
    case '*': return RESP_T_ARRAY;
    case ':': return RESP_T_INTEGER;
    case '_': return RESP_T_NIL;
    case '+': return RESP_T_STATUS;
    case '-': return RESP_T_ERROR;
    case '!': return RESP_T_ERROR;
    case ',': return RESP_T_DOUBLE;
    case '#': return RESP_T_BOOL;
    case '%': return RESP_T_MAP;
    case '~': return RESP_T_SET;
    case '|': return RESP_T_ATTR;
    case '>': return RESP_T_PUSH;
    case '(': return RESP_T_BIGNUM;
    case '=': return RESP_T_VERB;
    default: return 0;
    }
}

static int respValidDouble(const char *p, size_t n, double *out) {
    char tmp[512];
    if (n == 0 || n >= sizeof(tmp)) return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    if (!strcasecmp(tmp, "inf") || !strcasecmp(tmp, "+inf")) { *out = 1.0 / 0.0; return 1; }
    if (!strcasecmp(tmp, "-inf")) { *out = -1.0 / 0.0; return 1; }
    if (!strcasecmp(tmp, "nan") || !strcasecmp(tmp, "-nan")) { *out = 0.0 / 0.0; return 1; }
    for (size_t i = 0; i < n; i++) {
        char c = tmp[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
            return 0;
    }
    char *end;
    errno = 0;
    *out = strtod(tmp, &end);
    return *end == '\0';
}

static int respValidBignum(const char *p, size_t n) {
    size_t i = (n > 0 && (p[0] == '-' || p[0] == '+')) ? 1 : 0;
    if (i == n) return 0;
    for (; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    return 1;
}

/* Parses one item at r->pos. Returns 1 when the top-level reply completed,
 * 0 when the item was consumed but the reply continues, 2 when more bytes are
 * needed, -1 on protocol error. */
static int respParseItem(respReader *r, int build) {
    if (r->len - r->pos < 1) return 2;
    char prefix = r->buf[r->pos];
    int type = respTypeFromPrefix(prefix);
    if (!type) {
        char d[8];
        snprintf(d, sizeof(d), "%02x", (unsigned char)prefix);
        return respFail(r, "Protocol error, got \"\\x%s\" as reply type byte", d);
    }
    long long linelen = respFindLine(r);
    if (linelen == -2) return -1;
    if (linelen < 0) return 2;
    const char *line = r->buf + r->pos + 1;
    size_t n = (size_t)linelen - 1;
    size_t after_line = r->pos + (size_t)linelen + 2;
    int discarding = !build || respInsideDiscard(r);
    respValue *v = NULL;

    switch (type) {
    case RESP_T_STATUS:
    case RESP_T_ERROR:
    case RESP_T_DOUBLE:
    case RESP_T_BIGNUM:
    case RESP_T_INTEGER:
    case RESP_T_BOOL:
    case RESP_T_NIL: {
        if (prefix == '!') break; /* blob error: handled with bulks below */
        double d = 0;
        long long ll = 0;
        if (type == RESP_T_INTEGER && !respParseLL(line, n, &ll))
            return respFail(r, "Bad integer value%s", "");
        if (type == RESP_T_DOUBLE && !respValidDouble(line, n, &d))
            return respFail(r, "Bad double value%s", "");
        if (type == RESP_T_BIGNUM && !respValidBignum(line, n))
            return respFail(r, "Bad big number value%s", "");
        if (type == RESP_T_BOOL) {
            if (n != 1 || (line[0] != 't' && line[0] != 'f')) return respFail(r, "Bad bool value%s", "");
            ll = line[0] == 't';
        }
        if (type == RESP_T_NIL && n != 0) return respFail(r, "Bad nil value%s", "");
        if (r->depth == 0 && type == RESP_T_ERROR) r->top_is_error = 1;
        if (!discarding) {
            v = respNewValue(type);
            v->integer = ll;
            v->dval = d;
            if (type != RESP_T_INTEGER && type != RESP_T_BOOL && type != RESP_T_NIL) {
                v->str = respDupBytes(line, n);
                v->len = n;
            }
        }
        r->pos = after_line;
        if (v) respAttach(r, v);
        return respItemDone(r, 1);
    }
    default:
        break;
    }

    long long count;
    if (!respParseLL(line, n, &count)) return respFail(r, "Bad length%s", "");

    if (type == RESP_T_STRING || type == RESP_T_VERB || prefix == '!') {
        if (count == -1 && prefix == '$') {
            r->pos = after_line;
            if (!discarding) respAttach(r, respNewValue(RESP_T_NIL));
            return respItemDone(r, 1);
        }
        if (count < 0 || count > r->maxbulk) return respFail(r, "Bulk string length out of range%s", "");
        size_t total = (size_t)count;
        if (r->len - after_line < total + 2) return 2;
        const char *payload = r->buf + after_line;
        if (payload[total] != '\r' || payload[total + 1] != '\n')
            return respFail(r, "Bad bulk string terminator%s", "");
        if (type == RESP_T_VERB && (total < 4 || payload[3] != ':'))
            return respFail(r, "Bad verbatim string%s", "");
        if (r->depth == 0 && prefix == '!') r->top_is_error = 1;
        if (!discarding) {
            v = respNewValue(type);
            if (type == RESP_T_VERB) {
                memcpy(v->vformat, payload, 3);
                v->vformat[3] = '\0';
                v->str = respDupBytes(payload + 4, total - 4);
                v->len = total - 4;
            } else {
                v->str = respDupBytes(payload, total);
                v->len = total;
            }
        }
        r->pos = after_line + total + 2;
        if (v) respAttach(r, v);
        return respItemDone(r, 1);
    }

    /* Aggregates. */
    if (count == -1 && (prefix == '*' || prefix == '>')) {
        r->pos = after_line;
        if (!discarding) respAttach(r, respNewValue(RESP_T_NIL));
        return respItemDone(r, 1);
    }
    long long items = count;
    if (count < 0 || count > r->maxelements) return respFail(r, "Multi-bulk length out of range%s", "");
    if (type == RESP_T_MAP || type == RESP_T_ATTR) {
        if (count > r->maxelements / 2) return respFail(r, "Multi-bulk length out of range%s", "");
        items = count * 2;
    }
    int is_attr = type == RESP_T_ATTR;
    /* Top-level attributes are returned on their own in build mode. */
    int standalone_attr = is_attr && r->depth == 0 && build;
    if (!discarding || standalone_attr) {
        v = respNewValue(type);
    }
    r->pos = after_line;
    if (items == 0) {
        if (is_attr && !standalone_attr) { respValueFree(v); return 0; }
        if (v) respAttach(r, v);
        return respItemDone(r, 1);
    }
    if (respPushFrame(r, v, items, is_attr && !standalone_attr) < 0) {
        respValueFree(v);
        return -1;
    }
    return 0;
}

static int respRun(respReader *r, int build) {
    if (r->failed) return -1;
    int mode = build ? 1 : 2;
    if (r->mode != 0 && r->mode != mode)
        return respFail(r, "Reader misuse: reply started in another mode%s", "");
    r->mode = mode;
    for (;;) {
        int rc = respParseItem(r, build);
        if (rc == -1) return -1;
        if (rc == 2) return 0;
        if (rc == 1) return 1;
    }
}

int respReaderGetReply(respReader *r, respValue **out) {
    *out = NULL;
    int rc = respRun(r, 1);
    if (rc == 1) {
        *out = r->root;
        r->root = NULL;
        respResetReplyState(r);
    }
    return rc;
}

int respReaderSkipReply(respReader *r, int *is_error) {
    int rc = respRun(r, 0);
    if (rc == 1) {
        if (is_error) *is_error = r->top_is_error;
        respResetReplyState(r);
    }
    return rc;
}

char *respFormatCommandArgv(int argc, const char **argv, const size_t *argvlen, size_t *outlen) {
    size_t total = 32;
    for (int i = 0; i < argc; i++) {
        size_t l = argvlen ? argvlen[i] : strlen(argv[i]);
        total += l + 32;
    }
    char *buf = zmalloc(total);
    size_t pos = (size_t)snprintf(buf, total, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t l = argvlen ? argvlen[i] : strlen(argv[i]);
        pos += (size_t)snprintf(buf + pos, total - pos, "$%zu\r\n", l);
        memcpy(buf + pos, argv[i], l);
        pos += l;
        buf[pos++] = '\r';
        buf[pos++] = '\n';
    }
    buf[pos] = '\0';
    if (outlen) *outlen = pos;
    return buf;
}
