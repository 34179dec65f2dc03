#!/usr/bin/env bash
# Makes the bundled Simplified Chinese fonts from Debian's Noto Sans CJK
# (SIL Open Font License 1.1, see OFL.txt).
#
# Kept: ASCII, Latin-1, general and CJK punctuation, full-width forms and all
# 7,445 characters of GB2312 (people's names need more than level 1). Fyne's
# loader reads one face from a single .otf/.ttf, never a .ttc collection, so
# face 2 (SC) of each collection is cut out here. Characters outside this set
# fall back to system fonts where a system has them. Vertical and other-locale
# (locl) features are dropped: they pull in thousands of JP/KR/TC glyphs.
#
#   apt-get install fonts-noto-cjk python3-fonttools && assets/fonts/subset.sh
set -euo pipefail
cd "$(dirname "$0")"
src=/usr/share/fonts/opentype/noto
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
/usr/bin/python3 - "$chars" <<'PY'
import sys
cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
cps |= set(range(0x2000, 0x206F))   # general punctuation
cps |= set(range(0x2100, 0x2200))   # letterlike symbols, number forms (℃, Ⅰ)
cps |= set(range(0x2190, 0x2200))   # arrows
cps |= set(range(0x2460, 0x24FF))   # enclosed numbers ①
cps |= set(range(0x25A0, 0x2600))   # geometric shapes ●○■□
cps |= set(range(0x3000, 0x3040))   # CJK symbols and punctuation 、。《》【】〔〕
cps |= set(range(0xFF00, 0xFFF0))   # full-width forms ，：（）
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
with open(sys.argv[1], "w") as f:
    f.write(",".join("U+%04X" % c for c in sorted(cps)))
print(len(cps), "code points", file=sys.stderr)
PY
for weight in Regular Bold; do
  /usr/bin/python3 -m fontTools.subset "$src/NotoSansCJK-$weight.ttc" --font-number=2 \
    --unicodes-file="$chars" --no-hinting --layout-features-='locl,vert,vrt2,vkrn,vpal,vhal,valt' \
    --name-IDs='*' --name-languages='*' --output-file="NotoSansSC-$weight-GB2312.otf"
done
ls -l NotoSansSC-*-GB2312.otf
