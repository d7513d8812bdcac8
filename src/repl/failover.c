/* failover: the FAILOVER command, a coordinated hand-over of the primary role
 * to one of our replicas without losing acknowledged writes.
 *   none -> waiting-for-sync: client writes are paused and replicas asked for
 *           their offset until one (or the named target) has all our stream;
 *        -> in-progress: we become a replica of that target and send it
 *           "PSYNC <replid> <offset> FAILOVER", which makes it promote itself;
 *        -> none when it answers the PSYNC (writes resume, and now fail with
 *           READONLY here), or back to primary when it refuses or on ABORT.
 * A TIMEOUT bounds the wait for sync: past it we give up, or with FORCE fail
 * over to the named target anyway. */
#include "repl/repl.h"
#include <string.h>
#include <strings.h>

#define FAILOVER_NONE 0
#define FAILOVER_WAIT_FOR_SYNC 1
#define FAILOVER_IN_PROGRESS 2

static struct {
    int state;
    char *host;         /* target, NULL while waiting for any replica */
    int port;
    mstime_t deadline;  /* end of the wait for sync, 0: none */
    int force;
} fo;

const char *failoverStateName(void) {
    switch (fo.state) {
    case FAILOVER_WAIT_FOR_SYNC: return "waiting-for-sync";
    case FAILOVER_IN_PROGRESS: return "failover-in-progress";
    default: return "no-failover";
    }
}

int failoverInProgress(void) { return fo.state == FAILOVER_IN_PROGRESS; }
int failoverActive(void) { return fo.state != FAILOVER_NONE; }

static void failoverReset(void) {
    fo.state = FAILOVER_NONE;
    zfree(fo.host);
    fo.host = NULL;
    fo.port = 0;
    fo.deadline = 0;
    fo.force = 0;
    pauseForFailover(0);
}

/* Ends the attempt; when we had already turned into the target's replica we
 * take the primary role back (the target refused, so it did not promote). */
static void failoverAbort(const char *why) {
    serverLog(LL_NOTICE, "FAILOVER aborted: %s", why);
    if (fo.state == FAILOVER_IN_PROGRESS) {
        replUnsetPrimary();
        serverLog(LL_NOTICE, "MASTER MODE restored after the aborted failover");
    }
    failoverReset();
}

static client *findReplicaByAddr(const char *host, int port) {
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *r = ln->value;
        char ip[64];
        if (r->flags & CLIENT_MONITOR) continue;
        if (r->replica_listening_port == port && !strcasecmp(replReplicaIp(r, ip, sizeof(ip)), host)) return r;
    }
    return NULL;
}

/* A replica whose acknowledged offset equals ours has every write. */
static client *findSyncedReplica(void) {
    if (fo.host) {
        client *r = findReplicaByAddr(fo.host, fo.port);
        return r && r->repl_ack_off == server.primary_repl_offset ? r : NULL;
    }
    listIter li;
    listNode *ln;
    listRewind(server.replicas, &li);
    while ((ln = listNext(&li))) {
        client *r = ln->value;
        if (!(r->flags & CLIENT_MONITOR) && r->replstate == REPLICA_STATE_ONLINE &&
            r->repl_ack_off == server.primary_repl_offset)
            return r;
    }
    return NULL;
}

static void failoverStartHandover(void) {
    fo.state = FAILOVER_IN_PROGRESS;
    serverLog(LL_NOTICE, "FAILOVER: handing the primary role over to %s:%d", fo.host, fo.port);
    replSetPrimary(fo.host, fo.port);
}

/* Called from the cron and whenever a replica acknowledges an offset. */
void failoverCheck(void) {
    if (fo.state != FAILOVER_WAIT_FOR_SYNC) return;
    if (fo.deadline && mstime() >= fo.deadline) {
        if (fo.force) {
            serverLog(LL_NOTICE, "FAILOVER to %s:%d: timeout reached, failing over anyway (FORCE)", fo.host, fo.port);
            failoverStartHandover();
        } else {
            failoverAbort("the replica did not catch up before the timeout");
        }
        return;
    }
    client *r = findSyncedReplica();
    if (!r) return;
    if (!fo.host) {
        char ip[64];
        fo.host = zstrdup(replReplicaIp(r, ip, sizeof(ip)));
        fo.port = r->replica_listening_port;
    }
    serverLog(LL_NOTICE, "FAILOVER target %s:%d is in sync", fo.host, fo.port);
    failoverStartHandover();
}

/* Cron: timeouts, and a fresh ack request while we wait (the check runs
 * first so an ack of the previous request can match our offset). */
void failoverCron(void) {
    if (fo.state != FAILOVER_WAIT_FOR_SYNC) return;
    failoverCheck();
    if (fo.state == FAILOVER_WAIT_FOR_SYNC) replRequestAcks();
}

