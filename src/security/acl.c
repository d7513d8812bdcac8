/* acl: see acl.h. Users live in a hashtable keyed by name; each user has a
 * list of selectors, the first one being the root selector that plain rules
 * (outside parentheses) modify. A command is allowed when any selector allows
 * it. Selector command permissions are a bitmap indexed by serverCommand.id. */
#include "security/acl_int.h"
#include "ds/sha256.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

typedef enum {
    SET_OK = 0, SET_UNKNOWN, SET_SYNTAX, SET_KEY_AFTER_ALL, SET_CHANNEL_AFTER_ALL,
    SET_NO_SUCH_PASS, SET_BAD_HASH, SET_SUB_FIRSTARG, SET_DUPLICATE
} aclSetResult;

static const char *aclSetResultText(aclSetResult r) {
    switch (r) {
    case SET_UNKNOWN: return "Unknown command or category name in ACL";
    case SET_SYNTAX: return "Syntax error";
    case SET_KEY_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
               "effect. Try 'resetkeys' to start with an empty list of patterns";
    case SET_CHANNEL_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any "
               "effect. Try 'resetchannels' to start with an empty list of channels";
    case SET_NO_SUCH_PASS: return "The password you are trying to remove from the user does not exist";
    case SET_BAD_HASH:
        return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    case SET_SUB_FIRSTARG: return "Allowing first-arg of a subcommand is not supported";
    case SET_DUPLICATE: return "Duplicate user found. A user can only be defined once in config files";
    default: return "Wrong format";
    }
}

hashtable *aclUsers;          /* bstr name -> aclUser* */
static aclUser *aclDefault;
static int aclCmdWords;              /* 64-bit words per command bitmap */

static htType aclUsersType = {htBstrHash, htBstrEqual, htBstrFree, NULL};

/* ---------- small helpers ---------- */

static list *bstrListDup(list *src) {
    list *l = listCreate();
    listIter li;
    listNode *ln;
    listRewind(src, &li);
    while ((ln = listNext(&li))) listAddNodeTail(l, bstrDup(ln->value));
    return l;
}

static void bstrListFree(list *l) {
    listIter li;
    listNode *ln;
    listRewind(l, &li);
    while ((ln = listNext(&li))) bstrFree(ln->value);
    listRelease(l);
}

static listNode *bstrListFind(list *l, const char *s, size_t len) {
    listIter li;
    listNode *ln;
    listRewind(l, &li);
    while ((ln = listNext(&li))) {
        bstr v = ln->value;
        if (bstrLen(v) == len && !memcmp(v, s, len)) return ln;
    }
    return NULL;
}

int aclHasSpaces(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)s[i]) || s[i] == '\0') return 1;
    return 0;
}

static bstr hashPassword(const char *p, size_t len) {
    unsigned char d[SHA256_DIGEST_LEN];
    char hex[65];
    sha256Digest(p, len, d);
    sha256Hex(d, hex);
    return bstrNewLen(hex, HASH_HEX_LEN);
}

static int isValidHash(const char *h, size_t len) {
    if (len != HASH_HEX_LEN) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) return 0;
    return 1;
}

/* Compares without an early exit so the time taken does not reveal how much
 * of a guessed hash was right. Both are HASH_HEX_LEN long. */
