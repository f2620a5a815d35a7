from __future__ import annotations

import pytest
from pyramid import testing
from pyramid.exceptions import ConfigurationConflictError

from poser.apps.framework.application import Application
from poser.apps.framework.registry import registered_applications


def test_applications_register_through_includeme_and_sort_by_name() -> None:
    with testing.testConfig() as config:
        config.include("poser.apps.framework")
        config.add_application(Application(name="Pricing", url_name="pricing"))
        config.add_application(Application(name="catalog", url_name="catalog"))
        config.commit()
        assert [app.url_name for app in registered_applications(config.registry)] == [
            "catalog",
            "pricing",
        ]


def test_two_applications_cannot_share_a_url_name() -> None:
    with testing.testConfig(autocommit=False) as config:
        config.include("poser.apps.framework")
        config.add_application(Application(name="A", url_name="same"))
        config.add_application(Application(name="B", url_name="same"))
        with pytest.raises(ConfigurationConflictError):
            config.commit()
