/* valkey-cli connection handling: blocking TCP/unix sockets, request writing,
 * reply reading through resp_reader, and the connect-time handshake (AUTH,
 * SELECT, HELLO 3) driven by cliCfg. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifdef USE_OPENSSL
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

cliConn *cliLink = NULL;

long long cliUsNow(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

long long cliMsNow(void) { return cliUsNow() / 1000; }

void cliPrintError(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static int cliOpenTcp(const char *host, int port, char *err, size_t errlen) {
    struct addrinfo hints, *res, *p;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = -1, lasterr = 0;
    for (p = res; p; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (fd < 0) { lasterr = errno; continue; }
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) break;
        lasterr = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(lasterr));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    return fd;
}

static int cliOpenUnix(const char *path, char *err, size_t errlen) {
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

#ifdef USE_OPENSSL
static const char *cliTlsError(char *buf, size_t len, const char *fallback) {
    unsigned long e = ERR_peek_last_error();
    if (!e) return fallback;
    ERR_error_string_n(e, buf, len);
    ERR_clear_error();
    return buf;
}

/* One context per process: the flags cannot change while the CLI runs. */
static SSL_CTX *cliTlsContext(char *err, size_t errlen) {
    static SSL_CTX *ctx;
    if (ctx) return ctx;
    SSL_CTX *x = SSL_CTX_new(TLS_client_method());
    if (!x) goto fail;
    SSL_CTX_set_min_proto_version(x, TLS1_2_VERSION);
    SSL_CTX_set_mode(x, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (cliCfg.insecure) {
        SSL_CTX_set_verify(x, SSL_VERIFY_NONE, NULL);
    } else {
        SSL_CTX_set_verify(x, SSL_VERIFY_PEER, NULL);
        int ok = (cliCfg.cacert || cliCfg.cacertdir) ? SSL_CTX_load_verify_locations(x, cliCfg.cacert, cliCfg.cacertdir)
                                                   : SSL_CTX_set_default_verify_paths(x);
        if (ok != 1) {
            snprintf(err, errlen, "Invalid CA Certificate File/Directory");
            goto fail_free;
        }
    }
    if ((cliCfg.cert != NULL) != (cliCfg.key != NULL)) {
        snprintf(err, errlen, "--cert and --key must be given together");
        goto fail_free;
    }
    if (cliCfg.cert && SSL_CTX_use_certificate_chain_file(x, cliCfg.cert) != 1) {
        snprintf(err, errlen, "Invalid client certificate");
        goto fail_free;
    }
    if (cliCfg.key && SSL_CTX_use_PrivateKey_file(x, cliCfg.key, SSL_FILETYPE_PEM) != 1) {
        snprintf(err, errlen, "Invalid private key");
        goto fail_free;
    }
    if (cliCfg.tls_ciphers && SSL_CTX_set_cipher_list(x, cliCfg.tls_ciphers) != 1) {
        snprintf(err, errlen, "Error while configuring ciphers");
        goto fail_free;
    }
    if (cliCfg.tls_ciphersuites && SSL_CTX_set_ciphersuites(x, cliCfg.tls_ciphersuites) != 1) {
        snprintf(err, errlen, "Error while setting cypher suites");
        goto fail_free;
    }
    ctx = x;
    return ctx;
fail_free:
    SSL_CTX_free(x);
    return NULL;
fail:
    snprintf(err, errlen, "Failed to create SSL_CTX");
    return NULL;
}

/* Blocking handshake on a connected socket; 0 ok, -1 with err filled. */
static int cliTlsHandshake(cliConn *c, char *err, size_t errlen) {
    char eb[256];
    SSL_CTX *ctx = cliTlsContext(err, errlen);
    if (!ctx) return -1;
    SSL *ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, c->fd) != 1) {
        snprintf(err, errlen, "%s", cliTlsError(eb, sizeof(eb), "Failed to create SSL object"));
        if (ssl) SSL_free(ssl);
        return -1;
    }
    if (cliCfg.sni) SSL_set_tlsext_host_name(ssl, cliCfg.sni);
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
        snprintf(err, errlen, "%s", cliTlsError(eb, sizeof(eb), "connection reset during the handshake"));
        SSL_free(ssl);
        return -1;
    }
    c->ssl = ssl;
    return 0;
}
#endif

cliConn *cliConnect(const char *host, int port, const char *sock, int quiet) {
    char err[256];
    int fd = sock ? cliOpenUnix(sock, err, sizeof(err)) : cliOpenTcp(host, port, err, sizeof(err));
    if (fd < 0) {
        if (!quiet) {
            if (sock) fprintf(stderr, "Could not connect to Valkey at %s: %s\n", sock, err);
            else fprintf(stderr, "Could not connect to Valkey at %s:%d: %s\n", host, port, err);
        }
        return NULL;
    }
    cliConn *c = zmalloc(sizeof(*c));
    c->fd = fd;
    c->ssl = NULL;
#ifdef USE_OPENSSL
    if (cliCfg.tls && !sock && cliTlsHandshake(c, err, sizeof(err)) == -1) {
        if (!quiet) fprintf(stderr, "Could not negotiate a TLS connection: %s\n", err);
        close(fd);
        zfree(c);
        return NULL;
    }
#endif
    c->reader = respReaderCreate();
    return c;
}

