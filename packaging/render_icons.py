"""Render resources/desktop/icons/io.ixdesk.IxDesk.svg to PNGs (48/128/256) headless.

Usage: python packaging/render_icons.py resources/desktop/icons/io.ixdesk.IxDesk.svg resources/desktop/icons
"""
import os
import sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication([])
svg, outdir = sys.argv[1], sys.argv[2]
r = QSvgRenderer(svg)
assert r.isValid()
for size in (48, 128, 256):
    img = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    img.fill(Qt.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    r.render(p)
    p.end()
    out = os.path.join(outdir, f"io.ixdesk.IxDesk-{size}.png")
    assert img.save(out, "PNG"), out
    print(out)
