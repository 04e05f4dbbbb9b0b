"""What can go wrong in the store that a person can act on: every message plain English.

Each is an :class:`~sv_helpers.core.errors.InputError`, so apps and notebooks show its message, never a
traceback.
"""

from __future__ import annotations

from sv_helpers.core.errors import InputError
from sv_helpers.store import texts


class StoreError(InputError):
    """Something about the store a person can act on; the message is plain English."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (or opened); the rest of the workbook still works."""

    reason: str = ""


class NotAllowed(StoreError):
    """The person acting may not do this (a councillor saving, or opening a draft); it is in the audit log."""


class CopyDoesNotVerify(StoreError):
    """A copy being imported does not verify once loaded; nothing of it was kept.

    ``problems`` holds every problem :meth:`Store.verify` found, the first first.
    """

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


def checked_text(value: str, what: str, *, multiline: bool = False) -> str:
    """``value`` stripped, or a :class:`StoreError` naming the control character it holds and where."""
    value = (value or "").strip()
    bad = texts.first_forbidden(value, multiline=multiline)
    if bad:
        raise StoreError(
            f"The {what} holds {bad}, which is not allowed (it could make the text read differently from what "
            "was saved). Please type it again without it."
        )
    return value


def reason(exc: BaseException) -> str:
    """The first line of a database driver's message, without SQL (to name why the store could not do something)."""
    original = getattr(exc, "orig", None) or exc
    first = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return first.rstrip(".")[:300]
