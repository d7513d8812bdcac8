/* tracking: server-assisted client-side caching (CLIENT TRACKING).
 *
 * Default mode: after a read-only command of a tracking client, each key it
 * named goes into keyTable (key name -> ids of the clients that may cache
 * it). The first modification of the key sends those clients one
 * invalidation and drops the entry, so a client hears about a key once per
 * read. Ids, not pointers, are stored: a client that disconnects or turns
 * tracking off leaves stale ids that are skipped and go away with the entry,
 * so freeing a client never walks the table.
 *
 * BCAST mode: nothing is remembered per read. Every modified key is queued
 * under each registered prefix it starts with, and before the event loop
 * sleeps each prefix sends its keys (sorted, deduplicated) to its clients.
 *
 * Delivery: a RESP3 push ">2 invalidate <keys>" to the client or to its
 * REDIRECT target; a RESP2 target subscribed to __redis__:invalidate gets a
 * pub/sub message instead. <keys> is an array, or null after a flush. */
#include "server/server.h"
#include "ds/idset.h"
#include "ds/rax.h"
#include <stdlib.h>
#include <string.h>

#define TRACKING_CHANNEL "__redis__:invalidate"
#define TRACKING_MODE_FLAGS                                                                            \
    (CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN | \
     CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING | CLIENT_TRACKING_NOLOOP)

/* One registered BCAST prefix. */
typedef struct bcastPrefix {
    hashtable *keys; /* bstr key modified since the last broadcast -> u64 id of its last writer (0: none) */
    rax *clients;    /* big-endian client id -> client*, so sends go in id order */
} bcastPrefix;

static hashtable *keyTable;        /* bstr key -> idset* of client ids */
static unsigned long long keyTableItems; /* ids summed over all keys (INFO tracking_total_items) */
static rax *prefixTable;           /* prefix -> bcastPrefix* */
/* Invalidations meant for the client whose command is running: they are
 * sent after its reply. Entries are key objects, or NULL for a flush. */
static list *pendingKeys;

static void idsetFreeVoid(void *s) { idsetFree(s); }
static htType keyTableType = {htBstrHash, htBstrEqual, htBstrFree, idsetFreeVoid};
static htType bcastKeysType = {htBstrHash, htBstrEqual, htBstrFree, NULL};

static void refreshActive(void) {
    server.tracking_active = server.tracking_clients || (keyTable && htSize(keyTable)) ||
                             (pendingKeys && listLength(pendingKeys));
}

static void trackingInit(void) {
    if (keyTable) return;
    keyTable = htCreate(&keyTableType);
    prefixTable = raxNew();
    pendingKeys = listCreate();
}

static void idToKey(uint64_t id, unsigned char out[8]) {
    for (int i = 7; i >= 0; i--, id >>= 8) out[i] = (unsigned char)id;
}

/* ---------- delivery ---------- */

#define PAYLOAD_KEY 0   /* one key name: sent as a one-element array */
#define PAYLOAD_PROTO 1 /* ready-made RESP (a BCAST batch) */
#define PAYLOAD_NULL 2  /* "every key": a null in the receiver's protocol */

/* Writes the header of an invalidation to dst; 0 when dst cannot take one. */
static int addInvalidationHeader(client *dst, int redirected) {
    if (dst->resp > 2) {
        addReplyPushLen(dst, 2);
        addReplyBulkCBuffer(dst, "invalidate", 10);
        return 1;
    }
    /* RESP2 has no pushes: only a redirect target in pub/sub mode can get it. */
    if (!redirected || !(dst->flags & CLIENT_PUBSUB)) return 0;
    addReply(dst, shared.mbulkhdr[3]);
    addReply(dst, shared.messagebulk);
    addReplyBulkCBuffer(dst, TRACKING_CHANNEL, sizeof(TRACKING_CHANNEL) - 1);
    return 1;
}

