"""Tables only. Imports nothing from poser but this package."""

from sqlalchemy.orm import configure_mappers

from .catalog import Department, Product, ProductCost, Vendor
from .datasets import MEMBER_ROLES, DataSet, DataSetMember, DataSetMixin
from .framework import InputChange, ParameterValue, StepRun, Upload
from .jobs import FINISHED_STATUSES, JOB_STATUSES, Job, PeriodicRun
from .meta import Base, UTCDateTime
from .users import ROLES, LoginFailure, User

# Fail at import, not at the first query, if a relationship is wrong.
configure_mappers()

__all__ = [
    "FINISHED_STATUSES",
    "JOB_STATUSES",
    "MEMBER_ROLES",
    "ROLES",
    "Base",
    "DataSet",
    "DataSetMember",
    "DataSetMixin",
    "Department",
    "InputChange",
    "Job",
    "LoginFailure",
    "ParameterValue",
    "PeriodicRun",
    "Product",
    "ProductCost",
    "StepRun",
    "UTCDateTime",
    "Upload",
    "User",
    "Vendor",
]
