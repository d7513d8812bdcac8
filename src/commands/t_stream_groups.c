/* t_stream_groups: consumer groups and the commands that read through or
 * inspect them: XREAD/XREADGROUP (incl. blocking), XGROUP, XACK, XPENDING,
 * XCLAIM, XAUTOCLAIM, XINFO and XSETID. Node storage lives in t_stream.c. */
#include "commands/t_stream_int.h"
#include "commands/debug.h"
#include "ds/listpack.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------ group bookkeeping */

/* The logical position (1-based count of entries added) of id, or -1. */
static long long streamEstimateDistance(stream *s, const streamID *id) {
    if (!s->entries_added) return 0;
    if (!s->length && streamCompareID(id, &s->last_id) < 1) return (long long)s->entries_added;
    int cmp_last = streamCompareID(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return SCG_INVALID_ENTRIES_READ;
    int cmp_first = streamCompareID(id, &s->first_id);
    if (streamIDIsZero(&s->max_deleted_entry_id) || streamCompareID(&s->max_deleted_entry_id, &s->first_id) < 0) {
        if (cmp_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return SCG_INVALID_ENTRIES_READ;
}

static int streamRangeHasTombstones(stream *s, const streamID *start, const streamID *end) {
    if (!s->length || streamIDIsZero(&s->max_deleted_entry_id)) return 0;
    if (streamCompareID(&s->first_id, &s->max_deleted_entry_id) > 0) return 0;
    streamID a = {0, 0}, b = streamMaxID;
    if (start) a = *start;
    if (end) b = *end;
    return streamCompareID(&a, &s->max_deleted_entry_id) <= 0 && streamCompareID(&s->max_deleted_entry_id, &b) <= 0;
}

static void streamReplyCGLag(client *c, stream *s, streamCG *cg) {
    long long lag = 0;
    int valid = 0;
    if (!s->entries_added) {
        valid = 1;
    } else if (cg->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, &cg->last_id, NULL)) {
        lag = (long long)s->entries_added - cg->entries_read;
        valid = 1;
    } else {
        long long er = streamEstimateDistance(s, &cg->last_id);
        if (er != SCG_INVALID_ENTRIES_READ) {
            lag = (long long)s->entries_added - er;
            valid = 1;
        }
    }
    if (valid) addReplyLongLong(c, lag);
    else addReplyNull(c);
}

/* XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group-last-id> */
static void streamPropagateXCLAIM(client *c, obj *key, streamCG *cg, obj *group, obj *id, streamNACK *nack) {
    obj *argv[14];
    argv[0] = createStringObject("XCLAIM", 6);
    argv[1] = key;
    argv[2] = group;
    argv[3] = createStringObject(nack->consumer->name, bstrLen(nack->consumer->name));
    argv[4] = createStringObjectFromLongLong(0);
    argv[5] = id;
    argv[6] = createStringObject("TIME", 4);
    argv[7] = createStringObjectFromLongLong(nack->delivery_time);
    argv[8] = createStringObject("RETRYCOUNT", 10);
    argv[9] = createStringObjectFromLongLong((long long)nack->delivery_count);
    argv[10] = createStringObject("FORCE", 5);
    argv[11] = createStringObject("JUSTID", 6);
    argv[12] = createStringObject("LASTID", 6);
    argv[13] = createObjectFromStreamID(&cg->last_id);
    alsoPropagate(c->db->id, argv, 14, PROPAGATE_AOF | PROPAGATE_REPL);
    for (int i = 0; i < 14; i++)
        if (i != 1 && i != 2 && i != 5) decrRefCount(argv[i]);
}

/* XGROUP SETID <key> <group> <id> ENTRIESREAD <n> */
static void streamPropagateGroupID(client *c, obj *key, streamCG *cg, obj *group) {
    obj *argv[7];
    argv[0] = createStringObject("XGROUP", 6);
    argv[1] = createStringObject("SETID", 5);
    argv[2] = key;
    argv[3] = group;
    argv[4] = createObjectFromStreamID(&cg->last_id);
    argv[5] = createStringObject("ENTRIESREAD", 11);
    argv[6] = createStringObjectFromLongLong(cg->entries_read);
    alsoPropagate(c->db->id, argv, 7, PROPAGATE_AOF | PROPAGATE_REPL);
    decrRefCount(argv[0]);
    decrRefCount(argv[1]);
    decrRefCount(argv[4]);
    decrRefCount(argv[5]);
    decrRefCount(argv[6]);
}

void streamRecomputeFirstID(stream *s) {
    if (s->length) streamGetEdgeID(s, 1, &s->first_id);
    else s->first_id.ms = s->first_id.seq = 0;
}

long long streamEstimateEntriesRead(stream *s, const streamID *id) { return streamEstimateDistance(s, id); }

/* ---------------------------------------------------------- XREAD family */

typedef struct groupReadCtx {
    client *c;
    stream *s;
    streamCG *cg;
    streamConsumer *consumer;
    obj *key, *groupname;
    int noack;
    long long count, emitted;
    int propagate_last_id;
} groupReadCtx;

static int groupReadVisit(streamNode *n, streamEntry *e, void *ctx) {
    groupReadCtx *g = ctx;
    streamCG *cg = g->cg;
    if (streamCompareID(&e->id, &cg->last_id) > 0) {
        if (cg->entries_read != SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(g->s, &e->id, NULL))
            cg->entries_read++;
        else if (g->s->entries_added)
            cg->entries_read = streamEstimateDistance(g->s, &e->id);
        cg->last_id = e->id;
        g->propagate_last_id = 1;
    }
    addReplyStreamEntry(g->c, n, e);
    if (!g->noack) {
        unsigned char buf[STREAM_ID_SIZE];
        streamEncodeID(buf, &e->id);
        streamNACK *nack = streamCreateNACK(g->consumer);
        void *old = NULL;
        if (!raxTryInsert(cg->pel, buf, sizeof(buf), nack, &old)) {
            zfree(nack);
            nack = old;
            raxRemove(nack->consumer->pel, buf, sizeof(buf), NULL);
            nack->consumer = g->consumer;
            nack->delivery_time = commandTimeSnapshot();
            nack->delivery_count = 1;
        }
        raxInsert(g->consumer->pel, buf, sizeof(buf), nack, NULL);
        g->consumer->active_time = commandTimeSnapshot();
        obj *idarg = createObjectFromStreamID(&e->id);
        streamPropagateXCLAIM(g->c, g->key, cg, g->groupname, idarg, nack);
        decrRefCount(idarg);
    }
    g->emitted++;
    return !(g->count && g->emitted >= g->count);
}

/* Entries of the consumer's own PEL from start on (XREADGROUP with an ID). */
static void streamReplyFromConsumerPEL(client *c, stream *s, streamConsumer *sc, const streamID *start, long long count) {
    unsigned char key[STREAM_ID_SIZE];
    streamEncodeID(key, start);
    raxIterator it;
    raxStart(&it, sc->pel);
    raxSeek(&it, ">=", key, sizeof(key));
    void *len = addReplyDeferredLen(c);
    long long n = 0;
    while ((!count || n < count) && raxNext(&it)) {
        streamID id;
        streamDecodeID(it.key, &id);
        if (!streamReplyOne(c, s, &id)) {
            addReplyArrayLen(c, 2);
            addReplyStreamID(c, &id);
            addReplyNullArray(c);
        } else {
            streamNACK *nack = it.data;
            nack->delivery_time = commandTimeSnapshot();
            nack->delivery_count++;
        }
        n++;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

/* BLOCK takes milliseconds; Valkey's own texts for bad values. */
static int streamParseBlockTimeout(client *c, obj *o, mstime_t *timeout) {
    long long t;
    if (getLongLongFromObjectOrReply(c, o, &t, "ERR timeout is not an integer or out of range") != 0) return -1;
    if (t < 0) {
        addReplyError(c, "ERR timeout is negative");
        return -1;
    }
    if (t > 0) {
        mstime_t now = commandTimeSnapshot();
        if (t > LLONG_MAX - now) {
            addReplyError(c, "ERR timeout is out of range");
            return -1;
        }
        t += now;
    }
    *timeout = t;
    return 0;
}

#define XREAD_STATIC_STREAMS 8

static void xreadGeneric(client *c, int xreadgroup) {
    long long count = 0;
    mstime_t timeout = -1;
    int streams_arg = 0, streams_count = 0, noack = 0;
    obj *groupname = NULL, *consumername = NULL;
    for (int i = 1; i < c->argc; i++) {
        int more = c->argc - i - 1;
        if (argIs(c->argv[i], "block") && more) {
            i++;
            if (streamParseBlockTimeout(c, c->argv[i], &timeout) != 0) return;
        } else if (argIs(c->argv[i], "count") && more) {
            i++;
            if (getLongLongFromObjectOrReply(c, c->argv[i], &count, NULL) != 0) return;
            if (count < 0) count = 0;
        } else if (argIs(c->argv[i], "streams") && more) {
            streams_arg = i + 1;
            streams_count = c->argc - streams_arg;
            if (streams_count % 2 != 0) {
                /* Valkey 8 names the command as typed in the table (redis 7.0 said "XREAD" for both). */
                addReplyErrorFormat(c, "ERR Unbalanced '%s' list of streams: for each stream key an ID or '%c' must be specified.",
                                    c->cmd ? c->cmd->fullname : (xreadgroup ? "xreadgroup" : "xread"), xreadgroup ? '>' : '$');
                return;
            }
            streams_count /= 2;
            break;
        } else if (argIs(c->argv[i], "group") && more >= 2) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            groupname = c->argv[i + 1];
            consumername = c->argv[i + 2];
            i += 2;
        } else if (argIs(c->argv[i], "noack")) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return;
            }
            noack = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if (streams_arg == 0) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    if (xreadgroup && !groupname) {
        addReplyError(c, "ERR Missing GROUP option for XREADGROUP");
        return;
    }

    streamID ids_static[XREAD_STATIC_STREAMS], *ids = ids_static;
    streamCG *groups_static[XREAD_STATIC_STREAMS], **groups = groups_static;
    if (streams_count > XREAD_STATIC_STREAMS) {
        ids = zmalloc(sizeof(streamID) * (size_t)streams_count);
        groups = zmalloc(sizeof(streamCG *) * (size_t)streams_count);
    }
    for (int i = 0; i < streams_count; i++) {
        obj *key = c->argv[streams_arg + i], *idarg = c->argv[streams_arg + streams_count + i];
        obj *o = lookupKeyRead(c->db, key);
        if (checkType(c, o, OBJ_STREAM)) goto cleanup;
        groups[i] = NULL;
        if (groupname) {
            if (!o || !(groups[i] = streamLookupCG(objPtr(o), groupname))) {
                if (c->flags & CLIENT_REPROCESSING) {
                    addReplyError(c, o ? "NOGROUP the consumer group this client was blocked on no longer exists"
                                       : "UNBLOCKED the stream key no longer exists");
                    goto cleanup;
                }
                char t1[32], t2[32];
                size_t l1, l2;
                const char *k = argStr(key, t1, sizeof(t1), &l1), *g = argStr(groupname, t2, sizeof(t2), &l2);
                addReplyErrorFormat(c, "NOGROUP No such key '%.*s' or consumer group '%.*s' in XREADGROUP with GROUP option",
                                    (int)l1, k, (int)l2, g);
                goto cleanup;
            }
        }
        if (argEq(idarg, "$")) {
            if (xreadgroup) {
                addReplyError(c, "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
                                 "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
                                 "would just return an empty result set.");
                goto cleanup;
            }
            if (o) ids[i] = ((stream *)objPtr(o))->last_id;
            else ids[i].ms = ids[i].seq = 0;
            continue;
        }
        if (argEq(idarg, ">")) {
            if (!xreadgroup) {
                addReplyError(c, "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
                                 "<consumer> option.");
                goto cleanup;
            }
            ids[i] = streamMaxID;
            continue;
        }
        if (streamParseStrictID(c, idarg, &ids[i], 0, NULL) != 0) goto cleanup;
    }

    long served = 0;
    void *outer = NULL;
    for (int i = 0; i < streams_count; i++) {
        obj *key = c->argv[streams_arg + i];
        obj *o = lookupKeyRead(c->db, key);
        if (!o) continue;
        stream *s = objPtr(o);
        streamID gt = ids[i];
        int sync = 0, history = 0;
        streamConsumer *consumer = NULL;
        if (groupname) {
            if (gt.ms != UINT64_MAX || gt.seq != UINT64_MAX) {
                sync = history = 1;
            } else if (s->length) {
                streamID maxid;
                streamLastValidID(s, &maxid);
                if (streamCompareID(&maxid, &groups[i]->last_id) > 0) {
                    sync = 1;
                    gt = groups[i]->last_id;
                }
            }
            consumer = streamLookupConsumer(groups[i], consumername);
            if (!consumer) consumer = streamCreateConsumer(c, groups[i], consumername, key, groupname, 1);
            consumer->seen_time = commandTimeSnapshot();
        } else if (s->length) {
            streamID maxid;
            streamLastValidID(s, &maxid);
            if (streamCompareID(&maxid, &gt) > 0) sync = 1;
        }
        if (!sync) continue;
        if (++served == 1) outer = addReplyDeferredLen(c);
        streamID start = gt;
        streamIncrID(&start);
        if (c->resp == 2) addReplyArrayLen(c, 2);
        addReplyBulk(c, key);
        if (history) {
            streamReplyFromConsumerPEL(c, s, consumer, &start, count);
        } else if (groupname) {
            groupReadCtx g = {c, s, groups[i], consumer, key, groupname, noack, count, 0, 0};
            void *len = addReplyDeferredLen(c);
            streamVisit(s, &start, NULL, 0, groupReadVisit, &g);
            setDeferredArrayLen(c, len, g.emitted);
            if (g.propagate_last_id) streamPropagateGroupID(c, key, groups[i], groupname);
        } else {
            streamReplyRange(c, s, &start, NULL, count, 0);
        }
        if (groupname) server.dirty++;
    }
    if (served) {
        if (c->resp == 2) setDeferredArrayLen(c, outer, served);
        else setDeferredMapLen(c, outer, served);
        goto cleanup;
    }
    if (timeout != -1) {
        /* A re-run after a wake-up must compare with the ID '$' meant now. */
        for (int i = 0; i < streams_count; i++) {
            int idx = streams_arg + streams_count + i;
            if (argEq(c->argv[idx], "$")) {
                obj *idobj = createObjectFromStreamID(&ids[i]);
                rewriteClientCommandArgument(c, idx, idobj);
                decrRefCount(idobj);
            }
        }
        blockForKeys(c, BLOCKED_STREAM, c->argv + streams_arg, streams_count, timeout, xreadgroup);
        goto cleanup;
    }
    addReplyNullArray(c);
cleanup:
    preventCommandPropagation(c);
    if (ids != ids_static) zfree(ids);
    if (groups != groups_static) zfree(groups);
}

void xreadCommand(client *c) { xreadGeneric(c, 0); }
void xreadgroupCommand(client *c) { xreadGeneric(c, 1); }

/* ---------------------------------------------------------------- XGROUP */

static int parseEntriesRead(client *c, obj *o, long long *v) {
    if (getLongLongFromObjectOrReply(c, o, v, NULL) != 0) return -1;
    if (*v < 0 && *v != SCG_INVALID_ENTRIES_READ) {
        addReplyError(c, "ERR value for ENTRIESREAD must be positive or -1");
        return -1;
    }
    return 0;
}

static void replyNoGroupForKey(client *c, obj *group, obj *key) {
    char t1[32], t2[32];
    size_t l1, l2;
    const char *g = argStr(group, t1, sizeof(t1), &l1), *k = argStr(key, t2, sizeof(t2), &l2);
    addReplyErrorFormat(c, "NOGROUP No such consumer group '%.*s' for key name '%.*s'", (int)l1, g, (int)l2, k);
}

/* Common prologue of the XGROUP subcommands: key and group checks. */
static int xgroupPrologue(client *c, int need_group, int mkstream, obj **o_out, streamCG **cg_out) {
    obj *o = lookupKeyWrite(c->db, c->argv[2]);
    if (checkType(c, o, OBJ_STREAM)) return -1;
    if (!o && !mkstream) {
        addReplyError(c, "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use "
                         "the MKSTREAM option to create an empty stream automatically.");
        return -1;
    }
    streamCG *cg = o ? streamLookupCG(objPtr(o), c->argv[3]) : NULL;
    if (need_group && !cg) {
        replyNoGroupForKey(c, c->argv[3], c->argv[2]);
        return -1;
    }
    *o_out = o;
    *cg_out = cg;
    return 0;
}

void xgroupCreateCommand(client *c) {
    int mkstream = 0;
    long long entries_read = SCG_INVALID_ENTRIES_READ;
    for (int i = 5; i < c->argc; i++) {
        if (argIs(c->argv[i], "mkstream")) {
            mkstream = 1;
        } else if (argIs(c->argv[i], "entriesread") && i + 1 < c->argc) {
            if (parseEntriesRead(c, c->argv[i + 1], &entries_read) != 0) return;
            i++;
        } else {
            addReplySubcommandSyntaxError(c);
            return;
        }
    }
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 0, mkstream, &o, &cg) != 0) return;
    streamID id;
    if (argEq(c->argv[4], "$")) {
        if (o) id = ((stream *)objPtr(o))->last_id;
        else id.ms = id.seq = 0;
    } else if (streamParseStrictID(c, c->argv[4], &id, 0, NULL) != 0) {
        return;
    }
    if (!o) {
        o = createStreamObject();
        dbAdd(c->db, c->argv[2], o);
        signalModifiedKey(c, c->db, c->argv[2]);
    }
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[3], tmp, sizeof(tmp), &len);
    if (streamCreateCG(objPtr(o), name, len, &id, entries_read)) {
        addReply(c, shared.ok);
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-create", c->argv[2], c->db->id);
    } else {
        addReplyError(c, "BUSYGROUP Consumer Group name already exists");
    }
}

