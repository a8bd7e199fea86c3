"""FairGift: Python logic shared by the Ape scripts, the console, the services and the tests.

One off-chain model of each rule (`curve`, `fees`, `gifts`, `platforms`), the records of which
chain holds which contracts (`deployments`), the one way to read events (`events`), the
operations (`api`), and on top of them `deploy`, `demo`, `ledger`, `report`, `bench`, the index,
the relayer and the web service. See the README's "Map".
"""
