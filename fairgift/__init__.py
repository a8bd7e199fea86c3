"""FairGift: Python logic shared by the Ape scripts, the console and the tests."""

__all__ = ["fees", "signing"]
