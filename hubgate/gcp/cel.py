"""Three-valued evaluation of IAM condition expressions (CEL) for Hub's reads of Cloud Storage buckets.

True: the condition always holds for Hub's reads of the buckets; False: it never does; None: it depends on
the request, or hubgate cannot tell. Only the CEL subset IAM conditions on Cloud Storage use is evaluated;
anything else is None.

Why not ``cel-python`` (``celpy``, 0.5.0) for the parsing: it parses the full language into a lark tree our
evaluation could walk, but it requires ``google-re2`` and ``pendulum`` (both compiled extensions; re2 builds
from source against abseil where no wheel exists), ``lark`` and ``jmespath`` -- five packages, 6 MB installed
-- for the few lines of tokenizer below, in the default install. The subset parser is safe by construction:
any expression outside the subset evaluates to None ("cannot tell"), never to a verdict.
"""

from __future__ import annotations

import datetime as dt
import re

_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<num>\d+(?:\.\d+)?)|"""
                    r"""(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|,)|(?P<id>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))""")


class _Unknown(Exception):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise _Unknown
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _or3(v, w):
    """Three-valued or: True if either is True, False if both are False, else unknown (None)."""
    return True if (v is True or w is True) else (False if (v is False and w is False) else None)


def _and3(v, w):
    """Three-valued and: False if either is False, True if both are True, else unknown (None)."""
    return False if (v is False or w is False) else (True if (v is True and w is True) else None)


class _Cel:
    """Three-valued evaluation (True, False, None = depends on the request) of the CEL subset IAM conditions
    on Cloud Storage use: literals, !, &&, ||, ==/!=/</>, ``request.time`` against ``timestamp("...")``,
    ``resource.name`` with ``startsWith``/``==``, ``resource.service``. Anything else is None."""

    def __init__(self, expr: str, buckets: list[str], project: bool = False):
        self.toks = _tokens(expr)
        self.i = 0
        self.buckets = buckets
        self.project = project  # on a project policy, a resource.name test that holds for Hub's buckets still excludes others

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (value is not None and t[1] != value):
            raise _Unknown
        self.i += 1
        return t

    def run(self) -> bool | None:
        v = self.or_()
        if self.peek() is not None:
            raise _Unknown
        return v

    def or_(self):
        return self._chain("||", self.and_, _or3)

    def and_(self):
        return self._chain("&&", self.unary, _and3)

    def _chain(self, op: str, operand, combine):
        """``operand (op operand)*``, left to right, folded with the three-valued ``combine``."""
        v = operand()
        while self.peek() == ("op", op):
            self.take()
            v = combine(v, operand())
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            v = self.unary()
            return None if v is None else not v
        return self.comparison()

    def comparison(self):
        left = self.operand()
        t = self.peek()
        if t is not None and t[0] == "op" and t[1] in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.operand()
            return self.compare(left, t[1], right)
        if isinstance(left, bool) or left is None:
            return left
        if isinstance(left, tuple) and left[0] == "bool":
            return left[1]
        return None

    def operand(self):
        t = self.take()
        kind, text = t
        if text == "(":
            v = self.or_()
            self.take(")")
            return ("bool", v)
        if kind == "str":
            return ("str", bytes(text[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "num":
            return ("num", float(text))
        if kind == "id":
            if text in ("true", "false"):
                return ("bool", text == "true")
            if self.peek() == ("op", "("):  # a call: timestamp("...") or x.startsWith("...")
                self.take("(")
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.operand())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take(")")
                return self.call(text, args)
            return ("var", text)
        raise _Unknown

    def call(self, name: str, args: list):
        if name == "timestamp" and len(args) == 1 and args[0][0] == "str":
            try:
                return ("time", dt.datetime.fromisoformat(args[0][1].replace("Z", "+00:00")))
            except ValueError:
                return ("unknown", None)
        if name == "resource.name.startsWith" and len(args) == 1 and args[0][0] == "str":
            return ("bool", self._starts(args[0][1]))
        return ("unknown", None)

    def _starts(self, prefix: str) -> bool | None:
        results = []
        for bucket in self.buckets:
            res = f"projects/_/buckets/{bucket}"
            on_bucket = res.startswith(prefix)  # storage.objects.list is checked on the bucket
            obj = f"{res}/objects/"
            on_objects = True if obj.startswith(prefix) else (None if prefix.startswith(obj) else False)
            results.append(True if on_bucket and on_objects is True else
                           False if not on_bucket and on_objects is False else None)
        if results and all(r is True for r in results):
            return None if self.project else True
        if results and all(r is False for r in results):
            return False
        return None

    def compare(self, left, op: str, right):
        if left[0] == "var" and right[0] == "time":
            left, right, op = right, left, {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if left[0] == "time" and right == ("var", "request.time") and left[1] is not None:
            t, now = left[1], _now()
            if t.tzinfo is None:
                t = t.replace(tzinfo=dt.timezone.utc)
            # left OP request.time: "T < request.time" holds from T on
            if op in (">", ">="):  # request.time before T: never again once T has passed
                return False if t <= now else None
            if op in ("<", "<="):  # request.time after T: always, once T has passed
                return True if t <= now else None
            return None
        if left[0] == "var" and left[1] == "resource.service" and right[0] == "str":
            same = right[1] == "storage.googleapis.com"
            return same if op == "==" else (not same if op == "!=" else None)
        if left[0] in ("str", "num", "bool") and right[0] == left[0] and op in ("==", "!="):
            return (left[1] == right[1]) == (op == "==")
        if left[0] == "num" and right[0] == "num":
            a, b_ = left[1], right[1]
            return {"<": a < b_, "<=": a <= b_, ">": a > b_, ">=": a >= b_}[op]
        return None


def condition_value(expression: str, buckets: list[str], project: bool = False) -> bool | None:
    """True when the condition always holds for Hub's reads of these buckets, False when it never does,
    None when it depends on the request (or hubgate cannot tell)."""
    try:
        return _Cel(expression, buckets, project).run()
    except (_Unknown, RecursionError, UnicodeDecodeError):
        return None
