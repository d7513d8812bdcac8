/* pubsub: channels and patterns (SUBSCRIBE/PSUBSCRIBE/PUBLISH/PUBSUB), and
 * keyspace notifications, which are just publishes on __keyspace@<db>__ and
 * __keyevent@<db>__ channels filtered by notify-keyspace-events. */
#include "server/server.h"
#include <string.h>

extern htType objKeySetType;
extern htType objKeyListType;

/* Shard channels (SSUBSCRIBE) live in a table of their own, created on first
 * use; SPUBLISH reaches only them, and PUBLISH never does. */
static hashtable *shard_channels;

static hashtable *shardChannels(void) {
    if (!shard_channels) shard_channels = htCreate(&objKeyListType);
    return shard_channels;
}

/* SUBSCRIBE/PSUBSCRIBE replies count channels and patterns; the S-variants
 * count shard channels only. */
static int clientSubscriptionCount(client *c) {
    return (int)((c->pubsub_channels ? htSize(c->pubsub_channels) : 0) + (c->pubsub_patterns ? htSize(c->pubsub_patterns) : 0));
}

int pubsubClientShardCount(client *c) {
    return c->pubsubshard_channels ? (int)htSize(c->pubsubshard_channels) : 0;
}

size_t pubsubShardChannelCount(void) {
    return shard_channels ? htSize(shard_channels) : 0;
}

static void addReplyPubsubEvent(client *c, obj *kind, obj *channel, int count) {
    if (c->resp == 2) addReply(c, shared.mbulkhdr[3]);
    else addReplyPushLen(c, 3);
    addReply(c, kind);
    if (channel) addReplyBulk(c, channel);
    else addReplyNull(c);
    addReplyLongLong(c, count);
}

static void updatePubsubFlag(client *c) {
    if (clientSubscriptionCount(c) + pubsubClientShardCount(c) > 0) c->flags |= CLIENT_PUBSUB;
    else c->flags &= ~CLIENT_PUBSUB;
}

static int subscribeTo(client *c, hashtable **mine, hashtable *global, obj *name) {
    if (!*mine) *mine = htCreate(&objKeySetType);
    incrRefCount(name);
    if (htAdd(*mine, name, NULL) != 0) {
        decrRefCount(name);
        return 0;
    }
    list *clients = htFetchValue(global, name);
    if (!clients) {
        clients = listCreate();
        incrRefCount(name);
        htAdd(global, name, clients);
    }
    listAddNodeTail(clients, c);
    return 1;
}

static int unsubscribeFrom(client *c, hashtable *mine, hashtable *global, obj *name) {
    if (!mine || !htFind(mine, name)) return 0;
    incrRefCount(name);   /* the table entry may hold the only reference */
    htDelete(mine, name);
    list *clients = htFetchValue(global, name);
    if (clients) {
        listNode *ln = listSearchKey(clients, c);
        if (ln) listDelNode(clients, ln);
        if (listLength(clients) == 0) htDelete(global, name);
    }
    decrRefCount(name);
    return 1;
}

enum { SUB_CHANNELS, SUB_PATTERNS, SUB_SHARD };

typedef struct subKind {
    hashtable **mine, *global;
    obj *unsubReply;
} subKind;

static subKind subKindOf(client *c, int kind) {
    subKind k;
    if (kind == SUB_PATTERNS) k = (subKind){&c->pubsub_patterns, server.pubsub_patterns, shared.punsubscribebulk};
    else if (kind == SUB_SHARD) k = (subKind){&c->pubsubshard_channels, shardChannels(), shared.sunsubscribebulk};
    else k = (subKind){&c->pubsub_channels, server.pubsub_channels, shared.unsubscribebulk};
    return k;
}

static int kindCount(client *c, int kind) {
    return kind == SUB_SHARD ? pubsubClientShardCount(c) : clientSubscriptionCount(c);
}

