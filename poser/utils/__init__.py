"""Helpers with no knowledge of models, tasks, apps or entry points."""
