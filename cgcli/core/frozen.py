"""Frozen records: plain immutable data with named fields, as a frozen dataclass holds it.

The graph and the result that one evaluation builds (:class:`~cgcli.core.ir.Graph`,
:class:`~cgcli.api.evaluation.Evaluation`) are records of this kind rather than
dataclasses: importing :mod:`dataclasses` (it imports :mod:`inspect`) takes longer than
parsing, evaluating and printing a small program.
"""

from __future__ import annotations


class Frozen:
    """The base of an immutable record. A subclass annotates its fields in the class body
    (in order: they become ``_fields``) and sets them in its ``__init__`` through
    ``self.__dict__``; its instances then

    * refuse to have an attribute assigned or deleted (an AttributeError, as a frozen
      dataclass does);
    * are equal when they are of one class and their fields are equal, and hash by their
      fields (so a record holding a dict is unhashable);
    * show as ``Name(field=value, ...)``;
    * make a copy with some fields changed with :meth:`replace`.

    A :func:`functools.cached_property` still works: it writes to ``__dict__`` itself.
    """

    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(cls.__annotations__)  # its own (Python 3.10+), in the order written
        cls.__match_args__ = cls._fields

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fields)

    def replace(self, **changes):
        """A copy with the fields named in ``changes`` changed."""
        unknown = changes.keys() - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {min(unknown)!r}")
        return type(self)(**{name: getattr(self, name) for name in self._fields} | changes)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"
