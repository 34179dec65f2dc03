#!/usr/bin/python3
"""Makes NotoSansSC-Regular-GB2312.ttf, the TrueType twin of the bundled
regular face, for PDF documents: the Go PDF writer (go-pdf/fpdf) embeds
TrueType outlines only, and Noto Sans CJK ships CFF ones. Curves are
converted with fontTools' cu2qu (max error 1 unit of 1000).

    /usr/bin/python3 assets/fonts/to-ttf.py     (Debian: python3-fonttools)
"""
import os
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "NotoSansSC-Regular-GB2312.otf")
dst = os.path.join(here, "NotoSansSC-Regular-GB2312.ttf")

font = TTFont(src)
glyph_order = font.getGlyphOrder()
glyph_set = font.getGlyphSet()
glyf = newTable("glyf")
glyf.glyphOrder = glyph_order
glyf.glyphs = {}
for name in glyph_order:
    pen = TTGlyphPen(glyph_set)
    glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
    glyf.glyphs[name] = pen.glyph()
font["glyf"] = glyf
font["loca"] = newTable("loca")
maxp = newTable("maxp")
maxp.tableVersion = 0x00010000
for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
             "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints",
             "maxContours", "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
    setattr(maxp, attr, 0)
maxp.maxZones = 1
maxp.numGlyphs = len(glyph_order)
font["maxp"] = maxp
font["head"].glyphDataFormat = 0
font["post"].formatType = 2.0
font["post"].extraNames = []
font["post"].mapping = {}
font["post"].glyphOrder = glyph_order
del font["CFF "]
if "VORG" in font:
    del font["VORG"]
font.sfntVersion = "\x00\x01\x00\x00"
font.save(dst)
print(dst, os.path.getsize(dst))