static int hashesEqual(const char *a, const char *b) {
    unsigned diff = 0;
    for (int i = 0; i < HASH_HEX_LEN; i++) diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

/* Calls fn for every command and subcommand of the table. */
void aclForEachCommand(void (*fn)(serverCommand *cmd, void *priv), void *priv) {
    htIterator it;
    htEntry *e;
    htInitIterator(&it, server.commands);
    while ((e = htNext(&it))) {
        serverCommand *cmd = e->v.val;
        fn(cmd, priv);
        if (!cmd->subcommands) continue;
        htIterator it2;
        htEntry *e2;
        htInitIterator(&it2, cmd->subcommands);
        while ((e2 = htNext(&it2))) fn(e2->v.val, priv);
        htResetIterator(&it2);
    }
    htResetIterator(&it);
}

static void maxIdOf(serverCommand *cmd, void *priv) {
    int *max = priv;
    if (cmd->id > *max) *max = cmd->id;
}

/* "get", "config|get": the command a rule names, NULL if none. */
static serverCommand *aclLookupCommand(const char *name, size_t len) {
    const char *bar = memchr(name, '|', len);
    bstr base = bstrNewLen(name, bar ? (size_t)(bar - name) : len);
    serverCommand *cmd = htFetchValue(server.commands, base);
    bstrFree(base);
    if (!cmd || !bar) return cmd;
    if (!cmd->subcommands) return NULL;
    bstr sub = bstrNewLen(bar + 1, len - (size_t)(bar - name) - 1);
    serverCommand *s = htFetchValue(cmd->subcommands, sub);
    bstrFree(sub);
    return s;
}

/* ---------- selectors ---------- */

static aclSelector *selNew(unsigned flags) {
    aclSelector *s = zcalloc(sizeof(*s));
    s->flags = flags | (unsigned)server.acl_pubsub_default;
    s->cmds = zcalloc(sizeof(uint64_t) * (size_t)aclCmdWords);
    s->firstargs = listCreate();
    s->keys = listCreate();
    s->channels = listCreate();
    s->rules = bstrEmpty();
    return s;
}

static void selClearFirstArgs(aclSelector *s, int id) {
    listIter li;
    listNode *ln;
    listRewind(s->firstargs, &li);
    while ((ln = listNext(&li))) {
        aclFirstArg *fa = ln->value;
        if (id >= 0 && fa->id != id) continue;
        bstrFree(fa->arg);
        zfree(fa);
        listDelNode(s->firstargs, ln);
    }
}

static void selClearKeys(aclSelector *s) {
    listIter li;
    listNode *ln;
    listRewind(s->keys, &li);
    while ((ln = listNext(&li))) {
        aclKeyPattern *kp = ln->value;
        bstrFree(kp->pattern);
        zfree(kp);
    }
    listEmpty(s->keys);
}

static void selClearChannels(aclSelector *s) {
    bstrListFree(s->channels);
    s->channels = listCreate();
}

static void selFree(aclSelector *s) {
    selClearFirstArgs(s, -1);
    listRelease(s->firstargs);
    selClearKeys(s);
    listRelease(s->keys);
    bstrListFree(s->channels);
    bstrFree(s->rules);
    zfree(s->cmds);
    zfree(s);
}

static aclSelector *selDup(aclSelector *src) {
    aclSelector *s = zcalloc(sizeof(*s));
    s->flags = src->flags;
    s->cmds = zmalloc(sizeof(uint64_t) * (size_t)aclCmdWords);
    memcpy(s->cmds, src->cmds, sizeof(uint64_t) * (size_t)aclCmdWords);
    s->firstargs = listCreate();
    listIter li;
    listNode *ln;
    listRewind(src->firstargs, &li);
    while ((ln = listNext(&li))) {
        aclFirstArg *fa = ln->value, *copy = zmalloc(sizeof(*copy));
        copy->id = fa->id;
        copy->arg = bstrDup(fa->arg);
        listAddNodeTail(s->firstargs, copy);
    }
    s->keys = listCreate();
    listRewind(src->keys, &li);
    while ((ln = listNext(&li))) {
        aclKeyPattern *kp = ln->value, *copy = zmalloc(sizeof(*copy));
        copy->perm = kp->perm;
        copy->pattern = bstrDup(kp->pattern);
        listAddNodeTail(s->keys, copy);
    }
    s->channels = bstrListDup(src->channels);
    s->rules = bstrDup(src->rules);
    return s;
}

static int selHasCmd(aclSelector *s, int id) { return (s->cmds[id / 64] >> (id % 64)) & 1; }

/* A container's rule covers its subcommands as well. */
static void selSetCmd(aclSelector *s, serverCommand *cmd, int allow) {
    uint64_t bit = 1ULL << (cmd->id % 64);
    if (!allow) s->flags &= ~SEL_ALLCOMMANDS;
    if (allow) s->cmds[cmd->id / 64] |= bit;
    else s->cmds[cmd->id / 64] &= ~bit;
    selClearFirstArgs(s, cmd->id);
    if (!cmd->subcommands) return;
    htIterator it;
    htEntry *e;
    htInitIterator(&it, cmd->subcommands);
    while ((e = htNext(&it))) selSetCmd(s, e->v.val, allow);
    htResetIterator(&it);
}

struct catApply { aclSelector *s; uint64_t mask; int allow; };

static void applyCategoryTo(serverCommand *cmd, void *priv) {
    struct catApply *ca = priv;
    if (!(cmd->acl_categories & ca->mask)) return;
    uint64_t bit = 1ULL << (cmd->id % 64);
    if (ca->allow) ca->s->cmds[cmd->id / 64] |= bit;
    else ca->s->cmds[cmd->id / 64] &= ~bit;
    selClearFirstArgs(ca->s, cmd->id);
}

/* Drops earlier mentions of the same rule (and of its subcommands) so the
 * displayed rules stay short and still reproduce the same permissions. */
static void selForgetRule(aclSelector *s, const char *rule, size_t rlen) {
    int n;
    bstr *tok = bstrSplitLen(s->rules, (ssize_t)bstrLen(s->rules), " ", 1, &n);
    bstr out = bstrEmpty();
    for (int i = 0; i < n; i++) {
        size_t tl = bstrLen(tok[i]);
        if (tl == 0) continue;
        const char *body = tok[i] + 1;
        size_t bl = tl - 1;
        int same = bl >= rlen && !memcmp(body, rule, rlen) && (bl == rlen || body[rlen] == '|');
        if (same) continue;
        if (bstrLen(out)) out = bstrCatLen(out, " ", 1);
        out = bstrCatBstr(out, tok[i]);
    }
    bstrFreeSplit(tok, n);
    bstrFree(s->rules);
    s->rules = out;
}

static void selAddRule(aclSelector *s, const char *rule, size_t rlen, int allow) {
    bstr r = bstrNewLen(rule, rlen);
    bstrToLower(r);
    selForgetRule(s, r, rlen);
    if (bstrLen(s->rules)) s->rules = bstrCatLen(s->rules, " ", 1);
    s->rules = bstrCatLen(s->rules, allow ? "+" : "-", 1);
    s->rules = bstrCatBstr(s->rules, r);
    bstrFree(r);
}

static aclSetResult selAddKeyPattern(aclSelector *s, const char *op, size_t len) {
    if (s->flags & SEL_ALLKEYS) return SET_KEY_AFTER_ALL;
    int perm = 0;
    size_t off = 1;
    if (op[0] == '%') {
        for (; off < len; off++) {
            char ch = (char)toupper((unsigned char)op[off]);
            if (ch == 'R' && !(perm & PERM_READ)) perm |= PERM_READ;
            else if (ch == 'W' && !(perm & PERM_WRITE)) perm |= PERM_WRITE;
            else if (op[off] == '~') { off++; break; }
            else return SET_SYNTAX;
        }
        if (!perm) return SET_SYNTAX;
    } else {
        perm = PERM_ALL;
    }
    if (aclHasSpaces(op + off, len - off)) return SET_SYNTAX;
    if (perm == PERM_ALL && len - off == 1 && op[off] == '*') {
        s->flags |= SEL_ALLKEYS;
        selClearKeys(s);
        return SET_OK;
    }
    listIter li;
    listNode *ln;
    listRewind(s->keys, &li);
    while ((ln = listNext(&li))) {
        aclKeyPattern *kp = ln->value;
        if (bstrLen(kp->pattern) == len - off && !memcmp(kp->pattern, op + off, len - off)) {
            kp->perm |= perm;
            return SET_OK;
        }
    }
    aclKeyPattern *kp = zmalloc(sizeof(*kp));
    kp->perm = perm;
    kp->pattern = bstrNewLen(op + off, len - off);
    listAddNodeTail(s->keys, kp);
    return SET_OK;
}

static aclSetResult selAddChannel(aclSelector *s, const char *op, size_t len) {
    if (s->flags & SEL_ALLCHANNELS) return SET_CHANNEL_AFTER_ALL;
    if (aclHasSpaces(op + 1, len - 1)) return SET_SYNTAX;
    if (!bstrListFind(s->channels, op + 1, len - 1)) listAddNodeTail(s->channels, bstrNewLen(op + 1, len - 1));
    return SET_OK;
}

/* "+cmd", "-cmd", "+cmd|sub", "-cmd|sub", "+cmd|firstarg". */
static aclSetResult selCommandRule(aclSelector *s, const char *op, size_t len) {
    int allow = op[0] == '+';
    const char *name = op + 1;
    size_t nlen = len - 1;
    const char *bar = memchr(name, '|', nlen);
    if (!bar || !allow) {
        serverCommand *cmd = aclLookupCommand(name, nlen);
        if (!cmd) return SET_UNKNOWN;
        selSetCmd(s, cmd, allow);
        selAddRule(s, cmd->fullname, strlen(cmd->fullname), allow);
        return SET_OK;
    }
    /* The last '|' separates the part after it (subcommand or first arg). */
    const char *last = name + nlen;
    while (last > name && last[-1] != '|') last--;
    size_t baselen = (size_t)(last - 1 - name);
    serverCommand *base = aclLookupCommand(name, baselen);
    if (!base) return SET_UNKNOWN;
    if (base->parent) return SET_SUB_FIRSTARG;
    if (last == name + nlen) return SET_SYNTAX;
    if (base->subcommands) {
        serverCommand *sub = aclLookupCommand(name, nlen);
        if (!sub) return SET_UNKNOWN;
        selSetCmd(s, sub, 1);
    } else {
        if (aclHasSpaces(last, (size_t)(name + nlen - last))) return SET_SYNTAX;
        serverLog(LL_WARNING, "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse "
                              "of ACL and may get disabled in the future (offender: +%.*s)", (int)nlen, name);
        aclFirstArg *fa = zmalloc(sizeof(*fa));
        fa->id = base->id;
        fa->arg = bstrNewLen(last, (size_t)(name + nlen - last));
        listAddNodeTail(s->firstargs, fa);
    }
    selAddRule(s, name, nlen, 1);
    return SET_OK;
}

static aclSetResult selSet(aclSelector *s, const char *op, size_t len) {
    if (!strcasecmp(op, "allkeys") || (len == 2 && !memcmp(op, "~*", 2))) {
        s->flags |= SEL_ALLKEYS;
        selClearKeys(s);
    } else if (!strcasecmp(op, "resetkeys")) {
        s->flags &= ~SEL_ALLKEYS;
        selClearKeys(s);
    } else if (!strcasecmp(op, "allchannels") || (len == 2 && !memcmp(op, "&*", 2))) {
        s->flags |= SEL_ALLCHANNELS;
        selClearChannels(s);
    } else if (!strcasecmp(op, "resetchannels")) {
        s->flags &= ~SEL_ALLCHANNELS;
        selClearChannels(s);
    } else if (!strcasecmp(op, "allcommands") || !strcasecmp(op, "+@all")) {
        memset(s->cmds, 0xff, sizeof(uint64_t) * (size_t)aclCmdWords);
        s->flags |= SEL_ALLCOMMANDS | SEL_PLUSALL;
        bstrClear(s->rules);
        selClearFirstArgs(s, -1);
    } else if (!strcasecmp(op, "nocommands") || !strcasecmp(op, "-@all")) {
        memset(s->cmds, 0, sizeof(uint64_t) * (size_t)aclCmdWords);
        s->flags &= ~(SEL_ALLCOMMANDS | SEL_PLUSALL);
        bstrClear(s->rules);
        selClearFirstArgs(s, -1);
    } else if (op[0] == '~' || op[0] == '%') {
        return selAddKeyPattern(s, op, len);
    } else if (op[0] == '&') {
        return selAddChannel(s, op, len);
    } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
        int idx = commandAclCategoryIndex(op + 2);
        if (idx < 0) return SET_UNKNOWN;
        struct catApply ca = {s, 1ULL << idx, op[0] == '+'};
        if (op[0] == '-') s->flags &= ~SEL_ALLCOMMANDS;
        aclForEachCommand(applyCategoryTo, &ca);
        selAddRule(s, op + 1, len - 1, op[0] == '+');
    } else if ((op[0] == '+' || op[0] == '-') && len > 1) {
        return selCommandRule(s, op, len);
    } else {
        return SET_SYNTAX;
    }
    return SET_OK;
}

