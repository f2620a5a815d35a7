"""A batch's details in the operator's words: a code as its select words it, once for
every batch a page shows; a value no choice has, and a plain parameter, as stored."""

from __future__ import annotations

from typing import Any

from poser.apps.gui.batch_details import detail_texts
from poser.models.orm import Batch


def test_a_code_shows_in_its_selects_words_read_once_for_every_batch() -> None:
    asked: list[Any] = []

    def vendors(ctx: Any) -> list[tuple[str, str]]:
        asked.append(ctx)
        return [("ACME", "ACME: Acme Foods"), ("BETA", "BETA: Beta Supply")]

    ctx = object()
    texts = detail_texts(ctx, (("Vendor", "vendor_code", vendors), ("Counted by", "counter")))
    assert asked == []  # not until a batch's details are shown
    acme = Batch(parameters={"vendor_code": "ACME", "counter": "Olga"})
    gone = Batch(parameters={"vendor_code": "GONE"})  # a vendor deleted since
    assert texts(acme) == [("Vendor", "ACME: Acme Foods"), ("Counted by", "Olga")]
    assert texts(gone) == [("Vendor", "GONE"), ("Counted by", "")]
    assert texts(Batch(parameters=None)) == [("Vendor", ""), ("Counted by", "")]
    assert asked == [ctx]


def test_details_without_codes_read_nothing() -> None:
    texts = detail_texts(object(), (("Counted by", "counter"),))
    assert texts(Batch(parameters={"counter": 3})) == [("Counted by", "3")]
