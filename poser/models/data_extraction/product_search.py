"""The Products grid's description search: its filter's SQL on each database.

A "contains" finds the same products as the grid's own LIKE; what else a search finds
(equals) is left to the grid.

On PostgreSQL a "contains" is ``lower(description COLLATE "C") LIKE text`` with the
text's ASCII letters in lower case, which its trigram index holds (migration 0024), and
its planner chooses between the two. Under the "C" collation lower() folds the ASCII
letters alone, as SQLite's LIKE does, and costs less a row than a lower() that folds
every letter ("organic" by description, descending, checks 350,000 rows of a million:
58 ms against 99). A text with other letters that have cases is a regular expression
with a bracket of cases per such letter (``[Éé]``), which the index holds too.

On SQLite (`poser.models.orm.search`), a text within a word (no space in it) is
looked up in the vocabulary: the products of the words that hold it are its matches.

- Up to `SEARCH_LIST` such products are listed, and the search is "the product is one
  of these": the page's keys read that list. A text no word holds reads no product,
  where the grid's LIKE reads every one (300 ms over a million). The grid counts them
  from the words table, a range per word, as below: the list's count looks each
  product up ("milk": 16,029 products; 10,001 counted in 9.6 ms, against 1.3 from
  the words).
- A text found more often is the grid's LIKE, which finds the first matches among
  dense rows sooner than a list of a tenth of the catalog is made. It offers its
  matches in the description's order too (`InOrder`), a range of the words table per
  word: the grid counts them there, and reads a page by the description there (its
  plan 4), where the description index would be walked from its end to the first
  "Organic" (350,000 rows).
- A text with a space may span words, and a text that more words hold than the grid
  merges (`MERGE_VALUES`, "a" say) is found by the trigram table instead, listed as
  above when it finds at most `SEARCH_LIST`, the grid's LIKE past that. The table
  folds more cases than LIKE does (the Kelvin sign to k), so its matches are checked
  by the LIKE too. A search of the trigram table costs as much as the statement that
  reads its matches (a long text's many trigrams: 10 ms for "honeycrisp tomatoes").
- A text with a letter whose other case is an ASCII letter (the dotless i, the long s,
  the Kelvin sign) is the grid's LIKE alone: the words keep such an ASCII letter in
  lower case, and the trigram table folds it its own way.

Each text is looked up once a request.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.grid_filters import ContainsText, folds_as_ascii, letter_cases
from poser.models.data_extraction.grid_plans import MERGE_VALUES, InOrder
from poser.models.data_extraction.grid_state import Filter
from poser.models.orm import Product
from poser.models.orm.search import SEARCH_MATCH, SEARCH_TABLE, VOCABULARY_TABLE, WORD_TABLE

#: Up to how many products a search lists on SQLite (its words' products in the data
#: set; or the trigram table's matches, over all data sets): past it, the grid's LIKE.
SEARCH_LIST = 20_000


class DescriptionSearch:
    """The description filter's condition (`condition`) for one request's grid."""

    def __init__(self, dbsession: Session, data_set_id: int) -> None:
        self.sqlite = dbsession.get_bind().dialect.name == "sqlite"
        self.dbsession = dbsession
        self.data_set_id = data_set_id
        # By text: its matches as a JSON array, or None when found too often to list.
        self.listed: dict[str, str | None] = {}
        # By text: the words that hold it, or None (a space, or more than the grid merges).
        self.words: dict[str, list[str] | None] = {}

    def condition(self, item: Filter) -> ColumnElement[bool] | None:
        text_ = str(item.value)
        if item.op != "contains":
            return None
        if not self.sqlite:
            folded = func.lower(Product.description.collate("C"))
            if not folds_as_ascii(text_):
                return folded.op("~", is_comparison=True)(literal(any_case_regex(text_), String))
            lowered = "".join(char.lower() if char.isascii() else char for char in text_)
            escaped = "".join("/" + c if c in "/%_" else c for c in lowered)
            return folded.contains(literal(escaped, String), escape="/")
        if any(not char.isascii() and _ascii_case(char) for char in text_):
            return None  # neither table keeps such a letter's cases: the grid's own
        contains = ContainsText(Product.description, text_)
        words = self._words(text_)
        if text_ not in self.listed and (words is not None or len(text_) >= 3):
            self.listed[text_] = self._by_words(words) if words is not None else self._found(text_)
        ids = self.listed.get(text_)
        if ids is not None:
            listed = Product.id.in_(select(func.json_each(ids).table_valued("value").c.value))
            if words is not None:  # the words table's ranges count them
                return InOrder(listed, lambda: self._in_order(words))
            # The trigram table folds more cases than the grid does (the Kelvin sign's
            # K to k): what it finds is checked as the grid checks it.
            return and_(listed, contains)
        if words is None:
            return None  # the grid's own LIKE
        return InOrder(contains, lambda: self._in_order(words))

    def _words(self, text_: str) -> list[str] | None:
        if " " in text_:
            return None
        if text_ not in self.words:
            vocabulary = VOCABULARY_TABLE.c.word
            holding = select(vocabulary).where(ContainsText(vocabulary, text_))
            found = list(self.dbsession.scalars(holding.limit(MERGE_VALUES + 1)))
            self.words[text_] = found if len(found) <= MERGE_VALUES else None
        return self.words[text_]

    def _by_words(self, words: list[str]) -> str | None:
        """The data set's products of these words, as a JSON array; None past
        `SEARCH_LIST` (counted first, as rows of the words table, for less than the
        products: one may have two of the words)."""
        rows = select(WORD_TABLE.c.product_id).where(
            WORD_TABLE.c.data_set_id == self.data_set_id, WORD_TABLE.c.word.in_(words)
        )
        first = rows.limit(SEARCH_LIST + 1).subquery()
        if self.dbsession.scalar(select(func.count()).select_from(first)) > SEARCH_LIST:
            return None
        # In id order, as the trigram table lists them: the statements that read the
        # list look its ids up the sooner ("milk" by price: its count and keys take 29 ms
        # against 37).
        ordered = rows.distinct().order_by(WORD_TABLE.c.product_id).subquery()
        return self.dbsession.scalar(select(func.json_group_array(ordered.c.product_id)))

    def _found(self, text_: str) -> str | None:
        """The trigram table's matches of ``text_``, as a JSON array; None past
        `SEARCH_LIST`."""
        # One FTS5 phrase: the trigrams of the whole text, in order (a substring).
        phrase = '"' + text_.replace('"', '""') + '"'
        first = (
            select(SEARCH_TABLE.c.rowid).where(SEARCH_MATCH(phrase)).limit(SEARCH_LIST + 1)
        ).subquery()
        listing = select(func.json_group_array(first.c.rowid), func.count())
        ids, found = self.dbsession.execute(listing.select_from(first)).one()
        return ids if found <= SEARCH_LIST else None

    def _in_order(self, words: list[str]) -> list[Select[Any]]:
        """Per word, its products of the data set as ``row_key`` and ``row_sort`` (the
        description), which the words table reads in that order."""
        rows = select(
            WORD_TABLE.c.product_id.label("row_key"), WORD_TABLE.c.description.label("row_sort")
        ).where(WORD_TABLE.c.data_set_id == self.data_set_id)
        return [rows.where(WORD_TABLE.c.word == word) for word in words]


def any_case_regex(text: str) -> str:
    """A POSIX regular expression for "holds ``text``" in a text whose ASCII letters
    are folded to lower case: an ASCII letter is itself in lower case, another letter a
    bracket of its one-character cases, and the expressions' special characters are
    escaped."""
    parts = []
    for char in text:
        cases = letter_cases(char)
        if char.isascii():
            parts.append(re.escape(char.lower()))
        elif len(cases) > 1:
            parts.append("[" + "".join(cases) + "]")
        else:
            parts.append(char)
    return "".join(parts)


def _ascii_case(char: str) -> bool:
    """Whether one of ``char``'s other cases is an ASCII letter (the dotless i's I, the
    long s's S, the Kelvin sign's k)."""
    return any(case.isascii() for case in letter_cases(char) if case != char)