static void unsubscribeAll(client *c, int kind, int notify) {
    subKind k = subKindOf(c, kind);
    int count = 0;
    if (*k.mine) {
        while (htSize(*k.mine)) {
            htEntry *e = htGetRandomEntry(*k.mine);
            obj *name = e->key;
            incrRefCount(name);
            unsubscribeFrom(c, *k.mine, k.global, name);
            count++;
            if (notify) addReplyPubsubEvent(c, k.unsubReply, name, kindCount(c, kind));
            decrRefCount(name);
        }
    }
    if (notify && count == 0) addReplyPubsubEvent(c, k.unsubReply, NULL, kindCount(c, kind));
    updatePubsubFlag(c);
}

void pubsubUnsubscribeAllForClient(client *c) {
    if (c->pubsubshard_channels) {
        unsubscribeAll(c, SUB_SHARD, 0);
        htRelease(c->pubsubshard_channels);
        c->pubsubshard_channels = NULL;
    }
    if (c->pubsub_channels) {
        unsubscribeAll(c, SUB_CHANNELS, 0);
        htRelease(c->pubsub_channels);
        c->pubsub_channels = NULL;
    }
    if (c->pubsub_patterns) {
        unsubscribeAll(c, SUB_PATTERNS, 0);
        htRelease(c->pubsub_patterns);
        c->pubsub_patterns = NULL;
    }
}

static void addReplyMessage(client *c, obj *kind, obj *channel, obj *msg) {
    if (c->resp == 2) addReply(c, shared.mbulkhdr[3]);
    else addReplyPushLen(c, 3);
    addReply(c, kind);
    addReplyBulk(c, channel);
    addReplyBulk(c, msg);
}

static void addReplyPMessage(client *c, obj *pat, obj *channel, obj *msg) {
    if (c->resp == 2) addReply(c, shared.mbulkhdr[4]);
    else addReplyPushLen(c, 4);
    addReply(c, shared.pmessagebulk);
    addReplyBulk(c, pat);
    addReplyBulk(c, channel);
    addReplyBulk(c, msg);
}

int pubsubPublishMessage(obj *channel, obj *message, int sharded) {
    int receivers = 0;
    list *clients = htFetchValue(sharded ? shardChannels() : server.pubsub_channels, channel);
    if (clients) {
        listIter li;
        listNode *ln;
        listRewind(clients, &li);
        while ((ln = listNext(&li))) {
            addReplyMessage(ln->value, sharded ? shared.smessagebulk : shared.messagebulk, channel, message);
            receivers++;
        }
    }
    if (!sharded && htSize(server.pubsub_patterns)) {
        obj *ch = getDecodedObject(channel);
        htIterator it;
        htInitIterator(&it, server.pubsub_patterns);
        htEntry *e;
        while ((e = htNext(&it))) {
            obj *pat = e->key;
            if (!stringmatchlen(objPtr(pat), (int)bstrLen(objPtr(pat)), objPtr(ch), (int)bstrLen(objPtr(ch)), 0)) continue;
            listIter li;
            listNode *ln;
            listRewind(e->v.val, &li);
            while ((ln = listNext(&li))) {
                addReplyPMessage(ln->value, pat, ch, message);
                receivers++;
            }
        }
        htResetIterator(&it);
        decrRefCount(ch);
    }
    return receivers;
}

static void subscribeCommand(client *c) {
    for (int j = 1; j < c->argc; j++) {
        subscribeTo(c, &c->pubsub_channels, server.pubsub_channels, c->argv[j]);
        updatePubsubFlag(c);
        addReplyPubsubEvent(c, shared.subscribebulk, c->argv[j], clientSubscriptionCount(c));
    }
}

static void psubscribeCommand(client *c) {
    for (int j = 1; j < c->argc; j++) {
        subscribeTo(c, &c->pubsub_patterns, server.pubsub_patterns, c->argv[j]);
        updatePubsubFlag(c);
        addReplyPubsubEvent(c, shared.psubscribebulk, c->argv[j], clientSubscriptionCount(c));
    }
}

