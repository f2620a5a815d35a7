"""Queries that widgets and tasks share; anything joining models lives here."""