void xgroupSetidCommand(client *c) {
    long long entries_read = SCG_INVALID_ENTRIES_READ;
    obj *o;
    streamCG *cg;
    if (c->argc != 5 && c->argc != 7) {
        addReplySubcommandSyntaxError(c);
        return;
    }
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    streamID id;
    if (argEq(c->argv[4], "$")) id = ((stream *)objPtr(o))->last_id;
    else if (streamParseID(c, c->argv[4], &id, 0, 0, NULL) != 0) return;
    if (c->argc == 7) {
        if (!argIs(c->argv[5], "entriesread")) {
            addReplySubcommandSyntaxError(c);
            return;
        }
        if (parseEntriesRead(c, c->argv[6], &entries_read) != 0) return;
    }
    cg->last_id = id;
    cg->entries_read = entries_read;
    addReply(c, shared.ok);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-setid", c->argv[2], c->db->id);
}

void xgroupDestroyCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 0, 0, &o, &cg) != 0) return;
    if (!cg) {
        addReply(c, shared.czero);
        return;
    }
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[3], tmp, sizeof(tmp), &len);
    raxRemove(((stream *)objPtr(o))->cgroups, (const unsigned char *)name, len, NULL);
    streamFreeCG(cg);
    addReply(c, shared.cone);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-destroy", c->argv[2], c->db->id);
    signalKeyAsReady(c->db, c->argv[2], OBJ_STREAM);   /* blocked readers of the group fail with NOGROUP */
}

void xgroupCreateconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    char tmp[32];
    size_t len;
    const char *name = argStr(c->argv[4], tmp, sizeof(tmp), &len);
    streamConsumer *sc = streamCreateConsumerRaw(cg, name, len);
    if (sc) {
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-createconsumer", c->argv[2], c->db->id);
    }
    addReplyLongLong(c, sc ? 1 : 0);
}

void xgroupDelconsumerCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (xgroupPrologue(c, 1, 0, &o, &cg) != 0) return;
    streamConsumer *sc = streamLookupConsumer(cg, c->argv[4]);
    long long pending = 0;
    if (sc) {
        pending = (long long)raxSize(sc->pel);
        streamDelConsumer(cg, sc);
        server.dirty++;
        notifyKeyspaceEvent(NOTIFY_STREAM, "xgroup-delconsumer", c->argv[2], c->db->id);
    }
    addReplyLongLong(c, pending);
}

void xgroupHelpCommand(client *c) {
    static const char *help[] = {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        NULL};
    addReplyHelp(c, help);
}

/* ----------------------------------------------------- XACK / XPENDING */

static void replyNoKeyOrGroup(client *c, obj *key, obj *group, const char *suffix) {
    char t1[32], t2[32];
    size_t l1, l2;
    const char *k = argStr(key, t1, sizeof(t1), &l1), *g = argStr(group, t2, sizeof(t2), &l2);
    addReplyErrorFormat(c, "NOGROUP No such key '%.*s' or consumer group '%.*s'%s", (int)l1, k, (int)l2, g, suffix);
}