static void unsubscribeGeneric(client *c, int kind) {
    if (c->argc == 1) {
        unsubscribeAll(c, kind, 1);
        return;
    }
    subKind k = subKindOf(c, kind);
    for (int j = 1; j < c->argc; j++) {
        unsubscribeFrom(c, *k.mine, k.global, c->argv[j]);
        updatePubsubFlag(c);
        addReplyPubsubEvent(c, k.unsubReply, c->argv[j], kindCount(c, kind));
    }
}
static void unsubscribeCommand(client *c) { unsubscribeGeneric(c, SUB_CHANNELS); }
static void punsubscribeCommand(client *c) { unsubscribeGeneric(c, SUB_PATTERNS); }
static void sunsubscribeCommand(client *c) { unsubscribeGeneric(c, SUB_SHARD); }

static void ssubscribeCommand(client *c) {
    for (int j = 1; j < c->argc; j++) {
        subscribeTo(c, &c->pubsubshard_channels, shardChannels(), c->argv[j]);
        updatePubsubFlag(c);
        addReplyPubsubEvent(c, shared.ssubscribebulk, c->argv[j], pubsubClientShardCount(c));
    }
}

static void spublishCommand(client *c) {
    int receivers = pubsubPublishMessage(c->argv[1], c->argv[2], 1);
    alsoPropagate(c->db->id, c->argv, c->argc, PROPAGATE_REPL);
    addReplyLongLong(c, receivers);
}

static void publishCommand(client *c) {
    int receivers = pubsubPublishMessage(c->argv[1], c->argv[2], 0);
    /* Replicas get PUBLISH through the stream even though it is not a write. */
    alsoPropagate(c->db->id, c->argv, c->argc, PROPAGATE_REPL);
    addReplyLongLong(c, receivers);
}

static void replyChannelList(client *c, hashtable *channels, const char *pat) {
    void *node = addReplyDeferredLen(c);
    long n = 0;
    htIterator it;
    htInitIterator(&it, channels);
    htEntry *e;
    while ((e = htNext(&it))) {
        obj *ch = e->key;
        if (pat && !stringmatchlen(pat, (int)strlen(pat), objPtr(ch), (int)bstrLen(objPtr(ch)), 0)) continue;
        addReplyBulk(c, ch);
        n++;
    }
    htResetIterator(&it);
    setDeferredArrayLen(c, node, n);
}

static void pubsubCommand(client *c) {
    const char *sub = objPtr(c->argv[1]);
    if (!strcasecmp(sub, "help") && c->argc == 2) {
        const char *help[] = {"CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                              "NUMPAT", "    Return number of subscriptions to patterns.",
                              "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
                              "    pattern subscriptions(default: no channels).",
                              "SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                              "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)", NULL};
        addReplyHelp(c, help);
    } else if ((!strcasecmp(sub, "channels") || !strcasecmp(sub, "shardchannels")) && (c->argc == 2 || c->argc == 3)) {
        replyChannelList(c, !strcasecmp(sub, "channels") ? server.pubsub_channels : shardChannels(),
                         c->argc == 3 ? objPtr(c->argv[2]) : NULL);
    } else if (!strcasecmp(sub, "numsub") && c->argc >= 2) {
        /* A flat channel/count array in RESP3 too, as Valkey sends it. */
        addReplyArrayLen(c, (long)(c->argc - 2) * 2);
        for (int j = 2; j < c->argc; j++) {
            list *l = htFetchValue(server.pubsub_channels, c->argv[j]);
            addReplyBulk(c, c->argv[j]);
            addReplyLongLong(c, l ? (long long)listLength(l) : 0);
        }
    } else if (!strcasecmp(sub, "numpat") && c->argc == 2) {
        addReplyLongLong(c, (long long)htSize(server.pubsub_patterns));
    } else if (!strcasecmp(sub, "shardnumsub") && c->argc >= 2) {
        addReplyArrayLen(c, (long)(c->argc - 2) * 2);
        for (int j = 2; j < c->argc; j++) {
            list *l = htFetchValue(shardChannels(), c->argv[j]);
            addReplyBulk(c, c->argv[j]);
            addReplyLongLong(c, l ? (long long)listLength(l) : 0);
        }
    } else {
        addReplySubcommandSyntaxError(c);
    }
}

