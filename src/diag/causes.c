#include "diag/diag.h"

#include "base/banned.h"

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
