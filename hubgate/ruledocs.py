"""Rule documentation in one form for every rule (ruff style): what, why, failing example, passing example, fix.

``python -m hubgate.ruledocs > docs/rules.md`` regenerates the committed rule catalogue (``render_markdown``).
"""

from __future__ import annotations

import json
import re

from .rules import Rule, all_rules


def _example(rule: Rule, which: str) -> str:
    examples = rule.fail_examples if which == "fail" else rule.pass_examples
    if not examples:
        return "(none)"
    ex = examples[0]
    shown = _focus(rule, ex)
    other = (rule.pass_examples if which == "fail" else rule.fail_examples)[:1]
    if other and _focus(rule, other[0]) == shown:  # the difference lies outside the rule family's fields
        shown = _mask_example(ex)
    return json.dumps(shown, indent=2)


def _focus(rule: Rule, ex):
    if not isinstance(ex, dict) or "Statement" in ex:
        return ex
    family = rule.id[:3]
    keys = {
        "HG1": ("permission_policy", "buckets"),
        "HG2": ("external_id", "trust_policy"),
        "HG3": ("buckets",),
        "HG4": ("name", "provider", "access_type", "region", "role_arn", "access_key_id", "secret_access_key",
                "trust_policy", "buckets"),
        "HG5": ("manifest", "buckets"),
        "HG6": ("service_account", "credentials", "bucket_iam_policy", "project_iam_policy",
                "uniform_bucket_level_access", "buckets"),
        "HG7": ("account", "container", "sas", "cors", "public_access"),
    }.get(family)
    if not keys:
        return ex
    out = {k: ex[k] for k in keys if k in ex}
    out = _mask_example(out)
    for k in ("access_key_id", "secret_access_key"):  # even documentation's example keys are shown masked
        if k in out and isinstance(out[k], str) and not out[k].startswith("${env:"):
            v = out[k]
            out[k] = f"{v[:4]}…{v[-4:]}" if k == "access_key_id" and len(v) >= 16 else "****"
    if family == "HG1" and "buckets" in out:  # CORS is not what HG1xx is about
        out["buckets"] = [{k: v for k, v in b.items() if k != "cors"} for b in out["buckets"]]
    return out


_SECRET_FIELDS = ("private_key", "client_secret", "refresh_token")


def _mask_example(value):
    """Examples are printed; the secrets in them (even made-up ones) are shown as users would see them."""
    if isinstance(value, dict):
        return {k: ("****" if k in _SECRET_FIELDS and isinstance(v, str) else _mask_example(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_example(v) for v in value]
    if isinstance(value, str) and "sig=" in value:
        return re.sub(r"(sig=)[^&\s]+", r"\1****", value)
    return value


def rule_doc(rule: Rule, fmt: str = "text") -> str:
    refs = getattr(type(rule), "references", ())  # (title, url) pairs: the pages the rule enforces
    if fmt == "json":
        return json.dumps({
            "id": rule.id, "severity": rule.severity, "title": rule.title, "what": rule.what, "why": rule.why,
            "fix": rule.fix, "fail_examples": list(rule.fail_examples), "pass_examples": list(rule.pass_examples),
            **({"references": [{"title": t, "url": u} for t, u in refs]} if refs else {}),
        }, indent=2) + "\n"
    h = "## " if fmt == "markdown" else ""
    fence = "```json\n" if fmt == "markdown" else ""
    end = "```\n" if fmt == "markdown" else ""
    return (
        f"{'# ' if fmt == 'markdown' else ''}{rule.id} {rule.title} ({rule.severity})\n\n"
        f"{h}What it checks\n{rule.what}\n\n"
        f"{h}Why it matters\n{rule.why}\n\n"
        f"{h}Failing example\n{fence}{_example(rule, 'fail')}\n{end}\n"
        f"{h}Passing example\n{fence}{_example(rule, 'pass')}\n{end}\n"
        f"{h}Fix\n{rule.fix}\n"
        + (f"\n{h}References\n" + "".join(f"- {t}: {u}\n" for t, u in refs) if refs else "")
    )


def catalogue(fmt: str = "text") -> str:
    rules = all_rules()
    if fmt == "json":
        return json.dumps([{"id": r.id, "severity": r.severity, "title": r.title} for r in rules.values()], indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown()
    width = max(len(r.title) for r in rules.values())
    lines = [f"{r.id}  {r.severity:<7}  {r.title:<{width}}" for r in rules.values()]
    return "\n".join(lines) + "\n\n`hubgate rules ID` prints a rule's documentation.\n"


REGENERATE = "python -m hubgate.ruledocs > docs/rules.md"


def _reference_line(ref) -> str:
    """One reference as a Markdown list item: a URL, a ``(title, url)`` pair or a ``{"title", "url"}`` mapping."""
    if isinstance(ref, dict):
        title, url = ref.get("title") or ref.get("name"), ref.get("url") or ref.get("href")
    elif isinstance(ref, (tuple, list)) and len(ref) == 2:
        title, url = ref
    else:
        title, url = None, ref
    if title and url:
        return f"- [{title}]({url})"
    return f"- <{url}>" if str(url).startswith(("http://", "https://")) else f"- {title or url}"


def _references(rule: Rule) -> list:
    refs = getattr(type(rule), "references", None)
    if not refs:
        return []
    return [refs] if isinstance(refs, (str, dict)) else list(refs)


def _rule_markdown(rule: Rule) -> str:
    refs = _references(rule)
    out = [
        f"## {rule.id} {rule.title}", "",
        f"Severity: **{rule.severity}**", "",
        "### What it checks", "", rule.what, "",
        "### Why it matters", "", rule.why, "",
        "### Failing example", "", "```json", _example(rule, "fail"), "```", "",
        "### Passing example", "", "```json", _example(rule, "pass"), "```", "",
        "### Fix", "", rule.fix, "",
    ]
    if refs:
        out += ["### References", "", *(_reference_line(r) for r in refs), ""]
    return "\n".join(out)


def render_markdown() -> str:
    """The whole rule catalogue as Markdown, from the rules' own metadata, in ``hubgate rules`` order:
    an index table, then per rule its id, title, severity, what, why, failing and passing example, fix and
    (when the rule class has ``references``) its references. ``docs/rules.md`` is this text."""
    rules = all_rules()
    out = [
        "# hubgate rules", "",
        "<!-- Generated from the rules' own metadata; do not edit. Regenerate with:",
        f"     {REGENERATE}  (the same text as `hubgate rules --format markdown`) -->", "",
        f"{len(rules)} rules. `hubgate rules ID` prints one rule's documentation in the terminal. Examples show "
        "the part of a bundle the rule looks at; the tests run every example.", "",
        "| id | severity | title |", "|---|---|---|",
        *(f"| [{r.id}](#{_anchor(r)}) | {r.severity} | {_cell(r.title)} |" for r in rules.values()), "",
    ]
    out += [_rule_markdown(r) for r in rules.values()]
    return "\n".join(out)


def _anchor(rule: Rule) -> str:
    """GitHub's heading anchor for ``## ID title``: lower case, punctuation dropped, spaces to hyphens."""
    text = f"{rule.id} {rule.title}".lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_markdown())
