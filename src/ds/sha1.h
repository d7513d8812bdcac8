/* sha1: SHA-1 (FIPS 180-4) message digest, streaming interface. Used for
 * DEBUG DIGEST, not for security. A context is plain data: init, feed any
 * number of byte runs, then final writes the 20-byte digest. */
#ifndef DS_SHA1_H
#define DS_SHA1_H
#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

typedef struct sha1Ctx {
    uint32_t h[5];
    uint64_t total;          /* bytes fed so far */
    unsigned char block[64]; /* pending partial block */
    size_t used;             /* bytes in block */
} sha1Ctx;

void sha1Init(sha1Ctx *ctx);
void sha1Update(sha1Ctx *ctx, const void *data, size_t len);
void sha1Final(sha1Ctx *ctx, unsigned char out[SHA1_DIGEST_LEN]);
/* One-shot convenience. */
void sha1Digest(const void *data, size_t len, unsigned char out[SHA1_DIGEST_LEN]);
/* 40 lowercase hex chars plus NUL. */
void sha1Hex(const unsigned char digest[SHA1_DIGEST_LEN], char out[41]);
#endif
