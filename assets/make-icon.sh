#!/bin/sh
# Remakes assets/icon.png with ImageMagick and the bundled bold font.
set -eu
cd "$(dirname "$0")"
convert -size 512x512 xc:none -fill '#b71c1c' -draw 'roundrectangle 16,16 496,496 96,96' \
	-fill none -stroke '#ffd54f' -strokewidth 14 -draw 'circle 256,256 256,70' \
	-stroke none -fill white -font fonts/NotoSansSC-Bold-GB2312.otf -pointsize 150 \
	-gravity center -annotate +0-8 '三项' icon.png
