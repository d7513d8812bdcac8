/* bitops: bitmap commands over string values (SETBIT, GETBIT, BITCOUNT,
 * BITPOS, BITOP, BITFIELD, BITFIELD_RO). Bit 0 is the most significant bit of
 * the first byte; bytes past the end of the string read as zero, and writes
 * grow the string zero-filled up to the highest byte they touch. */
#include "server/server.h"
#include <string.h>
#include <strings.h>

#define BIT_ERR_OFFSET "ERR bit offset is not an integer or out of range"
#define BIT_ERR_VALUE "ERR bit is not an integer or out of range"

/* Parses a bit offset; with hash_ok, "#N" means N * bits (BITFIELD). */
static int getBitOffsetOrReply(client *c, obj *o, unsigned long long *offset, int hash_ok, int bits) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = objStrPtr(o, buf, sizeof(buf), &len);
    int usehash = 0;
    if (hash_ok && len > 0 && p[0] == '#') {
        usehash = 1;
        p++;
        len--;
    }
    long long v;
    if (!string2ll(p, len, &v) || v < 0) goto bad;
    if (usehash) {
        if (bits && v > LLONG_MAX / bits) goto bad;
        v *= bits;
    }
    if ((v >> 3) >= server.proto_max_bulk_len) goto bad;
    *offset = (unsigned long long)v;
    return 0;
bad:
    addReplyError(c, BIT_ERR_OFFSET);
    return -1;
}

/* The string at key for writing, grown so byte maxbit/8 exists. NULL after a reply. */
static obj *lookupStringForBitWrite(client *c, unsigned long long maxbit) {
    size_t byte = (size_t)(maxbit >> 3);
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o == NULL) {
        o = createObject(OBJ_STRING, bstrNewLen(NULL, byte + 1));
        dbAdd(c->db, c->argv[1], o);
        return o;
    }
    if (checkType(c, o, OBJ_STRING)) return NULL;
    o = dbUnshareStringValue(c->db, c->argv[1], o);
    size_t cur = bstrLen(objPtr(o));
    if (byte + 1 > cur) {
        objSetPtr(o, bstrMakeRoom(objPtr(o), byte + 1 - cur));
        memset((char *)objPtr(o) + cur, 0, byte + 1 - cur + 1);
        bstrSetLen(objPtr(o), byte + 1);
    }
    return o;
}

/* Read-only view of a string value's bytes (integers rendered into buf). */
static const unsigned char *stringBytes(obj *o, char *buf, size_t buflen, size_t *len) {
    if (o == NULL) {
        *len = 0;
        return (const unsigned char *)"";
    }
    return (const unsigned char *)objStrPtr(o, buf, buflen, len);
}

void setbitCommand(client *c) {
    unsigned long long offset;
    int on;
    if (getBitOffsetOrReply(c, c->argv[2], &offset, 0, 0) != 0) return;
    if (getIntFromObjectOrReply(c, c->argv[3], &on, BIT_ERR_VALUE) != 0) return;
    if (on & ~1) {
        addReplyError(c, BIT_ERR_VALUE);
        return;
    }
    obj *o = lookupStringForBitWrite(c, offset);
    if (o == NULL) return;
    unsigned char *p = (unsigned char *)objPtr(o) + (offset >> 3);
    int shift = 7 - (int)(offset & 7);
    int old = (*p >> shift) & 1;
    *p = (unsigned char)((*p & ~(1 << shift)) | (on << shift));
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "setbit", c->argv[1], c->db->id);
    server.dirty++;
    addReply(c, old ? shared.cone : shared.czero);
}

void getbitCommand(client *c) {
    unsigned long long offset;
    if (getBitOffsetOrReply(c, c->argv[2], &offset, 0, 0) != 0) return;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (o == NULL || checkType(c, o, OBJ_STRING)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = stringBytes(o, buf, sizeof(buf), &len);
    size_t byte = (size_t)(offset >> 3);
    int bit = byte < len ? (p[byte] >> (7 - (offset & 7))) & 1 : 0;
    addReply(c, bit ? shared.cone : shared.czero);
}

/* Normalizes a [start,end] range (negative from the end) over total units.
 * Returns 0 when the range is empty. */
static int normalizeRange(long long *start, long long *end, long long total) {
    if (*start < 0) *start += total;
    if (*end < 0) *end += total;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= total) *end = total - 1;
    return *start <= *end;
}

