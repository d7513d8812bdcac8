/* config: the table of every configuration directive (name, aliases, type,
 * bounds, default, flags, apply hook), the valkey.conf loader, and the CONFIG
 * command family. Invariant: every directive's live value sits in `server`,
 * and CONFIG GET output re-parses to the same value through CONFIG SET. */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H
#include "server/server.h"

extern const serverCommandDef configCommandTable[];

void configCommand(client *c);
void configGetCommand(client *c);
void configSetCommand(client *c);
void configResetStatCommand(client *c);
void configRewriteCommand(client *c);
void configHelpCommand(client *c);

/* Rewrites `path` from the live configuration (used by CONFIG REWRITE).
 * 0 on success, -1 with errno set. */
int configRewriteFile(const char *path);

#endif
