"""Callback requests built from what a callback registered: the exact one a browser sends, and forgeries.

``exact_payload(spec)`` is the body Dash's renderer posts; ``forgeries(spec, specs)`` yields
(name, body) pairs that each differ from it in one way an attacker could try (entries reordered,
duplicated, renamed, missing or added, outputs of another shape, a bogus trigger). Every forgery
must be refused before the callback runs.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping

from app.security.callbacks import CallbackSpec, Dependency


def _entry(dep: Dependency, value=None, with_value: bool = True) -> dict:
    entry = {"id": dep.id, "property": dep.property}
    if with_value:
        entry["value"] = value
    return entry


def exact_payload(spec: CallbackSpec, values: Mapping[str, object] | None = None) -> dict:
    """The request body for ``spec``; ``values`` maps "id.property" to the value sent (None otherwise)."""
    values = values or {}
    outputs = [_entry(d, with_value=False) for d in spec.outputs]
    return {
        "output": spec.key,
        "outputs": outputs if spec.multi else outputs[0],
        "inputs": [_entry(d, values.get(d.prop_id)) for d in spec.inputs],
        "state": [_entry(d, values.get(d.prop_id)) for d in spec.state],
        "changedPropIds": [spec.inputs[0].prop_id] if spec.inputs else [],
    }


def _with(payload: dict, **changes) -> dict:
    forged = copy.deepcopy(payload)
    forged.update(changes)
    return forged


def forgeries(spec: CallbackSpec, specs: Mapping[str, CallbackSpec]) -> Iterator[tuple[str, dict]]:
    """Every one-step forgery of ``exact_payload(spec)`` (each must be refused)."""
    base = exact_payload(spec)
    for group in ("inputs", "state"):
        entries = base[group]
        if len(entries) >= 2:
            yield f"{group} reordered", _with(base, **{group: [entries[-1], *entries[1:-1], entries[0]]})
        if entries:
            yield f"{group} duplicated", _with(base, **{group: [*entries, entries[0]]})
            yield f"{group} first missing", _with(base, **{group: entries[1:]})
            renamed = copy.deepcopy(entries)
            renamed[0]["id"] = "client-x"
            yield f"{group} id renamed", _with(base, **{group: renamed})
            reprop = copy.deepcopy(entries)
            reprop[0]["property"] = "pathname" if reprop[0]["property"] != "pathname" else "search"
            yield f"{group} property renamed", _with(base, **{group: reprop})
            odd = copy.deepcopy(entries)
            odd[0] = [odd[0]]
            yield f"{group} wildcard list", _with(base, **{group: odd})
    yield "extra input", _with(base, inputs=[*base["inputs"], {"id": "_pages_location", "property": "pathname",
                                                                 "value": "/model"}])
    yield "extra state", _with(base, state=[*base["state"], {"id": "portfolio-table", "property": "data"}])
    outputs = base["outputs"]
    if spec.multi:
        if len(outputs) >= 2:
            yield "outputs reordered", _with(base, outputs=list(reversed(outputs)))
        yield "outputs missing", _with(base, outputs=outputs[1:])
        yield "outputs as one object", _with(base, outputs=outputs[0])
    else:
        yield "output as a list", _with(base, outputs=[outputs])
        yield "output renamed", _with(base, outputs={**outputs, "id": "client-x"})
    yield "unknown output key", _with(base, output=spec.key + "x")
    other = next((k for k in specs if k != spec.key), None)
    if other is not None:
        yield "another callback's key", _with(base, output=other)
    yield "bogus trigger", _with(base, changedPropIds=["client-x.value"])
    yield "inputs not a list", _with(base, inputs={"id": "x"})