static void addInvalidationPayload(client *dst, const char *p, size_t len, int kind) {
    if (kind == PAYLOAD_PROTO) {
        addReplyProto(dst, p, len);
    } else if (kind == PAYLOAD_NULL) {
        addReply(dst, shared.null[dst->resp]);
    } else {
        addReplyArrayLen(dst, 1);
        addReplyBulkCBuffer(dst, p, len);
    }
}

/* A redirect to a client that is gone: the tracking client is flagged and,
 * when it speaks RESP3, told which id broke. */
static void reportBrokenRedirect(client *c) {
    c->flags |= CLIENT_TRACKING_BROKEN_REDIR;
    if (c->resp <= 2) return;
    uint64_t had = c->flags & CLIENT_PUSHING;
    c->flags |= CLIENT_PUSHING;
    addReplyPushLen(c, 2);
    addReplyBulkCBuffer(c, "tracking-redir-broken", 21);
    addReplyLongLong(c, (long long)c->tracking_redirect);
    c->flags = (c->flags & ~CLIENT_PUSHING) | had;
}

static void sendInvalidation(client *c, const char *p, size_t len, int kind) {
    client *dst = c;
    if (c->tracking_redirect) {
        dst = lookupClientByID(c->tracking_redirect);
        if (!dst) {
            reportBrokenRedirect(c);
            return;
        }
    }
    uint64_t had = dst->flags & CLIENT_PUSHING;
    dst->flags |= CLIENT_PUSHING;
    if (addInvalidationHeader(dst, c->tracking_redirect != 0)) addInvalidationPayload(dst, p, len, kind);
    dst->flags = (dst->flags & ~CLIENT_PUSHING) | had;
}

/* ---------- enabling and disabling ---------- */

static void subscribePrefix(client *c, const char *p, size_t len) {
    void *found;
    bcastPrefix *bp;
    if (raxFind(prefixTable, (const unsigned char *)p, len, &found)) {
        bp = found;
    } else {
        bp = zmalloc(sizeof(*bp));
        bp->keys = htCreate(&bcastKeysType);
        bp->clients = raxNew();
        raxInsert(prefixTable, (const unsigned char *)p, len, bp, NULL);
    }
    unsigned char id[8];
    idToKey(c->id, id);
    if (!raxTryInsert(bp->clients, id, sizeof(id), c, NULL)) return;
    if (!c->tracking_prefixes) c->tracking_prefixes = raxNew();
    raxInsert(c->tracking_prefixes, (const unsigned char *)p, len, NULL, NULL);
}

static void unsubscribePrefix(client *c, const unsigned char *p, size_t len) {
    void *found;
    if (!raxFind(prefixTable, p, len, &found)) return;
    bcastPrefix *bp = found;
    unsigned char id[8];
    idToKey(c->id, id);
    raxRemove(bp->clients, id, sizeof(id), NULL);
    if (raxSize(bp->clients)) return;
    htRelease(bp->keys);
    raxFree(bp->clients);
    zfree(bp);
    raxRemove(prefixTable, p, len, NULL);
}

void disableTracking(client *c) {
    if (c->tracking_prefixes) {
        raxIterator it;
        raxStart(&it, c->tracking_prefixes);
        raxSeek(&it, "^", NULL, 0);
        while (raxNext(&it)) unsubscribePrefix(c, it.key, it.key_len);
        raxStop(&it);
        raxFree(c->tracking_prefixes);
        c->tracking_prefixes = NULL;
    }
    if (c->flags & CLIENT_TRACKING) {
        server.tracking_clients--;
        c->flags &= ~TRACKING_MODE_FLAGS;
    }
    /* With nobody tracking every id left is stale: drop them all, so writes
     * stop looking keys up (Valkey keeps them until each key changes). */
    if (server.tracking_clients == 0 && keyTable) {
        htEmpty(keyTable, NULL);
        keyTableItems = 0;
    }
    refreshActive();
}

