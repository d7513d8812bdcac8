/* acl: users, their passwords and permissions (commands, key patterns,
 * channel patterns, selectors), authentication, per-command enforcement, the
 * ACL LOG and the ACL command. Invariants: the "default" user always exists;
 * a client whose c->user is NULL runs as "default"; passwords are only ever
 * stored as SHA-256 hex. The entry points the rest of the server calls are
 * declared in server/server.h (section "ACL"); this header adds nothing more
 * than what tests and tools might need. */
#ifndef SECURITY_ACL_H
#define SECURITY_ACL_H
#include "server/server.h"

/* Results of a permission check, also the ACL LOG reasons. */
#define ACL_OK 0
#define ACL_DENIED_CMD 1
#define ACL_DENIED_KEY 2
#define ACL_DENIED_AUTH 3
#define ACL_DENIED_CHANNEL 4

/* Selector flag shared with the acl-pubsub-default config enum value. */
#define ACL_SEL_ALLCHANNELS (1 << 5)

#endif
