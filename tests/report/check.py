#!/usr/bin/python3
# tests/report/check.py — judge one report of `zonectl report`: its HTML
# (a strict HTML5 parser and a strict XML parser must both accept it; no
# script, no event handler, nothing fetched from outside), and its model
# (the --json form of the same report): every zone, host and flow name and
# every approval reference appears as text; the HTML's tables hold as
# many zones, hosts and flows as the JSON counts; the diagram has one
# node per zone.  Text that must show only as text (payloads) is given
# with --text, one a line in a file ("svg:TEXT": in the diagram).
#
#   check.py REPORT.html MODEL.json [--text FILE]
#
# Prints "ok - ..." / "not ok - ..." lines and "N passed, M failed";
# exits 1 when anything failed.  Uses Debian's python3-html5lib.
import json
import sys
import xml.etree.ElementTree as ET

import html5lib

SVG = "{http://www.w3.org/2000/svg}"
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = argv[1:]
    html_path, json_path = args[0], args[1]
    texts = []
    if "--text" in opts:
        with open(opts[opts.index("--text") + 1], encoding="utf-8") as f:
            texts = [t for t in f.read().split("\n") if t]
    raw = open(html_path, "rb").read()
    name = html_path.rsplit("/", 1)[-1]

    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False) \
            .parse(raw)
        check(True, name + ": a strict HTML5 parser accepts it")
    except Exception as e:  # html5lib.html5parser.ParseError
        check(False, "%s: HTML5 parse error: %s" % (name, e))
    try:
        ET.fromstring(raw)
        check(True, name + ": well-formed XML (polyglot markup)")
    except ET.ParseError as e:
        check(False, "%s: not well-formed: %s" % (name, e))

    root = html5lib.parse(raw, namespaceHTMLElements=False)
    bad = []
    for el in root.iter():
        tag = local(el.tag)
        if tag in ("script", "img", "iframe", "object", "embed", "link",
                   "base", "form", "input", "foreignObject", "image",
                   "audio", "video", "source", "frame", "meta") and \
                not (tag == "meta" and set(el.attrib) <= {"charset",
                                                           "name",
                                                           "content"}):
            bad.append("<%s>" % tag)
        for k, v in el.attrib.items():
            k = local(k)
            if k.lower().startswith("on"):
                bad.append("%s=%r on <%s>" % (k, v, tag))
            if k in ("href", "src") and not v.startswith("#"):
                bad.append("%s=%r on <%s>" % (k, v, tag))
            if k == "style" and ("url(" in v or "expression" in v):
                bad.append("style %r" % v)
        if tag == "style" and ("url(" in (el.text or "") or
                               "@import" in (el.text or "")):
            bad.append("a style sheet that fetches")
    check(not bad, "%s: no script, no handler, nothing fetched %s" %
          (name, " ".join(bad[:5])))
    text = "".join(root.itertext())

    model = json.load(open(json_path, encoding="utf-8"))
    n = model["counts"]
    want = []
    for z in model["zones"]:
        want.append(("zone", z["name"]))
    for h in model["hosts"]:
        want.append(("host", h["name"]))
    for f in model["flows"]:
        if f["name"]:
            want.append(("flow", f["name"]))
        if f["approval"]:
            want.append(("approval", f["approval"]))
    missing = [k + " " + v for k, v in want if v not in text]
    check(not missing, "%s: every zone, host, flow and approval shows as "
          "text (%d names) %s" % (name, len(want), " ".join(missing[:5])))
    check(n["zones"] == len(model["zones"]) and
          n["hosts"] == len(model["hosts"]) and
          n["flows"] == len(model["flows"]) and
          n["approvals"] == sum(1 for f in model["flows"]
                                if f["approval"]),
          "%s: the JSON's counts are its lists' (%d zones, %d hosts, "
          "%d flows, %d approvals)" % (name, n["zones"], n["hosts"],
                                        n["flows"], n["approvals"]))

    def rows(section, heading):
        sec = [s for s in root.iter("section") if s.get("id") == section]
        if not sec:
            return -1
        tables = []
        take = False
        for el in sec[0]:
            if el.tag == "h3":
                take = "".join(el.itertext()).startswith(heading)
            elif take and el.tag == "table":
                tables.append(el)
                take = False
        if not tables:
            return 0
        return len(tables[0].findall("./tbody/tr"))
    got = (rows("s2", "ゾーンの一覧"), rows("s7", "ホスト"),
           rows("s7", "フロー"))
    check(got == (n["zones"], n["hosts"], n["flows"]),
          "%s: the HTML's tables hold the JSON's counts (zones, hosts, "
          "flows: %s)" % (name, got))
    nodes = [g for g in root.iter(SVG + "g")
             if (g.get("id") or "").startswith("zone_")]
    if model["policy"]["loaded"]:
        check(len(nodes) == n["zones"] and n["zones"] > 0,
              "%s: the diagram has one node per zone (%d of %d)" %
              (name, len(nodes), n["zones"]))
    else:
        check(not list(root.iter(SVG + "svg")) and
              "図を作成できませんでした" in text,
              "%s: a policy that does not load: no diagram, and says so" %
              name)
    svg = "".join("".join(e.itertext()) for e in root.iter(SVG + "svg"))
    for t in texts:
        if t.startswith("svg:"):
            check(t[4:] in svg, "%s: %r shows as text in the diagram" %
                  (name, t[4:]))
        else:
            check(t in text, "%s: %r shows as text" % (name, t))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