ssize_t cliConnRead(cliConn *c, void *buf, size_t len) {
#ifdef USE_OPENSSL
    if (c->ssl) {
        ERR_clear_error();
        int n = SSL_read(c->ssl, buf, len > 1 << 30 ? 1 << 30 : (int)len);
        if (n > 0) return n;
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        errno = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? EAGAIN : ECONNRESET;
        return -1;
    }
#endif
    return read(c->fd, buf, len);
}

ssize_t cliConnWrite(cliConn *c, const void *buf, size_t len) {
#ifdef USE_OPENSSL
    if (c->ssl) {
        ERR_clear_error();
        int n = SSL_write(c->ssl, buf, len > 1 << 30 ? 1 << 30 : (int)len);
        if (n > 0) return n;
        int e = SSL_get_error(c->ssl, n);
        errno = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? EAGAIN : EPIPE;
        return -1;
    }
#endif
    return write(c->fd, buf, len);
}

void cliConnClose(cliConn *c) {
    if (!c) return;
#ifdef USE_OPENSSL
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
#endif
    close(c->fd);
    respReaderFree(c->reader);
    zfree(c);
}

int cliWriteAll(cliConn *c, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = cliConnWrite(c, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

respValue *cliReadReply(cliConn *c) {
    char buf[16384];
    for (;;) {
        respValue *v = NULL;
        int rc = respReaderGetReply(c->reader, &v);
        if (rc == 1) {
            /* Attributes carry out-of-band metadata the CLI does not show. */
            if (v->type == RESP_T_ATTR) { respValueFree(v); continue; }
            return v;
        }
        if (rc < 0) {
            fprintf(stderr, "Error: %s\n", respReaderError(c->reader));
            return NULL;
        }
        ssize_t n = cliConnRead(c, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = ECONNRESET;
            return NULL;
        }
        respReaderFeed(c->reader, buf, (size_t)n);
    }
}

respValue *cliCommandArgv(cliConn *c, int argc, const char **argv, const size_t *lens) {
    size_t len;
    char *cmd = respFormatCommandArgv(argc, argv, lens, &len);
    int rc = cliWriteAll(c, cmd, len);
    zfree(cmd);
    if (rc < 0) return NULL;
    return cliReadReply(c);
}

/* Space separated words; no quoting needed for the internal commands we send. */
respValue *cliCommandf(cliConn *c, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    int argc;
    bstr *argv = bstrSplitArgs(line, &argc);
    if (!argv) return NULL;
    size_t *lens = zmalloc(sizeof(size_t) * (size_t)(argc ? argc : 1));
    for (int i = 0; i < argc; i++) lens[i] = bstrLen(argv[i]);
    respValue *v = cliCommandArgv(c, argc, (const char **)argv, lens);
    zfree(lens);
    bstrFreeSplit(argv, argc);
    return v;
}

static int cliAuthenticate(void) {
    if (!cliCfg.auth) return 0;
    const char *argv[3];
    int argc = 0;
    argv[argc++] = "AUTH";
    if (cliCfg.user) argv[argc++] = cliCfg.user;
    argv[argc++] = cliCfg.auth;
    respValue *v = cliCommandArgv(cliLink, argc, argv, NULL);
    if (!v) return -1;
    if (v->type == RESP_T_ERROR) fprintf(stderr, "AUTH failed: %s\n", v->str);
    respValueFree(v);
    return 0;
}

static int cliSelectDb(void) {
    if (cliCfg.dbnum == 0) {
        cliCfg.input_dbnum = 0;
        return 0;
    }
    respValue *v = cliCommandf(cliLink, "SELECT %d", cliCfg.dbnum);
    if (!v) return -1;
    if (v->type == RESP_T_ERROR) {
        fprintf(stderr, "SELECT %d failed: %s\n", cliCfg.dbnum, v->str);
        cliCfg.dbnum = cliCfg.input_dbnum;
    } else {
        cliCfg.input_dbnum = cliCfg.dbnum;
    }
    respValueFree(v);
    return 0;
}

static int cliSwitchProto(void) {
    cliCfg.resp_current = 2;
    if (!cliCfg.resp3) return 0;
    respValue *v = cliCommandf(cliLink, "HELLO 3");
    if (!v) return -1;
    if (v->type == RESP_T_ERROR) fprintf(stderr, "HELLO 3 failed: %s\n", v->str);
    else cliCfg.resp_current = 3;
    respValueFree(v);
    return 0;
}

int cliConnectConfigured(int force, int quiet) {
    if (cliLink && !force) return 0;
    if (cliLink) {
        cliConnClose(cliLink);
        cliLink = NULL;
    }
    cliLink = cliConnect(cliCfg.hostip, cliCfg.hostport, cliCfg.hostsocket, quiet);
    if (!cliLink) return -1;
    cliCfg.in_multi = 0;
    cliCfg.pubsub_mode = 0;
    if (cliAuthenticate() < 0 || cliSelectDb() < 0 || cliSwitchProto() < 0) {
        cliConnClose(cliLink);
        cliLink = NULL;
        return -1;
    }
    return 0;
}