/* Turning tracking on again (same mode) replaces the redirect and flags and
 * adds prefixes; BCAST without PREFIX subscribes to the empty prefix. */
static void enableTracking(client *c, uint64_t redirect, uint64_t options, obj **prefixes, int nprefixes) {
    trackingInit();
    if (!(c->flags & CLIENT_TRACKING)) server.tracking_clients++;
    c->flags &= ~(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                  CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
    c->flags |= CLIENT_TRACKING | (options & (CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                                              CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP));
    c->tracking_redirect = redirect;
    if (options & CLIENT_TRACKING_BCAST) {
        if (nprefixes == 0) subscribePrefix(c, "", 0);
        for (int j = 0; j < nprefixes; j++) subscribePrefix(c, objPtr(prefixes[j]), bstrLen(objPtr(prefixes[j])));
    }
    refreshActive();
}

/* Two prefixes overlap when one starts with the other: a key under the
 * longer one would be reported twice. */
static int prefixesOverlap(const void *a, size_t alen, const void *b, size_t blen) {
    return memcmp(a, b, alen < blen ? alen : blen) == 0;
}

/* Replies the error and returns -1 when a new prefix overlaps one the client
 * has or another new one. */
static int checkPrefixCollisions(client *c, obj **prefixes, int n) {
    for (int i = 0; i < n; i++) {
        bstr pi = objPtr(prefixes[i]);
        if (c->tracking_prefixes) {
            raxIterator it;
            raxStart(&it, c->tracking_prefixes);
            raxSeek(&it, "^", NULL, 0);
            while (raxNext(&it)) {
                if (!prefixesOverlap(it.key, it.key_len, pi, bstrLen(pi))) continue;
                bstr old = bstrNewLen((const char *)it.key, it.key_len);
                addReplyErrorFormat(c, "ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.", pi, old);
                bstrFree(old);
                raxStop(&it);
                return -1;
            }
            raxStop(&it);
        }
        for (int j = i + 1; j < n; j++) {
            bstr pj = objPtr(prefixes[j]);
            if (!prefixesOverlap(pi, bstrLen(pi), pj, bstrLen(pj))) continue;
            /* Valkey goes on to enable tracking after this error and replies
             * twice; one reply per command keeps the connection in step. */
            addReplyErrorFormat(c, "ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", pi, pj);
            return -1;
        }
    }
    return 0;
}

/* Mode checks for CLIENT TRACKING ON, in Valkey's order. */
static int checkEnableOptions(client *c, uint64_t options, int nprefixes) {
    const char *err = NULL;
    int bcast = (options & CLIENT_TRACKING_BCAST) != 0;
    if (!bcast && nprefixes) err = "ERR PREFIX option requires BCAST mode to be enabled";
    else if ((c->flags & CLIENT_TRACKING) && bcast != ((c->flags & CLIENT_TRACKING_BCAST) != 0))
        err = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
    else if (bcast && (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT)))
        err = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    else if ((options & CLIENT_TRACKING_OPTIN) && (options & CLIENT_TRACKING_OPTOUT))
        err = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    else if (((options & CLIENT_TRACKING_OPTIN) && (c->flags & CLIENT_TRACKING_OPTOUT)) ||
             ((options & CLIENT_TRACKING_OPTOUT) && (c->flags & CLIENT_TRACKING_OPTIN)))
        err = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
    if (!err) return 0;
    addReplyError(c, err);
    return -1;
}

typedef struct trackingArgs {
    long long redirect;
    uint64_t options;
    obj **prefixes;
    int nprefixes;
} trackingArgs;

