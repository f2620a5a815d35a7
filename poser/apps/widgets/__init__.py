"""Widgets that steps compose. Each reads through models.data_extraction and acts
through tasks; none holds business logic."""
