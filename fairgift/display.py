"""Showing untrusted text (fans' messages, token names and symbols) safely, and plain tables.

A fan's message is written by anyone who pays a tip: in a terminal it must never act. Terminal
control characters (C0 and C1, DEL: escape sequences that recolour, move the cursor, rewrite the
window title or hide text) and the Unicode bidirectional controls (which reorder what is shown,
the "Trojan Source" trick) are replaced by a visible U+FFFD; line breaks and tabs become a
space in a table cell. Widths count East Asian wide characters as two columns and combining
marks as none, so a table stays aligned whatever the fans write.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"
ELLIPSIS = "…"
# Bidirectional embeddings, overrides and isolates, and the marks that steer them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _BIDI or ch in ("\u2028", "\u2029")


def safe_text(text, *, keep_lines: bool = False) -> str:
    """`text` with every terminal or bidi control character replaced by U+FFFD. Line breaks and
    tabs become one space each, unless `keep_lines` (then "\\n" and "\\t" stay; "\\r" becomes
    "\\n")."""
    out = []
    for ch in str(text):
        if keep_lines and ch in "\n\t":
            out.append(ch)
        elif keep_lines and ch == "\r":
            out.append("\n")
        elif ch in _SPACES:
            out.append(" ")
        elif _is_control(ch):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Terminal columns `text` takes (wide characters 2, combining marks 0)."""
    return sum(char_width(ch) for ch in text)


def cut(text: str, limit: int) -> str:
    """`text` fitted into `limit` columns, ending with an ellipsis when it was longer."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def cell(text, limit: int | None = None) -> str:
    """Untrusted text as one table cell: safe, on one line, cut to `limit` columns."""
    shown = safe_text(text)
    return cut(shown, limit) if limit else shown


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(columns - width(text), 0)
    return gap + text if right else text + gap


def table(headers: list[str], rows: list[list[str]], right: frozenset[int] | set[int] = frozenset()) -> str:
    """A plain text table: columns as wide as their widest cell, `right` columns right-aligned.
    Cells must already be safe (see `cell`)."""
    widths = [width(h) for h in headers]
    for row in rows:
        widths = [max(w, width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(pad(h, w, i in right) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(pad(c, w, i in right) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
    return "\n".join(line.rstrip() for line in lines)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text) -> str:
    """Untrusted text for a CSV cell: whole (never cut), line breaks kept, other control characters
    replaced, and a leading =, +, -, @ neutralised with a quote so a spreadsheet never runs it as
    a formula (OWASP's CSV-injection advice)."""
    shown = safe_text(text, keep_lines=True)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown
