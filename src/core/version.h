/* The one version string every binary reports (server, cli, benchmark). */
#ifndef CORE_VERSION_H
#define CORE_VERSION_H
#define VALKEY_VERSION "8.0.1"
#define VALKEY_VERSION_NUM 0x00080001
#endif
