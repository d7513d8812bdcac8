/* repl: primary/replica replication. The backlog is one list of
 * reference-counted blocks that also serves as every replica's output stream
 * (a replica holds a (block, pos) cursor); replica.c drives the link to our
 * primary, dualchannel.c the rdb channel of a dual-channel sync on both sides. */
#ifndef REPL_REPL_H
#define REPL_REPL_H
#include "server/server.h"

/* Link states of a replica towards its primary (server.repl_state). */
#define REPL_STATE_NONE 0
#define REPL_STATE_CONNECT 1
#define REPL_STATE_CONNECTING 2
#define REPL_STATE_RECEIVE_PING_REPLY 3
#define REPL_STATE_SEND_HANDSHAKE 4
#define REPL_STATE_RECEIVE_AUTH_REPLY 5
#define REPL_STATE_RECEIVE_PORT_REPLY 6
#define REPL_STATE_RECEIVE_IP_REPLY 7
#define REPL_STATE_RECEIVE_CAPA_REPLY 8
#define REPL_STATE_RECEIVE_VERSION_REPLY 9
#define REPL_STATE_SEND_PSYNC 10
#define REPL_STATE_RECEIVE_PSYNC_REPLY 11
#define REPL_STATE_TRANSFER 12
#define REPL_STATE_CONNECTED 13
/* dual channel, main connection */
#define REPL_STATE_DUAL_WAIT_ENDOFF 14       /* rdb channel is handshaking */
#define REPL_STATE_RECEIVE_SETRDB_REPLY 15
#define REPL_STATE_DUAL_PSYNC_REPLY 16
#define REPL_STATE_DUAL_BUFFERING 17         /* +CONTINUE got: stream is buffered locally */

/* States of a replica client on the primary (client.replstate). */
#define REPLICA_STATE_WAIT_BGSAVE_START 6
#define REPLICA_STATE_WAIT_BGSAVE_END 7
#define REPLICA_STATE_SEND_BULK 8
#define REPLICA_STATE_ONLINE 9
#define REPLICA_STATE_RDB_TRANSMITTED 10
#define REPLICA_STATE_BG_RDB_LOAD 11       /* main channel streaming while the replica loads */

#define REPLICA_CAPA_EOF (1 << 0)
#define REPLICA_CAPA_PSYNC2 (1 << 1)
#define REPLICA_CAPA_DUAL_CHANNEL (1 << 2)

/* ---- backlog.c ---- */
typedef struct replBufBlock {
    int refcount;             /* replica cursors currently inside this block */
    long long repl_offset;    /* stream offset of buf[0] (the first byte is offset 1) */
    size_t size, used;
    char buf[];
} replBufBlock;

/* A reader's position in the shared stream. */
typedef struct replCursor {
    listNode *node;           /* NULL: not attached */
    size_t pos;
} replCursor;

int replBacklogExists(void);
void replBacklogCreate(void);
void replBacklogFree(void);
void replBacklogAppend(const char *p, size_t len);
int replBacklogAttach(replCursor *cur, long long offset);   /* 0 ok, -1 offset not held */
void replCursorRelease(replCursor *cur);
void replCursorCopy(replCursor *dst, const replCursor *src);
long long replCursorOffset(const replCursor *cur);   /* next byte it will send */
long long replCursorPending(const replCursor *cur);
ssize_t replCursorWrite(replCursor *cur, int fd);   /* -1 error, else bytes */
long long replBacklogFirstOffset(void);
long long replBacklogHistlen(void);
size_t replBacklogMemory(void);
void replBacklogTrim(void);
void replBacklogResize(void);

/* ---- primary.c ---- */
typedef struct replicaPriv {
    replCursor cur;           /* stream cursor (online, or held while waiting for the snapshot) */
    int disk_target;          /* 1: snapshot through a file, 0: socket */
    int rdb_channel, rdb_only;
    replCursor pin;           /* rdb channel: backlog pin at the snapshot end, until the main PSYNC */
    int pinned;
    mstime_t transmitted_time;
    long long endoff;
    int version_major;        /* from REPLCONF version; 0: an older peer that sends none */
    int writer_installed;     /* replicaWriteHandler waits for the socket to drain */
    mstime_t last_stream_write; /* batching of a main channel whose replica still loads */
    int relay;                /* TLS replica fed from the child's pipe by us (pipe relay) */
    size_t relay_pos;         /* bytes of the relay's current chunk it has taken */
} replicaPriv;

replicaPriv *replGetPriv(client *c);
void replPrimaryFeedRaw(const char *p, size_t len);
void replPrimaryCron(void);
void replKickReplicaWriter(client *c);
void replDisconnectReplicas(void);
int replTryPartialResync(client *c, const char *replid, long long offset);
void replStartBgsaveIfNeeded(void);
void replWaitCheck(void);
void replChangeReplicationId(void);
void replClearReplicationId2(void);
void replShiftReplicationId(void);
const char *replicaStateName(int state);
void replUpdateGoodReplicas(void);
client *replFindWaitingRdbClient(uint64_t id);
void replReleasePin(client *rdbc);
int replCountWaitingPsync(void);

/* ---- replica.c ---- */
void replSetPrimary(const char *host, int port);
void replUnsetPrimary(void);
void replReplicaCron(void);
int replConnectTo(const char *host, int port);
int replLinkConnecting(int fd, elFileProc *handler, const char *what);   /* 1 ready, 0 wait, -1 failed */
int replAnnouncePort(void);
void replSendAck(void);
void replCancelSync(void);
client *replCreatePrimaryClient(int fd, long long offset, int dbid);
int replLoadFromSocket(int fd, long long len, const char *eofmark, bstr *leftover, int *stream_db);
int replReplicaSyncInProgress(void);
int replUseDisklessLoad(void);
int replWriteFileAll(int fd, const char *p, size_t n);   /* 0 ok, -1 error */   /* repl-diskless-load says: load straight from the socket */
bstr replGenReplicaInfo(bstr info);
void replHandshakeWriteCmd(int fd, int argc, const char **argv);
extern long long repl_down_since;
int replDetachLinkFd(void);
int replLinkFd(void);
void replSetCached(int have, int db);
void replFeedLeftover(client *c, const char *p, size_t len);
void replPrepareForSnapshot(void);

/* ---- failover.c ---- */
void failoverCommand(client *c);
const char *failoverStateName(void);
int failoverInProgress(void);   /* we are handing over: our PSYNC carries FAILOVER */
int failoverActive(void);
void failoverCheck(void);
void failoverPsyncReply(int accepted);
int failoverHandlePsyncRequest(client *c);
const char *replReplicaIp(client *c, char *buf, size_t size);
void replRequestAcks(void);
/* ---- dualchannel.c ---- */
void replDualStart(void);
void replDualAbort(const char *why);
int replDualActive(void);
void replDualMainReadable(int fd);
void replDualCron(void);
size_t replDualBufferSize(void);
size_t replDualBufferPeak(void);
bstr replDualInfo(bstr info);
#endif
