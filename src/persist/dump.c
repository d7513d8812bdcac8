/* DUMP / RESTORE: a value serialized as in an RDB file, followed by the RDB
 * version (2 bytes LE) and a CRC64 (8 bytes LE) of everything before it.
 * FUNCTION DUMP / RESTORE payloads (libraries) share the footer. */
#include "persist/rdb.h"
#include "persist/crc64.h"
#include <string.h>
#include <strings.h>

#define DUMP_FOOTER_LEN 10

/* Appends the version and CRC64 footer every DUMP-style payload ends with. */
static bstr dumpAppendFooter(bstr payload) {
    unsigned char footer[DUMP_FOOTER_LEN];
    footer[0] = RDB_VERSION & 0xff;
    footer[1] = (RDB_VERSION >> 8) & 0xff;
    payload = bstrCatLen(payload, footer, 2);
    uint64_t crc = crc64(0, (unsigned char *)payload, bstrLen(payload));
    for (int i = 0; i < 8; i++) footer[2 + i] = (unsigned char)(crc >> (8 * i));
    return bstrCatLen(payload, footer + 2, 8);
}

/* Serializes one value into a new bstr payload. */
bstr dumpCreatePayload(obj *o) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    r.update_cksum = NULL;  /* the CRC is computed once over the finished buffer */
    rdb_codec_compression = server.rdb_compression;
    if (rdbSaveObjectType(&r, o) == -1 || rdbSaveObject(&r, o) == -1) {
        bstrFree(r.io.buffer.ptr);
        return NULL;
    }
    return dumpAppendFooter(r.io.buffer.ptr);
}

/* FUNCTION DUMP: the libraries as the RDB stores them (one FUNCTION2 record
 * each), then the same footer as DUMP. Writing to memory cannot fail. */
bstr dumpFunctionsPayload(void) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    r.update_cksum = NULL;
    rdb_codec_compression = server.rdb_compression;
    rdbSaveFunctions(&r);
    return dumpAppendFooter(r.io.buffer.ptr);
}

/* Walks the FUNCTION2 records of a verified FUNCTION DUMP payload, handing
 * each library's code to cb. -1 with *err set (Valkey's texts) on a malformed
 * record or when cb fails. */
int dumpForEachFunctionRecord(const char *p, size_t len,
                              int (*cb)(void *priv, const char *code, size_t len, bstr *err), void *priv,
                              bstr *err) {
    bstr copy = bstrNewLen(p, len);
    rio r;
    rioInitWithBuffer(&r, copy);
    r.update_cksum = NULL;
    int rc = 0;
    while (rc == 0 && len - (size_t)r.io.buffer.pos > DUMP_FOOTER_LEN) {
        int type = rdbLoadType(&r);
        size_t clen;
        char *code = NULL;
        if (type == -1) *err = bstrNew("can not read data type");
        else if (type == RDB_OPCODE_FUNCTION_PRE_GA) *err = bstrNew("Pre-GA function format not supported");
        else if (type != RDB_OPCODE_FUNCTION2) *err = bstrNew("given type is not a function");
        else if (!(code = rdbGenericLoadStringRaw(&r, RDB_LOAD_PLAIN, &clen)))
            *err = bstrNew("Failed loading library payload");
        /* A record may not run into the footer. */
        else if ((size_t)r.io.buffer.pos > len - DUMP_FOOTER_LEN)
            *err = bstrNew("Failed loading library payload");
        else if (cb(priv, code, clen, err) != 0 && !*err)
            *err = bstrNew("failed loading the given functions payload");
        zfree(code);
        if (*err) rc = -1;
    }
    bstrFree(copy);
    return rc;
}

/* 0 when the footer's version is loadable and the CRC matches. */
int dumpVerifyPayload(const unsigned char *p, size_t len) {
    if (len < DUMP_FOOTER_LEN) return -1;
    const unsigned char *footer = p + len - DUMP_FOOTER_LEN;
    unsigned int ver = footer[0] | (footer[1] << 8);
    if (ver > RDB_VERSION) return -1;
    uint64_t want = 0;
    for (int i = 7; i >= 0; i--) want = (want << 8) | footer[2 + i];
    return crc64(0, p, len - 8) == want ? 0 : -1;
}

void dumpCommand(client *c) {
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        addReplyNull(c);
        return;
    }
    bstr payload = dumpCreatePayload(o);
    if (!payload) {
        addReplyError(c, "ERR DUMP of this value type is not supported");
        return;
    }
    addReplyBulkBstr(c, payload);
}

