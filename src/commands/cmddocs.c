/* cmddocs: the "arguments" part of COMMAND DOCS. Each command row carries a
 * one-line synopsis ("key value [NX|XX] [EX seconds|PX milliseconds]"); this
 * file parses it into the argument tree Valkey publishes (name, type, token,
 * flags, nested oneof/block arguments), because valkey-cli and client
 * libraries build hints and completion from that tree, not from text.
 *
 * Grammar of a synopsis:
 *   [ ... ]        optional group          < ... >   mandatory group
 *   a|b  a | b     alternatives: inside a group they split the group into
 *                  sequences; at top level an unspaced bar joins single words
 *                  ("LEFT|RIGHT"), a spaced one splits the whole line
 *   x [x ...]      x repeated (x may be several items: "field value [field value ...]")
 *   UPPERCASE      a literal token; followed by a value it becomes that value's token
 * Types come from argument names; the few rows whose synopsis cannot carry
 * Valkey's shape, and the names Valkey gives to groups, are in docOverrides. */
#include "commands/cmddocs.h"
#include "server/server.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { AT_STRING, AT_INTEGER, AT_DOUBLE, AT_KEY, AT_PATTERN, AT_UNIXTIME, AT_PURETOKEN, AT_ONEOF, AT_BLOCK };
static const char *const argTypeNames[] = {"string", "integer", "double", "key", "pattern",
                                           "unix-time", "pure-token", "oneof", "block"};

#define AF_OPTIONAL 1
#define AF_MULTIPLE 2
#define AF_MULTIPLE_TOKEN 4

typedef struct docArg {
    char *name;
    char *display; /* shown text when it differs from the name, e.g. "ip:port" */
    char *token;
    int type;
    int keyspec;   /* -1 unless a key */
    int flags;
    int renamed;   /* an override already renamed it */
    struct docArg **sub;
    int nsub;
} docArg;

/* ---------- lexing and raw parse ---------- */

enum { LX_WORD, LX_OPEN_OPT, LX_CLOSE_OPT, LX_OPEN_REQ, LX_CLOSE_REQ, LX_BAR, LX_DOTS, LX_END };

typedef struct lexer {
    const char *p;
    int kind;
    int spaced;        /* LX_BAR: blank on both sides */
    const char *word;
    size_t wlen;
} lexer;

static void lexNext(lexer *lx) {
    int blank_before = 0;
    while (*lx->p == ' ') { lx->p++; blank_before = 1; }
    const char *s = lx->p;
    lx->word = s;
    lx->wlen = 0;
    switch (*s) {
    case '\0': lx->kind = LX_END; return;
    case '[': lx->kind = LX_OPEN_OPT; lx->p++; return;
    case ']': lx->kind = LX_CLOSE_OPT; lx->p++; return;
    case '<': lx->kind = LX_OPEN_REQ; lx->p++; return;
    case '>': lx->kind = LX_CLOSE_REQ; lx->p++; return;
    case '|':
        lx->kind = LX_BAR;
        lx->p++;
        lx->spaced = blank_before && *lx->p == ' ';
        return;
    }
    while (*lx->p && !strchr(" []<>|", *lx->p)) lx->p++;
    lx->wlen = (size_t)(lx->p - s);
    lx->kind = (lx->wlen == 3 && !memcmp(s, "...", 3)) ? LX_DOTS : LX_WORD;
}

enum { RN_WORD, RN_GROUP, RN_DOTS };

struct rnode;
typedef struct rseq {
    struct rnode **items;
    int n;
} rseq;

typedef struct rnode {
    int kind;
    char *word;
    int optional;
    int wordalt; /* top-level "A|B|C": every alternative is one word */
    int spaced;  /* some bar of the group had blanks around it ("a | b") */
    rseq *alts;
    int nalts;
} rnode;

static void rseqPush(rseq *s, rnode *n) {
    s->items = zrealloc(s->items, sizeof(rnode *) * (size_t)(s->n + 1));
    s->items[s->n++] = n;
}

static rnode *rnodeNew(int kind) {
    rnode *n = zcalloc(sizeof(*n));
    n->kind = kind;
    return n;
}

static void rseqFree(rseq *s);
static void rnodeFree(rnode *n) {
    zfree(n->word);
    for (int i = 0; i < n->nalts; i++) rseqFree(&n->alts[i]);
    zfree(n->alts);
    zfree(n);
}

