"""The IxDesk window (PySide6 only; ``ixdesk.core`` never imports this package).

PySide6 is pinned below 6.12 in pyproject.toml: PySide6-Essentials 6.12.0 on Python 3.11 drops a
reference to ``None`` on every Qt call that returns ``None`` and the interpreter aborts with
"deallocating None" after some thousands of calls (reproduced with a bare QLineEdit.setText loop;
6.11.3 is clean).
"""
