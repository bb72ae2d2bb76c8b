"""A long list of policy files is checked in two parts, the second in a forked child (``hubgate.workers``): the
report must be the one a single process gives, whatever the inputs, and no child may outlive the run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hubgate import workers

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "corpus" / "aws-managed-policies.jsonl"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform: one process only")


def _no_child_left():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.fixture
def forking(monkeypatch):
    """A child whatever the list's length and however many CPUs or threads (pytest may hold a server's), and
    chunks of 3 items."""
    monkeypatch.setattr(workers, "MIN_ITEMS", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    monkeypatch.setattr(workers, "may_fork", lambda: True)


def test_chunks():
    assert workers.chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert workers.chunks([], 3) == []
    many = workers.chunks(list(range(100_000)), 3)  # every ticket must fit in the queue's pipe before any is read
    assert len(many) <= 4096 and sum(map(len, many)) == 100_000


@pytest.mark.parametrize("n", [0, 1, 2, 7, 199, 200, 201, 1643, 100_000])
def test_halves_taper_towards_the_middle(n):
    items = list(range(n))
    parts, half = workers.halves(items, 48)
    assert [x for p in parts for x in p] == items and all(parts)
    assert [x for p in parts[:half] for x in p] == items[:(n + 1) // 2]
    sizes = [len(p) for p in parts]
    assert sizes[:half] == sorted(sizes[:half], reverse=True) and sizes[half:] == sorted(sizes[half:])
    size = max(48, -(-n // workers.MAX_CHUNKS))  # as chunks() makes them
    if n >= 1000:
        least = max(1, size // 8)
        assert max(sizes) == size and sizes[half - 1] <= least and sizes[half] <= least  # small where they meet
        assert len(parts) < len(workers.chunks(items)) + 30  # a few more than chunks() gives
    assert max(half, len(parts) - half) <= 1024  # every ticket of a half fits in its queue's 4 KiB


def _square(part, here):
    return [(x * x, os.getpid()) for x in part]


@needs_fork
def test_in_turns_gives_every_chunk_in_order_from_both_processes(forking):
    def slow(part, here):  # each chunk takes a while, so both processes get some
        import time

        time.sleep(0.01)
        return _square(part, here)

    out = workers.in_turns(list(range(60)), slow)
    assert [x for chunk in out for x, _ in chunk] == [x * x for x in range(60)]
    assert len(out) == len(workers.halves(list(range(60)), 3)[0])
    pids = {pid for chunk in out for _, pid in chunk}
    assert os.getpid() in pids and len(pids) == 2, "both this process and a child took chunks"
    _no_child_left()


@needs_fork
@pytest.mark.parametrize("room", [None, 4096, 1 << 20])
def test_the_childs_results_arrive_whole_through_the_pipe_when_the_shared_memory_is_full_or_missing(
        forking, monkeypatch, room):
    """The child's results go through the shared region while it has room, through the pipe after that (or
    always, with no region): each arrives whole and in its place, however they were sent, also results larger than
    the pipe holds (the pipe's reader must not stop at a frame whose result is still coming)."""
    if room is None:
        monkeypatch.setattr(workers, "_shared_region", lambda n: None)
    else:
        monkeypatch.setattr(workers, "SHARED_BYTES", room)
    big = "x" * 300_000  # a result about as large as the 1 MiB pipe: several reads of the pipe for one frame

    def slow(part, here):
        import time

        time.sleep(0.01)
        return [(x, os.getpid(), big if x % 7 == 0 else "") for x in part]

    out = workers.in_turns(list(range(60)), slow)
    assert [x for chunk in out for x, _, _ in chunk] == list(range(60))
    assert all(s == (big if x % 7 == 0 else "") for chunk in out for x, _, s in chunk)
    assert len({pid for chunk in out for _, pid, _ in chunk}) == 2, "both this process and a child took chunks"
    _no_child_left()


def test_the_shared_region_is_sized_to_the_list_and_left_out_under_an_address_space_limit():
    """The region is reserved before the fork and counts against ``ulimit -v`` whether or not it is written: sized
    to the list (capped), and not made at all under such a limit, where a run that fit before the region existed
    must still fit (a 256 MiB region made the parent's own parsing run out of memory: MemoryError, no report)."""
    region = workers._shared_region(10)
    assert region is not None and len(region) == 10 * workers.SHARED_PER_ITEM
    region.close()
    region = workers._shared_region(10 ** 9)
    assert len(region) == workers.SHARED_BYTES
    region.close()
    script = ("import resource; from hubgate import workers; "
              "resource.setrlimit(resource.RLIMIT_AS, (1 << 40, resource.getrlimit(resource.RLIMIT_AS)[1])); "
              "print(workers._shared_region(1000))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "None"


def test_in_turns_stays_here_for_a_short_list():
    seen = []
    assert workers.in_turns([1, 2, 3], _square, seen.append) == [_square([1, 2, 3], True)]
    assert seen == [3]


def test_in_turns_stays_here_when_turned_off(monkeypatch):
    monkeypatch.setenv("HUBGATE_JOBS", "1")
    assert not workers.may_fork()
    assert workers.in_turns(list(range(500)), _square) == [_square(list(range(500)), True)]


def test_in_turns_in_one_process_still_tells_its_progress_chunk_by_chunk(monkeypatch):
    monkeypatch.setenv("HUBGATE_JOBS", "1")
    told = []
    out = workers.in_turns(list(range(500)), _square, told.append)  # (the bar stood at 0 until the very end)
    assert [x for chunk in out for x, _ in chunk] == [x * x for x in range(500)]
    assert told == [min(500, n * workers.CHUNK) for n in range(1, len(out) + 1)] and len(out) > 1


def _fails_in_child(part, here):
    if not here:
        raise RuntimeError("boom")
    return list(part)


def _killed_in_child(part, here):
    if not here:
        os.kill(os.getpid(), signal.SIGKILL)
    return list(part)


def _exits_in_child(part, here):
    if not here:
        os._exit(0)  # ends without sending anything
    return list(part)


@needs_fork
@pytest.mark.parametrize("work", [_fails_in_child, _killed_in_child, _exits_in_child])
def test_chunks_a_child_did_not_send_are_done_here(forking, work):
    seen = []
    assert workers.in_turns(list(range(30)), work, seen.append) == workers.halves(list(range(30)), 3)[0]
    assert seen[-1] == 30
    _no_child_left()


@needs_fork
def test_an_error_here_kills_the_child(forking):
    def work(part, here):
        if here:
            raise KeyboardInterrupt
        import time

        time.sleep(30)  # would hold the run for 30 s if it were not killed
        return part

    with pytest.raises(KeyboardInterrupt):
        workers.in_turns(list(range(10)), work)
    _no_child_left()


def test_no_fork_means_one_process(monkeypatch):
    monkeypatch.delattr(os, "fork")
    assert not workers.may_fork()


# -- whole process: the same report with and without the child ------------------------------------------------

# the parent says when it forked, on stderr (the marker is taken out before the outputs are compared)
_DRIVER = r"""
import os, sys
real = os.fork
def fork():
    pid = real()
    if pid:
        os.write(2, b"<forked>\n")
    return pid
os.fork = fork
sys.argv = ["hubgate", *sys.argv[1:]]
from hubgate.cli import run
run()
"""


def _mixed_directory(root: Path) -> Path:
    """What a repository of policies holds: 260 AWS managed policies in two folders (so the walk's order is not
    the report's), a YAML policy, a file that is not JSON, a JSON file that is not a policy, an empty file,
    undecodable bytes, a Terraform plan and a CloudFormation template, and a trust policy."""
    top, sub = root / "policies", root / "policies" / "team-a"
    sub.mkdir(parents=True)
    with CORPUS.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line, _ in zip(fh, range(260), strict=False)]
    for i, rec in enumerate(records):
        folder = sub if i % 3 == 0 else top
        text = json.dumps(rec["document"], indent=2 if i % 2 else None)
        (folder / f"{rec['name']}.json").write_text(text, encoding="utf-8")
    shutil.copy(REPO / "tests" / "fixtures" / "bare-policies" / "no-version.yaml", top / "aaa-yaml.yaml")
    shutil.copy(REPO / "tests" / "fixtures" / "bare-policies" / "not-a-policy.json", sub / "zz-not-a-policy.json")
    shutil.copy(REPO / "tests" / "fixtures" / "iac" / "good" / "plan.json", top / "M-plan.json")
    shutil.copy(REPO / "tests" / "fixtures" / "iac" / "broken" / "template.yaml", sub / "m-template.yaml")
    (top / "broken.json").write_text('{"Version": "2012-10-17", "Statement": [', encoding="utf-8")
    (sub / "empty.json").write_text("", encoding="utf-8")
    (top / "bytes.json").write_bytes(b"\xff\xfe{\x00")
    (top / "trust.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "s3cr3t-external-id-value"}}}]}), encoding="utf-8")
    (root / ".hubgate.toml").write_text(
        '[[per-path-ignores]]\npath = "policies/team-a/*"\nrules = ["HG105"]\nreason = "team A asked"\n',
        encoding="utf-8")
    return top


def _run(args: list[str], cwd: Path, jobs: str | None) -> tuple[int, str, str, bool]:
    env = {k: v for k, v in os.environ.items() if k not in ("HUBGATE_JOBS", "NO_COLOR", "FORCE_COLOR")}
    if jobs is not None:
        env["HUBGATE_JOBS"] = jobs
    proc = subprocess.run([sys.executable, "-c", _DRIVER, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    forked = "<forked>\n" in proc.stderr
    return proc.returncode, proc.stdout, proc.stderr.replace("<forked>\n", ""), forked


@needs_fork
@pytest.mark.skipif(workers.cpus() < 2, reason="one CPU: hubgate checks in one process, nothing to compare")
@pytest.mark.parametrize("args", [
    ["--format", "json"],
    ["--format", "sarif"],
    ["--format", "text", "--verbose"],
    ["--format", "json", "--select", "HG10", "--ignore", "HG101"],
    ["--format", "junit", "--baseline", "baseline.json"],
])
def test_the_report_is_the_same_with_and_without_the_child(tmp_path, args):
    top = _mixed_directory(tmp_path)
    if "--baseline" in args:  # the first half of the findings is known: only the others count
        code, out, _, _ = _run(["check", "policies", "--write-baseline", "full.json"], tmp_path, "1")
        assert code == 2  # written, and the unreadable files named
        full = json.loads((tmp_path / "full.json").read_text(encoding="utf-8"))
        assert len(full["findings"]) > 1000
        full["findings"] = full["findings"][::2]
        (tmp_path / "baseline.json").write_text(json.dumps(full), encoding="utf-8")
    # the directory twice: the same files on both sides of the cut, reported once
    cmd = ["check", str(top.relative_to(tmp_path)), "policies", *args]
    alone = _run(cmd, tmp_path, "1")
    shared = _run(cmd, tmp_path, None)
    assert not alone[3] and shared[3], "the second run must have forked, the first not"
    assert shared[:3] == alone[:3]
    assert alone[0] == 2  # the files that cannot be read: exit 2, each named
    assert "broken.json" in alone[1] + alone[2]


def test_progress_only_on_a_terminal_and_for_long_runs(monkeypatch):
    from hubgate.check import _progress

    with _progress(250) as done:
        assert done is None  # not a terminal under pytest
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with _progress(10) as done:
        assert done is None  # a short run draws nothing even on a terminal
    import threading

    before = threading.active_count()
    with _progress(250) as done:
        assert callable(done)
        assert threading.active_count() == before  # no refresh thread: the check may still fork its helper
        done(100)
        done(250)


def test_bundle_targets_are_given_in_order_and_the_bar_redrawn_once_a_percent(monkeypatch):
    import hubgate.check as check_module

    told = []

    class Spy:
        def __init__(self, total):
            told.append(("total", total))

        def __enter__(self):
            return lambda n: told.append(n)

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(check_module, "_progress", Spy)
    targets = list(range(250))
    assert check_module._with_progress(targets) is targets  # not a terminal: the list itself, no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert check_module._with_progress(targets[:199]) == targets[:199]
    assert told == []  # a short run draws nothing even on a terminal
    assert list(check_module._with_progress(targets)) == targets
    assert told[0] == ("total", 250)
    counts = told[1:]
    assert counts == sorted(counts) and counts[-1] == 250 and len(counts) <= 101


@needs_fork
def test_a_long_check_on_a_terminal_draws_progress_and_finds_the_same(tmp_path, monkeypatch, forking):
    from hubgate.check import check_paths

    top = _mixed_directory(tmp_path)
    monkeypatch.setenv("HUBGATE_JOBS", "1")
    alone, _ = check_paths([str(top)])
    monkeypatch.delenv("HUBGATE_JOBS")
    told = []
    import hubgate.check as check_module

    real = check_module._progress

    def spy(total):
        told.append(total)
        return real(total)

    monkeypatch.setattr(check_module, "_progress", spy)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    shared, _ = check_paths([str(top)])
    assert told == [len(list(top.rglob("*.*")))]
    assert [f.to_dict() for f in shared.findings] == [f.to_dict() for f in alone.findings]
    assert [str(e) for e in shared.errors] == [str(e) for e in alone.errors]
    assert (shared.files, shared.policies, shared.bundles) == (alone.files, alone.policies, alone.bundles)
    _no_child_left()


@needs_fork
@pytest.mark.skipif(workers.cpus() < 2, reason="one CPU: hubgate checks in one process")
def test_on_a_terminal_the_check_still_forks_and_the_bar_goes(tmp_path):
    """stderr a terminal: the bar is drawn (and removed), the helper still forked, the report unchanged."""
    import pty

    top = _mixed_directory(tmp_path)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("HUBGATE_JOBS", "NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, "check", str(top), "--format", "json"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out, _ = proc.communicate(timeout=300)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the terminal's other end is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert b"<forked>" in seen
    alone = _run(["check", str(top), "--format", "json"], tmp_path, "1")
    assert out.decode() == alone[1] and proc.returncode == alone[0]


def test_hubgate_jobs_1_also_keeps_the_manifest_scan_in_one_process(monkeypatch, tmp_path):
    from hubgate.manifest import ahead

    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(workers, "cpus", lambda: 2)
    monkeypatch.setenv("HUBGATE_JOBS", "1")
    forks = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or pytest.fail("forked"), raising=False)
    path = tmp_path / "m.json"
    path.write_bytes(b'{"assets": []}')
    with path.open("rb") as raw:
        assert ahead.ahead(path, raw, 0, 1 << 16, lambda r, o, b: iter(["ran here"]), None) is not None
        assert list(ahead.ahead(path, raw, 0, 1 << 16, lambda r, o, b: iter(["ran here"]), None)) == ["ran here"]
    assert forks == []


# -- property: whoever checks which file, the report is the same --------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_ACTIONS = ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:*", "ec2:Describe*", "iam:PassRole", "s3:GetObjects",
            "nosuch:Thing", "*", "s3:Get*", "kms:Decrypt"]
_RESOURCES = ["*", "arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:ec2:*:*:instance/*", "arn:aws:s3:::b%20c/ü/*"]
_STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]),
     "Action": st.one_of(st.sampled_from(_ACTIONS), st.lists(st.sampled_from(_ACTIONS), min_size=1, max_size=5)),
     "Resource": st.one_of(st.sampled_from(_RESOURCES), st.lists(st.sampled_from(_RESOURCES), min_size=1, max_size=3))})
