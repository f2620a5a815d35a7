"""The shared review widgets take a batch type's declaration and nothing else: its
forms become actions (editors only, POST), its further sets of rows too, and the line
forms ask which file only when its rows come from several."""

from __future__ import annotations

from typing import Any

from poser.apps.gui.batch_review import LeaveOut, RevertPanel, ReviewControl, ReviewTasks
from poser.tasks.batches.exclusions import ReviewCounts


def _unused(*args: Any) -> Any:
    raise AssertionError("not called")


def _tasks(**extra: Any) -> ReviewTasks:
    return ReviewTasks(
        batch_type="tally",
        noun="tally",
        counts=lambda batch: ReviewCounts(0, 0, 0, []),
        exclude_flagged=_unused,
        exclude_lines=_unused,
        include=_unused,
        set_exclusion=_unused,
        left_out=_unused,
        revert_batch=_unused,
        why_not_revertible=_unused,
        planned=_unused,
        reverted=_unused,
        **extra,
    )


def test_a_types_declaration_makes_its_forms_actions_that_editors_post() -> None:
    more = LeaveOut("exclude_late", "Exclude late lines", "Why?", task=_unused)
    control = ReviewControl("control", tasks=_tasks(more=[more]))
    actions = control.actions()
    assert sorted(actions) == ["exclude_flagged", "exclude_late", "exclude_lines", "include"]
    assert {(a.permission, a.methods) for a in actions.values()} == {("edit", ("POST",))}
    revert = RevertPanel("revert", tasks=_tasks()).actions()
    assert [(name, a.permission, a.methods) for name, a in revert.items()] == [
        ("revert", "edit", ("POST",))
    ]


def test_the_line_forms_ask_for_a_file_only_when_rows_come_from_several() -> None:
    one = ReviewControl("control", tasks=_tasks())
    several = ReviewControl("control", tasks=_tasks(sources=lambda batch: [("1", "a.csv")]))
    assert [node.name for node in one._fields(("lines", "Lines"))] == ["lines"]
    assert [node.name for node in several._fields(("lines", "Lines"))] == ["lines", "source"]
