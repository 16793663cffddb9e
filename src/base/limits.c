#include "base/limits.h"

#include "base/banned.h"

void td_limits_default(struct td_limits *l)
{
    l->ooo_bytes = 256 * 1024;
    l->max_live_flows = 65536;
    l->idle_timeout_sec = 300;
    l->tombstone_idle_sec = 120;
    l->hs_message_max = 1024 * 1024; /* real chains reach 340 KB; per direction, freed per message */
    l->max_messages = 256;
    l->max_certs = 16;
    l->keep_client_hello = 0;
}