bstr aclSelDescribeCommands(aclSelector *s) {
    bstr r = bstrNew((s->flags & SEL_PLUSALL) ? "+@all" : "-@all");
    if (bstrLen(s->rules)) {
        r = bstrCatLen(r, " ", 1);
        r = bstrCatBstr(r, s->rules);
    }
    return r;
}

static bstr catKeyPattern(bstr out, aclKeyPattern *kp) {
    if (kp->perm == PERM_READ) out = bstrCat(out, "%R~");
    else if (kp->perm == PERM_WRITE) out = bstrCat(out, "%W~");
    else out = bstrCat(out, "~");
    return bstrCatBstr(out, kp->pattern);
}

/* Key patterns as ACL GETUSER shows them ("" when none). */
bstr aclSelDescribeKeys(aclSelector *s) {
    if (s->flags & SEL_ALLKEYS) return bstrNew("~*");
    bstr out = bstrEmpty();
    listIter li;
    listNode *ln;
    listRewind(s->keys, &li);
    while ((ln = listNext(&li))) {
        if (bstrLen(out)) out = bstrCatLen(out, " ", 1);
        out = catKeyPattern(out, ln->value);
    }
    return out;
}

bstr aclSelDescribeChannels(aclSelector *s) {
    if (s->flags & SEL_ALLCHANNELS) return bstrNew("&*");
    bstr out = bstrEmpty();
    listIter li;
    listNode *ln;
    listRewind(s->channels, &li);
    while ((ln = listNext(&li))) {
        if (bstrLen(out)) out = bstrCatLen(out, " ", 1);
        out = bstrCatLen(out, "&", 1);
        out = bstrCatBstr(out, ln->value);
    }
    return out;
}

/* The rules that recreate the selector, as ACL LIST prints them. */
static bstr selDescribe(aclSelector *s) {
    bstr out = bstrEmpty();
    bstr keys = aclSelDescribeKeys(s);
    if (bstrLen(keys)) { out = bstrCatBstr(out, keys); out = bstrCatLen(out, " ", 1); }
    bstrFree(keys);
    if (!(s->flags & SEL_ALLCHANNELS)) out = bstrCat(out, "resetchannels ");
    bstr ch = aclSelDescribeChannels(s);
    if (bstrLen(ch)) { out = bstrCatBstr(out, ch); out = bstrCatLen(out, " ", 1); }
    bstrFree(ch);
    bstr cmds = aclSelDescribeCommands(s);
    out = bstrCatBstr(out, cmds);
    bstrFree(cmds);
    return out;
}

/* ---------- users ---------- */

static aclUser *userNew(const char *name, size_t len) {
    aclUser *u = zcalloc(sizeof(*u));
    u->name = bstrNewLen(name, len);
    u->flags = USER_OFF | USER_SANITIZE;
    u->passwords = listCreate();
    u->selectors = listCreate();
    listAddNodeTail(u->selectors, selNew(SEL_ROOT));
    return u;
}

static void userClearSelectors(aclUser *u, int keep_root) {
    listIter li;
    listNode *ln;
    listRewind(u->selectors, &li);
    while ((ln = listNext(&li))) {
        aclSelector *s = ln->value;
        if (keep_root && (s->flags & SEL_ROOT)) continue;
        selFree(s);
        listDelNode(u->selectors, ln);
    }
}

void aclUserFree(aclUser *u) {
    bstrFree(u->name);
    bstrListFree(u->passwords);
    userClearSelectors(u, 0);
    listRelease(u->selectors);
    zfree(u);
}

