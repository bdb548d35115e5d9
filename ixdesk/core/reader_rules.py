"""The rule ids a reader (report, panel) names directly, checked to exist when the criteria load.

A reader that asks for a rule by id printed an empty threshold when the rule had been renamed in
the YAML. Every such id is listed here, and ``load_criteria`` refuses a set that lacks one, naming
the file where the rule is expected and the line of its rule list.
"""

from __future__ import annotations

# rule id -> the criteria file that is expected to define it
READER_RULES: dict[str, str] = {
    # the nurse checklist prints the liver limits of these two contraindications
    "exclusion.hepatic_monotherapy": "exclusions.yaml",
    "exclusion.hepatic_combination": "exclusions.yaml",
}
