#!/bin/sh
# history-html.sh: the monthly report's HTML rendered by a real browser
# (Debian's chromium, headless). For the English and the Japanese report of
# the month test (tests/expected/history/, which history-month.sh proves is
# what hinagata writes today): the screenshot is not blank (it has ink and
# colours, and the chart's blue), the DOM after rendering carries the
# numbers of the JSON report in the cells that name them, and the PDF it
# prints is A4 and its text holds the same numbers and the title.
# Usage: history-html.sh TOP
set -eu
top=$(cd "$1" && pwd)
expected=$top/tests/expected/history
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "FAIL: no chromium: run scripts/setup-deps.sh --test"
	exit 1
fi
for tool in pdftotext pdfinfo; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL: no $tool (poppler-utils): run scripts/setup-deps.sh --test"; exit 1; }
done
fail=0
pass=0
check() { # description command...
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}

# Headless, as root in CI: no sandbox, no GPU, nothing fetched or synced,
# a fresh profile every time.
render() { # mode output-option file
	profile=$(mktemp -d "$work/profile.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --run-all-compositor-stages-before-draw "$@" 2>>"$work/chromium.log"
}

for lang in en ja; do
	html=$expected/report-2026-12.$lang.html
	cp "$html" "$work/report.$lang.html"
	cd "$work"
	render --dump-dom "file://$work/report.$lang.html" >"dom.$lang.html"
	render --window-size=1100,2400 --screenshot="$work/shot.$lang.png" "file://$work/report.$lang.html" >/dev/null
	render --print-to-pdf="$work/report.$lang.pdf" --no-pdf-header-footer "file://$work/report.$lang.html" >/dev/null
	check "$lang: chromium wrote the DOM, the screenshot and the PDF" \
		test -s "dom.$lang.html" -a -s "shot.$lang.png" -a -s "report.$lang.pdf"
	pdftotext -layout "report.$lang.pdf" "report.$lang.txt"
	pdfinfo "report.$lang.pdf" >"info.$lang.txt"
	check "$lang: the PDF is A4" grep -q 'Page size: *59[45]\.[0-9]* x 84[12]\.[0-9]* pts (A4)' "info.$lang.txt"
	python3 - "$lang" "$expected/report-2026-12.json" "dom.$lang.html" "shot.$lang.png" "report.$lang.txt" <<'PY' || fail=1
import html.parser, json, re, struct, sys, zlib
lang, jpath, dpath, ppath, tpath = sys.argv[1:]
r = json.load(open(jpath))
bad = []

# --- the screenshot: decode the PNG (8-bit RGB/RGBA) and look for ink ---
data = open(ppath, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
ink = blue = 0
colours = set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2:
        continue
    for x in range(0, w, 2):
        px = tuple(line[x * bpp:x * bpp + 3])
        colours.add(px)
        if sum(px) < 600:
            ink += 1
        if px[2] > 120 and px[0] < 80 and px[2] - px[0] > 80:
            blue += 1   # the chart's line and the headings' blue
sampled = (w // 2) * (h // 2)
if ink < sampled // 200:
    bad.append("the screenshot is (nearly) blank: %d dark pixels of %d sampled" % (ink, sampled))
if len(colours) < 8:
    bad.append("the screenshot has %d colours" % len(colours))
if blue < 50:
    bad.append("no chart or heading blue in the screenshot (%d)" % blue)

# --- the DOM after rendering: the cells the report names ---
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.at, self.svg = {}, None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg += 1
        if "id" in a and tag == "td":
            self.at = a["id"]
            self.cells[self.at] = ""
    def handle_endtag(self, tag):
        if tag == "td":
            self.at = None
    def handle_data(self, d):
        if self.at:
            self.cells[self.at] += d
p = Cells()
p.feed(open(dpath, encoding="utf-8").read())
def score(s):
    return "—" if s["score"] is None else "%.1f" % s["score"]
c = r["counts"]
want = {
    "score-month": score(r["score"]),
    "controls-passed": str(r["score"]["passed"]),
    "controls-failed": str(r["score"]["failed"]),
    "controls-unknown": str(r["score"]["unknown"]),
    "count-resolved": str(c["resolved"]),
    "count-open": str(c["open"]),
    "count-suppressed": str(c["suppressed"]),
    "coverage-resources": "%d/%d (%d%%)" % (r["coverage"]["checked"], r["coverage"]["resources"],
                                           100 * r["coverage"]["checked"] // r["coverage"]["resources"]),
    "drift-critical": str(r["drift"]["bySeverity"]["critical"]),
}
for k, v in want.items():
    if p.cells.get(k) != v:
        bad.append("DOM #%s is %r, the JSON says %r" % (k, p.cells.get(k), v))
if not p.cells.get("count-opened", "").startswith(str(c["opened"]) + " "):
    bad.append("DOM #count-opened is %r, the JSON says %d" % (p.cells.get("count-opened"), c["opened"]))
if p.svg != 2:
    bad.append("%d charts rendered, expected 2" % p.svg)

# --- the printed text: title, score, counts, a finding of each list ---
text = open(tpath, encoding="utf-8").read()
title = "月次レポート 2026-12" if lang == "ja" else "Monthly report 2026-12"
for needle in [title, score(r["score"]), want["coverage-resources"],
               r["findings"]["open"][0]["id"][:8], r["findings"]["suppressed"][0]["id"][:8]]:
    if needle not in text:
        bad.append("the PDF text lacks %r" % needle)
row = re.search(r"(今月解決した項目|Findings resolved this month)\s+(\d+)", text)
if not row or row.group(2) != str(c["resolved"]):
    bad.append("the PDF's resolved count is %r, the JSON says %d" % (row and row.group(2), c["resolved"]))
for b in bad:
    print("FAIL: %s: %s" % (lang, b))
sys.exit(1 if bad else 0)
PY
	pass=$((pass + 1))
	cd "$top"
done
echo "history-html: $pass checks passed"
exit $fail