static aclUser *userDup(aclUser *src) {
    aclUser *u = zcalloc(sizeof(*u));
    u->name = bstrDup(src->name);
    u->flags = src->flags;
    u->passwords = bstrListDup(src->passwords);
    u->selectors = listCreate();
    listIter li;
    listNode *ln;
    listRewind(src->selectors, &li);
    while ((ln = listNext(&li))) listAddNodeTail(u->selectors, selDup(ln->value));
    return u;
}

/* Moves the contents of src into dst (which keeps its identity) and frees src. */
static void userReplaceWith(aclUser *dst, aclUser *src) {
    bstrListFree(dst->passwords);
    userClearSelectors(dst, 0);
    listRelease(dst->selectors);
    dst->flags = src->flags;
    dst->passwords = src->passwords;
    dst->selectors = src->selectors;
    bstrFree(src->name);
    zfree(src);
}

static aclSetResult userSet(aclUser *u, const char *op, size_t len);

/* "(rules ...)": a new selector built from the space separated rules. */
static aclSetResult userAddSelector(aclUser *u, const char *op, size_t len) {
    aclSelector *s = selNew(0);
    int n;
    bstr *tok = bstrSplitLen(op + 1, (ssize_t)len - 2, " ", 1, &n);
    aclSetResult r = SET_OK;
    for (int i = 0; i < n && r == SET_OK; i++) {
        if (!bstrLen(tok[i])) continue;
        r = selSet(s, tok[i], bstrLen(tok[i]));
    }
    bstrFreeSplit(tok, n);
    if (r != SET_OK) {
        selFree(s);
        return r;
    }
    listAddNodeTail(u->selectors, s);
    return SET_OK;
}

static aclSetResult userSet(aclUser *u, const char *op, size_t len) {
    if (!strcasecmp(op, "on")) {
        u->flags = (u->flags | USER_ON) & ~USER_OFF;
    } else if (!strcasecmp(op, "off")) {
        u->flags = (u->flags | USER_OFF) & ~USER_ON;
    } else if (!strcasecmp(op, "skip-sanitize-payload")) {
        u->flags = (u->flags | USER_SKIP_SANITIZE) & ~USER_SANITIZE;
    } else if (!strcasecmp(op, "sanitize-payload")) {
        u->flags = (u->flags | USER_SANITIZE) & ~USER_SKIP_SANITIZE;
    } else if (!strcasecmp(op, "nopass")) {
        u->flags |= USER_NOPASS;
        bstrListFree(u->passwords);
        u->passwords = listCreate();
    } else if (!strcasecmp(op, "resetpass")) {
        u->flags &= ~USER_NOPASS;
        bstrListFree(u->passwords);
        u->passwords = listCreate();
    } else if (op[0] == '>' || op[0] == '#') {
        bstr h;
        if (op[0] == '>') {
            h = hashPassword(op + 1, len - 1);
        } else {
            if (!isValidHash(op + 1, len - 1)) return SET_BAD_HASH;
            h = bstrNewLen(op + 1, len - 1);
        }
        if (bstrListFind(u->passwords, h, bstrLen(h))) bstrFree(h);
        else listAddNodeTail(u->passwords, h);
        u->flags &= ~USER_NOPASS;
    } else if (op[0] == '<' || op[0] == '!') {
        bstr h;
        if (op[0] == '<') {
            h = hashPassword(op + 1, len - 1);
        } else {
            if (!isValidHash(op + 1, len - 1)) return SET_BAD_HASH;
            h = bstrNewLen(op + 1, len - 1);
        }
        listNode *ln = bstrListFind(u->passwords, h, bstrLen(h));
        bstrFree(h);
        if (!ln) return SET_NO_SUCH_PASS;
        bstrFree(ln->value);
        listDelNode(u->passwords, ln);
    } else if (op[0] == '(' && len >= 2 && op[len - 1] == ')') {
        return userAddSelector(u, op, len);
    } else if (!strcasecmp(op, "clearselectors")) {
        userClearSelectors(u, 1);
    } else if (!strcasecmp(op, "reset")) {
        userSet(u, "resetpass", 9);
        userSet(u, "resetkeys", 9);
        userSet(u, "resetchannels", 13);
        if (server.acl_pubsub_default & SEL_ALLCHANNELS) userSet(u, "allchannels", 11);
        userSet(u, "off", 3);
        userSet(u, "sanitize-payload", 16);
        userSet(u, "clearselectors", 14);
        userSet(u, "-@all", 5);
    } else {
        return selSet(userRoot(u), op, len);
    }
    return SET_OK;
}

static bstr userDescribe(aclUser *u) {
    bstr out = bstrEmpty();
    for (int i = 0; userFlagNames[i].name; i++) {
        if (!(u->flags & userFlagNames[i].flag)) continue;
        out = bstrCat(out, userFlagNames[i].name);
        out = bstrCatLen(out, " ", 1);
    }
    listIter li;
    listNode *ln;
    listRewind(u->passwords, &li);
    while ((ln = listNext(&li))) {
        out = bstrCatLen(out, "#", 1);
        out = bstrCatBstr(out, ln->value);
        out = bstrCatLen(out, " ", 1);
    }
    listRewind(u->selectors, &li);
    while ((ln = listNext(&li))) {
        aclSelector *s = ln->value;
        bstr d = selDescribe(s);
        if (s->flags & SEL_ROOT) {
            out = bstrCatBstr(out, d);
        } else {
            out = bstrCat(out, " (");
            out = bstrCatBstr(out, d);
            out = bstrCatLen(out, ")", 1);
        }
        bstrFree(d);
    }
    return out;
}

aclUser *aclGetUser(const char *name, size_t len) {
    bstr key = bstrNewLen(name, len);
    aclUser *u = htFetchValue(aclUsers, key);
    bstrFree(key);
    return u;
}

int aclUserExists(const char *name, size_t len) {
    return aclGetUser(name, len) != NULL;
}

static aclUser *clientUser(client *c) {
    if (!c->user) return aclDefault;
    return htFetchValue(aclUsers, c->user);
}

/* Joins arguments of one selector written across several arguments, e.g.
 * "(~x" "+get)". Returns a new argv (bstr) or NULL with *bad set to the
 * argument that opened an unterminated selector. */
static bstr *mergeSelectorArgs(bstr *argv, int argc, int *outc, const char **bad) {
    bstr *out = zmalloc(sizeof(bstr) * (size_t)(argc ? argc : 1));
    int n = 0;
    bstr open = NULL;
    const char *opener = NULL;
    for (int i = 0; i < argc; i++) {
        size_t l = bstrLen(argv[i]);
        if (open) {
            open = bstrCatLen(open, " ", 1);
            open = bstrCatBstr(open, argv[i]);
            if (l && argv[i][l - 1] == ')') { out[n++] = open; open = NULL; }
        } else if (l && argv[i][0] == '(' && argv[i][l - 1] != ')') {
            open = bstrDup(argv[i]);
            opener = argv[i];
        } else {
            out[n++] = bstrDup(argv[i]);
        }
    }
    if (open) {
        bstrFree(open);
        for (int i = 0; i < n; i++) bstrFree(out[i]);
        zfree(out);
        *bad = opener;
        return NULL;
    }
    *outc = n;
    return out;
}

