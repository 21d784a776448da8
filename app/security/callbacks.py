"""Dash callback requests checked against the callbacks the app registered, before anything runs.

Dash's dispatcher looks a callback up by the request's ``output`` string, then hands the
``inputs`` and ``state`` entries to the function *by position*, trusting the browser to send
exactly the dependencies the callback declared. An access check that reads the request any
other way (by name, first match, last match) can be told one thing while Dash runs another: a
forged page-container request once carried ``/model`` in a misnamed entry and ``/`` where Dash
read the path, and an officer got the manager's page.

So a request is first matched against the registered callback *exactly* — the same output
key, the same outputs, inputs and state (ids, properties, order, count), input values of the
JSON types a browser can send, ``changedPropIds`` naming only its inputs — and refused
otherwise. Access is then decided from the registered dependencies and from the values at the
positions Dash will use (``MatchedCallback.value``). Pure functions: no Flask, no Dash import.

Pattern-matching callbacks (``ALL``/``MATCH`` wildcards) are not used by this app and are
refused; adding one fails loudly in the access-matrix test rather than opening a gap.
"""
from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any


class CallbackRequestError(ValueError):
    """The request does not match any registered callback exactly: refuse it, never guess."""


@dataclasses.dataclass(frozen=True)
class Dependency:
    """One component property a callback reads or writes."""

    id: str
    property: str

    @builtins.property  # the field above is named `property`
    def prop_id(self) -> str:
        return f"{self.id}.{self.property}"


@dataclasses.dataclass(frozen=True)
class CallbackSpec:
    """What a registered callback declares; ``multi`` is True when Dash expects a list of outputs."""

    key: str
    outputs: tuple[Dependency, ...]
    inputs: tuple[Dependency, ...]
    state: tuple[Dependency, ...]
    multi: bool

    @property
    def component_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in (*self.outputs, *self.inputs, *self.state))


@dataclasses.dataclass(frozen=True)
class MatchedCallback:
    """A request that matched ``spec`` exactly; ``values[i]`` is what Dash passes as argument i."""

    spec: CallbackSpec
    values: tuple[Any, ...]

    def value(self, component_id: str, prop: str) -> Any:
        """The value Dash hands to the callback for this input or state (by its declared position)."""
        for position, dependency in enumerate((*self.spec.inputs, *self.spec.state)):
            if dependency.id == component_id and dependency.property == prop:
                return self.values[position]
        raise KeyError(f"{component_id}.{prop} is not a dependency of {self.spec.key}")


def _output_dependencies(key: str) -> tuple[tuple[Dependency, ...], bool]:
    """Outputs encoded in Dash's callback key: ``id.prop`` or ``..id1.prop1...id2.prop2..``."""
    multi = key.startswith("..") and key.endswith("..")
    parts = key[2:-2].split("...") if multi else [key]
    outputs = []
    for part in parts:
        component_id, _, prop = part.rpartition(".")
        if not component_id or not prop:
            raise CallbackRequestError(f"registered callback key {key!r} is not understood")
        outputs.append(Dependency(component_id, prop))
    return tuple(outputs), multi


def _registered(entries: Iterable[object] | None, key: str) -> tuple[Dependency, ...]:
    deps = []
    for entry in entries or []:
        component_id = entry.get("id") if isinstance(entry, Mapping) else None
        prop = entry.get("property") if isinstance(entry, Mapping) else None
        if not isinstance(component_id, str):
            raise CallbackRequestError(f"callback {key!r} uses a pattern-matching id, which this app does not allow")
        if not isinstance(prop, str) or not prop:
            raise CallbackRequestError(f"callback {key!r} names a component without a property")
        deps.append(Dependency(component_id, prop))
    return tuple(deps)


def callback_specs(callback_map: Mapping[str, Mapping]) -> dict[str, CallbackSpec]:
    """The registered callbacks (Dash's ``app.callback_map``) as specs keyed like requests' ``output``."""
    specs = {}
    for key, entry in callback_map.items():
        if "callback" not in entry:
            continue  # a clientside callback: it runs in the browser, the server has nothing to run
        outputs, multi = _output_dependencies(key)
        if entry.get("no_output"):
            outputs, multi = (), True
        specs[key] = CallbackSpec(key, outputs, _registered(entry.get("inputs"), key),
                                  _registered(entry.get("state"), key), multi)
    return specs


#: JSON types a component property can hold; anything else never comes from a browser.
_JSON_SCALARS = (str, int, float, bool, type(None))


def _check_entries(sent: object, expected: tuple[Dependency, ...], group: str, *, with_values: bool) -> list:
    """The values of ``sent`` when its entries are exactly ``expected`` (same order), else refuse."""
    if sent is None and not expected:
        sent = []
    if not isinstance(sent, list):
        raise CallbackRequestError(f"callback request: {group} is not a list")
    if len(sent) != len(expected):
        raise CallbackRequestError(f"callback request: {len(sent)} {group} sent, {len(expected)} declared")
    values = []
    for position, (entry, dependency) in enumerate(zip(sent, expected, strict=True)):
        if not isinstance(entry, dict):
            raise CallbackRequestError(f"callback request: {group}[{position}] is not an object")
        if entry.get("id") != dependency.id or entry.get("property") != dependency.property:
            raise CallbackRequestError(f"callback request: {group}[{position}] is not {dependency.prop_id}")
        value = entry.get("value")
        if with_values and not isinstance(value, (*_JSON_SCALARS, list, dict)):
            raise CallbackRequestError(f"callback request: {group}[{position}] has a value of no JSON type")
        values.append(value)
    return values


def match_callback(payload: object, specs: Mapping[str, CallbackSpec]) -> MatchedCallback:
    """The registered callback this request runs, when it declares exactly that callback's dependencies."""
    if not isinstance(payload, dict):
        raise CallbackRequestError("callback request body is not a JSON object")
    key = payload.get("output")
    spec = specs.get(key) if isinstance(key, str) else None
    if spec is None:
        raise CallbackRequestError("callback request names no registered callback")
    outputs = payload.get("outputs")
    if spec.multi:
        _check_entries(outputs, spec.outputs, "outputs", with_values=False)
    else:
        _check_entries([outputs], spec.outputs, "outputs", with_values=False)
    values = _check_entries(payload.get("inputs"), spec.inputs, "inputs", with_values=True)
    values += _check_entries(payload.get("state"), spec.state, "state", with_values=True)
    changed = payload.get("changedPropIds", [])
    allowed = {d.prop_id for d in spec.inputs}
    if not isinstance(changed, list) or any(not isinstance(c, str) or c not in allowed for c in changed):
        raise CallbackRequestError("callback request: changedPropIds names something that is not an input")
    return MatchedCallback(spec, tuple(values))