static void rseqFree(rseq *s) {
    for (int i = 0; i < s->n; i++) rnodeFree(s->items[i]);
    zfree(s->items);
}

static rseq *newAlt(rnode *g) {
    g->alts = zrealloc(g->alts, sizeof(rseq) * (size_t)(g->nalts + 1));
    rseq *s = &g->alts[g->nalts++];
    s->items = NULL;
    s->n = 0;
    return s;
}

static rnode *wordNode(lexer *lx) {
    rnode *w = rnodeNew(lx->kind == LX_DOTS ? RN_DOTS : RN_WORD);
    w->word = zmalloc(lx->wlen + 1);
    memcpy(w->word, lx->word, lx->wlen);
    w->word[lx->wlen] = '\0';
    return w;
}

/* Fills g's alternatives up to `closer` (LX_END at top level). */
static void parseGroupBody(lexer *lx, rnode *g, int closer, int toplevel) {
    rseq *cur = newAlt(g);
    for (;;) {
        lexNext(lx);
        if (lx->kind == closer || lx->kind == LX_END) return;
        if (lx->kind == LX_CLOSE_OPT || lx->kind == LX_CLOSE_REQ) continue; /* stray closer */
        if (lx->kind == LX_BAR) {
            rnode *prev = cur->n ? cur->items[cur->n - 1] : NULL;
            if (toplevel && !lx->spaced && prev && (prev->kind == RN_WORD || prev->wordalt)) {
                lexNext(lx);
                if (lx->kind != LX_WORD) continue;
                if (prev->kind == RN_WORD) {
                    rnode *alt = rnodeNew(RN_GROUP);
                    alt->wordalt = 1;
                    rseqPush(newAlt(alt), prev);
                    cur->items[cur->n - 1] = alt;
                    prev = alt;
                }
                rseqPush(newAlt(prev), wordNode(lx));
                continue;
            }
            if (lx->spaced) g->spaced = 1;
            cur = newAlt(g);
            continue;
        }
        if (lx->kind == LX_OPEN_OPT || lx->kind == LX_OPEN_REQ) {
            rnode *sub = rnodeNew(RN_GROUP);
            sub->optional = lx->kind == LX_OPEN_OPT;
            parseGroupBody(lx, sub, sub->optional ? LX_CLOSE_OPT : LX_CLOSE_REQ, 0);
            rseqPush(cur, sub);
            continue;
        }
        rseqPush(cur, wordNode(lx));
    }
}

static int rnodeEq(const rnode *a, const rnode *b);
static int rseqEq(const rseq *a, int an, const rseq *b, int bn) {
    if (an != bn) return 0;
    for (int i = 0; i < an; i++) {
        if (a->items[i] == NULL || b->items[i] == NULL) return 0;
        if (!rnodeEq(a->items[i], b->items[i])) return 0;
    }
    return 1;
}

static int rnodeEq(const rnode *a, const rnode *b) {
    if (a->kind != b->kind) return 0;
    if (a->kind != RN_GROUP) return !strcmp(a->word, b->word);
    if (a->optional != b->optional || a->nalts != b->nalts) return 0;
    for (int i = 0; i < a->nalts; i++)
        if (!rseqEq(&a->alts[i], a->alts[i].n, &b->alts[i], b->alts[i].n)) return 0;
    return 1;
}

/* ---------- building the argument tree ---------- */

typedef struct argList {
    docArg **v;
    int n;
} argList;

static void argPush(argList *l, docArg *a) {
    l->v = zrealloc(l->v, sizeof(docArg *) * (size_t)(l->n + 1));
    l->v[l->n++] = a;
}

static void docArgFree(docArg *a) {
    if (!a) return;
    for (int i = 0; i < a->nsub; i++) docArgFree(a->sub[i]);
    zfree(a->sub);
    zfree(a->name);
    zfree(a->display);
    zfree(a->token);
    zfree(a);
}

static char *lowerDup(const char *s) {
    char *d = zstrdup(s);
    for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
    return d;
}

static docArg *argNew(int type, const char *name) {
    docArg *a = zcalloc(sizeof(*a));
    a->type = type;
    a->keyspec = -1;
    a->name = zstrdup(name);
    return a;
}

