"""Independent clinical cases, round 2: units, dose arithmetic, warnings, HER2/PD-L1/BRCA pathways,
payer criteria, the capecitabine window and agent names.

Every expectation was derived by hand from the sources before IxDesk was run; only cases where
IxDesk agreed (or where re-reading the source showed it right) are kept here. Three cases that
disagreed are left out and reported separately: "AC-T" and "ddAC" not in the formulary, and an
ixabepilone regimen stopped for hypersensitivity that does not trigger the prior-reaction warning.

Sources quoted in the ``why`` of each case:
- facts = shared/reference/ixabepilone-facts.md (§2 resistance windows, §3 dosing, §4 hepatic table,
  §5 contraindications, §7 premedication, §8 CYP3A4, §9 warnings, §10 NCCN pathways);
- seed003 = payer criteria I, II.A-F and "may not be approved" I-III; seed004 = criteria 1.A-B;
- README "What it decides, and from what" and docs/assessment-json.md for documented readings
  (labs age at the consult date, 2.2 m2 cap not applied at exactly 2.2, HER2-low = negative).
Arithmetic: Mosteller sqrt(H x W / 3600); DuBois 0.007184 x W^0.425 x H^0.725; base patient
165 cm / 65 kg -> 1.7260 m2; kits 15 and 45 mg; J9207 1 unit per mg, rounded up.
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


# --- builders -------------------------------------------------------------------------------

def base(plan="monotherapy"):
    return {
        "schema_version": 1, "consult_date": "2026-11-18",
        "patient": {"sex": "female", "height_cm": 165, "weight_kg": 65, "pregnant": False, "breastfeeding": False},
        "disease": {"extent": "metastatic", "er": "positive", "pr": "positive", "her2_ihc": "0",
                    "germline_brca": "no_mutation", "visceral_crisis": False, "endocrine_refractory": True},
        "regimens": [],
        "attestations": {"anthracycline_contraindicated": False, "tdxd_candidate": False, "prescriber_is_oncologist": True},
        "labs": {"date": "2026-11-16",
                 "neutrophils": {"value": 3200, "unit": "cells/mm3"},
                 "platelets": {"value": 240000, "unit": "cells/mm3"},
                 "ast": {"value": 28, "uln": 40, "unit": "U/L"},
                 "alt": {"value": 22, "uln": 40, "unit": "U/L"},
                 "bilirubin": {"value": 0.6, "uln": 1.2, "unit": "mg/dL"}},
        # neuropathy grade 0: any recorded neuropathy (grade >= 1) is a warning (facts sheet section 9)
        "history": {"ecog": 1, "neuropathy_grade": 0, "cremophor_hypersensitivity": False,
                    "prior_ixabepilone_reaction": False, "cardiac_history": False, "diabetes": False,
                    "medications": ["omeprazole 20 mg daily"], "grapefruit": False},
        "plan": {"regimen": plan, "bsa_formula": "mosteller", "prescriber": "Dr Test"},
    }

def reg(agents, setting, start, last, prog=None, **kw):
    d = {"agents": [agents] if isinstance(agents, str) else list(agents), "setting": setting,
         "start_date": start, "last_dose_date": last}
    if prog:
        d["progressed"] = True; d["progression_date"] = prog
    d.update(kw); return d

def uln(v, u, unit="U/L"): return {"value": v, "uln": u, "unit": unit}
def cnt(v, unit="cells/mm3"): return {"value": v, "unit": unit}

def mk(plan_regimen="monotherapy", regimens=None, **sections):
    d = base(plan_regimen)
    if regimens is not None: d["regimens"] = copy.deepcopy(regimens)
    for k, v in sections.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict): d[k].update(v)
        else: d[k] = v
    return d

# AC adjuvant: 14 Mar 2022 + 6 mo = 14 Sep 2022 >= 1 Aug -> resistant (early)
R_A = reg(["doxorubicin", "cyclophosphamide"], "adjuvant", "2022-01-10", "2022-03-14", "2022-08-01")
# paclitaxel metastatic, progression before last dose -> on therapy
R_T = reg("paclitaxel", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02")
# capecitabine metastatic, progression before last dose -> on therapy
R_X = reg("capecitabine", "metastatic", "2023-01-23", "2023-06-30", "2023-06-20")
REG2 = [R_A, R_T]          # since_diagnosis 2, metastatic 1
REG3 = [R_A, R_T, R_X]     # since_diagnosis 3, metastatic 2

RES3 = {"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "resistant"}
RES2 = {"anthracycline": "resistant", "taxane": "resistant", "capecitabine": "not_exposed"}

CASES = []
def case(cid, consult, why, as_of="2026-11-18", **exp):
    CASES.append({"id": cid, "consult": consult, "why": why, "as_of": as_of, **exp})

# ---------------- 1. units and conversions ----------------
case("u01_si_counts_exact_limits",
     mk("with_capecitabine", REG2, labs={"neutrophils": cnt(1.5, "10^9/L"), "platelets": cnt(100, "10^9/L")}),
     "facts §5 / seed003 I: '<1500/mm3', '<100,000/mm3'; 1.5x10^9/L = 1500/mm3, 100x10^9/L = 100,000/mm3 -> not below",
     resistance=RES2,
     findings={"exclusion.neutrophils": "not_met", "exclusion.platelets": "not_met", "payer003.not_excluded": "met",
               "label.combination": "met", "payer003.overall": "met"},
     blocking=[], warnings=[],
     dose={"state": "computed", "mg_per_m2": 40, "dose_mg": 69.0, "hcpcs_units": 69})

case("u02_si_counts_just_below",
     mk("with_capecitabine", REG2, labs={"neutrophils": cnt(1.49, "10^9/L"), "platelets": cnt(99.9, "10^9/L")}),
     "1.49x10^9/L = 1490 < 1500; 99.9x10^9/L = 99,900 < 100,000 -> both contraindications; seed003 'may not be approved' I; seed004 has no lab criterion",
     findings={"exclusion.neutrophils": "met", "exclusion.platelets": "met", "payer003.not_excluded": "not_met",
               "payer003.overall": "not_met", "payer004.overall": "met", "label.combination": "met"},
     blocking=["exclusion.neutrophils", "exclusion.platelets"], warnings=[])

case("u03_bilirubin_umol_above_uln_with_cape",
     mk("with_capecitabine", REG2, labs={"bilirubin": uln(22, 21, "umol/L")}),
     "boxed warning: with capecitabine contraindicated if bilirubin > 1 x ULN; 22/21 = 1.048 -> blocked, no dose; seed003 II",
     findings={"exclusion.hepatic_combination": "met", "payer003.not_excluded": "not_met"},
     blocking=["exclusion.hepatic_combination"], warnings=[],
     dose={"state": "not_recommended", "dose_mg": None})

case("u04_bilirubin_umol_1_5x_mono",
     mk("monotherapy", REG3, labs={"bilirubin": uln(31.5, 21, "umol/L")}),
     "facts §4: AST/ALT <= 10x and bilirubin <= 1.5x -> 32 mg/m2; 31.5/21 = 1.5; 32 x 1.7260 = 55.2 mg -> 45+15, 56 units; seed003 II is for capecitabine only",
     resistance=RES3,
     findings={"exclusion.hepatic_monotherapy": "not_met", "exclusion.hepatic_combination": "not_met",
               "warning.hepatic_monotherapy_caution": "not_met", "payer003.not_excluded": "met",
               "label.monotherapy": "met"},
     blocking=[], warnings=[],
     dose={"state": "computed", "mg_per_m2": 32, "dose_mg": 55.2, "vials": [(45, 1), (15, 1)], "hcpcs_units": 56})

case("u05_bilirubin_umol_exactly_3x_mono",
     mk("monotherapy", REG3, labs={"bilirubin": uln(63, 21, "umol/L")}),
     "facts §4: bilirubin > 1.5 and <= 3 x ULN -> 20 mg/m2; 63/21 = 3.0; 20 x 1.7260 = 34.5 mg -> one 45 mg kit, 35 units",
     findings={"exclusion.hepatic_monotherapy": "not_met"}, blocking=[], warnings=[],
     dose={"state": "computed", "mg_per_m2": 20, "dose_mg": 34.5, "vials": [(45, 1)], "hcpcs_units": 35})

case("u06_bilirubin_umol_just_above_3x_mono",
     mk("monotherapy", REG3, labs={"bilirubin": uln(63.1, 21, "umol/L")}),
     "facts §4: bilirubin > 3 x ULN -> not recommended; 63.1/21 = 3.005",
     findings={"exclusion.hepatic_monotherapy": "met"},
     blocking=["exclusion.hepatic_monotherapy"], warnings=[],
     dose={"state": "not_recommended", "dose_mg": None})

case("u07_alt_exactly_2_5x_with_cape",
     mk("with_capecitabine", REG2, labs={"alt": uln(87.5, 35), "bilirubin": uln(1.2, 1.2, "mg/dL")}),
     "boxed warning: '> 2.5 x ULN' / '> 1 x ULN'; ALT 87.5/35 = 2.5 and bilirubin 1.0x -> allowed",
     findings={"exclusion.hepatic_combination": "not_met", "label.combination": "met"},
     blocking=[], warnings=[], dose={"state": "computed", "mg_per_m2": 40})

case("u08_alt_just_above_2_5x_with_cape",
     mk("with_capecitabine", REG2, labs={"alt": uln(87.6, 35)}),
     "ALT 87.6/35 = 2.503 > 2.5 -> contraindicated with capecitabine",
     findings={"exclusion.hepatic_combination": "met"},
     blocking=["exclusion.hepatic_combination"], warnings=[], dose={"state": "not_recommended"})

case("u09_ast_exactly_5x_mono",
     mk("monotherapy", REG3, labs={"ast": uln(200, 40)}),
     "facts §4: caution when AST/ALT > 5 x ULN -> 5.0 is not > 5; dose row 2 (AST > 2.5, <= 10; bili <= 1.5) -> 32 mg/m2 = 55.2 mg",
     findings={"warning.hepatic_monotherapy_caution": "not_met", "exclusion.hepatic_monotherapy": "not_met"},
     blocking=[], warnings=[], dose={"state": "computed", "mg_per_m2": 32, "dose_mg": 55.2})

case("u10_ast_just_above_5x_mono",
     mk("monotherapy", REG3, labs={"ast": uln(201, 40)}),
     "AST 201/40 = 5.025 > 5 -> caution warning; still row 2 -> 32 mg/m2",
     findings={"warning.hepatic_monotherapy_caution": "met"},
     blocking=[], warnings=["warning.hepatic_monotherapy_caution"], dose={"state": "computed", "mg_per_m2": 32})

case("u11_alt_exactly_10x_mono",
     mk("monotherapy", REG3, labs={"alt": uln(400, 40)}),
     "facts §4: ALT exactly 10 x ULN is in the '<= 10 x' row -> 32 mg/m2, not 'not recommended'; > 5 x -> caution",
     findings={"exclusion.hepatic_monotherapy": "not_met", "warning.hepatic_monotherapy_caution": "met"},
     blocking=[], warnings=["warning.hepatic_monotherapy_caution"], dose={"state": "computed", "mg_per_m2": 32})

case("u12_alt_just_above_10x_mono",
     mk("monotherapy", REG3, labs={"alt": uln(401, 40)}),
     "ALT 401/40 = 10.025 > 10 -> monotherapy not recommended",
     findings={"exclusion.hepatic_monotherapy": "met"},
     blocking=["exclusion.hepatic_monotherapy"], warnings=["warning.hepatic_monotherapy_caution"],
     dose={"state": "not_recommended"})

case("u13_labs_age_at_consult_date_not_as_of",
     mk("monotherapy", REG3, consult_date="2026-11-10", labs={"date": "2026-10-27"}),
     "assessment-json.md: age of labs measured at the consult date; 27 Oct -> 10 Nov = 14 days -> not older than 14 (as_of 18 Nov would give 22)",
     findings={"warning.labs_stale": "not_met"}, blocking=[], warnings=[])

case("u14_labs_15_days_no_consult_date",
     mk("monotherapy", REG3, consult_date=None, labs={"date": "2026-11-03"}),
     "no consult date -> age measured at as_of: 3 Nov -> 18 Nov = 15 days > 14 -> stale warning",
     findings={"warning.labs_stale": "met"}, blocking=[], warnings=["warning.labs_stale"])

case("u15_labs_14_days_no_consult_date",
     mk("monotherapy", REG3, consult_date=None, labs={"date": "2026-11-04"}),
     "4 Nov -> 18 Nov = 14 days -> not older than 14 days",
     findings={"warning.labs_stale": "not_met"}, blocking=[], warnings=[])

# ---------------- 2. dose ----------------
case("d01_mosteller_180_90",
     mk("monotherapy", REG3, patient={"height_cm": 180, "weight_kg": 90}),
     "Mosteller sqrt(180x90/3600) = 2.1213 -> 84.9 mg, 2 x 45, 85 units",
     dose={"state": "computed", "bsa_formula": "mosteller", "bsa_m2": 2.1213, "bsa_capped": False,
           "dose_mg": 84.9, "vials": [(45, 2)], "hcpcs_units": 85})

case("d02_dubois_180_90",
     mk("monotherapy", REG3, patient={"height_cm": 180, "weight_kg": 90}, plan={"regimen": "monotherapy", "bsa_formula": "dubois"}),
     "DuBois 0.007184 x 90^0.425 x 180^0.725 = 2.0989 -> 83.96 -> 84.0 mg, 2 x 45, 84 units",
     dose={"state": "computed", "bsa_formula": "dubois", "bsa_m2": 2.0989, "dose_mg": 84.0, "vials": [(45, 2)],
           "hcpcs_units": 84})

case("d03_bsa_exactly_2_2_not_capped",
     mk("with_capecitabine", REG2, patient={"height_cm": 176, "weight_kg": 99}),
     "facts §3: BSA ABOVE 2.2 is dosed as 2.2; sqrt(176x99/3600) = 2.2 exactly -> not capped; 88 mg, 2 x 45, 88 units; capecitabine 2200 mg/dose",
     dose={"state": "computed", "bsa_m2": 2.2, "bsa_used_m2": 2.2, "bsa_capped": False, "dose_mg": 88.0,
           "vials": [(45, 2)], "vial_total_mg": 90, "hcpcs_units": 88, "cape_mg": 2200})

case("d04_bsa_just_above_2_2_capped",
     mk("with_capecitabine", REG2, patient={"height_cm": 176, "weight_kg": 99.1}),
     "sqrt(176x99.1/3600) = 2.2011 -> capped 2.2 -> 88 mg; capecitabine 1000 mg/m2 x actual 2.2011 = 2201 mg",
     dose={"state": "computed", "bsa_used_m2": 2.2, "bsa_capped": True, "dose_mg": 88.0, "hcpcs_units": 88,
           "cape_mg": 2201})

case("d05_vials_45_0_mg_small_patient",
     mk("monotherapy", REG3, patient={"height_cm": 125, "weight_kg": 36.45}),
     "sqrt(125x36.45/3600) = 1.125 -> 45.0 mg -> exactly one 45 mg kit (no waste), 45 units",
     dose={"state": "computed", "bsa_m2": 1.125, "dose_mg": 45.0, "vials": [(45, 1)], "vial_total_mg": 45, "hcpcs_units": 45})

case("d06_vials_60_mg",
     mk("monotherapy", REG3, patient={"height_cm": 150, "weight_kg": 54}),
     "sqrt(150x54/3600) = 1.5 -> 60.0 mg -> 45 + 15 (no waste; fewer kits than 4 x 15), 60 units",
     dose={"state": "computed", "dose_mg": 60.0, "vials": [(45, 1), (15, 1)], "vial_total_mg": 60, "hcpcs_units": 60})

case("d07_small_patient_cyp3a4_inhibitor",
     mk("monotherapy", REG3, patient={"height_cm": 140, "weight_kg": 30},
        history={"medications": ["itraconazole 200 mg daily"]}),
     "facts §8: strong inhibitor -> 20 mg/m2; BSA 1.0801 -> 21.6 mg -> 2 x 15 (30 mg, waste 8.4 < 23.4), 22 units",
     findings={"warning.cyp3a4_inhibitor": "met"}, warnings=["warning.cyp3a4_inhibitor"],
     dose={"state": "computed", "mg_per_m2": 20, "dose_mg": 21.6, "vials": [(15, 2)], "vial_total_mg": 30, "hcpcs_units": 22})

case("d08_smallest_patient_hepatic_row3",
     mk("monotherapy", REG3, patient={"height_cm": 100, "weight_kg": 25}, labs={"bilirubin": uln(2.0, 1.0, "mg/dL")}),
     "bilirubin 2.0x -> 20 mg/m2; BSA 0.8333 -> 16.7 mg -> 2 x 15, 17 units",
     dose={"state": "computed", "mg_per_m2": 20, "dose_mg": 16.7, "vials": [(15, 2)], "hcpcs_units": 17})

case("d09_hepatic_row2_plus_strong_inhibitor",
     mk("monotherapy", REG3, labs={"ast": uln(120, 40)}, history={"medications": ["ketoconazole 200 mg"]}),
     "row 2 -> 32 mg/m2, inhibitor -> 20 mg/m2; no source compounds them -> the lower, 20 mg/m2 -> 34.5 mg",
     findings={"warning.cyp3a4_inhibitor": "met"}, warnings=["warning.cyp3a4_inhibitor"],
     dose={"state": "computed", "mg_per_m2": 20, "dose_mg": 34.5})

case("d10_hepatic_row3_plus_strong_inhibitor",
     mk("monotherapy", REG3, labs={"bilirubin": uln(2.4, 1.2, "mg/dL")}, history={"medications": ["voriconazole"]}),
     "row 3 -> 20 mg/m2 and inhibitor -> 20 mg/m2; no compounding rule in the sources -> 20 mg/m2",
     findings={"warning.cyp3a4_inhibitor": "met"}, warnings=["warning.cyp3a4_inhibitor"],
     dose={"state": "computed", "mg_per_m2": 20})

case("d11_strong_inducer_rifampin",
     mk("monotherapy", REG3, history={"medications": ["rifampin 600 mg daily"]}),
     "facts §8: inducer -> avoid; if unavoidable raise gradually up to 60 mg/m2 over 4 h -> warning + note, starting dose unchanged 40 mg/m2, 3 h",
     findings={"warning.cyp3a4_inducer": "met", "warning.cyp3a4_inhibitor": "not_met"},
     warnings=["warning.cyp3a4_inducer"],
     dose={"state": "computed", "mg_per_m2": 40, "infusion_hours": 3.0}, notes_contain=["60"])

case("d12_inducer_st_johns_wort",
     mk("monotherapy", REG3, history={"medications": ["St John's wort"]}),
     "facts §8 lists St John's wort as a strong inducer",
     findings={"warning.cyp3a4_inducer": "met"}, warnings=["warning.cyp3a4_inducer"], dose={"mg_per_m2": 40})

case("d13_inducer_dexamethasone",
     mk("monotherapy", REG3, history={"medications": ["dexamethasone 4 mg daily"]}),
     "facts §8 lists dexamethasone among strong CYP3A4 inducers",
     findings={"warning.cyp3a4_inducer": "met"}, warnings=["warning.cyp3a4_inducer"], dose={"mg_per_m2": 40})

case("d14_premed_after_ixabepilone_reaction",
     mk("monotherapy", REG3, history={"prior_ixabepilone_reaction": True}),
     "facts §7: after a hypersensitivity reaction to ixabepilone add a corticosteroid (dexamethasone 20 mg IV 30 min / oral 60 min) -> warning + premed",
     findings={"warning.prior_ixabepilone_reaction": "met"}, warnings=["warning.prior_ixabepilone_reaction"],
     premed_has_steroid=True, notes_contain=["longer infusion"])

case("d15_premed_no_reaction",
     mk("monotherapy", REG3),
     "facts §7: all patients H1 + H2 only; no corticosteroid without a prior reaction",
     findings={"warning.prior_ixabepilone_reaction": "not_met"}, warnings=[], premed_ids=["premed.h1", "premed.h2"],
     premed_has_steroid=False)

case("d16_capecitabine_dubois",
     mk("with_capecitabine", REG2, patient={"height_cm": 172, "weight_kg": 62}, plan={"regimen": "with_capecitabine", "bsa_formula": "dubois"}),
     "DuBois 1.7334 -> ixabepilone 69.3 mg (45+15+15, 70 units); capecitabine 1000 mg/m2 x 1.7334 = 1733 mg twice daily days 1-14",
     dose={"state": "computed", "bsa_m2": 1.7334, "dose_mg": 69.3, "vials": [(45, 1), (15, 2)], "hcpcs_units": 70,
           "cape_mg": 1733, "cycle_days": 21, "infusion_hours": 3.0},
     cape={"mg_per_m2_per_dose": 1000, "schedule_contains": ["twice daily", "1–14"]})

# ---------------- 3. warnings / exclusions ----------------
case("w01_pregnant", mk("monotherapy", REG3, patient={"pregnant": True}),
     "facts §9 embryo-fetal toxicity is a warning (not a PI contraindication)",
     findings={"warning.pregnancy": "met"}, blocking=[], warnings=["warning.pregnancy"])
case("w02_breastfeeding", mk("monotherapy", REG3, patient={"breastfeeding": True}),
     "facts §9 no breastfeeding during treatment and 2 weeks after",
     findings={"warning.breastfeeding": "met"}, blocking=[], warnings=["warning.breastfeeding"])
case("w03_neuropathy_grade2", mk("monotherapy", REG3, history={"neuropathy_grade": 2}),
     "facts §9 caution with pre-existing neuropathy of any grade",
     findings={"warning.neuropathy": "met"}, blocking=[], warnings=["warning.neuropathy"])
case("w04_neuropathy_grade1", mk("monotherapy", REG3, history={"neuropathy_grade": 1}),
     "facts §9: the PI gives no grade, so any recorded neuropathy (grade >= 1) calls for the caution",
     findings={"warning.neuropathy": "met"}, blocking=[], warnings=["warning.neuropathy"])
case("w04b_neuropathy_grade0", mk("monotherapy", REG3, history={"neuropathy_grade": 0}),
     "grade 0: no pre-existing neuropathy",
     findings={"warning.neuropathy": "not_met"}, blocking=[], warnings=[])
case("w05_diabetes_cardiac_grapefruit",
     mk("monotherapy", REG3, history={"diabetes": True, "cardiac_history": True, "grapefruit": True}),
     "facts §9 diabetes and cardiac caution; §8 avoid grapefruit juice",
     findings={"warning.diabetes": "met", "warning.cardiac": "met", "warning.grapefruit": "met"},
     blocking=[], warnings=["warning.diabetes", "warning.cardiac", "warning.grapefruit"])
case("w06_cremophor_grade2", mk("monotherapy", REG3, history={"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 2}),
     "facts §5: contraindication is SEVERE (CTC grade 3/4) hypersensitivity -> grade 2 is not",
     findings={"exclusion.cremophor": "not_met"}, blocking=[])
case("w07_cremophor_grade3", mk("monotherapy", REG3, history={"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3}),
     "grade 3 = severe -> contraindicated; seed 003's 'may not be approved' list has no Cremophor item",
     findings={"exclusion.cremophor": "met", "payer003.not_excluded": "met"}, blocking=["exclusion.cremophor"])
case("w08_cremophor_grade4", mk("monotherapy", REG3, history={"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 4}),
     "grade 4 -> contraindicated", findings={"exclusion.cremophor": "met"}, blocking=["exclusion.cremophor"])
case("w09_cremophor_grade_unknown", mk("monotherapy", REG3, history={"cremophor_hypersensitivity": True}),
     "hypersensitivity present but grade not given -> severity undecidable -> unknown, grade named missing",
     findings={"exclusion.cremophor": "unknown"}, blocking=[],
     finding_missing={"exclusion.cremophor": ["history.cremophor_hypersensitivity_grade"]})
case("w10_paclitaxel_reaction_grade2",
     mk("monotherapy", [R_A, dict(R_T, stop_reason="hypersensitivity", hypersensitivity_grade=2), R_X]),
     "grade 2 paclitaxel reaction is not severe -> no contraindication",
     findings={"exclusion.cremophor": "not_met"}, blocking=[])
case("w11_abraxane_reaction_grade3",
     mk("monotherapy", [R_A, reg("Abraxane", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02", stop_reason="hypersensitivity", hypersensitivity_grade=3), R_X]),
     "nab-paclitaxel (Abraxane) is albumin-bound, contains no Cremophor EL -> not a Cremophor reaction (pharmacology, not in the facts sheet)",
     findings={"exclusion.cremophor": "not_met"}, blocking=[])
case("w12_docetaxel_reaction_grade3",
     mk("monotherapy", [R_A, reg("docetaxel", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02", stop_reason="hypersensitivity", hypersensitivity_grade=3), R_X]),
     "docetaxel is formulated in polysorbate 80, not Cremophor EL -> not a Cremophor reaction",
     findings={"exclusion.cremophor": "not_met"}, blocking=[])

# ---------------- 4. HER2 / PD-L1 / BRCA ----------------
HER2_REGS = [
    reg(["paclitaxel", "trastuzumab", "pertuzumab"], "metastatic", "2023-02-15", "2023-12-01", "2023-11-15"),
    reg("trastuzumab deruxtecan", "metastatic", "2023-12-15", "2025-03-01", "2025-02-20"),
    reg(["tucatinib", "trastuzumab", "capecitabine"], "metastatic", "2025-03-15", "2026-09-01", "2026-08-20"),
]
HRNEG = {"er": "negative", "pr": "negative", "endocrine_refractory": None}
case("h01_ihc2_ish_pos_trastuzumab",
     mk("with_trastuzumab", HER2_REGS, disease={**HRNEG, "her2_ihc": "2+", "her2_ish": "positive"}),
     "IHC 2+ with ISH positive = HER2-positive; seed003 II.C taxane-resistant (progression on THP) -> met; II.D 3 prior lines -> fourth line -> met; E/F single agent & HER2-negative -> not met",
     resistance={"taxane": "resistant", "anthracycline": "not_exposed"},
     findings={"pathway.C": "met", "pathway.D": "met", "pathway.E": "not_met", "pathway.F": "not_met",
               "payer003.indication": "met", "payer003.overall": "met"},
     lines={"metastatic_nonendocrine": (3, 3)})
case("h02_ihc2_ish_not_done_trastuzumab",
     mk("with_trastuzumab", HER2_REGS, disease={**HRNEG, "her2_ihc": "2+", "her2_ish": "not_done"}),
     "IHC 2+ without ISH = equivocal/undetermined -> D (HER2-positive) unknown; C reading per facts §10 (HER2-positive) -> unknown",
     findings={"pathway.C": "unknown", "pathway.D": "unknown", "pathway.E": "not_met", "pathway.F": "not_met"},
     finding_missing={"pathway.D": ["disease.her2_ish"]})
case("h03_ihc2_ish_not_done_mono_tnbc_like",
     mk("monotherapy", HER2_REGS, disease={**HRNEG, "her2_ihc": "2+", "her2_ish": "not_done"}),
     "HR-negative, HER2 undetermined, 3 prior lines -> F (TNBC) unknown; E needs HR+ -> not met; A (2 prior lines) met",
     findings={"pathway.F": "unknown", "pathway.E": "not_met", "pathway.A": "met", "payer003.indication": "met"})
case("h04_ihc3_no_ish_hr_pos_mono",
     mk("monotherapy", HER2_REGS, disease={"her2_ihc": "3+", "her2_ish": None}),
     "IHC 3+ = HER2-positive regardless of ISH -> E (HER2-negative) not met; F not met",
     findings={"pathway.E": "not_met", "pathway.F": "not_met", "pathway.C": "not_met"})
case("h05_ihc2_ish_neg_hr_pos_E_third_line",
     mk("monotherapy", HER2_REGS[:1] + [reg("eribulin", "metastatic", "2024-01-10", "2024-09-01", "2024-08-20")],
        disease={"her2_ihc": "2+", "her2_ish": "negative"}, attestations={"tdxd_candidate": True}),
     "IHC 2+/ISH- = HER2-negative; HR+ endocrine-refractory; 2 non-endocrine lines -> E.3 third line and beyond met even if T-DXd candidate",
     findings={"pathway.E": "met"}, lines={"metastatic_nonendocrine": (2, 2)})
case("h06_hr_pos_E_undetermined_her2",
     mk("monotherapy", HER2_REGS[:1] + [reg("eribulin", "metastatic", "2024-01-10", "2024-09-01", "2024-08-20")],
        disease={"her2_ihc": "2+", "her2_ish": "not_done"}),
     "HER2 undetermined -> E unknown",
     findings={"pathway.E": "unknown"})

TNBC = {"er": "negative", "pr": "negative", "her2_ihc": "0", "endocrine_refractory": None}
case("h07_tnbc_denovo_cps9",
     mk("monotherapy", [], no_prior_systemic_therapy=True, disease={**TNBC, "pdl1_cps": 9}),
     "seed003 II.F.1 first line if PD-L1 CPS < 10 and no gBRCA -> CPS 9 met; A needs 2 lines -> not met; label not met; seed004 met",
     resistance={"anthracycline": "not_exposed", "taxane": "not_exposed", "capecitabine": "not_exposed"},
     findings={"pathway.F": "met", "pathway.A": "not_met", "pathway.E": "not_met", "label.monotherapy": "not_met",
               "payer003.indication": "met", "payer003.overall": "met", "payer004.overall": "met"},
     lines={"metastatic_nonendocrine": (0, 0)})
case("h08_tnbc_denovo_cps10",
     mk("monotherapy", [], no_prior_systemic_therapy=True, disease={**TNBC, "pdl1_cps": 10}),
     "CPS 10 is not < 10 -> F.1 fails; F.2 needs a prior line -> F not met; payer003 not met",
     findings={"pathway.F": "not_met", "payer003.indication": "not_met", "payer003.overall": "not_met"})
case("h09_tnbc_denovo_gbrca_unknown",
     mk("monotherapy", [], no_prior_systemic_therapy=True, disease={**TNBC, "pdl1_cps": 5, "germline_brca": None}),
     "F.1 needs 'no germline BRCA mutation' -> unknown when not tested",
     findings={"pathway.F": "unknown"}, finding_missing={"pathway.F": ["disease.germline_brca"]})
case("h10_tnbc_denovo_gbrca_mutation",
     mk("monotherapy", [], no_prior_systemic_therapy=True, disease={**TNBC, "pdl1_cps": 5, "germline_brca": "mutation"}),
     "gBRCA mutation -> F.1 fails -> not met", findings={"pathway.F": "not_met"})
case("h11_tnbc_second_line_gbrca_unknown",
     mk("monotherapy", [reg(["carboplatin", "gemcitabine"], "metastatic", "2025-01-05", "2025-10-01", "2025-09-20")],
        disease={**TNBC, "pdl1_cps": None, "germline_brca": None}),
     "F.2 second line and beyond has no BRCA/PD-L1 condition -> met",
     findings={"pathway.F": "met"}, lines={"metastatic_nonendocrine": (1, 1)})
ENDO = reg(["letrozole", "palbociclib"], "metastatic", "2024-01-10", "2026-09-30", "2026-09-20")
case("h12_E_first_line_gbrca_unknown",
     mk("monotherapy", [ENDO], disease={"her2_ihc": "1+", "germline_brca": None}),
     "endocrine-only metastatic line not counted -> first line; E.1 needs no gBRCA -> unknown",
     findings={"pathway.E": "unknown"}, lines={"metastatic_nonendocrine": (0, 0)},
     finding_missing={"pathway.E": ["disease.germline_brca"]})
case("h13_E_second_line_tdxd_candidate",
     mk("monotherapy", [ENDO, reg("capecitabine", "metastatic", "2026-10-01", "2026-11-10", "2026-11-05")],
        disease={"her2_ihc": "1+"}, attestations={"tdxd_candidate": True}),
     "one non-endocrine line -> second line; E.2 requires NOT a T-DXd candidate -> not met; A: 2 lines since diagnosis -> met",
     findings={"pathway.E": "not_met", "pathway.A": "met"}, lines={"metastatic_nonendocrine": (1, 1)})
case("h14_E_second_line_tdxd_unknown",
     mk("monotherapy", [ENDO, reg("capecitabine", "metastatic", "2026-10-01", "2026-11-10", "2026-11-05")],
        disease={"her2_ihc": "1+"}, attestations={"tdxd_candidate": None}),
     "T-DXd candidacy not attested -> E unknown, attestation named",
     findings={"pathway.E": "unknown"}, finding_missing={"pathway.E": ["attestations.tdxd_candidate"]})
case("h15_E_second_line_not_tdxd_candidate",
     mk("monotherapy", [ENDO, reg("capecitabine", "metastatic", "2026-10-01", "2026-11-10", "2026-11-05")],
        disease={"her2_ihc": "1+"}, attestations={"tdxd_candidate": False}),
     "E.2 met when not a T-DXd candidate", findings={"pathway.E": "met"})

# ---------------- 5. payers ----------------
case("p01_prescriber_not_oncologist",
     mk("monotherapy", REG3, attestations={"prescriber_is_oncologist": False}),
     "seed004 1.B 'prescribed by or in consultation with an oncologist' -> not met -> 004 not met; seed003 has no prescriber criterion",
     findings={"payer004.oncologist": "not_met", "payer004.overall": "not_met", "payer003.overall": "met"},
     statement_contains={"payer004.overall": "1 year", "payer004.oncologist": "in consultation with an oncologist"})
case("p02_prescriber_unknown",
     mk("monotherapy", REG3, attestations={"prescriber_is_oncologist": None}),
     "attestation missing -> 004 unknown",
     findings={"payer004.oncologist": "unknown", "payer004.overall": "unknown"},
     finding_missing={"payer004.oncologist": ["attestations.prescriber_is_oncologist"]})
case("p03_locally_advanced_primary",
     mk("with_capecitabine", [reg(["doxorubicin", "cyclophosphamide"], "neoadjuvant", "2026-03-02", "2026-05-04", "2026-05-01"),
                              reg("paclitaxel", "neoadjuvant", "2026-05-18", "2026-08-03", "2026-08-01")],
        disease={"extent": "locally_advanced"}),
     "progression during neoadjuvant AC and paclitaxel -> both resistant -> label combination met (locally advanced is in the label); seed003 I 'metastatic or locally advanced' met; seed004 1.A 'recurrent or metastatic' -> primary locally advanced is neither -> not met",
     resistance=RES2,
     findings={"label.combination": "met", "payer003.diagnosis": "met", "payer004.recurrent_metastatic": "not_met",
               "payer004.overall": "not_met"})
case("p04_early_disease",
     mk("monotherapy", REG3, disease={"extent": "early"}),
     "early disease: neither metastatic/locally advanced (003 I) nor recurrent/metastatic (004 1.A)",
     findings={"payer003.diagnosis": "not_met", "payer003.overall": "not_met",
               "payer004.recurrent_metastatic": "not_met", "payer004.overall": "not_met"})
case("p05_004_ignores_label_and_labs",
     mk("monotherapy", [], no_prior_systemic_therapy=True, labs={"neutrophils": cnt(1200)}),
     "seed004 approves for recurrent/metastatic disease with an oncologist; no indication or lab criterion -> met; seed003: no A-F indication, neutrophils < 1500 -> not met",
     findings={"payer004.overall": "met", "payer003.not_excluded": "not_met", "payer003.overall": "not_met",
               "label.monotherapy": "not_met", "exclusion.neutrophils": "met"},
     blocking=["exclusion.neutrophils"])
case("p06_003_hepatic_only_for_cape",
     mk("monotherapy", REG3, labs={"bilirubin": uln(1.5, 1.2, "mg/dL")}),
     "seed003 'may not be approved' II is for combination with capecitabine only; monotherapy with bilirubin 1.25x -> not excluded; dose row 2 (32 mg/m2)",
     findings={"payer003.not_excluded": "met", "payer003.overall": "met", "exclusion.hepatic_combination": "not_met"},
     dose={"mg_per_m2": 32})
case("p07_003_hepatic_with_cape",
     mk("with_capecitabine", REG2, labs={"bilirubin": uln(1.5, 1.2, "mg/dL")}),
     "seed003 II: with capecitabine and bilirubin > 1 x ULN -> may not be approved",
     findings={"payer003.not_excluded": "not_met", "payer003.overall": "not_met"}, blocking=["exclusion.hepatic_combination"])

# ---------------- 6. capecitabine window / monotherapy ----------------
CX_END = reg("capecitabine", "metastatic", "2026-01-05", "2026-06-01", "2026-07-27")
CX_LATE = reg("capecitabine", "metastatic", "2026-01-05", "2026-06-01", "2026-07-28")
case("x01_cape_window_exact_end",
     mk("monotherapy", [R_A, R_T, CX_END]),
     "facts §2: within 8 weeks [verify]; 1 Jun + 56 days = 27 Jul inclusive -> resistant, unverified; monotherapy met resting on it",
     resistance=RES3, regimens=[("capecitabine", 2, "resistant", "metastatic", "2026-07-27")],
     regimen_confidence={("capecitabine", 2): "unverified"},
     findings={"label.monotherapy": "met"}, unverified_basis_nonempty=["label.monotherapy"])
case("x02_cape_window_one_day_after",
     mk("monotherapy", [R_A, R_T, CX_LATE]),
     "28 Jul is one day after the 8-week window -> not resistant -> monotherapy not met; A (3 lines since dx) met",
     resistance={"capecitabine": "not_resistant"}, regimens=[("capecitabine", 2, "not_resistant", "metastatic", "2026-07-27")],
     findings={"label.monotherapy": "not_met", "label.combination": "met", "pathway.A": "met"})
case("x03_mono_cape_not_exposed",
     mk("monotherapy", REG2),
     "PI §1 monotherapy needs resistance to capecitabine; never given -> not met; combination label met (not the plan)",
     resistance=RES2, findings={"label.monotherapy": "not_met", "label.combination": "met"},
     applies={"label.monotherapy": True, "label.combination": False})
case("x04_cape_adjuvant_recurrence",
     mk("monotherapy", [reg(["doxorubicin", "cyclophosphamide"], "neoadjuvant", "2024-06-01", "2024-08-10"),
                        reg("paclitaxel", "neoadjuvant", "2024-08-24", "2024-11-20"),
                        reg("capecitabine", "adjuvant", "2025-01-06", "2025-06-30", "2025-08-01")]),
     "facts §2 gives no adjuvant window for capecitabine ('—'); recurrence 32 days after adjuvant capecitabine -> no source decides -> unknown, left to the clinician",
     resistance={"capecitabine": "unknown"}, regimens=[("capecitabine", 2, "unknown", "early", None)])

# ---------------- 7. names ----------------
case("n01_brands_ellence_taxotere_xeloda",
     mk("monotherapy", [reg("Ellence", "adjuvant", "2022-01-10", "2022-03-14", "2022-08-01"),
                        reg("Taxotere", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02"),
                        reg("xeloda", "metastatic", "2023-01-23", "2023-06-30", "2023-06-20")]),
     "Ellence = epirubicin (anthracycline), Taxotere = docetaxel, Xeloda = capecitabine (lower case) -> all resistant -> monotherapy met",
     resistance=RES3, findings={"label.monotherapy": "met"}, data_notes_empty=True)
case("n02_brands_doxil_abraxane",
     mk("with_capecitabine", [reg("Doxil", "metastatic", "2024-01-10", "2024-05-01", "2024-07-15"),
                              reg("Abraxane", "metastatic", "2024-07-29", "2025-01-10", "2025-05-09")]),
     "Doxil = liposomal doxorubicin: 1 May + 3 mo = 1 Aug >= 15 Jul -> resistant; Abraxane = nab-paclitaxel: 10 Jan + 4 mo = 10 May >= 9 May -> resistant",
     resistance=RES2, regimens=[("anthracycline", 0, "resistant", "metastatic", "2024-08-01"),
                                ("taxane", 1, "resistant", "metastatic", "2025-05-10")],
     findings={"label.combination": "met"}, data_notes_empty=True)
case("n04_TC_no_anthracycline",
     mk("with_capecitabine", [reg("TC", "adjuvant", "2024-09-01", "2024-11-20", "2025-06-01")]),
     "TC = docetaxel + cyclophosphamide: taxane only; 20 Nov + 12 mo covers 1 Jun -> taxane resistant; anthracycline not exposed -> combination not met (no contraindication)",
     resistance={"anthracycline": "not_exposed", "taxane": "resistant", "capecitabine": "not_exposed"},
     findings={"label.combination": "not_met"}, data_notes_empty=True)
case("n05_TC_with_anthracycline_contraindicated",
     mk("with_capecitabine", [reg("TC", "adjuvant", "2024-09-01", "2024-11-20", "2025-06-01")],
        attestations={"anthracycline_contraindicated": True}),
     "taxane-resistant with further anthracycline contraindicated -> combination label met",
     findings={"label.combination": "met"})
case("n06_unrecognised_agent",
     mk("monotherapy", [R_A, reg("Zorblatin", "metastatic", "2023-02-01", "2023-08-01", "2023-07-15")]),
     "unrecognised name -> data note; taxane and capecitabine unknown (no recognised regimen of class but an unrecognised name); anthracycline resistant",
     resistance={"anthracycline": "resistant", "taxane": "unknown", "capecitabine": "unknown"},
     findings={"label.monotherapy": "unknown", "label.combination": "unknown"},
     lines={"metastatic_all": (1, 1), "metastatic_nonendocrine": (0, 1)}, data_notes_nonempty=True)

# ---------------- further names, medications, warnings and J9207 rounding ----------------
case("n07_brands_adriamycin_taxol_xeloda",
     mk("monotherapy", [reg("Adriamycin", "adjuvant", "2022-01-10", "2022-03-14", "2022-08-01"),
                        reg("Taxol", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02"),
                        reg("XELODA", "metastatic", "2023-01-23", "2023-06-30", "2023-06-20")]),
     "Adriamycin = doxorubicin, Taxol = paclitaxel, XELODA upper case -> all resistant",
     resistance=RES3, data_notes_empty=True)
case("n08_nab_paclitaxel_generic",
     mk("with_capecitabine", [R_A, reg("nab-paclitaxel", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02")]),
     "nab-paclitaxel (generic of Abraxane) = taxane", resistance=RES2, data_notes_empty=True)
case("m01_biaxin_brand",
     mk("monotherapy", REG3, history={"medications": ["Biaxin 500 mg bid"]}),
     "Biaxin = clarithromycin (strong inhibitor, listed in facts §8)",
     findings={"warning.cyp3a4_inhibitor": "met"}, dose={"mg_per_m2": 20})
case("m02_paxlovid",
     mk("monotherapy", REG3, history={"medications": ["Paxlovid (nirmatrelvir/ritonavir)"]}),
     "contains ritonavir (facts §8 strong inhibitor)",
     findings={"warning.cyp3a4_inhibitor": "met"}, dose={"mg_per_m2": 20})
case("m03_rifaximin_not_classified",
     mk("monotherapy", REG3, history={"medications": ["rifaximin 550 mg bid"]}),
     "rifaximin is in none of facts §8's lists and not in the dictionary: open-world -> the CYP3A4 checks are "
     "unknown (never 'not present'), and the dose depends on it",
     findings={"warning.cyp3a4_inducer": "unknown", "warning.cyp3a4_inhibitor": "unknown"}, warnings=[])
case("m04_tegretol_brand",
     mk("monotherapy", REG3, history={"medications": ["Tegretol 200 mg"]}),
     "Tegretol = carbamazepine (strong inducer)", findings={"warning.cyp3a4_inducer": "met"})
case("m05_meds_not_recorded",
     mk("monotherapy", REG3, history={"medications": None}),
     "medication list not recorded -> CYP3A4 warnings unknown",
     findings={"warning.cyp3a4_inhibitor": "unknown", "warning.cyp3a4_inducer": "unknown"})
case("m06_meds_empty",
     mk("monotherapy", REG3, history={"medications": []}),
     "empty list = none -> not met",
     findings={"warning.cyp3a4_inhibitor": "not_met", "warning.cyp3a4_inducer": "not_met"}, warnings=[])
case("w13_male_pregnancy_null",
     mk("monotherapy", REG3, patient={"sex": "male", "pregnant": None, "breastfeeding": None}),
     "male patient: pregnancy/breastfeeding not applicable -> not met (not unknown)",
     findings={"warning.pregnancy": "not_met", "warning.breastfeeding": "not_met"})
case("w14_prior_reaction_unknown",
     mk("monotherapy", REG3, history={"prior_ixabepilone_reaction": None}),
     "not recorded -> warning unknown",
     findings={"warning.prior_ixabepilone_reaction": "unknown"})
case("w16_history_false_but_paclitaxel_grade3",
     mk("monotherapy", [R_A, dict(R_T, stop_reason="hypersensitivity", hypersensitivity_grade=3), R_X]),
     "history says no Cremophor hypersensitivity, regimen records a grade 3 paclitaxel reaction -> contraindication (conservative)",
     findings={"exclusion.cremophor": "met"})
case("d17_j9207_units_60_02",
     mk("monotherapy", REG3, patient={"height_cm": 150, "weight_kg": 54.036}),
     "BSA 1.5005 -> 60.02 mg shown as 60.0 -> 60 units (1 per mg of the shown dose, rounded up)",
     dose={"dose_mg": 60.0, "hcpcs_units": 60})
case("d18_j9207_units_60_06",
     mk("monotherapy", REG3, patient={"height_cm": 150, "weight_kg": 54.108}),
     "BSA 1.5015 -> 60.06 mg shown as 60.1 -> 61 units; vials 45 + 2 x 15 (75, waste 14.9) vs 45+45 (90)",
     dose={"dose_mg": 60.1, "hcpcs_units": 61, "vials": [(45, 1), (15, 2)]})
case("w17_abraxane_grade3_history_unknown",
     mk("monotherapy", [R_A, reg("Abraxane", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02", stop_reason="hypersensitivity", hypersensitivity_grade=3), R_X],
        history={"cremophor_hypersensitivity": None}),
     "nab-paclitaxel contains no Cremophor EL -> its grade 3 reaction is not a Cremophor reaction; with the history flag unknown the exclusion stays unknown (history not stated) or not_met - NOT met",
     findings_not={"exclusion.cremophor": "met"})
case("w18_taxol_grade3_history_unknown",
     mk("monotherapy", [R_A, reg("Taxol", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02", stop_reason="hypersensitivity", hypersensitivity_grade=4), R_X],
        history={"cremophor_hypersensitivity": None}),
     "Taxol (Cremophor EL paclitaxel) grade 4 reaction -> severe Cremophor hypersensitivity -> contraindicated",
     findings={"exclusion.cremophor": "met"}, blocking=["exclusion.cremophor"])
case("w19_docetaxel_grade3_history_unknown",
     mk("monotherapy", [R_A, reg("Taxotere", "metastatic", "2022-08-15", "2023-01-09", "2023-01-02", stop_reason="hypersensitivity", hypersensitivity_grade=3), R_X],
        history={"cremophor_hypersensitivity": None}),
     "docetaxel (polysorbate 80) reaction is not a Cremophor reaction -> NOT met",
     findings_not={"exclusion.cremophor": "met"})


# --- the check ------------------------------------------------------------------------------

_NUM_TOL = {"cape_mg": 1.0}


@pytest.mark.parametrize("cs", CASES, ids=[c["id"] for c in CASES])
def test_independent_case_2(cs: dict[str, Any]) -> None:
    a = assess(parse_consult(json.dumps(cs["consult"])), as_of=date.fromisoformat(cs["as_of"]))
    ctx = f"{cs['id']}: {cs['why']}"

    for cls, want in cs.get("resistance", {}).items():
        r = a.resistance_for(cls)
        assert r.result == want, f"{ctx}\nresistance {cls}: {r.summary}"
    assert_regimen_rows_and_findings(a, cs, ctx)
    for fid, bad in cs.get("findings_not", {}).items():
        f = a.finding(fid)
        assert f.state != bad, f"{ctx}\n{fid}: {f.summary}"
    for fid, want in cs.get("applies", {}).items():
        assert a.finding(fid).applies_to_plan is want, f"{ctx}\n{fid} applies_to_plan"
    for fid, fields in cs.get("finding_missing", {}).items():
        got = {m.field for m in a.finding(fid).missing}
        assert set(fields) <= got, f"{ctx}\n{fid} missing {got}"
    for fid in cs.get("unverified_basis_nonempty", []):
        assert a.finding(fid).unverified_basis, f"{ctx}\n{fid}: unverified basis not shown"
    for fid, text in cs.get("statement_contains", {}).items():
        f = a.finding(fid)
        assert text in f.statement or text in f.title, f"{ctx}\n{fid}: {f.title} / {f.statement}"

    if "blocking" in cs:
        assert sorted(a.blocking) == sorted(cs["blocking"]), f"{ctx}\nblocking {a.blocking}"
    if "warnings" in cs:
        assert sorted(a.warnings) == sorted(cs["warnings"]), f"{ctx}\nwarnings {a.warnings}"
    lines = {lc.kind: lc for lc in a.lines}
    for kind, (lo, hi) in cs.get("lines", {}).items():
        assert (lines[kind].minimum, lines[kind].maximum) == (lo, hi), f"{ctx}\nlines {kind}"
    if cs.get("data_notes_empty"):
        assert a.data_notes == [], f"{ctx}\ndata notes {a.data_notes}"
    if cs.get("data_notes_nonempty"):
        assert a.data_notes, f"{ctx}\nno data note"

    d = a.dose
    for key, want in cs.get("dose", {}).items():
        if key == "vials":
            assert [(v.size_mg, v.count) for v in d.vials] == want, f"{ctx}\nvials {d.vials}"
        elif key == "cape_mg":
            assert d.capecitabine is not None, ctx
            assert d.capecitabine.mg_per_dose == pytest.approx(want, abs=_NUM_TOL[key]), f"{ctx}\ncapecitabine"
        elif isinstance(want, float | int) and not isinstance(want, bool):
            got = getattr(d, key)
            assert got is not None and got == pytest.approx(want, abs=0.00051), f"{ctx}\ndose.{key}={got}: {d.summary}"
        else:
            assert getattr(d, key) == want, f"{ctx}\ndose.{key}: {d.summary}"
    for key, want in cs.get("cape", {}).items():
        assert d.capecitabine is not None, ctx
        if key == "schedule_contains":
            for text in want:
                assert text in d.capecitabine.schedule, f"{ctx}\nschedule {d.capecitabine.schedule}"
        else:
            assert getattr(d.capecitabine, key) == pytest.approx(want), f"{ctx}\ncapecitabine {key}"
    for text in cs.get("notes_contain", []):
        assert any(text in n for n in d.notes), f"{ctx}\nnotes {d.notes}"
    if "premed_ids" in cs:
        assert [p.id for p in d.premedication] == cs["premed_ids"], f"{ctx}\npremedication"
    if "premed_has_steroid" in cs:
        steroid = [p for p in d.premedication if p.required and "dexamethasone" in p.drug.lower()]
        assert bool(steroid) is cs["premed_has_steroid"], f"{ctx}\npremedication {d.premedication}"
        if steroid:
            assert "20 mg" in steroid[0].dose, ctx
    if d.state == "computed" and d.dose_mg is not None:
        # arithmetic consistency: mg = mg/m2 x BSA used; 1 unit of J9207 per mg of the shown dose, rounded up
        assert d.dose_mg == pytest.approx(d.mg_per_m2 * d.bsa_used_m2, abs=0.05), ctx
        assert d.hcpcs_units == -(-round(d.dose_mg * 10) // 10), ctx
        assert d.hcpcs_code == "J9207", ctx
        assert d.vial_total_mg >= d.dose_mg, ctx
        assert d.bsa_used_m2 == pytest.approx(min(d.bsa_m2, 2.2)), ctx
        assert d.bsa_capped is (d.bsa_m2 > 2.2), ctx
