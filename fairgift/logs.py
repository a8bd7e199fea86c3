"""Logging for the services' processes (`serve`, the index bot): one line per record on stderr,
under the `fairgift` logger (the library's modules log to `fairgift.*` and configure nothing)."""

from __future__ import annotations

import logging


def configure_logging(level: int = logging.INFO) -> None:
    """`time LEVEL logger: message` lines on stderr for every `fairgift.*` logger (once per
    process: a second call only sets the level)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger("fairgift")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(level)