static docArg *containerNew(int type, const char *name, argList *children) {
    docArg *a = argNew(type, name);
    a->sub = children->v;
    a->nsub = children->n;
    return a;
}

/* A literal: upper-case letters (digits and dashes allowed), or one of the
 * symbol tokens of XADD/XTRIM/XGROUP. */
static int isTokenWord(const rnode *n) {
    if (!n || n->kind != RN_WORD) return 0;
    const char *w = n->word;
    if (!strcmp(w, "*") || !strcmp(w, "=") || !strcmp(w, "~") || !strcmp(w, "$")) return 1;
    int upper = 0;
    for (const char *p = w; *p; p++) {
        if (isupper((unsigned char)*p)) upper = 1;
        else if (!isdigit((unsigned char)*p) && *p != '-' && *p != '_') return 0;
    }
    return upper;
}

static const char *symbolTokenName(const char *w) {
    static const struct { const char *tok, *name; } names[] = {
        {"*", "auto-id"}, {"=", "equal"}, {"~", "approximately"}, {"$", "new-id"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(w, names[i].tok)) return names[i].name;
    return NULL;
}

static int nameIn(const char *name, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(name, *list)) return 1;
    return 0;
}

/* Valkey's type for a value argument, judged by its name; rows where the
 * same name means something else are fixed by docOverrides. */
static int inferType(const char *name) {
    static const char *const keys[] = {"key", "key1", "key2", "newkey", "destkey", "sourcekey", "source",
                                       "destination", "dst", "src", NULL};
    static const char *const ints[] = {"count", "seconds", "milliseconds", "index", "start", "end", "stop",
                                       "offset", "numkeys", "numreplicas", "db", "destination-db", "rank",
                                       "num-matches", "len", "limit", "bits", "weight", "client-id", "min-idle-time",
                                       "ms", "min-match-len", "frequency", "protover", "port", "bit",
                                       "index1", "index2", "decrement", "increment", "entries-read",
                                       "entries-added", "ttl", "version", "timeout", "cursor",
                                       NULL};
    static const char *const doubles[] = {"score", "longitude", "latitude", "radius", "width", "height",
                                          NULL};
    if (nameIn(name, keys)) return AT_KEY;
    if (!strcmp(name, "pattern")) return AT_PATTERN;
    if (!strncmp(name, "unix-time", 9)) return AT_UNIXTIME;
    if (nameIn(name, ints)) return AT_INTEGER;
    if (nameIn(name, doubles)) return AT_DOUBLE;
    return AT_STRING;
}

static int validNameChars(const char *w) {
    for (const char *p = w; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-') return 0;
    return 1;
}

static docArg *wordArg(const rnode *w) {
    if (isTokenWord(w)) {
        const char *sym = symbolTokenName(w->word);
        docArg *a = argNew(AT_PURETOKEN, "");
        zfree(a->name);
        a->name = sym ? zstrdup(sym) : lowerDup(w->word);
        a->token = zstrdup(w->word);
        return a;
    }
    docArg *a = argNew(inferType(w->word), w->word);
    if (!validNameChars(w->word)) {
        /* "ip:port", "yes/no": keep the text for display, give a usable name */
        a->display = zstrdup(w->word);
        zfree(a->name);
        a->name = lowerDup(w->word);
        for (char *p = a->name; *p; p++)
            if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) *p = '-';
    }
    return a;
}

static void setToken(docArg *a, const char *tok) {
    a->token = zstrdup(tok);
    if (a->display) {
        /* Valkey names such arguments after their token ("ADDR ip:port" is "addr"). */
        zfree(a->name);
        a->name = lowerDup(tok);
    }
}

static void convertSeq(const rseq *s, int from, argList *out);
static docArg *convertBody(const rseq *s, int from);

