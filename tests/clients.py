"""Test clients signed in as a person (STYLE 15): the root conftest's ``client_for``
fixture, and code that is not a test (the matrix world, benchmarks) use this."""

from __future__ import annotations

from django.test import Client


def signed_in_client(user) -> Client:
    """A client signed in as ``user``, who has finished onboarding (second factor, terms
    of this session, profile, security questions): what every portal page expects."""
    import time

    from accounts.onboarding import DONE_KEY, TERMS_KEY
    from accounts.reauth import PROVEN_AT

    client = Client()
    client.force_login(user)
    session = client.session
    session[TERMS_KEY] = True
    session[DONE_KEY] = True
    session[PROVEN_AT] = time.time()  # signed in with both factors just now (SEC-4)
    session.save()
    client.user = user
    return client
