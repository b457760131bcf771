"""Permissions are named once, in ``delegation.access.Perm`` (STYLE 3; SPEC DELEG-0, X-4).

A permission written as a string elsewhere (a Python literal, a template) would hide a tile
or a control silently when mistyped; a ``Perm.X`` that does not exist fails here too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from delegation.access import Perm

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "delegation" / "access.py"
SKIP = {"node_modules", "static", ".git", ".local", "migrations"}
# A string that looks like a permission name: one of the verbs ``Perm`` uses.
LOOKS_LIKE = re.compile(r"""["']((?:view|change|edit|manage)_[a-z_]+)["']""")
# Places where a permission goes: ``requires(``, ``.can(``, ``perm=``, ``in ….permissions``.
PERMISSION_SLOT = re.compile(
    r"""(?:requires\(|\.can\(|perm=|\.allows\()\s*["']|["'][a-z_]+["']\s+in\s+[\w.]*permissions"""
)
MEMBER = re.compile(r"\bPerm\.([A-Z][A-Z_]*)\b")


def _sources():
    """The project's own files, without walking into the folders skipped (the virtual
    environments alone hold tens of thousands of files)."""
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in SKIP and not d.startswith(".venv")]
        for name in files:
            path = Path(folder) / name
            if path.suffix in {".py", ".html", ".txt"} and path not in {HOME, Path(__file__)}:
                yield path, path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.spec("DELEG-0", "X-4")
def test_no_permission_string_outside_access():
    """No string names a permission (known or mistyped) outside ``delegation/access.py``."""
    names = {p.value for p in Perm}
    found = []
    for path, text in _sources():
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            strings = set(LOOKS_LIKE.findall(line))
            if strings & names or PERMISSION_SLOT.search(line):
                found.append(f"{where}: {line.strip()}")
    assert not found, "use Perm.X, not a string:\n" + "\n".join(found)


@pytest.mark.spec("DELEG-0", "X-4")
def test_every_perm_reference_names_a_permission():
    """``Perm.X`` everywhere names an existing permission (a typo in a module that is
    imported lazily, or in a docstring example, fails here rather than in production)."""
    members = set(Perm.__members__)
    unknown = []
    for path, text in _sources():
        for number, line in enumerate(text.splitlines(), 1):
            for name in MEMBER.findall(line):
                if name not in members and name != "X":
                    unknown.append(f"{path.relative_to(ROOT)}:{number}: Perm.{name}")
    assert not unknown, "unknown permission names:\n" + "\n".join(unknown)


@pytest.mark.spec("DELEG-0", "X-4")
def test_the_scan_finds_a_string_permission(tmp_path):
    """The rule above can fail: a string where a permission goes is caught."""
    assert PERMISSION_SLOT.search('@requires("view_transactions")')
    assert PERMISSION_SLOT.search('request.acting.can("edit_requests")')
    assert PERMISSION_SLOT.search('{% if "manage_pad" in acting.grant.permissions %}')
    assert set(LOOKS_LIKE.findall('perm="view_transactions"')) & {p.value for p in Perm}
    assert not PERMISSION_SLOT.search("@requires(Perm.VIEW_TRANSACTIONS)")
