"""Fixtures shared by every test."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _allow_test_folders(tmp_path_factory):
    """Tests write their input files under pytest's temporary folder: name it as a folder files may be read from.

    An app never reads files outside the workbook's folder; an officer's own run may name more folders in
    ``SV_ALLOWED_DIRS`` (``sv_helpers.paths``), as this does for the tests' own files.
    """
    base = str(tmp_path_factory.getbasetemp().resolve())
    before = os.environ.get("SV_ALLOWED_DIRS")
    os.environ["SV_ALLOWED_DIRS"] = os.pathsep.join(p for p in (before, base) if p)
    yield
    if before is None:
        os.environ.pop("SV_ALLOWED_DIRS", None)
    else:
        os.environ["SV_ALLOWED_DIRS"] = before
