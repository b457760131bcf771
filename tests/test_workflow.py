"""One workflow convention (STYLE 2, ADR 0016): transitions declare their source and
target states, one exception type, the open transitions listed from the state."""

from __future__ import annotations

import pytest

from carm_portal.workflow import TransitionNotAllowed, available_transitions, transitions_of
from delegation.models import Employment, Relationship, TransitionError
from finance.models import SecurityChangeRequest
from rulings import models as rulings


@pytest.mark.spec("DELEG-1", "DELEG-2", "FIN-5", "RUL-2")
def test_one_exception_type():
    assert TransitionError is TransitionNotAllowed
    assert rulings.TransitionNotAllowed is TransitionNotAllowed


@pytest.mark.spec("DELEG-1", "DELEG-2")
def test_transitions_declare_sources_and_targets():
    declared = {t.name: (t.sources, t.target) for t in transitions_of(Relationship)}
    assert declared == {
        "approve": (("pending",), "active"),
        "reject": (("pending",), "rejected"),
        "end": (("pending", "active"), "ended"),
        "expire": (("pending",), "expired"),
    }
    pending = Employment(status=Employment.Status.PENDING)
    assert [t.name for t in available_transitions(pending)] == ["approve", "reject"]
    active = Employment(status=Employment.Status.ACTIVE)
    assert [t.name for t in available_transitions(active)] == ["change_role", "remove"]


@pytest.mark.spec("DELEG-1", "FIN-5")
def test_a_transition_from_another_state_is_refused_and_changes_nothing():
    employment = Employment(status=Employment.Status.REMOVED, role=Employment.Role.READER)
    with pytest.raises(TransitionNotAllowed):
        employment.approve(role=Employment.Role.EDITOR, by=None)
    assert (employment.status, employment.role) == ("removed", "reader")
    change = SecurityChangeRequest(status=SecurityChangeRequest.Status.ACCEPTED)
    with pytest.raises(TransitionNotAllowed, match="already answered"):
        change.reject(by=None)
    assert change.status == "accepted"


@pytest.mark.spec("RUL-2")
def test_rulings_declare_their_transitions_and_the_admin_buttons_follow():
    ruling = rulings.Ruling(status=rulings.Ruling.Status.ASSIGNED)
    assert [t.name for t in available_transitions(ruling)] == [
        "request_information",
        "render_decision",
        "withdraw",
    ]
    submitted = rulings.Ruling(status=rulings.Ruling.Status.SUBMITTED)
    assert [t.name for t in available_transitions(submitted)] == ["assign", "withdraw"]
    with pytest.raises(TransitionNotAllowed):
        rulings.Ruling(status=rulings.Ruling.Status.DRAFT).assign(actor=None, officer=None)