/* The target answered our PSYNC: accepted (continue or full sync) ends the
 * failover, anything else means it did not promote, so we take over again. */
void failoverPsyncReply(int accepted) {
    if (fo.state != FAILOVER_IN_PROGRESS) return;
    if (accepted) {
        serverLog(LL_NOTICE, "FAILOVER to %s:%d completed", fo.host, fo.port);
        failoverReset();
    } else {
        failoverAbort("the failover target rejected the PSYNC request");
    }
}

/* Target side: "PSYNC <replid> <offset> FAILOVER" from our primary asks us to
 * take its role. Returns 0 to go on with the PSYNC, -1 after an error reply. */
int failoverHandlePsyncRequest(client *c) {
    if (strcasecmp(objPtr(c->argv[3]), "failover") != 0) {
        addReplyErrorObject(c, shared.syntaxerr);
        return -1;
    }
    if (strcasecmp(objPtr(c->argv[1]), server.replid) != 0) {
        addReplyError(c, "ERR PSYNC FAILOVER replid must match my replid.");
        return -1;
    }
    if (server.primary_host) {
        replUnsetPrimary();
        serverLog(LL_NOTICE, "MASTER MODE enabled (failover request from '%s')", getClientPeerId(c));
    }
    return 0;
}

/* FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] */
typedef struct {
    const char *host;
    long port;
    long long timeout;
    int force, abort;
} failoverArgs;

static int parseFailoverArgs(client *c, failoverArgs *a) {
    memset(a, 0, sizeof(*a));
    for (int j = 1; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        if (!strcasecmp(opt, "to") && j + 2 < c->argc && !a->host) {
            if (getRangeLongFromObjectOrReply(c, c->argv[j + 2], 0, 65535, &a->port, NULL) != 0) return -1;
            a->host = objPtr(c->argv[j + 1]);
            j += 2;
        } else if (!strcasecmp(opt, "timeout") && j + 1 < c->argc && !a->timeout) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], &a->timeout, NULL) != 0) return -1;
            if (a->timeout <= 0) {
                addReplyError(c, "ERR FAILOVER timeout must be greater than 0");
                return -1;
            }
            j++;
        } else if (!strcasecmp(opt, "force") && !a->force) {
            a->force = 1;
        } else if (!strcasecmp(opt, "abort") && !a->abort) {
            a->abort = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    return 0;
}

static void failoverAbortCommand(client *c, const failoverArgs *a) {
    if (a->host || a->timeout || a->force) {
        addReplyError(c, "ERR FAILOVER ABORT is not valid with other arguments.");
    } else if (fo.state == FAILOVER_NONE) {
        addReplyError(c, "ERR No failover in progress.");
    } else {
        failoverAbort("manually aborted");
        addReply(c, shared.ok);
    }
}

/* The checks Valkey makes, in its order, before any state changes. */
static int failoverPreconditionsOk(client *c, const failoverArgs *a) {
    if (server.cluster_enabled) {
        addReplyError(c, "ERR FAILOVER not allowed in cluster mode.");
    } else if (fo.state != FAILOVER_NONE) {
        addReplyError(c, "ERR FAILOVER already in progress.");
    } else if (server.primary_host) {
        addReplyError(c, "ERR FAILOVER is not valid when server is a replica.");
    } else if (listLength(server.replicas) == 0) {
        addReplyError(c, "ERR FAILOVER requires connected replicas.");
    } else if (a->force && (!a->timeout || !a->host)) {
        addReplyError(c, "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    } else if (a->host && !findReplicaByAddr(a->host, (int)a->port)) {
        addReplyError(c, "ERR FAILOVER target HOST and PORT is not a replica.");
    } else if (a->host && findReplicaByAddr(a->host, (int)a->port)->replstate != REPLICA_STATE_ONLINE) {
        addReplyError(c, "ERR FAILOVER target replica is not online.");
    } else {
        return 1;
    }
    return 0;
}

void failoverCommand(client *c) {
    failoverArgs a;
    if (parseFailoverArgs(c, &a) != 0) return;
    if (a.abort) {
        failoverAbortCommand(c, &a);
        return;
    }
    if (!failoverPreconditionsOk(c, &a)) return;
    if (a.host) {
        fo.host = zstrdup(a.host);
        fo.port = (int)a.port;
        serverLog(LL_NOTICE, "FAILOVER requested to %s:%ld.", a.host, a.port);
    } else {
        serverLog(LL_NOTICE, "FAILOVER requested to any replica.");
    }
    fo.state = FAILOVER_WAIT_FOR_SYNC;
    fo.force = a.force;
    fo.deadline = a.timeout ? mstime() + a.timeout : 0;
    pauseForFailover(1);
    replRequestAcks();
    addReply(c, shared.ok);
}
