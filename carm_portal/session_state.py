"""The state of a multi-step flow kept in the session, under one key (STYLE 9): GCKey
registration, password recovery, business registration, document upload, calculator.

``get`` returns the stored dict itself (a change to it is kept once ``changed`` is
called) or a new empty one; ``update`` merges values; ``clear`` ends the flow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionState:
    key: str

    def get(self, request) -> dict:
        state = request.session.get(self.key)
        return state if state is not None else {}

    def set(self, request, state: dict) -> None:
        request.session[self.key] = state

    def update(self, request, **values) -> dict:
        state = request.session.setdefault(self.key, {})
        state.update(values)
        self.changed(request)
        return state

    def changed(self, request) -> None:
        """Keep the changes made to the dict ``get`` returned."""
        request.session.modified = True

    def clear(self, request) -> None:
        request.session.pop(self.key, None)