/* Names Valkey gives to the common untitled choices, keyed by their members. */
static const char *oneofDefaultName(const docArg *a) {
    static const struct { const char *members, *name; } names[] = {
        {"nx|xx", "condition"}, {"gt|lt", "comparison"}, {"nx|xx|gt|lt", "condition"},
        {"async|sync", "flush-type"}, {"asc|desc", "order"}, {"m|km|ft|mi", "unit"},
        {"byte|bit", "unit"}, {"before|after", "where"}, {"left|right", "where"},
        {"min|max", "where"}, {"byscore|bylex", "sortby"}, {"maxlen|minid", "strategy"},
        {"equal|approximately", "operator"}, {"auto-id|id", "id-selector"},
        {"id|new-id", "id-selector"}, {"flush|append|replace", "policy"},
        {"and|or|xor|not", "operation"}, {"nosave|save", "save-selector"},
        {"seconds|milliseconds|unix-time-seconds|unix-time-milliseconds|keepttl", "expiration"},
        {"seconds|milliseconds|unix-time-seconds|unix-time-milliseconds|persist", "expiration"},
        {"yes|no", "mode"}, {"on|off", "status"}, {"write|all", "mode"}, {"timeout|error", "unblock-type"},
        {"sum|min|max", "aggregate"}, {"count|reset", "operation"}, {"yes|sync|no", "mode"},
        {"on|off|skip", "action"}};
    char key[256];
    size_t len = 0;
    key[0] = '\0';
    for (int i = 0; i < a->nsub && len < sizeof(key) - 1; i++) {
        int w = snprintf(key + len, sizeof(key) - len, "%s%s", i ? "|" : "", a->sub[i]->name);
        if (w < 0) break;
        len += (size_t)w;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(key, names[i].members)) return names[i].name;
    return a->nsub ? a->sub[0]->name : "choice";
}

/* "TYPE NORMAL|MASTER|PUBSUB": the first alternative carries a token shared by
 * all of them when every other alternative is one item shorter. */
static int sharedLeadingToken(const rnode *g) {
    if (g->spaced || g->nalts < 2 || g->alts[0].n < 2 || !isTokenWord(g->alts[0].items[0])) return 0;
    for (int i = 0; i < g->nalts; i++) {
        if (i > 0 && g->alts[i].n != g->alts[0].n - 1) return 0;
        for (int j = 0; j < g->alts[i].n; j++)
            if (g->alts[i].items[j]->kind != RN_WORD) return 0;
    }
    return 1;
}

static docArg *convertGroup(const rnode *g) {
    docArg *a;
    if (g->nalts > 1) {
        int shared = sharedLeadingToken(g);
        argList kids = {0};
        for (int i = 0; i < g->nalts; i++) {
            docArg *k = convertBody(&g->alts[i], shared && i == 0 ? 1 : 0);
            if (k) argPush(&kids, k);
        }
        a = containerNew(AT_ONEOF, "", &kids);
        zfree(a->name);
        if (shared) {
            a->token = zstrdup(g->alts[0].items[0]->word);
            a->name = lowerDup(a->token);
        } else {
            a->name = zstrdup(oneofDefaultName(a));
        }
    } else {
        a = g->nalts ? convertBody(&g->alts[0], 0) : NULL;
        if (!a) return NULL;
    }
    if (g->optional) a->flags |= AF_OPTIONAL;
    return a;
}

/* Length k of a unit starting at i that the next item repeats ("x [x ...]"), 0 if none. */
static int repeatedUnit(const rseq *s, int i) {
    for (int k = 1; i + k < s->n; k++) {
        const rnode *g = s->items[i + k];
        if (g->kind != RN_GROUP || !g->optional || g->nalts != 1) continue;
        const rseq *body = &g->alts[0];
        if (body->n != k + 1 || body->items[k]->kind != RN_DOTS) continue;
        rseq unit = {s->items + i, k};
        if (rseqEq(&unit, k, body, k)) return k;
    }
    return 0;
}

/* One item, or a repeated unit, starting at *i; advances *i past it. */
static docArg *convertUnit(const rseq *s, int *i) {
    int k = repeatedUnit(s, *i);
    if (k) {
        rseq unit = {s->items + *i, k};
        docArg *a = convertBody(&unit, 0);
        *i += k + 1;
        if (!a) return NULL;
        a->flags |= AF_MULTIPLE;
        if (a->token && isTokenWord(unit.items[0])) a->flags |= AF_MULTIPLE_TOKEN;
        if (a->type == AT_BLOCK && !a->token && !strcmp(a->name, "block")) {
            zfree(a->name);
            a->name = zstrdup("data");
        }
        return a;
    }
    const rnode *n = s->items[(*i)++];
    if (n->kind == RN_GROUP && n->nalts == 1 && n->alts[0].n > 1 && n->alts[0].items[n->alts[0].n - 1]->kind == RN_DOTS) {
        /* "[arg ...]": any number of them, none required */
        rseq unit = {n->alts[0].items, n->alts[0].n - 1};
        docArg *a = convertBody(&unit, 0);
        if (a) a->flags |= AF_MULTIPLE | (n->optional ? AF_OPTIONAL : 0);
        return a;
    }
    if (n->kind == RN_WORD) return wordArg(n);
    if (n->kind == RN_GROUP) return convertGroup(n);
    return NULL; /* stray "..." */
}

