"""A report written into a pipe or a file goes out as bytes at once: the same bytes click wrote from the text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_WRITE = r"""
import sys
from hubgate.masking import register
from hubgate.output import write_report
register("s3cr3t-value-xyz")
write_report(sys.argv[1].encode("utf-8", "surrogateescape").decode("unicode_escape"), None, color=False)
"""


@pytest.mark.parametrize("text", [
    r"plain {\"a\": 1}\n",
    r"caf\u00e9 \U0001f600 and a lone \ud800 surrogate\n",
    r"a secret s3cr3t-value-xyz in a message\n",
    r"\x1b[31mred\x1b[0m, stripped by click as before\n",
])
def test_the_bytes_are_what_the_text_path_wrote(text):
    out = subprocess.run([sys.executable, "-c", _WRITE, text], capture_output=True, timeout=60, check=True).stdout
    expected = text.encode("utf-8").decode("unicode_escape")
    expected = expected.replace("s3cr3t-value-xyz", "****").replace("\x1b[31m", "").replace("\x1b[0m", "")
    assert out == expected.encode("utf-8", "backslashreplace")


def test_a_stdout_without_bytes_still_gets_the_report(monkeypatch):
    """In process, stdout redirected to a text-only stream (io.StringIO, a notebook's): the report is written as
    text there (bytes were refused with a TypeError)."""
    import contextlib
    import io

    from hubgate.output import write_report

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        write_report('{"é": "\ud800"}\n', None, color=False)
    assert buf.getvalue() == '{"é": "\\ud800"}\n'


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_the_report_follows_the_encoding_of_stdout(encoding):
    """PYTHONIOENCODING (or a Windows code page): the report is encoded as stdout encodes text, as before."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    out = subprocess.run([sys.executable, "-c", _WRITE, r"caf\u00e9\n"], capture_output=True, timeout=60, check=True,
                         env=env).stdout
    assert out == "café\n".encode(encoding)


def test_a_link_to_a_file_stays_a_link_and_its_file_gets_the_report(tmp_path):
    from hubgate.output import atomic_write

    real = tmp_path / "reports" / "1.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    atomic_write(link, "new report\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new report\n"


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="no /proc/self/fd (Linux only)")
def test_output_to_a_link_to_stdout_in_a_file_writes_there_and_keeps_the_link(tmp_path):
    """``-o /dev/stdout`` with stdout redirected to a file (shown with a link of our own to /proc/self/fd/1): the
    rename replaced the link (as root, /dev/stdout itself) and the report never reached stdout."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    out = tmp_path / "out.txt"
    with out.open("wb") as fh:
        subprocess.run([sys.executable, "-m", "hubgate", "check", "examples/good", "--format", "json", "-o",
                        str(link)], stdout=fh, timeout=120, check=False, cwd=Path(__file__).resolve().parent.parent)
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["files"] == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this platform")
@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
@pytest.mark.parametrize("what", ["bundle", "policy files"])
def test_a_stdout_that_cannot_be_written_is_exit_2_without_a_traceback(tmp_path, fmt, what):
    """``> /dev/full`` (a full disk): one line on stderr and exit 2, as ``-o`` on a full disk gives, for the report
    written as a text and as the pieces the processes made (JSON of policy files); before: a traceback, exit 1."""
    if what == "bundle":
        path = str(Path(__file__).resolve().parent.parent / "examples" / "good")
    else:
        (tmp_path / "p.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]}), encoding="utf-8")
        path = str(tmp_path)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "hubgate", "check", path, "--format", fmt], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "cannot write the report to stdout" in done.stderr
    assert "Exception ignored" not in done.stderr  # nothing left to fail again at the interpreter's exit