/* Options after ON|OFF. A REDIRECT target must exist now (it may go later). */
static int parseTrackingArgs(client *c, trackingArgs *a) {
    for (int j = 3; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        int more = c->argc - 1 - j;
        if (!strcasecmp(opt, "redirect") && more) {
            j++;
            if (a->redirect != 0) {
                addReplyError(c, "ERR A client can only redirect to a single other client");
                return -1;
            }
            if (getLongLongFromObjectOrReply(c, c->argv[j], &a->redirect, NULL) != 0) return -1;
            if (a->redirect <= 0 || !lookupClientByID((uint64_t)a->redirect)) {
                addReplyError(c, "ERR The client ID you want redirect to does not exist");
                return -1;
            }
        } else if (!strcasecmp(opt, "bcast")) {
            a->options |= CLIENT_TRACKING_BCAST;
        } else if (!strcasecmp(opt, "optin")) {
            a->options |= CLIENT_TRACKING_OPTIN;
        } else if (!strcasecmp(opt, "optout")) {
            a->options |= CLIENT_TRACKING_OPTOUT;
        } else if (!strcasecmp(opt, "noloop")) {
            a->options |= CLIENT_TRACKING_NOLOOP;
        } else if (!strcasecmp(opt, "prefix") && more) {
            j++;
            a->prefixes[a->nprefixes++] = c->argv[j];
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    return 0;
}

void clientTrackingCommand(client *c) {
    trackingArgs a = {0, 0, zmalloc(sizeof(obj *) * (size_t)c->argc), 0};
    const char *onoff = objPtr(c->argv[2]);
    if (parseTrackingArgs(c, &a) != 0) goto done;
    if (!strcasecmp(onoff, "on")) {
        if (checkEnableOptions(c, a.options, a.nprefixes) != 0) goto done;
        if ((a.options & CLIENT_TRACKING_BCAST) && checkPrefixCollisions(c, a.prefixes, a.nprefixes) != 0) goto done;
        enableTracking(c, (uint64_t)a.redirect, a.options, a.prefixes, a.nprefixes);
    } else if (!strcasecmp(onoff, "off")) {
        disableTracking(c);
    } else {
        addReplyErrorObject(c, shared.syntaxerr);
        goto done;
    }
    addReply(c, shared.ok);
done:
    zfree(a.prefixes);
}

void clientCachingCommand(client *c) {
    if (!(c->flags & CLIENT_TRACKING)) {
        addReplyError(c, "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        return;
    }
    const char *opt = objPtr(c->argv[2]);
    if (!strcasecmp(opt, "yes")) {
        if (!(c->flags & CLIENT_TRACKING_OPTIN)) {
            addReplyError(c, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            return;
        }
    } else if (!strcasecmp(opt, "no")) {
        if (!(c->flags & CLIENT_TRACKING_OPTOUT)) {
            addReplyError(c, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            return;
        }
    } else {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    c->flags |= CLIENT_TRACKING_CACHING;
    addReply(c, shared.ok);
}

void clientGetredirCommand(client *c) {
    addReplyLongLong(c, (c->flags & CLIENT_TRACKING) ? (long long)c->tracking_redirect : -1);
}

static void addFlagIf(client *c, int cond, const char *name, int *n) {
    if (!cond) return;
    addReplyBulkCString(c, name);
    (*n)++;
}

/* TRACKINGINFO's flag set, in Valkey's order; returns how many. */
static int addTrackingFlags(client *c) {
    int n = 0;
    uint64_t f = c->flags;
    int caching = (f & CLIENT_TRACKING_CACHING) != 0;
    addFlagIf(c, 1, (f & CLIENT_TRACKING) ? "on" : "off", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_BCAST) != 0, "bcast", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_OPTIN) != 0, "optin", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_OPTIN) && caching, "caching-yes", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_OPTOUT) != 0, "optout", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_OPTOUT) && caching, "caching-no", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_NOLOOP) != 0, "noloop", &n);
    addFlagIf(c, (f & CLIENT_TRACKING_BROKEN_REDIR) != 0, "broken_redirect", &n);
    return n;
}

