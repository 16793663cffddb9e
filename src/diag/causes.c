#include "diag/diag.h"

#include "base/banned.h"

static const struct td_cause_info table[] = {
#define CAUSE(id, slug, title, fix) {slug, title, fix},
#include "diag/causes.def"
#undef CAUSE
};

const struct td_cause_info *td_cause_info(enum td_cause c)
{
    return (unsigned)c < TD_CAUSE_COUNT ? &table[c] : &table[TD_CAUSE_UNKNOWN];
}

const char *td_confidence_name(enum td_confidence c)
{
    return c == TD_CONF_HIGH ? "high" : c == TD_CONF_MEDIUM ? "medium" : "low";
}

const char *td_side_name(enum td_side s)
{
    switch (s) {
    case TD_SIDE_CLIENT:
        return "client";
    case TD_SIDE_SERVER:
        return "server";
    case TD_SIDE_NETWORK:
        return "network";
    case TD_SIDE_BOTH:
        return "both";
    default:
        return "none";
    }
}
