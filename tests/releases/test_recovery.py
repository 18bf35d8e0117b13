"""Rollbacks that are run again, or whose record failed, converge without gaps in release numbers."""

from __future__ import annotations

from typing import Any

import pytest

from brickyard.releases.moves import MoveOptions, rollback
from tests.deploy.conftest import Project
from tests.releases.test_releases import _store, _version

pytestmark = pytest.mark.server


def test_a_plain_rollback_run_again_after_it_finished_changes_nothing(project: Project, client: Any) -> None:
    for n in (1, 2, 3):
        _version(project, n)
        project.deploy()
    first = rollback(project.context(), MoveOptions(auto_approve=True))
    assert (first.release.number, first.release.content_of) == (4, 2)
    again = rollback(project.context(), MoveOptions(auto_approve=True))
    assert not again.plan.has_changes and again.release is None and again.report.writes == 0
    assert [(r.number, r.content_of) for r in _store(project, client).index().releases][3:] == [(4, 2)]
    further = rollback(project.context(), MoveOptions(auto_approve=True), to=1)
    assert (further.release.number, further.release.content_of) == (5, 1)
