/* tlsdiag config's inputs, told apart by content (Apigee XML and JSON,
 * properties, nginx, HAProxy, Envoy YAML), parsed and linted: no input may
 * crash, leak or read out of bounds. */
#include "config/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct td_conf_file f;
    td_conf_file_parse("fuzz", data, size, &f);
    td_conf_file_free(&f);
    const char *path = td_fuzz_path(data, size);
    if (!path) {
        return 0;
    }
    struct td_conf_opts o = {.at = 1767225600};
    struct td_conf_report r;
    td_config_lint(&path, 1, &o, &r);
    td_conf_report_free(&r);
    return 0;
}
