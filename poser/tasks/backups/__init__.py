"""Backups of the app dir: one archive, taken while the site runs, that restores."""

from poser.tasks.backups.archive import BackupError, read_manifest, verify_archive
from poser.tasks.backups.restore import Restored, restore_backup
from poser.tasks.backups.take import BackupSources, take_backup

__all__ = [
    "BackupError",
    "BackupSources",
    "Restored",
    "read_manifest",
    "restore_backup",
    "take_backup",
    "verify_archive",
]