/* Applies rules to a copy of the user (created if missing) and installs the
 * copy only when every rule is valid. On failure *err is a new error text. */
int aclSetUserRules(const char *name, size_t nlen, bstr *rules, int nrules, bstr *err, aclUser **changed,
                           int from_file) {
    int n;
    const char *bad = NULL;
    bstr *merged = mergeSelectorArgs(rules, nrules, &n, &bad);
    if (!merged) {
        *err = bstrCatPrintf(bstrEmpty(), "%sUnmatched parenthesis in acl selector starting at '%s'.",
                             from_file ? "" : "ERR ", bad);
        return -1;
    }
    aclUser *existing = aclGetUser(name, nlen);
    aclUser *u = existing ? userDup(existing) : userNew(name, nlen);
    int ok = 1;
    for (int i = 0; i < n; i++) {
        aclSetResult r = userSet(u, merged[i], bstrLen(merged[i]));
        if (r != SET_OK) {
            *err = bstrCatPrintf(bstrEmpty(), from_file ? "Error in applying operation '%s': %s"
                                                        : "ERR Error in ACL SETUSER modifier '%s': %s",
                                 merged[i], aclSetResultText(r));
            ok = 0;
            break;
        }
    }
    for (int i = 0; i < n; i++) bstrFree(merged[i]);
    zfree(merged);
    if (!ok) {
        aclUserFree(u);
        return -1;
    }
    if (existing) {
        userReplaceWith(existing, u);
        u = existing;
    } else {
        htAdd(aclUsers, bstrDup(u->name), u);
    }
    if (changed) *changed = u;
    return 0;
}

/* ---------- permission checks ---------- */

static int selKeyAllowed(aclSelector *s, const char *key, size_t len, int need) {
    if (s->flags & SEL_ALLKEYS) return 1;
    listIter li;
    listNode *ln;
    listRewind(s->keys, &li);
    while ((ln = listNext(&li))) {
        aclKeyPattern *kp = ln->value;
        if ((kp->perm & need) != need) continue;
        if (stringmatchlen(kp->pattern, (int)bstrLen(kp->pattern), key, (int)len, 0)) return 1;
    }
    return 0;
}

/* literal: the channel is itself a pattern (PSUBSCRIBE) and must be listed verbatim. */
static int selChannelAllowed(aclSelector *s, const char *ch, size_t len, int literal) {
    if (s->flags & SEL_ALLCHANNELS) return 1;
    listIter li;
    listNode *ln;
    listRewind(s->channels, &li);
    while ((ln = listNext(&li))) {
        bstr p = ln->value;
        if (literal) {
            if (bstrLen(p) == len && !memcmp(p, ch, len)) return 1;
        } else if (stringmatchlen(p, (int)bstrLen(p), ch, (int)len, 0)) {
            return 1;
        }
    }
    return 0;
}

/* Which arguments of cmd name channels: returns 0 if none. */
static int commandChannelArgs(serverCommand *cmd, int argc, int *first, int *last, int *literal) {
    const char *n = cmd->fullname;
    *literal = 0;
    if (!strcmp(n, "publish") || !strcmp(n, "spublish")) {
        *first = *last = 1;
    } else if (!strcmp(n, "subscribe") || !strcmp(n, "ssubscribe")) {
        *first = 1;
        *last = argc - 1;
    } else if (!strcmp(n, "psubscribe")) {
        *first = 1;
        *last = argc - 1;
        *literal = 1;
    } else {
        return 0;
    }
    return *last >= *first;
}

static int nameIn(const char *name, const char *const *names) {
    for (int i = 0; names[i]; i++)
        if (!strcmp(name, names[i])) return 1;
    return 0;
}

/* The permission one key of a command needs. Valkey derives it from per-key
 * specs (ACCESS means read, INSERT/DELETE/UPDATE mean write); our table has
 * none, so the roles of the commands whose keys differ are listed here. */
static int keyPermNeeded(serverCommand *cmd, int ordinal) {
    static const char *const dest_then_sources[] = {
        "sinterstore", "sunionstore", "sdiffstore", "zunionstore", "zinterstore", "zdiffstore", "zrangestore",
        "bitop", "geosearchstore", NULL};
    static const char *const source_then_dest[] = {"sort", "copy", "georadius", "georadiusbymember", NULL};
    static const char *const take_then_put[] = {
        "rename", "renamenx", "smove", "lmove", "rpoplpush", "blmove", "brpoplpush", "move", NULL};
    static const char *const read_and_write[] = {
        "incr", "incrby", "incrbyfloat", "decr", "decrby", "getset", "getdel", "getex", "lpop", "rpop", "spop",
        "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "blpop", "brpop", "lmpop", "blmpop", "zmpop", "bzmpop",
        "hincrby", "hincrbyfloat", "zincrby", "setbit", "bitfield", "pfmerge", NULL};
    const char *n = cmd->parent ? cmd->parent->name : cmd->name;
    if (!(cmd->flags & CMD_WRITE)) return PERM_READ;
    if (nameIn(n, dest_then_sources)) return ordinal == 0 ? PERM_WRITE : PERM_READ;
    if (nameIn(n, source_then_dest)) return ordinal == 0 ? PERM_READ : PERM_WRITE;
    if (nameIn(n, take_then_put)) return ordinal == 0 ? PERM_ALL : PERM_WRITE;
    if (nameIn(n, read_and_write)) return ordinal == 0 || strcmp(n, "pfmerge") ? PERM_ALL : PERM_READ;
    return PERM_WRITE;
}

int aclArgBytes(obj *o, char *buf, size_t buflen, const char **p, size_t *len) {
    *p = objStrPtr(o, buf, buflen, len);
    return 0;
}

