#ifndef TD_REPORT_INTERNAL_H
#define TD_REPORT_INTERNAL_H

#include "report/report.h"
#include "tls/names.h"

const char *td_cert_type_name(uint8_t t);
const char *td_alert_level_name(uint8_t l);

#endif