/* A value that a preceding token can own: a non-token word or a mandatory group. */
static int takesToken(const rseq *s, int j) {
    if (j >= s->n) return 0;
    const rnode *n = s->items[j];
    if (n->kind == RN_WORD) return !isTokenWord(n);
    return n->kind == RN_GROUP && !n->optional;
}

static void convertSeq(const rseq *s, int from, argList *out) {
    int i = from;
    while (i < s->n) {
        if (!repeatedUnit(s, i) && isTokenWord(s->items[i]) && takesToken(s, i + 1)) {
            const char *tok = s->items[i]->word;
            int j = i + 1;
            docArg *v = convertUnit(s, &j);
            if (v && !v->token && v->type != AT_PURETOKEN) {
                setToken(v, tok);
                argPush(out, v);
                i = j;
                continue;
            }
            docArgFree(v);
        }
        docArg *a = convertUnit(s, &i);
        if (a) argPush(out, a);
    }
}

static int countMandatory(const argList *l) {
    int m = 0;
    for (int i = 0; i < l->n; i++)
        if (!(l->v[i]->flags & AF_OPTIONAL)) m++;
    return m;
}

static int onlyPureTokens(const argList *l) {
    for (int i = 0; i < l->n; i++)
        if (l->v[i]->type != AT_PURETOKEN || (l->v[i]->flags & AF_OPTIONAL)) return 0;
    return l->n > 0;
}

static char *blockName(const char *tok) {
    char *low = lowerDup(tok);
    size_t len = strlen(low);
    char *name = zmalloc(len + 7);
    memcpy(name, low, len);
    memcpy(name + len, "-block", 7);
    zfree(low);
    return name;
}

/* A group's contents as one argument: a plain value, a token with its value,
 * or a block. A leading token goes where Valkey puts it: on the value it
 * introduces ("COUNT count"), on the block ("LIMIT offset count"), on the
 * first member ("COUNT count [ANY]") or alone ("FULL [COUNT count]"). */
static docArg *convertBody(const rseq *s, int from) {
    if (from >= s->n) return NULL;
    const rnode *first = s->items[from];
    if (isTokenWord(first) && !repeatedUnit(s, from)) {
        if (from + 1 == s->n) return wordArg(first);
        argList rest = {0};
        convertSeq(s, from + 1, &rest);
        int mand = countMandatory(&rest);
        if (rest.n == 1 && !rest.v[0]->token && rest.v[0]->type != AT_PURETOKEN) {
            docArg *a = rest.v[0];
            zfree(rest.v);
            setToken(a, first->word);
            return a;
        }
        if (onlyPureTokens(&rest)) {
            /* "NO ONE": a run of literals, each its own pure-token */
            argList kids = {0};
            argPush(&kids, wordArg(first));
            for (int i = 0; i < rest.n; i++) argPush(&kids, rest.v[i]);
            zfree(rest.v);
            return containerNew(AT_BLOCK, "block", &kids);
        }
        if (mand == 0 || (mand == 1 && !(rest.v[0]->flags & AF_OPTIONAL) && !rest.v[0]->token &&
                          rest.v[0]->type != AT_PURETOKEN)) {
            argList kids = {0};
            if (mand == 0) argPush(&kids, wordArg(first));
            for (int i = 0; i < rest.n; i++) argPush(&kids, rest.v[i]);
            if (mand == 1) setToken(kids.v[0], first->word);
            zfree(rest.v);
            char *name = blockName(first->word);
            docArg *b = containerNew(AT_BLOCK, name, &kids);
            zfree(name);
            return b;
        }
        docArg *b = containerNew(AT_BLOCK, "", &rest);
        zfree(b->name);
        b->name = lowerDup(first->word);
        b->token = zstrdup(first->word);
        return b;
    }
    argList l = {0};
    convertSeq(s, from, &l);
    if (l.n == 0) {
        zfree(l.v);
        return NULL;
    }
    if (l.n == 1) {
        docArg *a = l.v[0];
        zfree(l.v);
        return a;
    }
    return containerNew(AT_BLOCK, "block", &l);
}

