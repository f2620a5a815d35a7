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


def test_each_widget_action_is_a_route_and_a_view_of_its_own() -> None:
    from poser.apps.framework.application import Step, StepGroup
    from poser.apps.widgets.execute import ExecuteFunction
    from poser.apps.widgets.parameter_form import ParameterForm

    steps = [Step("Run", "run", [ParameterForm("opts", group="g"), ExecuteFunction("go")])]
    with testing.testConfig() as config:
        config.include("poser.apps.framework")
        config.add_application(Application("Runs", "runs", step_groups=[StepGroup("G", steps)]))
        config.commit()
        introspector = config.registry.introspector
        route = introspector.get("routes", "runs/run/go/run")
        assert route["pattern"] == "/apps/runs/data-sets/{data_set_id}/steps/run/go/run"
        [view] = [v for v in introspector.related(route) if v.category_name == "views"]
        assert view["request_methods"] == ("POST",)
        assert [p["value"] for p in introspector.related(view)
                if p.category_name == "permissions"] == ["edit"]  # fmt: skip
        assert introspector.get("routes", "runs/run/opts/save") is not None
