"""Pruning old builds: what is kept, what is deleted, refusals, symlink safety, the schema upgrade, the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import pytest

from publisher import plugins
from publisher.store import PublishError, Store
from tests.test_store import BIN, ISSUE, OLDER, finished_build

PRUNED = "build #{} was pruned (its files were deleted); build the issue again"


def folders(store: Store) -> set[int]:
    return {int(p.name) for p in (store.data_dir / "builds").iterdir()}


def test_keeps_live_active_and_the_newest_per_issue_and_deletes_the_rest(store):
    a = [finished_build(store) for _ in range(4)]  # ISSUE: builds 1-4
    b = [finished_build(store, OLDER) for _ in range(2)]  # OLDER: builds 5-6
    store.publish(a[0], "alice")  # the oldest of ISSUE is live
    running = store.new_build(ISSUE, ["rss"], "bob").id
    store.start_build(running)
    store.build_dir(running).mkdir()
    pruned = store.prune(keep=2, user="carol")
    assert [r.id for r in pruned] == [a[1]]  # kept: live a0, newest a3 a2, running; OLDER has only 2
    assert folders(store) == {a[0], a[2], a[3], running, *b}
    record = store.get_build(a[1])
    assert record.pruned_at is not None and record.state == "succeeded"  # the record stays
    entry = store.history()[0]
    assert (entry.action, entry.user, entry.detail) == ("pruned", "carol", f"1 build(s): #{a[1]}; kept 2 per issue")
    assert store.prune(keep=2) == []  # nothing more to do, and no history entry for it
    assert store.history()[0] == entry
    assert {r.id for r in store.prune(keep=0)} == {a[2], a[3], *b}  # the live and the running one stay
    assert folders(store) == {a[0], running}
    assert (store.data_dir / "live" / ISSUE / ISSUE / "rss" / "index.txt").read_text() == f"build {a[0]} rss"


def test_dry_run_lists_the_same_builds_and_deletes_nothing(store):
    ids = [finished_build(store) for _ in range(4)]
    would = store.prune(keep=1, dry_run=True)
    assert [r.id for r in would] == [ids[2], ids[1], ids[0]]
    assert folders(store) == set(ids) and all(store.get_build(i).pruned_at is None for i in ids)
    assert all(e.action != "pruned" for e in store.history())
    assert [r.id for r in store.prune(keep=1)] == [r.id for r in would]
    assert folders(store) == {ids[3]}


def test_a_pruned_build_cannot_be_published_or_rolled_back_to(store):
    one, two = finished_build(store), finished_build(store)
    store.publish(two, "alice")
    store.prune(keep=1)
    with pytest.raises(PublishError) as refused:
        store.rollback(ISSUE, one, "alice")
    assert str(refused.value) == PRUNED.format(one)
    with pytest.raises(PublishError, match="was pruned"):
        store.publish(one, "alice")
    assert store.live_build(ISSUE).id == two


def test_the_target_of_a_live_symlink_is_never_deleted_even_if_the_database_disagrees(store):
    ids = [finished_build(store) for _ in range(3)]
    store.publish(ids[2], "alice")
    Store._link(store.data_dir / "live" / ISSUE, f"../builds/{ids[0]}")  # e.g. a crash mid-switch
    os.symlink(store.build_dir(ids[1]) / ISSUE, store.data_dir / "live" / "extra")  # absolute, into a build
    assert store.prune(keep=0) == []
    assert folders(store) == set(ids)


def test_symlinks_are_removed_never_followed_out_of_the_builds_folder(store, tmp_path):
    outside = tmp_path / "outside"
    (outside / "kept").mkdir(parents=True)
    (outside / "kept" / "precious.txt").write_text("keep me")
    one, two = finished_build(store), finished_build(store)
    os.symlink(outside / "kept", store.build_dir(one) / ISSUE / "rss" / "escape")
    os.symlink(outside, store.data_dir / "builds" / "99")  # no such build: left alone
    store.prune(keep=1)
    assert not store.build_dir(one).exists() and store.build_dir(two).is_dir()
    assert (outside / "kept" / "precious.txt").read_text() == "keep me"
    assert (store.data_dir / "builds" / "99").is_symlink()


def test_a_build_folder_that_is_a_symlink_is_unlinked_not_emptied(store, tmp_path):
    one, two = finished_build(store), finished_build(store)
    elsewhere = tmp_path / "elsewhere"
    assert store.build_dir(two).is_dir()
    store.build_dir(one).rename(elsewhere)
    os.symlink(elsewhere, store.build_dir(one))
    store.prune(keep=1)
    assert not os.path.lexists(store.build_dir(one)) and store.build_dir(two).is_dir()
    assert (elsewhere / ISSUE / "rss" / "index.txt").read_text() == f"build {one} rss"


def test_create_all_adds_pruned_at_to_a_database_made_before_it(tmp_path):
    db = tmp_path / "data" / "publisher.db"
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:  # the builds table as it was before pruning existed
        conn.execute(
            "CREATE TABLE builds (id INTEGER PRIMARY KEY AUTOINCREMENT, issue_id VARCHAR(64) NOT NULL, "
            "channels JSON NOT NULL, state VARCHAR(16) NOT NULL, active_issue VARCHAR(64) UNIQUE, "
            "requested_by VARCHAR(64), runner VARCHAR(200), created_at DATETIME NOT NULL, started_at DATETIME, "
            "finished_at DATETIME, results JSON NOT NULL, error TEXT, log TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO builds (issue_id, channels, state, created_at, results, log) VALUES "
            "(?, '[\"rss\"]', 'succeeded', '2025-05-01 10:00:00.000000', '{}', '')",
            (ISSUE,),
        )
    old = Store(f"sqlite:///{db}")
    old.create_all()
    old.create_all()  # a second start finds the column and changes nothing
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(builds)")]
    assert columns.count("pruned_at") == 1
    assert old.get_build(1).pruned_at is None and old.get_build(1).issue_id == ISSUE
    assert [r.id for r in old.prune(keep=0)] == [1] and old.get_build(1).pruned_at is not None
    old.close()


def test_cli_prune_dry_run_json_and_refusals(store, tmp_path):
    ids = [finished_build(store) for _ in range(3)]
    store.publish(ids[2], "alice")
    config = tmp_path / "config.yaml"
    config.write_text(f"data: {tmp_path / 'data'}\ncontent: {tmp_path}\ndatabase:\n  url: {store.url}\n", encoding="utf-8")

    def cli(*args):
        return subprocess.run(
            [str(BIN / "publisher"), "--config", str(config), *args], capture_output=True, text=True, cwd=tmp_path
        )

    bad = cli("prune", "--keep", "-1")
    assert bad.returncode == 2 and "--keep" in bad.stderr
    dry = cli("prune", "--keep", "1", "--dry-run", "--json")
    assert dry.returncode == 0
    report = json.loads(dry.stdout)
    assert (report["dry_run"], report["keep"]) == (True, 1)
    assert [(r["id"], r["pruned_at"]) for r in report["pruned"]] == [(ids[1], None), (ids[0], None)]
    assert folders(store) == set(ids)
    done = cli("prune", "--keep", "1")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:2]] == [f"#{ids[1]}", f"#{ids[0]}"]
    assert lines[2].startswith("Pruned 2 build(s); kept the live, the active and the 1 newest finished")
    assert folders(store) == {ids[2]}
    table = cli("builds").stdout.splitlines()
    assert table[0].endswith("LIVE") and table[1].endswith("PRUNED") and table[2].endswith("PRUNED")
    refused = cli("rollback", ISSUE, str(ids[0]))
    assert refused.returncode == 1 and PRUNED.format(ids[0]) in refused.stderr
    history = json.loads(cli("history", "--json").stdout)
    assert history[0]["action"] == "pruned" and history[0]["user"].endswith("(cli)")
    assert history[0]["detail"].startswith("2 build(s)")
    again = cli("prune", "--keep", "1")
    assert again.returncode == 0 and again.stdout.startswith("Pruned 0 build(s)")


def test_admin_refuses_to_roll_back_to_a_pruned_build(tmp_path):
    from tests.test_admin import Site, sign_in, token

    s = Site(tmp_path, channels=[plugins.discover()["rss"].cls])
    first, second = s.build(), s.build()
    s.store.publish(second.id, "editor")
    assert [r.id for r in s.store.prune(keep=1, user="editor")] == [first.id]
    c = s.app.test_client()
    sign_in(c)
    issue_page = c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert ">pruned</span>" in issue_page and "Roll back to this" not in issue_page
    build_page = c.get(f"/admin/builds/{first.id}").get_data(as_text=True)
    assert "This build was pruned" in build_page and "Roll back to this build" not in build_page
    response = c.post(f"/admin/builds/{first.id}/rollback", data={"csrf_token": token(c, "/admin/")}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Could not roll back to build #{first.id}: {PRUNED.format(first.id)}" in page
    assert s.store.live_build(ISSUE).id == second.id
    s.queue.close()