/* ---------- per-command corrections ---------- */

typedef struct docOverride {
    const char *cmd;       /* full name, "client|kill" */
    const char *synopsis;  /* used instead of the row's when that one cannot express Valkey's shape */
    const char *renames;   /* "old=new,...": each renames the next argument (pre-order) called old */
    const char *types;     /* "name=type,...": for every argument called name */
    const char *keyspecs;  /* "name=index,...": key specs that are not one per key argument */
} docOverride;

#define CLIENT_KILL_FILTER \
    "<[ID client-id] | [TYPE NORMAL|MASTER|PRIMARY|SLAVE|REPLICA|PUBSUB] | [USER username] | [ADDR ip:port]" \
    " | [LADDR ip:port] | [SKIPME YES|NO] | [MAXAGE maxage]>"

static const docOverride docOverrides[] = {
    {"lmove", NULL, "where=wherefrom,where=whereto", NULL},
    {"blmove", NULL, "where=wherefrom,where=whereto", "timeout=double"},
    {"blmpop", NULL, NULL, "timeout=double"},
    {"blpop", NULL, NULL, "timeout=double"},
    {"brpop", NULL, NULL, "timeout=double"},
    {"brpoplpush", NULL, NULL, "timeout=double"},
    {"bzpopmin", NULL, NULL, "timeout=double"},
    {"bzpopmax", NULL, NULL, "timeout=double"},
    {"bzmpop", NULL, NULL, "timeout=double"},
    {"incrbyfloat", NULL, NULL, "increment=double"},
    {"hincrbyfloat", NULL, NULL, "increment=double"},
    {"zcount", NULL, NULL, "min=double,max=double"},
    {"zrangebyscore", NULL, NULL, "min=double,max=double"},
    {"zrevrangebyscore", NULL, NULL, "min=double,max=double"},
    {"zremrangebyscore", NULL, NULL, "min=double,max=double"},
    {"zrange", NULL, NULL, "start=string,stop=string"},
    {"zrangestore", NULL, NULL, "min=string,max=string"},
    {"bitcount", NULL, "block=range", NULL},
    {"bitpos", NULL, "block=range,block=end-unit-block", NULL},
    {"hello", NULL, "block=arguments", NULL},
    {"failover", NULL, "to=target", NULL},
    {"xpending", NULL, "block=filters", "start=string,end=string"},
    {"xrange", NULL, NULL, "start=string,end=string"},
    {"xrevrange", NULL, NULL, "start=string,end=string"},
    {"xclaim", NULL, NULL, "min-idle-time=string"},
    {"xread", "[COUNT count] [BLOCK milliseconds] <STREAMS key [key ...] id [id ...]>", NULL, NULL},
    {"xreadgroup",
     "<GROUP group consumer> [COUNT count] [BLOCK milliseconds] [NOACK] <STREAMS key [key ...] id [id ...]>",
     "group=group-block", NULL},
    {"xadd",
     "key [NOMKSTREAM] [<MAXLEN|MINID> [=|~] threshold [LIMIT count]] <*|id> field value [field value ...]",
     "block=trim", NULL},
    {"xtrim", "key <<MAXLEN|MINID> [=|~] threshold [LIMIT count]>", "block=trim", NULL},
    {"xautoclaim", NULL, NULL, "start=string,min-idle-time=string"},
    {"setbit", NULL, NULL, "value=integer"},
    {"lcs", NULL, NULL, NULL, "key2=0"},
    {"hrandfield", NULL, "block=options", NULL},
    {"zrandmember", NULL, "block=options", NULL},
    {"debug", "", NULL, NULL},
    /* The filters form is a repeated choice, each filter optional, as in Valkey. */
    {"client|kill",
     "<ip:port | " CLIENT_KILL_FILTER " [" CLIENT_KILL_FILTER " ...]>",
     "ip-port=filter,ip-port=old-format,client-id=new-format,type=client-type", "maxage=integer"},
    {"client|list", NULL, "type=client-type", NULL},
    {"client|setinfo", NULL, "libname=attr", NULL},
    {"client|no-evict", NULL, "status=enabled", NULL},
    {"client|no-touch", NULL, "status=enabled", NULL},
    {"geosearch",
     "key <FROMMEMBER member | FROMLONLAT longitude latitude> <<BYRADIUS radius> <M | KM | FT | MI>"
     " | <BYBOX width> height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
     "member=from,block=by,block=circle,block=box", NULL},
    {"geosearchstore",
     "destination source <FROMMEMBER member | FROMLONLAT longitude latitude> <<BYRADIUS radius> <M | KM | FT | MI>"
     " | <BYBOX width> height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [STOREDIST]",
     "member=from,block=by,block=circle,block=box", NULL},
    {"bitfield",
     "key [<GET encoding offset | [OVERFLOW WRAP|SAT|FAIL] <SET encoding offset value | INCRBY encoding offset"
     " increment>> [<GET encoding offset | [OVERFLOW WRAP|SAT|FAIL] <SET encoding offset value | INCRBY encoding"
     " offset increment>> ...]]",
     "get=operation,get=get-block,block=write,overflow=overflow-block,set=write-operation,set=set-block,"
     "incrby=incrby-block",
     "value=integer,increment=integer"},
    {"bitfield_ro", NULL, "get=get-block", NULL},
    {"replicaof", "<host port | NO ONE>", "block=args,block=host-port,block=no-one", NULL},
    {"slaveof", "<host port | NO ONE>", "block=args,block=host-port,block=no-one", NULL},
    {"shutdown", "[[NOSAVE|SAVE] [NOW] [FORCE] | ABORT]", "block=abort-selector,block=save-selector-block", NULL},
    {"georadius", NULL, "key=key,key=store,key=storekey,key=storedistkey", NULL},
    {"georadiusbymember", NULL, "key=key,key=store,key=storekey,key=storedistkey", NULL},
    {"sort", NULL, "pattern=by-pattern,pattern=get-pattern,alpha=sorting", NULL,
     "by-pattern=1,get-pattern=1,destination=2"},
    {"sort_ro", NULL, "pattern=by-pattern,pattern=get-pattern,alpha=sorting", NULL, "by-pattern=1,get-pattern=1"},
    {"zadd", NULL, "ch=change,incr=increment", NULL},
    {"geoadd", NULL, "ch=change", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const docOverride *findOverride(const char *fullname) {
    for (const docOverride *o = docOverrides; o->cmd; o++)
        if (!strcmp(o->cmd, fullname)) return o;
    return NULL;
}

static docArg *findByName(argList *l, const char *name) {
    for (int i = 0; i < l->n; i++) {
        docArg *a = l->v[i];
        if (!a->renamed && !strcmp(a->name, name)) return a;
        argList sub = {a->sub, a->nsub};
        docArg *f = findByName(&sub, name);
        if (f) return f;
    }
    return NULL;
}

static void setTypeByName(argList *l, const char *name, int type) {
    for (int i = 0; i < l->n; i++) {
        docArg *a = l->v[i];
        if (a->type != AT_ONEOF && a->type != AT_BLOCK && a->type != AT_PURETOKEN && !strcmp(a->name, name))
            a->type = type;
        argList sub = {a->sub, a->nsub};
        setTypeByName(&sub, name, type);
    }
}

/* Calls fn(left, right) for each "left=right" in a comma list. */
static void forEachPair(const char *list, void (*fn)(argList *, const char *, const char *), argList *l) {
    if (!list) return;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char buf[128];
        if (len < sizeof(buf)) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            char *eq = strchr(buf, '=');
            if (eq) {
                *eq = '\0';
                fn(l, buf, eq + 1);
            }
        }
        p += len;
        if (*p == ',') p++;
    }
}

