/* blocking: clients waiting for keys (BLPOP, BZPOPMIN, ...) or for replica
 * acks (WAIT). A client blocked on keys sits in a FIFO per key; when a key is
 * signalled ready its waiters re-execute their command in order. A re-run that
 * still cannot be served calls blockForKeys again, which keeps the client's
 * place. Timeouts are checked before every event-loop sleep. */
#include "server/server.h"
#include <string.h>

extern htType objKeySetType;

typedef struct readyKey {
    serverDb *db;
    obj *key;
} readyKey;

static list *blocked_list;   /* every blocked client, for timeout checks */
static list *postponed_list; /* clients waiting for a CLIENT PAUSE to end */

static int blockedTypeFor(int objtype) {
    switch (objtype) {
    case OBJ_LIST: return BLOCKED_LIST;
    case OBJ_ZSET: return BLOCKED_ZSET;
    case OBJ_STREAM: return BLOCKED_STREAM;
    default: return BLOCKED_NONE;
    }
}

void blockClient(client *c, int btype) {
    c->flags |= CLIENT_BLOCKED;
    c->bstate.btype = btype;
    server.blocked_clients++;
    server.blocked_clients_by_type[btype]++;
    if (!blocked_list) blocked_list = listCreate();
    listAddNodeTail(blocked_list, c);
}

/* Blocking inside MULTI or a script cannot wait: it behaves as an immediate timeout. */
static int cannotBlock(client *c) {
    return (c->flags & (CLIENT_MULTI | CLIENT_SCRIPT)) || server.in_exec || server.in_script || (c->flags & CLIENT_FAKE);
}

void blockForKeys(client *c, int btype, obj **keys, int numkeys, mstime_t timeout, int unblock_on_nokey) {
    if (c->flags & CLIENT_REPROCESSING) {
        c->flags |= CLIENT_BLOCKED;   /* still waiting, same place in each queue */
        return;
    }
    if (cannotBlock(c)) {
        addReplyNullArray(c);
        return;
    }
    c->bstate.timeout = timeout;
    c->bstate.unblock_on_nokey = unblock_on_nokey;
    if (!c->bstate.keys) c->bstate.keys = htCreate(&objKeySetType);
    for (int j = 0; j < numkeys; j++) {
        incrRefCount(keys[j]);
        if (htAdd(c->bstate.keys, keys[j], NULL) != 0) {
            decrRefCount(keys[j]);
            continue;
        }
        htEntry *existing = NULL;
        incrRefCount(keys[j]);
        htEntry *de = htAddRaw(c->db->blocking_keys, keys[j], &existing);
        list *l;
        if (de) {
            l = listCreate();
            de->v.val = l;
        } else {
            decrRefCount(keys[j]);
            l = existing->v.val;
        }
        listAddNodeTail(l, c);
    }
    blockClient(c, btype);
}

static void removeFromKeyQueues(client *c) {
    if (!c->bstate.keys) return;
    htIterator it;
    htInitIterator(&it, c->bstate.keys);
    htEntry *e;
    while ((e = htNext(&it))) {
        obj *key = e->key;
        list *l = htFetchValue(c->db->blocking_keys, key);
        if (!l) continue;
        listNode *ln = listSearchKey(l, c);
        if (ln) listDelNode(l, ln);
        if (listLength(l) == 0) htDelete(c->db->blocking_keys, key);
    }
    htResetIterator(&it);
    htEmpty(c->bstate.keys, NULL);
}

static void leaveBlockedState(client *c) {
    if (c->bstate.btype == BLOCKED_NONE) return;
    if (c->bstate.btype == BLOCKED_POSTPONE && postponed_list) {
        listNode *ln = listSearchKey(postponed_list, c);
        if (ln) listDelNode(postponed_list, ln);
    }
    removeFromKeyQueues(c);
    if (blocked_list) {
        listNode *ln = listSearchKey(blocked_list, c);
        if (ln) listDelNode(blocked_list, ln);
    }
    server.blocked_clients--;
    server.blocked_clients_by_type[c->bstate.btype]--;
    c->flags &= ~CLIENT_BLOCKED;
    c->bstate.btype = BLOCKED_NONE;
    c->bstate.timeout = 0;
}

