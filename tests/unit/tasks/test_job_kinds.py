"""The job kind registry: a kind is declared once, carried by its task, found by name."""

from __future__ import annotations

import pytest

from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.job_kinds import (
    JobKind,
    UnknownJobKindError,
    all_kinds,
    get_kind,
    job_kind,
    kind_of,
)
from poser.utils.registry import DuplicateNameError
from tests import sample_jobs


def test_the_decorated_task_carries_its_kind() -> None:
    kind = kind_of(sample_jobs.touch)
    assert (kind.name, kind.function) == ("sample.touch", sample_jobs.touch)
    assert get_kind("sample.touch") is kind
    assert kind_of(kind) is kind
    with pytest.raises(TypeError, match="is not a job kind"):
        kind_of(len)  # type: ignore[arg-type]


def test_a_kind_name_is_declared_once() -> None:
    def other(data_set: object, progress: object = None) -> None:
        return None

    with pytest.raises(DuplicateNameError, match=r"a job kind named 'sample\.touch' is registered"):
        job_kind("sample.touch", "Touch it differently")(other)
    assert get_kind("sample.touch").function is sample_jobs.touch
    # The same function declared again (its module imported twice) is no harm.
    assert job_kind("sample.touch", "Touch the data set slowly")(sample_jobs.touch)


def test_an_unknown_kind_is_an_error_of_its_own() -> None:
    with pytest.raises(UnknownJobKindError, match=r"no job kind named 'no\.such\.kind'"):
        get_kind("no.such.kind")


def test_every_process_knows_the_installed_kinds_without_a_list_of_modules() -> None:
    """The poser.tasks entry points are imported at the first look-up."""
    names = [kind.name for kind in all_kinds()]
    assert {"datasets.copy", "batches.execute", "maintenance.purge_work"} <= set(names)
    assert names == sorted(names)
    assert isinstance(data_set_jobs.copy.job_kind, JobKind)