void clientTrackingInfoCommand(client *c) {
    addReplyMapLen(c, 3);
    addReplyBulkCString(c, "flags");
    void *setlen = addReplyDeferredLen(c);
    setDeferredSetLen(c, setlen, addTrackingFlags(c));
    addReplyBulkCString(c, "redirect");
    clientGetredirCommand(c);
    addReplyBulkCString(c, "prefixes");
    if (!c->tracking_prefixes) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(c->tracking_prefixes));
    raxIterator it;
    raxStart(&it, c->tracking_prefixes);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) addReplyBulkCBuffer(c, it.key, it.key_len);
    raxStop(&it);
}

/* ---------- remembering reads (default mode) ---------- */

/* The bstr form of a key object: its own when it has one, else *tmp. */
static bstr keyBstr(obj *key, bstr *tmp) {
    *tmp = NULL;
    if (sdsEncodedObject(key)) return objPtr(key);
    char buf[32];
    size_t len;
    const char *p = objStrPtr(key, buf, sizeof(buf), &len);
    return *tmp = bstrNewLen(p, len);
}

static void rememberKey(client *tracking, bstr key) {
    htEntry *e = htFind(keyTable, key);
    if (!e) {
        e = htAddRaw(keyTable, bstrDup(key), NULL);
        e->v.val = idsetNew();
    }
    idset *ids = e->v.val;
    if (idsetAdd(&ids, tracking->id)) keyTableItems++;
    e->v.val = ids;
}

/* The keys of the command `executing` ran (a script's command, or the client's
 * own) are charged to `tracking`, the connection that sent the command. */
static void rememberKeys(client *tracking, client *executing) {
    uint64_t mode = tracking->flags & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT);
    int caching = (tracking->flags & CLIENT_TRACKING_CACHING) != 0;
    if ((mode == CLIENT_TRACKING_OPTIN && !caching) || (mode == CLIENT_TRACKING_OPTOUT && caching)) return;
    serverCommand *cmd = executing->cmd;
    if (cmd->flags & CMD_PUBSUB) return;   /* shard channels are "keys" too, not cached data */
    int stackidx[32];
    int *idx = executing->argc <= 32 ? stackidx : zmalloc(sizeof(int) * (size_t)executing->argc);
    int n = getKeysFromCommand(cmd, executing->argv, executing->argc, idx, executing->argc);
    for (int j = 0; j < n; j++) {
        bstr tmp;
        rememberKey(tracking, keyBstr(executing->argv[idx[j]], &tmp));
        bstrFree(tmp);
    }
    if (idx != stackidx) zfree(idx);
}

/* Read-only scripts are not tracked as such: the commands they run are. */
static int isReadOnlyScriptCommand(serverCommand *cmd) {
    const char *n = cmd->name;
    return !strcmp(n, "eval_ro") || !strcmp(n, "evalsha_ro") || !strcmp(n, "fcall_ro");
}

static void flushPendingInvalidations(void);

/* Once per command (every call(), nested ones included, while any tracking
 * state exists): the only tracking work on the command path. */
void trackingAfterCall(client *c) {
    client *t = server.current_client;
    if (c->cmd && (c->cmd->flags & CMD_READONLY) && t && (t->flags & CLIENT_TRACKING) &&
        !(t->flags & CLIENT_TRACKING_BCAST) && !isReadOnlyScriptCommand(c->cmd)) {
        rememberKeys(t, c);
        refreshActive();
    }
    if (server.execution_nesting) return;
    flushPendingInvalidations();
    /* Valkey trims before the next command; right after this one is the same
     * point in every client's stream of replies. */
    if (server.tracking_clients) trackingLimitUsedSlots();
}

/* ---------- invalidation ---------- */

static void queuePending(const char *p, size_t len) {
    listAddNodeTail(pendingKeys, p ? createStringObject(p, len) : NULL);
}

/* Sends the invalidation of `key` to every client remembered for it and
 * forgets the entry. */