/* ---------- keyspace notifications ---------- */
int keyspaceEventsStringToFlags(const char *classes) {
    int flags = 0;
    for (const char *p = classes; *p; p++) {
        switch (*p) {
        case 'A': flags |= NOTIFY_ALL; break;
        case 'g': flags |= NOTIFY_GENERIC; break;
        case '$': flags |= NOTIFY_STRING; break;
        case 'l': flags |= NOTIFY_LIST; break;
        case 's': flags |= NOTIFY_SET; break;
        case 'h': flags |= NOTIFY_HASH; break;
        case 'z': flags |= NOTIFY_ZSET; break;
        case 'x': flags |= NOTIFY_EXPIRED; break;
        case 'e': flags |= NOTIFY_EVICTED; break;
        case 'K': flags |= NOTIFY_KEYSPACE; break;
        case 'E': flags |= NOTIFY_KEYEVENT; break;
        case 't': flags |= NOTIFY_STREAM; break;
        case 'm': flags |= NOTIFY_KEY_MISS; break;
        case 'd': flags |= NOTIFY_MODULE; break;
        case 'n': flags |= NOTIFY_NEW; break;
        default: return -1;
        }
    }
    return flags;
}

bstr keyspaceEventsFlagsToString(int flags) {
    static const struct { int flag; char c; } order[] = {
        {NOTIFY_GENERIC, 'g'}, {NOTIFY_STRING, '$'}, {NOTIFY_LIST, 'l'}, {NOTIFY_SET, 's'},
        {NOTIFY_HASH, 'h'}, {NOTIFY_ZSET, 'z'}, {NOTIFY_EXPIRED, 'x'}, {NOTIFY_EVICTED, 'e'},
        {NOTIFY_STREAM, 't'}, {NOTIFY_MODULE, 'd'}};
    bstr s = bstrEmpty();
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        s = bstrCat(s, "A");
    } else {
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
            if (flags & order[i].flag) s = bstrCatLen(s, &order[i].c, 1);
    }
    /* Classes outside "A" are always listed on their own. */
    if (flags & NOTIFY_KEYSPACE) s = bstrCat(s, "K");
    if (flags & NOTIFY_KEYEVENT) s = bstrCat(s, "E");
    if (flags & NOTIFY_KEY_MISS) s = bstrCat(s, "m");
    if (flags & NOTIFY_NEW) s = bstrCat(s, "n");
    return s;
}

void notifyKeyspaceEvent(int type, const char *event, obj *key, int dbid) {
    if (!(server.notify_keyspace_events & type)) return;
    obj *eventobj = createStringObject(event, strlen(event));
    obj *k = getDecodedObject(key);
    if (server.notify_keyspace_events & NOTIFY_KEYSPACE) {
        bstr ch = bstrCatPrintf(bstrNew("__keyspace@"), "%d__:", dbid);
        ch = bstrCatLen(ch, objPtr(k), bstrLen(objPtr(k)));
        obj *chobj = createObject(OBJ_STRING, ch);
        pubsubPublishMessage(chobj, eventobj, 0);
        decrRefCount(chobj);
    }
    if (server.notify_keyspace_events & NOTIFY_KEYEVENT) {
        bstr ch = bstrCatPrintf(bstrNew("__keyevent@"), "%d__:", dbid);
        ch = bstrCat(ch, event);
        obj *chobj = createObject(OBJ_STRING, ch);
        pubsubPublishMessage(chobj, k, 0);
        decrRefCount(chobj);
    }
    decrRefCount(eventobj);
    decrRefCount(k);
}

