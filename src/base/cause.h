/* The one cause vocabulary of tlsdiag: every verdict of tlsdiag pcap (and
 * lab) and every finding of tlsdiag cert and tlsdiag probe names one of these
 * causes by enum. Declared once in base/causes.def; the slugs are the stable
 * `cause` values of the JSON outputs. */
#ifndef TD_BASE_CAUSE_H
#define TD_BASE_CAUSE_H

#include <stdbool.h>

enum td_cause {
#define CAUSE(id, sev, sides, cmds, slug, title, fix) TD_CAUSE_##id,
#include "base/causes.def"
#undef CAUSE
    TD_CAUSE_COUNT
};

/* The severity of a finding (tlsdiag cert, tlsdiag probe). */
enum td_sev { TD_SEV_INFO, TD_SEV_WARNING, TD_SEV_ERROR };
const char *td_sev_name(enum td_sev s);

/* Whose configuration or certificate a cause concerns (bits). */
enum {
    TD_SIDES_CLIENT = 1u << 0,
    TD_SIDES_SERVER = 1u << 1,
    TD_SIDES_NETWORK = 1u << 2,
    TD_SIDES_LOCAL = 1u << 3, /* the input itself: capture, files given */
};

/* Which commands may emit a cause (bits). */
enum {
    TD_CMD_PCAP = 1u << 0,   /* a verdict of tlsdiag pcap (and lab) */
    TD_CMD_CERT = 1u << 1,   /* a finding of tlsdiag cert */
    TD_CMD_PROBE = 1u << 2,  /* a finding of tlsdiag probe */
    TD_CMD_CONFIG = 1u << 3, /* a finding of tlsdiag config */
    TD_CMD_LOG = 1u << 4,    /* a failure recognised by tlsdiag log */
};

struct td_cause_info {
    const char *slug;
    const char *title;
    const char *resolution; /* the generic fix */
    enum td_sev severity;   /* the usual severity of a finding with this cause */
    unsigned sides;         /* TD_SIDES_* */
    unsigned commands;      /* TD_CMD_* */
};
/* Never NULL: out of range gives TD_CAUSE_UNKNOWN's. */
const struct td_cause_info *td_cause_info(enum td_cause c);
/* The cause of a slug; false when no cause has it. */
bool td_cause_from_slug(const char *slug, enum td_cause *out);

#endif
