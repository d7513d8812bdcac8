/* tls: the TLS connection layer for client connections (OpenSSL, BUILD_TLS=yes).
 * Owns the server SSL_CTX (rebuilt from the tls-* settings) and, per TLS client,
 * a tlsConn behind c->tls; c->conn_type == CONN_TYPE_TLS exactly when c->tls is set.
 * Without USE_OPENSSL every entry point is a stub and a non-zero tls-port is refused. */
#ifndef VALKEY_TLS_H
#define VALKEY_TLS_H

#include <sys/types.h>
#include <sys/uio.h>

struct client;

#define CONN_TYPE_TLS 2

/* 1 when this binary was built with TLS support. */
int tlsIsAvailable(void);
/* Startup: build the context when tls-port is set. -1 (already logged) aborts. */
int tlsInit(void);
/* CONFIG SET hooks: rebuild the context / move the tls-port listener. */
int tlsApplyConfig(const char **err);
int tlsApplyPort(const char **err);

/* Attach a TLS session to a freshly accepted client; -1 means the caller frees it. */
int tlsSetupClient(struct client *c);
/* read(2)/writev(2) lookalikes: -1 with errno EAGAIN when the session wants to wait. */
ssize_t tlsRead(struct client *c, void *buf, size_t len);
ssize_t tlsWritev(struct client *c, const struct iovec *iov, int iovcnt);
/* Drop the session (called right before the socket is closed). */
void tlsFreeClient(struct client *c);
/* Before sleeping: feed clients whose decrypted input is buffered inside OpenSSL,
 * since the socket will not become readable again for it. */
void tlsProcessPendingData(void);

#endif
