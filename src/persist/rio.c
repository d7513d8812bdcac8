/* rio backends. The fd backends tolerate non-blocking descriptors by waiting
 * with poll(), because the fork child streams to a replica socket that the
 * parent configured as non-blocking. They go through core/tls.h's conn*
 * calls, so a socket carrying a TLS session (a replica's link, a dual-channel
 * rdb channel the child writes) is read and written through it. */
#include "persist/rio.h"
#include "persist/crc64.h"
#include "core/zmalloc.h"
#include "core/tls.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define RIO_FD_WRITE_BUFFER (64 * 1024)
#define RIO_FD_READ_CHUNK (64 * 1024)

void rioGenericUpdateChecksum(rio *r, const void *buf, size_t len) {
    r->cksum = crc64(r->cksum, buf, len);
}

static void rioInitCommon(rio *r) {
    memset(r, 0, sizeof(*r));
    r->update_cksum = rioGenericUpdateChecksum;
}

/* ---- in-memory buffer ---- */
static size_t rioBufferWrite(rio *r, const void *buf, size_t len) {
    r->io.buffer.ptr = bstrCatLen(r->io.buffer.ptr, buf, len);
    r->io.buffer.pos += len;
    return 1;
}

static size_t rioBufferRead(rio *r, void *buf, size_t len) {
    size_t avail = bstrLen(r->io.buffer.ptr) - (size_t)r->io.buffer.pos;
    if (avail < len) return 0;
    memcpy(buf, r->io.buffer.ptr + r->io.buffer.pos, len);
    r->io.buffer.pos += len;
    return 1;
}

static off_t rioBufferTell(rio *r) { return r->io.buffer.pos; }

int rioBufferShortOf(rio *r, uint64_t len) {
    if (r->read != rioBufferRead) return 0;
    return len > bstrLen(r->io.buffer.ptr) - (size_t)r->io.buffer.pos;
}
static int rioBufferFlush(rio *r) { (void)r; return 1; }

void rioInitWithBuffer(rio *r, bstr s) {
    rioInitCommon(r);
    r->read = rioBufferRead;
    r->write = rioBufferWrite;
    r->tell = rioBufferTell;
    r->flush = rioBufferFlush;
    r->io.buffer.ptr = s;
    r->io.buffer.pos = 0;
}

/* ---- stdio file ---- */
static size_t rioFileWrite(rio *r, const void *buf, size_t len) {
    size_t n = fwrite(buf, len, 1, r->io.file.fp);
    if (n != 1) return 0;
    r->io.file.buffered += len;
    /* Periodic fsync keeps the kernel from accumulating gigabytes of dirty
     * pages that would stall the final fsync (and the whole disk). */
    if (r->io.file.autosync && r->io.file.buffered >= r->io.file.autosync) {
        if (fflush(r->io.file.fp) != 0) return 0;
        if (fsync(fileno(r->io.file.fp)) != 0) return 0;
        r->io.file.buffered = 0;
    }
    return 1;
}

static size_t rioFileRead(rio *r, void *buf, size_t len) {
    return fread(buf, len, 1, r->io.file.fp) == 1;
}

static off_t rioFileTell(rio *r) { return ftello(r->io.file.fp); }
static int rioFileFlush(rio *r) { return fflush(r->io.file.fp) == 0; }

void rioInitWithFile(rio *r, FILE *fp) {
    rioInitCommon(r);
    r->read = rioFileRead;
    r->write = rioFileWrite;
    r->tell = rioFileTell;
    r->flush = rioFileFlush;
    r->io.file.fp = fp;
}

void rioSetAutoSync(rio *r, off_t bytes) {
    if (r->write == rioFileWrite) r->io.file.autosync = bytes;
}

/* ---- fd (pipe / socket) ---- */
static int rioFdWait(int fd, short events, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = events};
    int rc;
    do rc = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) errno = ETIMEDOUT;
    return rc > 0;
}

static int rioFdWriteAll(rio *r, const char *p, size_t len) {
    int timeout = r->io.fd.timeout_ms > 0 ? r->io.fd.timeout_ms : -1;   /* 0: wait for ever */
    if (connWriteAll(r->io.fd.fd, p, len, timeout) == 0) return 1;
    if (errno == ETIMEDOUT) r->flags |= RIO_FLAG_TIMEOUT;
    return 0;
}

