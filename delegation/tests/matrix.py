# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of Configure my portal (STYLE 4; DELEG-1 … DELEG-6).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.
"""

from delegation.tests.matrix_world import Route, expect  # noqa: F401

# fmt: off
EMPLOYEE_ROUTES = [
]

RELATIONSHIP_ROUTES = [
]
# fmt: on

ROUTES = EMPLOYEE_ROUTES + RELATIONSHIP_ROUTES
