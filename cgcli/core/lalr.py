"""A small LALR(1) driver for the tables that tools/generate_parser.py derives from the grammar.

The lexer tries the grammar's terminals in Lark's order with one regular
expression (a NAME whose text is a keyword takes the keyword's type); a small
post-lexer turns the indentation of a loop's body into _INDENT and _DEDENT
tokens (:func:`indented`); the parser runs the shift/reduce loop with an explicit stack and
calls one callback per reduced rule (named by the rule's alias), so no syntax
tree is built and nothing recurses.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterator

from ._grammar_tables import (
    ACTIONS,
    END_STATE,
    IGNORE,
    KEYWORDS,
    RULES,
    START_STATE,
    TERMINALS,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

END = "$END"
NEWLINE, INDENT, DEDENT, BLOCK_OPENER = "_NL", "_INDENT", "_DEDENT", "COLON"
_SHIFT = 1
_LEXER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in TERMINALS))
_IGNORED = frozenset(IGNORE)
_FILTERED = frozenset(name for name, _ in TERMINALS if name.startswith("_"))
"""Terminals that, as in Lark's trees, are no rule's child: their place holds None (a
program's statement separators would otherwise all be kept until its end)."""


class Token(namedtuple("Token", "type text start end")):
    """A terminal of the grammar (its ``type``, a str) and where it stands in the source:
    its ``text`` from ``start`` to ``end``."""

    __slots__ = ()


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


class BadIndentation(Exception):
    """A line of a loop's body indented unlike the lines around it."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def tokens(source: str) -> Iterator[Token]:
    """The source's terminals, ignored ones (spaces, comments) left out, then $END."""
    pos = 0
    size = len(source)
    match = _LEXER.match
    keywords = KEYWORDS
    while pos < size:
        found = match(source, pos)
        if found is None:
            raise UnexpectedCharacter(pos)
        kind = found.lastgroup
        end = found.end()
        if kind not in _IGNORED:
            text = found.group()
            if kind == "NAME" and text in keywords:
                kind = keywords[text]
            yield Token(kind, text, pos, end)
        pos = end
    yield Token(END, "", size, size)


def _width(indentation: str) -> int:
    return len(indentation.expandtabs(8))


def indented(stream: Iterator[Token], source: str) -> Iterator[Token]:
    """``stream`` with the indentation of loop bodies as _INDENT and _DEDENT tokens.

    A line that ends in ``:`` opens a block: the next line must be indented deeper than
    the line that opened it, and the block's lines keep that indentation; a line
    indented less closes it (one _DEDENT per block closed, after the newline). Outside
    blocks indentation means nothing, as it always has. Runs of newlines (blank lines,
    comment lines) become one; the stream always ends with a newline before $END (an
    empty one, at the end of the source, when the source does not).
    """
    blocks: list[tuple[int, int]] = []  # (indentation of the block, of its opening line)
    line_indent = 0  # the current line's indentation
    pending: Token | None = None  # a newline not yet passed on
    previous: str | None = None  # the type of the last token passed on
    for token in stream:
        kind = token.type
        if kind == NEWLINE:
            if pending is not None:  # the earlier newline ended a blank or comment line
                token = Token(NEWLINE, source[pending.start : token.end], pending.start, token.end)
            pending = token
            continue
        if kind == END:
            if pending is None and previous not in (None, NEWLINE, DEDENT):
                pending = Token(NEWLINE, "", token.start, token.start)
            if pending is not None:
                if previous == BLOCK_OPENER:
                    raise BadIndentation(
                        token.start, "expected the loop's body: an indented line below it"
                    )
                yield pending
            for _ in blocks:
                yield Token(DEDENT, "", token.start, token.start)
            yield token
            return
        if pending is not None:
            indent = _width(pending.text[pending.text.rfind("\n") + 1 :])
            yield pending
            if previous == BLOCK_OPENER:
                if indent <= line_indent:
                    raise BadIndentation(
                        token.start,
                        "expected the loop's body here, indented deeper than its 'for' line",
                    )
                blocks.append((indent, line_indent))
                yield Token(INDENT, "", token.start, token.start)
            else:
                closed = None
                while blocks and indent < blocks[-1][0]:
                    closed = blocks.pop()
                    yield Token(DEDENT, "", token.start, token.start)
                # in a block a line has the block's indentation; back at the top, it is
                # not deeper than the 'for' line of the loop it follows
                inside = blocks and indent != blocks[-1][0]
                if inside or (not blocks and closed is not None and indent > closed[1]):
                    block = closed if closed is not None else blocks[-1]
                    raise BadIndentation(token.start, _unmatched(indent, *block))
            line_indent = indent
            pending = None
        yield token
        previous = kind


def _unmatched(indent: int, body: int, opener: int) -> str:
    return (
        f"this line is indented {indent} spaces, like neither the loop's body ({body}) "
        f"nor its 'for' line ({opener})"
    )


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


def bind(callbacks: Any) -> list[tuple]:
    """The grammar's rules, each with the callback its reduction calls
    (``callbacks.<alias>``): made once for a callbacks object, and given to :func:`parse`."""
    return [
        (origin, length, mode, getattr(callbacks, name) if mode == "call" else None, splices)
        for origin, length, mode, name, splices in RULES
    ]


def parse(source: str, rules: list[tuple], max_stack: int | None = None) -> Any:
    """Run the parser over ``source``; each reduction calls its rule's callback (``rules``:
    what :func:`bind` made) with the rule's children.

    ``max_stack`` bounds the parser's stack, that is the program's nesting depth.
    """
    actions = ACTIONS
    states = [START_STATE]
    values: list[Any] = []
    for token in indented(tokens(source), source):
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
