"""The app model: Applications made of step groups and steps, and their registry."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include(".registry")
