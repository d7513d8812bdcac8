/* tls: server-side TLS sessions for client connections. See tls.h for the
 * contract; docs/TLS.md for the configuration and its limits. */
#include "core/tls.h"
#include "server/server.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int changeTlsListenPort(int port);

struct tlsConn **tls_fd_sessions = NULL;
int tls_fd_sessions_size = 0;

int connWriteAll(int fd, const void *buf, size_t len, int timeout_ms) {
    const char *p = buf;
    while (len) {
        ssize_t n = connWrite(fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = connPollEvents(fd, POLLOUT)};
            int rc;
            do rc = poll(&pfd, 1, timeout_ms);
            while (rc < 0 && errno == EINTR);
            if (rc == 0) errno = ETIMEDOUT;   /* callers tell a stalled peer from a broken one */
            if (rc <= 0) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

/* One byte per read: the bytes after the newline belong to whoever reads next
 * (a payload, the stream), and handshake lines are few. A readable event may
 * carry no data for us at all (TLS session tickets after the handshake): then
 * -2, without waiting. */
int connReadLine(int fd, char *buf, size_t size, int timeout_ms) {
    size_t n = 0;
    int first = 1;
    while (n + 1 < size) {
        char ch;
        ssize_t r = connRead(fd, &ch, 1);
        if (r == 1) {
            if (ch == '\n') {
                if (n && buf[n - 1] == '\r') n--;
                buf[n] = '\0';
                return (int)n;
            }
            buf[n++] = ch;
            continue;
        }
        if (r == 0) return -1;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (first && n == 0) return -2;
        first = 0;
        struct pollfd p = {.fd = fd, .events = connPollEvents(fd, POLLIN)};
        if (poll(&p, 1, timeout_ms) <= 0) return -1;
    }
    buf[n] = '\0';
    return (int)n;
}

#ifndef USE_OPENSSL

int tlsIsAvailable(void) { return 0; }

int tlsInit(void) {
    if (server.tls_port == 0) return 0;
    serverLog(LL_WARNING,
              "tls-port %d is set but this server was built without TLS support "
              "(rebuild with 'make BUILD_TLS=yes'). Exiting.",
              server.tls_port);
    return -1;
}

int tlsApplyConfig(const char **err) {
    (void)err;
    return 1;   /* stored only: nothing uses it in this build */
}

int tlsApplyPort(const char **err) {
    if (server.tls_port == 0) return 1;
    serverLog(LL_WARNING, "Unable to listen on tls-port %d: this server was built without TLS support.",
              server.tls_port);
    *err = "Unable to listen on this port. Check server logs.";
    return 0;
}

int tlsSetupClient(struct client *c) {
    (void)c;
    return -1;
}

ssize_t tlsRead(struct client *c, void *buf, size_t len) {
    (void)c, (void)buf, (void)len;
    errno = ENOTSUP;
    return -1;
}

ssize_t tlsWritev(struct client *c, const struct iovec *iov, int iovcnt) {
    (void)c, (void)iov, (void)iovcnt;
    errno = ENOTSUP;
    return -1;
}

void tlsFreeClient(struct client *c) { (void)c; }
void tlsProcessPendingData(void) {}

int tlsApplyReplication(const char **err) {
    (void)err;
    return 1;   /* stored only: a replica then fails to connect and says why */
}

/* Never reached for a registered fd in this build (nothing registers one). */
ssize_t tlsFdRead(int fd, void *buf, size_t len) { return read(fd, buf, len); }
ssize_t tlsFdWritev(int fd, const struct iovec *iov, int iovcnt) { return writev(fd, iov, iovcnt); }
short tlsFdPollEvents(int fd) {
    (void)fd;
    return POLLIN;
}
int tlsFdPending(int fd) {
    (void)fd;
    return 0;
}

int tlsConnectFd(int fd) {
    (void)fd;
    serverLog(LL_WARNING, "tls-replication is set but this server was built without TLS support "
                          "(rebuild with 'make BUILD_TLS=yes').");
    return -1;
}

int tlsHandshakeFd(int fd, const char **why) {
    (void)fd;
    *why = "built without TLS support";
    return -1;
}

void tlsFdDrop(int fd) { (void)fd; }
void connClose(int fd) { close(fd); }
void tlsAttachFdToClient(struct client *c) { (void)c; }
void tlsFdHandOver(int fd) { (void)fd; }

#else /* USE_OPENSSL */

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

typedef struct tlsConn {
    SSL *ssl;
    client *c;                /* NULL: an outgoing replication link not owned by a client yet */
    int fd;
    listNode *pending_node;   /* in pending_list while OpenSSL holds unread plaintext */
    list *pending_list;       /* tls_pending, or the deferred list while it is being processed */
    int handshake_done;
    int want_write;           /* server handshake: our writable handler is installed */
    int wait_write;           /* the last call that returned EAGAIN wanted the socket writable */
    int handed_over;          /* a fork child owns the session's write side */
} tlsConn;

static SSL_CTX *tls_ctx;
static SSL_CTX *tls_client_ctx;   /* outgoing links (tls-replication) */
static list *tls_pending;
static int tls_bound_port;   /* port the TLS listeners are bound to now (0: none) */

int tlsIsAvailable(void) { return 1; }

/* The newest queued OpenSSL error, or the fallback when the queue is empty. */
static const char *tlsLastError(char *buf, size_t len, const char *fallback) {
    unsigned long e = ERR_peek_last_error();
    if (!e) return fallback;
    ERR_error_string_n(e, buf, len);
    ERR_clear_error();
    return buf;
}

static int tlsPasswordCallback(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    const char *pass = u;
    if (!pass) return 0;
    int n = (int)strlen(pass);
    if (n > size) n = size;
    memcpy(buf, pass, (size_t)n);
    return n;
}

/* tls-protocols lists the versions to allow; they must form a contiguous range
 * for OpenSSL's min/max API, so we take the lowest and the highest named. */
static int tlsSetProtocols(SSL_CTX *ctx, const char *spec) {
    static const struct { const char *name; int version; } names[] = {
        {"tlsv1", TLS1_VERSION}, {"tlsv1.1", TLS1_1_VERSION}, {"tlsv1.2", TLS1_2_VERSION}, {"tlsv1.3", TLS1_3_VERSION}};
    int lo = TLS1_2_VERSION, hi = TLS1_3_VERSION;
    if (spec && *spec) {
        lo = hi = 0;
        char *copy = zstrdup(spec), *save = NULL;
        for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            int v = 0;
            for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
                if (!strcasecmp(tok, names[j].name)) v = names[j].version;
            if (!v) {
                serverLog(LL_WARNING, "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
                                      "'TLSv1.2' and 'TLSv1.3'.");
                zfree(copy);
                return -1;
            }
            if (!lo || v < lo) lo = v;
            if (v > hi) hi = v;
        }
        zfree(copy);
        if (!lo) return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, lo);
    SSL_CTX_set_max_proto_version(ctx, hi);
    return 0;
}

static int tlsLoadDhParams(SSL_CTX *ctx) {
    if (!server.tls_dh_params_file) {
        SSL_CTX_set_dh_auto(ctx, 1);
        return 0;
    }
    BIO *bio = BIO_new_file(server.tls_dh_params_file, "r");
    if (!bio) {
        serverLog(LL_WARNING, "Failed to load %s: %s", server.tls_dh_params_file, strerror(errno));
        return -1;
    }
    EVP_PKEY *dh = PEM_read_bio_Parameters(bio, NULL);
    BIO_free(bio);
    if (!dh || SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
        char eb[256];
        serverLog(LL_WARNING, "Failed to load DH params from %s: %s", server.tls_dh_params_file,
                  tlsLastError(eb, sizeof(eb), "not a DH parameters file"));
        EVP_PKEY_free(dh);
        return -1;
    }
    return 0;
}

static int tlsLoadVerification(SSL_CTX *ctx) {
    const char *file = server.tls_ca_cert_file, *dir = server.tls_ca_cert_dir;
    if (!file && !dir) {
        if (server.tls_auth_clients == 0) return 0;
        serverLog(LL_WARNING, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when "
                              "tls-auth-clients is yes or optional.");
        return -1;
    }
    if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
        char eb[256];
        serverLog(LL_WARNING, "Failed to configure CA certificate(s) file/directory: %s",
                  tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    /* Tell clients which CAs we accept so they can pick the right certificate. */
    if (file) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(file);
        if (names) SSL_CTX_set_client_CA_list(ctx, names);
    }
    int mode = SSL_VERIFY_NONE;
    if (server.tls_auth_clients == 1) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    else if (server.tls_auth_clients == 2) mode = SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, NULL);
    return 0;
}

