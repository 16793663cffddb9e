#!/usr/bin/env python3
"""Compare tlsdiag's ladder with tshark's dissection of the same capture.

usage: compare_tshark.py [--auto-ports] [--streams-only] TLSDIAG CAPTURE [PORT...]

--auto-ports: also decode as TLS in tshark the server port of every
connection tlsdiag shows (captures from elsewhere, on any port).
--streams-only: compare only the tcp.stream of the frames both tools decode
(the numbering must agree everywhere, whatever else either one reads).

TD_KEYLOG=FILE in the environment decrypts with that key log in both tools
(tshark -o tls.keylog_file, tlsdiag --keylog): decrypted messages count too.

For every frame, the plaintext handshake message types, the plaintext alert
descriptions, the tcp.stream index, the SNI and the server's chosen cipher
suite must be the same in both. PORTs are decoded as TLS by tshark (-d).
Prints what differs and exits 1 if anything does; prints a one-line count and
exits 0 otherwise.
"""
import collections
import json
import os
import subprocess
import sys

ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
          86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
          109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
          115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol"}


def iana_suites():
    import csv
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "iana", "tls-cipher-suites.csv")
    out = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            v = row[0].split(",")
            if len(v) == 2 and row[1].startswith("TLS_") and "-" not in row[0]:
                out[row[1]] = int(v[0], 16) << 8 | int(v[1], 16)
    return out


def tshark(capture, ports):
    cmd = ["tshark", "-n", "-r", capture, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=,", "-e", "frame.number", "-e", "tcp.stream", "-e", "tls.handshake.type",
           "-e", "tls.alert_message.desc", "-e", "tls.handshake.extensions_server_name",
           "-e", "tls.handshake.ciphersuite", "-e", "tls.record.content_type",
           "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tls.desegment_ssl_records:TRUE",
           "-o", "tls.desegment_ssl_application_data:TRUE"]
    for p in ports:
        cmd += ["-d", "tcp.port==%s,tls" % p]
    if os.environ.get("TD_KEYLOG"):
        cmd += ["-o", "tls.keylog_file:" + os.environ["TD_KEYLOG"]]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = {}
    for line in out.splitlines():
        f = (line.split("\t") + [""] * 7)[:7]
        num, stream, hs, alert, sni, suite, ctype = f
        if not hs and not alert:
            continue
        frames[int(num)] = {
            "stream": int(stream) if stream else None,
            "hs": sorted(int(x) for x in hs.split(",") if x),
            "alerts": sorted(ALERTS.get(int(x), str(x)) for x in alert.split(",") if x),
            "sni": sni or None,
            "suite": int(suite.split(",")[-1], 0) if suite else None,
        }
    return frames


def tlsdiag(binary, capture):
    keylog = ["--keylog", os.environ["TD_KEYLOG"]] if os.environ.get("TD_KEYLOG") else []
    r = subprocess.run([binary, "pcap", "--json"] + keylog + [capture], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit("tlsdiag exited %d: %s" % (r.returncode, r.stderr))
    frames = collections.defaultdict(lambda: {"stream": set(), "hs": [], "alerts": [], "sni": None})
    conns = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    for c in conns:
        for m in c["messages"]:
            f = frames[m["frame"]]
            if m["type"] == "Alert" and not m.get("encrypted"):
                f["alerts"].append(m["description"])
                f["stream"].add(c["stream"])
            elif "handshake_type" in m and not m.get("sslv2_format"):
                f["hs"].append(m["handshake_type"])
                f["stream"].add(c["stream"])
                if m["type"] == "ClientHello" and m.get("sni"):
                    f["sni"] = m["sni"]
    for f in frames.values():
        f["hs"].sort()
        f["alerts"].sort()
    return {k: v for k, v in frames.items() if v["hs"] or v["alerts"]}, conns


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    args = sys.argv[1:]
    auto = "--auto-ports" in args
    streams_only = "--streams-only" in args
    args = [a for a in args if a not in ("--auto-ports", "--streams-only")]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, capture, ports = args[0], args[1], args[2:]
    got, conns = tlsdiag(binary, capture)
    if auto:
        # not the ports of connections with a plain-text preamble (SOCKS,
        # STARTTLS): tshark's own dissectors find the TLS there, and decoding
        # the port as TLS would change its stream numbering (SOCKS)
        ports = sorted(set(ports) | set(c["server"].rsplit(":", 1)[1] for c in conns
                                        if "server" in c and not c.get("preamble")))
    want = tshark(capture, ports)
    errors = []
    for num in sorted(set(want) | set(got)):
        w, g = want.get(num), got.get(num)
        if streams_only:
            if w is not None and g is not None and g["stream"] != {w["stream"]}:
                errors.append("frame %d: tcp.stream tshark %s, tlsdiag %s" % (num, w["stream"], g["stream"]))
            continue
        if w is None:
            errors.append("frame %d: tlsdiag shows %s, tshark nothing" % (num, g))
            continue
        if g is None:
            errors.append("frame %d: tshark shows %s, tlsdiag nothing" % (num, w))
            continue
        if w["hs"] != g["hs"]:
            errors.append("frame %d: handshake types tshark %s, tlsdiag %s" % (num, w["hs"], g["hs"]))
        if w["alerts"] != g["alerts"]:
            errors.append("frame %d: alerts tshark %s, tlsdiag %s" % (num, w["alerts"], g["alerts"]))
        if g["stream"] != {w["stream"]}:
            errors.append("frame %d: tcp.stream tshark %s, tlsdiag %s" % (num, w["stream"], g["stream"]))
        if 1 in w["hs"] and w["sni"] != g["sni"]:
            errors.append("frame %d: SNI tshark %s, tlsdiag %s" % (num, w["sni"], g["sni"]))
    # The suite the server chose, by frame: tshark gives its number, tlsdiag
    # its IANA name, mapped back through the registry the build uses.
    names = iana_suites()
    for c in conns if not streams_only else []:
        for m in c["messages"]:
            if m["type"] == "ServerHello" and m["frame"] in want:
                w = want[m["frame"]]["suite"]
                if w is not None and names.get(m["cipher_suite"]) != w:
                    errors.append("frame %d: cipher suite tshark 0x%04x, tlsdiag %s" % (m["frame"], w, m["cipher_suite"]))
    msgs = sum(len(f["hs"]) + len(f["alerts"]) for f in want.values())
    if errors:
        print("%s: %d differences from tshark:" % (capture, len(errors)))
        for e in errors[:40]:
            print("  " + e)
        sys.exit(1)
    print("%s: %d frames, %d handshake messages and alerts, %d connections: same as tshark"
          % (capture, len(want), msgs, len(conns)))


if __name__ == "__main__":
    main()
