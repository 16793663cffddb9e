#!/bin/bash
# tlsdiag pcap --html and tlsdiag probe --html, opened in headless Chromium
# inside a private network namespace: the DOM Chromium builds has one ladder
# per failed connection that --json reports, each one's cause, no script
# element, no external URL, and Chromium's net log no request from the page;
# hostile names (an SNI with <script>, a certificate subject with <b>) stay
# text; a 100,000-connection capture gives a page of bounded size.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
export HOME=$W/home
mkdir -p "$HOME"

chrome() { # page.html out [chromium args...]: headless, nothing reachable, no background traffic
  page=$1 out=$2; shift 2
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --disable-default-apps --no-first-run \
    --user-data-dir="$W/chrome" --host-resolver-rules='MAP * ~NOTFOUND' "$@" "file://$page" >"$out" 2>"$out.log"
}

# expected T FILES...: html_check arguments from tlsdiag pcap --json: the
# failed connections (and HTTP answers) with their causes, and the others.
expected() {
  t=$1; shift
  "$t" pcap --json "$@" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip()]
failed = [o for o in objs if o.get("outcome") == "failed" or o.get("outcome_revised") == "failed"]
print("--ladders %d --okladders %d" % (len(failed), len(objs) - len(failed)))
print(" ".join("--slug " + o["cause"] for o in failed if o.get("cause")))'
}

# page_ok T NAME FILES...: the page of FILES, the text and JSON unchanged beside it, and the DOM as expected.
page_ok() {
  t=$1 name=$2; shift 2
  "$t" pcap --html "$W/$name.html" "$@" >"$W/$name.txt"
  rc=$?
  [ $rc -le 1 ] || { echo "tlsdiag pcap --html: exit $rc"; return 1; }
  "$t" pcap "$@" >"$W/$name.plain"
  [ $? = $rc ] || { echo "exit status differs with --html"; return 1; }
  cmp "$W/$name.txt" "$W/$name.plain" || { echo "the text differs with --html"; return 1; }
  "$t" pcap --json --html "$W/$name.j.html" "$@" >"$W/$name.jh"
  "$t" pcap --json "$@" | cmp - "$W/$name.jh" || { echo "the JSON differs with --html"; return 1; }
  chrome "$W/$name.html" "$W/$name.dom" --log-net-log="$W/$name.net" --dump-dom || { tail "$W/$name.dom.log"; return 1; }
  # shellcheck disable=SC2046
  python3 tests/lib/html_check.py "$W/$name.dom" $(expected "$t" "$@") --raw "$W/$name.html" --netlog "$W/$name.net"
}

# A server whose certificate subject is markup, and a client whose SNI is a script.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/evil.key" -out "$W/evil.crt" \
  -days 30 -subj '/CN=<b>bold<\/b> "q"' 2>/dev/null
EVIL_SNI='<script>alert(1)</script>"'"'"
ossl_srv 7301 -cert "$W/evil.crt" -key "$W/evil.key" -tls1_2
cap_start lo "$W/evil.pcap" "tcp port 7301"
openssl s_client -connect 127.0.0.1:7301 -tls1_2 -servername "$EVIL_SNI" -CAfile "$P/root.crt" -verify_return_error \
  </dev/null >/dev/null 2>&1
cap_stop
stop_pid "$SRV"

# Probe targets: an expired leaf (a finding), and a good TLS 1.2+1.3 server.
pki_failures "$P" >/dev/null
ossl_srv 7401 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
ossl_srv 7402 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"

# The lab's captures, and a capture of 100,000 connections made of two of them.
"${TLSDIAGS%% *}" lab -w "$W/lab" >/dev/null
big() { python3 tests/lib/pcap_repeat.py 100000 2000 "$W/lab/ok-tls13.pcap" "$W/lab/cipher-null-only-tls12.pcap" 10; }

gateway_above() { # the 503's section holds its own ladder and the failed backend handshake's
  python3 - "$W/lab.dom" <<'PY'
import sys
d = open(sys.argv[1]).read()
i = d.index("Gateway answer")
sec = d[d.rindex("<section", 0, i):d.index("</section>", i)]
assert "HTTP 503" in sec, "no 503 in the section"
assert sec.count('class="ladder"') == 2, sec.count('class="ladder"')
assert sec.index("Gateway answer") < sec.index("client Hello") if "client Hello" in sec else True
PY
}