/* The stream at argv[1] and its group named by argv[2]; either may come back
 * NULL. Returns 0 after replying WRONGTYPE. */
static int streamLookupKeyAndGroup(client *c, obj **o, streamCG **cg) {
    *o = lookupKeyRead(c->db, c->argv[1]);
    *cg = NULL;
    if (!*o) return 1;
    if (checkType(c, *o, OBJ_STREAM)) return 0;
    *cg = streamLookupCG(objPtr((*o)), c->argv[2]);
    return 1;
}

/* Same, but both must exist: otherwise replies NOGROUP and returns 0. */
static int streamLookupKeyAndGroupOrReply(client *c, obj **o, streamCG **cg) {
    if (!streamLookupKeyAndGroup(c, o, cg)) return 0;
    if (*o && *cg) return 1;
    replyNoKeyOrGroup(c, c->argv[1], c->argv[2], "");
    return 0;
}

void xackCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (!streamLookupKeyAndGroup(c, &o, &cg)) return;
    /* Nothing to acknowledge without the key or the group: 0 even when the
     * IDs would not parse, as in Valkey. */
    if (!o || !cg) {
        addReplyLongLong(c, 0);
        return;
    }
    int n = c->argc - 3;
    streamID *ids = zmalloc(sizeof(streamID) * (size_t)n);
    for (int j = 0; j < n; j++) {
        if (streamParseStrictID(c, c->argv[j + 3], &ids[j], 0, NULL) != 0) {
            zfree(ids);
            return;
        }
    }
    long long acked = 0;
    for (int j = 0; j < n; j++) {
        unsigned char buf[STREAM_ID_SIZE];
        streamEncodeID(buf, &ids[j]);
        void *v;
        if (!raxFind(cg->pel, buf, sizeof(buf), &v)) continue;
        streamNACK *nack = v;
        raxRemove(cg->pel, buf, sizeof(buf), NULL);
        raxRemove(nack->consumer->pel, buf, sizeof(buf), NULL);
        zfree(nack);
        acked++;
        server.dirty++;
    }
    zfree(ids);
    addReplyLongLong(c, acked);
}

