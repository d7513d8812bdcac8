/* rdb_codec: the RDB wire primitives (type bytes, lengths, integer/LZF encoded
 * strings, doubles, times) over a rio. No server objects here, so the codec
 * is unit-testable alone. Loaders return -1 / NULL / RDB_LENERR on any short
 * read or malformed encoding and never trust a length they cannot satisfy. */
#ifndef PERSIST_RDB_CODEC_H
#define PERSIST_RDB_CODEC_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "persist/rio.h"

#define RDB_VERSION 11

#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
#define RDB_LENERR UINT64_MAX

#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

/* Value types. */
#define RDB_TYPE_STRING 0
#define RDB_TYPE_LIST 1
#define RDB_TYPE_SET 2
#define RDB_TYPE_ZSET 3
#define RDB_TYPE_HASH 4
#define RDB_TYPE_ZSET_2 5
#define RDB_TYPE_MODULE_PRE_GA 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_LIST_ZIPLIST 10
#define RDB_TYPE_SET_INTSET 11
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_LIST_QUICKLIST 14
#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_HASH_LISTPACK 16
#define RDB_TYPE_ZSET_LISTPACK 17
#define RDB_TYPE_LIST_QUICKLIST_2 18
#define RDB_TYPE_STREAM_LISTPACKS_2 19
#define RDB_TYPE_SET_LISTPACK 20
#define RDB_TYPE_STREAM_LISTPACKS_3 21
#define rdbIsObjectType(t) (((t) >= 0 && (t) <= 7 && (t) != 6) || ((t) >= 9 && (t) <= 21))

/* Opcodes. */
#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION_PRE_GA 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

#define QUICKLIST_NODE_CONTAINER_PLAIN 1
#define QUICKLIST_NODE_CONTAINER_PACKED 2

/* Strings shorter than this are never worth an LZF attempt. */
#define RDB_LZF_MIN_LEN 20

/* Whether rdbSaveRawString may LZF-compress (rdbcompression). */
extern int rdb_codec_compression;

int rdbSaveType(rio *r, unsigned char type);
int rdbLoadType(rio *r);                                    /* -1 on error */
ssize_t rdbSaveLen(rio *r, uint64_t len);                   /* bytes written, -1 error */
int rdbLoadLenByRef(rio *r, int *isencoded, uint64_t *lenptr); /* 0 ok, -1 error */
uint64_t rdbLoadLen(rio *r, int *isencoded);                /* RDB_LENERR on error */
int rdbEncodeInteger(long long value, unsigned char *enc);  /* 0 if it does not fit 32 bits */
int rdbTryIntegerEncoding(const char *s, size_t len, unsigned char *enc);
ssize_t rdbSaveRawString(rio *r, const void *s, size_t len);
ssize_t rdbSaveLongLongAsString(rio *r, long long value);
ssize_t rdbSaveLzfBlob(rio *r, const void *data, size_t compress_len, size_t original_len);

#define RDB_LOAD_PLAIN 0   /* zmalloc'd buffer (NUL-terminated for convenience) */
#define RDB_LOAD_BSTR 1    /* bstr */
/* Loads one string of any encoding; *lenptr gets its length. NULL on error
 * (an empty string is a valid non-NULL result). */
void *rdbGenericLoadStringRaw(rio *r, int flags, size_t *lenptr);
/* Like the above but also reports an integer encoding: when the stored form
 * was an integer, sets *isint and *intval and still returns its text. */
void *rdbLoadStringEx(rio *r, int flags, size_t *lenptr, int *isint, long long *intval);

int rdbSaveDoubleValue(rio *r, double val);                 /* old ZSET ascii form */
int rdbLoadDoubleValue(rio *r, double *val);                /* 0 ok, -1 error */
int rdbSaveBinaryDoubleValue(rio *r, double val);
int rdbLoadBinaryDoubleValue(rio *r, double *val);
int rdbSaveMillisecondTime(rio *r, long long t);
long long rdbLoadMillisecondTime(rio *r, int rdbver);       /* check rioGetReadError */
int32_t rdbLoadTime(rio *r);

/* LZF helpers around liblzf with the checks the spec requires. */
size_t rdbLzfCompress(const void *in, size_t inlen, void *out, size_t outlen);
int rdbLzfDecompress(const void *in, size_t inlen, void *out, size_t outlen); /* 0 ok */
#endif
