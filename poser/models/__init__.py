"""Models: tables (orm), shared queries (data_extraction), migrations (db_management)."""