void xpendingCommand(client *c) {
    int justinfo = c->argc == 3;
    long long minidle = 0, count = 0;
    streamID start, end;
    int startex, endex;
    obj *consumername = NULL;
    if (c->argc != 3 && (c->argc < 6 || c->argc > 9)) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    if (c->argc >= 6) {
        int si = 3;
        if (argIs(c->argv[3], "idle")) {
            if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, NULL) != 0) return;
            if (c->argc < 8) {
                addReplyErrorObject(c, shared.syntaxerr);
                return;
            }
            si += 2;
        }
        if (getLongLongFromObjectOrReply(c, c->argv[si + 2], &count, NULL) != 0) return;
        if (count < 0) count = 0;
        if (streamParseIntervalID(c, c->argv[si], &start, &startex, 0) != 0) return;
        if (startex && streamIncrID(&start) != 0) {
            addReplyError(c, "ERR invalid start ID for the interval");
            return;
        }
        if (streamParseIntervalID(c, c->argv[si + 1], &end, &endex, UINT64_MAX) != 0) return;
        if (endex && streamDecrID(&end) != 0) {
            addReplyError(c, "ERR invalid end ID for the interval");
            return;
        }
        if (si + 3 < c->argc) consumername = c->argv[si + 3];
    }
    obj *o;
    streamCG *cg;
    if (!streamLookupKeyAndGroupOrReply(c, &o, &cg)) return;
    raxIterator it;
    if (justinfo) {
        addReplyArrayLen(c, 4);
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        if (raxSize(cg->pel) == 0) {
            addReplyNull(c);
            addReplyNull(c);
            addReplyNullArray(c);
            return;
        }
        streamID id;
        raxStart(&it, cg->pel);
        raxSeek(&it, "^", NULL, 0);
        raxNext(&it);
        streamDecodeID(it.key, &id);
        addReplyStreamID(c, &id);
        raxSeek(&it, "$", NULL, 0);
        raxPrev(&it);
        streamDecodeID(it.key, &id);
        addReplyStreamID(c, &id);
        raxStop(&it);
        raxStart(&it, cg->consumers);
        raxSeek(&it, "^", NULL, 0);
        void *len = addReplyDeferredLen(c);
        long n = 0;
        while (raxNext(&it)) {
            streamConsumer *sc = it.data;
            if (raxSize(sc->pel) == 0) continue;
            addReplyArrayLen(c, 2);
            addReplyBulkCBuffer(c, it.key, it.key_len);
            addReplyBulkLongLong(c, (long long)raxSize(sc->pel));
            n++;
        }
        raxStop(&it);
        setDeferredArrayLen(c, len, n);
        return;
    }
    streamConsumer *sc = NULL;
    if (consumername) {
        sc = streamLookupConsumer(cg, consumername);
        if (!sc) {
            addReplyArrayLen(c, 0);
            return;
        }
    }
    unsigned char sk[STREAM_ID_SIZE], ek[STREAM_ID_SIZE];
    streamEncodeID(sk, &start);
    streamEncodeID(ek, &end);
    mstime_t now = commandTimeSnapshot();
    raxStart(&it, sc ? sc->pel : cg->pel);
    raxSeek(&it, ">=", sk, sizeof(sk));
    void *len = addReplyDeferredLen(c);
    long n = 0;
    while (count && raxNext(&it) && memcmp(it.key, ek, it.key_len) <= 0) {
        streamNACK *nack = it.data;
        if (minidle && now - nack->delivery_time < minidle) continue;
        streamID id;
        streamDecodeID(it.key, &id);
        addReplyArrayLen(c, 4);
        addReplyStreamID(c, &id);
        addReplyBulkCBuffer(c, nack->consumer->name, bstrLen(nack->consumer->name));
        mstime_t elapsed = now - nack->delivery_time;
        addReplyLongLong(c, elapsed < 0 ? 0 : elapsed);
        addReplyLongLong(c, (long long)nack->delivery_count);
        n++;
        count--;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

/* ------------------------------------------------- XCLAIM / XAUTOCLAIM */

static streamConsumer *getOrCreateConsumer(client *c, streamCG *cg, obj *name, obj *key, obj *group) {
    streamConsumer *sc = streamLookupConsumer(cg, name);
    return sc ? sc : streamCreateConsumer(c, cg, name, key, group, 1);
}

/* Drops a NACK whose entry no longer exists, propagating the drop. */
static void streamDropStaleNACK(client *c, streamCG *cg, obj *key, obj *group, obj *idarg, unsigned char *buf,
                                streamNACK *nack) {
    streamPropagateXCLAIM(c, key, cg, group, idarg, nack);
    server.dirty++;
    raxRemove(cg->pel, buf, STREAM_ID_SIZE, NULL);
    raxRemove(nack->consumer->pel, buf, STREAM_ID_SIZE, NULL);
    zfree(nack);
}

static void streamMoveNACK(streamNACK *nack, streamConsumer *to, unsigned char *buf) {
    if (nack->consumer == to) return;
    if (nack->consumer) raxRemove(nack->consumer->pel, buf, STREAM_ID_SIZE, NULL);
    raxInsert(to->pel, buf, STREAM_ID_SIZE, nack, NULL);
    nack->consumer = to;
}

void xclaimCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (!streamLookupKeyAndGroupOrReply(c, &o, &cg)) return;
    stream *s = objPtr(o);
    long long minidle, retrycount = -1;
    mstime_t deliverytime = -1;
    int force = 0, justid = 0;
    if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XCLAIM") != 0) return;
    if (minidle < 0) minidle = 0;
    int j;
    streamID tmpid;
    for (j = 5; j < c->argc; j++)
        if (streamParseStrictID(NULL, c->argv[j], &tmpid, 0, NULL) != 0) break;
    int last_id_arg = j - 1;
    mstime_t now = commandTimeSnapshot();
    streamID last_id = {0, 0};
    for (; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        obj *opt = c->argv[j];
        if (argIs(opt, "force")) force = 1;
        else if (argIs(opt, "justid")) justid = 1;
        else if (argIs(opt, "idle") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &deliverytime, "ERR Invalid IDLE option argument for XCLAIM") != 0) return;
            deliverytime = now - deliverytime;
        } else if (argIs(opt, "time") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &deliverytime, "ERR Invalid TIME option argument for XCLAIM") != 0) return;
        } else if (argIs(opt, "retrycount") && more) {
            j++;
            if (getLongLongFromObjectOrReply(c, c->argv[j], &retrycount, "ERR Invalid RETRYCOUNT option argument for XCLAIM") != 0) return;
        } else if (argIs(opt, "lastid") && more) {
            j++;
            if (streamParseStrictID(c, c->argv[j], &last_id, 0, NULL) != 0) return;
        } else {
            char tmp[32];
            size_t len;
            const char *p = argStr(opt, tmp, sizeof(tmp), &len);
            addReplyErrorFormat(c, "ERR Unrecognized XCLAIM option '%.*s'", (int)len, p);
            return;
        }
    }
    int propagate_last_id = 0;
    if (streamCompareID(&last_id, &cg->last_id) > 0) {
        cg->last_id = last_id;
        propagate_last_id = 1;
    }
    if (deliverytime != -1) {
        if (deliverytime < 0 || deliverytime > now) deliverytime = now;
    } else {
        deliverytime = now;
    }
    streamConsumer *consumer = NULL;
    void *len = addReplyDeferredLen(c);
    long n = 0;
    for (j = 5; j <= last_id_arg; j++) {
        streamID id;
        streamParseStrictID(NULL, c->argv[j], &id, 0, NULL);
        unsigned char buf[STREAM_ID_SIZE];
        streamEncodeID(buf, &id);
        void *v = NULL;
        streamNACK *nack = raxFind(cg->pel, buf, sizeof(buf), &v) ? v : NULL;
        if (!streamEntryExists(s, &id)) {
            if (nack) {
                streamDropStaleNACK(c, cg, c->argv[1], c->argv[2], c->argv[j], buf, nack);
                propagate_last_id = 0;
            }
            continue;
        }
        if (force && !nack) {
            nack = streamCreateNACK(NULL);
            raxInsert(cg->pel, buf, sizeof(buf), nack, NULL);
        }
        if (!nack) continue;
        if (nack->consumer && minidle && now - nack->delivery_time < minidle) continue;
        if (!consumer) consumer = getOrCreateConsumer(c, cg, c->argv[3], c->argv[1], c->argv[2]);
        nack->delivery_time = deliverytime;
        if (retrycount >= 0) nack->delivery_count = (uint64_t)retrycount;
        else if (!justid) nack->delivery_count++;
        streamMoveNACK(nack, consumer, buf);
        if (justid) addReplyStreamID(c, &id);
        else streamReplyOne(c, s, &id);
        n++;
        consumer->active_time = commandTimeSnapshot();
        streamPropagateXCLAIM(c, c->argv[1], cg, c->argv[2], c->argv[j], nack);
        propagate_last_id = 0;
        server.dirty++;
    }
    if (propagate_last_id) {
        streamPropagateGroupID(c, c->argv[1], cg, c->argv[2]);
        server.dirty++;
    }
    setDeferredArrayLen(c, len, n);
    preventCommandPropagation(c);
}

