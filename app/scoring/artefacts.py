"""Typed reading of the JSON artefacts of a model folder (the model card, the drift report).

An artefact is parsed once, when it is read, into frozen dataclasses (``app.scoring.model_card``,
``app.scoring.drift_report``): a renamed, missing or mistyped entry then fails there, with the entry's
dotted name, instead of blanking a table cell of a page that read it through ``.get(..., {})``.
This module holds what both parsers share: :class:`Entries` (a JSON object that knows where it sits,
with typed getters), the errors, the format-version check, and :func:`freeze` / :func:`thaw` for the
parts kept as records. Pure Python.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, overload


class ArtefactError(ValueError):
    """An artefact lacks an entry or holds one of the wrong type. The message names the entry by its
    dotted path (``decision.costs.cost_fn``); the caller adds the file's name and what to do."""


class FormatVersionError(ArtefactError):
    """An artefact of a format version this code cannot read; the message already says what to do."""


def freeze(value: Any) -> Any:
    """``value`` with every dict made a read-only mapping and every list a tuple (records kept as
    they were written, but no reader can change the card another reader sees)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Inverse of :func:`freeze`: plain dicts and lists, as JSON writes them."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


_MISSING = object()
_KIND_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a text",
               Mapping: "an object", list: "a list"}


@dataclass(frozen=True)
class Entries:
    """One JSON object of an artefact and where it sits (``where``), so each error names the entry."""

    data: Mapping[str, Any]
    artefact: str
    where: str = ""

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _value(self, key: str, kind: type, optional: bool, nullable: bool) -> Any:
        """The entry ``key`` checked to be of ``kind``; absent is allowed when ``optional`` (read as
        None), null when ``optional`` or ``nullable``. Booleans are not numbers here."""
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if optional:
                return None
            raise ArtefactError(f"the {self.artefact} lacks {self.path(key)!r}")
        if value is None and (optional or nullable):
            return None
        numeric = kind in (int, float) and isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind is float and numeric:
            return float(value)
        if kind is int and numeric and float(value).is_integer():
            return int(value)
        if kind not in (int, float) and isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        shown = "null" if value is None else type(value).__name__
        raise ArtefactError(f"the {self.artefact}'s {self.path(key)!r} is {shown}, expected {_KIND_NAMES[kind]}")

    # The getters return None only when asked to allow it (optional=True, nullable=True): the overloads
    # tell the type checker so, and a required entry reads as its plain type.
    @overload
    def number(self, key: str, *, optional: Literal[False] = False, nullable: Literal[False] = False) -> float: ...
    @overload
    def number(self, key: str, *, optional: bool = False, nullable: bool = False) -> float | None: ...
    def number(self, key: str, *, optional: bool = False, nullable: bool = False) -> float | None:
        return self._value(key, float, optional, nullable)

    @overload
    def integer(self, key: str, *, optional: Literal[False] = False) -> int: ...
    @overload
    def integer(self, key: str, *, optional: bool = False) -> int | None: ...
    def integer(self, key: str, *, optional: bool = False) -> int | None:
        return self._value(key, int, optional, False)

    @overload
    def text(self, key: str, *, optional: Literal[False] = False) -> str: ...
    @overload
    def text(self, key: str, *, optional: bool = False) -> str | None: ...
    def text(self, key: str, *, optional: bool = False) -> str | None:
        return self._value(key, str, optional, False)

    @overload
    def flag(self, key: str, *, nullable: Literal[False] = False) -> bool: ...
    @overload
    def flag(self, key: str, *, nullable: bool = False) -> bool | None: ...
    def flag(self, key: str, *, nullable: bool = False) -> bool | None:
        return self._value(key, bool, False, nullable)

    @overload
    def section(self, key: str, *, optional: Literal[False] = False) -> Entries: ...
    @overload
    def section(self, key: str, *, optional: bool = False) -> Entries | None: ...
    def section(self, key: str, *, optional: bool = False) -> Entries | None:
        """The nested object ``key`` (None when optional and absent or null)."""
        value = self._value(key, Mapping, optional, False)
        return None if value is None else Entries(value, self.artefact, self.path(key))

    @overload
    def record(self, key: str, *, optional: Literal[False] = False) -> Mapping[str, Any]: ...
    @overload
    def record(self, key: str, *, optional: bool = False) -> Mapping[str, Any] | None: ...
    def record(self, key: str, *, optional: bool = False) -> Mapping[str, Any] | None:
        """A nested object kept as written (read-only): a record for the reader, not for the code."""
        value = self._value(key, Mapping, optional, False)
        return None if value is None else freeze(value)

    @overload
    def sections(self, key: str, *, optional: Literal[False] = False) -> tuple[Entries, ...]: ...
    @overload
    def sections(self, key: str, *, optional: bool = False) -> tuple[Entries, ...] | None: ...
    def sections(self, key: str, *, optional: bool = False) -> tuple[Entries, ...] | None:
        """A list of objects, each named by its index (``calibration.reliability[3]``)."""
        values = self._value(key, list, optional, False)
        if values is None:
            return None
        items = []
        for i, value in enumerate(values):
            if not isinstance(value, Mapping):
                raise ArtefactError(f"the {self.artefact}'s {self.path(key)}[{i}] is {type(value).__name__}, "
                                     "expected an object")
            items.append(Entries(value, self.artefact, f"{self.path(key)}[{i}]"))
        return tuple(items)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of texts (feature names)."""
        values = self._value(key, list, False, False)
        if not all(isinstance(v, str) for v in values):
            raise ArtefactError(f"the {self.artefact}'s {self.path(key)!r} holds a value that is not a text")
        return tuple(values)

    def integers(self, key: str) -> tuple[int, ...]:
        values = self._value(key, list, False, False)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ArtefactError(f"the {self.artefact}'s {self.path(key)!r} holds a value that is not an integer")
        return tuple(values)

    @overload
    def text_map(self, key: str, *, optional: Literal[False] = False) -> Mapping[str, str]: ...
    @overload
    def text_map(self, key: str, *, optional: bool = False) -> Mapping[str, str] | None: ...
    def text_map(self, key: str, *, optional: bool = False) -> Mapping[str, str] | None:
        """An object of texts (engineered feature -> why, library -> version, file -> SHA-256)."""
        value = self._value(key, Mapping, optional, False)
        if value is None:
            return None
        if not all(isinstance(v, str) for v in value.values()):
            raise ArtefactError(f"the {self.artefact}'s {self.path(key)!r} holds a value that is not a text")
        return MappingProxyType(dict(value))


def format_version(data: Mapping[str, Any], *, key: str, readable: frozenset[int], artefact: str,
                   remedy: str, unversioned: int | None = None) -> int:
    """The layout version an artefact records under ``key``; ``unversioned`` when it records none
    (refused when that is None). A version outside ``readable`` raises :class:`FormatVersionError`
    naming both versions and the ``remedy``: guessing at another layout would show figures that mean
    something else."""
    if key not in data and unversioned is not None:
        return unversioned
    entries = Entries(data, artefact)
    try:
        version = entries.integer(key)
    except ArtefactError as exc:
        raise FormatVersionError(f"{exc}: {remedy}") from exc
    if version not in readable:
        known = ", ".join(str(v) for v in sorted(readable))
        raise FormatVersionError(f"the {artefact} is of format version {version}, this dashboard reads version "
                                 f"{known}: {remedy}")
    return version
