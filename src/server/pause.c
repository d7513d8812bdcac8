/* pause: the CLIENT PAUSE state (mode and end time) and FAILOVER's own write
 * pause, which CLIENT UNPAUSE must not lift. Commands a pause covers are
 * postponed by processCommand through blockPostponeClient(); when every pause
 * is over, each postponed client is queued to re-run its command. Replicas and
 * our primary are never paused. */
#include "server/server.h"

static int pause_type = PAUSE_NONE;
static mstime_t pause_end;
static int failover_pause;

static int clientPauseType(void) {
    if (pause_type != PAUSE_NONE && mstime() >= pause_end) return PAUSE_NONE;
    return pause_type;
}

/* A second pause never shortens nor relaxes the current one: the later end
 * time and the stricter mode win (checked against the reference server). */
void pauseClients(mstime_t end, int type) {
    if (clientPauseType() == PAUSE_NONE) {
        pause_end = end;
        pause_type = type;
        return;
    }
    if (end > pause_end) pause_end = end;
    if (type > pause_type) pause_type = type;
}

void unpauseClients(void) {
    pause_type = PAUSE_NONE;
    pause_end = 0;
    if (!failover_pause) unblockPostponedClients();
}

void pauseForFailover(int on) {
    failover_pause = on;
    if (!on && clientPauseType() == PAUSE_NONE) unblockPostponedClients();
}

int pauseActiveType(void) {
    int type = clientPauseType();
    if (failover_pause && type < PAUSE_WRITE) type = PAUSE_WRITE;
    return type;
}

int pauseDatasetFrozen(void) { return pauseActiveType() != PAUSE_NONE; }

int pauseShouldPostpone(client *c, int may_replicate) {
    int type = pauseActiveType();
    if (type == PAUSE_NONE) return 0;
    if (c->flags & (CLIENT_REPLICA | CLIENT_PRIMARY | CLIENT_FAKE)) return 0;
    return type == PAUSE_ALL || may_replicate;
}

void pauseCheckEnd(void) {
    if (pause_type != PAUSE_NONE && clientPauseType() == PAUSE_NONE) unpauseClients();
}
