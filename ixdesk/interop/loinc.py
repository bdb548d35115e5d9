"""The LOINC codes IxDesk reads, grouped into families: real exports use several codes for one
marker (an interpretation, a presence by immune stain, a count by automated or manual method), so
each consult field is fed by a family, never by one code.

Every code here was checked against public FHIR implementation guides and code tables (mCODE
tumour-marker examples, US Core, LOINC value sets). 753-3, named in the issue, was not found as a
neutrophil code; the manual-count code is 753-4.
"""

from __future__ import annotations

from typing import Final

LOINC_SYSTEM: Final = "http://loinc.org"

# field -> codes; the field is a consult path below ``labs.`` or ``patient.``
LAB_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    # Neutrophils [#/volume] in Blood: automated (751-8), manual (753-4), any method (26499-4);
    # segmented neutrophils (768-2 manual, 30451-9) as exports label the same count
    "neutrophils": ("751-8", "26499-4", "753-4", "768-2", "30451-9"),
    # Platelets [#/volume] in Blood: automated count (777-3), any method (26515-7)
    "platelets": ("777-3", "26515-7"),
    "hemoglobin": ("718-7",),  # Hemoglobin [Mass/volume] in Blood
    "ast": ("1920-8",),  # Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma
    "alt": ("1742-6",),  # Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma
    "bilirubin": ("1975-2",),  # Bilirubin.total [Mass/volume] in Serum or Plasma
    "creatinine": ("2160-0",),  # Creatinine [Mass/volume] in Serum or Plasma
}

VITAL_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "height_cm": ("8302-2",),  # Body height
    "weight_kg": ("29463-7", "3141-9"),  # Body weight; body weight measured
}

# Receptors: interpretation in tissue, presence by immune stain (tissue, or breast cancer specimen)
ER_CODES: Final = ("16112-5", "85337-4", "40556-3")
PR_CODES: Final = ("16113-3", "85339-0", "40557-1")
# HER2 by immunohistochemistry: a score (0, 1+, 2+, 3+) or a qualitative result
HER2_IHC_CODES: Final = ("18474-7", "85319-2", "72383-3")
# HER2 interpretation in tissue: positive / negative / equivocal, method not stated
HER2_INTERPRETATION_CODES: Final = ("48676-1",)
# HER2 (ERBB2) by in situ hybridisation: amplified or not
HER2_ISH_CODES: Final = ("85318-4",)
# PD-L1 by clone 22C3 [Presence] in Tissue by Immune stain; the CPS is read only where a score is
# given as such (a component or a unit naming the combined positive score)
PDL1_CODES: Final = ("83052-1",)

# LOINC answer codes for qualitative results
ANSWER_POSITIVE: Final = frozenset({"LA6576-8"})
ANSWER_NEGATIVE: Final = frozenset({"LA6577-6"})
ANSWER_EQUIVOCAL: Final = frozenset({"LA11885-3"})


def lab_field(code: str) -> str | None:
    """The labs field a LOINC code feeds, or None."""
    return next((f for f, codes in LAB_FAMILIES.items() if code in codes), None)


def vital_field(code: str) -> str | None:
    return next((f for f, codes in VITAL_FAMILIES.items() if code in codes), None)
