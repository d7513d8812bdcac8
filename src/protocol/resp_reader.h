/* resp_reader: incremental parser of RESP2/RESP3 *replies* for the client-side
 * tools (valkey-cli, valkey-benchmark, the replica's primary link). Feed bytes
 * as they arrive; take complete replies out as trees, or skip them cheaply. */
#ifndef PROTOCOL_RESP_READER_H
#define PROTOCOL_RESP_READER_H
#include <stddef.h>

enum respType {
    RESP_T_STRING = 1,   /* $ bulk */
    RESP_T_ARRAY,        /* * */
    RESP_T_INTEGER,      /* : */
    RESP_T_NIL,          /* $-1, *-1, _ */
    RESP_T_STATUS,       /* + */
    RESP_T_ERROR,        /* - and ! */
    RESP_T_DOUBLE,       /* , (str holds the text as sent) */
    RESP_T_BOOL,         /* # */
    RESP_T_MAP,          /* % (elements = 2 * pairs) */
    RESP_T_SET,          /* ~ */
    RESP_T_ATTR,         /* | */
    RESP_T_PUSH,         /* > */
    RESP_T_BIGNUM,       /* ( */
    RESP_T_VERB          /* = (vformat holds the 3-char type, str the payload) */
};

typedef struct respValue {
    int type;
    long long integer;       /* INTEGER, BOOL */
    double dval;             /* DOUBLE */
    size_t len;
    char *str;               /* STRING, STATUS, ERROR, DOUBLE, BIGNUM, VERB: NUL terminated */
    char vformat[4];
    size_t elements;         /* ARRAY, MAP, SET, PUSH, ATTR */
    struct respValue **element;
} respValue;

typedef struct respReader respReader;

respReader *respReaderCreate(void);
void respReaderFree(respReader *r);
/* Limits the size of a single bulk/aggregate accepted (0 = default 512MB / 2^32 elements). */
void respReaderSetMaxBulk(respReader *r, long long maxbulk);
void respReaderFeed(respReader *r, const char *buf, size_t len);
/* 1: *out holds a complete reply (caller frees with respValueFree); 0: need more
 * bytes; -1: protocol error (respReaderError tells why; the reader is unusable). */
int respReaderGetReply(respReader *r, respValue **out);
/* Like GetReply but builds nothing: 1 skipped one reply (is_error set when the
 * top-level reply is an error), 0 need more, -1 protocol error. */
int respReaderSkipReply(respReader *r, int *is_error);
const char *respReaderError(respReader *r);
size_t respReaderBuffered(respReader *r);   /* bytes fed but not yet consumed */
void respValueFree(respValue *v);

/* Builds a RESP multibulk command from argv into a zmalloc'd buffer. */
char *respFormatCommandArgv(int argc, const char **argv, const size_t *argvlen, size_t *outlen);
#endif