static int selCheckCommand(aclSelector *s, serverCommand *cmd, obj **argv, int argc, int *errpos) {
    if (!(s->flags & SEL_ALLCOMMANDS) && !(cmd->flags & CMD_NO_AUTH) && !selHasCmd(s, cmd->id)) {
        int ok = 0;
        if (argc >= 2 && listLength(s->firstargs)) {
            char buf[32];
            const char *a;
            size_t al;
            aclArgBytes(argv[1], buf, sizeof(buf), &a, &al);
            listIter li;
            listNode *ln;
            listRewind(s->firstargs, &li);
            while ((ln = listNext(&li)) && !ok) {
                aclFirstArg *fa = ln->value;
                ok = fa->id == cmd->id && bstrLen(fa->arg) == al && !strncasecmp(fa->arg, a, al);
            }
        }
        if (!ok) return ACL_DENIED_CMD;
    }
    if (!(s->flags & SEL_ALLKEYS) && (cmd->firstkey > 0 || cmd->def->getkeys)) {
        int keyidx[256];
        int n = getKeysFromCommand(cmd, argv, argc, keyidx, 256);
        for (int j = 0; j < n; j++) {
            int need = keyPermNeeded(cmd, j);
            char buf[32];
            const char *k;
            size_t kl;
            aclArgBytes(argv[keyidx[j]], buf, sizeof(buf), &k, &kl);
            if (!selKeyAllowed(s, k, kl, need)) {
                *errpos = keyidx[j];
                return ACL_DENIED_KEY;
            }
        }
    }
    int first, last, literal;
    if (!(s->flags & SEL_ALLCHANNELS) && commandChannelArgs(cmd, argc, &first, &last, &literal)) {
        for (int j = first; j <= last; j++) {
            char buf[32];
            const char *ch;
            size_t cl;
            aclArgBytes(argv[j], buf, sizeof(buf), &ch, &cl);
            if (!selChannelAllowed(s, ch, cl, literal)) {
                *errpos = j;
                return ACL_DENIED_CHANNEL;
            }
        }
    }
    return ACL_OK;
}

/* Any selector may allow the command. Otherwise report the most specific
 * denial (command < key < channel), the later argument on ties. */
int aclUserCheckCommand(aclUser *u, serverCommand *cmd, obj **argv, int argc, int *errpos) {
    int best = ACL_DENIED_CMD, bestpos = 0;
    listIter li;
    listNode *ln;
    listRewind(u->selectors, &li);
    while ((ln = listNext(&li))) {
        int pos = 0;
        int r = selCheckCommand(ln->value, cmd, argv, argc, &pos);
        if (r == ACL_OK) return ACL_OK;
        if (r > best || (r == best && pos > bestpos)) {
            best = r;
            bestpos = pos;
        }
    }
    *errpos = bestpos;
    return best;
}

/* ---------- clients ---------- */

static int clientIsUser(client *c, aclUser *u) {
    if (!c->user) return u == aclDefault;
    return bstrLen(c->user) == bstrLen(u->name) && !memcmp(c->user, u->name, bstrLen(u->name));
}

static void closeClient(client *target, client *current) {
    if (target == current) target->flags |= CLIENT_CLOSE_AFTER_REPLY;
    else freeClientAsync(target);
}

/* A subscriber whose user may no longer listen to one of its channels is
 * disconnected, as Valkey does after ACL changes. */
static int clientLostChannels(client *c, aclUser *u) {
    /* Shard channels are checked like channels (literally). */
    hashtable *sets[3] = {c->pubsub_channels, c->pubsub_patterns, c->pubsubshard_channels};
    for (int t = 0; t < 3; t++) {
        if (!sets[t] || !htSize(sets[t])) continue;
        htIterator it;
        htEntry *e;
        int lost = 0;
        htInitIterator(&it, sets[t]);
        while (!lost && (e = htNext(&it))) {
            char buf[32];
            const char *ch;
            size_t cl;
            aclArgBytes(e->key, buf, sizeof(buf), &ch, &cl);
            int ok = 0;
            listIter li;
            listNode *ln;
            listRewind(u->selectors, &li);
            while (!ok && (ln = listNext(&li))) ok = selChannelAllowed(ln->value, ch, cl, t == 1);
            if (!ok) lost = 1;
        }
        htResetIterator(&it);
        if (lost) return 1;
    }
    return 0;
}

void aclKillSubscribersWhoLostChannels(aclUser *u, client *current) {
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *cl = ln->value;
        if (cl->flags & (CLIENT_PRIMARY | CLIENT_FAKE)) continue;
        if (clientIsUser(cl, u) && clientLostChannels(cl, u)) closeClient(cl, current);
    }
}

void aclKillClientsOfUser(aclUser *u, client *current) {
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *cl = ln->value;
        if (cl->flags & (CLIENT_PRIMARY | CLIENT_FAKE)) continue;
        if (!clientIsUser(cl, u)) continue;
        /* Until it is gone it runs as an unauthenticated default client. */
        bstrFree(cl->user);
        cl->user = NULL;
        cl->authenticated = 0;
        closeClient(cl, current);
    }
}

/* ---------- the API the rest of the server calls ---------- */

static aclUser *createDefaultUser(void) {
    aclUser *u = userNew("default", 7);
    userSet(u, "+@all", 5);
    userSet(u, "~*", 2);
    userSet(u, "&*", 2);
    userSet(u, "on", 2);
    userSet(u, "nopass", 6);
    return u;
}

static void aclEnsureInit(void) {
    if (aclUsers) return;
    int maxid = 0;
    aclForEachCommand(maxIdOf, &maxid);
    aclCmdWords = maxid / 64 + 1;
    aclUsers = htCreate(&aclUsersType);
    aclLogInit();
    aclDefault = createDefaultUser();
    htAdd(aclUsers, bstrNew("default"), aclDefault);
    if (server.requirepass) aclUpdateDefaultUserPassword(server.requirepass);
}

void aclUpdateDefaultUserPassword(const char *pass) {
    if (!aclUsers) return;   /* aclInit reads requirepass itself */
    userSet(aclDefault, "resetpass", 9);
    if (pass) {
        bstr op = bstrCatLen(bstrNew(">"), pass, strlen(pass));
        userSet(aclDefault, op, bstrLen(op));
        bstrFree(op);
    } else {
        userSet(aclDefault, "nopass", 6);
    }
}

int aclDefaultUserNoPass(void) {
    aclEnsureInit();
    return (aclDefault->flags & USER_NOPASS) != 0;
}

int aclNewClientIsAuthenticated(void) {
    aclEnsureInit();
    return (aclDefault->flags & USER_NOPASS) && !(aclDefault->flags & USER_OFF);
}

int aclAuthRequired(client *c) { return !c->authenticated && !aclNewClientIsAuthenticated(); }

static int userPasswordMatches(aclUser *u, obj *pass) {
    if (u->flags & USER_NOPASS) return 1;
    char buf[32];
    const char *p;
    size_t pl;
    aclArgBytes(pass, buf, sizeof(buf), &p, &pl);
    bstr h = hashPassword(p, pl);
    int ok = 0;
    listIter li;
    listNode *ln;
    listRewind(u->passwords, &li);
    while ((ln = listNext(&li))) ok |= hashesEqual(ln->value, h);
    bstrFree(h);
    return ok;
}

