"""Errors and findings that speak to the user.

``InputError`` means "what the user gave us is wrong" and always carries a
plain-English message fit to show on screen.  Any other exception means the
program is wrong.  ``Finding`` is one result of a check before a model runs:
an error stops the run, a warning is shown beside the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class InputError(ValueError):
    """The user's input cannot be used; ``str(err)`` is the plain-English reason.

    Parameters
    ----------
    message : str
        One or more sentences a council officer can act on, naming the file,
        row and column where that helps.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # no class name, no repr quotes
        return self.message


@dataclass(frozen=True)
class Finding:
    """One result of a check: ``level`` is ``"error"`` or ``"warning"``."""

    level: Literal["error", "warning"]
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def raise_for_errors(findings: list[Finding]) -> None:
    """Raise one ``InputError`` listing every error finding, if there are any.

    Parameters
    ----------
    findings : list of Finding
        Results of the checks; warnings are ignored here.

    Raises
    ------
    InputError
        When at least one finding is an error; the message joins them all.
    """
    errors = [f.message for f in findings if f.is_error]
    if errors:
        raise InputError(" ".join(errors) if len(errors) == 1 else "\n".join(f"- {m}" for m in errors))
