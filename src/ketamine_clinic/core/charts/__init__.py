"""Accessible SVG charts drawn on the server (no JavaScript, no CDN): the kernel's one chart renderer."""

from .line import ChartError, LineStyle, Series, line_chart_svg

__all__ = ["ChartError", "LineStyle", "Series", "line_chart_svg"]
