"""Who may do what in the store: councillors read what is shared with them, officers prepare and decide.

The rules (checked by the store on every call, whatever the screen offers):

* A saved scenario is a **draft** until an officer shares it: its author and the officers see it.
* **Councillors** list and open only shared scenarios (and their own drafts, if they ever had any).
* Only **officers** save, share and record decisions (and export or import a whole store).
* Every refusal is a plain-English :class:`NotAllowed` and an entry ``refused`` in the audit log.

Who is an officer: a member of one of the groups named in ``SV_OFFICER_GROUPS`` (comma-separated; default
``officers``). A person's groups come from JupyterHub (the hub puts them in ``SV_USER_GROUPS`` when it starts
their server, see ``deploy/jupyterhub/jupyterhub_config.py``) or, behind a reverse proxy, from the header
named by ``SV_GROUPS_HEADER`` (e.g. ``X-Forwarded-Groups``, comma-separated, passed to the kernel with
Voila's ``http_header_envs`` as the user header is). Someone whose groups are missing is a councillor: the
smaller set of rights is the default. Outside a hub and without a user header (one person's own copy, the
command line, a notebook run) the person at the computer is an officer: they hold the store's file anyway.

Examples
--------
>>> officer = Actor("ana", OFFICER)
>>> councillor = Actor("cllr.bob", COUNCILLOR)
>>> draft = {"user": "ana", "shared": None}
>>> can_see(officer, draft), can_see(councillor, draft)
(True, False)
>>> can_see(councillor, {"user": "ana", "shared": {"user": "ana"}})
True
>>> groups_from_text(" officers, planning ,, ")
('officers', 'planning')
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OFFICER = "officer"
COUNCILLOR = "councillor"
#: The groups whose members are officers when ``SV_OFFICER_GROUPS`` says nothing.
DEFAULT_OFFICER_GROUPS = ("officers",)
#: What each right is called in a refusal.
RIGHTS = {
    "save": "save scenarios",
    "share": "share scenarios with councillors",
    "decision": "record decisions",
    "export": "export the store",
    "import": "import a copy of the store",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting, and in which role (``officer`` or ``councillor``)."""

    name: str
    role: str = COUNCILLOR

    @property
    def is_officer(self) -> bool:
        """Whether this person prepares and decides (saves, shares, records decisions)."""
        return self.role == OFFICER


def current_user() -> str:
    """Who is acting: JupyterHub's user, else the header named by ``SV_USER_HEADER``, else the system user.

    Behind a reverse proxy, set ``SV_USER_HEADER=X-Forwarded-User`` and tell Voila to pass that
    header to the kernel (``VoilaConfiguration.http_header_envs``); it arrives as
    ``HTTP_X_FORWARDED_USER``.
    """
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return hub
    header = os.environ.get("SV_USER_HEADER", "").strip()
    if header:
        value = os.environ.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        if value:
            return value
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def groups_from_text(text: str | None) -> tuple[str, ...]:
    """Group names from a comma-separated list, blanks dropped."""
    return tuple(g.strip() for g in (text or "").split(",") if g.strip())


def officer_groups() -> tuple[str, ...]:
    """The groups whose members are officers (``SV_OFFICER_GROUPS``, else ``officers``)."""
    return groups_from_text(os.environ.get("SV_OFFICER_GROUPS")) or DEFAULT_OFFICER_GROUPS


def _header_env(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


def current_groups() -> tuple[str, ...] | None:
    """The acting person's groups, or ``None`` when nothing says (one person's own copy of the workbook).

    The same order as :func:`current_user`: under JupyterHub from ``SV_USER_GROUPS``;
    behind a proxy (``SV_USER_HEADER`` set) from ``SV_GROUPS_HEADER``'s header only. In both cases missing
    groups are no groups: a councillor.
    """
    if os.environ.get("JUPYTERHUB_USER", "").strip():
        return groups_from_text(os.environ.get("SV_USER_GROUPS", ""))
    if os.environ.get("SV_USER_HEADER", "").strip():
        header = os.environ.get("SV_GROUPS_HEADER", "").strip()
        return groups_from_text(os.environ.get(_header_env(header), "")) if header else ()
    return None


def current_role() -> str:
    """``officer`` or ``councillor`` for the acting person (see the module's docstring)."""
    groups = current_groups()
    if groups is None:
        return OFFICER
    return OFFICER if set(groups) & set(officer_groups()) else COUNCILLOR


def as_actor(user: Actor | str | None) -> Actor:
    """The actor for a store call: an :class:`Actor` as given; a bare name in the current role; else who is here."""
    if isinstance(user, Actor):
        return user
    return Actor(str(user) if user else current_user(), current_role())


def current_actor() -> Actor:
    """Who is acting now, with their role."""
    return as_actor(None)


def can_see(actor: Actor, scenario: Mapping[str, Any]) -> bool:
    """Whether ``actor`` may list and open ``scenario`` (a dictionary with ``user`` and ``shared``)."""
    return actor.is_officer or bool(scenario.get("shared")) or scenario.get("user") == actor.name


def refusal(actor: Actor, right: str) -> str:
    """The plain-English sentence for a right the actor does not hold."""
    return (
        f"Only officers can {RIGHTS[right]}; {actor.name} is signed in as a councillor. "
        "Councillors can open the scenarios officers have shared with them."
    )


def unshared(scenario: Mapping[str, Any]) -> str:
    """The plain-English sentence for a councillor asking for a draft."""
    return (
        f"The saved scenario {scenario['id']} has not been shared with councillors yet, so it cannot be "
        f"opened here. Please ask {scenario['user']}, or another officer, to share it."
    )
