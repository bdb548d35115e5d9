"""A count in the wrong unit is refused until the unit is changed or the value confirmed (issue 9, §1).

Boundaries are tested at their value: the doubt bounds (neutrophils 100, platelets 1000 cells/mm³)
and the maxima (100,000 and 3,000,000 cells/mm³) in both units.
"""

from __future__ import annotations

import json

import pytest

from ixdesk.core.consult import Consult, CountLab
from ixdesk.core.count_units import unit_doubt
from ixdesk.core.files import ConsultFileError, consult_to_json, parse_consult


def load(labs: dict) -> Consult:
    return parse_consult(json.dumps({"labs": labs}))


def refusal(labs: dict) -> str:
    with pytest.raises(ConsultFileError) as exc:
        load(labs)
    return str(exc.value)


def test_neutrophils_1_8_per_mm3_is_refused_with_a_did_you_mean() -> None:
    assert refusal({"neutrophils": {"value": 1.8, "unit": "cells/mm3"}}) == (
        "labs.neutrophils: 1.8 cells/mm³ is implausible; did you mean 1.8 × 10⁹/L? Change the unit or confirm the value")


def test_platelets_160_per_mm3_is_refused_with_a_did_you_mean() -> None:
    assert refusal({"platelets": {"value": 160}}) == (
        "labs.platelets: 160 cells/mm³ is implausible; did you mean 160 × 10⁹/L? Change the unit or confirm the value")


def test_a_confirmed_low_count_is_accepted_and_saved_with_its_confirmation() -> None:
    c = load({"neutrophils": {"value": 40, "unit": "cells/mm3", "unit_confirmed": True},
              "platelets": {"value": 800, "unit": "cells/mm3", "unit_confirmed": True}})
    assert c.labs.neutrophils.per_mm3 == 40 and c.labs.neutrophils.unit_confirmed
    again = parse_consult(consult_to_json(c))
    assert again == c and again.labs.platelets.unit_confirmed


def test_the_confirmation_is_written_only_when_true() -> None:
    """Files without a doubted value keep exactly their old form (an older IxDesk still reads them)."""
    c = load({"neutrophils": {"value": 3200}, "platelets": {"value": 245, "unit": "10^9/L"}})
    text = consult_to_json(c)
    assert "unit_confirmed" not in text
    assert CountLab(value=3200).model_dump() == {"value": 3200, "unit": "cells/mm3"}


@pytest.mark.parametrize("lab,value,unit,doubted", [
    ("neutrophils", 0, "cells/mm3", False),  # zero is zero in both units
    ("neutrophils", 0.5, "cells/mm3", True),
    ("neutrophils", 99.9, "cells/mm3", True),
    ("neutrophils", 100, "cells/mm3", False),  # exactly the bound: a count
    ("neutrophils", 100_000, "cells/mm3", False),
    ("neutrophils", 100_001, "cells/mm3", True),
    ("neutrophils", 0.05, "10^9/L", False),  # a low count in 10^9/L is never doubted
    ("neutrophils", 100, "10^9/L", False),
    ("neutrophils", 100.001, "10^9/L", True),
    ("platelets", 999, "cells/mm3", True),
    ("platelets", 1000, "cells/mm3", False),
    ("platelets", 3_000_000, "cells/mm3", False),
    ("platelets", 3000, "10^9/L", False),
    ("platelets", 3000.5, "10^9/L", True),
])
def test_doubt_boundaries(lab: str, value: float, unit: str, doubted: bool) -> None:
    assert (unit_doubt(lab, value, unit) is not None) == doubted
    doc = {lab: {"value": value, "unit": unit}}
    if doubted:
        assert f"labs.{lab}:" in refusal(doc)
    else:
        kept = getattr(load(doc).labs, lab)
        assert (kept.value, kept.unit) == (value, unit)  # accepted as typed


@pytest.mark.parametrize("lab,value,unit,message", [
    ("neutrophils", 1500, "10^9/L", "1500 × 10⁹/L is implausible; did you mean 1500 cells/mm³? Change the unit"),
    ("platelets", 160000, "10^9/L", "160000 × 10⁹/L is implausible; did you mean 160000 cells/mm³? Change the unit"),
    ("neutrophils", 500_000, "cells/mm3", "above 100,000 cells/mm³; check the unit"),
    ("platelets", 5e6, "10^9/L", "above 3,000,000 cells/mm³; check the unit"),
])
def test_above_the_maximum_is_never_confirmable(lab: str, value: float, unit: str, message: str) -> None:
    assert refusal({lab: {"value": value, "unit": unit}}).endswith(message)
    # a confirmation cannot make an impossible value possible
    assert refusal({lab: {"value": value, "unit": unit, "unit_confirmed": True}}).endswith(message)


def test_the_confirmation_flag_is_strict() -> None:
    assert "unit_confirmed" in refusal({"neutrophils": {"value": 40, "unit_confirmed": "yes"}})
