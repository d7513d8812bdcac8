#include "core/eventloop.h"
#include "core/zmalloc.h"
#include "core/util.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct epollState { struct epoll_event *events; } epollState;

eventLoop *elCreate(int setsize) {
    eventLoop *el = zcalloc(sizeof(*el));
    el->events = zcalloc(sizeof(elFileEvent) * (size_t)setsize);
    el->firedFds = zmalloc(sizeof(int) * (size_t)setsize);
    el->firedMasks = zmalloc(sizeof(int) * (size_t)setsize);
    epollState *st = zmalloc(sizeof(*st));
    st->events = zmalloc(sizeof(struct epoll_event) * (size_t)setsize);
    el->apidata = st;
    el->setsize = setsize;
    el->maxfd = -1;
    el->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (el->epfd == -1) {
        elDelete(el);
        return NULL;
    }
    return el;
}

int elGetSetSize(eventLoop *el) { return el->setsize; }

int elResizeSetSize(eventLoop *el, int setsize) {
    if (setsize == el->setsize) return EL_OK;
    if (el->maxfd >= setsize) return EL_ERR;
    epollState *st = el->apidata;
    st->events = zrealloc(st->events, sizeof(struct epoll_event) * (size_t)setsize);
    el->events = zrealloc(el->events, sizeof(elFileEvent) * (size_t)setsize);
    el->firedFds = zrealloc(el->firedFds, sizeof(int) * (size_t)setsize);
    el->firedMasks = zrealloc(el->firedMasks, sizeof(int) * (size_t)setsize);
    for (int i = el->setsize; i < setsize; i++) el->events[i].mask = EL_NONE;
    el->setsize = setsize;
    return EL_OK;
}

void elDelete(eventLoop *el) {
    if (!el) return;
    epollState *st = el->apidata;
    if (el->epfd != -1) close(el->epfd);
    if (st) { zfree(st->events); zfree(st); }
    elTimeEvent *te = el->timeEventHead;
    while (te) { elTimeEvent *n = te->next; zfree(te); te = n; }
    zfree(el->events);
    zfree(el->firedFds);
    zfree(el->firedMasks);
    zfree(el);
}

void elStop(eventLoop *el) { el->stop = 1; }

static int epollUpdate(eventLoop *el, int fd, int oldmask, int newmask) {
    struct epoll_event ee = {0};
    ee.events = 0;
    if (newmask & EL_READABLE) ee.events |= EPOLLIN;
    if (newmask & EL_WRITABLE) ee.events |= EPOLLOUT;
    ee.data.fd = fd;
    int op;
    if (newmask == EL_NONE) op = EPOLL_CTL_DEL;
    else op = oldmask == EL_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    return epoll_ctl(el->epfd, op, fd, &ee);
}

int elCreateFileEvent(eventLoop *el, int fd, int mask, elFileProc *proc, void *clientData) {
    if (fd >= el->setsize) {
        errno = ERANGE;
        return EL_ERR;
    }
    elFileEvent *fe = &el->events[fd];
    int newmask = fe->mask | (mask & (EL_READABLE | EL_WRITABLE));
    if (epollUpdate(el, fd, fe->mask & (EL_READABLE | EL_WRITABLE), newmask) == -1) return EL_ERR;
    fe->mask |= mask;
    if (mask & EL_READABLE) fe->rfileProc = proc;
    if (mask & EL_WRITABLE) fe->wfileProc = proc;
    fe->clientData = clientData;
    if (fd > el->maxfd) el->maxfd = fd;
    return EL_OK;
}

void elDeleteFileEvent(eventLoop *el, int fd, int mask) {
    if (fd >= el->setsize) return;
    elFileEvent *fe = &el->events[fd];
    if (fe->mask == EL_NONE) return;
    if (mask & EL_WRITABLE) mask |= EL_BARRIER;
    int old = fe->mask & (EL_READABLE | EL_WRITABLE);
    fe->mask &= ~mask;
    epollUpdate(el, fd, old, fe->mask & (EL_READABLE | EL_WRITABLE));
    if (fd == el->maxfd && fe->mask == EL_NONE) {
        int j;
        for (j = el->maxfd - 1; j >= 0; j--)
            if (el->events[j].mask != EL_NONE) break;
        el->maxfd = j;
    }
}

int elGetFileEvents(eventLoop *el, int fd) {
    if (fd >= el->setsize) return 0;
    return el->events[fd].mask;
}

long long elCreateTimeEvent(eventLoop *el, long long milliseconds, elTimeProc *proc, void *clientData) {
    elTimeEvent *te = zmalloc(sizeof(*te));
    te->id = el->timeEventNextId++;
    te->when_us = monotonic_us() + milliseconds * 1000;
    te->proc = proc;
    te->clientData = clientData;
    te->deleted = 0;
    te->next = el->timeEventHead;
    el->timeEventHead = te;
    return te->id;
}

int elDeleteTimeEvent(eventLoop *el, long long id) {
    for (elTimeEvent *te = el->timeEventHead; te; te = te->next) {
        if (te->id == id) {
            te->deleted = 1;
            return EL_OK;
        }
    }
    return EL_ERR;
}

static long long usUntilEarliestTimer(eventLoop *el) {
    long long earliest = -1;
    for (elTimeEvent *te = el->timeEventHead; te; te = te->next)
        if (!te->deleted && (earliest == -1 || te->when_us < earliest)) earliest = te->when_us;
    if (earliest == -1) return -1;
    long long now = monotonic_us();
    return earliest > now ? earliest - now : 0;
}