void xautoclaimCommand(client *c) {
    obj *o;
    streamCG *cg;
    if (!streamLookupKeyAndGroupOrReply(c, &o, &cg)) return;
    stream *s = objPtr(o);
    long long minidle;
    long count = 100;
    int justid = 0, startex;
    const long attempts_factor = 10;
    if (getLongLongFromObjectOrReply(c, c->argv[4], &minidle, "ERR Invalid min-idle-time argument for XAUTOCLAIM") != 0) return;
    if (minidle < 0) minidle = 0;
    streamID start;
    if (streamParseIntervalID(c, c->argv[5], &start, &startex, 0) != 0) return;
    if (startex && streamIncrID(&start) != 0) {
        addReplyError(c, "ERR invalid start ID for the interval");
        return;
    }
    for (int j = 6; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (argIs(c->argv[j], "count") && more) {
            long max_count = LONG_MAX / (STREAM_ID_SIZE > attempts_factor ? STREAM_ID_SIZE : attempts_factor);
            if (getRangeLongFromObjectOrReply(c, c->argv[j + 1], 1, max_count, &count, "ERR COUNT must be > 0") != 0) return;
            j++;
        } else if (argIs(c->argv[j], "justid")) {
            justid = 1;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    long long attempts = count * attempts_factor;
    /* Valkey allocates COUNT IDs up front and fails when that cannot work;
     * we only need as many as the PEL could yield. */
    size_t need = raxSize(cg->pel) < (uint64_t)count ? raxSize(cg->pel) : (size_t)count;
    streamID *deleted = (size_t)count > ((size_t)1 << 36) ? NULL : ztrymalloc(sizeof(streamID) * (need ? need : 1));
    if (!deleted) {
        addReplyError(c, "ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
        return;
    }
    long ndeleted = 0, n = 0;
    unsigned char sk[STREAM_ID_SIZE];
    streamEncodeID(sk, &start);
    mstime_t now = commandTimeSnapshot();
    streamConsumer *consumer = NULL;
    raxIterator it;
    raxStart(&it, cg->pel);
    raxSeek(&it, ">=", sk, sizeof(sk));
    addReplyArrayLen(c, 3);
    void *cursorlen = addReplyDeferredLen(c);
    void *arraylen = addReplyDeferredLen(c);
    while (attempts-- && count && raxNext(&it)) {
        streamNACK *nack = it.data;
        streamID id;
        streamDecodeID(it.key, &id);
        unsigned char buf[STREAM_ID_SIZE];
        memcpy(buf, it.key, sizeof(buf));
        obj *idarg = createObjectFromStreamID(&id);
        if (!streamEntryExists(s, &id)) {
            streamDropStaleNACK(c, cg, c->argv[1], c->argv[2], idarg, buf, nack);
            decrRefCount(idarg);
            deleted[ndeleted++] = id;
            raxSeek(&it, ">=", buf, sizeof(buf));
            count--;
            continue;
        }
        if (minidle && now - nack->delivery_time < minidle) {
            decrRefCount(idarg);
            continue;
        }
        if (!consumer) consumer = getOrCreateConsumer(c, cg, c->argv[3], c->argv[1], c->argv[2]);
        nack->delivery_time = now;
        if (!justid) nack->delivery_count++;
        streamMoveNACK(nack, consumer, buf);
        if (justid) addReplyStreamID(c, &id);
        else streamReplyOne(c, s, &id);
        n++;
        count--;
        consumer->active_time = commandTimeSnapshot();
        streamPropagateXCLAIM(c, c->argv[1], cg, c->argv[2], idarg, nack);
        decrRefCount(idarg);
        server.dirty++;
    }
    raxNext(&it);
    streamID cursor = {0, 0};
    if (!raxEOF(&it)) streamDecodeID(it.key, &cursor);
    raxStop(&it);
    setDeferredArrayLen(c, arraylen, n);
    char idbuf[64];
    int l = streamFormatID(idbuf, sizeof(idbuf), &cursor);
    setDeferredReplyBulkBstr(c, cursorlen, bstrNewLen(idbuf, (size_t)l));
    addReplyArrayLen(c, ndeleted);
    for (long i = 0; i < ndeleted; i++) addReplyStreamID(c, &deleted[i]);
    zfree(deleted);
    preventCommandPropagation(c);
}

/* ---------------------------------------------------------- XINFO / XSETID */

static void addReplyNACKs(client *c, rax *pel, long long count, int with_consumer) {
    raxIterator it;
    raxStart(&it, pel);
    raxSeek(&it, "^", NULL, 0);
    void *len = addReplyDeferredLen(c);
    long n = 0;
    while ((!count || n < count) && raxNext(&it)) {
        streamNACK *nack = it.data;
        streamID id;
        streamDecodeID(it.key, &id);
        addReplyArrayLen(c, with_consumer ? 4 : 3);
        addReplyStreamID(c, &id);
        if (with_consumer) addReplyBulkCBuffer(c, nack->consumer->name, bstrLen(nack->consumer->name));
        addReplyLongLong(c, nack->delivery_time);
        addReplyLongLong(c, (long long)nack->delivery_count);
        n++;
    }
    raxStop(&it);
    setDeferredArrayLen(c, len, n);
}

static void addReplyEntriesRead(client *c, streamCG *cg) {
    if (cg->entries_read != SCG_INVALID_ENTRIES_READ) addReplyLongLong(c, cg->entries_read);
    else addReplyNull(c);
}

static void xinfoStreamFullGroups(client *c, stream *s, long long count) {
    if (!s->cgroups) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(s->cgroups));
    raxIterator gi;
    raxStart(&gi, s->cgroups);
    raxSeek(&gi, "^", NULL, 0);
    while (raxNext(&gi)) {
        streamCG *cg = gi.data;
        addReplyMapLen(c, 7);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, gi.key, gi.key_len);
        addReplyBulkCString(c, "last-delivered-id");
        addReplyStreamID(c, &cg->last_id);
        addReplyBulkCString(c, "entries-read");
        addReplyEntriesRead(c, cg);
        addReplyBulkCString(c, "lag");
        streamReplyCGLag(c, s, cg);
        addReplyBulkCString(c, "pel-count");
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        addReplyBulkCString(c, "pending");
        addReplyNACKs(c, cg->pel, count, 1);
        addReplyBulkCString(c, "consumers");
        addReplyArrayLen(c, (long)raxSize(cg->consumers));
        raxIterator ci;
        raxStart(&ci, cg->consumers);
        raxSeek(&ci, "^", NULL, 0);
        while (raxNext(&ci)) {
            streamConsumer *sc = ci.data;
            addReplyMapLen(c, 5);
            addReplyBulkCString(c, "name");
            addReplyBulkCBuffer(c, sc->name, bstrLen(sc->name));
            addReplyBulkCString(c, "seen-time");
            addReplyLongLong(c, sc->seen_time);
            addReplyBulkCString(c, "active-time");
            addReplyLongLong(c, sc->active_time);
            addReplyBulkCString(c, "pel-count");
            addReplyLongLong(c, (long long)raxSize(sc->pel));
            addReplyBulkCString(c, "pending");
            addReplyNACKs(c, sc->pel, count, 0);
        }
        raxStop(&ci);
    }
    raxStop(&gi);
}

static void xinfoStream(client *c, stream *s) {
    int full = 0;
    long long count = 10;
    if (c->argc > 3) {
        if ((c->argc != 4 && c->argc != 6) || !argIs(c->argv[3], "full")) {
            addReplySubcommandSyntaxError(c);
            return;
        }
        full = 1;
        if (c->argc == 6) {
            if (!argIs(c->argv[4], "count")) {
                addReplySubcommandSyntaxError(c);
                return;
            }
            if (getLongLongFromObjectOrReply(c, c->argv[5], &count, NULL) != 0) return;
            if (count < 0) count = 10;
        }
    }
    addReplyMapLen(c, full ? 9 : 10);
    addReplyBulkCString(c, "length");
    addReplyLongLong(c, (long long)s->length);
    addReplyBulkCString(c, "radix-tree-keys");
    addReplyLongLong(c, (long long)raxSize(s->nodes));
    addReplyBulkCString(c, "radix-tree-nodes");
    addReplyLongLong(c, (long long)streamRaxNodeCount(s->nodes));
    addReplyBulkCString(c, "last-generated-id");
    addReplyStreamID(c, &s->last_id);
    addReplyBulkCString(c, "max-deleted-entry-id");
    addReplyStreamID(c, &s->max_deleted_entry_id);
    addReplyBulkCString(c, "entries-added");
    addReplyLongLong(c, (long long)s->entries_added);
    addReplyBulkCString(c, "recorded-first-entry-id");
    addReplyStreamID(c, &s->first_id);
    if (!full) {
        addReplyBulkCString(c, "groups");
        addReplyLongLong(c, s->cgroups ? (long long)raxSize(s->cgroups) : 0);
        addReplyBulkCString(c, "first-entry");
        if (!streamReplyOneEdge(c, s, 0)) addReplyNull(c);
        addReplyBulkCString(c, "last-entry");
        if (!streamReplyOneEdge(c, s, 1)) addReplyNull(c);
    } else {
        addReplyBulkCString(c, "entries");
        streamReplyRange(c, s, NULL, NULL, count, 0);
        addReplyBulkCString(c, "groups");
        xinfoStreamFullGroups(c, s, count);
    }
}

static void xinfoGroups(client *c, stream *s) {
    if (!s->cgroups) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(s->cgroups));
    raxIterator it;
    raxStart(&it, s->cgroups);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamCG *cg = it.data;
        addReplyMapLen(c, 6);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, it.key, it.key_len);
        addReplyBulkCString(c, "consumers");
        addReplyLongLong(c, (long long)raxSize(cg->consumers));
        addReplyBulkCString(c, "pending");
        addReplyLongLong(c, (long long)raxSize(cg->pel));
        addReplyBulkCString(c, "last-delivered-id");
        addReplyStreamID(c, &cg->last_id);
        addReplyBulkCString(c, "entries-read");
        addReplyEntriesRead(c, cg);
        addReplyBulkCString(c, "lag");
        streamReplyCGLag(c, s, cg);
    }
    raxStop(&it);
}