static int parseBitUnit(client *c, obj *arg, int *isbit) {
    if (!strcasecmp(objPtr(arg), "bit")) *isbit = 1;
    else if (!strcasecmp(objPtr(arg), "byte")) *isbit = 0;
    else {
        addReplyErrorObject(c, shared.syntaxerr);
        return -1;
    }
    return 0;
}

static long long popcountBits(const unsigned char *p, long long startbit, long long endbit) {
    long long count = 0;
    while (startbit <= endbit && (startbit & 7)) {
        count += (p[startbit >> 3] >> (7 - (startbit & 7))) & 1;
        startbit++;
    }
    while (startbit + 63 <= endbit) {
        uint64_t w;
        memcpy(&w, p + (startbit >> 3), 8);
        count += __builtin_popcountll(w);
        startbit += 64;
    }
    while (startbit + 7 <= endbit) {
        count += __builtin_popcount(p[startbit >> 3]);
        startbit += 8;
    }
    while (startbit <= endbit) {
        count += (p[startbit >> 3] >> (7 - (startbit & 7))) & 1;
        startbit++;
    }
    return count;
}

void bitcountCommand(client *c) {
    long long start = 0, end = -1;
    int isbit = 0;
    /* Valkey 8: end is optional too (a lone start counts to the end). */
    if (c->argc >= 3 && c->argc <= 5) {
        if (getLongLongFromObjectOrReply(c, c->argv[2], &start, NULL) != 0) return;
        if (c->argc >= 4 && getLongLongFromObjectOrReply(c, c->argv[3], &end, NULL) != 0) return;
        if (c->argc == 5 && parseBitUnit(c, c->argv[4], &isbit) != 0) return;
    } else if (c->argc != 2) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (checkType(c, o, OBJ_STRING)) return;
    if (o == NULL || (start < 0 && end < 0 && start > end)) {
        addReply(c, shared.czero);
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = stringBytes(o, buf, sizeof(buf), &len);
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!normalizeRange(&start, &end, total)) {
        addReply(c, shared.czero);
        return;
    }
    long long sb = isbit ? start : start * 8, eb = isbit ? end : end * 8 + 7;
    addReplyLongLong(c, popcountBits(p, sb, eb));
}

/* First position in [sb,eb] holding bit, or -1. */
static long long findBit(const unsigned char *p, long long sb, long long eb, int bit) {
    unsigned char skip = bit ? 0x00 : 0xFF;
    long long i = sb;
    while (i <= eb) {
        if ((i & 7) == 0 && i + 7 <= eb && p[i >> 3] == skip) {
            i += 8;
            continue;
        }
        if (((p[i >> 3] >> (7 - (i & 7))) & 1) == bit) return i;
        i++;
    }
    return -1;
}

void bitposCommand(client *c) {
    long bit;
    long long start = 0, end = -1;
    int isbit = 0, end_given = 0;
    if (getLongFromObjectOrReply(c, c->argv[2], &bit, NULL) != 0) return;
    if (bit != 0 && bit != 1) {
        addReplyError(c, "ERR The bit argument must be 1 or 0.");
        return;
    }
    if (c->argc >= 4 && c->argc <= 6) {
        if (getLongLongFromObjectOrReply(c, c->argv[3], &start, NULL) != 0) return;
        if (c->argc >= 5) {
            if (getLongLongFromObjectOrReply(c, c->argv[4], &end, NULL) != 0) return;
            end_given = 1;
        }
        if (c->argc == 6 && parseBitUnit(c, c->argv[5], &isbit) != 0) return;
    } else if (c->argc != 3) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (o == NULL) {
        addReplyLongLong(c, bit ? -1 : 0);
        return;
    }
    if (checkType(c, o, OBJ_STRING)) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *p = stringBytes(o, buf, sizeof(buf), &len);
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!normalizeRange(&start, &end, total)) {
        addReplyLongLong(c, -1);
        return;
    }
    long long sb = isbit ? start : start * 8, eb = isbit ? end : end * 8 + 7;
    long long pos = findBit(p, sb, eb, (int)bit);
    /* Without an explicit end the string is padded with zeros on the right. */
    if (pos == -1 && bit == 0 && !end_given) pos = eb + 1;
    addReplyLongLong(c, pos);
}

/* ---------- BITOP ---------- */

#define BITOP_AND 0
#define BITOP_OR 1
#define BITOP_XOR 2
#define BITOP_NOT 3