static int restoreDeepSanitize(client *c) {
    if (server.sanitize_dump_payload == SANITIZE_DUMP_YES) return 1;
    if (server.sanitize_dump_payload == SANITIZE_DUMP_CLIENTS)
        return !(c->flags & (CLIENT_PRIMARY | CLIENT_FAKE)) ;
    return 0;
}

/* Parses REPLACE / ABSTTL / IDLETIME / FREQ. -1 after replying an error. */
static int restoreParseOptions(client *c, int *replace, int *absttl, long long *idle, long long *freq) {
    for (int j = 4; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        int more = c->argc - j - 1;
        if (!strcasecmp(opt, "replace")) {
            *replace = 1;
        } else if (!strcasecmp(opt, "absttl")) {
            *absttl = 1;
        } else if (!strcasecmp(opt, "idletime") && more && *freq == -1) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], idle, NULL) != 0) return -1;
            if (*idle < 0) {
                addReplyError(c, "ERR Invalid IDLETIME value, must be >= 0");
                return -1;
            }
            j++;
        } else if (!strcasecmp(opt, "freq") && more && *idle == -1) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], freq, NULL) != 0) return -1;
            if (*freq < 0 || *freq > 255) {
                addReplyError(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
                return -1;
            }
            j++;
        } else {
            addReplyError(c, "ERR syntax error");
            return -1;
        }
    }
    return 0;
}

/* Decodes a verified payload into a value, NULL when malformed. */
obj *dumpLoadPayload(const char *p, size_t len, int deep) {
    bstr copy = bstrNewLen(p, len);
    rio r;
    rioInitWithBuffer(&r, copy);
    r.update_cksum = NULL;
    int type = rdbLoadType(&r), error = 0;
    obj *o = NULL;
    if (type != -1 && rdbIsObjectType(type)) o = rdbLoadObject(type, &r, deep, &error);
    /* Exactly the footer must remain: trailing garbage means a bad payload. */
    if (o && (size_t)r.io.buffer.pos != len - DUMP_FOOTER_LEN) {
        decrRefCount(o);
        o = NULL;
    }
    bstrFree(copy);
    return o;
}

void restoreCommand(client *c) {
    int replace = 0, absttl = 0;
    long long ttl, idle = -1, freq = -1;
    obj *key = c->argv[1];
    if (restoreParseOptions(c, &replace, &absttl, &idle, &freq) == -1) return;
    if (!replace && lookupKeyWrite(c->db, key) != NULL) {
        addReplyError(c, "BUSYKEY Target key name already exists.");
        return;
    }
    if (getLongLongFromObjectOrReply(c, c->argv[2], &ttl, NULL) != 0) return;
    if (ttl < 0) {
        addReplyError(c, "ERR Invalid TTL value, must be >= 0");
        return;
    }
    obj *payload = c->argv[3];
    if (!sdsEncodedObject(payload) ||
        dumpVerifyPayload((unsigned char *)objPtr(payload), bstrLen(objPtr(payload))) != 0) {
        addReplyError(c, "ERR DUMP payload version or checksum are wrong");
        return;
    }
    obj *val = dumpLoadPayload(objPtr(payload), bstrLen(objPtr(payload)), restoreDeepSanitize(c));
    if (!val) {
        addReplyError(c, "ERR Bad data format");
        return;
    }
    int deleted = 0;
    if (replace) deleted = dbDelete(c->db, key);
    if (ttl && !absttl) ttl += commandTimeSnapshot();
    if (ttl && checkAlreadyExpired(ttl)) {
        /* Restoring an already expired key is a delete of the old one. */
        if (deleted) {
            obj *aux = server.lazyfree_lazy_server_del ? shared.unlink : shared.del;
            rewriteClientCommandVector(c, 2, aux, key);
            signalModifiedKey(c, c->db, key);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
            server.dirty++;
        }
        decrRefCount(val);
        addReply(c, shared.ok);
        return;
    }
    /* Before dbAdd: the keyspace may store a copy of val (key embedded). */
    rdbObjectSetLRUOrLFU(val, freq, idle);
    dbAdd(c->db, key, val);
    if (ttl) {
        setExpire(c, c->db, key, ttl);
        if (!absttl) {
            /* Replicas must get the same absolute deadline, not a relative TTL. */
            obj *ttlobj = createStringObjectFromLongLong(ttl);
            rewriteClientCommandArgument(c, 2, ttlobj);
            decrRefCount(ttlobj);
            rewriteClientCommandArgument(c, c->argc, shared.absttl);
        }
    }
    signalModifiedKey(c, c->db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, "restore", key, c->db->id);
    addReply(c, shared.ok);
    server.dirty++;
}
