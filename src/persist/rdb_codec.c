/* RDB primitive encodings. Multi-byte lengths are big-endian, embedded
 * integers and binary doubles little-endian: both are format facts. */
#include "persist/rdb_codec.h"
#include "core/zmalloc.h"
#include "core/util.h"
#include <liblzf/lzf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

int rdb_codec_compression = 1;

int rdbSaveType(rio *r, unsigned char type) { return rioWrite(r, &type, 1) ? 1 : -1; }

int rdbLoadType(rio *r) {
    unsigned char t;
    if (rioRead(r, &t, 1) == 0) return -1;
    return t;
}

ssize_t rdbSaveLen(rio *r, uint64_t len) {
    unsigned char buf[9];
    size_t n;
    if (len < (1 << 6)) {
        buf[0] = (unsigned char)((len & 0xff) | (RDB_6BITLEN << 6));
        n = 1;
    } else if (len < (1 << 14)) {
        buf[0] = (unsigned char)(((len >> 8) & 0xff) | (RDB_14BITLEN << 6));
        buf[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= UINT32_MAX) {
        buf[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) buf[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        buf[0] = RDB_64BITLEN;
        for (int i = 0; i < 8; i++) buf[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return rioWrite(r, buf, n) ? (ssize_t)n : -1;
}

int rdbLoadLenByRef(rio *r, int *isencoded, uint64_t *lenptr) {
    unsigned char buf[8];
    if (isencoded) *isencoded = 0;
    if (rioRead(r, buf, 1) == 0) return -1;
    int kind = (buf[0] & 0xC0) >> 6;
    if (kind == RDB_ENCVAL) {
        if (isencoded) *isencoded = 1;
        *lenptr = buf[0] & 0x3F;
    } else if (kind == RDB_6BITLEN) {
        *lenptr = buf[0] & 0x3F;
    } else if (kind == RDB_14BITLEN) {
        unsigned char lo;
        if (rioRead(r, &lo, 1) == 0) return -1;
        *lenptr = ((uint64_t)(buf[0] & 0x3F) << 8) | lo;
    } else if (buf[0] == RDB_32BITLEN) {
        if (rioRead(r, buf, 4) == 0) return -1;
        *lenptr = (uint64_t)buf[0] << 24 | (uint64_t)buf[1] << 16 | (uint64_t)buf[2] << 8 | buf[3];
    } else if (buf[0] == RDB_64BITLEN) {
        if (rioRead(r, buf, 8) == 0) return -1;
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | buf[i];
        *lenptr = v;
    } else {
        return -1; /* 0x82..0xBF are not defined */
    }
    return 0;
}

uint64_t rdbLoadLen(rio *r, int *isencoded) {
    uint64_t len;
    if (rdbLoadLenByRef(r, isencoded, &len) == -1) return RDB_LENERR;
    return len;
}

int rdbEncodeInteger(long long value, unsigned char *enc) {
    if (value >= INT8_MIN && value <= INT8_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        enc[1] = (unsigned char)(value & 0xFF);
        return 2;
    } else if (value >= INT16_MIN && value <= INT16_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        enc[1] = (unsigned char)(value & 0xFF);
        enc[2] = (unsigned char)((value >> 8) & 0xFF);
        return 3;
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
        enc[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++) enc[1 + i] = (unsigned char)((value >> (8 * i)) & 0xFF);
        return 5;
    }
    return 0;
}

/* Only the canonical decimal form may be stored as an integer, otherwise
 * "007" would come back as "7". */
int rdbTryIntegerEncoding(const char *s, size_t len, unsigned char *enc) {
    long long value;
    if (len == 0 || len > 11) return 0;
    if (!string2ll(s, len, &value)) return 0;
    char buf[32];
    int blen = ll2string(buf, sizeof(buf), value);
    if ((size_t)blen != len || memcmp(buf, s, len) != 0) return 0;
    return rdbEncodeInteger(value, enc);
}

ssize_t rdbSaveLzfBlob(rio *r, const void *data, size_t compress_len, size_t original_len) {
    unsigned char byte = (RDB_ENCVAL << 6) | RDB_ENC_LZF;
    ssize_t n, total = 0;
    if (rioWrite(r, &byte, 1) == 0) return -1;
    total++;
    if ((n = rdbSaveLen(r, compress_len)) == -1) return -1;
    total += n;
    if ((n = rdbSaveLen(r, original_len)) == -1) return -1;
    total += n;
    if (rioWrite(r, data, compress_len) == 0) return -1;
    return total + (ssize_t)compress_len;
}

size_t rdbLzfCompress(const void *in, size_t inlen, void *out, size_t outlen) {
    if (inlen > UINT_MAX || outlen == 0) return 0;
    if (outlen > UINT_MAX) outlen = UINT_MAX;
    return lzf_compress(in, (unsigned int)inlen, out, (unsigned int)outlen);
}

/* LZF decoding is ours rather than liblzf's lzf_decompress: that one copies
 * every back reference a byte at a time, and was about half of a replica's CPU
 * while loading a snapshot of compressible values (profile in
 * docs/REPLICATION.md). The format: a control byte below 32 is followed by
 * ctrl+1 literal bytes; otherwise its top 3 bits are a length (7: one more
 * length byte follows), its low 5 bits and the next byte an offset, and
 * length+2 bytes are copied from offset+1 bytes back in the output (the two
 * may overlap: the copy then repeats the last offset+1 bytes). Every length
 * and offset is checked against both buffers, so corrupt input fails cleanly;
 * 0 only when the input decodes to exactly outlen bytes. */
static int lzfDecode(const unsigned char *ip, size_t inlen, unsigned char *out, size_t outlen) {
    const unsigned char *iend = ip + inlen;
    unsigned char *op = out, *oend = out + outlen;
    while (ip < iend) {
        size_t ctrl = *ip++;
        if (ctrl < 32) {
            size_t n = ctrl + 1;
            if ((size_t)(iend - ip) < n || (size_t)(oend - op) < n) return -1;
            memcpy(op, ip, n);
            op += n;
            ip += n;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip == iend) return -1;
            len += *ip++;
        }
        if (ip == iend) return -1;
        size_t off = ((ctrl & 0x1f) << 8) + *ip++ + 1;
        len += 2;
        if ((size_t)(op - out) < off || (size_t)(oend - op) < len) return -1;
        const unsigned char *ref = op - off;
        if (off >= len) {
            memcpy(op, ref, len);
        } else if (off == 1) {
            memset(op, *ref, len);
        } else {
            /* Overlap: the output repeats ref[0..off) with period off. Each
             * copy is a multiple of off long (except the last), so ref stays in
             * phase with op + done, and it only reads bytes already written. */
            size_t done = 0;
            while (done < len) {
                size_t n = done + off;
                if (n > len - done) n = len - done;
                memcpy(op + done, ref, n);
                done += n;
            }
        }
        op += len;
    }
    return op == oend ? 0 : -1;
}

int rdbLzfDecompress(const void *in, size_t inlen, void *out, size_t outlen) {
    if (inlen > UINT_MAX || outlen > UINT_MAX || inlen == 0 || outlen == 0) return -1;
    return lzfDecode(in, inlen, out, outlen);
}

/* Returns bytes written, 0 when compression did not pay off, -1 on error. */
static ssize_t rdbSaveLzfString(rio *r, const void *s, size_t len) {
    if (len <= 4) return 0;
    size_t outlen = len - 4; /* must save at least 4 bytes to be worth it */
    void *out = ztrymalloc(outlen + 1);
    if (!out) return 0;
    size_t comprlen = rdbLzfCompress(s, len, out, outlen);
    if (comprlen == 0) {
        zfree(out);
        return 0;
    }
    ssize_t n = rdbSaveLzfBlob(r, out, comprlen, len);
    zfree(out);
    return n;
}

ssize_t rdbSaveRawString(rio *r, const void *s, size_t len) {
    unsigned char enc[5];
    ssize_t n, total = 0;
    if (len <= 11) {
        int elen = rdbTryIntegerEncoding(s, len, enc);
        if (elen > 0) return rioWrite(r, enc, (size_t)elen) ? elen : -1;
    }
    if (rdb_codec_compression && len > RDB_LZF_MIN_LEN) {
        n = rdbSaveLzfString(r, s, len);
        if (n != 0) return n;
    }
    if ((n = rdbSaveLen(r, len)) == -1) return -1;
    total += n;
    if (len > 0 && rioWrite(r, s, len) == 0) return -1;
    return total + (ssize_t)len;
}

ssize_t rdbSaveLongLongAsString(rio *r, long long value) {
    unsigned char enc[5];
    int elen = rdbEncodeInteger(value, enc);
    if (elen > 0) return rioWrite(r, enc, (size_t)elen) ? elen : -1;
    char buf[LONG_STR_SIZE + 1];
    int blen = ll2string(buf, sizeof(buf), value);
    ssize_t n = rdbSaveLen(r, (uint64_t)blen);
    if (n == -1 || rioWrite(r, buf, (size_t)blen) == 0) return -1;
    return n + blen;
}

/* Allocation of a loaded string; ztrymalloc so a corrupt huge length fails
 * the load instead of aborting the process. */
static void *rdbAllocString(int flags, size_t len) {
    if (flags == RDB_LOAD_BSTR) return bstrNewLen(NULL, len);
    return ztrymalloc(len + 1);
}

static void rdbFreeString(int flags, void *p) {
    if (flags == RDB_LOAD_BSTR) bstrFree(p);
    else zfree(p);
}

/* The largest single string we accept (matches proto-max-bulk-len's upper bound). */
#define RDB_MAX_STRING_LEN (512ULL * 1024 * 1024 * 8)

static void *rdbLoadIntegerString(rio *r, int enctype, int flags, size_t *lenptr, long long *intval) {
    unsigned char enc[4];
    long long val;
    if (enctype == RDB_ENC_INT8) {
        if (rioRead(r, enc, 1) == 0) return NULL;
        val = (signed char)enc[0];
    } else if (enctype == RDB_ENC_INT16) {
        if (rioRead(r, enc, 2) == 0) return NULL;
        val = (int16_t)(enc[0] | (enc[1] << 8));
    } else {
        if (rioRead(r, enc, 4) == 0) return NULL;
        val = (int32_t)((uint32_t)enc[0] | (uint32_t)enc[1] << 8 | (uint32_t)enc[2] << 16 | (uint32_t)enc[3] << 24);
    }
    if (intval) *intval = val;
    char buf[LONG_STR_SIZE + 1];
    int len = ll2string(buf, sizeof(buf), val);
    char *p = rdbAllocString(flags, (size_t)len);
    memcpy(p, buf, (size_t)len);
    p[len] = '\0';
    if (lenptr) *lenptr = (size_t)len;
    return p;
}

static void *rdbLoadLzfString(rio *r, int flags, size_t *lenptr) {
    uint64_t clen, len;
    if ((clen = rdbLoadLen(r, NULL)) == RDB_LENERR) return NULL;
    if ((len = rdbLoadLen(r, NULL)) == RDB_LENERR) return NULL;
    if (clen == 0 || len == 0 || clen > RDB_MAX_STRING_LEN || len > RDB_MAX_STRING_LEN) return NULL;
    /* Refuse before allocating: a DUMP payload cannot hold more bytes than it
     * has, and LZF cannot expand more than 264 bytes out of 3. */
    if (rioBufferShortOf(r, clen) || len > clen * 88 + 8) return NULL;
    unsigned char *c = ztrymalloc(clen);
    if (!c) return NULL;
    char *val = rdbAllocString(flags, len);
    if (!val) {
        zfree(c);
        return NULL;
    }
    if (rioRead(r, c, clen) == 0 || rdbLzfDecompress(c, clen, val, len) != 0) {
        zfree(c);
        rdbFreeString(flags, val);
        return NULL;
    }
    zfree(c);
    val[len] = '\0';
    if (lenptr) *lenptr = len;
    return val;
}

void *rdbLoadStringEx(rio *r, int flags, size_t *lenptr, int *isint, long long *intval) {
    int isencoded;
    uint64_t len;
    if (isint) *isint = 0;
    if (rdbLoadLenByRef(r, &isencoded, &len) == -1) return NULL;
    if (isencoded) {
        switch (len) {
        case RDB_ENC_INT8:
        case RDB_ENC_INT16:
        case RDB_ENC_INT32:
            if (isint) *isint = 1;
            return rdbLoadIntegerString(r, (int)len, flags, lenptr, intval);
        case RDB_ENC_LZF: return rdbLoadLzfString(r, flags, lenptr);
        default: return NULL;
        }
    }
    if (len > RDB_MAX_STRING_LEN || rioBufferShortOf(r, len)) return NULL;
    char *val = rdbAllocString(flags, len);
    if (!val) return NULL;
    if (len && rioRead(r, val, len) == 0) {
        rdbFreeString(flags, val);
        return NULL;
    }
    val[len] = '\0';
    if (lenptr) *lenptr = len;
    return val;
}

void *rdbGenericLoadStringRaw(rio *r, int flags, size_t *lenptr) {
    return rdbLoadStringEx(r, flags, lenptr, NULL, NULL);
}

int rdbSaveDoubleValue(rio *r, double val) {
    unsigned char buf[128];
    int len;
    if (isnan(val)) {
        buf[0] = 253;
        len = 1;
    } else if (!isfinite(val)) {
        buf[0] = (val < 0) ? 255 : 254;
        len = 1;
    } else {
        /* %.17g round-trips every double exactly. */
        len = snprintf((char *)buf + 1, sizeof(buf) - 1, "%.17g", val);
        buf[0] = (unsigned char)len;
        len++;
    }
    return rioWrite(r, buf, (size_t)len) ? len : -1;
}

int rdbLoadDoubleValue(rio *r, double *val) {
    char buf[256];
    unsigned char len;
    if (rioRead(r, &len, 1) == 0) return -1;
    switch (len) {
    case 255: *val = -INFINITY; return 0;
    case 254: *val = INFINITY; return 0;
    case 253: *val = NAN; return 0;
    default:
        if (rioRead(r, buf, len) == 0) return -1;
        buf[len] = '\0';
        char *end;
        *val = strtod(buf, &end);
        if (len == 0 || end != buf + len) return -1;
        return 0;
    }
}

int rdbSaveBinaryDoubleValue(rio *r, double val) {
    unsigned char buf[8];
    uint64_t bits;
    memcpy(&bits, &val, 8);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(bits >> (8 * i));
    return rioWrite(r, buf, 8) ? 8 : -1;
}

int rdbLoadBinaryDoubleValue(rio *r, double *val) {
    unsigned char buf[8];
    if (rioRead(r, buf, 8) == 0) return -1;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = (bits << 8) | buf[i];
    memcpy(val, &bits, 8);
    return 0;
}

int rdbSaveMillisecondTime(rio *r, long long t) {
    unsigned char buf[8];
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)t >> (8 * i));
    return rioWrite(r, buf, 8) ? 8 : -1;
}

/* RDB 8 and older (Redis < 5) wrote the ms time in host order; those files
 * came from little-endian hosts in practice, so little-endian is read always. */
long long rdbLoadMillisecondTime(rio *r, int rdbver) {
    (void)rdbver;
    unsigned char buf[8];
    if (rioRead(r, buf, 8) == 0) return -1;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | buf[i];
    return (long long)v;
}

int32_t rdbLoadTime(rio *r) {
    unsigned char buf[4];
    if (rioRead(r, buf, 4) == 0) return -1;
    return (int32_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24);
}
