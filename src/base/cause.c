#include "base/cause.h"

#include <string.h>

#include "base/banned.h"

/* The short names causes.def uses for its SEVERITY, SIDES and COMMANDS. */
#define C TD_SIDES_CLIENT
#define S TD_SIDES_SERVER
#define N TD_SIDES_NETWORK
#define L TD_SIDES_LOCAL
#define PCAP TD_CMD_PCAP
#define CERT TD_CMD_CERT
#define PROBE TD_CMD_PROBE
#define CONFIG TD_CMD_CONFIG
#define LOG TD_CMD_LOG

static const struct td_cause_info table[] = {
#define CAUSE(id, sev, sides, cmds, slug, title, fix) {slug, title, fix, TD_SEV_##sev, sides, cmds},
#include "base/causes.def"
#undef CAUSE
};

#undef C
#undef S
#undef N
#undef L
#undef PCAP
#undef CERT
#undef PROBE
#undef CONFIG
#undef LOG

_Static_assert(sizeof table / sizeof table[0] == TD_CAUSE_COUNT, "one row per cause");

const struct td_cause_info *td_cause_info(enum td_cause c)
{
    return (unsigned)c < TD_CAUSE_COUNT ? &table[c] : &table[TD_CAUSE_UNKNOWN];
}

bool td_cause_from_slug(const char *slug, enum td_cause *out)
{
    for (int i = 0; slug && i < TD_CAUSE_COUNT; i++) {
        if (strcmp(table[i].slug, slug) == 0) {
            *out = (enum td_cause)i;
            return true;
        }
    }
    return false;
}

const char *td_sev_name(enum td_sev s)
{
    return s == TD_SEV_ERROR ? "error" : s == TD_SEV_WARNING ? "warning" : "info";
}