static void applyRename(argList *l, const char *from, const char *to) {
    docArg *a = findByName(l, from);
    if (!a) return;
    /* A renamed value keeps showing the word the synopsis used. */
    if (!a->display && a->type != AT_ONEOF && a->type != AT_BLOCK && a->type != AT_PURETOKEN)
        a->display = a->name;
    else
        zfree(a->name);
    a->name = zstrdup(to);
    a->renamed = 1;
}

static void applyType(argList *l, const char *name, const char *type) {
    for (int t = 0; t <= AT_BLOCK; t++)
        if (!strcmp(argTypeNames[t], type)) setTypeByName(l, name, t);
}

static void applyKeyspec(argList *l, const char *name, const char *index) {
    for (int i = 0; i < l->n; i++) {
        docArg *a = l->v[i];
        if (!strcmp(a->name, name)) a->keyspec = atoi(index);
        argList sub = {a->sub, a->nsub};
        applyKeyspec(&sub, name, index);
    }
}

static void numberKeys(argList *l, int *next) {
    for (int i = 0; i < l->n; i++) {
        docArg *a = l->v[i];
        if (a->type == AT_KEY) a->keyspec = (*next)++;
        else a->keyspec = -1;
        argList sub = {a->sub, a->nsub};
        numberKeys(&sub, next);
    }
}

