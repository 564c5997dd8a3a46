#!/usr/bin/env python3
"""Renders a `tmux capture-pane -e -p -N` capture (ANSI text) to a PNG, one cell at a time.

Colours and styles carry across line ends, so the capture is parsed as one stream. Block and
box-drawing characters are drawn as shapes (a font's glyphs overhang their cells).
Usage: render_screenshot.py CAPTURE.ans OUT.png COLUMNS ROWS
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
CW, CH = 9, 19  # cell size in pixels

BG = (24, 26, 33)
FG = (214, 218, 224)
# The 16 ANSI colours (a dark theme), then the xterm 256-colour cube and greys.
BASE = [(40, 42, 54), (232, 93, 90), (118, 199, 107), (234, 196, 94), (97, 150, 232), (198, 120, 221),
        (86, 194, 206), (214, 218, 224), (110, 116, 130), (255, 121, 118), (152, 226, 140), (250, 220, 120),
        (130, 175, 255), (222, 150, 240), (120, 222, 232), (250, 250, 250)]


def palette(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return (g, g, g)


def width(ch):
    o = ord(ch)
    if 0x300 <= o <= 0x36F:
        return 0
    wide = [(0x1100, 0x115F), (0x2E80, 0x303E), (0x3041, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
            (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFF00, 0xFF60), (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF)]
    return 2 if any(a <= o <= b for a, b in wide) else 1


def parse(text, cols, rows):
    grid = [[(" ", None, None, False, False, False) for _ in range(cols)] for _ in range(rows)]
    fg = bg = None
    bold = dim = rev = False
    x = y = 0
    for tok in re.finditer(r"\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|\n|.", text, re.S):
        s = tok.group(0)
        if s.startswith("\x1b["):
            if not s.endswith("m"):
                continue
            params = [int(p) if p else 0 for p in (tok.group(1) or "0").split(";")]
            i = 0
            while i < len(params):
                p = params[i]
                if p == 0:
                    fg = bg = None
                    bold = dim = rev = False
                elif p == 1:
                    bold = True
                elif p == 2:
                    dim = True
                elif p == 22:
                    bold = dim = False
                elif p == 7:
                    rev = True
                elif p == 27:
                    rev = False
                elif 30 <= p <= 37:
                    fg = palette(p - 30)
                elif 90 <= p <= 97:
                    fg = palette(p - 90 + 8)
                elif p == 39:
                    fg = None
                elif 40 <= p <= 47:
                    bg = palette(p - 40)
                elif 100 <= p <= 107:
                    bg = palette(p - 100 + 8)
                elif p == 49:
                    bg = None
                elif p in (38, 48) and i + 1 < len(params):
                    if params[i + 1] == 5 and i + 2 < len(params):
                        c = palette(params[i + 2]); i += 2
                    elif params[i + 1] == 2 and i + 4 < len(params):
                        c = tuple(params[i + 2:i + 5]); i += 4
                    else:
                        c = None
                    if p == 38:
                        fg = c
                    else:
                        bg = c
                i += 1
            continue
        if s == "\n":
            x, y = 0, y + 1
            continue
        w = width(s)
        if w == 0 or y >= rows:
            continue
        if x + w <= cols:
            grid[y][x] = (s, fg, bg, bold, dim, rev)
            if w == 2:
                grid[y][x + 1] = ("", fg, bg, bold, dim, rev)
        x += w
    return grid


def draw_shape(d, ch, x0, y0, color, bgc):
    """Block and box characters as exact shapes; returns False for anything else."""
    x1, y1 = x0 + CW, y0 + CH
    mx, my = x0 + CW // 2, y0 + CH // 2
    if ch == "█":
        d.rectangle([x0, y0, x1 - 1, y1 - 1], fill=color)
    elif ch in "▁▂▃▄▅▆▇":
        h = int(CH * ("▁▂▃▄▅▆▇".index(ch) + 1) / 8)
        d.rectangle([x0, y1 - h, x1 - 1, y1 - 1], fill=color)
    elif ch == "░":
        mixed = tuple((a + 2 * b) // 3 for a, b in zip(color, bgc))
        d.rectangle([x0, y0 + 2, x1 - 1, y1 - 3], fill=mixed)
    elif ch == "■":
        d.rectangle([x0 + 1, my - 3, x1 - 2, my + 3], fill=color)
    elif ch in "─│┌┐└┘├┤┬┴┼":
        left = ch in "─┐┘┤┬┴┼"
        right = ch in "─┌└├┬┴┼"
        up = ch in "│└┘├┤┴┼"
        down = ch in "│┌┐├┤┬┼"
        if left:
            d.line([x0, my, mx, my], fill=color)
        if right:
            d.line([mx, my, x1 - 1, my], fill=color)
        if up:
            d.line([mx, y0, mx, my], fill=color)
        if down:
            d.line([mx, my, mx, y1 - 1], fill=color)
    else:
        return False
    return True


def render(grid, out):
    rows, cols = len(grid), len(grid[0])
    img = Image.new("RGB", (cols * CW + 16, rows * CH + 16), BG)
    d = ImageDraw.Draw(img)
    regular = ImageFont.truetype(FONT, SIZE)
    bold_font = ImageFont.truetype(FONT_BOLD, SIZE)
    for y, row in enumerate(grid):
        for x, (ch, fg, bg, bold, dim, rev) in enumerate(row):
            f, b = fg or FG, bg or BG
            if rev:
                f, b = b, f
            if dim:
                f = tuple((a + c) // 2 for a, c in zip(f, b))
            x0, y0 = 8 + x * CW, 8 + y * CH
            if b != BG:
                d.rectangle([x0, y0, x0 + CW * (2 if ch and width(ch) == 2 else 1) - 1, y0 + CH - 1], fill=b)
            if not ch or ch == " ":
                continue
            if not draw_shape(d, ch, x0, y0, f, b):
                d.text((x0, y0 + 1), ch, font=bold_font if bold else regular, fill=f)
    img.save(out)


if __name__ == "__main__":
    src, dst, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(src, encoding="utf-8", errors="replace") as fh:
        render(parse(fh.read(), cols, rows), dst)
