"""The FairGift web service: the JSON API (index, relayer) and the fans' page."""