charts_ok() { # failures over time by cause, and by server: every server that failed in the legend
  "$1" pcap --json "$LO" >"$W/lo.json"
  python3 - "$W/cap-openssl-lo.pcap.dom" "$W/lo.json" <<'PY'
import json, re, sys
d = open(sys.argv[1]).read()
objs = [json.loads(l) for l in open(sys.argv[2])]
charts = re.findall(r'<svg class="chart".*?</svg>', d, re.S)
assert len(charts) == 2, "%d charts" % len(charts)
assert "by cause" in charts[0] and "by server" in charts[1], "titles"
for o in objs:
    if o.get("outcome") == "failed":
        assert o["server"] in charts[1], o["server"] + " not in the chart by server"
        assert o["cause"] in charts[0], o["cause"] + " not in the chart by cause"
bars = len(re.findall(r"<rect [^>]*><title>", charts[1]))
assert bars >= 1, "no bar"
PY
}

chain_marked() { # the faulty link of the lab's chains is the one marked
  python3 - "$W/lab.dom" <<'PY'
import re, sys
d = open(sys.argv[1]).read()
secs = re.findall(r'<section class="conn failed".*?</section>', d, re.S)
def with_slug(slug):
    s = [x for x in secs if "[%s]" % slug in x]
    assert s, "no section for " + slug
    return s
for s in with_slug("incomplete_chain"):
    assert 'class="cert missing"' in s, "incomplete_chain: the missing issuer is not marked"
# TLS 1.2 shows the client's chain (1.3 encrypts it): its leaf is the one marked
marked = [re.search(r"The client's certificate chain.*?class=\"cert fault\">[^<]*client\.lab\.test", x, re.S)
          for x in with_slug("client_cert_untrusted")]
assert any(marked), "the untrusted client leaf is not marked"
assert any('class="cert fault"' in x for x in with_slug("expired_cert")), "expired: nothing marked"
PY
}

evil_ok() {
  "$1" pcap --html "$W/evil.html" "$W/evil.pcap" >/dev/null
  [ $? = 1 ] || { echo "exit status: not 1"; return 1; }
  chrome "$W/evil.html" "$W/evil.dom" --dump-dom &&
    python3 tests/lib/html_check.py "$W/evil.dom" --ladders 1 --no-tag 'b=bold' --no-tag 'script=alert' \
      --text "$EVIL_SNI" --text '<b>bold</b> "q"' --raw "$W/evil.html"
}

stdout_ok() {
  "$1" pcap --html - "$LO" >"$W/stdout.html"
  [ $? = 1 ] || { echo "exit status: not 1"; return 1; }
  head -c 15 "$W/stdout.html" | grep -q '<!DOCTYPE html>' && ! grep -q '^tcp.stream' "$W/stdout.html" &&
    cmp "$W/stdout.html" "$W/cap-openssl-lo.pcap.html"
}

unwritable_ok() {
  "$1" pcap --html "$W/no/such/dir/x.html" "$LO" >"$W/unw.out" 2>"$W/unw.err"
  [ $? = 2 ] || { echo "exit status: not 2"; return 1; }
  cat "$W/unw.err"
  grep -q 'no/such/dir/x.html' "$W/unw.err" && [ ! -s "$W/unw.out" ] && [ ! -e "$W/no" ] || return 1
  "$1" pcap --html-all "$LO" >/dev/null 2>&1
  [ $? = 2 ] || { echo "--html-all alone: not exit 2"; return 1; }
  sum=$(md5sum <"$LO")
  "$1" pcap --html "$LO" "$LO" >/dev/null 2>&1
  [ $? = 2 ] && [ "$(md5sum <"$LO")" = "$sum" ] || { echo "--html onto the capture read"; return 1; }
}

failed_only_ok() { # --failed: port checks are not failed handshakes, on the page as in the text
  f=tests/captures/failures-lo.pcap
  "$1" pcap --html "$W/every.html" "$f" >/dev/null
  "$1" pcap --failed --html "$W/failed.html" "$f" >"$W/failed.txt"
  [ $? = 1 ] || { echo "exit status: not 1"; return 1; }
  [ "$(grep -c '\[no_client_hello\]' "$W/every.html")" -gt 0 ] || { echo "no port check drawn without --failed"; return 1; }
  ! grep -q '\[no_client_hello\]' "$W/failed.html" && ! grep -q 'no_client_hello' "$W/failed.txt" &&
    [ "$(grep -c '<section class="conn failed"' "$W/failed.html")" = "$(grep -c '^tcp.stream' "$W/failed.txt")" ]
}

