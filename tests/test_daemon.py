"""The resident daemon runs short commands warm: the same files, output and exit status as a command of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from publisher import daemon

from .conftest import REPO, SAMPLE_CONTENT

BROKEN_ARTICLE = "---\nheadline: 断了的稿件\nsection: yaowen\nbyline: [\n---\n正文。\n"


def publisher(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "publisher", *args], cwd=cwd, env=env, capture_output=True, text=True)


def served(env: dict, cwd: Path) -> int:
    """How many commands the running daemon has run (it says so in ``daemon status``)."""
    status = publisher(["daemon", "status"], cwd, env)
    assert status.returncode == 0, status.stdout + status.stderr
    return int(status.stdout.split(", ")[-1].split()[0])


@pytest.fixture
def site(tmp_path):
    (tmp_path / "config.yaml").write_text(
        f"content: {SAMPLE_CONTENT}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def running(site, tmp_path):
    """A daemon of this installation in a private folder of the test; the environment that reaches it.

    ``manual``: commands use it, but one that runs by itself starts no other.
    """
    env = {**os.environ, "PUBLISHER_DAEMON": "manual", "PUBLISHER_DAEMON_DIR": str(tmp_path / "run")}
    env["PYTHONPATH"] = str(REPO)
    started = publisher(["daemon", "start"], site, env)
    assert started.returncode == 0, started.stdout + started.stderr
    assert "running" in started.stdout
    yield env
    publisher(["daemon", "stop"], site, env)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_in_the_daemon_writes_exactly_what_a_build_of_its_own_writes(running, site):
    warm = publisher(["build", "-c", "rss", "-c", "digest", "--out", "warm"], site, running)
    assert warm.returncode == 0, warm.stderr
    assert served(running, site) == 1
    cold = publisher(["build", "-c", "rss", "-c", "digest", "--out", "cold"], site, {**running, "PUBLISHER_DAEMON": "off"})
    assert cold.returncode == 0, cold.stderr
    assert served(running, site) == 1  # bypassed
    files = tree(site / "warm")
    assert files == tree(site / "cold")
    assert "<title>中国铝业报" in files["2025-04-19-1330/rss/feed.xml"].decode("utf-8")
    assert warm.stdout == cold.stdout.replace("cold/", "warm/")  # the files written, one a line
    assert "[2/2] digest" in warm.stderr and "warm/2025-04-19-1330/rss/feed.xml" in warm.stdout


def test_an_import_in_the_daemon_writes_the_issue_an_import_of_its_own_writes(running, site):
    """The importers run warm too (their phrase tables and rules loaded once): the same draft folder, bar the time taken."""
    seed = REPO / "tests" / "data" / "chinalco-news-1330.txt"
    runs = {}
    for name, env in (("warm", running), ("cold", {**running, "PUBLISHER_DAEMON": "off"})):
        result = publisher(["import-text", str(seed), "--out", name], site, env)
        assert result.returncode == 0, result.stderr
        runs[name] = tree(site / name / "2025-04-19-1330")
    assert served(running, site) == 1
    reports = [json.loads(files.pop("import-report.json")) for files in runs.values()]
    for files in runs.values():
        files.pop("import-report.txt")  # says how long it took
    assert runs["warm"] == runs["cold"] and len(runs["warm"]) > 20
    assert [{**r, "seconds": 0} for r in reports[:1]] == [{**r, "seconds": 0} for r in reports[1:]]
    assert "headline: 中铝集团新增两家国家企业技术中心" in runs["warm"]["01-zhong-lv-ji-tuan-xin-zeng.md"].decode("utf-8")


def test_errors_and_exit_status_come_back_as_they_would_without_it(running, site, tmp_path):
    content = tmp_path / "content"
    issue = content / "issues" / "2025-04-19-1330"
    issue.mkdir(parents=True)
    (issue / "issue.yaml").write_text((SAMPLE_CONTENT / "issues" / "2025-04-19-1330" / "issue.yaml").read_text("utf-8"), "utf-8")
    (issue / "01-duan.md").write_text(BROKEN_ARTICLE, encoding="utf-8")
    args = ["--config", str(site / "config.yaml"), "check"]
    (site / "config.yaml").write_text(f"content: {content}\ndata: {tmp_path / 'data'}\n", encoding="utf-8")
    warm = publisher(args, site, running)
    cold = publisher(args, site, {**running, "PUBLISHER_DAEMON": "off"})
    assert served(running, site) == 1
    assert warm.returncode == cold.returncode != 0
    assert warm.stderr == cold.stderr
    assert "01-duan.md:" in warm.stderr


def test_a_caller_with_another_python_path_runs_its_command_itself(running, site, tmp_path):
    other = {**running, "PYTHONPATH": f"{REPO}{os.pathsep}{tmp_path}"}
    result = publisher(["issues"], site, other)
    assert result.returncode == 0 and "2025-04-19-1330" in result.stdout
    assert served(running, site) == 0


def test_an_install_after_the_start_stops_the_daemon_and_the_command_runs_itself(site, tmp_path):
    packages = tmp_path / "packages"  # a folder of sys.path, as site-packages is
    packages.mkdir()
    env = {**os.environ, "PUBLISHER_DAEMON": "manual", "PUBLISHER_DAEMON_DIR": str(tmp_path / "run")}
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{packages}"
    assert publisher(["daemon", "start"], site, env).returncode == 0
    try:
        assert publisher(["issues"], site, env).returncode == 0
        assert served(env, site) == 1
        (packages / "newly_installed-1.0.dist-info").mkdir()
        result = publisher(["issues"], site, env)
        assert result.returncode == 0 and "2025-04-19-1330" in result.stdout
        status = publisher(["daemon", "status"], site, env)
        assert status.returncode == 3 and "no publisher daemon" in status.stdout
    finally:
        publisher(["daemon", "stop"], site, env)


def test_stop_ends_it_and_commands_run_as_before(running, site):
    stopped = publisher(["daemon", "stop"], site, running)
    assert "stopped" in stopped.stdout
    assert publisher(["daemon", "status"], site, running).returncode == 3
    result = publisher(["show"], site, running)
    assert result.returncode == 0 and "中国铝业报" in result.stdout


def test_the_fingerprint_changes_with_a_module_file(tmp_path):
    source = tmp_path / "edited.py"
    source.write_text("x = 1\n")
    modules = {"edited": types.SimpleNamespace(__file__=str(source))}
    before = daemon.fingerprint(modules)
    assert str(source) in before
    source.write_text("x = 22\n")
    assert daemon.fingerprint(modules) != before


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["build", "-c", "rss"], "build"),
        (["--config", "c.yaml", "check"], "check"),
        (["--config=c.yaml", "show"], "show"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_is_found_after_the_group_options(args, command):
    assert daemon.command_of(args) == command


def test_a_socket_folder_others_can_enter_is_refused_and_commands_run_themselves(site, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_DAEMON"} | {"PUBLISHER_DAEMON_DIR": str(shared)}
    started = publisher(["daemon", "start"], site, env)
    assert started.returncode == 1 and "not a private folder" in started.stderr
    assert not list(shared.iterdir())
    assert daemon.command_of(["issues"]) in daemon.COMMANDS
    result = publisher(["issues"], site, env)
    assert result.returncode == 0 and "2025-04-19-1330" in result.stdout
    assert not list(shared.iterdir())  # nor did the command start one there


def stalled(args: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    """A command caught mid-way: its output goes to a pipe of one page that nobody reads, so it waits in a write.

    Once the first byte has come, the command is running and cannot finish until the pipe is read.
    """
    import fcntl

    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    assert os.read(proc.stdout.fileno(), 1) == b"{"  # unbuffered: what follows is left for communicate()
    return proc


def interrupted(proc: subprocess.Popen) -> tuple[int, str, bytes]:
    """Ctrl-C a stalled command; read its output only once it has said it stopped, so it cannot finish first."""
    import select
    import signal

    proc.send_signal(signal.SIGINT)  # the caller: in the daemon, the command's process is not its own
    said, deadline = b"", time.monotonic() + 60
    while b"Aborted!" not in said:
        assert time.monotonic() < deadline, f"the command did not stop: {said!r}"
        if select.select([proc.stderr], [], [], 1.0)[0]:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:  # it ended without saying so: what it did say is the answer
                break
            said += chunk
    out, err = proc.communicate(timeout=60)
    return proc.returncode, (said + err).decode("utf-8"), out


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_reaches_the_command_in_the_daemon_as_it_would_a_command_of_its_own(running, site):
    """``show --json`` prints more than a page; interrupted while it waits to write, it stops as it would alone."""
    outcomes = []
    for env in (running, {**running, "PUBLISHER_DAEMON": "off"}):
        status, err, out = interrupted(stalled(["show", "--json"], site, env))
        outcomes.append((status, err))
        with pytest.raises(ValueError):
            json.loads(b"{" + out)  # it stopped part-way
    assert served(running, site) == 1
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 1 and "Aborted!" in outcomes[0][1]


def test_ctrl_c_before_the_daemon_names_the_command_s_process_is_passed_on_once_it_does(site, tmp_path, monkeypatch):
    """The caller relays signals from the moment it hands the command over; one that comes before the answer is held.

    A daemon of the test's own answers late, naming a process of the test's (``sleep``) as the command's.
    """
    import signal
    import socket

    home = tmp_path / "run"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("PUBLISHER_DAEMON_DIR", str(home))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(daemon.socket_path()))
    listener.listen(1)
    env = {**os.environ, "PUBLISHER_DAEMON": "manual", "PYTHONPATH": str(REPO)}
    caller = subprocess.Popen([sys.executable, "-m", "publisher", "show"], cwd=site, env=env, stderr=subprocess.PIPE)
    connection, _ = listener.accept()
    request, fds = daemon._receive(connection)  # handed over: from here on the caller relays
    for fd in fds:
        os.close(fd)
    assert request["argv"] == ["show"]
    command = subprocess.Popen(["sleep", "60"])
    caller.send_signal(signal.SIGINT)
    status = Path(f"/proc/{caller.pid}/status")
    while any(line.split()[1].strip("0") for line in status.read_text().splitlines() if line[3:7] == "Pnd:"):
        time.sleep(0.01)  # until the caller has taken the signal, before it knows where to send it
    connection.sendall(json.dumps({"pid": command.pid}).encode() + b"\n")
    assert command.wait(timeout=30) == -signal.SIGINT
    connection.sendall(b'{"exit": 130}\n')
    assert caller.wait(timeout=30) == 130
    assert caller.stderr.read() == b""
    connection.close()
    listener.close()


def test_a_command_killed_in_the_daemon_says_so_and_fails(running, site):
    import signal

    proc = stalled(["show", "--json"], site, running)
    pid = int(publisher(["daemon", "status"], site, running).stdout.split()[2])
    (child,) = children_of(pid)
    os.kill(child, signal.SIGKILL)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "ended without an exit status (killed?)" in err.decode("utf-8")
    assert served(running, site) == 1  # the daemon itself carries on


def test_in_the_foreground_it_exits_75_when_the_code_changed_and_0_when_stopped(site, tmp_path):
    """What a service manager needs: restart it after an upgrade (status 75), leave it stopped after a stop."""
    packages = tmp_path / "packages"
    packages.mkdir()
    env = {**os.environ, "PUBLISHER_DAEMON": "manual", "PUBLISHER_DAEMON_DIR": str(tmp_path / "run")}
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{packages}"
    codes = []
    for ending in ("upgrade", "stop"):
        foreground = [sys.executable, "-m", "publisher", "daemon", "run"]
        proc = subprocess.Popen(foreground, cwd=site, env={**env, "PUBLISHER_DAEMON": "off"}, stderr=subprocess.PIPE, text=True)
        assert "listening on" in proc.stderr.readline()
        if ending == "upgrade":
            (packages / "newly_installed-1.0.dist-info").mkdir()
            assert publisher(["issues"], site, env).returncode == 0  # run by itself: the daemon has stopped
        else:
            assert "stopped" in publisher(["daemon", "stop"], site, env).stdout
        codes.append(proc.wait(timeout=60))
        proc.stderr.close()
    assert codes == [daemon.CHANGED, 0] == [75, 0]


def until_it_answers(proc: subprocess.Popen | None = None) -> dict:
    """The status of the daemon of this test's folder, once it answers."""
    deadline = time.monotonic() + 60
    while (status := daemon.control("status", timeout=1.0)) is None:
        assert time.monotonic() < deadline and (proc is None or proc.poll() is None), "the daemon did not start"
        time.sleep(0.05)
    return status