static int tlsLoadIdentity(SSL_CTX *ctx, const char *cert, const char *key, const char *pass) {
    char eb[256];
    SSL_CTX_set_default_passwd_cb(ctx, tlsPasswordCallback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)pass);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        serverLog(LL_WARNING, "Failed to load certificate: %s: %s", cert, tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        serverLog(LL_WARNING, "Failed to load private key: %s: %s", key, tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        serverLog(LL_WARNING, "Private key %s does not match certificate %s: %s", key, cert,
                  tlsLastError(eb, sizeof(eb), "mismatch"));
        return -1;
    }
    return 0;
}

static int tlsLoadServerIdentity(SSL_CTX *ctx) {
    if (!server.tls_cert_file || !server.tls_key_file) {
        serverLog(LL_WARNING, "TLS needs both tls-cert-file and tls-key-file to be configured.");
        return -1;
    }
    return tlsLoadIdentity(ctx, server.tls_cert_file, server.tls_key_file, server.tls_key_file_pass);
}

/* A replica presents tls-client-cert-file, or the server certificate when no
 * client one is configured (a primary with tls-auth-clients yes wants one). */
static int tlsLoadClientIdentity(SSL_CTX *ctx) {
    const char *cert = server.tls_client_cert_file, *key = server.tls_client_key_file;
    const char *pass = server.tls_client_key_file_pass;
    if (!cert && !key) {
        cert = server.tls_cert_file;
        key = server.tls_key_file;
        pass = server.tls_key_file_pass;
    }
    if (!cert && !key) return 0;
    if (!cert || !key) {
        serverLog(LL_WARNING, "TLS client authentication needs both a certificate and a key "
                              "(tls-client-cert-file and tls-client-key-file).");
        return -1;
    }
    return tlsLoadIdentity(ctx, cert, key, pass);
}

