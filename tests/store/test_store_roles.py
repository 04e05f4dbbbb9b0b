"""Who may do what, on SQLite and on PostgreSQL: councillors read what officers share; officers save, share, decide.

Every refusal is a plain-English message and an audit entry; the audit trail still verifies afterwards.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from sv_helpers.store import Actor, NotAllowed, StoreError, current_actor, open_store
from sv_helpers.store.access import COUNCILLOR, OFFICER

ANA = Actor("ana", OFFICER)
CHIEF = Actor("chief", OFFICER)
BOB = Actor("cllr.bob", COUNCILLOR)


@pytest.fixture
def drafted(store_area, store_url, tmp_path):
    """A store with one draft, saved by the officer ana."""
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures), "factor": 2}))
    store = open_store(store_url)
    sid = store.save(result, "Round 1 draft", note="for the panel", user=ANA)
    yield store, sid, result
    store.close()


def refusals(store) -> list[dict]:
    return [e for e in store.audit_log() if e["action"] == "refused"]


def test_a_draft_is_seen_by_its_author_and_officers_only(drafted):
    store, sid, _ = drafted
    assert store.get(sid, user=ANA)["shared"] is None
    assert [s["id"] for s in store.list(user=ANA)] == [sid]
    assert [s["id"] for s in store.list(user=CHIEF)] == [sid]
    assert store.list(user=BOB) == []
    assert store.list("store_test", user=BOB) == []


def test_a_councillor_asking_for_a_draft_is_refused_plainly_and_it_is_written_down(drafted, tmp_path):
    store, sid, _ = drafted
    with pytest.raises(NotAllowed, match=f"scenario {sid} has not been shared with councillors yet.*ask ana"):
        store.restore(sid, tmp_path / "back", user=BOB)
    with pytest.raises(NotAllowed):
        store.get(sid, user=BOB)
    with pytest.raises(NotAllowed):
        store.rerun(sid, tmp_path / "again", user=BOB)
    assert not (tmp_path / "back").exists() and not (tmp_path / "again").exists()
    assert [(e["user"], e["scenario_id"], e["detail"]) for e in refusals(store)] == [
        ("cllr.bob", sid, "open refused: cllr.bob is a councillor"),
        ("cllr.bob", sid, "open refused: cllr.bob is a councillor"),
        ("cllr.bob", sid, "rerun refused: cllr.bob is a councillor"),
    ]
    assert store.verify() == []


def test_once_an_officer_shares_it_a_councillor_lists_and_opens_it(drafted, store_area, tmp_path):
    store, sid, result = drafted
    share = store.share(sid, user=CHIEF)
    assert share["user"] == "chief"
    [listed] = store.list(user=BOB)
    assert listed["id"] == sid and listed["shared"] == {"user": "chief", "at": share["at"]}
    settings, _ = store.restore(sid, tmp_path / "back", user=BOB)
    assert store_area.run(settings).headline == result.headline
    assert [e["action"] for e in store.audit_log()] == ["save", "share", "open"]
    assert store.share(sid, user=ANA) == share, "sharing again changes nothing"
    assert [e["action"] for e in store.audit_log()] == ["save", "share", "open"]
    assert store.verify() == []


@pytest.mark.parametrize(
    ("attempt", "right"),
    [
        (lambda store, sid, result: store.save(result, "A councillor's own", user=BOB), "save scenarios"),
        (lambda store, sid, result: store.share(sid, user=BOB), "share scenarios with councillors"),
        (lambda store, sid, result: store.mark_decision(sid, "Decided by councillor alone", user=BOB), "record"),
        (lambda store, sid, result: store.export("unused", user=BOB), "export the store"),
    ],
    ids=["save", "share", "decision", "export"],
)
def test_only_officers_save_share_decide_and_export(drafted, attempt, right):
    store, sid, result = drafted
    with pytest.raises(NotAllowed, match=f"Only officers can {right}.*cllr.bob is signed in as a councillor"):
        attempt(store, sid, result)
    [item] = store.list(user=ANA)
    assert item["id"] == sid and item["decision"] is None and item["shared"] is None
    [refused] = refusals(store)
    assert refused["user"] == "cllr.bob" and refused["detail"].endswith("refused: cllr.bob is a councillor")
    assert store.verify() == []


def test_a_refusal_naming_no_scenario_keeps_the_trail_verifiable(drafted):
    store, _, _ = drafted
    with pytest.raises(NotAllowed):
        store.mark_decision("no-such-id", "Decided", user=BOB)
    assert refusals(store)[0]["scenario_id"] is None
    assert store.verify() == []


def test_a_changed_share_is_caught(drafted, store_url):
    store, sid, _ = drafted
    share = store.share(sid, user=ANA)
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE shares SET \"user\" = 'someone else' WHERE id = :id"), {"id": share["id"]})
    engine.dispose()
    assert store.verify() == [
        f"The share {share['id']} of scenario {sid} (by someone else) does not match the record its audit entry 2 "
        "covers."
    ]


@pytest.mark.parametrize(
    ("name", "note", "message"),
    [
        ("Round\x003", "", "name holds a NUL character \\(U\\+0000\\) at character 6"),
        ("evil\u202etxt.exe", "", "name holds a right-to-left override \\(U\\+202E\\) at character 5"),
        ("two\nlines", "", "name holds a line break"),
        ("Fine", "a note\u2066hidden\u2069", "note holds a left-to-right isolate \\(U\\+2066\\) at character 7"),
        ("Fine", "bell\x07", "note holds a control character \\(U\\+0007\\)"),
    ],
)
def test_control_characters_in_names_and_notes_are_refused(drafted, name, note, message):
    store, _, result = drafted
    with pytest.raises(StoreError, match=message):
        store.save(result, name, note=note, user=ANA)
    assert len(store.list(user=ANA)) == 1


def test_a_note_may_hold_line_breaks_and_tabs_and_a_decision_note_no_controls(drafted):
    store, sid, result = drafted
    other = store.save(result, "With a long note", note="line one\n\tline two", user=ANA)
    assert store.get(other, user=ANA)["note"] == "line one\n\tline two"
    with pytest.raises(StoreError, match="decision note holds a right-to-left mark"):
        store.mark_decision(sid, "Recommended\u200f", user=ANA)
    assert store.get(sid, user=ANA)["decision"] is None


def test_a_user_name_with_control_characters_is_refused_everywhere(drafted, tmp_path):
    store, sid, result = drafted
    forged = Actor("ana\u202eevil", OFFICER)  # e.g. from a proxy's header
    with pytest.raises(StoreError, match="user's name holds a right-to-left override"):
        store.save(result, "Forged", user=forged)
    with pytest.raises(StoreError, match="user's name holds"):
        store.share(sid, user=forged)
    assert [e["action"] for e in store.audit_log()] == ["save"]


# --------------------------------------------------------------------------- who is an officer


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("JUPYTERHUB_USER", "SV_USER_GROUPS", "SV_USER_HEADER", "SV_GROUPS_HEADER", "SV_OFFICER_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_under_jupyterhub_officers_are_the_members_of_the_officer_groups(clean_env):
    clean_env.setenv("JUPYTERHUB_USER", "ana")
    assert current_actor() == Actor("ana", COUNCILLOR), "no groups: a councillor"
    clean_env.setenv("SV_USER_GROUPS", "councillors")
    assert current_actor().role == COUNCILLOR
    clean_env.setenv("SV_USER_GROUPS", "councillors,officers")
    assert current_actor() == Actor("ana", OFFICER)
    clean_env.setenv("SV_OFFICER_GROUPS", "planning-officers, finance")
    assert current_actor().role == COUNCILLOR, "the officer groups are configurable"
    clean_env.setenv("SV_USER_GROUPS", "finance")
    assert current_actor().role == OFFICER


def test_behind_a_proxy_the_groups_come_from_the_configured_header(clean_env):
    clean_env.setenv("SV_USER_HEADER", "X-Forwarded-User")
    clean_env.setenv("HTTP_X_FORWARDED_USER", "proxy.user")
    clean_env.setenv("SV_USER_GROUPS", "officers")  # not the hub: ignored
    assert current_actor() == Actor("proxy.user", COUNCILLOR)
    clean_env.setenv("SV_GROUPS_HEADER", "X-Forwarded-Groups")
    clean_env.setenv("HTTP_X_FORWARDED_GROUPS", "staff, officers")
    assert current_actor() == Actor("proxy.user", OFFICER)


def test_one_persons_own_copy_is_run_by_an_officer(clean_env):
    assert current_actor().role == OFFICER