def test_a_command_that_ran_by_itself_leaves_a_daemon_that_runs_the_next(site, tmp_path, monkeypatch):
    """The default (``auto``): the first command runs in its own process, the ones after it in the daemon it started."""
    run = tmp_path / "run"
    env = {**os.environ, "PUBLISHER_DAEMON": "auto", "PUBLISHER_DAEMON_DIR": str(run), "PYTHONPATH": str(REPO)}
    monkeypatch.setenv("PUBLISHER_DAEMON_DIR", str(run))
    try:
        first = publisher(["issues"], site, env)
        assert first.returncode == 0 and "2025-04-19-1330" in first.stdout
        status = until_it_answers()
        assert (status["served"], status["idle"]) == (0, daemon.IDLE)
        second = publisher(["issues"], site, env)
        assert (second.returncode, second.stdout) == (0, first.stdout)
        assert served(env, site) == 1
        assert publisher(["show"], site, env).returncode == 0
        assert served(env, site) == 2 and daemon.control("status")["pid"] == status["pid"]  # the same one
    finally:
        publisher(["daemon", "stop"], site, env)


def test_a_socket_folder_too_deep_for_a_unix_socket_is_said_at_once_and_commands_run_themselves(site, tmp_path):
    deep = tmp_path / ("d" * (daemon.SOCKET_PATH_MAX - len(str(tmp_path))))
    env = {**os.environ, "PUBLISHER_DAEMON_DIR": str(deep), "PYTHONPATH": str(REPO)}
    started = publisher(["daemon", "start"], site, env)
    assert started.returncode == 1 and "too deep a folder" in started.stderr and "PUBLISHER_DAEMON_DIR" in started.stderr
    result = publisher(["issues"], site, {**env, "PUBLISHER_DAEMON": "auto"})
    assert result.returncode == 0 and "2025-04-19-1330" in result.stdout
    assert not list(deep.glob("*.sock")) and not (deep / "daemon.log").exists()  # none was started in the background


