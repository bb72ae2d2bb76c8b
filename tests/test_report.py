"""hubgate report: the HTML page parsed (verdict, sections, a row per finding, scenario rows, lock status), no
external URL, no secret; the Markdown comment; exit codes as check's."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from hubgate.check import check_paths
from hubgate.example import EXAMPLE_SECRET, iam_user_bundle

from conftest import REPO, run_process


class Page(HTMLParser):
    """Every element with its attributes, the ids and classes, and the text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag=None, **attrs) -> list[dict]:
        out = []
        for t, a in self.elements:
            if tag is not None and t != tag:
                continue
            if all((k == "class_" and v in (a.get("class") or "").split()) or a.get(k.replace("_", "-")) == v
                   for k, v in attrs.items()):
                out.append(a)
        return out


def report(tmp_path, *args, fmt="html"):
    out = tmp_path / f"report.{'html' if fmt == 'html' else 'md'}"
    run = run_process("report", *args, "--format", fmt, "--out", str(out), cwd=REPO)
    return run, (out.read_text() if out.exists() else "")


def test_html_structure_and_a_row_per_finding(tmp_path):
    run, text = report(tmp_path, "examples/good", "examples/broken")
    assert run.code == 1, run.output
    page = Page(text)
    verdict = page.find("section", id="verdict")
    assert verdict and verdict[0]["data-verdict"] == "fail"
    # the verdict comes first: before the findings sections
    ids = [a.get("id") for t, a in page.elements if a.get("id")]
    assert ids.index("verdict") < ids.index("overview") < ids.index("findings")
    names = {a["data-name"] for a in page.find("section", class_="integration")}
    assert names == {"acme-labeling", "acme-broken"}
    expected, _ = check_paths(["examples/good", "examples/broken"])
    rows = page.find("tr", class_="finding")
    assert len(rows) == len(expected.findings) > 0
    assert sorted(r["data-rule"] for r in rows) == sorted(f.rule for f in expected.findings)
    # grouped by severity: one table per severity present in the bundle
    sev_tables = [a["data-severity"] for a in page.find("table", class_="findings")]
    assert set(sev_tables) == {f.severity for f in expected.findings}
    body = "".join(page.text)
    for f in expected.findings:
        assert f.fix and " ".join(f.fix.split())[:40] in " ".join(body.split())
    assert not page.find("section", id="scenarios") and not page.find("section", id="signing-lock")


def test_no_external_url_no_script(tmp_path):
    _, text = report(tmp_path, "examples/good", "examples/broken", "examples/gcp-broken", "examples/azure-broken")
    page = Page(text)
    for tag, attrs in page.elements:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        for key in ("src", "href", "action", "srcset"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, key, value)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text, re.I)
    assert "@import" not in text


def test_secrets_are_masked(tmp_path):
    bundle_dir = tmp_path / "b"
    bundle_dir.mkdir()
    planted_ext = "c0ffee42-1b2a-4c3d-9e8f-a1b2c3d4e5f6"
    # an iam-delegated bundle (its external ID) and an iam-user bundle with a secret key named in a finding
    from hubgate.example import good_bundle, trust_policy

    (bundle_dir / "a.hubgate.json").write_text(json.dumps(good_bundle(
        name="a", external_id=planted_ext, trust_policy=trust_policy("d1ffe4e2-7777-4a4a-9b9b-0c0c0c0c0c0c"))))
    (bundle_dir / "k.hubgate.json").write_text(json.dumps(iam_user_bundle(
        name="k", access_key_id=EXAMPLE_SECRET, secret_access_key="AKIAIOSFODNN7EXAMPLE")))
    for fmt in ("html", "markdown"):
        run, text = report(tmp_path, str(bundle_dir), fmt=fmt)
        assert run.code == 1, run.output
        assert "HG204" in text and "HG403" in text  # the findings that quote them are there ...
        for secret in (planted_ext, EXAMPLE_SECRET, "AKIAIOSFODNN7EXAMPLE"):
            assert secret not in text and secret not in run.output, (fmt, secret)  # ... the values are not
        assert "****" in text


def test_markdown_comment(tmp_path):
    run, text = report(tmp_path, "examples/broken", fmt="markdown")
    assert run.code == 1
    assert text.startswith("## hubgate review: **FAIL**")
    expected, _ = check_paths(["examples/broken"])
    finding_rows = [line for line in text.splitlines() if re.match(r"^\| (error|warning|info) \| `HG\d+`", line)]
    assert len(finding_rows) == len(expected.findings)
    assert all(line.count(" | ") == 4 for line in finding_rows)  # pipes in messages escaped: 5 cells a row
    run = run_process("report", "examples/good", "--format", "markdown", cwd=REPO)
    assert run.code == 0 and run.stdout.startswith("## hubgate review: **PASS**")


def test_exit_codes_like_check(tmp_path):
    assert report(tmp_path, "examples/good")[0].code == 0
    assert report(tmp_path, "examples/broken", "--fail-on", "error")[0].code == 1
    run, text = report(tmp_path, "examples/good", "nope")
    assert run.code == 2 and "nope: no such file or directory" in run.stderr
    assert Page(text).find("section", id="verdict")[0]["data-verdict"] == "error"
    run = run_process("report", "examples/good", "--signing-lock", str(tmp_path / "none.json"), cwd=REPO)
    assert run.code == 2 and run.stderr.count("\n") == 1 and "no such lock file" in run.stderr
    assert "Traceback" not in run.stderr


def test_prove_table_with_evidence(tmp_path):
    pytest.importorskip("moto")
    run, text = report(tmp_path, "examples/good", "examples/broken", "--prove", "moto")
    assert run.code == 1, run.output
    page = Page(text)
    rows = page.find("tr", class_="scenario")
    from hubgate.scenarios.catalog import SCENARIOS

    assert len(rows) == 2 * len(SCENARIOS)
    results = {(r["data-scenario"], r["data-result"]) for r in rows}
    assert ("read-only-enforced", "fail") in results and ("read-only-enforced", "pass") in results
    assert "failed on moto" in "".join(page.text)
    assert "-> WRONG" in "".join(page.text)  # the evidence of the failing scenario is on the page


def test_signing_lock_status(tmp_path):
    pytest.importorskip("botocore")
    lock = tmp_path / "signing.lock.json"
    assert run_process("signing", "record", "--out", str(lock), cwd=REPO).code == 0
    run, text = report(tmp_path, "examples/good", "--signing-lock", str(lock))
    assert run.code == 0, run.output
    assert Page(text).find("section", id="signing-lock")[0]["data-status"] == "unchanged"
    data = json.loads(lock.read_text())
    entry = next(k for k in data["entries"] if k.startswith("botocore/"))
    field = next(iter(data["entries"][entry]))
    data["entries"][entry][field] = "altered"
    lock.write_text(json.dumps(data))
    run, text = report(tmp_path, "examples/good", "--signing-lock", str(lock))
    page = Page(text)
    assert run.code == 1
    assert page.find("section", id="signing-lock")[0]["data-status"] == "changed"
    assert page.find("tr", class_="lock-change") and page.find("section", id="verdict")[0]["data-verdict"] == "fail"


def test_headless_chromium_renders_it(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed")
    import subprocess

    _, text = report(tmp_path, "examples/good", "examples/broken")
    png = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                    "--window-size=1200,1600", (tmp_path / "report.html").as_uri()],
                   capture_output=True, timeout=120)
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
