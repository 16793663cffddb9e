#!/usr/bin/env python3
"""Assertions on a page as headless Chromium built it (--dump-dom), for
tests/integration/t2200-html.sh. Prints one line per failed check and exits 1.

    html_check.py DOM [--ladders N] [--okladders N] [--slug S]... [--text T]... [--no-tag TAG=TEXT]...
                      [--raw PAGE.html] [--netlog NET.json]
--ladders   the number of <svg class="ladder"> (one per failed connection)
--okladders the number of <svg class="okladder"> (the others, drawn folded)
--slug/--text  text the page must show (slugs: as a cause of a connection)
Always: no <script>, no external URL in an attribute, every #link lands on an id.
--no-tag    no element TAG whose text is TEXT (a hostile name that must stay text)
--raw       the page as written: its Content-Security-Policy must fetch nothing
--netlog    Chromium's --log-net-log: no request the page made (Chromium's own
            update and account requests aside)
"""
import argparse
import json
import re
import sys
from html.parser import HTMLParser

URL_ATTRS = {"src", "href", "xlink:href", "action", "srcset", "poster", "data", "formaction", "background"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CHROMIUM_OWN = re.compile(r"^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)[:/]")


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ladders = 0
        self.ids = set()
        self.links = []
        self.okladders = 0
        self.scripts = 0
        self.external = []
        self.stack = []
        self.closed = []  # (tag, text)
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and (a.get("class") or "").split() == ["ladder"]:
            self.ladders += 1
        if tag == "svg" and (a.get("class") or "").split() == ["okladder"]:
            self.okladders += 1
        if tag == "script":
            self.scripts += 1
        if a.get("id"):
            self.ids.add(a["id"])
        if (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        for k, v in attrs:
            v = (v or "").strip().lower()
            if k in URL_ATTRS and (v.startswith(("http:", "https:", "//", "ftp:"))):
                self.external.append("%s %s=%s" % (tag, k, v))
            if k == "style" and "url(" in v:
                self.external.append("%s style=%s" % (tag, v))
        if tag not in ("br", "meta", "link", "img", "input", "hr", "rect", "line", "polygon"):
            self.stack.append([tag, []])

    def handle_endtag(self, tag):
        if all(t != tag for t, _ in self.stack):
            return  # an element never opened (void, or SVG written <rect></rect>)
        while self.stack:
            t, parts = self.stack.pop()
            self.closed.append((t, "".join(parts)))
            if self.stack:
                self.stack[-1][1].extend(parts)
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self.stack:
            self.stack[-1][1].append(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dom")
    ap.add_argument("--ladders", type=int)
    ap.add_argument("--okladders", type=int)
    ap.add_argument("--slug", action="append", default=[])
    ap.add_argument("--text", action="append", default=[])
    ap.add_argument("--no-tag", action="append", default=[])
    ap.add_argument("--raw")
    ap.add_argument("--netlog")
    o = ap.parse_args()
    p = Page()
    p.feed(open(o.dom, encoding="utf-8", errors="replace").read())
    text = "".join(p.text)
    bad = []
    if o.ladders is not None and p.ladders != o.ladders:
        bad.append("%d ladders, expected %d" % (p.ladders, o.ladders))
    if o.okladders is not None and p.okladders != o.okladders:
        bad.append("%d ladders of connections that did not fail, expected %d" % (p.okladders, o.okladders))
    if p.scripts:
        bad.append("%d <script> elements" % p.scripts)
    bad += ["external URL: " + e for e in p.external[:5]]
    bad += ["a link to #%s, which is nowhere on the page" % l for l in p.links if l not in p.ids][:5]
    for s in o.slug:
        if "[%s]" % s not in text and s not in text:
            bad.append("cause %s not shown" % s)
    for t in o.text:
        if t not in text:
            bad.append("text %r not shown" % t)
    for nt in o.no_tag:
        tag, want = nt.split("=", 1)
        if any(t == tag and want in body for t, body in p.closed):
            bad.append("a <%s> element holds %r: it should be text" % (tag, want))
    if o.raw and CSP not in open(o.raw, encoding="utf-8", errors="replace").read():
        bad.append("no Content-Security-Policy %r" % CSP)
    if o.netlog:
        bad += ["request: " + u for u in page_requests(o.netlog)[:5]]
    for b in bad:
        print("html_check: %s: %s" % (o.dom, b))
    print("html_check: %s: %d ladders, %d links inside the page, %d bytes of text" % (o.dom, p.ladders, len(p.links), len(text)))
    sys.exit(1 if bad else 0)


def page_requests(path):
    d = json.load(open(path))
    urls = set()
    for e in d.get("events", []):
        u = e.get("params", {}).get("url", "")
        if u and not u.startswith(("file:", "data:", "chrome", "about:")) and not CHROMIUM_OWN.match(u):
            urls.add(u)
    return sorted(urls)


if __name__ == "__main__":
    main()