@pytest.mark.parametrize("mode", ["manual", "off", "0", "false"])
def test_a_command_starts_no_daemon_unless_left_to_auto(site, tmp_path, mode):
    run = tmp_path / "run"
    env = {**os.environ, "PUBLISHER_DAEMON": mode, "PUBLISHER_DAEMON_DIR": str(run), "PYTHONPATH": str(REPO)}
    result = publisher(["issues"], site, env)
    assert result.returncode == 0 and "2025-04-19-1330" in result.stdout
    assert not run.exists()  # starting one makes its folder before the command returns


def test_a_daemon_left_idle_stops_and_of_two_started_at_once_one_runs(site, tmp_path, monkeypatch):
    env = {**os.environ, "PUBLISHER_DAEMON": "off", "PUBLISHER_DAEMON_DIR": str(tmp_path / "run"), "PYTHONPATH": str(REPO)}
    monkeypatch.setenv("PUBLISHER_DAEMON_DIR", env["PUBLISHER_DAEMON_DIR"])
    idle = subprocess.Popen(
        [sys.executable, "-m", "publisher", "daemon", "run", "--idle", "1"], cwd=site, env=env, stderr=subprocess.PIPE, text=True
    )
    _out, err = idle.communicate(timeout=120)
    assert idle.returncode == 0 and "no command for 1 s; stopping" in err
    both = [
        subprocess.Popen(
            [sys.executable, "-m", "publisher", "daemon", "run"], cwd=site, env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while all(proc.poll() is None for proc in both):
            assert time.monotonic() < deadline, "neither stopped"
            time.sleep(0.05)
        (loser,) = [proc for proc in both if proc.poll() is not None]
        (winner,) = [proc for proc in both if proc is not loser]
        assert loser.returncode == 1 and "a daemon already runs" in loser.stderr.read()
        assert until_it_answers(winner)["pid"] == winner.pid
    finally:
        daemon.control("stop")
        for proc in both:
            proc.wait(timeout=60)
            proc.stderr.close()
