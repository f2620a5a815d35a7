"""Tables only. Imports nothing from poser but this package."""

from sqlalchemy.orm import configure_mappers

from .batches import (
    BATCH_STATUSES,
    CATALOG_ROW_STATUSES,
    Batch,
    BatchExecution,
    CatalogBatchRow,
)
from .catalog import Department, Product, ProductCost, Vendor
from .datasets import MEMBER_ROLES, DataSet, DataSetMember, DataSetMixin
from .exports import Export
from .feeds import FeedRun
from .framework import InputChange, ParameterValue, StepRun, Upload
from .history import CHANGE_FIELDS, CHANGE_SOURCES, ProductChange
from .inventory import INVENTORY_ROW_STATUSES, INVENTORY_UNITS, InventoryBatchRow
from .jobs import FINISHED_STATUSES, JOB_STATUSES, Job, PeriodicRun
from .meta import Base, UTCDateTime
from .reports import REPORT_FREQUENCIES, ReportSchedule
from .upgrades import UPGRADE_STATUSES, Upgrade
from .users import ROLES, LoginFailure, User

# Fail at import, not at the first query, if a relationship is wrong.
configure_mappers()

__all__ = [
    "BATCH_STATUSES",
    "CATALOG_ROW_STATUSES",
    "CHANGE_FIELDS",
    "CHANGE_SOURCES",
    "FINISHED_STATUSES",
    "INVENTORY_ROW_STATUSES",
    "INVENTORY_UNITS",
    "JOB_STATUSES",
    "MEMBER_ROLES",
    "REPORT_FREQUENCIES",
    "ROLES",
    "UPGRADE_STATUSES",
    "Base",
    "Batch",
    "BatchExecution",
    "CatalogBatchRow",
    "DataSet",
    "DataSetMember",
    "DataSetMixin",
    "Department",
    "Export",
    "FeedRun",
    "InputChange",
    "InventoryBatchRow",
    "Job",
    "LoginFailure",
    "ParameterValue",
    "PeriodicRun",
    "Product",
    "ProductChange",
    "ProductCost",
    "ReportSchedule",
    "StepRun",
    "UTCDateTime",
    "Upgrade",
    "Upload",
    "User",
    "Vendor",
]
