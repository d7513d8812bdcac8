/* cluster: this server runs standalone only. CLUSTER is still a known
 * container command, so clients probing for cluster mode get the reply a
 * Valkey with cluster-enabled no sends (and dispatch checks subcommand names
 * and arity first, as for any container). */
#include "server/server.h"

static void clusterCommand(client *c) {
    addReplyError(c, "ERR This instance has cluster support disabled");
}

/* Standalone too (Valkey 8): READONLY lets a client that declared CLIENT CAPA
 * redirect keep reading from a replica instead of being redirected. */
static void readonlyCommand(client *c) {
    c->flags |= CLIENT_READONLY;
    addReply(c, shared.ok);
}

static void readwriteCommand(client *c) {
    c->flags &= ~CLIENT_READONLY;
    addReply(c, shared.ok);
}

static const serverCommandDef clusterSubcommands[] = {
    {.name = "addslots", .proc = clusterCommand, .arity = -3, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Assigns new hash slots to a node.", .since = "3.0.0", .complexity = "O(N) where N is the total number of hash slot arguments"},
    {.name = "addslotsrange", .proc = clusterCommand, .arity = -4, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Assigns new hash slot ranges to a node.", .since = "7.0.0", .complexity = "O(N) where N is the total number of the slots between the start slot and end slot arguments."},
    {.name = "bumpepoch", .proc = clusterCommand, .arity = 2, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Advances the cluster config epoch.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "count-failure-reports", .proc = clusterCommand, .arity = 3, .flags = "admin stale", .group = "cluster",
     .summary = "Returns the number of active failure reports active for a node.", .since = "3.0.0", .complexity = "O(N) where N is the number of failure reports"},
    {.name = "countkeysinslot", .proc = clusterCommand, .arity = 3, .flags = "stale", .group = "cluster",
     .summary = "Returns the number of keys in a hash slot.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "delslots", .proc = clusterCommand, .arity = -3, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Sets hash slots as unbound for a node.", .since = "3.0.0", .complexity = "O(N) where N is the total number of hash slot arguments"},
    {.name = "delslotsrange", .proc = clusterCommand, .arity = -4, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Sets hash slot ranges as unbound for a node.", .since = "7.0.0", .complexity = "O(N) where N is the total number of the slots between the start slot and end slot arguments."},
    {.name = "failover", .proc = clusterCommand, .arity = -2, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Forces a replica to perform a manual failover of its primary.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "flushslots", .proc = clusterCommand, .arity = 2, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Deletes all slots information from a node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "forget", .proc = clusterCommand, .arity = 3, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Removes a node from the nodes table.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "getkeysinslot", .proc = clusterCommand, .arity = 4, .flags = "stale", .group = "cluster",
     .summary = "Returns the key names in a hash slot.", .since = "3.0.0", .complexity = "O(N) where N is the number of requested keys"},
    {.name = "help", .proc = clusterCommand, .arity = 2, .flags = "loading stale", .group = "cluster",
     .summary = "Returns helpful text about the different subcommands.", .since = "5.0.0", .complexity = "O(1)"},
    {.name = "info", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns information about the state of a node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "keyslot", .proc = clusterCommand, .arity = 3, .flags = "stale", .group = "cluster",
     .summary = "Returns the hash slot for a key.", .since = "3.0.0", .complexity = "O(N) where N is the number of bytes in the key"},
    {.name = "links", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns a list of all TCP links to and from peer nodes.", .since = "7.0.0", .complexity = "O(N) where N is the total number of Cluster nodes"},
    {.name = "meet", .proc = clusterCommand, .arity = -4, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Forces a node to handshake with another node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "myid", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns the ID of a node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "myshardid", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns the shard ID of a node.", .since = "7.2.0", .complexity = "O(1)"},
    {.name = "nodes", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns the cluster configuration for a node.", .since = "3.0.0", .complexity = "O(N) where N is the total number of Cluster nodes"},
    {.name = "replicas", .proc = clusterCommand, .arity = 3, .flags = "admin stale", .group = "cluster",
     .summary = "Lists the replica nodes of a primary node.", .since = "5.0.0", .complexity = "O(N) where N is the number of replicas."},
    {.name = "replicate", .proc = clusterCommand, .arity = 3, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Configure a node as replica of a primary node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "reset", .proc = clusterCommand, .arity = -2, .flags = "admin noscript stale", .group = "cluster",
     .summary = "Resets a node.", .since = "3.0.0", .complexity = "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect."},
    {.name = "saveconfig", .proc = clusterCommand, .arity = 2, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Forces a node to save the cluster configuration to disk.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "set-config-epoch", .proc = clusterCommand, .arity = 3, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Sets the configuration epoch for a new node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "setslot", .proc = clusterCommand, .arity = -4, .flags = "admin stale no_async_loading", .group = "cluster",
     .summary = "Binds a hash slot to a node.", .since = "3.0.0", .complexity = "O(1)"},
    {.name = "shards", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns the mapping of cluster slots to shards.", .since = "7.0.0", .complexity = "O(N) where N is the total number of cluster nodes"},
    {.name = "slaves", .proc = clusterCommand, .arity = 3, .flags = "admin stale", .group = "cluster",
     .summary = "Lists the replica nodes of a primary node.", .since = "3.0.0", .complexity = "O(N) where N is the number of replicas."},
    {.name = "slot-stats", .proc = clusterCommand, .arity = -4, .flags = "stale", .group = "cluster",
     .summary = "Return an array of slot usage statistics for slots assigned to the current node.", .since = "8.0.0", .complexity = "O(N) where N is the total number of slots based on arguments. O(N*log(N)) with ORDERBY subcommand."},
    {.name = "slots", .proc = clusterCommand, .arity = 2, .flags = "stale", .group = "cluster",
     .summary = "Returns the mapping of cluster slots to nodes.", .since = "3.0.0", .complexity = "O(N) where N is the total number of Cluster nodes"},
    {0}};

const serverCommandDef clusterCommandTable[] = {
    {.name = "cluster", .proc = NULL, .arity = -2, .flags = "", .group = "cluster",
     .summary = "A container for Valkey Cluster commands.", .since = "3.0.0", .complexity = "Depends on subcommand.",
     .subcommands = clusterSubcommands},
    {.name = "readonly", .proc = readonlyCommand, .arity = 1, .flags = "fast loading stale", .group = "cluster",
     .summary = "Enables read-only queries for a connection to a Valkey replica node.", .since = "3.0.0",
     .complexity = "O(1)", .args = ""},
    {.name = "readwrite", .proc = readwriteCommand, .arity = 1, .flags = "fast loading stale", .group = "cluster",
     .summary = "Enables read-write queries for a connection to a Valkey replica node.", .since = "3.0.0",
     .complexity = "O(1)", .args = ""},
    /* Cluster-mode only: a standalone server refuses it. */
    {.name = "asking", .proc = clusterCommand, .arity = 1, .flags = "fast", .group = "cluster",
     .summary = "Signals that a cluster client is following an -ASK redirect.", .since = "3.0.0",
     .complexity = "O(1)", .args = ""},
    {0}};