void bitopCommand(client *c) {
    const char *opname = objPtr(c->argv[1]);
    int op;
    if (!strcasecmp(opname, "and")) op = BITOP_AND;
    else if (!strcasecmp(opname, "or")) op = BITOP_OR;
    else if (!strcasecmp(opname, "xor")) op = BITOP_XOR;
    else if (!strcasecmp(opname, "not")) op = BITOP_NOT;
    else {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    int nkeys = c->argc - 3;
    if (op == BITOP_NOT && nkeys != 1) {
        addReplyError(c, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    obj **src = zcalloc(sizeof(obj *) * nkeys);
    size_t maxlen = 0;
    for (int j = 0; j < nkeys; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j + 3]);
        if (o && o->type != OBJ_STRING) {
            for (int k = 0; k < j; k++)
                if (src[k]) decrRefCount(src[k]);
            zfree(src);
            addReplyErrorObject(c, shared.wrongtypeerr);
            return;
        }
        if (o) {
            src[j] = getDecodedObject(o);
            if (bstrLen(objPtr(src[j])) > maxlen) maxlen = bstrLen(objPtr(src[j]));
        }
    }
    bstr res = NULL;
    if (maxlen) {
        res = bstrNewLen(NULL, maxlen);
        unsigned char *r = (unsigned char *)res;
        for (size_t i = 0; i < maxlen; i++) {
            unsigned char acc = 0;
            for (int j = 0; j < nkeys; j++) {
                size_t l = src[j] ? bstrLen(objPtr(src[j])) : 0;
                unsigned char b = i < l ? (unsigned char)((char *)objPtr(src[j]))[i] : 0;
                if (j == 0) acc = op == BITOP_NOT ? (unsigned char)~b : b;
                else if (op == BITOP_AND) acc &= b;
                else if (op == BITOP_OR) acc |= b;
                else acc ^= b;
            }
            r[i] = acc;
        }
    }
    for (int j = 0; j < nkeys; j++)
        if (src[j]) decrRefCount(src[j]);
    zfree(src);
    obj *target = c->argv[2];
    if (res) {
        obj *o = createObject(OBJ_STRING, res);
        setKey(c, c->db, target, o, 0);
        notifyKeyspaceEvent(NOTIFY_STRING, "set", target, c->db->id);
        decrRefCount(o);
        server.dirty++;
    } else if (dbDelete(c->db, target)) {
        signalModifiedKey(c, c->db, target);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", target, c->db->id);
        server.dirty++;
    }
    addReplyLongLong(c, (long long)maxlen);
}

/* ---------- BITFIELD ---------- */

#define BF_GET 0
#define BF_SET 1
#define BF_INCRBY 2
#define BF_WRAP 0
#define BF_SAT 1
#define BF_FAIL 2

typedef struct bitfieldOp {
    unsigned long long offset;
    long long value;   /* SET value or INCRBY increment */
    int opcode, overflow, bits, sign;
} bitfieldOp;

static uint64_t bfGetUnsigned(const unsigned char *p, size_t len, unsigned long long offset, int bits) {
    uint64_t v = 0;
    for (int i = 0; i < bits; i++) {
        unsigned long long b = offset + (unsigned long long)i;
        size_t byte = (size_t)(b >> 3);
        int bit = byte < len ? (p[byte] >> (7 - (b & 7))) & 1 : 0;
        v = (v << 1) | (uint64_t)bit;
    }
    return v;
}

static int64_t bfGetSigned(const unsigned char *p, size_t len, unsigned long long offset, int bits) {
    uint64_t v = bfGetUnsigned(p, len, offset, bits);
    if (bits < 64 && (v & ((uint64_t)1 << (bits - 1)))) v |= ~(uint64_t)0 << bits;
    return (int64_t)v;
}

static void bfSet(unsigned char *p, unsigned long long offset, int bits, uint64_t v) {
    for (int i = 0; i < bits; i++) {
        int bit = (int)((v >> (bits - 1 - i)) & 1);
        unsigned long long b = offset + (unsigned long long)i;
        unsigned char *byte = p + (b >> 3);
        int shift = 7 - (int)(b & 7);
        *byte = (unsigned char)((*byte & ~(1 << shift)) | (bit << shift));
    }
}

/* Returns 1/-1 on overflow/underflow (with *limit set per policy), 0 if it fits. */
static int bfCheckUnsigned(uint64_t value, int64_t incr, int bits, int policy, uint64_t *limit) {
    uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    int64_t maxincr = (int64_t)(max - value), minincr = -(int64_t)value;
    int dir = 0;
    if (value > max || (bits != 64 && incr > maxincr) || (incr > 0 && (uint64_t)incr > max - value)) dir = 1;
    else if (incr < 0 && incr < minincr) dir = -1;
    if (!dir) return 0;
    if (policy == BF_WRAP) *limit = (value + (uint64_t)incr) & max;
    else if (policy == BF_SAT) *limit = dir > 0 ? max : 0;
    return dir;
}

static int bfCheckSigned(int64_t value, int64_t incr, int bits, int policy, int64_t *limit) {
    int64_t max = bits == 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
    int64_t min = -max - 1;
    int dir = 0;
    if (value > max || (incr > 0 && value > max - incr)) dir = 1;
    else if (value < min || (incr < 0 && value < min - incr)) dir = -1;
    if (!dir) return 0;
    if (policy == BF_WRAP) {
        uint64_t sum = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            uint64_t mask = ((uint64_t)1 << bits) - 1;
            sum &= mask;
            if (sum & ((uint64_t)1 << (bits - 1))) sum |= ~mask;
        }
        *limit = (int64_t)sum;
    } else if (policy == BF_SAT) {
        *limit = dir > 0 ? max : min;
    }
    return dir;
}