/* Queue the client so the rest of its pipeline runs in the next beforeSleep. */
static void queueUnblocked(client *c) {
    if (c->flags & CLIENT_UNBLOCKED) return;
    c->flags |= CLIENT_UNBLOCKED;
    listAddNodeTail(server.unblocked_clients, c);
    c->unblocked_node = listLast(server.unblocked_clients);
}

static void finishUnblockedCommand(client *c);

/* Leaves the blocked state; with queue_for_reprocessing the command is also
 * completed (the caller already replied) and the client's pipeline resumes. */
void unblockClient(client *c, int queue_for_reprocessing) {
    leaveBlockedState(c);
    if (queue_for_reprocessing) finishUnblockedCommand(c);
}

void unblockClientOnFree(client *c) { leaveBlockedState(c); }

/* The command stays in argv, unexecuted, until the pause ends. */
void blockPostponeClient(client *c) {
    c->bstate.timeout = 0;
    blockClient(c, BLOCKED_POSTPONE);
    if (!postponed_list) postponed_list = listCreate();
    listAddNodeTail(postponed_list, c);
}

/* Queued, not run here: the caller may be a command (CLIENT UNPAUSE), and
 * commands of other clients must not run nested inside it. */
void unblockPostponedClients(void) {
    while (postponed_list && listLength(postponed_list)) {
        client *c = listNodeValue(listFirst(postponed_list));
        leaveBlockedState(c);
        c->flags |= CLIENT_PENDING_COMMAND;
        queueUnblocked(c);
    }
}

long long replicationCountAcksByOffset(long long offset);

void replyToBlockedClientTimedOut(client *c) {
    switch (c->bstate.btype) {
    case BLOCKED_LIST:
    case BLOCKED_ZSET:
    case BLOCKED_STREAM: addReplyNullArray(c); break;
    case BLOCKED_WAIT: addReplyLongLong(c, replicationCountAcksByOffset(c->bstate.reploffset)); break;
    default: break;
    }
}

static void finishUnblockedCommand(client *c) {
    commandProcessed(c);
    queueUnblocked(c);
}

void unblockClientOnTimeout(client *c) {
    replyToBlockedClientTimedOut(c);
    if (c->cmd) c->cmd->calls++;
    leaveBlockedState(c);
    finishUnblockedCommand(c);
}

void unblockClientOnError(client *c, const char *err_str) {
    addReplyError(c, err_str);
    leaveBlockedState(c);
    finishUnblockedCommand(c);
}

void signalKeyAsReady(serverDb *db, obj *key, int type) {
    if (htSize(db->blocking_keys) == 0) return;
    if (!htFind(db->blocking_keys, key)) return;
    if (htFind(db->ready_keys, key)) return;
    incrRefCount(key);
    htAdd(db->ready_keys, key, NULL);
    readyKey *rk = zmalloc(sizeof(*rk));
    rk->db = db;
    rk->key = key;
    incrRefCount(key);
    listAddNodeTail(server.ready_keys, rk);
}

void signalDeletedKeyAsReady(serverDb *db, obj *key, int type) { signalKeyAsReady(db, key, type); }

/* Re-runs one waiter's command. Returns 1 if it got served (left blocked state). */
static int rerunBlockedClient(client *c) {
    client *prev = server.current_client;
    server.current_client = c;
    c->flags &= ~CLIENT_BLOCKED;
    c->flags |= CLIENT_REPROCESSING;
    call(c, CMD_CALL_FULL);
    c->flags &= ~CLIENT_REPROCESSING;
    server.current_client = prev;
    if (c->flags & CLIENT_BLOCKED) return 0;
    c->flags |= CLIENT_BLOCKED;   /* so leaveBlockedState accounts it */
    leaveBlockedState(c);
    finishUnblockedCommand(c);
    return 1;
}