int aclAuthenticate(client *c, obj *username, obj *password) {
    aclEnsureInit();
    char buf[32];
    const char *name;
    size_t nl;
    aclArgBytes(username, buf, sizeof(buf), &name, &nl);
    aclUser *u = aclGetUser(name, nl);
    if (u && !(u->flags & USER_OFF) && userPasswordMatches(u, password)) {
        bstrFree(c->user);
        c->user = u == aclDefault ? NULL : bstrDup(u->name);
        c->authenticated = 1;
        return 1;
    }
    aclAddLogEntry(c, ACL_DENIED_AUTH, (c->flags & CLIENT_MULTI) ? LOG_CTX_MULTI : LOG_CTX_TOPLEVEL, "AUTH", 4, name, nl);
    return 0;
}

/* Clients that replicate from us or feed us (primary, AOF/RDB loaders) are
 * not subject to ACLs. */
static int clientIsExempt(client *c) {
    return mustObeyClient(c) || (c->flags & CLIENT_FAKE);
}

/* Checks and logs a denial; returns ACL_OK or the denial reason with *msg set
 * (a new bstr) to Valkey's short description. */
static int checkAndLog(client *c, serverCommand *cmd, obj **argv, int argc, int ctx, bstr *msg) {
    aclEnsureInit();
    if (clientIsExempt(c)) return ACL_OK;
    aclUser *u = clientUser(c);
    int pos = 0;
    int r = u ? aclUserCheckCommand(u, cmd, argv, argc, &pos) : ACL_DENIED_CMD;
    if (r == ACL_OK) return ACL_OK;
    const char *uname = u ? u->name : (c->user ? c->user : "default");
    if (r == ACL_DENIED_CMD) {
        aclAddLogEntry(c, r, ctx, cmd->fullname, strlen(cmd->fullname), uname, strlen(uname));
        *msg = bstrCatPrintf(bstrEmpty(), "User %s has no permissions to run the '%s' command", uname, cmd->fullname);
    } else {
        char buf[32];
        const char *a;
        size_t al;
        aclArgBytes(argv[pos], buf, sizeof(buf), &a, &al);
        aclAddLogEntry(c, r, ctx, a, al, uname, strlen(uname));
        *msg = bstrNew(r == ACL_DENIED_KEY ? "No permissions to access a key" : "No permissions to access a channel");
    }
    return r;
}

int aclCheckCommandPerm(client *c, serverCommand *cmd, obj **argv, int argc, int from_script, bstr *msg) {
    int ctx = from_script ? LOG_CTX_LUA : (c->flags & CLIENT_MULTI) ? LOG_CTX_MULTI : LOG_CTX_TOPLEVEL;
    return checkAndLog(c, cmd, argv, argc, ctx, msg) == ACL_OK;
}

const char *aclExecDenialReason(client *c) {
    bstr msg = NULL;
    int r = checkAndLog(c, c->cmd, c->argv, c->argc, LOG_CTX_MULTI, &msg);
    bstrFree(msg);
    switch (r) {
    case ACL_OK: return NULL;
    case ACL_DENIED_CMD: return "no permission to execute the command or subcommand";
    case ACL_DENIED_KEY: return "no permission to touch the specified keys";
    case ACL_DENIED_CHANNEL: return "no permission to access one of the channels used as arguments";
    default: return "no permission";
    }
}

int aclCheckClientCommand(client *c) {
    bstr msg = NULL;
    if (aclCheckCommandPerm(c, c->cmd, c->argv, c->argc, 0, &msg)) return 1;
    flagTransaction(c);
    c->cmd->rejected_calls++;
    addReplyErrorSdsSafe(c, bstrCatPrintf(bstrEmpty(), "NOPERM %s", msg));
    bstrFree(msg);
    return 0;
}

/* ---------- loading users: config lines and the ACL file ---------- */

/* Parses "user <name> <rules...>" lines into a fresh user table. Returns the
 * table or NULL with *errors describing every bad line. */
static hashtable *parseUserLines(list *lines, const char *origin, bstr *errors, int with_keyword) {
    hashtable *saved = aclUsers;
    aclUser *saved_default = aclDefault;
    aclUsers = htCreate(&aclUsersType);
    aclDefault = NULL;
    listIter li;
    listNode *ln;
    int linenum = 0;
    list *seen = listCreate();   /* names already declared, valid or not */
    listRewind(lines, &li);
    while ((ln = listNext(&li))) {
        linenum++;
        bstr line = ln->value;
        int argc;
        bstr *argv = bstrSplitArgs(line, &argc);
        if (!argv) {
            *errors = bstrCatPrintf(*errors, "%s:%d: Syntax error. ", origin, linenum);
            continue;
        }
        if (argc == 0) { bstrFreeSplit(argv, argc); continue; }
        int base = with_keyword ? 1 : 0;
        if (with_keyword && (strcmp(argv[0], "user") || argc < 2)) {
            *errors = bstrCatPrintf(*errors, "%s:%d should start with user keyword followed by the username. ",
                                    origin, linenum);
            bstrFreeSplit(argv, argc);
            continue;
        }
        bstr name = argv[base];
        if (aclHasSpaces(name, bstrLen(name))) {
            *errors = bstrCatPrintf(*errors, "%s:%d: username '%s' contains invalid characters. ", origin, linenum, name);
        } else if (bstrListFind(seen, name, bstrLen(name))) {
            *errors = bstrCatPrintf(*errors, "WARNING: Duplicate user '%s' found on line %d. ", name, linenum);
        } else {
            listAddNodeTail(seen, bstrDup(name));
            bstr reset = bstrNew("reset");
            bstr *rules = zmalloc(sizeof(bstr) * (size_t)(argc - base));
            rules[0] = reset;
            for (int j = base + 1; j < argc; j++) rules[j - base] = argv[j];
            bstr err = NULL;
            if (aclSetUserRules(name, bstrLen(name), rules, argc - base, &err, NULL, 1) != 0) {
                *errors = bstrCatPrintf(*errors, "%s:%d: %s. ", origin, linenum, err);
                bstrFree(err);
            }
            bstrFree(reset);
            zfree(rules);
        }
        bstrFreeSplit(argv, argc);
    }
    bstrListFree(seen);
    hashtable *parsed = aclUsers;
    aclUsers = saved;
    aclDefault = saved_default;
    if (bstrLen(*errors)) {
        htIterator it;
        htEntry *e;
        htInitIterator(&it, parsed);
        while ((e = htNext(&it))) aclUserFree(e->v.val);
        htResetIterator(&it);
        htRelease(parsed);
        return NULL;
    }
    return parsed;
}

/* Installs a parsed table: the default user object keeps its identity (it is
 * referenced everywhere), other users are replaced; clients of users that no
 * longer exist, or subscribers that lost channels, are disconnected. */
