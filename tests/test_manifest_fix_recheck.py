"""``manifest fix`` reports what a re-check of its output reports (issue #15 item 5): the problems left, their
number and the summary equal ``hubgate manifest OUT`` with the same bundle and region."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgate.cli.manifest import manifest_command

FIX = Path(__file__).resolve().parent / "fixtures" / "manifest"
ASSETS = [
    {"data": "https://s3.eu-west-1.amazonaws.com/bk/a b.jpg", "externalId": "1", "width": "3"},  # HG513 stays
    {"data": "https://bk.s3.eu-west-1.amazonaws.com/c.jpg", "externalId": "1"},  # HG512 stays
    {"data": "https://bk.s3.eu-west-1.amazonaws.com/d.jpg"},  # HG511 stays
    {"data": "https://bk.s3.eu-west-1.amazonaws.com/e.jpg", "externalId": "4", "metadata": []},  # HG514 stays
    {"data": "https://bk.s3.amazonaws.com/f.jpg", "externalId": "5"},  # HG506 (no region known) stays
    {"data": "https://cdn.example.com/x.jpg", "externalId": "6"},  # HG505 stays
    "bare",  # HG502 stays
]


def _run(*args) -> tuple[int, str]:
    r = CliRunner().invoke(manifest_command, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, r.stdout


@pytest.mark.parametrize("bundle", [[], ["--bundle", FIX / "integration.yaml"]], ids=["plain", "bundle"])
def test_fix_reports_what_a_recheck_of_its_output_reports(tmp_path, bundle):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(ASSETS))
    code, text = _run("fix", src, out, "--format", "json", *bundle)
    rep = json.loads(text)
    _, checked = _run(out, "--format", "json", *bundle)
    recheck = json.loads(checked)
    found = [(f["pointer"], f["rule"], f["message"]) for f in recheck["findings"]]
    assert len(found) >= 7  # the old report listed 3 of these (only what the URL rewrite could not settle)
    assert [(u["pointer"], u["rule"], u["message"]) for u in rep["unfixed"]] == found
    assert rep["counts"] == {sev: recheck["summary"][sev] for sev in ("error", "warning", "info")}
    assert code == 1 and rep["rewritten"] == 1


def test_fix_text_summary_counts_the_recheck(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(ASSETS))
    _, text = _run("fix", src, out)
    _, checked = _run(out)
    left = int(re.search(r"(\d+) problem\(s\) left", text).group(1))
    errors, warnings = map(int, re.search(r"(\d+) error\(s\), (\d+) warning\(s\)", checked).groups())
    assert left == errors + warnings
    assert f"({errors} error(s), {warnings} warning(s), 0 info, as hubgate manifest {out} reports)" in text


def test_fix_with_nothing_left_exits_0(tmp_path):
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps([{"data": "https://bk.s3.eu-west-1.amazonaws.com/a b.jpg", "externalId": "1"}]))
    code, text = _run("fix", src, out)
    assert code == 0 and "0 problem(s) left (0 error(s), 0 warning(s), 0 info" in text
    assert _run(out)[0] == 0


@pytest.mark.parametrize("existing", [0o644, 0o640, None], ids=["0644", "0640", "new"])
def test_fix_keeps_the_output_files_mode(tmp_path, existing):
    """A successful fix changed the output's mode from 0644 to 0600 (the temporary file's); an existing file
    keeps its mode, a new one gets the umask's default, as any other file written by hand would."""
    import os
    import stat

    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(ASSETS))
    if existing is not None:
        out.write_text("[]")
        os.chmod(out, existing)
    umask = os.umask(0o022)
    try:
        _run("fix", src, out)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == (0o644 if existing is None else existing)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_sigterm_during_fix_leaves_no_temporary_file(tmp_path):
    """SIGTERM during `manifest fix` left a half-written .tmp beside the output (the default handler ends the
    process without running any cleanup). Now: the temporary file is removed, an existing output is kept as it
    was, exit 143."""
    import os
    import signal
    import subprocess
    import sys
    import time

    src, out = tmp_path / "in.json", tmp_path / "out.json"
    with src.open("w") as fh:  # big enough that the rewrite is still writing when the signal comes
        fh.write("[")
        fh.write(",".join(json.dumps({"data": f"https://bk.s3.eu-west-1.amazonaws.com/k{i} a.jpg",
                                      "externalId": str(i)}) for i in range(400_000)))
        fh.write("]")
    out.write_text("[]\n")
    proc = subprocess.Popen([sys.executable, "-m", "hubgate", "manifest", "fix", str(src), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "terminated" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]
    assert out.read_text() == "[]\n"
    assert os.access(out, os.R_OK)
