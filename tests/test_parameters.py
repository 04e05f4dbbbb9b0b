"""Every policy parameter file has a description, dated values, a unit, a label and a reference."""

import datetime as dt

import pytest

from sv_helpers.parameters import all_parameter_names, load_parameter

NAMES = all_parameter_names()


def test_there_are_parameter_files():
    assert NAMES


@pytest.mark.parametrize("name", NAMES)
def test_parameter_file_is_complete(name):
    p = load_parameter(name)
    assert p.description.strip().endswith("."), "description must be one sentence ending with a full stop"
    assert p.values, "at least one dated value"
    assert all(isinstance(d, dt.date) for d in p.values)
    assert p.unit, "metadata.unit"
    assert p.label, "metadata.label"
    assert p.reference and all(r.get("title") for r in p.reference), "metadata.reference with a title"
