"""The negotiation log, kept in a database: SQLite by default, PostgreSQL by URL. Writes are
transactional; patient identifiers are encrypted at rest and every reveal is audited."""
