/* debug: DEBUG command helpers shared with other modules: the encoding-
 * independent value digest (SHA1 mixing) used by DEBUG DIGEST and
 * DEBUG DIGEST-VALUE. Digests are 20 raw bytes, printed as 40 hex chars. */
#ifndef COMMANDS_DEBUG_H
#define COMMANDS_DEBUG_H
#include "server/server.h"

/* Order-independent: XOR the SHA1 of the bytes into digest. */
void xorDigest(unsigned char *digest, const void *ptr, size_t len);
/* Order-dependent: XOR then replace digest by SHA1(digest). */
void mixDigest(unsigned char *digest, const void *ptr, size_t len);
void mixStringObjectDigest(unsigned char *digest, obj *o);
int digestFormatDouble(char *buf, size_t len, double d);
/* Mixes type, content and TTL presence of value o (stored at keyobj) into digest. */
void xorObjectDigest(serverDb *db, obj *keyobj, unsigned char *digest, obj *o);

/* Optional hook for types without a built-in digest (e.g. streams). */
typedef void debugDigestFn(unsigned char *digest, obj *o);
void debugRegisterDigestFunction(int type, debugDigestFn *fn);
#endif