/* The argument tree of one synopsis; the caller frees it with freeDocArgs. */
static void buildDocArgs(const char *fullname, const char *synopsis, argList *out) {
    const docOverride *o = findOverride(fullname);
    if (o && o->synopsis) synopsis = o->synopsis;
    lexer lx = {.p = synopsis};
    rnode top = {.kind = RN_GROUP};
    parseGroupBody(&lx, &top, LX_END, 1);
    out->v = NULL;
    out->n = 0;
    if (top.nalts > 1) {
        docArg *a = convertGroup(&top);
        if (a) argPush(out, a);
    } else if (top.nalts == 1) {
        convertSeq(&top.alts[0], 0, out);
    }
    for (int i = 0; i < top.nalts; i++) rseqFree(&top.alts[i]);
    zfree(top.alts);
    if (o) {
        forEachPair(o->renames, applyRename, out);
        forEachPair(o->types, applyType, out);
    }
    int next = 0;
    numberKeys(out, &next);
    if (o) forEachPair(o->keyspecs, applyKeyspec, out);
}

static void freeDocArgs(argList *l) {
    for (int i = 0; i < l->n; i++) docArgFree(l->v[i]);
    zfree(l->v);
}

/* ---------- reply ---------- */

static void addReplyArgFlags(client *c, int flags) {
    int n = !!(flags & AF_OPTIONAL) + !!(flags & AF_MULTIPLE) + !!(flags & AF_MULTIPLE_TOKEN);
    addReplySetLen(c, n);
    if (flags & AF_OPTIONAL) addReplyStatus(c, "optional");
    if (flags & AF_MULTIPLE) addReplyStatus(c, "multiple");
    if (flags & AF_MULTIPLE_TOKEN) addReplyStatus(c, "multiple_token");
}

static void addReplyDocArgList(client *c, docArg **args, int n) {
    addReplyArrayLen(c, n);
    for (int i = 0; i < n; i++) {
        const docArg *a = args[i];
        int container = a->type == AT_ONEOF || a->type == AT_BLOCK;
        long fields = 2 + !container + (a->keyspec >= 0) + (a->token != NULL) + (a->flags != 0) + container;
        addReplyMapLen(c, fields);
        addReplyBulkCString(c, "name");
        addReplyBulkCString(c, a->name);
        addReplyBulkCString(c, "type");
        addReplyBulkCString(c, argTypeNames[a->type]);
        if (!container) {
            addReplyBulkCString(c, "display_text");
            addReplyBulkCString(c, a->display ? a->display : a->name);
        }
        if (a->keyspec >= 0) {
            addReplyBulkCString(c, "key_spec_index");
            addReplyLongLong(c, a->keyspec);
        }
        if (a->token) {
            addReplyBulkCString(c, "token");
            addReplyBulkCString(c, a->token);
        }
        if (a->flags) {
            addReplyBulkCString(c, "flags");
            addReplyArgFlags(c, a->flags);
        }
        if (container) {
            addReplyBulkCString(c, "arguments");
            addReplyDocArgList(c, a->sub, a->nsub);
        }
    }
}

/* 1 when COMMAND DOCS has an "arguments" entry for cmd: containers have none
 * (their subcommands carry them), nor do commands without arguments. */
int commandDocsHasArgs(const serverCommand *cmd) {
    const docOverride *o = findOverride(cmd->fullname);
    const char *s = o && o->synopsis ? o->synopsis : cmd->def->args;
    if (cmd->subcommands || !s) return 0;
    while (*s == ' ') s++;
    return *s != '\0';
}

void addReplyCommandDocArgs(client *c, const serverCommand *cmd) {
    argList l;
    buildDocArgs(cmd->fullname, cmd->def->args, &l);
    addReplyDocArgList(c, l.v, l.n);
    freeDocArgs(&l);
}
