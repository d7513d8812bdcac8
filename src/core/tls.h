/* tls: the TLS connection layer (OpenSSL, BUILD_TLS=yes). Owns the server
 * SSL_CTX and the client one used for outgoing replication links (both rebuilt
 * from the tls-* settings) and, per TLS client, a tlsConn behind c->tls;
 * c->conn_type == CONN_TYPE_TLS exactly when c->tls is set.
 * Replication works on plain fds, so every socket carrying a session (accepted
 * or outgoing) is also registered by fd, and the conn* calls below go through
 * the session for those fds and straight to the system call for all others.
 * Without USE_OPENSSL every entry point is a stub and a non-zero tls-port is refused. */
#ifndef VALKEY_TLS_H
#define VALKEY_TLS_H

#include <poll.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

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
/* CONFIG SET tls-replication: builds the client context when it is turned on. */
int tlsApplyReplication(const char **err);

/* ---- connections by fd (the replication links on both sides) ---- */
struct tlsConn;
extern struct tlsConn **tls_fd_sessions;   /* indexed by fd; NULL: plain */
extern int tls_fd_sessions_size;

static inline int connIsTls(int fd) {
    return fd >= 0 && fd < tls_fd_sessions_size && tls_fd_sessions[fd] != (struct tlsConn *)0;
}
ssize_t tlsFdRead(int fd, void *buf, size_t len);
ssize_t tlsFdWritev(int fd, const struct iovec *iov, int iovcnt);
/* POLLIN or POLLOUT: what fd's session waited for when a call returned EAGAIN. */
short tlsFdPollEvents(int fd);

/* read(2)/write(2)/writev(2) on any fd; -1 with errno EAGAIN means poll for
 * connPollEvents() (a TLS write may need the socket readable and vice versa).
 * A TLS write that returned EAGAIN must be retried with the same bytes first. */
static inline ssize_t connRead(int fd, void *buf, size_t len) {
    return connIsTls(fd) ? tlsFdRead(fd, buf, len) : read(fd, buf, len);
}
static inline ssize_t connWritev(int fd, const struct iovec *iov, int iovcnt) {
    return connIsTls(fd) ? tlsFdWritev(fd, iov, iovcnt) : writev(fd, iov, iovcnt);
}
static inline ssize_t connWrite(int fd, const void *buf, size_t len) {
    if (!connIsTls(fd)) return write(fd, buf, len);
    struct iovec iov = {(void *)buf, len};
    return tlsFdWritev(fd, &iov, 1);
}
static inline short connPollEvents(int fd, short dir) { return connIsTls(fd) ? tlsFdPollEvents(fd) : dir; }
int tlsFdPending(int fd);   /* decrypted bytes OpenSSL holds for fd */
/* Input already read off the socket, which poll() would not report. */
static inline int connHasBufferedInput(int fd) { return connIsTls(fd) && tlsFdPending(fd) > 0; }
/* Bounded blocking helpers: 0 / the line length on success, -1 on error or
 * timeout. connReadLine returns -2 when not even one byte is there yet (called
 * on a readable event that brought only TLS records with no data). */
int connWriteAll(int fd, const void *buf, size_t len, int timeout_ms);
int connReadLine(int fd, char *buf, size_t size, int timeout_ms);

/* Outgoing TLS (tls-replication): a client session on a connected socket
 * (-1: no usable client context, logged), then its non-blocking handshake:
 * 1 done, 0 wait for tlsFdPollEvents(fd), -1 failed with *why set. */
int tlsConnectFd(int fd);
int tlsHandshakeFd(int fd, const char **why);
/* Drops fd's session if it has one (close_notify unless handed to a child);
 * connClose then closes fd. */
void tlsFdDrop(int fd);
void connClose(int fd);
/* The session registered on c->fd becomes c's (a replica's link turning into
 * its primary client). No-op for a plain fd. */
void tlsAttachFdToClient(struct client *c);
/* A fork child writes on fd's session from now on: this process must never
 * send on it again, not even close_notify when it frees it. */
void tlsFdHandOver(int fd);

#endif