/* Per-subcommand arity and "unknown subcommand" errors come from dispatch. */
static const serverCommandDef pubsubSubcommands[] = {
    {.name = "channels", .proc = pubsubCommand, .arity = -2, .flags = "pubsub loading stale", .group = "pubsub",
     .summary = "Returns the active channels.", .since = "2.8.0", .complexity = "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", .args = "[pattern]"},
    {.name = "help", .proc = pubsubCommand, .arity = 2, .flags = "loading stale", .group = "pubsub",
     .summary = "Returns helpful text about the different subcommands.", .since = "6.2.0", .complexity = "O(1)"},
    {.name = "numpat", .proc = pubsubCommand, .arity = 2, .flags = "pubsub loading stale", .group = "pubsub",
     .summary = "Returns a count of unique pattern subscriptions.", .since = "2.8.0", .complexity = "O(1)"},
    {.name = "numsub", .proc = pubsubCommand, .arity = -2, .flags = "pubsub loading stale", .group = "pubsub",
     .summary = "Returns a count of subscribers to channels.", .since = "2.8.0", .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels", .args = "[channel [channel ...]]"},
    {.name = "shardchannels", .proc = pubsubCommand, .arity = -2, .flags = "pubsub loading stale", .group = "pubsub",
     .summary = "Returns the active shard channels.", .since = "7.0.0", .complexity = "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", .args = "[pattern]"},
    {.name = "shardnumsub", .proc = pubsubCommand, .arity = -2, .flags = "pubsub loading stale", .group = "pubsub",
     .summary = "Returns the count of subscribers of shard channels.", .since = "7.0.0", .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", .args = "[shardchannel [shardchannel ...]]"},
    {0}};

const serverCommandDef pubsubCommandTable[] = {
    {"subscribe", subscribeCommand, -2, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Listens for messages published to channels.", "2.0.0", "O(N) where N is the number of channels to subscribe to.", NULL, NULL, "channel [channel ...]"},
    {"unsubscribe", unsubscribeCommand, -1, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Stops listening to messages posted to channels.", "2.0.0", "O(N) where N is the number of channels to unsubscribe.", NULL, NULL, "[channel [channel ...]]"},
    {"psubscribe", psubscribeCommand, -2, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Listens for messages published to channels that match one or more patterns.", "2.0.0", "O(N) where N is the number of patterns to subscribe to.", NULL, NULL, "pattern [pattern ...]"},
    {"punsubscribe", punsubscribeCommand, -1, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match one or more patterns.", "2.0.0", "O(N) where N is the number of patterns to unsubscribe.", NULL, NULL, "[pattern [pattern ...]]"},
    {"publish", publishCommand, 3, "pubsub loading stale fast may_replicate", 0, 0, 0, "pubsub", "Posts a message to a channel.", "2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", NULL, NULL, "channel message"},
    {"ssubscribe", ssubscribeCommand, -2, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Listens for messages published to shard channels.", "7.0.0", "O(N) where N is the number of shard channels to subscribe to.", NULL, NULL, "shardchannel [shardchannel ...]"},
    {"sunsubscribe", sunsubscribeCommand, -1, "pubsub noscript loading stale", 0, 0, 0, "pubsub", "Stops listening to messages posted to shard channels.", "7.0.0", "O(N) where N is the number of shard channels to unsubscribe.", NULL, NULL, "[shardchannel [shardchannel ...]]"},
    {"spublish", spublishCommand, 3, "pubsub loading stale fast may_replicate", 0, 0, 0, "pubsub", "Post a message to a shard channel", "7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel.", NULL, NULL, "shardchannel message"},
    {"pubsub", pubsubCommand, -2, "", 0, 0, 0, "pubsub", "A container for Pub/Sub commands.", "2.8.0", "Depends on subcommand.", NULL, pubsubSubcommands, "subcommand [arg ...]"},
    {0}};
