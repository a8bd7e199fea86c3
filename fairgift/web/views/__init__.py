"""What each page and endpoint reads and prepares, built on `fairgift.api` and `fairgift.relayer`.

    views = Views(service)
    views.creators.state("ava")        # a creator page's state
    views.quotes.quote_tip("ava", "2.50")
    views.prepare.tip({...})           # what the wallet signs or sends
    views.outcomes.outcome("0x…")      # what a sent transaction did
    views.balances.of("ava", "0x…")    # what a connected fan holds

Chain access goes through one `Reader` (one lock, batched reads at one block, cached until the
next); `Views.run(fn, *args)` runs a view under that lock at the chain's latest block.
"""

from __future__ import annotations

from fairgift.web.views.balances import Balances
from fairgift.web.views.creators import Creators
from fairgift.web.views.outcome import Outcomes
from fairgift.web.views.prepare import Prepare
from fairgift.web.views.quotes import Quotes
from fairgift.web.views.reader import Reader
from fairgift.web.views.studio import Studio
from fairgift.web.views.studio_prepare import StudioPrepare


class Views:
    def __init__(self, service):
        self.service = service
        self.reader = Reader(service)
        self.creators = Creators(self.reader)
        self.balances = Balances(self.creators)
        self.quotes = Quotes(self.creators)
        self.prepare = Prepare(self.quotes)
        self.outcomes = Outcomes(self.reader)
        self.studio = Studio(self.creators)  # the creator's dashboard
        self.studio_prepare = StudioPrepare(self.studio)

    def run(self, fn, *args):
        """`fn(*args)` under the reader's lock, reading at the chain's latest block (call it from a
        worker thread: it waits for the node)."""
        with self.reader.lock:
            self.reader.fresh()
            return fn(*args)
