"""Upgrades of the site, run from the command line and recorded in the app dir."""

from poser.tasks.upgrades.packages import PackageDiff, installed_packages, package_diff
from poser.tasks.upgrades.run import (
    UpgradeError,
    UpgradePlan,
    mark_interrupted,
    run_upgrade,
    upgrade_folder,
)

__all__ = [
    "PackageDiff",
    "UpgradeError",
    "UpgradePlan",
    "installed_packages",
    "mark_interrupted",
    "package_diff",
    "run_upgrade",
    "upgrade_folder",
]
