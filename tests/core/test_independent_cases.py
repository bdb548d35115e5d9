"""Independent clinical cases, written from the sources before running IxDesk.

Each case is a consult built inline and the results derived by hand from the reference sheet
(shared/reference/ixabepilone-facts.md), the PI wording it quotes and the payer seeds 003/004.
Thirteen agreed at once. Two did not, and IxDesk was changed after review: C01 (indication II.B
now counts lines as seed 003 defines them, early-disease treatment being the first line) and C15
(an empty regimen list is "not recorded" until "no prior systemic therapy" is stated).

Sources, as quoted in the ``why`` of each case:
- WIN  facts §2 / seed 004: anthracycline resistance = progression on therapy, or within 6 months
       (adjuvant) / 3 months (metastatic) of the last dose; taxane 12 / 4 months; calendar months,
       window inclusive at its end; neoadjuvant counts as adjuvant.
- CAPE facts §2: capecitabine within 8 weeks of the last dose [verify: study 081, unverified].
- PI1  facts §1 / PI 1: combination = resistant to anthracycline AND taxane, or taxane-resistant with
       further anthracycline contraindicated; monotherapy = resistant to anthracyclines, taxanes AND
       capecitabine.
- CI   facts §5 / seed 003 "may not be approved" I-II: neutrophils < 1500/mm3, platelets < 100,000/mm3;
       with capecitabine AST or ALT > 2.5 x ULN or bilirubin > 1 x ULN; severe (grade 3/4) Cremophor
       EL hypersensitivity (paclitaxel).
- HEP  facts §4: monotherapy table top-down 40 / 32 / 20 mg/m2 / not recommended; caution AST/ALT > 5 x ULN.
- BSA  facts §3: 40 mg/m2; BSA above 2.2 m2 dosed as 2.2 m2 (max 88 mg); kits 15 and 45 mg;
       J9207 = 1 mg per unit.
- CYP  facts §8: strong CYP3A4 inhibitor (e.g. clarithromycin) -> 20 mg/m2.
- P003 seed 003 criteria I, II.A-F; P004 seed 004 criteria 1.A-B.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from ixdesk.core.engine import assess
from ixdesk.core.files import parse_consult

from .helpers import assert_regimen_rows_and_findings

AS_OF = date(2026, 11, 18)


# --- builders -------------------------------------------------------------------------------

def base(plan: str | None) -> dict[str, Any]:
    """An unremarkable, complete metastatic consult (HR+, HER2 0, normal labs, BSA 1.726 m2)."""
    return {
        "schema_version": 1,
        "consult_date": "2026-11-18",
        "patient": {"sex": "female", "height_cm": 165, "weight_kg": 65, "pregnant": False, "breastfeeding": False},
        "disease": {"extent": "metastatic", "er": "positive", "pr": "negative", "her2_ihc": "0",
                    "germline_brca": "no_mutation", "visceral_crisis": False, "endocrine_refractory": True},
        "regimens": [],
        "attestations": {"anthracycline_contraindicated": False, "tdxd_candidate": False, "prescriber_is_oncologist": True},
        "labs": {"date": "2026-11-16",
                 "neutrophils": {"value": 3000, "unit": "cells/mm3"},
                 "platelets": {"value": 220000, "unit": "cells/mm3"},
                 "ast": {"value": 30, "uln": 40, "unit": "U/L"},
                 "alt": {"value": 25, "uln": 40, "unit": "U/L"},
                 "bilirubin": {"value": 0.8, "uln": 1.2, "unit": "mg/dL"}},
        # neuropathy grade 0: any recorded neuropathy (grade >= 1) is a warning (facts sheet section 9)
        "history": {"ecog": 1, "neuropathy_grade": 0, "cremophor_hypersensitivity": False,
                    "prior_ixabepilone_reaction": False, "cardiac_history": False, "diabetes": False,
                    "medications": ["omeprazole 20 mg daily"], "grapefruit": False},
        "plan": {"regimen": plan, "bsa_formula": "mosteller"},
    }


def reg(agents: str | list[str], setting: str | None, start: str | None, last: str | None,
        prog: str | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"agents": [agents] if isinstance(agents, str) else agents, "setting": setting,
                         "start_date": start, "last_dose_date": last}
    if prog is not None:
        d["progressed"] = True
        d["progression_date"] = prog
    d.update(kw)
    return d


def uln(value: float, limit: float, unit: str = "U/L") -> dict[str, Any]:
    return {"value": value, "uln": limit, "unit": unit}


def with_(d: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(d)
    for key, over in sections.items():
        out[key].update(over)
    return out


COMBO_REGS = [  # anthracycline and taxane resistant (used where only labs or dose vary)
    reg("AC", "adjuvant", "2023-11-01", "2024-01-15", "2024-06-01"),       # 4.5 months < 6
    reg("docetaxel", "metastatic", "2024-06-15", "2024-10-15", "2024-10-01"),  # before the last dose
]


# --- the cases ------------------------------------------------------------------------------

CASES: list[dict[str, Any]] = []


def case(case_id: str, consult: dict[str, Any], why: str, **expect: Any) -> None:
    CASES.append({"id": case_id, "consult": consult, "why": why, **expect})


# C02: one day past each window end; neoadjuvant = adjuvant; 31 Aug + 6 months = 28 Feb (2025)
case(
    "c02_one_day_after",
    {**base("with_capecitabine"), "regimens": [
        reg("EC", "neoadjuvant", "2024-06-01", "2024-08-31", "2025-03-01"),
        reg("Abraxane", "metastatic", "2025-03-20", "2025-06-30", "2025-10-31"),
    ]},
    "WIN: 31 Aug 2024 + 6 months = 28 Feb 2025, 1 Mar is one day after; 30 Jun + 4 months = 30 Oct, 31 Oct "
    "is one day after. PI1: neither class resistant -> combination not met.",
    resistance={"anthracycline": "not_resistant", "taxane": "not_resistant", "capecitabine": "not_exposed"},
    regimens=[("anthracycline", 0, "not_resistant", "early", "2025-02-28"),
              ("taxane", 1, "not_resistant", "metastatic", "2025-10-30")],
    findings={"label.combination": "not_met", "label.monotherapy": "not_met", "pathway.C": "not_met"},
    blocking=[], warnings=[], lines={"metastatic_all": (1, 1)},
)

# C03: metastatic anthracycline exact end, on-therapy taxane, ongoing capecitabine -> monotherapy label
case(
    "c03_on_therapy_ongoing_monotherapy",
    with_({**base("monotherapy"), "regimens": [
        reg("AC", "adjuvant", "2019-01-10", "2019-03-14", "2023-05-02"),
        reg(["letrozole", "palbociclib"], "metastatic", "2023-05-20", "2024-11-10", "2024-11-01"),
        reg("Doxil", "metastatic", "2024-11-20", "2025-04-30", "2025-07-30"),
        reg("docetaxel", "metastatic", "2025-08-10", "2025-12-01", "2025-11-20"),
        {"agents": ["capecitabine"], "setting": "metastatic", "start_date": "2025-12-15", "ongoing": True,
         "progressed": True, "progression_date": "2026-10-20"},
    ]}, disease={"visceral_crisis": True}),
    "WIN: 30 Apr + 3 months = 30 Jul inclusive; progression before the last dose and during an ongoing "
    "regimen are on therapy. PI1: all three resistant -> monotherapy met. P003 II.A (>= 2 lines), II.E "
    "(HR+, HER2-negative, visceral crisis, third line and beyond); II.F needs HR-negative.",
    resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "resistant"},
    regimens=[("anthracycline", 0, "not_resistant", "early", "2019-09-14"),
              ("anthracycline", 2, "resistant", "metastatic", "2025-07-30"),
              ("taxane", 3, "resistant", "on_therapy", None),
              ("capecitabine", 4, "resistant", "on_therapy", None)],
    findings={"label.monotherapy": "met", "label.combination": "met", "pathway.A": "met", "pathway.E": "met",
              "pathway.F": "not_met", "pathway.B": "not_met", "payer003.overall": "met", "payer004.overall": "met"},
    applies={"label.monotherapy": True, "label.combination": False},
    blocking=[], warnings=[], lines={"metastatic_all": (4, 4), "metastatic_nonendocrine": (3, 3)},
    dose={"state": "computed", "mg_per_m2": 40, "dose_mg": 69.0, "vials": [(45, 1), (15, 2)], "hcpcs_units": 69},
)

# C04: missing setting and missing progression date -> unknown, named; progression on the last-dose day
case(
    "c04_missing_setting_and_progression_date",
    {**base("monotherapy"), "regimens": [
        {"agents": ["AC"], "start_date": "2021-02-01", "last_dose_date": "2021-05-01",
         "progressed": True, "progression_date": "2021-09-01"},
        reg("paclitaxel", "metastatic", "2022-01-10", "2022-04-04", "2022-04-04"),
        {"agents": ["capecitabine"], "setting": "metastatic", "start_date": "2022-05-01",
         "last_dose_date": "2022-09-30", "stop_reason": "progression"},
    ]},
    "WIN: 4 months after AC is inside the adjuvant window and outside the metastatic one, so the missing "
    "setting decides -> unknown; progression on the day of the last dose is on therapy; a stop for "
    "progression without a date cannot be placed -> unknown. PI1 -> monotherapy unknown. P003 II.A: "
    "2 to 3 lines, >= 2 either way.",
    resistance={"anthracycline": "unknown", "taxane": "resistant", "capecitabine": "unknown"},
    resistance_missing={"anthracycline": ["regimens[0].setting"], "capecitabine": ["regimens[2].progression_date"]},
    regimens=[("anthracycline", 0, "unknown", None, None),
              ("taxane", 1, "resistant", "on_therapy", None),
              ("capecitabine", 2, "unknown", None, None)],
    findings={"label.monotherapy": "unknown", "pathway.A": "met", "pathway.E": "met", "payer003.overall": "met"},
    finding_missing={"label.monotherapy": ["regimens[0].setting", "regimens[2].progression_date"]},
    blocking=[], warnings=[], lines={"metastatic_all": (2, 3)},
    missing_include=["regimens[0].setting", "regimens[2].progression_date"],
)

# C05: taxane adjuvant exact 12-month end + anthracycline contraindicated -> combination label
case(
    "c05_contraindicated_anthracycline_combination",
    with_({**base("with_capecitabine"), "regimens": [
        reg("AC", "adjuvant", "2022-06-01", "2022-08-31", "2023-11-30"),
        reg("paclitaxel", "adjuvant", "2022-09-14", "2022-11-30", "2023-11-30"),
    ]}, attestations={"anthracycline_contraindicated": True,
                      "anthracycline_contraindication_reason": "cumulative doxorubicin 240 mg/m2; LVEF 42%"},
        history={"cardiac_history": True, "cardiac_history_detail": "anthracycline cardiomyopathy, LVEF 42%"}),
    "WIN: 30 Nov 2022 + 12 months = 30 Nov 2023 inclusive -> taxane resistant; 31 Aug + 6 months = 28 Feb "
    "-> anthracycline not. PI1: taxane-resistant with further anthracycline contraindicated -> combination "
    "met; P003 II.B second branch -> met. Facts §9: cardiac history -> warning.",
    resistance={"anthracycline": "not_resistant", "taxane": "resistant", "capecitabine": "not_exposed"},
    regimens=[("anthracycline", 0, "not_resistant", "early", "2023-02-28"),
              ("taxane", 1, "resistant", "early", "2023-11-30")],
    findings={"label.combination": "met", "label.monotherapy": "not_met", "pathway.B": "met",
              "payer003.indication": "met", "payer003.overall": "met", "warning.cardiac": "met"},
    blocking=[], warnings=["warning.cardiac"], lines={"metastatic_all": (0, 0)},
)

# C06: the contraindication does not substitute in the monotherapy indication; capecitabine 8 weeks exact
case(
    "c06_monotherapy_no_contraindication_substitute",
    with_({**base("monotherapy"), "regimens": [
        reg("AC", "adjuvant", "2021-01-01", "2021-03-31", "2023-05-01"),
        reg("paclitaxel", "metastatic", "2023-05-15", "2023-09-01", "2023-08-20"),
        reg("capecitabine", "metastatic", "2023-09-15", "2024-06-01", "2024-07-27"),
    ]}, attestations={"anthracycline_contraindicated": True}),
    "PI1: monotherapy requires resistance to anthracyclines, taxanes and capecitabine; the "
    "contraindication alternative is worded for the combination only. CAPE: 1 Jun + 8 weeks = 27 Jul "
    "(unverified window). P003 II.A: 2 metastatic lines.",
    resistance={"anthracycline": "not_resistant", "taxane": "resistant", "capecitabine": "resistant"},
    regimens=[("capecitabine", 2, "resistant", "metastatic", "2024-07-27")],
    regimen_confidence={("capecitabine", 2): "unverified"},
    findings={"label.monotherapy": "not_met", "label.combination": "met", "pathway.A": "met",
              "pathway.E": "met", "payer003.overall": "met"},
    applies={"label.combination": False},
    blocking=[], warnings=[], lines={"metastatic_all": (2, 2)},
)

# C07: every threshold exactly at the limit is allowed; neutrophils in 10^9/L; labs 14 days old
case(
    "c07_thresholds_exact_allowed",
    {**base("with_capecitabine"), "regimens": copy.deepcopy(COMBO_REGS), "labs": {
        "date": "2026-11-04",
        "neutrophils": {"value": 1.5, "unit": "10^9/L"},
        "platelets": {"value": 100000, "unit": "cells/mm3"},
        "ast": uln(100, 40), "alt": uln(50, 40), "bilirubin": uln(21, 21, "umol/L")}},
    "CI: '< 1500' (1.5 x 10^9/L = 1500/mm3), '< 100,000', '> 2.5 x ULN' (100/40 = 2.5), '> 1 x ULN' "
    "(21/21) all fail at equality -> nothing blocks; normal hepatic row -> 40 mg/m2 x 1.726 = 69.0 mg.",
    findings={"exclusion.neutrophils": "not_met", "exclusion.platelets": "not_met",
              "exclusion.hepatic_combination": "not_met", "label.combination": "met",
              "payer003.not_excluded": "met", "warning.labs_stale": "not_met"},
    resistance={"anthracycline": "resistant", "taxane": "resistant"},
    blocking=[], warnings=[],
    dose={"state": "computed", "mg_per_m2": 40, "dose_mg": 69.0, "hcpcs_units": 69, "cape_mg": 1726},
)

# C08: each threshold just past -> blocked; no combination dose
case(
    "c08_thresholds_just_past_blocked",
    {**base("with_capecitabine"), "regimens": copy.deepcopy(COMBO_REGS), "labs": {
        "date": "2026-11-03",
        "neutrophils": {"value": 1499, "unit": "cells/mm3"},
        "platelets": {"value": 99999, "unit": "cells/mm3"},
        "ast": uln(101, 40), "alt": uln(30, 40), "bilirubin": uln(1.21, 1.2, "mg/dL")}},
    "CI: 1499 < 1500, 99,999 < 100,000, AST 2.525 x > 2.5 x, bilirubin 1.008 x > 1 x -> three blocking "
    "exclusions; boxed warning -> no combination dose; P003 'may not be approved'.",
    findings={"exclusion.neutrophils": "met", "exclusion.platelets": "met", "exclusion.hepatic_combination": "met",
              "payer003.not_excluded": "not_met", "payer003.overall": "not_met", "label.combination": "met",
              "warning.labs_stale": "met"},
    blocking=["exclusion.neutrophils", "exclusion.platelets", "exclusion.hepatic_combination"],
    warnings=["warning.labs_stale"],
    dose={"state": "not_recommended", "dose_mg": None},
)

# C09: monotherapy hepatic row 2 (bilirubin exactly 1.5 x ULN); HER2-low pathway E second line
case(
    "c09_hepatic_mild_monotherapy_pathway_E_second_line",
    with_({**base("monotherapy"), "regimens": [
        reg("AC", "adjuvant", "2018-02-01", "2018-04-15", "2022-03-01"),
        reg("paclitaxel", "adjuvant", "2018-04-29", "2018-07-15", "2022-03-01"),
        reg(["anastrozole", "ribociclib"], "metastatic", "2022-03-15", "2025-01-10", "2025-01-05"),
        reg("capecitabine", "metastatic", "2025-01-20", "2026-09-30", "2026-10-15"),
    ]}, patient={"height_cm": 160, "weight_kg": 60},
        disease={"pr": "positive", "her2_ihc": "2+", "her2_ish": "negative"},
        labs={"ast": uln(120, 40), "alt": uln(80, 40), "bilirubin": uln(1.8, 1.2, "mg/dL")}),
    "HEP: AST 3 x, ALT 2 x, bilirubin 1.5 x -> 32 mg/m2 x 1.633 = 52.3 mg (45 + 15), 53 units. P003 II.E: "
    "HER2-low counts as HER2-negative, HR+, endocrine-refractory, one non-endocrine line, not a T-DXd "
    "candidate -> second line met; II.A: 2 metastatic lines.",
    resistance={"anthracycline": "not_resistant", "taxane": "not_resistant", "capecitabine": "resistant"},
    findings={"label.monotherapy": "not_met", "pathway.A": "met", "pathway.E": "met",
              "exclusion.hepatic_monotherapy": "not_met", "exclusion.hepatic_combination": "not_met",
              "warning.hepatic_monotherapy_caution": "not_met", "payer003.overall": "met"},
    blocking=[], warnings=[], lines={"metastatic_all": (2, 2), "metastatic_nonendocrine": (1, 1)},
    dose={"state": "computed", "mg_per_m2": 32, "dose_mg": 52.3, "vials": [(45, 1), (15, 1)], "hcpcs_units": 53},
)

# C10: monotherapy hepatic row 3 (bilirubin exactly 3 x ULN), AST > 5 x caution
case(
    "c10_hepatic_moderate_monotherapy",
    with_({**base("monotherapy"), "regimens": [reg("AC", "metastatic", "2025-01-01", "2025-03-01", "2025-02-15")]},
          patient={"height_cm": 170, "weight_kg": 70},
          labs={"ast": uln(240, 40), "alt": uln(100, 40), "bilirubin": uln(3.6, 1.2, "mg/dL")}),
    "HEP: AST 6 x, ALT 2.5 x, bilirubin 3.0 x -> 20 mg/m2 x 1.818 = 36.4 mg (one 45 mg kit), 37 units; "
    "caution for AST > 5 x ULN.",
    findings={"exclusion.hepatic_monotherapy": "not_met", "warning.hepatic_monotherapy_caution": "met"},
    blocking=[], warnings=["warning.hepatic_monotherapy_caution"],
    dose={"state": "computed", "mg_per_m2": 20, "dose_mg": 36.4, "vials": [(45, 1)], "hcpcs_units": 37},
)

# C11: AST 10.1 x ULN -> not recommended; metastatic anthracycline one day past 28 Feb
case(
    "c11_hepatic_severe_not_recommended",
    with_({**base("monotherapy"), "regimens": [reg("AC", "metastatic", "2024-09-01", "2024-11-30", "2025-03-01")]},
          labs={"ast": uln(404, 40), "alt": uln(400, 40), "bilirubin": uln(0.6, 1.2, "mg/dL")}),
    "HEP: AST 10.1 x > 10 -> not recommended as monotherapy (ALT exactly 10 x would not be). WIN: "
    "30 Nov 2024 + 3 months = 28 Feb 2025, 1 Mar is one day after.",
    resistance={"anthracycline": "not_resistant"},
    regimens=[("anthracycline", 0, "not_resistant", "metastatic", "2025-02-28")],
    findings={"exclusion.hepatic_monotherapy": "met", "exclusion.hepatic_combination": "not_met",
              "warning.hepatic_monotherapy_caution": "met"},
    blocking=["exclusion.hepatic_monotherapy"], warnings=["warning.hepatic_monotherapy_caution"],
    dose={"state": "not_recommended", "dose_mg": None},
)

# C12: BSA 2.52 capped at 2.2, clarithromycin -> 20 mg/m2 -> 44 mg; capecitabine on the actual BSA
case(
    "c12_bsa_cap_strong_cyp3a4_inhibitor",
    with_({**base("with_capecitabine"), "regimens": copy.deepcopy(COMBO_REGS)},
          patient={"height_cm": 190, "weight_kg": 120},
          history={"medications": ["Clarithromycin 500 mg twice daily (H. pylori)", "omeprazole 20 mg"]}),
    "BSA: sqrt(190 x 120 / 3600) = 2.517 -> 2.2 m2. CYP: clarithromycin -> 20 mg/m2 -> 44 mg, one 45 mg "
    "kit, 44 units of J9207. Capecitabine 1000 mg/m2 on the actual BSA = 2517 mg.",
    findings={"warning.cyp3a4_inhibitor": "met", "label.combination": "met"},
    blocking=[], warnings=["warning.cyp3a4_inhibitor"],
    dose={"state": "computed", "bsa_capped": True, "bsa_used_m2": 2.2, "mg_per_m2": 20, "dose_mg": 44.0,
          "vials": [(45, 1)], "vial_total_mg": 45, "hcpcs_units": 44, "cape_mg": 2517},
)

# C13: HER2-positive with trastuzumab, taxane-resistant, fourth line; BSA cap -> 88 mg
case(
    "c13_her2_positive_trastuzumab_fourth_line",
    with_({**base("with_trastuzumab"), "regimens": [
        reg("TCHP", "neoadjuvant", "2021-01-10", "2021-04-25", "2023-02-01"),
        reg(["paclitaxel", "trastuzumab", "pertuzumab"], "metastatic", "2023-02-15", "2023-12-01", "2023-11-15"),
        reg("trastuzumab deruxtecan", "metastatic", "2023-12-15", "2025-03-01", "2025-02-20"),
        reg(["tucatinib", "trastuzumab", "capecitabine"], "metastatic", "2025-03-15", "2026-09-01", "2026-08-20"),
    ]}, patient={"height_cm": 183, "weight_kg": 115},
        disease={"er": "negative", "pr": "negative", "her2_ihc": "3+", "endocrine_refractory": None}),
    "P003 II.C: with trastuzumab, taxane-resistant (progression on THP) -> met; II.D: fourth line and "
    "beyond = 3 prior lines -> met. BSA 2.418 -> 2.2 -> 88 mg, 2 x 45 mg kits, 88 units. PI1: no "
    "anthracycline and no contraindication -> combination label not met.",
    resistance={"anthracycline": "not_exposed", "taxane": "resistant", "capecitabine": "resistant"},
    regimens=[("taxane", 0, "not_resistant", "early", "2022-04-25"),
              ("taxane", 1, "resistant", "on_therapy", None)],
    findings={"pathway.C": "met", "pathway.D": "met", "pathway.A": "not_met", "pathway.E": "not_met",
              "pathway.F": "not_met", "label.combination": "not_met", "label.monotherapy": "not_met",
              "payer003.overall": "met", "exclusion.cremophor": "not_met"},
    blocking=[], warnings=[], lines={"metastatic_all": (3, 3), "metastatic_nonendocrine": (3, 3)},
    dose={"state": "computed", "bsa_capped": True, "mg_per_m2": 40, "dose_mg": 88.0, "vials": [(45, 2)],
          "vial_total_mg": 90, "hcpcs_units": 88},
)

# C14: TNBC first line with PD-L1 CPS exactly 10; grade 3 paclitaxel reaction recorded on the regimen
case(
    "c14_tnbc_cps10_first_line_cremophor",
    with_({**base("monotherapy"), "regimens": [
        reg("AC", "adjuvant", "2025-04-01", "2025-06-10", "2026-10-01"),
        reg("paclitaxel", "adjuvant", "2025-06-24", "2025-09-30", "2026-10-01",
            stop_reason="hypersensitivity", hypersensitivity_grade=3),
    ]}, disease={"extent": "recurrent_unresectable", "er": "negative", "pr": "negative", "her2_ihc": "1+",
                 "pdl1_cps": 10, "endocrine_refractory": None},
        history={"cremophor_hypersensitivity": None}),
    "P003 II.F.1: first line needs PD-L1 CPS < 10 (10 fails) and F.2 needs >= 1 prior line -> not met. "
    "CI: grade 3 reaction to paclitaxel (Cremophor EL) -> contraindication. WIN: 30 Sep 2025 + 12 months "
    "= 30 Sep 2026, recurrence 1 Oct is one day after. P004: recurrent disease.",
    resistance={"anthracycline": "not_resistant", "taxane": "not_resistant", "capecitabine": "not_exposed"},
    regimens=[("anthracycline", 0, "not_resistant", "early", "2025-12-10"),
              ("taxane", 1, "not_resistant", "early", "2026-09-30")],
    findings={"pathway.F": "not_met", "pathway.E": "not_met", "pathway.A": "not_met",
              "payer003.diagnosis": "met", "payer003.indication": "not_met", "payer003.overall": "not_met",
              "payer004.recurrent_metastatic": "met", "exclusion.cremophor": "met"},
    blocking=["exclusion.cremophor"], warnings=[], lines={"metastatic_all": (0, 0)},
)


# C01: exact window ends (leap-year 29 Feb), and indication II.B counted as seed 003 defines lines
case(
    "c01_exact_window_ends",
    {**base("with_capecitabine"), "regimens": [
        reg("AC", "adjuvant", "2023-06-08", "2023-08-31", "2024-02-29"),
        reg("docetaxel", "metastatic", "2024-03-14", "2024-06-30", "2024-10-30"),
    ]},
    "WIN: 31 Aug 2023 + 6 months = 29 Feb 2024 (leap year), inclusive -> resistant; 30 Jun 2024 + 4 months "
    "= 30 Oct 2024 inclusive -> resistant. PI1: combination met. P003 II.B 'previously treated with two "
    "lines' with seed 003's definition (adjuvant AC = first-line, docetaxel = second line) -> met.",
    resistance={"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "not_exposed"},
    regimens=[("anthracycline", 0, "resistant", "early", "2024-02-29"),
              ("taxane", 1, "resistant", "metastatic", "2024-10-30")],
    findings={"label.combination": "met", "label.monotherapy": "not_met", "exclusion.neutrophils": "not_met",
              "exclusion.platelets": "not_met", "exclusion.hepatic_combination": "not_met",
              "exclusion.cremophor": "not_met", "pathway.B": "met", "payer003.indication": "met",
              "payer003.overall": "met", "payer004.overall": "met"},
    blocking=[], warnings=[], lines={"since_diagnosis": (2, 2), "metastatic_all": (1, 1)},
    dose={"state": "computed", "mg_per_m2": 40, "dose_mg": 69.0, "bsa_capped": False,
          "vials": [(45, 1), (15, 2)], "hcpcs_units": 69, "cape_mg": 1726},
)

# C15: almost nothing entered: nothing decided, everything that is missing is named
case(
    "c15_almost_empty",
    {"schema_version": 1, "patient": {"sex": "female"}},
    "An empty regimen list is not 'no prior therapy': resistance, lines, both label indications and "
    "pathway A are unknown and 'regimens' is named missing; exclusions and dose are unknown too.",
    resistance={"anthracycline": "unknown", "taxane": "unknown", "capecitabine": "unknown"},
    resistance_missing={"anthracycline": ["regimens"]},
    findings={"label.combination": "unknown", "label.monotherapy": "unknown", "pathway.A": "unknown",
              "exclusion.neutrophils": "unknown", "exclusion.platelets": "unknown", "payer003.overall": "unknown",
              "payer004.overall": "unknown"},
    finding_missing={"label.monotherapy": ["regimens"], "exclusion.neutrophils": ["labs.neutrophils"]},
    blocking=[], warnings=[], lines={"metastatic_all": (0, None)},
    missing_include=["regimens", "patient.height_cm", "patient.weight_kg", "labs.neutrophils", "plan.regimen",
                     "history.medications", "disease.extent", "attestations.prescriber_is_oncologist"],
    dose={"state": "unknown"},
)

# --- the check ------------------------------------------------------------------------------

def _assess(c: dict[str, Any]):
    return assess(parse_consult(json.dumps(c)), as_of=AS_OF)


@pytest.mark.parametrize("cs", CASES, ids=[c["id"] for c in CASES])
def test_independent_case(cs: dict[str, Any]) -> None:
    a = _assess(cs["consult"])
    ctx = f"{cs['id']}: {cs['why']}"

    for cls, want in cs.get("resistance", {}).items():
        assert a.resistance_for(cls).result == want, f"{ctx}\nresistance {cls}"
    for cls, fields in cs.get("resistance_missing", {}).items():
        got = {m.field for m in a.resistance_for(cls).missing}
        assert set(fields) <= got, f"{ctx}\nresistance {cls} missing {got}"
    assert_regimen_rows_and_findings(a, cs, ctx)
    for fid, want in cs.get("applies", {}).items():
        assert a.finding(fid).applies_to_plan is want, f"{ctx}\n{fid} applies_to_plan"
    for fid, fields in cs.get("finding_missing", {}).items():
        got = {m.field for m in a.finding(fid).missing}
        assert set(fields) <= got, f"{ctx}\n{fid} missing {got}"

    if "blocking" in cs:
        assert sorted(a.blocking) == sorted(cs["blocking"]), ctx
    if "warnings" in cs:
        assert sorted(a.warnings) == sorted(cs["warnings"]), ctx
    lines = {lc.kind: lc for lc in a.lines}
    for kind, (lo, hi) in cs.get("lines", {}).items():
        assert (lines[kind].minimum, lines[kind].maximum) == (lo, hi), f"{ctx}\nlines {kind}"
    got_missing = {m.field for m in a.missing}
    for field in cs.get("missing_include", []):
        assert field in got_missing, f"{ctx}\nmissing {field}"

    d = a.dose
    for key, want in cs.get("dose", {}).items():
        if key == "vials":
            assert [(v.size_mg, v.count) for v in d.vials] == want, f"{ctx}\nvials"
        elif key == "cape_mg":
            assert d.capecitabine is not None and d.capecitabine.mg_per_dose == pytest.approx(want), f"{ctx}\ncapecitabine"
        elif isinstance(want, float | int) and not isinstance(want, bool):
            assert getattr(d, key) == pytest.approx(want), f"{ctx}\ndose.{key}: {d.summary}"
        else:
            assert getattr(d, key) == want, f"{ctx}\ndose.{key}: {d.summary}"
    if d.state == "computed" and d.dose_mg is not None:
        # the card must be arithmetically consistent: mg = mg/m2 x BSA used; 1 unit of J9207 per mg
        assert d.dose_mg == pytest.approx(d.mg_per_m2 * d.bsa_used_m2, abs=0.05), ctx
        assert d.hcpcs_units == -(-round(d.dose_mg * 10) // 10), ctx
        assert d.hcpcs_code == "J9207", ctx
        assert d.vial_total_mg >= d.dose_mg, ctx
