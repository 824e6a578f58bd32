"""Template versions and activations in the registry, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from service.errors import ConflictError, NotFoundError
from service.storage import templates as store
from service.storage.accounts import AuditEntry, list_events
from service.storage.database import Database

KIND = "meeting-notice"


def _new(activatable: bool = True, **overrides: object) -> store.NewTemplateVersion:
    values: dict[str, object] = {
        "kind": KIND,
        "files": {"document": "a" * 64, "letter": "b" * 64},
        "report": {"document": {"ok": activatable}},
        "activatable": activatable,
        "based_on": 1,
        "reason": "新的盖章要求",
        "uploaded_by": "user:wang",
        **overrides,
    }
    return store.NewTemplateVersion(**values)  # type: ignore[arg-type]


def _audit(action: str) -> AuditEntry:
    return AuditEntry("user:wang", action, remote_addr="127.0.0.1")


def test_a_kind_never_switched_runs_version_1(database: Database) -> None:
    assert store.active_version(database, KIND) == 1
    assert store.active_versions(database) == {}
    assert store.list_versions(database, KIND) == []


def test_uploads_are_numbered_from_2_per_kind_with_their_audit_event(database: Database) -> None:
    first = store.add_version(database, _new(), _audit("template.uploaded"))
    second = store.add_version(database, _new(), _audit("template.uploaded"))
    other = store.add_version(database, _new(kind="meeting-minutes", files={"document": "c" * 64}), _audit("x"))

    assert (first.version, second.version, other.version) == (2, 3, 2)
    assert [v.version for v in store.list_versions(database, KIND)] == [2, 3]
    assert store.get_version(database, KIND, 3).files == {"document": "a" * 64, "letter": "b" * 64}
    events = list_events(database, action="template.uploaded").items
    assert [e.target for e in events] == [f"templates/{KIND}/versions/3", f"templates/{KIND}/versions/2"]
    assert events[0].detail["version"] == 3


def test_activation_and_roll_back_keep_one_active_version_and_their_history(database: Database) -> None:
    store.add_version(database, _new(), _audit("template.uploaded"))
    store.add_version(database, _new(), _audit("template.uploaded"))

    store.activate(database, KIND, 2, "启用2", _audit("template.activated"))
    store.activate(database, KIND, 3, "启用3", _audit("template.activated"))
    back = store.roll_back(database, KIND, "回退", _audit("template.rolled_back"))
    again = store.roll_back(database, KIND, "再回退", _audit("template.rolled_back"))

    assert (back.version, back.previous_version) == (2, 3)
    assert (again.version, again.previous_version) == (3, 2)  # like `cd -`
    assert store.active_version(database, KIND) == 3
    assert store.active_versions(database) == {KIND: 3}
    history = store.list_activations(database, KIND)
    assert [(a.version, a.previous_version, a.reason) for a in history] == [
        (3, 2, "再回退"),
        (2, 3, "回退"),
        (3, 2, "启用3"),
        (2, 1, "启用2"),
    ]
    assert list_events(database, action="template.rolled_back").items[0].detail["reason"] == "再回退"


def test_a_version_with_lint_errors_or_that_does_not_exist_cannot_be_activated(database: Database) -> None:
    store.add_version(database, _new(activatable=False), _audit("template.uploaded"))

    with pytest.raises(ConflictError):
        store.activate(database, KIND, 2, "试试", _audit("template.activated"))
    with pytest.raises(NotFoundError):
        store.activate(database, KIND, 9, "试试", _audit("template.activated"))

    assert store.active_version(database, KIND) == 1
    assert list_events(database, action="template.activated").items == []


def test_roll_back_with_no_activation_is_a_conflict(database: Database) -> None:
    with pytest.raises(ConflictError):
        store.roll_back(database, KIND, "回退", _audit("template.rolled_back"))


def test_concurrent_activations_leave_exactly_one_active_version(database: Database) -> None:
    for _ in range(4):
        store.add_version(database, _new(), _audit("template.uploaded"))

    with ThreadPoolExecutor(max_workers=4) as executor:
        list(executor.map(lambda v: store.activate(database, KIND, v, f"启用{v}", _audit("a")), [2, 3, 4, 5]))

    history = store.list_activations(database, KIND)
    assert store.active_version(database, KIND) == history[0].version
    assert sorted(a.version for a in history) == [2, 3, 4, 5]
    # Each switch names the version it replaced: the history is one chain, whatever the order.
    chain = [1] + [a.version for a in reversed(history)]
    assert [a.previous_version for a in reversed(history)] == chain[:-1]
