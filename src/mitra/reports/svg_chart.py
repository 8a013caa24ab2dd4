"""A small writer of accessible SVG charts, for the charts drawn on every page view.

Today's two charts change with every entry; drawing them through the chart renderer cost tens
of milliseconds each time. These are plain strings: a role and a label, a <title> and a <desc>,
axes with their units, and text sized for the width the drawing is shown at (`NARROW` on a
phone, `WIDE` from a card of `WIDE_FROM_PX` on). Colours and sizes are presentation
attributes, never inline styles (the pages' CSP forbids those).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "NARROW",
    "WIDE",
    "WIDE_FROM_PX",
    "Frame",
    "Plot",
    "nice_ticks",
    "text_width",
    "tick_text",
]

TEXT_COLOR = "#1f2430"
GRID_COLOR = "#d9dce3"
AXIS_COLOR = "#5b6270"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
#: A card at least this wide (CSS px) shows the wide drawing (see app.css); narrower, the narrow.
WIDE_FROM_PX = 520


@dataclass(frozen=True)
class Frame:
    """A drawing's size in its own units, its text size and the margins around its plot.

    Shown at its card's width, a drawing is scaled by card width / `width`; the narrow one is
    shown from 260 px (a 320 px screen) and the wide one from `WIDE_FROM_PX`, so their text is
    at least `font_px` x 260 / 340 and `font_px` x 520 / 640 CSS px (about 11 px at 14).
    """

    width: int
    height: int
    font_px: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    def fitting(self, left: Sequence[str] = (), right: Sequence[str] = ()) -> Frame:
        """This frame with margins wide enough for tick labels `left` and `right` of the plot.

        The margins are set for labels of up to four characters ("1.25", "800"); a longer one
        ("4,000 nmol/L" in a day after several large doses) widens its margin instead of
        running past the drawing's edge, where the page cuts it off.
        """
        need = [math.ceil(TICK_GAP + text_width(t, self.font_px) + 2) for t in ("", *left)]
        room = [math.ceil(TICK_GAP + text_width(t, self.font_px) + 2) for t in ("", *right)]
        return replace(self, left=max(self.left, *need), right=max(self.right, *room))


NARROW = Frame(width=340, height=270, font_px=14, left=44, right=40, top=40, bottom=62)
WIDE = Frame(width=640, height=290, font_px=14, left=56, right=48, top=40, bottom=62)


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Ticks from 0 to at least `high` at a step of 1, 2 or 5 times a power of ten."""
    high = max(high, 1e-9)
    raw = high / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


#: Between a y tick label and the plot, in the drawing's units.
TICK_GAP = 6
#: A character's width in em, at most, in the sans-serif fonts a system shows (DejaVu Sans, the
#: widest of them, has 0.636 em digits); thin punctuation takes about half.
_WIDE_EM, _THIN_EM = 0.64, 0.34


def text_width(text: str, font_px: float) -> float:
    """How wide `text` is drawn at `font_px`, at most, in the drawing's units."""
    return sum(_THIN_EM if c in ".,:;'!| " else _WIDE_EM for c in text) * font_px


def tick_text(value: float) -> str:
    """A tick's label: "0", "2.5", "1,200"."""
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}".rstrip("0")


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


