"""SigV4 suites: loading either layout, the S3 documentation examples, and running cases against signers.

Layouts (``detect_layout``):

* ``botocore``: ``<case>/<case>.req`` (raw request) with ``.creq`` (canonical request), ``.sts`` (string to
  sign) and ``.authz`` (Authorization header), nested directories allowed (``normalize-path/get-space``).
  Header signing only. Credentials, region, service and time are fixed by the suite, as in botocore's
  ``tests/unit/auth/test_sigv4.py``; a session token is taken from the ``x-amz-security-token:`` line of
  the ``.creq`` (``post-sts-header-after`` is signed without one, as upstream intends).
* ``aws-c-auth``: ``<case>/context.json`` (credentials, region, service, timestamp, expiration_in_seconds,
  normalize, sign_body, optional session token) and ``request.txt``, with ``header-`` and/or ``query-``
  prefixed ``canonical-request.txt``, ``string-to-sign.txt``, ``signature.txt`` (``signed-request.txt`` is
  read for consistency only). A mode is checked when its three expectation files are present.
  ``"normalize": false`` for a service other than s3 is signed the way S3 is signed (the path as sent);
  a form-urlencoded body stays a body (its hash signed) in both modes.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from . import CaseResult, SigningInputError, compare_outputs
from .sigv4 import SIGNERS, Context, RawRequest, Signature, Unsupported, parse_raw_request

# botocore tests/unit/auth/test_sigv4.py
BOTOCORE_SUITE_CONTEXT = dict(
    access_key="AKIDEXAMPLE",
    secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    region="us-east-1",
    service="service",
    timestamp=_dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=_dt.timezone.utc),
)

PAIRS_VS_DICT = (
    "botocore takes query parameters as a mapping or as a list of (key, value) pairs; a dict holds one value "
    "per key, so a repeated key (Param1=value2&Param1=Value1) loses all values but the last and the canonical "
    "query string, and with it the signature, changes. botocore's own runner builds a dict and skips these "
    "cases; hubgate passes ordered pairs by default (--query-params dict shows the other way)."
)


Expected = Signature  # a case's expected values: the ones a signer outputs

@dataclass
class SigV4Case:
    name: str
    request: RawRequest
    context: Context
    expected: dict[str, Expected] = field(default_factory=dict)  # mode -> expectations
    notes: dict[str, str] = field(default_factory=dict)  # signer -> note


def library_available(signer: str) -> bool:
    return importlib.util.find_spec({"botocore": "botocore", "minio": "minio"}[signer]) is not None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SigningInputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SigningInputError(f"{path}: cannot read ({exc.strerror})") from None


def detect_layout(root: Path) -> str:
    if not root.is_dir():
        raise SigningInputError(f"{root}: no such suite directory")
    if any(root.rglob("context.json")):
        return "aws-c-auth"
    if any(p.stem == p.parent.name for p in root.rglob("*.req")):
        return "botocore"
    raise SigningInputError(
        f"{root}: not a SigV4 suite (no <case>/<case>.req for the botocore layout, "
        f"no <case>/context.json for the aws-c-auth layout)"
    )


def load_botocore_suite(root: Path) -> list[SigV4Case]:
    cases = []
    for req in sorted(root.rglob("*.req")):
        if req.stem != req.parent.name:
            continue
        base = req.with_suffix("")
        name = req.parent.relative_to(root).as_posix()
        files = {}
        for ext in ("creq", "sts", "authz"):
            p = base.with_suffix("." + ext)
            if not p.is_file():
                raise SigningInputError(f"{p}: missing (case {name} has a .req but no .{ext})")
            files[ext] = _read(p)
        m = re.search(r"^x-amz-security-token:(.*)$", files["creq"], re.MULTILINE)
        ctx = Context(**BOTOCORE_SUITE_CONTEXT, token=m.group(1) if m else None)
        authz = files["authz"].strip()
        sig = authz.rsplit("Signature=", 1)[-1] if "Signature=" in authz else None
        cases.append(SigV4Case(name, parse_raw_request(_read(req), str(req)), ctx, {
            "header": Expected(files["creq"], files["sts"], sig, authz)}))
    return cases


def _context_from_json(path: Path) -> Context:
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise SigningInputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise SigningInputError(f"{path}: expected a JSON object")
    creds = data.get("credentials")
    missing = [k for k in ("credentials", "region", "service", "timestamp") if k not in data]
    if isinstance(creds, dict):
        missing += [f"credentials.{k}" for k in ("access_key_id", "secret_access_key") if k not in creds]
    elif creds is not None:
        missing.append("credentials (an object)")
    if missing:
        raise SigningInputError(f"{path}: missing {', '.join(missing)}")
    try:
        ts = _dt.datetime.strptime(data["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    except (TypeError, ValueError):
        raise SigningInputError(f"{path}: timestamp {data['timestamp']!r} is not YYYY-MM-DDTHH:MM:SSZ") from None
    token = creds.get("token", creds.get("session_token"))
    if data.get("omit_session_token"):
        token = None
    expires = data.get("expiration_in_seconds", 3600)
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise SigningInputError(f"{path}: expiration_in_seconds must be an integer")
    return Context(
        access_key=creds["access_key_id"], secret_key=creds["secret_access_key"], token=token,
        region=data["region"], service=data["service"], timestamp=ts, expires=expires,
        normalize=bool(data.get("normalize", True)), sign_body=bool(data.get("sign_body", False)),
    )


def load_c_suite(root: Path) -> list[SigV4Case]:
    cases = []
    for ctx_path in sorted(root.rglob("context.json")):
        d = ctx_path.parent
        name = d.relative_to(root).as_posix() or d.name
        req_path = d / "request.txt"
        if not req_path.is_file():
            raise SigningInputError(f"{req_path}: missing (case {name} has a context.json but no request.txt)")
        case = SigV4Case(name, parse_raw_request(_read(req_path), str(req_path)), _context_from_json(ctx_path))
        for mode in ("header", "query"):
            names = [f"{mode}-{x}.txt" for x in ("canonical-request", "string-to-sign", "signature")]
            present = [n for n in names if (d / n).is_file()]
            if not present:
                continue
            if len(present) != 3:
                absent = sorted(set(names) - set(present))
                raise SigningInputError(f"{d}: {mode} signing is incomplete, missing {', '.join(absent)}")
            creq, sts, sig = (_read(d / n) for n in names)
            sig = sig.strip()
            signed = d / f"{mode}-signed-request.txt"
            if signed.is_file() and sig not in _read(signed):
                raise SigningInputError(f"{signed}: does not carry the signature of {mode}-signature.txt")
            case.expected[mode] = Expected(creq, sts, sig)
        if not case.expected:
            raise SigningInputError(f"{d}: no header-* or query-* expectation files")
        cases.append(case)
    return cases


def load_suite(root: Path) -> tuple[str, list[SigV4Case]]:
    layout = detect_layout(root)
    cases = load_botocore_suite(root) if layout == "botocore" else load_c_suite(root)
    return layout, cases


# ----------------------------------------------------------------------------------------- S3 doc examples

_DOC_KEYS = dict(access_key="AKIAIOSFODNN7EXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                 region="us-east-1", service="s3", normalize=False,
                 timestamp=_dt.datetime(2013, 5, 24, tzinfo=_dt.timezone.utc))
_DOC_STS = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
_E = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def s3_doc_cases() -> list[SigV4Case]:
    """The two worked examples of the S3 API reference (Authenticating Requests: AWS Signature Version 4)."""
    presign = SigV4Case(
        "presigned-get-examplebucket-test.txt",
        RawRequest("GET", "/test.txt", [("Host", "examplebucket.s3.amazonaws.com")]),
        Context(**_DOC_KEYS, expires=86400),
        {"query": Expected(
            "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD",
            _DOC_STS + "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04",
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")},
    )
    header = SigV4Case(
        "get-object-range-header",
        RawRequest("GET", "/test.txt", [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]),
        Context(**_DOC_KEYS, sign_body=True),
        {"header": Expected(
            f"GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:{_E}\n"
            f"x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n{_E}",
            _DOC_STS + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")},
    )
    for c in (presign, header):
        c.notes["minio"] = ("signed with minio.signer (what the Minio client calls) for the docs' host; the Minio "
                            "client itself would address examplebucket.s3.us-east-1.amazonaws.com, another host "
                            "and so another signature")
    return [presign, header]


# ----------------------------------------------------------------------------------------------- running


def applicable(signer: str, case: SigV4Case) -> bool:
    """minio-py is an S3 client: it is run on S3 cases only."""
    return signer != "minio" or case.context.service == "s3"


def run_case(suite: str, case: SigV4Case, signer: str, mode: str, params_as: str = "pairs") -> CaseResult:
    label = signer if (signer != "botocore" or params_as == "pairs") else "botocore[params=dict]"
    res = CaseResult(suite, case.name, label, mode, "pass", note=case.notes.get(signer))
    if not library_available(signer):
        res.result, res.reason = "error", "missing-library"
        res.diff = f"{signer} is not installed (pip install 'hubgate[signing]'); case not run"
        return res
    exp = case.expected[mode]
    try:
        fn = SIGNERS[signer]
        out = fn(case.request, case.context, mode, params_as) if signer == "botocore" else fn(
            case.request, case.context, mode)
    except Unsupported as exc:
        res.result, res.reason, res.diff = "error", "unsupported", str(exc)
        return res
    except Exception as exc:  # the library itself failed on this input: that is a conformance failure
        res.result, res.diff = "fail", f"{signer} raised {type(exc).__name__}: {exc}"
        return res
    if out.notes:
        res.note = "; ".join([n for n in (res.note, *out.notes) if n])
    diff = compare_outputs([
        ("canonical request", exp.canonical_request, out.canonical_request),
        ("string to sign", exp.string_to_sign, out.string_to_sign),
        ("signature", exp.signature, out.signature),
        ("Authorization", exp.authorization, out.authorization),
    ])
    if diff:
        res.result, res.diff = "fail", diff
        keys = [k for k, _ in parse_qsl(case.request.query or "", keep_blank_values=True)]
        if signer == "botocore" and mode == "query" and len(keys) != len(set(keys)):
            res.note = ("botocore's query signer (SigV4QueryAuth) merges the request's query parameters into a "
                        "dict, so a repeated key keeps one value in a presigned URL, however they are passed")
    return res


def run_sigv4(suite: str, cases: list[SigV4Case], signers: list[str], params_as: str = "pairs",
              explain_dict: bool = True) -> tuple[list[CaseResult], list[str]]:
    """Run every case in every mode it has against each applicable signer. With ``params_as="pairs"`` and
    ``explain_dict``, botocore is also run with a dict, and the cases where that changes the outcome get a
    note (the summary says how many pass each way)."""
    results: list[CaseResult] = []
    notes: list[str] = []
    for signer in signers:
        ran = [c for c in cases if applicable(signer, c)]
        if not ran:
            notes.append(f"{suite}: {signer} not run: it is an S3-only signer and no case here signs for s3")
            continue
        for case in ran:
            for mode in case.expected:
                r = run_case(suite, case, signer, mode, params_as)
                results.append(r)
                if signer == "botocore" and params_as == "pairs" and explain_dict and case.request.query:
                    alt = run_case(suite, case, signer, mode, "dict")
                    if alt.result != r.result:
                        r.note = ("passes only with ordered pairs; as a dict: " if r.result == "pass" else
                                  "as a dict: ") + f"{alt.result} ({alt.diff})"
                        r.extra["params_as_dict"] = {"result": alt.result, "diff": alt.diff}
        if signer == "botocore" and library_available("botocore"):
            mine = [r for r in results if r.signer.startswith("botocore")]
            n_pass = sum(r.result == "pass" for r in mine)
            if params_as == "pairs" and explain_dict:
                n_dict = sum((r.extra.get("params_as_dict", {}).get("result", r.result) == "pass") for r in mine)
                if n_dict != n_pass:
                    notes.append(f"{suite}: botocore passes {n_pass}/{len(mine)} with query parameters as ordered "
                                 f"pairs, {n_dict}/{len(mine)} as a dict. {PAIRS_VS_DICT}")
            elif params_as == "dict":
                notes.append(f"{suite}: botocore with query parameters as a dict: {n_pass}/{len(mine)}. "
                             f"{PAIRS_VS_DICT}")
    return results, notes