static void xinfoConsumers(client *c, stream *s) {
    streamCG *cg = streamLookupCG(s, c->argv[3]);
    if (!cg) {
        replyNoGroupForKey(c, c->argv[3], c->argv[2]);
        return;
    }
    addReplyArrayLen(c, (long)raxSize(cg->consumers));
    mstime_t now = commandTimeSnapshot();
    raxIterator it;
    raxStart(&it, cg->consumers);
    raxSeek(&it, "^", NULL, 0);
    while (raxNext(&it)) {
        streamConsumer *sc = it.data;
        mstime_t idle = now - sc->seen_time;
        mstime_t inactive = sc->active_time != -1 ? now - sc->active_time : -1;
        addReplyMapLen(c, 4);
        addReplyBulkCString(c, "name");
        addReplyBulkCBuffer(c, sc->name, bstrLen(sc->name));
        addReplyBulkCString(c, "pending");
        addReplyLongLong(c, (long long)raxSize(sc->pel));
        addReplyBulkCString(c, "idle");
        addReplyLongLong(c, idle < 0 ? 0 : idle);
        addReplyBulkCString(c, "inactive");
        addReplyLongLong(c, inactive);
    }
    raxStop(&it);
}

static stream *xinfoLookup(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[2], shared.nokeyerr);
    if (!o || checkType(c, o, OBJ_STREAM)) return NULL;
    return objPtr(o);
}

void xinfoStreamCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoStream(c, s);
}

void xinfoGroupsCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoGroups(c, s);
}

void xinfoConsumersCommand(client *c) {
    stream *s = xinfoLookup(c);
    if (s) xinfoConsumers(c, s);
}

void xinfoHelpCommand(client *c) {
    static const char *help[] = {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        NULL};
    addReplyHelp(c, help);
}

void xsetidCommand(client *c) {
    streamID id, max_xdel = {0, 0};
    long long entries_added = -1;
    if (streamParseStrictID(c, c->argv[2], &id, 0, NULL) != 0) return;
    for (int i = 3; i < c->argc; i++) {
        int more = c->argc - 1 - i;
        if (argIs(c->argv[i], "entriesadded") && more) {
            if (getLongLongFromObjectOrReply(c, c->argv[i + 1], &entries_added, NULL) != 0) return;
            if (entries_added < 0) {
                addReplyError(c, "ERR entries_added must be positive");
                return;
            }
            i++;
        } else if (argIs(c->argv[i], "maxdeletedid") && more) {
            if (streamParseStrictID(c, c->argv[i + 1], &max_xdel, 0, NULL) != 0) return;
            if (streamCompareID(&id, &max_xdel) < 0) {
                addReplyError(c, "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                return;
            }
            i++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.nokeyerr);
    if (!o || checkType(c, o, OBJ_STREAM)) return;
    stream *s = objPtr(o);
    /* Valkey 8 (from redis 7.2 on) checks this first; redis 7.0 did not. */
    if (streamCompareID(&id, &s->max_deleted_entry_id) < 0) {
        addReplyError(c, "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
        return;
    }
    if (s->length > 0) {
        streamID maxid;
        streamLastValidID(s, &maxid);
        if (streamCompareID(&id, &maxid) < 0) {
            addReplyError(c, "ERR The ID specified in XSETID is smaller than the target stream top item");
            return;
        }
        if (entries_added != -1 && s->length > (uint64_t)entries_added) {
            addReplyError(c, "ERR The entries_added specified in XSETID is smaller than the target stream length");
            return;
        }
    }
    s->last_id = id;
    if (entries_added != -1) s->entries_added = (uint64_t)entries_added;
    if (!streamIDIsZero(&max_xdel)) s->max_deleted_entry_id = max_xdel;
    addReply(c, shared.ok);
    server.dirty++;
    notifyKeyspaceEvent(NOTIFY_STREAM, "xsetid", c->argv[1], c->db->id);
}
