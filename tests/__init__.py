"""FairGift's test suite. A regular package so that `tests.constants` and `tests.helpers` resolve to
this folder, never to a `tests` package some dependency installs into site-packages."""
