"""Gift icons: each catalogue gift's SVG, served by the service itself from `static/gifts/`
(nothing fetched from elsewhere; the pages' CSP allows images from 'self').

    gift_icon("Heart")      # "/static/gifts/heart.svg"
    gift_icon("Dragon")     # "/static/gifts/gift.svg" (no icon of its own: the generic one)

Icons are keyed by the gift's name, not its id: ids are a deployment's own numbering, a name is what
the fan sees. Any page (the fans' page, an overlay, a dashboard) takes the URL from here.
"""

from __future__ import annotations

import re
from pathlib import Path

GIFTS_FOLDER = Path(__file__).resolve().parent.parent / "static" / "gifts"
GIFTS_URL = "/static/gifts"
GENERIC = "gift"  # the icon of a gift with none of its own
# The icons there are: read once (they ship with the package and do not change while it runs).
ICONS = frozenset(path.stem for path in GIFTS_FOLDER.glob("*.svg"))


def slug(name: str) -> str:
    """A gift's name as an icon's file name: "Heart" -> "heart", "Golden  Star!" -> "golden-star"."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def gift_icon(name: str | None) -> str:
    """The URL of the icon of the gift called `name` (the generic gift icon when it has none)."""
    key = slug(name or "")
    return f"{GIFTS_URL}/{key if key in ICONS and key else GENERIC}.svg"
