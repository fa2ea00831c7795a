"""A small LALR(1) driver for the tables that tools/generate_parser.py derives from the grammar.

The lexer tries the grammar's terminals in Lark's order with one regular
expression; the parser runs the shift/reduce loop with an explicit stack and
calls one callback per reduced rule (named by the rule's alias), so no syntax
tree is built and nothing recurses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from ._grammar_tables import ACTIONS, END_STATE, IGNORE, RULES, START_STATE, TERMINALS

END = "$END"
_SHIFT = 1
_LEXER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in TERMINALS))
_IGNORED = frozenset(IGNORE)
_FILTERED = frozenset(name for name, _ in TERMINALS if name.startswith("_"))
"""Terminals that, as in Lark's trees, are no rule's child: their place holds None (a
program's statement separators would otherwise all be kept until its end)."""


class Token(NamedTuple):
    """A terminal of the grammar and where it stands in the source."""

    type: str
    text: str
    start: int
    end: int


class UnexpectedCharacter(Exception):
    """No terminal matches at ``pos``."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


class UnexpectedToken(Exception):
    """A terminal the grammar does not allow here; ``expected`` lists those it does."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(token)
        self.token = token
        self.expected = expected


def tokens(source: str) -> Iterator[Token]:
    """The source's terminals, ignored ones (spaces, comments) left out, then $END."""
    pos = 0
    size = len(source)
    match = _LEXER.match
    while pos < size:
        found = match(source, pos)
        if found is None:
            raise UnexpectedCharacter(pos)
        kind = found.lastgroup
        end = found.end()
        if kind not in _IGNORED:
            yield Token(kind, found.group(), pos, end)
        pos = end
    yield Token(END, "", size, size)


class _Splice(list):
    """Children of an inlined rule (its name starts with _), spliced into the parent's."""


def _splice(children: list) -> _Splice:
    """The children with inner splices opened; a leading splice is extended in place, so a
    left-recursive list (``items: items item``) grows in linear time."""
    first = children[0] if children and type(children[0]) is _Splice else None
    out = first if first is not None else _Splice()
    for child in children[1:] if first is not None else children:
        if type(child) is _Splice:
            out.extend(child)
        else:
            out.append(child)
    return out


class TooDeep(Exception):
    """The parser's stack outgrew its limit at ``token``."""

    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


def parse(source: str, callbacks: Any, max_stack: int | None = None) -> Any:
    """Run the parser over ``source``; each reduction calls ``callbacks.<alias>(children)``.

    ``max_stack`` bounds the parser's stack, that is the program's nesting depth.
    """
    rules = [
        (origin, length, mode, getattr(callbacks, name) if mode == "call" else None, splices)
        for origin, length, mode, name, splices in RULES
    ]
    actions = ACTIONS
    states = [START_STATE]
    values: list[Any] = []
    for token in tokens(source):
        kind_of_token = token.type
        while True:
            table = actions[states[-1]]
            action = table.get(kind_of_token)
            if action is None:
                raise UnexpectedToken(token, {s for s in table if s == END or s.isupper()})
            kind, target = action
            if kind == _SHIFT:
                states.append(target)
                values.append(None if kind_of_token in _FILTERED else token)
                if max_stack is not None and len(states) > max_stack:
                    raise TooDeep(token)
                break
            origin, length, mode, call, splices = rules[target]
            if mode == "pass":  # one child, which stays on the value stack as it is
                states.pop()
            else:
                if length:
                    children = values[-length:]
                    del values[-length:]
                    del states[-length:]
                else:
                    children = []
                if mode == "inline":
                    value = _splice(children) if splices else _Splice(children)
                else:
                    value = call(_splice(children) if splices else children)
                values.append(value)
            states.append(actions[states[-1]][origin][1])
            if kind_of_token == END and states[-1] == END_STATE:
                return values[-1]