static int processTimeEvents(eventLoop *el) {
    int processed = 0;
    long long maxId = el->timeEventNextId - 1;
    long long now = monotonic_us();
    elTimeEvent *prev = NULL, *te = el->timeEventHead;
    while (te) {
        if (te->deleted) {
            elTimeEvent *next = te->next;
            if (prev) prev->next = next;
            else el->timeEventHead = next;
            zfree(te);
            te = next;
            continue;
        }
        if (te->id <= maxId && te->when_us <= now) {
            int ret = te->proc(el, te->id, te->clientData);
            processed++;
            now = monotonic_us();
            if (ret != EL_NOMORE) te->when_us = now + (long long)ret * 1000;
            else te->deleted = 1;
        }
        prev = te;
        te = te->next;
    }
    return processed;
}

int elProcessEvents(eventLoop *el, int flags) {
    int processed = 0;
    if (!(flags & EL_TIME_EVENTS) && !(flags & EL_FILE_EVENTS)) return 0;
    if (el->maxfd != -1 || ((flags & EL_TIME_EVENTS) && !(flags & EL_DONT_WAIT))) {
        if ((flags & EL_CALL_BEFORE_SLEEP) && el->beforesleep) el->beforesleep(el);
        int timeout_ms;
        if ((flags & EL_DONT_WAIT) || (el->flags & EL_DONT_WAIT)) {
            timeout_ms = 0;
        } else if (flags & EL_TIME_EVENTS) {
            long long us = usUntilEarliestTimer(el);
            timeout_ms = us < 0 ? -1 : (int)((us + 999) / 1000);
        } else {
            timeout_ms = -1;
        }
        epollState *st = el->apidata;
        int numevents = epoll_wait(el->epfd, st->events, el->setsize, timeout_ms);
        if (numevents < 0) numevents = 0;
        if ((flags & EL_CALL_AFTER_SLEEP) && el->aftersleep) el->aftersleep(el);
        for (int j = 0; j < numevents; j++) {
            struct epoll_event *e = &st->events[j];
            int mask = 0;
            if (e->events & EPOLLIN) mask |= EL_READABLE;
            if (e->events & EPOLLOUT) mask |= EL_WRITABLE;
            if (e->events & (EPOLLERR | EPOLLHUP)) mask |= EL_READABLE | EL_WRITABLE;
            int fd = e->data.fd;
            elFileEvent *fe = &el->events[fd];
            int fired = 0;
            /* Normally read before write (a reply can go out in the same
             * iteration); BARRIER inverts it (fsync before replying). */
            int invert = fe->mask & EL_BARRIER;
            if (!invert && (fe->mask & mask & EL_READABLE)) {
                fe->rfileProc(el, fd, fe->clientData, mask);
                fired++;
                fe = &el->events[fd];
            }
            if (fe->mask & mask & EL_WRITABLE) {
                if (!fired || fe->wfileProc != fe->rfileProc) {
                    fe->wfileProc(el, fd, fe->clientData, mask);
                    fired++;
                }
            }
            if (invert) {
                fe = &el->events[fd];
                if ((fe->mask & mask & EL_READABLE) && (!fired || fe->wfileProc != fe->rfileProc)) {
                    fe->rfileProc(el, fd, fe->clientData, mask);
                    fired++;
                }
            }
            processed++;
        }
    }
    if (flags & EL_TIME_EVENTS) processed += processTimeEvents(el);
    return processed;
}

int elWait(int fd, int mask, long long milliseconds) {
    struct pollfd pfd = {.fd = fd};
    if (mask & EL_READABLE) pfd.events |= POLLIN;
    if (mask & EL_WRITABLE) pfd.events |= POLLOUT;
    int r = poll(&pfd, 1, (int)milliseconds);
    if (r == 1) {
        int ret = 0;
        if (pfd.revents & POLLIN) ret |= EL_READABLE;
        if (pfd.revents & POLLOUT) ret |= EL_WRITABLE;
        if (pfd.revents & (POLLERR | POLLHUP)) ret |= EL_WRITABLE;
        return ret;
    }
    return r;
}

void elMain(eventLoop *el) {
    el->stop = 0;
    while (!el->stop)
        elProcessEvents(el, EL_ALL_EVENTS | EL_CALL_BEFORE_SLEEP | EL_CALL_AFTER_SLEEP);
}

void elSetBeforeSleepProc(eventLoop *el, elBeforeSleepProc *p) { el->beforesleep = p; }
void elSetAfterSleepProc(eventLoop *el, elBeforeSleepProc *p) { el->aftersleep = p; }
/* Input a layer above the socket already holds (TLS records decrypted ahead)
 * never makes the fd readable again: its owner asks for the handler directly. */
void elFireReadable(eventLoop *el, int fd) {
    if (fd < 0 || fd >= el->setsize) return;
    elFileEvent *fe = &el->events[fd];
    if (fe->mask & EL_READABLE) fe->rfileProc(el, fd, fe->clientData, EL_READABLE);
}

void elSetDontWait(eventLoop *el, int noWait) {
    if (noWait) el->flags |= EL_DONT_WAIT;
    else el->flags &= ~EL_DONT_WAIT;
}