static void invalidateEntry(bstr key) {
    htEntry *e = htUnlink(keyTable, key);
    if (!e) return;
    const char *p = key;
    size_t len = bstrLen(key);
    idset *ids = e->v.val;
    client *cur = server.current_client;
    for (uint32_t i = 0; i < idsetLen(ids); i++) {
        client *target = lookupClientByID(idsetGet(ids, i));
        /* Stale ids: gone, tracking off, or switched to BCAST since the read. */
        if (!target || !(target->flags & CLIENT_TRACKING) || (target->flags & CLIENT_TRACKING_BCAST)) continue;
        if ((target->flags & CLIENT_TRACKING_NOLOOP) && target == cur) continue;
        /* The running command's reply must come before its own invalidations. */
        if (target == cur && server.execution_nesting) queuePending(p, len);
        else sendInvalidation(target, p, len, PAYLOAD_KEY);
    }
    keyTableItems -= idsetLen(ids);
    htFreeUnlinkedEntry(keyTable, e);
}

/* Queues key under every BCAST prefix it starts with, noting who wrote it
 * last (NOLOOP clients skip their own writes). */
static void queueForBroadcast(client *c, bstr key) {
    const char *p = key;
    size_t len = bstrLen(key);
    raxIterator it;
    raxStart(&it, prefixTable);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        if (it.key_len > len || (it.key_len && memcmp(it.key, p, it.key_len))) continue;
        bcastPrefix *bp = it.data;
        htEntry *e = htFind(bp->keys, key);
        if (!e) e = htAddRaw(bp->keys, bstrDup(key), NULL);
        e->v.u64 = c ? c->id : 0;
    }
    raxStop(&it);
}

void trackingInvalidateKey(client *c, obj *key, int bcast) {
    if (!keyTable) return;
    bstr tmp;
    bstr k = keyBstr(key, &tmp);
    if (bcast && raxSize(prefixTable)) queueForBroadcast(c, k);
    if (htSize(keyTable)) {
        invalidateEntry(k);
        refreshActive();
    }
    bstrFree(tmp);
}

/* Keys are global, not per database: any flush tells every tracking client
 * "all keys" (a null) and empties the table. */
void trackingInvalidateKeysOnFlush(int async) {
    (void)async; /* the table holds small allocations only: freed here */
    if (!keyTable) return;
    if (server.tracking_clients) {
        listIter li;
        listNode *ln;
        listRewind(server.clients, &li);
        while ((ln = listNext(&li))) {
            client *c = ln->value;
            if (!(c->flags & CLIENT_TRACKING)) continue;
            if (c == server.current_client) queuePending(NULL, 0);
            else sendInvalidation(c, NULL, 0, PAYLOAD_NULL);
        }
    }
    htEmpty(keyTable, NULL);
    keyTableItems = 0;
    refreshActive();
}

static void flushPendingInvalidations(void) {
    if (!pendingKeys || listLength(pendingKeys) == 0) return;
    client *c = server.current_client; /* NULL when it was freed meanwhile */
    while (listLength(pendingKeys)) {
        listNode *ln = listFirst(pendingKeys);
        obj *key = ln->value;
        listDelNode(pendingKeys, ln);
        if (c && key) sendInvalidation(c, objPtr(key), bstrLen(objPtr(key)), PAYLOAD_KEY);
        else if (c) sendInvalidation(c, NULL, 0, PAYLOAD_NULL);
        if (key) decrRefCount(key);
    }
    refreshActive();
}

/* ---------- BCAST batches ---------- */

static int cmpEntryKeys(const void *a, const void *b) {
    bstr ka = (*(htEntry *const *)a)->key, kb = (*(htEntry *const *)b)->key;
    size_t la = bstrLen(ka), lb = bstrLen(kb);
    int r = memcmp(ka, kb, la < lb ? la : lb);
    return r ? r : (la > lb) - (la < lb);
}

