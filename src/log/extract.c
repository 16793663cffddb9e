/* Host, port and name out of a raw line, so that the next-step command can be
 * pasted: a URL (https://host:port/), curl's "Connected to H (IP) port P" and
 * "in connection to H:P", nginx's upstream/server fields, Apigee's
 * "Remote:IP:PORT", and the names the hostname checks quote. Whatever is
 * taken must look like a host name or address: no shell metacharacter from a
 * hostile log ever reaches a command. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "log/internal.h"

#include "base/banned.h"

static bool host_char(uint8_t c) { return isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '*'; }

/* Case-insensitive search in a bounded (not NUL-terminated) line. */
static const uint8_t *find(const uint8_t *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++) {
        if (strncasecmp((const char *)s + i, needle, n) == 0) {
            return s + i + n;
        }
    }
    return NULL;
}

/* Copies the host-like run at p (after optional quotes/brackets) into out;
 * its length, 0 when none. */
static size_t take_host(const uint8_t *p, const uint8_t *end, char *out, size_t cap, bool allow_colon)
{
    while (p < end && (*p == '\'' || *p == '"' || *p == ' ' || *p == '[')) {
        p++;
    }
    size_t n = 0;
    while (p + n < end && host_char(p[n]) && (allow_colon || p[n] != ':')) {
        n++;
    }
    while (n > 0 && (p[n - 1] == '.' || p[n - 1] == ':')) {
        n--; /* a sentence's full stop, "host:" before a port */
    }
    if (n == 0 || n >= cap) {
        return 0;
    }
    td_memcopy(out, p, n);
    out[n] = '\0';
    return n;
}

static void take_port(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p + n < end && isdigit(p[n]) && n < 5) {
        n++;
    }
    if (n > 0 && n < cap && !(p + n < end && isdigit(p[n]))) {
        td_memcopy(out, p, n);
        out[n] = '\0';
    }
}

/* host:port at p (IPv6 in brackets). */
static void take_host_port(const uint8_t *p, const uint8_t *end, struct td_log_finding *f)
{
    bool bracket = p < end && *p == '[';
    char host[sizeof f->host];
    size_t n = take_host(p, end, host, sizeof host, bracket);
    if (n == 0) {
        return;
    }
    td_memcopy(f->host, host, n + 1);
    const uint8_t *q = p + (bracket ? 1 : 0) + n + (bracket ? 1 : 0);
    if (q < end && *q == ':') {
        take_port(q + 1, end, f->port, sizeof f->port);
    }
}

/* Hosts of the help pages error messages link to ("see https://curl.se/..."): never the server. */
static bool doc_host(const char *h)
{
    static const char *const docs[] = {"curl.haxx.se", "curl.se",   "www.openssl.org",   "docs.python.org",
                                       "aka.ms",       "nginx.org", "stackoverflow.com", "github.com"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        if (strcasecmp(h, docs[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The first URL on the line that is not a help page. */
static bool take_url(const uint8_t *s, size_t len, struct td_log_finding *f)
{
    const uint8_t *end = s + len, *p = s;
    while ((p = find(p, (size_t)(end - p), "https://")) != NULL) {
        struct td_log_finding t;
        t.host[0] = t.port[0] = '\0';
        take_host_port(p, end, &t);
        if (t.host[0] && !doc_host(t.host)) {
            td_memcopy(f->host, t.host, sizeof f->host);
            td_memcopy(f->port, t.port, sizeof f->port);
            return true;
        }
    }
    return false;
}

static void extract_target(const uint8_t *s, size_t len, struct td_log_finding *f)
{
    const uint8_t *end = s + len, *p;
    if (take_url(s, len, f)) {
        return;
    } else if ((p = find(s, len, "connected to "))) {
        take_host(p, end, f->host, sizeof f->host, false);
        const uint8_t *q = find(p, (size_t)(end - p), " port ");
        if (q) {
            take_port(q, end, f->port, sizeof f->port);
        }
    } else if ((p = find(s, len, "connection to ")) || (p = find(s, len, "remote:")) ||
               (p = find(s, len, "remote address:")) || (p = find(s, len, "-connect "))) {
        take_host_port(p, end, f);
    } else if ((p = find(s, len, "trying "))) {
        take_host_port(p, end, f);
        f->host_weak = f->host[0] != '\0';
    } else if ((p = find(s, len, "server: ")) && find(s, len, "client: ")) {
        take_host_port(p, end, f);
    }
}

/* The name a hostname check wanted. */
static void extract_name(const uint8_t *s, size_t len, struct td_log_finding *f)
{
    static const char *const after[] = {
        "target host name '",
        "target hostname '",
        "does not match target host name '",
        "dns name matching ",
        "no name matching ",
        ", not ",
        "but wanted to match ",
        "not valid for '",
        "host: ",
        "servername ",
        "does not match \"",
        "peer certificate cn mismatch",
        "type=host_name (0), value=",
    };
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        const uint8_t *p = find(s, len, after[i]);
        if (p && take_host(p, s + len, f->name, sizeof f->name, false)) {
            return;
        }
    }
}

void td_log_extract(const uint8_t *line, size_t len, struct td_log_finding *f)
{
    if (!f->host[0] || f->host_weak) {
        struct td_log_finding t;
        t.host[0] = t.port[0] = '\0';
        t.host_weak = false;
        extract_target(line, len, &t);
        if (t.host[0] && (!f->host[0] || !t.host_weak)) {
            td_memcopy(f->host, t.host, sizeof f->host);
            td_memcopy(f->port, t.port, sizeof f->port);
            f->host_weak = t.host_weak;
        }
    }
    if (!f->name[0]) {
        extract_name(line, len, f);
    }
    if (strcmp(f->host, "0.0.0.0") == 0 || strcmp(f->host, "::") == 0) {
        f->host[0] = '\0'; /* a listen address: the server is this host */
        td_memcopy(f->host, "localhost", sizeof "localhost");
    }
    if (f->port[0] && !f->host[0]) {
        f->port[0] = '\0';
    }
}
