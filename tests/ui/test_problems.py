"""The form's own problems and the file reader's are one class, so one list holds, compares and shows both."""

from __future__ import annotations


def test_form_and_file_problems_are_one_class() -> None:
    from ixdesk.core.files import Problem
    from ixdesk.ui.inputs import FieldProblem

    assert FieldProblem is Problem
    assert FieldProblem("labs.ast", "not a number") == Problem("labs.ast", "not a number")