/* The primary's certificate must chain to our CAs (the system store without
 * them); its host name is not checked, as in Valkey. */
static int tlsLoadPeerVerification(SSL_CTX *ctx) {
    const char *file = server.tls_ca_cert_file, *dir = server.tls_ca_cert_dir;
    int ok = (file || dir) ? SSL_CTX_load_verify_locations(ctx, file, dir) : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        char eb[256];
        serverLog(LL_WARNING, "Failed to configure CA certificate(s) file/directory: %s",
                  tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

static void tlsSetSessionCaching(SSL_CTX *ctx) {
    if (!server.tls_session_caching) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        return;
    }
    static const unsigned char sid_ctx[] = "valkey";
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, server.tls_session_cache_size);
    SSL_CTX_set_timeout(ctx, server.tls_session_cache_timeout);
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
}

static SSL_CTX *tlsBuildContext(int for_server) {
    char eb[256];
    SSL_CTX *ctx = SSL_CTX_new(for_server ? TLS_server_method() : TLS_client_method());
    if (!ctx) {
        serverLog(LL_WARNING, "Failed to create TLS context: %s", tlsLastError(eb, sizeof(eb), "unknown error"));
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    /* A peer closing without close_notify is an ordinary disconnect for us. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (for_server && server.tls_prefer_server_ciphers) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* writeToClient retries from wherever its buffers are after a short write. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (for_server) tlsSetSessionCaching(ctx);
    if (tlsSetProtocols(ctx, server.tls_protocols) == -1) goto fail;
    if (server.tls_ciphers && SSL_CTX_set_cipher_list(ctx, server.tls_ciphers) != 1) {
        serverLog(LL_WARNING, "Failed to configure ciphers: %s", tlsLastError(eb, sizeof(eb), "invalid tls-ciphers"));
        goto fail;
    }
    if (server.tls_ciphersuites && SSL_CTX_set_ciphersuites(ctx, server.tls_ciphersuites) != 1) {
        serverLog(LL_WARNING, "Failed to configure ciphersuites: %s",
                  tlsLastError(eb, sizeof(eb), "invalid tls-ciphersuites"));
        goto fail;
    }
    if (for_server) {
        if (tlsLoadServerIdentity(ctx) == -1 || tlsLoadVerification(ctx) == -1 || tlsLoadDhParams(ctx) == -1) goto fail;
    } else if (tlsLoadClientIdentity(ctx) == -1 || tlsLoadPeerVerification(ctx) == -1) {
        goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

/* Sessions already open keep a reference to the context they started with.
 * The contexts are replaced only when every wanted one could be built. */
static int tlsReloadContexts(int want_server, int want_client) {
    SSL_CTX *sctx = NULL, *cctx = NULL;
    if (want_server && !(sctx = tlsBuildContext(1))) return -1;
    if (want_client && !(cctx = tlsBuildContext(0))) {
        if (sctx) SSL_CTX_free(sctx);
        return -1;
    }
    if (sctx) {
        if (tls_ctx) SSL_CTX_free(tls_ctx);
        tls_ctx = sctx;
    }
    if (cctx) {
        if (tls_client_ctx) SSL_CTX_free(tls_client_ctx);
        tls_client_ctx = cctx;
    }
    return 0;
}

int tlsInit(void) {
    if (!tls_pending) tls_pending = listCreate();
    int want_server = server.tls_port != 0 && !tls_ctx, want_client = server.tls_replication && !tls_client_ctx;
    if ((want_server || want_client) && tlsReloadContexts(want_server, want_client) == -1) {
        serverLog(LL_WARNING, "Failed to configure TLS. Check logs for more info.");
        return -1;
    }
    /* Startup binds right after this; a bind failure aborts the server anyway. */
    if (server.tls_port && !tls_bound_port) tls_bound_port = server.tls_port;
    return 0;
}

int tlsApplyConfig(const char **err) {
    /* Nothing uses TLS yet: the files are checked when it is enabled. */
    int want_server = tls_ctx || server.tls_port, want_client = tls_client_ctx || server.tls_replication;
    if (!want_server && !want_client) return 1;
    if (tlsReloadContexts(want_server, want_client) == -1) {
        *err = "Unable to update TLS configuration. Check server logs.";
        return 0;
    }
    return 1;
}

int tlsApplyReplication(const char **err) {
    if (!server.tls_replication || tls_client_ctx) return 1;
    if (tlsReloadContexts(0, 1) == -1) {
        *err = "Unable to update TLS configuration. Check server logs.";
        return 0;
    }
    return 1;
}

int tlsApplyPort(const char **err) {
    /* Re-binding the port we already hold would fail with EADDRINUSE. */
    if (server.tls_port == tls_bound_port) return 1;
    if (server.tls_port != 0 && !tls_ctx && tlsReloadContexts(1, 0) == -1) {
        serverLog(LL_WARNING, "Failed to configure TLS. Check logs for more info.");
        *err = "Unable to update TLS configuration. Check server logs.";
        return 0;
    }
    if (changeTlsListenPort(server.tls_port) != 0) {
        *err = "Unable to listen on this port. Check server logs.";
        return 0;
    }
    tls_bound_port = server.tls_port;
    return 1;
}

/* ------------------------------------------------------------ sessions by fd */
static void fdRegister(tlsConn *tc) {
    if (tc->fd >= tls_fd_sessions_size) {
        int size = tls_fd_sessions_size ? tls_fd_sessions_size : 64;
        while (size <= tc->fd) size *= 2;
        tls_fd_sessions = zrealloc(tls_fd_sessions, sizeof(*tls_fd_sessions) * (size_t)size);
        memset(tls_fd_sessions + tls_fd_sessions_size, 0,
               sizeof(*tls_fd_sessions) * (size_t)(size - tls_fd_sessions_size));
        tls_fd_sessions_size = size;
    }
    tls_fd_sessions[tc->fd] = tc;
}

static tlsConn *newSession(SSL *ssl, int fd) {
    tlsConn *tc = zcalloc(sizeof(*tc));
    tc->ssl = ssl;
    tc->fd = fd;
    fdRegister(tc);
    return tc;
}

static void freeSession(tlsConn *tc) {
    if (tc->pending_node) listDelNode(tc->pending_list, tc->pending_node);
    if (tc->fd >= 0 && tc->fd < tls_fd_sessions_size && tls_fd_sessions[tc->fd] == tc) tls_fd_sessions[tc->fd] = NULL;
    /* After a fork child wrote on it our record sequence is stale: a
     * close_notify from us would be garbage to the peer. */
    if (tc->handshake_done && !tc->handed_over) {
        ERR_clear_error();
        SSL_shutdown(tc->ssl);   /* best effort close_notify; we never wait for the peer's */
    }
    SSL_free(tc->ssl);
    ERR_clear_error();
    zfree(tc);
}

int tlsSetupClient(client *c) {
    if (!tls_ctx) return -1;
    SSL *ssl = SSL_new(tls_ctx);
    if (!ssl || SSL_set_fd(ssl, c->fd) != 1) {
        char eb[256];
        serverLog(LL_WARNING, "Error creating a TLS session: %s", tlsLastError(eb, sizeof(eb), "unknown error"));
        if (ssl) SSL_free(ssl);
        return -1;
    }
    SSL_set_accept_state(ssl);
    tlsConn *tc = newSession(ssl, c->fd);
    tc->c = c;
    c->tls = tc;
    c->conn_type = CONN_TYPE_TLS;
    return 0;
}

static void tlsHandshakeWritable(eventLoop *el, int fd, void *privdata, int mask);

/* Translate an OpenSSL failure into errno for the read/writev lookalikes.
 * Returns -1 always; errno EAGAIN means "try again on the next event". */
static ssize_t tlsFail(tlsConn *tc, int ret, const char *op) {
    int e = SSL_get_error(tc->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        tc->wait_write = e == SSL_ERROR_WANT_WRITE;
        errno = EAGAIN;
        return -1;
    }
    char eb[256];
    const char *why = tlsLastError(eb, sizeof(eb), e == SSL_ERROR_SYSCALL && errno ? strerror(errno) : "connection reset");
    if (tc->c)
        serverLog(LL_VERBOSE, "TLS %s failed for client id=%llu: %s", op, (unsigned long long)tc->c->id, why);
    else
        serverLog(LL_WARNING, "TLS %s failed on the replication link: %s", op, why);
    errno = ECONNRESET;
    return -1;
}

/* Advances a server-side handshake; 1 when done, -1 with errno as tlsFail sets it. */
static int tlsHandshakeStep(tlsConn *tc) {
    ERR_clear_error();
    int ret = SSL_do_handshake(tc->ssl);
    if (ret == 1) {
        tc->handshake_done = 1;
        if (tc->want_write) {
            elDeleteFileEvent(server.el, tc->fd, EL_WRITABLE);
            tc->want_write = 0;
        }
        return 1;
    }
    int e = SSL_get_error(tc->ssl, ret);
    if (tc->c && e == SSL_ERROR_WANT_WRITE && !tc->want_write) {
        elCreateFileEvent(server.el, tc->fd, EL_WRITABLE, tlsHandshakeWritable, tc->c);
        tc->want_write = 1;
    } else if (e == SSL_ERROR_WANT_READ && tc->want_write) {
        elDeleteFileEvent(server.el, tc->fd, EL_WRITABLE);
        tc->want_write = 0;
    }
    return (int)tlsFail(tc, ret, "handshake");
}

static void tlsHandshakeWritable(eventLoop *el, int fd, void *privdata, int mask) {
    (void)el, (void)fd, (void)mask;
    client *c = privdata;
    tlsConn *tc = c->tls;
    if (tlsHandshakeStep(tc) == -1 && errno != EAGAIN) {
        freeClient(c);
    }
}

static void tlsMarkPending(tlsConn *tc) {
    if (tc->pending_node || SSL_pending(tc->ssl) <= 0) return;
    listAddNodeTail(tls_pending, tc);
    tc->pending_node = listLast(tls_pending);
    tc->pending_list = tls_pending;
}

static ssize_t sessionRead(tlsConn *tc, void *buf, size_t len) {
    if (!tc->handshake_done && tlsHandshakeStep(tc) != 1) return -1;
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(tc->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (n > 0) {
        tlsMarkPending(tc);
        return n;
    }
    int e = SSL_get_error(tc->ssl, n);
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) return 0;
    return tlsFail(tc, n, "read");
}

static ssize_t sessionWritev(tlsConn *tc, const struct iovec *iov, int iovcnt) {
    if (!tc->handshake_done && tlsHandshakeStep(tc) != 1) return -1;
    ssize_t total = 0;
    for (int j = 0; j < iovcnt; j++) {
        if (iov[j].iov_len == 0) continue;
        size_t len = iov[j].iov_len > INT_MAX ? INT_MAX : iov[j].iov_len;
        ERR_clear_error();
        int n = SSL_write(tc->ssl, iov[j].iov_base, (int)len);
        if (n <= 0) {
            if (total > 0) {
                /* Report what went out; a hard error surfaces on the next call. */
                ERR_clear_error();
                return total;
            }
            return tlsFail(tc, n, "write");
        }
        total += n;
        if ((size_t)n < iov[j].iov_len) break;
    }
    return total;
}

ssize_t tlsRead(client *c, void *buf, size_t len) { return sessionRead(c->tls, buf, len); }
ssize_t tlsWritev(client *c, const struct iovec *iov, int iovcnt) { return sessionWritev(c->tls, iov, iovcnt); }
ssize_t tlsFdRead(int fd, void *buf, size_t len) { return sessionRead(tls_fd_sessions[fd], buf, len); }
ssize_t tlsFdWritev(int fd, const struct iovec *iov, int iovcnt) { return sessionWritev(tls_fd_sessions[fd], iov, iovcnt); }
short tlsFdPollEvents(int fd) { return tls_fd_sessions[fd]->wait_write ? POLLOUT : POLLIN; }
int tlsFdPending(int fd) { return SSL_pending(tls_fd_sessions[fd]->ssl); }

void tlsFreeClient(client *c) {
    tlsConn *tc = c->tls;
    if (!tc) return;
    freeSession(tc);
    c->tls = NULL;
}

/* ------------------------------------------------------------ outgoing links */
int tlsConnectFd(int fd) {
    char eb[256];
    if (!tls_pending) tls_pending = listCreate();
    if (!tls_client_ctx && tlsReloadContexts(0, 1) == -1) {
        serverLog(LL_WARNING, "Failed to configure TLS for the replication link. Check logs for more info.");
        return -1;
    }
    SSL *ssl = SSL_new(tls_client_ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        serverLog(LL_WARNING, "Error creating a TLS session: %s", tlsLastError(eb, sizeof(eb), "unknown error"));
        if (ssl) SSL_free(ssl);
        return -1;
    }
    SSL_set_connect_state(ssl);
    newSession(ssl, fd);
    return 0;
}

int tlsHandshakeFd(int fd, const char **why) {
    static char reason[256];
    tlsConn *tc = tls_fd_sessions[fd];
    ERR_clear_error();
    errno = 0;
    int ret = SSL_do_handshake(tc->ssl);
    if (ret == 1) {
        tc->handshake_done = 1;
        return 1;
    }
    int e = SSL_get_error(tc->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        tc->wait_write = e == SSL_ERROR_WANT_WRITE;
        return 0;
    }
    long vr = SSL_get_verify_result(tc->ssl);
    if (vr != X509_V_OK) {
        snprintf(reason, sizeof(reason), "certificate verify failed: %s", X509_verify_cert_error_string(vr));
        ERR_clear_error();
    } else {
        char eb[256];
        snprintf(reason, sizeof(reason), "%s",
                 tlsLastError(eb, sizeof(eb), e == SSL_ERROR_SYSCALL && errno ? strerror(errno) : "connection closed by peer"));
    }
    *why = reason;
    return -1;
}

void tlsFdDrop(int fd) {
    if (connIsTls(fd)) freeSession(tls_fd_sessions[fd]);
}

void connClose(int fd) {
    tlsFdDrop(fd);
    close(fd);
}

void tlsAttachFdToClient(client *c) {
    if (!connIsTls(c->fd)) return;
    tlsConn *tc = tls_fd_sessions[c->fd];
    tc->c = c;
    c->tls = tc;
    c->conn_type = CONN_TYPE_TLS;
}

void tlsFdHandOver(int fd) {
    if (connIsTls(fd)) tls_fd_sessions[fd]->handed_over = 1;
}

/* Whoever took the fd's read handler away (a protected client, a link its
 * loader reads directly, a stream held back while a buffer is applied) does
 * not want its data now: such sessions wait in the list. A link has no client
 * yet: its own readable handler runs, as if epoll had reported it. */
void tlsProcessPendingData(void) {
    if (!tls_pending || listLength(tls_pending) == 0) return;
    list *deferred = listCreate();
    int link_calls = 0;
    while (listLength(tls_pending)) {
        listNode *ln = listFirst(tls_pending);
        tlsConn *tc = ln->value;
        listDelNode(tls_pending, ln);
        tc->pending_node = NULL;
        client *c = tc->c;
        if (c && (c->flags & CLIENT_CLOSE_ASAP)) continue;
        /* A link handler that leaves data behind is run again at the next iteration. */
        if (!(elGetFileEvents(server.el, tc->fd) & EL_READABLE) || (!c && ++link_calls > 64)) {
            listAddNodeTail(deferred, tc);
            tc->pending_node = listLast(deferred);
            tc->pending_list = deferred;
            continue;
        }
        if (c) readQueryFromClient(server.el, c->fd, c, EL_READABLE);
        else elFireReadable(server.el, tc->fd);
    }
    while (listLength(deferred)) {
        listNode *ln = listFirst(deferred);
        tlsConn *tc = ln->value;
        listDelNode(deferred, ln);
        listAddNodeTail(tls_pending, tc);
        tc->pending_node = listLast(tls_pending);
        tc->pending_list = tls_pending;
    }
    listRelease(deferred);
}

#endif /* USE_OPENSSL */
