/* t_stream_int: what t_stream.c (node storage, range replies, XADD family) and
 * t_stream_groups.c (consumer groups, XREAD, XINFO, XSETID) share. Private to
 * those two files: everything else uses commands/t_stream.h. */
#ifndef COMMANDS_T_STREAM_INT_H
#define COMMANDS_T_STREAM_INT_H
#include "commands/t_stream.h"
#include <string.h>
#include <strings.h>

/* A node opened for reading; entries are walked from first. */
typedef struct streamNode {
    unsigned char *lp;
    streamID master;
    int64_t mcount;          /* master field count */
    unsigned char *mfields;  /* first master field */
    unsigned char *first;    /* flags of the first entry, NULL if none */
} streamNode;

typedef struct streamEntry {
    streamID id;
    unsigned char *flagp;
    int flags;
    int64_t numfields;
    unsigned char *fv;       /* first field (or first value with SAMEFIELDS) */
    unsigned char *next;     /* flags of the following entry, NULL at the end */
} streamEntry;

/* Return 0 to stop the walk. */
typedef int streamVisitFn(streamNode *n, streamEntry *e, void *ctx);

extern const streamID streamMaxID;

/* ------------------------------------------------------------------ IDs */
static inline int streamCompareID(const streamID *a, const streamID *b) {
    if (a->ms != b->ms) return a->ms > b->ms ? 1 : -1;
    if (a->seq != b->seq) return a->seq > b->seq ? 1 : -1;
    return 0;
}

static inline int streamIDIsZero(const streamID *id) { return id->ms == 0 && id->seq == 0; }

static inline int streamIncrID(streamID *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) return -1;
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

static inline int streamDecrID(streamID *id) {
    if (id->seq == 0) {
        if (id->ms == 0) return -1;
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

static inline const char *argStr(obj *o, char *buf, size_t buflen, size_t *len) { return objStrPtr(o, buf, buflen, len); }

static inline int argIs(obj *o, const char *s) {
    char buf[32];
    size_t len;
    const char *p = argStr(o, buf, sizeof(buf), &len);
    return len == strlen(s) && !strncasecmp(p, s, len);
}

static inline int argEq(obj *o, const char *s) {
    char buf[32];
    size_t len;
    const char *p = argStr(o, buf, sizeof(buf), &len);
    return len == strlen(s) && !memcmp(p, s, len);
}

/* ---------------------------------------------------------- shared helpers */
void addReplyStreamEntry(client *c, streamNode *n, streamEntry *e);
void addReplyStreamID(client *c, const streamID *id);
obj *createObjectFromStreamID(const streamID *id);
int streamFormatID(char *buf, size_t len, const streamID *id);
streamConsumer *streamCreateConsumer(client *c, streamCG *cg, obj *name, obj *key, obj *group, int notify);
void streamDelConsumer(streamCG *cg, streamConsumer *sc);
int streamEntryExists(stream *s, const streamID *id);
void streamFreeCG(void *p);
int streamGetEdgeID(stream *s, int first, streamID *id);
void streamLastValidID(stream *s, streamID *id);
streamCG *streamLookupCG(stream *s, obj *name);
streamConsumer *streamLookupConsumer(streamCG *cg, obj *name);
int streamParseID(client *c, obj *o, streamID *id, uint64_t missing_seq, int strict, int *seq_given);
int streamParseIntervalID(client *c, obj *o, streamID *id, int *exclude, uint64_t missing_seq);
int streamParseStrictID(client *c, obj *o, streamID *id, uint64_t missing_seq, int *seq_given);
int streamReplyOne(client *c, stream *s, const streamID *id);
int streamReplyOneEdge(client *c, stream *s, int rev);
long long streamReplyRange(client *c, stream *s, const streamID *start, const streamID *end, long long count, int rev);
void streamVisit(stream *s, const streamID *start, const streamID *end, int rev, streamVisitFn *fn, void *ctx);

/* ---------------------------------------- handlers in t_stream_groups.c */
void xackCommand(client *c);
void xautoclaimCommand(client *c);
void xclaimCommand(client *c);
void xgroupCreateCommand(client *c);
void xgroupCreateconsumerCommand(client *c);
void xgroupDelconsumerCommand(client *c);
void xgroupDestroyCommand(client *c);
void xgroupHelpCommand(client *c);
void xgroupSetidCommand(client *c);
void xinfoConsumersCommand(client *c);
void xinfoGroupsCommand(client *c);
void xinfoHelpCommand(client *c);
void xinfoStreamCommand(client *c);
void xpendingCommand(client *c);
void xreadCommand(client *c);
void xreadgroupCommand(client *c);
void xsetidCommand(client *c);
#endif
