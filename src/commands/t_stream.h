/* t_stream: the stream type. Entries live in listpack nodes indexed by their
 * 16-byte big-endian master ID in a rax, in the exact node layout RDB type 21
 * stores (master entry, then flagged delta entries). Consumer groups keep a
 * group PEL and per-consumer PELs that share the same NACK objects. */
#ifndef COMMANDS_T_STREAM_H
#define COMMANDS_T_STREAM_H
#include "server/server.h"
#include "ds/rax.h"

typedef struct streamID {
    uint64_t ms, seq;
} streamID;

typedef struct stream {
    rax *nodes;              /* master ID (16 bytes) -> listpack */
    uint64_t length;         /* live entries */
    streamID last_id, first_id, max_deleted_entry_id;
    uint64_t entries_added;  /* every entry ever added */
    rax *cgroups;            /* group name -> streamCG*, NULL when none */
} stream;

typedef struct streamCG {
    streamID last_id;
    long long entries_read;  /* -1 when unknown */
    rax *pel;                /* id -> streamNACK* */
    rax *consumers;          /* name -> streamConsumer* */
} streamCG;

typedef struct streamConsumer {
    mstime_t seen_time, active_time;
    bstr name;
    rax *pel;                /* id -> streamNACK* (owned by the group PEL) */
} streamConsumer;

typedef struct streamNACK {
    mstime_t delivery_time;
    uint64_t delivery_count;
    streamConsumer *consumer;
} streamNACK;

#define STREAM_ID_SIZE 16
#define SCG_INVALID_ENTRIES_READ (-1)

obj *createStreamObject(void);
void freeStreamObject(obj *o);
obj *streamDup(obj *o);
stream *streamNew(void);
void streamEncodeID(unsigned char *buf, const streamID *id);
void streamDecodeID(const unsigned char *buf, streamID *id);
/* RDB loading helpers: the loader builds the structure directly. */
streamCG *streamCreateCG(stream *s, const char *name, size_t len, streamID *id, long long entries_read);
streamConsumer *streamCreateConsumerRaw(streamCG *cg, const char *name, size_t len);
streamNACK *streamCreateNACK(streamConsumer *consumer);
/* After loading formats that do not store it. */
void streamRecomputeFirstID(stream *s);
/* A group's entries_read for its last ID, or -1 when it cannot be known. */
long long streamEstimateEntriesRead(stream *s, const streamID *id);
/* Checks the node layout of a listpack from an untrusted source. 1 if valid. */
int streamValidateListpack(unsigned char *lp, size_t size, const streamID *master, int deep);
size_t streamObjectMemoryUsage(obj *o, size_t samples);
/* Number of nodes a radix tree over the stream's node keys would have (XINFO). */
uint64_t streamRaxNodeCount(rax *r);

extern const serverCommandDef streamCommandTable[];
#endif
