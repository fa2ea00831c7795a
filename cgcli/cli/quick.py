"""cg eval read without click, for the common command line: start-up pays only for what
runs.

``cg eval PROGRAM NAME=VALUE... [options]`` is read here with the table of eval's options
that tools/generate_quick_options.py makes from the click command (_eval_options.py),
and run by the same code as the click command (:func:`cgcli.cli.evaluate_run.run_eval`).
Whatever this reader is not sure of goes to click, which reads it, reports its errors and
prints its help: an option it does not know, one given twice or as ``--name=value``, a
value that starts with '-' or that click must convert or check, an argument that starts
with '-', no program at all, or shell completion. tests/test_quick.py checks that
whatever this reader reads, it reads as click does."""

from __future__ import annotations

import os

from ._eval_options import DEFAULTS, OPTIONS

COMPLETION = "_CG_COMPLETE"
"""The variable that asks click for shell completion instead of a run."""


def read_eval(arguments: list[str]) -> tuple[dict, frozenset[str]] | None:
    """cg eval's parameters and the names of those given, as click reads ``arguments``
    (``["eval", ...]``); None when they are not for this reader."""
    if arguments[:1] != ["eval"] or COMPLETION in os.environ:
        return None
    params = dict(DEFAULTS)
    given: set[str] = set()
    positional: list[str] = []
    rest = arguments[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        if arg not in OPTIONS:
            return None
        name, kind, detail = OPTIONS[arg]
        if name in given:
            return None
        following = rest[i] if i < len(rest) else None
        if kind == "flag":
            value = detail
        elif kind == "optional":
            choices, flag_value = detail
            value = following if following in choices else flag_value
            i += value is following
        else:
            if following is None or following.startswith("-"):
                return None
            value = _value(kind, detail, following)
            if value is None:
                return None
            i += 1
        params[name] = value
        given.add(name)
    if not positional:
        return None
    params["arguments"] = tuple(positional)
    given.add("arguments")
    return params, frozenset(given)


def _value(kind: str, detail, text: str):
    """The value of an option of ``kind`` written ``text``, or None when only click may
    say what it is (or that it is wrong)."""
    if kind == "text":
        return text
    if kind == "choice":
        return text if text in detail else None
    if kind == "int" and text.isascii() and text.isdigit():
        low, high = detail
        number = int(text)
        return (
            number if (low is None or low <= number) and (high is None or number <= high) else None
        )
    return None


def run_quick(arguments: list[str]) -> None:
    """Run ``cg eval`` when :func:`read_eval` reads ``arguments``, and exit with its code;
    return at once when it does not."""
    read = read_eval(arguments)
    if read is None:
        return
    params, given = read
    from .evaluate_run import run_eval
    from .program import program_args
    from .reporting import check_arguments_are_text, run_reporting_errors

    def run() -> int:
        check_arguments_are_text(arguments)
        return run_eval(program_args(params), given=given, **params)

    run_reporting_errors(run)
