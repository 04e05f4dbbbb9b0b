"""Every policy parameter file has a description, dated values, a unit, a label and a reference."""

import datetime as dt

import pytest

from sv_helpers.core.parameters import all_parameter_names, load_parameter

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


def test_an_edited_parameter_file_is_read_again_and_a_reader_cannot_change_anothers_copy(tmp_path, monkeypatch):
    # Files are kept once read (a redraw reads the same ones many times); an officer who edits one must see the
    # new value at once, and one caller changing what it was given must not change what the next one gets.
    import sv_helpers.core.parameters as parameters

    folder = tmp_path / "demo"
    folder.mkdir()
    path = folder / "rate.yaml"
    text = (
        "description: A rate.\nvalues:\n  2020-01-01: {value}\nmetadata:\n  unit: /1\n  label: Rate\n"
        "  reference:\n    - title: Example\n"
    )
    path.write_text(text.format(value=5), encoding="utf-8")
    monkeypatch.setattr(parameters, "PARAMETERS_DIR", tmp_path)
    first = parameters.load_parameter("demo.rate")
    assert first.value_on(dt.date(2024, 1, 1)) == 5
    first.values[dt.date(2020, 1, 1)] = 99
    assert parameters.parameter_value("demo.rate", dt.date(2024, 1, 1)) == 5
    path.write_text(text.format(value=70), encoding="utf-8")
    assert parameters.parameter_value("demo.rate", dt.date(2024, 1, 1)) == 70
