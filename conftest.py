"""Root fixtures: clients signed in as each kind of person (STYLE 15).

anonymous, unlinked person, employee (Reader), Business Account Manager of an importer,
customs broker's manager, CBSA staff. Later issues add relationship-based roles.
"""

import pytest
from django.test import Client
from django.utils import translation

from accounts.tests.factories import UserFactory
from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from tests.clients import signed_in_client


def _client_for(user) -> Client:
    """Kept for code outside the tests' fixtures (the matrix world, benchmarks)."""
    return signed_in_client(user)


@pytest.fixture
def client_for():
    """``client_for(user)``: a test client signed in as ``user``, who has finished
    onboarding (second factor, terms, profile, security questions)."""
    return signed_in_client


@pytest.fixture
def real_worker(settings):
    """``real_worker(prefix, settings_module=..., env={...})``: a real Celery worker on
    the real Redis, on a queue of its own (``worker.queue``), stopped after the test."""
    from tests.worker import start_worker, stop_worker

    started = []

    def start(prefix: str, **kwargs):
        process = start_worker(prefix, redis_url=settings.REDIS_URL, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)


@pytest.fixture(scope="session")
def _processor_process():
    """The TEST payment processor's process (FIN-6), started once, on first use."""
    from django.conf import settings

    from tests.processor.harness import start_processor

    processor = start_processor(
        request_secret=settings.PAYMENT_PROCESSOR_REQUEST_SECRET,
        webhook_secret=settings.PAYMENT_PROCESSOR_WEBHOOK_SECRET,
        merchant=settings.PAYMENT_PROCESSOR_MERCHANT,
    )
    yield processor
    processor.stop()


@pytest.fixture
def payment_processor(_processor_process, settings):
    """The test payment processor, and the portal's settings pointing at it."""
    settings.PAYMENT_PROCESSOR_URL = _processor_process.url
    return _processor_process


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def importer_account(db):
    return ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")


@pytest.fixture
def broker_account(db):
    return BrokerAccountFactory(business__legal_name="Maple Leaf Customs Brokers Ltd.")


@pytest.fixture
def unlinked_client(db):
    return _client_for(UserFactory())


@pytest.fixture
def employee_client(importer_account):
    employment = EmploymentFactory(business=importer_account.business, role=Employment.Role.READER)
    return _client_for(employment.user)


@pytest.fixture
def bam_client(importer_account):
    employment = EmploymentFactory(
        business=importer_account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    )
    return _client_for(employment.user)


@pytest.fixture
def broker_client(broker_account):
    employment = EmploymentFactory(
        business=broker_account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    )
    return _client_for(employment.user)


@pytest.fixture
def staff_client(db):
    """CBSA staff with their second factor enrolled (the admin requires it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(staff=True)
    TOTP.activate(user, generate_totp_secret())
    return _client_for(user)


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A request through the test client leaves its language active in the thread
    (LocaleMiddleware never deactivates): each test starts from the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters kept in Redis (sign-in rate, used codes) do not leak between tests."""
    from django.core.cache import cache

    cache.clear()


# Node id prefixes whose tests run together on one pytest-xdist worker: the browser tests
# share that worker's one Chromium. Add a prefix here for tests that cannot run beside
# each other (global state); every other test goes to whichever worker is free. xdist
# hands out the biggest scope first, so the browser group starts at once on one worker;
# its tests mostly wait (on Chromium, on the live server), hence one worker more than
# there are cores (scripts/test.sh): the others keep the processors busy meanwhile.
GROUPED = {"tests/browser/": "browser"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scheduling by scope, with our scopes: a group per GROUPED prefix and
    each other test its own. (``xdist_group`` marks and ``--dist loadgroup`` rely on
    rewriting node ids, which this pytest no longer honours: they were spread anyway.)"""
    from xdist.scheduler import LoadScopeScheduling

    class GroupedScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in GROUPED.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return GroupedScheduling(config, log)