static void installUsers(hashtable *parsed, client *current) {
    bstr defname = bstrNew("default");
    aclUser *newdef = htFetchValue(parsed, defname);
    if (!newdef) newdef = createDefaultUser();
    else htDelete(parsed, defname);
    bstrFree(defname);
    userReplaceWith(aclDefault, newdef);
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *cl = ln->value;
        if (cl->flags & (CLIENT_PRIMARY | CLIENT_FAKE)) continue;
        aclUser *nu = cl->user ? htFetchValue(parsed, cl->user) : aclDefault;
        if (!nu) {
            bstrFree(cl->user);
            cl->user = NULL;
            cl->authenticated = 0;
            closeClient(cl, current);
        } else if (clientLostChannels(cl, nu)) {
            closeClient(cl, current);
        }
    }
    htIterator it;
    htEntry *e;
    htInitSafeIterator(&it, aclUsers);
    while ((e = htNext(&it))) {
        if (e->v.val != aclDefault) aclUserFree(e->v.val);
    }
    htResetIterator(&it);
    htRelease(aclUsers);
    aclUsers = parsed;
    htAdd(aclUsers, bstrNew("default"), aclDefault);
}

static list *readFileLines(const char *path, bstr *err) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        *err = bstrCatPrintf(bstrEmpty(), "Error loading ACLs, opening file '%s': %s", path, strerror(errno));
        return NULL;
    }
    list *lines = listCreate();
    char buf[16384];
    while (fgets(buf, sizeof(buf), fp)) {
        bstr l = bstrNew(buf);
        bstrTrim(l, " \t\r\n");
        listAddNodeTail(lines, l);
    }
    fclose(fp);
    return lines;
}

/* 0 ok, -1 with *err (a new bstr, no "ERR " prefix). */
int aclLoadFromFile(const char *path, client *current, bstr *err) {
    list *lines = readFileLines(path, err);
    if (!lines) return -1;
    bstr errors = bstrEmpty();
    hashtable *parsed = parseUserLines(lines, path, &errors, 1);
    bstrListFree(lines);
    if (!parsed) {
        errors = bstrCat(errors, "WARNING: ACL errors detected, no change to the previously active ACL rules was "
                                 "performed");
        *err = errors;
        return -1;
    }
    bstrFree(errors);
    installUsers(parsed, current);
    return 0;
}

static int cmpBstrPtr(const void *a, const void *b) { return bstrCmp(*(bstr *)a, *(bstr *)b); }

/* User names, sorted as Valkey lists them. Caller frees the array only. */
bstr *aclSortedUserNames(size_t *count) {
    size_t n = htSize(aclUsers), i = 0;
    bstr *names = zmalloc(sizeof(bstr) * (n ? n : 1));
    htIterator it;
    htEntry *e;
    htInitIterator(&it, aclUsers);
    while ((e = htNext(&it))) names[i++] = ((aclUser *)e->v.val)->name;
    htResetIterator(&it);
    qsort(names, n, sizeof(bstr), cmpBstrPtr);
    *count = n;
    return names;
}

bstr aclUserListLine(aclUser *u) {
    bstr d = userDescribe(u);
    bstr line = bstrCatPrintf(bstrEmpty(), "user %s %s", u->name, d);
    bstrFree(d);
    return line;
}

int aclUserConfigLines(bstr **lines) {
    aclEnsureInit();
    *lines = NULL;
    if (server.acl_filename && server.acl_filename[0]) return 0;
    size_t n;
    bstr *names = aclSortedUserNames(&n);
    *lines = zmalloc(sizeof(bstr) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) (*lines)[i] = aclUserListLine(htFetchValue(aclUsers, names[i]));
    zfree(names);
    return (int)n;
}

int aclSaveToFile(const char *path) {
    bstr tmp = bstrCatPrintf(bstrEmpty(), "%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd == -1) {
        serverLog(LL_WARNING, "Opening temp ACL file for ACL SAVE: %s", strerror(errno));
        bstrFree(tmp);
        return -1;
    }
    size_t n;
    bstr *names = aclSortedUserNames(&n);
    bstr all = bstrEmpty();
    for (size_t i = 0; i < n; i++) {
        bstr line = aclUserListLine(htFetchValue(aclUsers, names[i]));
        all = bstrCatBstr(all, line);
        all = bstrCatLen(all, "\n", 1);
        bstrFree(line);
    }
    zfree(names);
    int ok = write(fd, all, bstrLen(all)) == (ssize_t)bstrLen(all) && fsync(fd) == 0;
    close(fd);
    bstrFree(all);
    if (ok && rename(tmp, path) == -1) ok = 0;
    if (!ok) {
        serverLog(LL_WARNING, "Writing ACL file for ACL SAVE: %s", strerror(errno));
        unlink(tmp);
    }
    bstrFree(tmp);
    return ok ? 0 : -1;
}

void aclInit(void) {
    aclEnsureInit();
    int has_lines = server.config_user_lines && listLength(server.config_user_lines);
    int has_file = server.acl_filename && server.acl_filename[0];
    if (has_lines && has_file) {
        serverLog(LL_WARNING, "Configuring Valkey with users defined in valkey.conf and at the same setting an ACL "
                              "file path is invalid. This setup is very likely to lead to configuration errors and "
                              "security holes, please define either an ACL file or declare users directly in your "
                              "valkey.conf, but not both.");
        exit(1);
    }
    if (has_file) {
        bstr err = NULL;
        if (aclLoadFromFile(server.acl_filename, NULL, &err) != 0) {
            serverLog(LL_WARNING, "Aborting Valkey startup because of ACL errors: %s", err);
            exit(1);
        }
        return;
    }
    if (!has_lines) return;
    /* Config lines are "name rules..."; a bad one stops the server. */
    listIter li;
    listNode *ln;
    listRewind(server.config_user_lines, &li);
    int seen_default = 0;
    while ((ln = listNext(&li))) {
        int argc;
        bstr *argv = bstrSplitArgs(ln->value, &argc);
        if (!argv || argc < 1) {
            serverLog(LL_WARNING, "Error in user declaration '%s': Syntax error", (char *)ln->value);
            exit(1);
        }
        int is_default = !strcmp(argv[0], "default");
        if ((is_default && seen_default++) || (!is_default && aclGetUser(argv[0], bstrLen(argv[0])))) {
            serverLog(LL_WARNING, "Error in user declaration '%s': %s", argv[0], aclSetResultText(SET_DUPLICATE));
            exit(1);
        }
        bstr *rules = zmalloc(sizeof(bstr) * (size_t)argc);
        rules[0] = bstrNew("reset");
        for (int j = 1; j < argc; j++) rules[j] = argv[j];
        bstr err = NULL;
        int r = aclSetUserRules(argv[0], bstrLen(argv[0]), rules, argc, &err, NULL, 1);
        bstrFree(rules[0]);
        zfree(rules);
        if (r != 0) {
            serverLog(LL_WARNING, "Error in user declaration '%s': %s", argv[0], err);
            exit(1);
        }
        bstrFreeSplit(argv, argc);
    }
}

