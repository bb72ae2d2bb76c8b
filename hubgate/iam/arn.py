"""ARN parsing and IAM-style ARN pattern matching."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from . import variables as var
from .actions import glob_regex, has_wildcard, resource_type_regex

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


class ArnError(ValueError):
    pass


def parse_arn(text: str) -> Arn:
    """Split an ARN into its six parts; raise ArnError naming what is wrong."""
    if not isinstance(text, str):
        raise ArnError(f"expected a string, got {type(text).__name__}")
    parts = text.split(":", 5)
    if len(parts) != 6:
        raise ArnError(f"{text!r} has {len(parts)} of the 6 colon-separated parts of an ARN")
    if parts[0] != "arn":
        raise ArnError(f"{text!r} does not start with 'arn:'")
    _, partition, service, region, account, resource = parts
    if not partition:
        raise ArnError(f"{text!r} has an empty partition")
    if not service:
        raise ArnError(f"{text!r} has an empty service")
    if not resource:
        raise ArnError(f"{text!r} has an empty resource")
    return Arn(partition, service, region, account, resource)


_VARIABLE = re.compile(r"\$\{[^}]*\}")


def normalise_variables(pattern: str) -> str:
    """Policy variables such as ``${aws:username}`` stand for an unknown value: treat them as ``*``."""
    return _VARIABLE.sub("*", pattern) if "${" in pattern else pattern


def resource_matches(pattern: str, arn: str, context: dict | None, variables: bool = True,
                     any_value: bool = False) -> bool:
    """Does a Resource / NotResource entry match a concrete ARN for a request with this context?

    With ``variables`` (policy Version 2012-10-17) a ``${key}`` is replaced by the context's value, taken as
    literal text; a variable with no value and no default makes the entry match no resource ("Policy
    variables with no value"). ``any_value`` lets every variable stand for any value instead (``*``): the
    static question "could some request match". Without ``variables`` the entry is literal text as written
    (its ``*``/``?`` still wildcards)."""
    if not variables or "${" not in pattern:
        return _plain_match(pattern, arn)
    resolved = var.any_value(pattern) if any_value else var.resolve(pattern, context or {})
    if resolved is None:
        return False
    if var.wildcard_free(resolved):
        return var.plain(resolved) == arn
    return var.glob(resolved).fullmatch(arn) is not None


def _plain_match(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    if not has_wildcard(pattern):
        return pattern == arn
    return _case_sensitive_glob(pattern).fullmatch(arn) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """Does a Resource pattern match a concrete ARN? ``*``/``?`` match across ``:`` and ``/`` as in IAM;
    the service and the rest are case-sensitive as IAM compares resources. Policy variables stand for any
    value (the rules' static view; ``resource_matches`` decides a request)."""
    return _plain_match(normalise_variables(pattern), arn)


@lru_cache(maxsize=65536)
def _case_sensitive_glob(pattern: str) -> re.Pattern[str]:
    return re.compile(glob_regex(pattern).pattern, re.DOTALL)


@lru_cache(maxsize=65536)
def could_be_type(pattern: str, service: str, type_key: str) -> bool:
    """Can a Resource pattern name some resource of the given type (e.g. s3 ``bucket``)?

    Each wildcard is tried as one segment and as several segments, so ``arn:aws:s3:::*`` can name both a
    bucket and an object, while ``arn:aws:s3:::b/*`` can only name objects.
    """
    rx = resource_type_regex(service, type_key)
    if rx is None:
        return True  # unknown type: do not judge
    pattern = normalise_variables(pattern)
    if pattern == "*":
        return True
    pieces = re.split(r"([*?])", pattern)
    stars = [i for i, p in enumerate(pieces) if p in ("*", "?")]
    if len(stars) > 6:  # too many to enumerate: do not judge
        return True
    choices = []
    for i in stars:
        choices.append(("x",) if pieces[i] == "?" else ("x", "x/x", "x:x"))
    for combo in itertools.product(*choices):
        trial = list(pieces)
        for i, c in zip(stars, combo):
            trial[i] = c
        if rx.fullmatch("".join(trial)):
            return True
    return False


def s3_bucket_and_key(pattern: str) -> tuple[str, str | None] | None:
    """For an S3 resource (``arn:aws:s3:::bucket`` or ``arn:aws:s3:::bucket/key``) return (bucket, key);
    key is None for a bucket ARN. None when it is not an S3 bucket/object ARN."""
    if not pattern.startswith("arn:"):
        return None
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[2] != "s3" or parts[3] or parts[4]:
        return None
    bucket, sep, key = parts[5].partition("/")
    return bucket, (key if sep else None)
