/* tls: server-side TLS sessions for client connections. See tls.h for the
 * contract; docs/TLS.md for the configuration and its limits. */
#include "core/tls.h"
#include "server/server.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int changeTlsListenPort(int port);

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

#else /* USE_OPENSSL */

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

typedef struct tlsConn {
    SSL *ssl;
    client *c;
    listNode *pending_node;   /* in tls_pending while OpenSSL holds unread plaintext */
    int handshake_done;
    int want_write;           /* handshake waits for the socket to drain */
} tlsConn;

static SSL_CTX *tls_ctx;
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

static int tlsLoadIdentity(SSL_CTX *ctx) {
    char eb[256];
    if (!server.tls_cert_file || !server.tls_key_file) {
        serverLog(LL_WARNING, "TLS needs both tls-cert-file and tls-key-file to be configured.");
        return -1;
    }
    SSL_CTX_set_default_passwd_cb(ctx, tlsPasswordCallback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, server.tls_key_file_pass);
    if (SSL_CTX_use_certificate_chain_file(ctx, server.tls_cert_file) != 1) {
        serverLog(LL_WARNING, "Failed to load certificate: %s: %s", server.tls_cert_file,
                  tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, server.tls_key_file, SSL_FILETYPE_PEM) != 1) {
        serverLog(LL_WARNING, "Failed to load private key: %s: %s", server.tls_key_file,
                  tlsLastError(eb, sizeof(eb), "unknown error"));
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        serverLog(LL_WARNING, "Private key %s does not match certificate %s: %s", server.tls_key_file,
                  server.tls_cert_file, tlsLastError(eb, sizeof(eb), "mismatch"));
        return -1;
    }
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

static SSL_CTX *tlsBuildContext(void) {
    char eb[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        serverLog(LL_WARNING, "Failed to create TLS context: %s", tlsLastError(eb, sizeof(eb), "unknown error"));
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    /* A peer closing without close_notify is an ordinary disconnect for us. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (server.tls_prefer_server_ciphers) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* writeToClient retries from wherever its buffers are after a short write. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    tlsSetSessionCaching(ctx);
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
    if (tlsLoadIdentity(ctx) == -1 || tlsLoadVerification(ctx) == -1 || tlsLoadDhParams(ctx) == -1) goto fail;
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

/* Sessions already open keep a reference to the context they started with. */
static int tlsReloadContext(void) {
    SSL_CTX *ctx = tlsBuildContext();
    if (!ctx) return -1;
    if (tls_ctx) SSL_CTX_free(tls_ctx);
    tls_ctx = ctx;
    return 0;
}

int tlsInit(void) {
    if (!tls_pending) tls_pending = listCreate();
    if (server.tls_port == 0) return 0;
    if (!tls_ctx && tlsReloadContext() == -1) {
        serverLog(LL_WARNING, "Failed to configure TLS. Check logs for more info.");
        return -1;
    }
    /* Startup binds right after this; a bind failure aborts the server anyway. */
    if (!tls_bound_port) tls_bound_port = server.tls_port;
    return 0;
}

int tlsApplyConfig(const char **err) {
    /* Nothing listens yet: the files are checked when tls-port is enabled. */
    if (!tls_ctx && server.tls_port == 0) return 1;
    if (tlsReloadContext() == -1) {
        *err = "Unable to update TLS configuration. Check server logs.";
        return 0;
    }
    return 1;
}

int tlsApplyPort(const char **err) {
    /* Re-binding the port we already hold would fail with EADDRINUSE. */
    if (server.tls_port == tls_bound_port) return 1;
    if (server.tls_port != 0 && !tls_ctx && tlsReloadContext() == -1) {
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
    tlsConn *tc = zcalloc(sizeof(*tc));
    tc->ssl = ssl;
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
        errno = EAGAIN;
        return -1;
    }
    char eb[256];
    const char *why = tlsLastError(eb, sizeof(eb), e == SSL_ERROR_SYSCALL && errno ? strerror(errno) : "connection reset");
    serverLog(LL_VERBOSE, "TLS %s failed for client id=%llu: %s", op, (unsigned long long)tc->c->id, why);
    errno = ECONNRESET;
    return -1;
}

/* Advances the handshake; 1 when done, -1 with errno as tlsFail sets it. */
static int tlsHandshakeStep(tlsConn *tc) {
    ERR_clear_error();
    int ret = SSL_do_handshake(tc->ssl);
    if (ret == 1) {
        tc->handshake_done = 1;
        if (tc->want_write) {
            elDeleteFileEvent(server.el, tc->c->fd, EL_WRITABLE);
            tc->want_write = 0;
        }
        return 1;
    }
    int e = SSL_get_error(tc->ssl, ret);
    if (e == SSL_ERROR_WANT_WRITE && !tc->want_write) {
        elCreateFileEvent(server.el, tc->c->fd, EL_WRITABLE, tlsHandshakeWritable, tc->c);
        tc->want_write = 1;
    } else if (e == SSL_ERROR_WANT_READ && tc->want_write) {
        elDeleteFileEvent(server.el, tc->c->fd, EL_WRITABLE);
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
}

ssize_t tlsRead(client *c, void *buf, size_t len) {
    tlsConn *tc = c->tls;
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

ssize_t tlsWritev(client *c, const struct iovec *iov, int iovcnt) {
    tlsConn *tc = c->tls;
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

void tlsFreeClient(client *c) {
    tlsConn *tc = c->tls;
    if (!tc) return;
    if (tc->pending_node) listDelNode(tls_pending, tc->pending_node);
    if (tc->handshake_done) {
        ERR_clear_error();
        SSL_shutdown(tc->ssl);   /* best effort close_notify; we never wait for the peer's */
    }
    SSL_free(tc->ssl);
    ERR_clear_error();
    zfree(tc);
    c->tls = NULL;
}

void tlsProcessPendingData(void) {
    if (!tls_pending || listLength(tls_pending) == 0) return;
    list *deferred = listCreate();
    while (listLength(tls_pending)) {
        listNode *ln = listFirst(tls_pending);
        tlsConn *tc = ln->value;
        listDelNode(tls_pending, ln);
        tc->pending_node = NULL;
        client *c = tc->c;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        if (c->flags & CLIENT_PROTECTED) {
            listAddNodeTail(deferred, tc);
            continue;
        }
        readQueryFromClient(server.el, c->fd, c, EL_READABLE);
    }
    /* Protected clients are retried on the next loop iteration. */
    while (listLength(deferred)) {
        listNode *ln = listFirst(deferred);
        tlsConn *tc = ln->value;
        listDelNode(deferred, ln);
        listAddNodeTail(tls_pending, tc);
        tc->pending_node = listLast(tls_pending);
    }
    listRelease(deferred);
}

#endif /* USE_OPENSSL */