class Plot:
    """One drawing: linear x and y scales onto a frame's plot, and the marks drawn so far."""

    def __init__(
        self, frame: Frame, x_domain: tuple[float, float], y_domain: tuple[float, float]
    ) -> None:
        self.frame = frame
        self.x0, self.x1 = x_domain
        self.y0, self.y1 = y_domain
        self.parts: list[str] = []

    def x(self, value: float) -> float:
        f = self.frame
        return f.left + (value - self.x0) / (self.x1 - self.x0 or 1) * f.plot_width

    def y(self, value: float, domain: tuple[float, float] | None = None) -> float:
        f = self.frame
        low, high = domain or (self.y0, self.y1)
        return f.top + f.plot_height - (value - low) / (high - low or 1) * f.plot_height

    def add(self, part: str) -> None:
        self.parts.append(part)

    def text(
        self,
        x: float,
        y: float,
        words: str,
        *,
        anchor: str = "start",
        color: str = TEXT_COLOR,
        weight: str = "normal",
        size: float | None = None,
    ) -> None:
        font = size or self.frame.font_px
        bold = ' font-weight="bold"' if weight == "bold" else ""
        self.add(
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{color}" '
            f'font-size="{font}"{bold}>{_esc(words)}</text>'
        )

    def _points(
        self, xs: Sequence[float], ys: Sequence[float], domain: tuple[float, float] | None
    ) -> list[str]:
        """ "x,y" of each point on the drawing (a curve has hundreds: scaled as arrays)."""
        f = self.frame
        low, high = domain or (self.y0, self.y1)
        width = f.plot_width / (self.x1 - self.x0 or 1)
        px = f.left + (np.asarray(xs, dtype=float) - self.x0) * width
        py = f.top + f.plot_height * (1 - (np.asarray(ys, dtype=float) - low) / (high - low or 1))
        return [f"{x:.1f},{y:.1f}" for x, y in zip(px.tolist(), py.tolist(), strict=True)]

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float | None],
        *,
        color: str,
        width: float = 2.5,
        dash: str | None = None,
        domain: tuple[float, float] | None = None,
    ) -> None:
        """A polyline through the points, broken where a y is None or NaN."""
        values = [math.nan if v is None else v for v in ys]
        points = self._points(xs, values, domain)
        path: list[str] = []
        pen_up = True
        for point, value in zip(points, values, strict=True):
            if math.isnan(value):
                pen_up = True
                continue
            path.append(("M" if pen_up else "L") + point)
            pen_up = False
        if path:
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            self.add(
                f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="{width}"'
                f' stroke-linejoin="round"{dashes}/>'
            )

    def band(
        self,
        xs: Sequence[float],
        low: Sequence[float],
        high: Sequence[float],
        *,
        color: str,
        opacity: float,
    ) -> None:
        """The area between two curves."""
        if not xs:
            return
        upper = self._points(xs, high, None)
        lower = self._points(xs, low, None)
        points = "L".join(upper + lower[::-1])
        self.add(f'<path d="M{points}Z" fill="{color}" fill-opacity="{opacity}" stroke="none"/>')

    def rect(self, x: float, y: float, width: float, height: float, *, color: str) -> None:
        self.add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
            f'fill="{color}"/>'
        )

    def dot(self, x: float, y: float, *, color: str, r: float = 3.5) -> None:
        self.add(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{r}" fill="{color}" stroke="white" '
            'stroke-width="1"/>'
        )

    def rule(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        color: str = AXIS_COLOR,
        width: float = 1,
        dash: str | None = None,
    ) -> None:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{color}" '
            f'stroke-width="{width}"{dashes}/>'
        )

    def y_axis(
        self,
        ticks: Sequence[float],
        *,
        side: str = "left",
        color: str = TEXT_COLOR,
        domain: tuple[float, float] | None = None,
        grid: bool = True,
    ) -> None:
        """Tick labels on one side, with light grid lines across the plot."""
        f = self.frame
        for value in ticks:
            y = self.y(value, domain)
            if grid:
                self.rule(f.left, y, f.width - f.right, y, color=GRID_COLOR)
            if side == "left":
                self.text(
                    f.left - TICK_GAP,
                    y + f.font_px * 0.35,
                    tick_text(value),
                    anchor="end",
                    color=color,
                )
            else:
                self.text(
                    f.width - f.right + TICK_GAP,
                    y + f.font_px * 0.35,
                    tick_text(value),
                    color=color,
                )

    def x_axis(self, ticks: Sequence[tuple[float, str]]) -> None:
        """The baseline with a tick and a label under each (value, label)."""
        f = self.frame
        base = f.top + f.plot_height
        self.rule(f.left, base, f.width - f.right, base)
        for value, label in ticks:
            x = self.x(value)
            self.rule(x, base, x, base + 5)
            if label:
                self.text(x, base + 5 + f.font_px, label, anchor="middle")

    def svg(self, title: str, summary: str) -> str:
        """The drawing as an SVG element an assistive technology announces as one image."""
        f = self.frame
        label = _esc(f"{title}. {summary}")
        return (
            f'<svg role="img" aria-label="{label}" focusable="false" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" '
            f'width="{f.width}" height="{f.height}" font-family="{_esc(FONT)}">'
            f"<title>{_esc(title)}</title><desc>{_esc(summary)}</desc>"
            f'<rect width="{f.width}" height="{f.height}" fill="white"/>'
            + "".join(self.parts)
            + "</svg>"
        )
