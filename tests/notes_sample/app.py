"""The Notes Application (see the package): an include the tests add to an app."""

from __future__ import annotations

from pyramid.config import Configurator

from poser.apps.framework.application import Application
from tests.notes_sample.tables import NOTES

NOTES_APPLICATION = Application(
    name="Notes", url_name="notes", description="Notebooks and their notes.", data=NOTES
)


def includeme(config: Configurator) -> None:
    config.add_application(NOTES_APPLICATION)