static int parseBitfieldType(client *c, obj *arg, int *sign, int *bits) {
    const char *p = objPtr(arg);
    size_t len = bstrLen(objPtr(arg));
    long long b;
    if (len < 2 || (p[0] != 'i' && p[0] != 'u') || !string2ll(p + 1, len - 1, &b) ||
        (p[0] == 'i' && (b < 1 || b > 64)) || (p[0] == 'u' && (b < 1 || b > 63))) {
        addReplyError(c, "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
                         "supported but i64 is.");
        return -1;
    }
    *sign = p[0] == 'i';
    *bits = (int)b;
    return 0;
}

/* Parses the whole op list first: nothing is applied if any op is invalid. */
static bitfieldOp *parseBitfieldOps(client *c, int readonly, int *numops, int *writes,
                                    unsigned long long *maxbit) {
    bitfieldOp *ops = NULL;
    int n = 0, overflow = BF_WRAP;
    *writes = 0;
    *maxbit = 0;
    for (int j = 2; j < c->argc; j++) {
        int rem = c->argc - j - 1;
        const char *sub = objPtr(c->argv[j]);
        int opcode;
        if (!strcasecmp(sub, "get") && rem >= 2) opcode = BF_GET;
        else if (!strcasecmp(sub, "set") && rem >= 3) opcode = BF_SET;
        else if (!strcasecmp(sub, "incrby") && rem >= 3) opcode = BF_INCRBY;
        else if (!strcasecmp(sub, "overflow") && rem >= 1) {
            const char *ow = objPtr(c->argv[j + 1]);
            if (!strcasecmp(ow, "wrap")) overflow = BF_WRAP;
            else if (!strcasecmp(ow, "sat")) overflow = BF_SAT;
            else if (!strcasecmp(ow, "fail")) overflow = BF_FAIL;
            else {
                addReplyError(c, "ERR Invalid OVERFLOW type specified");
                goto fail;
            }
            j++;
            continue;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            goto fail;
        }
        bitfieldOp op = {0};
        op.opcode = opcode;
        op.overflow = overflow;
        if (parseBitfieldType(c, c->argv[j + 1], &op.sign, &op.bits) != 0) goto fail;
        if (getBitOffsetOrReply(c, c->argv[j + 2], &op.offset, 1, op.bits) != 0) goto fail;
        if (opcode != BF_GET) {
            if (readonly) {
                addReplyError(c, "ERR BITFIELD_RO only supports the GET subcommand");
                goto fail;
            }
            if (getLongLongFromObjectOrReply(c, c->argv[j + 3], &op.value, NULL) != 0) goto fail;
            (*writes)++;
            unsigned long long last = op.offset + (unsigned long long)op.bits - 1;
            if (last > *maxbit) *maxbit = last;
            j++;
        }
        j += 2;
        ops = zrealloc(ops, sizeof(bitfieldOp) * (size_t)(n + 1));
        ops[n++] = op;
    }
    *numops = n;
    return ops ? ops : zmalloc(sizeof(bitfieldOp));
fail:
    zfree(ops);
    return NULL;
}

