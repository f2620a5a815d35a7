"""Processes: web (WSGI factory), main (CLI). They build adapters from settings."""
