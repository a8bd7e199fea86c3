"""The index: every FairGift event of a deployment in one database, kept current with the chain.

The schema (`schema.py`) and the queries are SQLAlchemy Core: SQLite by default
(`.local/fairgift.sqlite3`, WAL), PostgreSQL given `FAIRGIFT_DB_URL`.
"""