/* Applies one SET/INCRBY; replies its result. Returns 1 if the string changed. */
static int bitfieldWrite(client *c, unsigned char *p, size_t len, bitfieldOp *op) {
    if (op->sign) {
        int64_t old = bfGetSigned(p, len, op->offset, op->bits), newval, limit = 0;
        int64_t base = op->opcode == BF_SET ? op->value : old;
        int64_t incr = op->opcode == BF_SET ? 0 : op->value;
        int of = bfCheckSigned(base, incr, op->bits, op->overflow, &limit);
        if (of && op->overflow == BF_FAIL) {
            addReplyNull(c);
            return 0;
        }
        newval = of ? limit : base + incr;
        bfSet(p, op->offset, op->bits, (uint64_t)newval);
        addReplyLongLong(c, op->opcode == BF_SET ? old : newval);
    } else {
        uint64_t old = bfGetUnsigned(p, len, op->offset, op->bits), newval, limit = 0;
        uint64_t base = op->opcode == BF_SET ? (uint64_t)op->value : old;
        int64_t incr = op->opcode == BF_SET ? 0 : op->value;
        int of = bfCheckUnsigned(base, incr, op->bits, op->overflow, &limit);
        if (of && op->overflow == BF_FAIL) {
            addReplyNull(c);
            return 0;
        }
        newval = of ? limit : base + (uint64_t)incr;
        bfSet(p, op->offset, op->bits, newval);
        addReplyLongLong(c, (long long)(op->opcode == BF_SET ? old : newval));
    }
    return 1;
}

static void bitfieldGeneric(client *c, int readonly) {
    int numops, writes;
    unsigned long long maxbit;
    bitfieldOp *ops = parseBitfieldOps(c, readonly, &numops, &writes, &maxbit);
    if (ops == NULL) return;
    obj *o;
    if (writes) {
        o = lookupStringForBitWrite(c, maxbit);
        if (o == NULL) {
            zfree(ops);
            return;
        }
    } else {
        o = lookupKeyRead(c->db, c->argv[1]);
        if (checkType(c, o, OBJ_STRING)) {
            zfree(ops);
            return;
        }
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const unsigned char *ro = stringBytes(o, buf, sizeof(buf), &len);
    long changes = 0;
    addReplyArrayLen(c, numops);
    for (int i = 0; i < numops; i++) {
        bitfieldOp *op = &ops[i];
        if (op->opcode == BF_GET) {
            if (op->sign) addReplyLongLong(c, bfGetSigned(ro, len, op->offset, op->bits));
            else addReplyLongLong(c, (long long)bfGetUnsigned(ro, len, op->offset, op->bits));
        } else {
            changes += bitfieldWrite(c, (unsigned char *)objPtr(o), len, op);
        }
    }
    if (changes) {
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_STRING, "setbit", c->argv[1], c->db->id);
        server.dirty += changes;
    }
    zfree(ops);
}

void bitfieldCommand(client *c) { bitfieldGeneric(c, 0); }
void bitfieldroCommand(client *c) { bitfieldGeneric(c, 1); }

const serverCommandDef bitmapCommandTable[] = {
    {"setbit", setbitCommand, 4, "write denyoom", 1, 1, 1, "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", "2.2.0", "O(1)", NULL, NULL, "key offset value"},
    {"getbit", getbitCommand, 3, "readonly fast", 1, 1, 1, "bitmap", "Returns a bit value by offset.", "2.2.0", "O(1)", NULL, NULL, "key offset"},
    {"bitcount", bitcountCommand, -2, "readonly", 1, 1, 1, "bitmap", "Counts the number of set bits (population counting) in a string.", "2.6.0", "O(N)", NULL, NULL, "key [start [end [BYTE|BIT]]]"},
    {"bitpos", bitposCommand, -3, "readonly", 1, 1, 1, "bitmap", "Finds the first set (1) or clear (0) bit in a string.", "2.8.7", "O(N)", NULL, NULL, "key bit [start [end [BYTE|BIT]]]"},
    {"bitop", bitopCommand, -4, "write denyoom", 2, -1, 1, "bitmap", "Performs bitwise operations on multiple strings, and stores the result.", "2.6.0", "O(N)", NULL, NULL, "AND|OR|XOR|NOT destkey key [key ...]"},
    {"bitfield", bitfieldCommand, -2, "write denyoom", 1, 1, 1, "bitmap", "Performs arbitrary bitfield integer operations on strings.", "3.2.0", "O(1) for each subcommand specified", NULL, NULL, "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment ...]"},
    {"bitfield_ro", bitfieldroCommand, -2, "readonly fast", 1, 1, 1, "bitmap", "Performs arbitrary read-only bitfield integer operations on strings.", "6.0.0", "O(1) for each subcommand specified", NULL, NULL, "key [GET encoding offset [GET encoding offset ...]]"},
    {0}};