static int rioFdWriterFlush(rio *r) {
    size_t pending = bstrLen(r->io.fd.buf);
    if (pending == 0) return 1;
    if (!rioFdWriteAll(r, r->io.fd.buf, pending)) return 0;
    bstrClear(r->io.fd.buf);
    return 1;
}

static size_t rioFdWrite(rio *r, const void *buf, size_t len) {
    r->io.fd.buf = bstrCatLen(r->io.fd.buf, buf, len);
    r->io.fd.pos += len;
    if (bstrLen(r->io.fd.buf) >= RIO_FD_WRITE_BUFFER) return (size_t)rioFdWriterFlush(r);
    return 1;
}

static size_t rioFdNoRead(rio *r, void *buf, size_t len) { (void)r; (void)buf; (void)len; return 0; }
static size_t rioFdNoWrite(rio *r, const void *buf, size_t len) { (void)r; (void)buf; (void)len; return 0; }
static off_t rioFdTell(rio *r) { return r->io.fd.pos; }
static int rioFdReaderFlush(rio *r) { (void)r; return 1; }

void rioInitWithFdWriter(rio *r, int fd, int timeout_ms) {
    rioInitCommon(r);
    r->read = rioFdNoRead;
    r->write = rioFdWrite;
    r->tell = rioFdTell;
    r->flush = rioFdWriterFlush;
    r->io.fd.fd = fd;
    r->io.fd.buf = bstrEmpty();
    r->io.fd.timeout_ms = timeout_ms;
}

/* Fetch more bytes into the read buffer, honoring read_limit. */
static int rioFdFill(rio *r, size_t want) {
    /* Compact consumed bytes away so the buffer does not grow without bound. */
    if (r->io.fd.bufpos) {
        bstrRange(r->io.fd.buf, (ssize_t)r->io.fd.bufpos, -1);
        r->io.fd.bufpos = 0;
    }
    size_t toread = want > RIO_FD_READ_CHUNK ? want : RIO_FD_READ_CHUNK;
    if (r->io.fd.read_limit) {
        off_t left = r->io.fd.read_limit - r->io.fd.read_so_far;
        if (left <= 0) return 0;
        if ((off_t)toread > left) toread = (size_t)left;
    }
    r->io.fd.buf = bstrMakeRoom(r->io.fd.buf, toread);
    for (;;) {
        ssize_t n = connRead(r->io.fd.fd, r->io.fd.buf + bstrLen(r->io.fd.buf), toread);
        if (n > 0) {
            bstrIncrLen(r->io.fd.buf, n);
            r->io.fd.read_so_far += n;
            return 1;
        }
        if (n == 0) return 0; /* peer closed */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!rioFdWait(r->io.fd.fd, connPollEvents(r->io.fd.fd, POLLIN), r->io.fd.timeout_ms)) {
                r->flags |= RIO_FLAG_TIMEOUT;
                return 0;
            }
            continue;
        }
        return 0;
    }
}

static size_t rioFdRead(rio *r, void *buf, size_t len) {
    while (bstrLen(r->io.fd.buf) - r->io.fd.bufpos < len) {
        size_t have = bstrLen(r->io.fd.buf) - r->io.fd.bufpos;
        if (!rioFdFill(r, len - have)) return 0;
    }
    memcpy(buf, r->io.fd.buf + r->io.fd.bufpos, len);
    r->io.fd.bufpos += len;
    r->io.fd.pos += len;
    return 1;
}

void rioInitWithFdReader(rio *r, int fd, off_t read_limit, int timeout_ms) {
    rioInitCommon(r);
    r->read = rioFdRead;
    r->write = rioFdNoWrite;
    r->tell = rioFdTell;
    r->flush = rioFdReaderFlush;
    r->io.fd.fd = fd;
    r->io.fd.buf = bstrEmpty();
    r->io.fd.read_limit = read_limit;
    r->io.fd.timeout_ms = timeout_ms;
}

size_t rioFdReaderPending(rio *r, const char **p) {
    if (p) *p = r->io.fd.buf + r->io.fd.bufpos;
    return bstrLen(r->io.fd.buf) - r->io.fd.bufpos;
}

void rioFreeFd(rio *r) {
    if (r->io.fd.buf) bstrFree(r->io.fd.buf);
    r->io.fd.buf = NULL;
}

size_t rioWriteBulkCount(rio *r, char prefix, long count) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%c%ld\r\n", prefix, count);
    return rioWrite(r, buf, (size_t)n) ? (size_t)n : 0;
}
