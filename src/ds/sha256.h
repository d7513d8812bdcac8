/* sha256: SHA-256 (FIPS 180-4) message digest, streaming interface. Used to
 * store ACL passwords as hashes. A context is plain data: init, feed any number
 * of byte runs, then final writes the 32-byte digest (the context is spent). */
#ifndef DS_SHA256_H
#define DS_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

typedef struct sha256Ctx {
    uint32_t h[8];
    uint64_t total;          /* bytes fed so far */
    unsigned char block[64]; /* pending partial block */
    size_t used;             /* bytes in block */
} sha256Ctx;

void sha256Init(sha256Ctx *ctx);
void sha256Update(sha256Ctx *ctx, const void *data, size_t len);
void sha256Final(sha256Ctx *ctx, unsigned char out[SHA256_DIGEST_LEN]);
void sha256Digest(const void *data, size_t len, unsigned char out[SHA256_DIGEST_LEN]);
/* 64 lowercase hex chars plus NUL. */
void sha256Hex(const unsigned char digest[SHA256_DIGEST_LEN], char out[65]);
#endif
