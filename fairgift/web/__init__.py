"""FairGift's web service: the JSON API (`api.py`), the fans' pages (`page.py`), one app (`app.py`)."""
