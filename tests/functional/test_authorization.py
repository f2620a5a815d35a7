"""The authorization matrix: every route the app lists (as ``proutes`` does), every
method it takes, every widget action, sent by someone in every role, with the status
each must get.

The rules it writes down: a data set's URLs answer 404 to anyone who is not a member
of it now, admins and former members included; viewers read, editors change, owners
manage (share, delete). A job's page, progress and download take "view" on its data
set; cancelling or retrying it takes what running its kind takes (a copy: "view"; a
batch's apply: "edit"), by the role the member has now. A job of no data set
(maintenance) is admins' only. An anonymous GET goes to the login page; an anonymous
POST gets a 401 (htmx then goes to the login page).

A route, method or widget action added without a row here fails the test, which says
what to add.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.route_support import (
    ROLES,
    Client,
    World,
    app_routes,
    route_permissions,
    url,
    widget_actions,
)
from tests.functional.route_targets import TARGETS

# Columns: anonymous, outsider, admin, removed, viewer, editor, owner (ROLES).
# "login": a 303 to the login page. Any other 303 must go elsewhere. An htmx request (a
# grid's rows) that needs a login gets a 401 that tells htmx to go to the login page.
EXPECTED = {
    "__static/poser/ GET":                            "200   200  200  200  200  200  200",
    "__static/poser/ POST":                           "200   200  200  200  200  200  200",
    "__static/deform/ GET":                           "200   200  200  200  200  200  200",
    "__static/deform/ POST":                          "200   200  200  200  200  200  200",
    "login GET":                                      "200   303  303  303  303  303  303",
    "login POST":                                     "login 303  303  303  303  303  303",
    "logout POST":                                    "login login login login login login login",
    "home GET":                                       "login 200  200  200  200  200  200",
    "healthz GET":                                    "200   200  200  200  200  200  200",
    "jobs GET":                                       "login 200  200  200  200  200  200",
    "jobs_run_maintenance POST":                      "401   403  303  403  403  403  403",
    "job GET view job":                               "login 404  404  404  200  200  200",
    "job GET edit job":                               "login 404  404  404  200  200  200",
    "job GET global job":                             "login 404  200  404  404  404  404",
    "job_progress GET view job":                      "login 404  404  404  200  200  200",
    "job_progress GET edit job":                      "login 404  404  404  200  200  200",
    "job_progress GET global job":                    "login 404  200  404  404  404  404",
    "job_download GET":                               "login 404  404  404  200  200  200",
    "job_cancel POST view job":                       "401   404  404  404  303  303  303",
    "job_cancel POST edit job":                       "401   404  404  404  403  303  303",
    "job_cancel POST global job":                     "401   404  303  404  404  404  404",
    "job_retry POST view job":                        "401   404  404  404  303  303  303",
    "job_retry POST edit job":                        "401   404  404  404  403  303  303",
    "job_retry POST global job":                      "401   404  303  404  404  404  404",
    "exports GET":                                    "login 200  200  200  200  200  200",
    "export_file GET":                                "login 404  404  404  200  200  200",
    "export_delete POST":                             "401   404  404  404  403  303  303",
    "app_home GET":                                   "login 200  200  200  200  200  200",
    "app_home POST":                                  "401   303  303  303  303  303  303",
    "app_import POST":                                "401   303  303  303  303  303  303",
    "app_data_set GET":                               "login 404  404  404  200  200  200",
    "app_data_set_figures POST":                      "401   404  404  404  303  303  303",
    "app_data_set_settings GET":                      "login 404  404  404  200  200  200",
    "app_data_set_rename POST":                       "401   404  404  404  403  303  303",
    "app_data_set_copy POST":                         "401   404  404  404  303  303  303",
    "app_data_set_export POST":                       "401   404  404  404  303  303  303",
    "reports GET":                                    "login 404  404  404  200  200  200",
    "report GET":                                     "login 404  404  404  200  200  200",
    "report_run POST":                                "401   404  404  404  303  303  303",
    "report_again POST":                              "401   404  404  404  303  303  303",
    "report_schedule POST":                           "401   404  404  404  403  303  303",
    "product_feed GET":                               "login 404  404  404  200  200  200",
    "product_feed_settings POST":                     "401   404  404  404  403  303  303",
    "product_feed_run POST":                          "401   404  404  404  403  303  303",
    "product_feed_latest GET":                        "login 404  404  404  200  200  200",
    "app_data_set_import POST":                       "401   404  404  404  403  303  303",
    "app_data_set_share POST":                        "401   404  404  404  403  403  303",
    "app_data_set_unshare POST":                      "401   404  404  404  403  403  303",
    "app_data_set_delete POST":                       "401   404  404  404  403  403  303",
    "app_step GET":                                   "login 404  404  404  200  200  200",
    "products/catalog/products/rows GET":             "401   404  404  404  200  200  200",
    "products/catalog/products/csv GET":              "login 404  404  404  200  200  200",
    "products/catalog/products/xlsx GET":             "login 404  404  404  200  200  200",
    "products/catalog/products/edit POST":            "401   404  404  404  403  303  303",
    "products/margins/pricing/save POST":             "401   404  404  404  403  303  303",
    "catalog/review/rows/rows GET":                   "401   404  404  404  200  200  200",
    "catalog/review/rows/csv GET":                    "login 404  404  404  200  200  200",
    "catalog/review/rows/xlsx GET":                   "login 404  404  404  200  200  200",
    "catalog/options/options/save POST":              "401   404  404  404  403  303  303",
    "catalog/upload/file/upload POST":                "401   404  404  404  403  303  303",
    "catalog/upload/batch/acknowledge POST":          "401   404  404  404  403  303  303",
    "catalog/review/batch/acknowledge POST":          "401   404  404  404  403  303  303",
    "catalog/apply/batch/acknowledge POST":           "401   404  404  404  403  303  303",
    "catalog/review/control/exclude_flagged POST":    "401   404  404  404  403  303  303",
    "catalog/review/control/exclude_lines POST":      "401   404  404  404  403  303  303",
    "catalog/review/control/include POST":            "401   404  404  404  403  303  303",
    "catalog/review/rows/edit POST":                  "401   404  404  404  403  303  303",
    "catalog/report/revert/revert POST":              "401   404  404  404  403  303  303",
    "catalog/apply/apply/run POST":                   "401   404  404  404  403  303  303",
    "catalog/apply/apply/schedule POST":              "401   404  404  404  403  303  303",
    "catalog/apply/apply/unschedule POST":            "401   404  404  404  403  303  303",
    "admin_upgrades GET":                             "login 403  200  403  403  403  403",
    "admin_upgrade GET":                              "login 403  200  403  403  403  403",
    "admin_upgrade_progress GET":                     "login 403  200  403  403  403  403",
    "admin_users GET":                                "login 403  200  403  403  403  403",
    "admin_user_create POST":                         "401   403  303  403  403  403  403",
    "admin_user GET":                                 "login 403  200  403  403  403  403",
    "admin_user_role POST":                           "401   403  303  403  403  403  403",
    "admin_user_password POST":                       "401   403  303  403  403  403  403",
    "admin_user_disable POST":                        "401   403  303  403  403  403  403",
    "admin_user_enable POST":                         "401   403  303  403  403  403  403",
    "admin_memberships GET":                          "login 403  200  403  403  403  403",
    "admin_info GET":                                 "login 403  200  403  403  403  403",
    "admin_user_membership POST":                     "401   403  303  403  403  403  403",
    "catalog/upload/columns/save POST":               "401   404  404  404  403  303  303",
    "catalog/batches/batches/open GET":               "login 404  404  404  303  303  303",
    "catalog/batches/batches/delete POST":            "401   404  404  404  403  303  303",
    "products/departments/departments/rows GET":      "401   404  404  404  200  200  200",
    "products/departments/departments/csv GET":       "login 404  404  404  200  200  200",
    "products/departments/departments/xlsx GET":      "login 404  404  404  200  200  200",
    "products/departments/departments/edit POST":     "401   404  404  404  403  303  303",
    "products/departments/add-department/submit POST": "401 404  404  404  403  303  303",
    "products/departments/delete-department/submit POST": "401 404 404 404 403  303  303",
    "products/vendors/vendors/rows GET":              "401   404  404  404  200  200  200",
    "products/vendors/vendors/csv GET":               "login 404  404  404  200  200  200",
    "products/vendors/vendors/xlsx GET":              "login 404  404  404  200  200  200",
    "products/vendors/vendors/edit POST":             "401   404  404  404  403  303  303",
    "products/vendors/add-vendor/submit POST":        "401   404  404  404  403  303  303",
    "products/vendors/vendor-default/submit POST":    "401   404  404  404  403  303  303",
    "products/vendors/delete-vendor/submit POST":     "401   404  404  404  403  303  303",
    "products/needs-a-price/unpriced/rows GET":       "401   404  404  404  200  200  200",
    "products/needs-a-price/unpriced/csv GET":        "login 404  404  404  200  200  200",
    "products/needs-a-price/unpriced/xlsx GET":       "login 404  404  404  200  200  200",
    "products/needs-a-price/unpriced/edit POST":      "401   404  404  404  403  303  303",
    "products/product/add-product/submit POST":       "401   404  404  404  403  303  303",
    "products/product/place-product/submit POST":     "401   404  404  404  403  303  303",
    "products/product/retire-product/submit POST":    "401   404  404  404  403  303  303",
    "products/product/delete-product/submit POST":    "401   404  404  404  403  303  303",
    "inventory/options/options/save POST":            "401   404  404  404  403  303  303",
    "inventory/options/departments/save POST":        "401   404  404  404  403  303  303",
    "inventory/count/file/upload POST":               "401   404  404  404  403  303  303",
    "inventory/count/typed/add POST":                 "401   404  404  404  403  303  303",
    "inventory/count/typed/edit POST":                "401   404  404  404  403  303  303",
    "inventory/count/typed/delete POST":              "401   404  404  404  403  303  303",
    "inventory/count/batch/acknowledge POST":         "401   404  404  404  403  303  303",
    "inventory/review/batch/acknowledge POST":        "401   404  404  404  403  303  303",
    "inventory/apply/batch/acknowledge POST":         "401   404  404  404  403  303  303",
    "inventory/review/control/exclude_flagged POST":  "401   404  404  404  403  303  303",
    "inventory/review/control/exclude_moved POST":    "401   404  404  404  403  303  303",
    "inventory/review/control/exclude_lines POST":    "401   404  404  404  403  303  303",
    "inventory/review/control/include POST":          "401   404  404  404  403  303  303",
    "inventory/review/rows/rows GET":                 "401   404  404  404  200  200  200",
    "inventory/review/rows/csv GET":                  "login 404  404  404  200  200  200",
    "inventory/review/rows/xlsx GET":                 "login 404  404  404  200  200  200",
    "inventory/review/rows/edit POST":                "401   404  404  404  403  303  303",
    "inventory/review/recount/text GET":              "login 404  404  404  200  200  200",
    "inventory/review/recount/csv GET":               "login 404  404  404  200  200  200",
    "inventory/apply/apply/run POST":                 "401   404  404  404  403  303  303",
    "inventory/apply/apply/schedule POST":            "401   404  404  404  403  303  303",
    "inventory/apply/apply/unschedule POST":          "401   404  404  404  403  303  303",
    "inventory/report/revert/revert POST":            "401   404  404  404  403  303  303",
    "inventory/batches/batches/open GET":             "login 404  404  404  303  303  303",
    "inventory/batches/batches/delete POST":          "401   404  404  404  403  303  303",
}  # fmt: skip


def expected(name: str) -> dict[str, str]:
    statuses = EXPECTED[name].split()
    assert len(statuses) == len(ROLES), name
    return dict(zip(ROLES, statuses, strict=True))


def test_every_route_method_and_widget_action_has_a_row(shipped_app: Any) -> None:
    routes = app_routes(shipped_app)
    listed = {f"{route} {method}" for route, methods in routes.items() for method in methods}
    covered = {" ".join(name.split()[:2]) for name in TARGETS}
    missing = sorted(listed - covered)
    assert not missing, f"add a target (route_targets.py) and a row (EXPECTED) for {missing}"
    gone = sorted(name for name in TARGETS if " ".join(name.split()[:2]) not in listed)
    assert not gone, f"these targets name no route of the app: {gone}"
    assert sorted(TARGETS) == sorted(EXPECTED), "every target has its row of statuses"


def test_proutes_lists_every_widget_action_with_its_methods_and_permission(
    shipped_app: Any,
) -> None:
    routes, permissions = app_routes(shipped_app), route_permissions(shipped_app)
    actions = widget_actions(shipped_app)
    assert actions, "the shipped Applications have widget actions"
    for route, (methods, permission) in actions.items():
        assert routes.get(route) == methods, route
        assert permissions.get(route) == {permission}, route


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_its_status(
    name: str, shipped_app: Any, clients: dict[str, Client], world: World
) -> None:
    outcomes = {}
    for role in ROLES:
        client = clients[role]
        call = TARGETS[name](world)
        response = client.send(shipped_app, call)
        outcomes[role] = _outcome(response)
        if call.changes_login:
            client.log_in_again()
    assert outcomes == expected(name), f"{call.method} {url(shipped_app, call)}"


def _outcome(response: Any) -> str:
    if response.status_int == 303:
        to_login = response.location.split("?")[0].endswith("/login")
        return "login" if to_login else "303"
    return str(response.status_int)