static void serveClientsBlockedOnKey(readyKey *rk) {
    list *l = htFetchValue(rk->db->blocking_keys, rk->key);
    if (!l) return;
    /* Snapshot: serving a client edits the queue. */
    unsigned long count = listLength(l);
    client **waiters = zmalloc(sizeof(client *) * count);
    listIter li;
    listNode *ln;
    unsigned long n = 0;
    listRewind(l, &li);
    while ((ln = listNext(&li)) && n < count) waiters[n++] = ln->value;
    for (unsigned long i = 0; i < n; i++) {
        client *c = waiters[i];
        if (!(c->flags & CLIENT_BLOCKED) || !c->bstate.keys || !htFind(c->bstate.keys, rk->key)) continue;
        obj *o = lookupKeyReadWithFlags(rk->db, rk->key, LOOKUP_NONOTIFY | LOOKUP_NOSTATS | LOOKUP_NOTOUCH);
        int typematch = o && blockedTypeFor(o->type) == c->bstate.btype;
        if (!typematch && !(c->bstate.unblock_on_nokey && !o)) {
            if (o) continue;   /* wrong type: keep waiting */
            break;             /* key gone: nobody else can be served */
        }
        rerunBlockedClient(c);
        if (!htFind(rk->db->blocking_keys, rk->key)) break;
    }
    zfree(waiters);
}

void handleClientsBlockedOnKeys(void) {
    while (listLength(server.ready_keys)) {
        list *batch = server.ready_keys;
        server.ready_keys = listCreate();
        listIter li;
        listNode *ln;
        listRewind(batch, &li);
        while ((ln = listNext(&li))) {
            readyKey *rk = ln->value;
            htDelete(rk->db->ready_keys, rk->key);
            serveClientsBlockedOnKey(rk);
            decrRefCount(rk->key);
            zfree(rk);
        }
        listRelease(batch);
    }
}

void handleBlockedClientsTimeout(void) {
    if (!blocked_list || listLength(blocked_list) == 0) return;
    mstime_t now = mstime();
    listIter li;
    listNode *ln;
    listRewind(blocked_list, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->bstate.timeout != 0 && c->bstate.timeout < now) unblockClientOnTimeout(c);
    }
}

void processUnblockedClients(void) {
    while (listLength(server.unblocked_clients)) {
        listNode *ln = listFirst(server.unblocked_clients);
        client *c = ln->value;
        listDelNode(server.unblocked_clients, ln);
        c->flags &= ~CLIENT_UNBLOCKED;
        c->unblocked_node = NULL;
        if (c->flags & CLIENT_PENDING_COMMAND) {
            c->flags &= ~CLIENT_PENDING_COMMAND;
            server.current_client = c;
            if (processCommand(c) && !(c->flags & CLIENT_BLOCKED)) commandProcessed(c);
            if (server.current_client == NULL) continue;   /* freed by its command */
            server.current_client = NULL;
        }
        if (!(c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP)) && c->fd != -1 && c->qb_pos < bstrLen(c->querybuf)) {
            server.current_client = c;
            processInputBuffer(c);
            server.current_client = NULL;
        }
    }
}

int blockedBeforeSleep(void) { return 0; }

void disconnectAllBlockedClients(void) {
    if (!blocked_list) return;
    listIter li;
    listNode *ln;
    listRewind(blocked_list, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (c->bstate.btype == BLOCKED_WAIT || c->bstate.btype == BLOCKED_POSTPONE) continue;
        unblockClientOnError(c, "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)");
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    }
}

void totalNumberOfStatefulKeys(unsigned long *blocking_keys, unsigned long *blocking_keys_on_nokey, unsigned long *watched_keys) {
    unsigned long b = 0, nk = 0, w = 0;
    for (int j = 0; j < server.dbnum; j++) {
        b += htSize(server.db[j].blocking_keys);
        w += htSize(server.db[j].watched_keys);
    }
    if (blocked_list) {
        listIter li;
        listNode *ln;
        listRewind(blocked_list, &li);
        while ((ln = listNext(&li))) {
            client *c = ln->value;
            if (c->bstate.unblock_on_nokey && c->bstate.keys) nk += htSize(c->bstate.keys);
        }
    }
    if (blocking_keys) *blocking_keys = b;
    if (blocking_keys_on_nokey) *blocking_keys_on_nokey = nk;
    if (watched_keys) *watched_keys = w;
}
