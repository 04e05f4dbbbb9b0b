"""Scenario links: parameters from the page's query string, checked against the notebook's defaults."""

from sv_helpers.core.links import parameters_from_query

DEFAULTS = {"budget": 54790.0, "method": "rank", "min_score": 0, "use_equity_weight": False, "max_award": None}


def test_valid_values_are_converted_to_the_defaults_types():
    values, problems = parameters_from_query(
        "?budget=%C2%A360%2C000&method=optimal&min_score=40&use_equity_weight=yes", DEFAULTS
    )
    assert problems == []
    assert values == {
        "budget": 60000.0,
        "method": "optimal",
        "min_score": 40,
        "use_equity_weight": True,
        "max_award": None,
    }


def test_no_query_gives_the_defaults():
    assert parameters_from_query("", DEFAULTS) == (DEFAULTS, [])


def test_text_for_a_number_keeps_the_default_and_says_why():
    values, problems = parameters_from_query("budget=lots", DEFAULTS)
    assert values["budget"] == 54790.0
    assert problems == [
        "The link's value for 'budget' was not used: 'lots' is not a number. The default, 54790.0, is used instead."
    ]


def test_fraction_for_a_whole_number_is_refused():
    values, problems = parameters_from_query("min_score=40.5", DEFAULTS)
    assert values["min_score"] == 0 and "'40.5' is not a whole number" in problems[0]


def test_unknown_names_are_reported_and_voila_own_names_ignored():
    values, problems = parameters_from_query("budgt=1&voila-theme=dark", DEFAULTS)
    assert values == DEFAULTS
    assert len(problems) == 1 and problems[0].startswith("The link sets 'budgt', which this app does not have")


def test_choices_are_enforced():
    values, problems = parameters_from_query(
        "method=random", DEFAULTS, choices={"method": ("rank", "pro_rata", "optimal")}
    )
    assert values["method"] == "rank" and "is not one of rank, pro_rata, optimal" in problems[0]


def test_optional_number_with_a_none_default_uses_its_declared_type():
    values, problems = parameters_from_query("max_award=5000", DEFAULTS, types={"max_award": float})
    assert values["max_award"] == 5000.0 and problems == []
    values, problems = parameters_from_query("max_award=None", DEFAULTS, types={"max_award": float})
    assert values["max_award"] is None and problems == []
