"""One workflow convention (STYLE 2, ADR 0016): a model's state changes are methods
declared with ``@transition(sources=..., target=...)``.

- The decorator checks the current state (``field``, ``status`` by default) is one of
  ``sources`` and raises ``TransitionNotAllowed`` otherwise: the one exception type of
  every workflow. The method's own checks run next; when it returns, the state becomes
  ``target`` (``None``: unchanged, e.g. a change of role).
- The method only changes the instance: services lock the row, call it, save, write the
  audit entry (``carm_portal.audit``) and send the notices.
- ``available_transitions(obj)`` lists the transitions open from the object's state (the
  admin's buttons come from it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass


class TransitionNotAllowed(Exception):
    """A transition asked from a state that does not allow it, or refused by its checks."""

    def __init__(self, obj=None, transition: str = "", message: str = ""):
        self.status = getattr(obj, "status", None)
        self.transition = transition
        super().__init__(message or f"{transition} is not allowed from {self.status}")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None
    field: str = "status"
    label: str = ""


def transition(
    *,
    sources: Iterable[str],
    target: str | None,
    field: str = "status",
    label: str = "",
    refused: str = "",
) -> Callable:
    """Declare a method a transition from ``sources`` to ``target``; ``refused`` is the
    (translated) message of the exception raised from any other state."""
    sources = tuple(str(s) for s in sources)

    def decorator(method):
        spec = Transition(method.__name__, sources, target, field, label)

        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if getattr(self, field) not in sources:
                raise TransitionNotAllowed(self, spec.name, str(refused))
            result = method(self, *args, **kwargs)
            if target is not None:
                setattr(self, field, target)
            return result

        wrapped.transition = spec
        return wrapped

    return decorator


def transitions_of(model) -> list[Transition]:
    """Every transition a model (class or instance) declares, in definition order."""
    cls = model if isinstance(model, type) else type(model)
    found, seen = [], set()
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            spec = getattr(value, "transition", None)
            if isinstance(spec, Transition) and name not in seen:
                seen.add(name)
                found.append(spec)
    return found


def available_transitions(obj) -> list[Transition]:
    """The transitions open from ``obj``'s current state."""
    return [t for t in transitions_of(obj) if getattr(obj, t.field) in t.sources]
