"""The store: database tables, engines and migrations, the event log, sources, integrity."""