_FILE = st.one_of(
    st.builds(lambda s: json.dumps({"Version": "2012-10-17", "Statement": s}, indent=2),
              st.lists(_STATEMENT, min_size=1, max_size=4)),
    st.sampled_from(['{"Statement": [', "", "[]", '{"Statement": 3}', "Version: 1\nStatement: []\n", "\xff"]),
)


@needs_fork
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(_FILE, min_size=2, max_size=14), chunk=st.integers(1, 4), fmt=st.sampled_from(["json", "sarif"]))
def test_the_report_does_not_depend_on_which_process_checked_which_file(tmp_path_factory, monkeypatch, files, chunk,
                                                                      fmt):
    from hubgate.check import check_paths
    from hubgate.reporters import render

    root = tmp_path_factory.mktemp("policies")
    for i, text in enumerate(files):
        (root / f"p{i:02d}.json").write_text(text, encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(workers, "MIN_ITEMS", 2)
    monkeypatch.setattr(workers, "CHUNK", chunk)
    monkeypatch.setattr(workers, "may_fork", lambda: True)
    shared, _ = check_paths([str(root)])
    made, _ = check_paths([str(root)], fmt="json")  # the findings' text made by the processes that check them
    monkeypatch.setattr(workers, "may_fork", lambda: False)
    alone, _ = check_paths([str(root)])
    assert render(shared, fmt) == render(alone, fmt)
    assert alone.findings_text is None and (made.findings_text is not None or not made.findings)
    assert render(made, "json") == render(alone, "json")
    assert [str(e) for e in shared.errors] == [str(e) for e in alone.errors]
    _no_child_left()


# -- the chunks' findings, finished where they were checked, joined in order -----------------------------------

def _findings_of(file: str) -> list:
    """What checking one file gives, the same each time it is checked: out of order, with a repeat and
    places without a line."""
    from hubgate.findings import Finding

    n = sum(map(ord, file))
    return [Finding(f"HG1{(n + k) % 3:02d}", "error", f"m{k % 2}", file, f"/Statement/{k % 4}",
                    None if k == 3 else (n * k) % 7 + 1, k % 2 + 1) for k in (5, 1, 3, 1, 0, 2)]


@settings(max_examples=200, deadline=None)
@given(files=st.lists(st.sampled_from(["a.json", "b.json", "b/c.json", "b.yaml", "z"]), max_size=9),
       cuts=st.lists(st.integers(0, 9), max_size=4))
def test_finished_chunks_joined_are_the_whole_finished(files, cuts):
    from hubgate.check import _finished, _join

    whole = [f for name in files for f in _findings_of(name)]
    bounds = [0, *sorted(c for c in cuts if c <= len(files)), len(files)]
    runs = [[f for name in files[a:b] for f in _findings_of(name)] for a, b in zip(bounds, bounds[1:], strict=False)]
    assert _join([_finished(r) for r in runs])[0] == _finished(whole)
    assert _join([_finished(r) for r in runs[::-1]])[0] == _finished(whole)  # chunks out of the files' order


@pytest.mark.parametrize("messages", [[], ["plain"], ["dé\u0301jà \U0001f600", 'a "quoted" \\ one\nline'], ["x"] * 3])
def test_findings_text_is_the_lists_text_in_the_document(messages):
    from hubgate.findings import Finding
    from hubgate.reporters import Report
    from hubgate.reporters.json_out import findings_text, render

    findings = [Finding("HG101", "error", m, f"f{i}.json", f"/Statement/{i}", i + 1, 3, None, "hubgate rules HG101")
                for i, m in enumerate(messages)]
    whole = render(Report("check", findings))
    for cut in range(len(findings) + 1):  # two runs' texts joined are the list's
        texts = [t for t in (findings_text(findings[:cut]), findings_text(findings[cut:])) if t]
        assert render(Report("check", findings, findings_text=texts)) == whole
    assert json.loads(whole)["findings"] == [f.to_dict() for f in findings]


@pytest.mark.parametrize("root", [".", "./d", "d/", "d//e/..", "../here/d"])
def test_walked_files_are_named_as_paths_name_them(tmp_path, monkeypatch, root):
    from hubgate import discover as disc

    here = tmp_path / "here"
    (here / "d" / "e").mkdir(parents=True)
    for name in ("a.json", "..json", ".json", "b.JSON", "c.json.", "x.yml"):
        (here / "d" / name).write_text("{}", encoding="utf-8")
        (here / "d" / "e" / name).write_text("{}", encoding="utf-8")
    monkeypatch.chdir(here)
    walked = list(disc._walk(Path(root)))
    expected = [str(Path(dirpath) / name) for dirpath, _, names in os.walk(Path(root)) for name in sorted(names)]
    assert walked == expected
    assert [disc._suffix(f) for f in walked] == [Path(f).suffix for f in walked]