/* RESP array of the batch's keys, leaving out those `skip_id` wrote last
 * (0: none). NULL when nothing is left. */
static bstr buildBatch(htEntry **keys, size_t n, uint64_t skip_id) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!skip_id || keys[i]->v.u64 != skip_id) count++;
    if (count == 0) return NULL;
    bstr out = bstrCatPrintf(bstrEmpty(), "*%zu\r\n", count);
    for (size_t i = 0; i < n; i++) {
        if (skip_id && keys[i]->v.u64 == skip_id) continue;
        bstr k = keys[i]->key;
        out = bstrCatPrintf(out, "$%zu\r\n", bstrLen(k));
        out = bstrCatLen(out, k, bstrLen(k));
        out = bstrCatLen(out, "\r\n", 2);
    }
    return out;
}

static void broadcastPrefix(bcastPrefix *bp) {
    size_t n = htSize(bp->keys), i = 0;
    htEntry **keys = zmalloc(sizeof(*keys) * n);
    htIterator hi;
    htInitIterator(&hi, bp->keys);
    htEntry *e;
    while ((e = htNext(&hi))) keys[i++] = e;
    htResetIterator(&hi);
    qsort(keys, n, sizeof(*keys), cmpEntryKeys);
    bstr common = buildBatch(keys, n, 0);
    raxIterator it;
    raxStart(&it, bp->clients);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        client *c = it.data;
        if (!(c->flags & CLIENT_TRACKING_NOLOOP)) {
            sendInvalidation(c, common, bstrLen(common), PAYLOAD_PROTO);
            continue;
        }
        bstr own = buildBatch(keys, n, c->id);
        if (own) sendInvalidation(c, own, bstrLen(own), PAYLOAD_PROTO);
        bstrFree(own);
    }
    raxStop(&it);
    bstrFree(common);
    zfree(keys);
    htEmpty(bp->keys, NULL);
}

void trackingBroadcastInvalidations(void) {
    if (!prefixTable || !server.tracking_clients) return;
    raxIterator it;
    raxStart(&it, prefixTable);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        bcastPrefix *bp = it.data;
        if (htSize(bp->keys)) broadcastPrefix(bp);
    }
    raxStop(&it);
}

/* ---------- limits and counters ---------- */

/* Over tracking-table-max-keys, random keys are invalidated as if written.
 * Each call still over the limit works harder next time. */
void trackingLimitUsedSlots(void) {
    static unsigned int rounds_over = 0;
    if (!keyTable || server.tracking_table_max_keys == 0) return;
    size_t max = server.tracking_table_max_keys;
    if (htSize(keyTable) <= max) {
        rounds_over = 0;
        return;
    }
    int effort = 100 * (int)(rounds_over + 1);
    while (effort-- > 0) {
        htEntry *e = htGetRandomEntry(keyTable);
        if (!e) break;
        bstr key = bstrDup(e->key); /* the entry and its key are freed on the way */
        invalidateEntry(key);
        bstrFree(key);
        if (htSize(keyTable) <= max) {
            rounds_over = 0;
            refreshActive();
            return;
        }
    }
    rounds_over++;
    refreshActive();
}

/* CLIENT CACHING applies to the next command, or to a whole MULTI ... EXEC,
 * and survives other CLIENT subcommands in between. */
void trackingResetCachingFlag(client *c) {
    if (c->flags & CLIENT_MULTI) return;
    serverCommand *cmd = c->cmd;
    if (cmd && cmd->parent) cmd = cmd->parent;
    if (cmd && !strcmp(cmd->name, "client")) return;
    c->flags &= ~CLIENT_TRACKING_CACHING;
}

unsigned long long trackingGetTotalItems(void) { return keyTableItems; }
unsigned long long trackingGetTotalKeys(void) { return keyTable ? htSize(keyTable) : 0; }
unsigned long long trackingGetTotalPrefixes(void) { return prefixTable ? raxSize(prefixTable) : 0; }
