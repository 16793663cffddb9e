/* The frame of every tlsdiag HTML page: a Content-Security-Policy that lets
 * the page fetch nothing (no script, no font, no image but data: URLs), and
 * inline CSS that also prints (colours kept, <details> opened, no links
 * underlined). */
#include "report/report.h"

#include "base/banned.h"

static const char css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em auto;max-width:1100px;"
    "color:#1b1f24;padding:0 1em}\n"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;border-bottom:1px solid #ccd;margin-top:1.6em}"
    "h3{font-size:1em;margin:.3em 0}\n"
    "code,pre,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12.5px}\n"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d4da;padding:2px 8px;"
    "text-align:left;vertical-align:top}th{background:#f0f2f5}td.n{text-align:right}\n"
    ".conn{border:1px solid #d0d4da;border-radius:6px;padding:.6em 1em;margin:1em 0;break-inside:avoid-page}\n"
    ".conn.failed{border-left:6px solid #c62828}.conn.ok{border-left:6px solid #2e7d32}\n"
    ".bad{color:#c62828;font-weight:600}.good{color:#2e7d32;font-weight:600}.warn{color:#a15c00}\n"
    ".cause{font-size:1.1em}.slug{color:#555;font-family:monospace}\n"
    ".evidence li{margin:.15em 0}.fix{background:#fff8e1;border:1px solid #f0d58c;padding:.3em .6em;"
    "border-radius:4px}\n"
    "svg.ladder,svg.okladder,svg.chart{display:block;max-width:100%;height:auto;margin:.4em 0}\n"
    "svg text{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}svg text.d{font-size:11px}\n"
    "svg .msg:target rect.hl{fill:#fff3a0}svg rect.hl{fill:transparent}\n"
    "ul.chain,ul.chain ul{list-style:none;padding-left:1.3em;margin:.2em 0}"
    "ul.chain li{position:relative}ul.chain li:before{content:'\\2514\\2500 ';color:#888}\n"
    ".cert.fault{color:#c62828;font-weight:600}.cert.missing{color:#c62828;font-style:italic}\n"
    "nav.index a{margin-right:.6em}.note{color:#555}td.what{min-width:18em}\n"
    "details{margin:.3em 0}summary{cursor:pointer}\n"
    "@media print{body{max-width:none;margin:0;font-size:11px}a{color:inherit;text-decoration:none}"
    "nav.index{display:none}.conn{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

void td_html_page_begin(struct td_buf *out, const char *title)
{
    td_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'; img-src data:\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"generator\" content=\"tlsdiag\">\n<title>");
    td_html_esc(out, title);
    td_buf_puts(out, "</title>\n<style>\n");
    td_buf_puts(out, css);
    td_buf_puts(out, "</style>\n</head>\n<body>\n");
}

void td_html_page_end(struct td_buf *out)
{
    td_buf_puts(out, "<footer class=\"note\"><p>Written by tlsdiag. This page is self-contained: it loads nothing "
                     "and runs no script.</p></footer>\n</body>\n</html>\n");
}

void td_html_page_begin_targets(struct td_buf *out, const char *what, char *const *targets, size_t n)
{
    struct td_buf title = {0};
    td_buf_printf(&title, "%s:", what);
    for (size_t i = 0; i < n; i++) {
        td_buf_printf(&title, " %s", targets[i]);
    }
    td_html_page_begin(out, td_buf_cstr(&title));
    td_buf_puts(out, "<h1>");
    td_html_esc(out, td_buf_cstr(&title));
    td_buf_puts(out, "</h1>\n");
    td_buf_free(&title);
}
