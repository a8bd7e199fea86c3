"""Constants of the page tests (import them from here: every area's conftest is a module named
`conftest`, so `from conftest import ...` gets whichever area's was imported last)."""

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