all_ok() {
  "$1" pcap --html-all --html "$W/all.html" "$ANY" >/dev/null
  chrome "$W/all.html" "$W/all.dom" --dump-dom &&
    # shellcheck disable=SC2046
    python3 tests/lib/html_check.py "$W/all.dom" $(expected "$1" "$ANY")
}

probe_ok() {
  "$1" probe --ca "$P/root.crt" --sni server.test --html "$W/probe.html" 127.0.0.1:7401 127.0.0.1:7402 >"$W/probe.txt"
  [ $? = 1 ] || { echo "exit status: not 1"; return 1; }
  grep -q expired_cert "$W/probe.txt" || { echo "text output lost"; return 1; }
  chrome "$W/probe.html" "$W/probe.dom" --log-net-log="$W/probe.net" --dump-dom &&
    python3 tests/lib/html_check.py "$W/probe.dom" --ladders 0 --slug expired_cert --text 127.0.0.1:7401 \
      --text 127.0.0.1:7402 --text TLSv1.3 --text TLS_AES_256_GCM_SHA384 --text 'CN=tlsdiag Test Intermediate CA' \
      --raw "$W/probe.html" --netlog "$W/probe.net" || return 1
  "$1" probe --ca "$P/root.crt" --html - 127.0.0.1:7402 | head -c 15 | grep -q '<!DOCTYPE html>'
}

big_ok() {
  big | "$1" pcap --summary --html "$W/big.html" - >"$W/big.txt"
  [ $? = 1 ] || { echo "exit status: not 1"; return 1; }
  grep -q 'TLS: 100000 (90000 ok, 10000 failed' "$W/big.txt" || { cat "$W/big.txt"; return 1; }
  size=$(wc -c <"$W/big.html")
  echo "# the page of 100,000 connections: $size bytes" | tee "$W/big.size"
  [ "$size" -lt 2000000 ] || { echo "page over 2 MB"; return 1; }
  chrome "$W/big.html" "$W/big.dom" --dump-dom &&
    python3 tests/lib/html_check.py "$W/big.dom" --ladders 20 --okladders 0 --slug cipher_mismatch \
      --text 9980 --text 90000 --text 'Not drawn'
}

shot_ok() { # T; TD_HTML_SHOT=doc/html-report.png: keep it (the README's)
  "$1" pcap --html "$W/shot.html" "$LO" >/dev/null
  chrome "$W/shot.html" "$W/shot.out" --hide-scrollbars --window-size=1000,1500 \
    --screenshot="$W/shot.png" || return 1
  python3 - "$W/shot.png" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert (w, h) == (1000, 1500) and len(d) > 20000, (w, h, len(d))
PY
  [ -z "${TD_HTML_SHOT:-}" ] || cp "$W/shot.png" "$TD_HTML_SHOT"
}

for T in $TLSDIAGS; do
  for f in tests/captures/*.pcap tests/captures/*.pcapng; do
    n=$(basename "$f")
    check "$T: $n: one ladder per failed connection, each cause shown, no script, nothing fetched" \
      page_ok "$T" "cap-$n" "$f"
  done
  check "$T: the lab's $(ls "$W"/lab/*.pcap | wc -l) captures in one page" page_ok "$T" lab "$W"/lab/*.pcap
  check "$T: the gateway's 503 is drawn above the southbound ladder it came from" gateway_above
  check "$T: the chain trees mark the faulty link (missing issuer, untrusted client leaf, expired)" chain_marked
  check "$T: failures over time by cause and by server, each failed server and cause in them" charts_ok "$T"
  check "$T: a hostile SNI and certificate subject render as text, not elements" evil_ok "$T"
  check "$T: --html - writes the page instead of the text, with the same exit status" stdout_ok "$T"
  check "$T: an unwritable --html path (or the capture itself) is exit 2 naming the file, and leaves nothing" \
    unwritable_ok "$T"
  check "$T: --failed leaves the port checks out of the page as out of the text" failed_only_ok "$T"
  check "$T: --html-all draws the connections that did not fail too" all_ok "$T"
  check "$T: probe --html: two targets probed at once; versions, suites, chain, findings" probe_ok "$T"
done

T=${TLSDIAGS%% *}
check "$T: 100,000 connections: a page under 2 MB, at most 20 failures per server and cause drawn, the rest counted" \
  big_ok "$T"
check "$T: a screenshot of a page (the README's)" shot_ok "$T"
cat "$W/big.size" 2>/dev/null
