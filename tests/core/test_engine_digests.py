"""The engine's output, byte for byte, on the examples and 300 seeded mutations of them.

The digests were recorded before the condition language moved into ixdesk/core/conditions.py
(issue 10): a refactor of the interpreter must not change one byte of any Assessment. Fields added
since (the structured Condition fields) are excluded from the dump; see engine_snapshot.py.
"""

from __future__ import annotations

import hashlib
import json

from tests.core.engine_snapshot import DIGESTS, MUTATED, cases, dump


def test_every_output_is_byte_identical_to_the_recorded_one() -> None:
    want = json.loads(DIGESTS.read_text(encoding="utf-8"))
    got = {name: hashlib.sha256(dump(c).encode()).hexdigest() for name, c in cases()}
    assert len(got) == len(want) >= 7 + MUTATED
    differ = sorted(k for k in want if got.get(k) != want[k])
    assert not differ, f"{len(differ)} outputs changed, e.g. {differ[:5]}"
