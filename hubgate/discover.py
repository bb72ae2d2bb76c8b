"""Turn command-line paths into rule targets: bundles (grouped into organizations) and bare policy files.

A file is a bare IAM policy when its top level has a ``Statement`` (judged as a trust policy when a
statement names a principal and ``sts:AssumeRole``, else as the permission policy, see
``hubgate.rules.Target``), a Terraform plan when it is
``terraform show -json`` output (``format_version`` with ``planned_values``/``configuration``/...), a
CloudFormation template when it has ``AWSTemplateFormatVersion`` or ``Resources`` of ``AWS::`` types (each
gives one bundle per role the vendor could assume, see ``hubgate.iac``); otherwise it must be a bundle. In a
directory, bundle files are ``integration.yaml|yml|json`` and ``*.hubgate.yaml|yml|json`` (recursive);
when a directory holds no bundle at all, its ``.json``/``.yaml``/``.yml`` files holding IAM policies are
checked as bare policies, and its plans and templates as infrastructure code, so hubgate works on any
repository of policies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from .bundle import Bundle, bundle_from_document, is_bundle_filename
from .errors import InputError
from .iac import IacOptions, is_cloudformation_template, is_terraform_plan
from .iam.policy import normalise
from .rules import Target
from .source import load_file

POLICY_SUFFIXES = (".json", ".yaml", ".yml")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


@dataclass
class Discovery:
    """``pending``: with ``discover(..., defer=True)``, the candidate policy files of directories without
    bundles, not read yet (``load_policy_files`` reads them, in this order, after everything else)."""

    targets: list[Target] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    pending: list[str] = field(default_factory=list)


def _walk(root: Path):
    """The files under ``root`` as ``str(Path(folder) / name)`` writes them, made as strings (a Path each cost
    ~8 us: a directory of 1,643 policies took 14 ms to list)."""
    dot = os.curdir + os.sep if str(root) == os.curdir else None  # os.walk(".") names a folder "./d"; a Path, "d"
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        if dirpath == os.curdir:  # (os.walk's folders are the root's text joined with plain names)
            yield from sorted(filenames)
            continue
        if dot and dirpath.startswith(dot):
            dirpath = dirpath[len(dot):]
        yield from map(os.path.join, repeat(dirpath), sorted(filenames))


def _suffix(path: str) -> str:
    """``Path(path).suffix``."""
    name = os.path.basename(path)
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _shown(path: str | Path) -> str:
    """A file's path relative to the working directory, unless it lies outside it (then as given): ``relpath``
    of its folder, once per folder (a directory of policies has thousands of files in a few), joined with its
    name -- the same text, since a file is never the working directory or one of its ancestors."""
    folder, name = os.path.split(path)
    try:
        rel_folder = _relpath(folder, os.getcwd())
    except ValueError:
        return str(path)
    rel = name if rel_folder == "." else os.path.join(rel_folder, name)
    return rel if not rel.startswith("..") else str(path)


@lru_cache(maxsize=1024)
def _relpath(folder: str, cwd: str) -> str:
    return os.path.relpath(folder or os.curdir, cwd)


def discover(paths: list[str], iac: IacOptions | None = None, defer: bool = False) -> Discovery:
    """``iac``: options for Terraform plans and CloudFormation templates (default: from the environment,
    see ``hubgate.iac``). ``defer``: leave the policy files of directories without bundles in ``pending``
    (the caller reads them with ``load_policy_files``, perhaps in parts, in parallel)."""
    out = Discovery()
    iac = iac or IacOptions.from_env()
    # Each directory argument is one organization; loose bundle files given together form one too.
    groups: list[list[Path]] = []
    policy_files: list[str] = []
    loose: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            out.errors.append(InputError(raw, "no such file or directory"))
            continue
        if p.is_dir():
            files = list(_walk(p))
            bundles = [Path(f) for f in files if is_bundle_filename(os.path.basename(f))]
            if bundles:
                groups.append(bundles)
            else:
                candidates = [f for f in files if _suffix(f).lower() in POLICY_SUFFIXES]
                if not candidates:
                    out.errors.append(InputError(raw, "no bundle (integration.yaml, *.hubgate.yaml) or policy file found"))
                policy_files += candidates
        else:
            loose.append(p)
    loose_group: list = []  # loose bundle files given together on one command line are one organization
    for p in loose:
        doc = _load(out, p)
        if doc is not None and not _add_policy_or_iac(out, doc, iac):
            loose_group.append((p, doc))
    if loose_group:
        groups.append(loose_group)
    for group in groups:
        org: list[Bundle] = []
        for entry in group:
            try:
                if isinstance(entry, tuple):
                    path, doc = entry
                else:
                    path, doc = entry, load_file(entry, _shown(entry))
                bundle = bundle_from_document(doc, path.parent)
            except InputError as exc:
                out.errors.append(exc)
                continue
            out.files += 1
            org.append(bundle)
        for b in org:
            out.targets.append(Target("bundle", bundle=b, organization=org))
    if defer:
        out.pending = policy_files
    else:
        load_policy_files(out, policy_files, iac)
    return out


def load_policy_files(out: Discovery, files: list[str | Path], iac: IacOptions) -> None:
    """Read candidate policy files into ``out``: a bare policy or IaC file becomes targets, anything else is
    left out, a file that cannot be read is an error."""
    for p in files:
        doc = _load(out, p)
        if doc is not None:
            _add_policy_or_iac(out, doc, iac)


def _load(out: Discovery, path: str | Path):
    """The parsed file, or None with its input error recorded."""
    try:
        return load_file(path, _shown(path))
    except InputError as exc:
        out.errors.append(exc)
        return None


def _add_policy_or_iac(out: Discovery, doc, options: IacOptions) -> bool:
    """A bare policy (a mapping with ``Statement``) or an IaC file is added; False for anything else."""
    if isinstance(doc.data, dict) and "Statement" in doc.data:
        _add_policy(out, doc)
        return True
    return _add_iac(out, doc, options)


def _add_iac(out: Discovery, doc, options: IacOptions) -> bool:
    """Terraform plans and CloudFormation templates: one bundle per role, the file's bundles one
    organization. False when the document is neither."""
    if is_terraform_plan(doc.data):
        from .iac.terraform import load_plan as load  # deferred: the IaC readers (jsonschema, ~100 ms)
    elif is_cloudformation_template(doc.data):
        from .iac.cloudformation import load_template as load  # deferred: as above
    else:
        return False
    try:
        org = load(doc, options)
    except InputError as exc:
        out.errors.append(exc)
        return True
    except (TypeError, AttributeError, KeyError, ValueError) as exc:  # a shape hubgate.iac.shape let through
        out.errors.append(InputError(doc.file, f"unexpected structure ({type(exc).__name__}): not a plan or "
                                               "template hubgate can read"))
        return True
    out.files += 1
    for b in org:
        out.targets.append(Target("bundle", bundle=b, organization=org))
    return True


def _add_policy(out: Discovery, doc) -> None:
    try:
        policy = normalise(doc)
    except InputError as exc:
        out.errors.append(exc)
        return
    out.files += 1
    out.targets.append(Target("policy", policy=policy))
