"""Classify free-text medication lines against the criteria's medication dictionary (CYP3A4).

The PI's lists are examples, so the check is open-world: a line that names no dictionary entry is
*not recognised*, and every interaction check it could change stays unknown, naming the line. A
line that names several entries (a combination, or two drugs on one line) takes every class.
Dose, frequency and route text ("300 mg daily", "BID x5d", "po od") never stops a name matching:
names are matched as whole words anywhere in the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ixdesk.core.criteria import Confidence, Criteria, MedicationsFile, SourceRef

_APOSTROPHES = str.maketrans({"\u2019": None, "\u2018": None, "\u02bc": None, "`": None, "'": None, ".": None})


def fold_med(text: str) -> str:
    """Case, apostrophes (straight or typographic, as word processors insert them), dots and spacing
    do not distinguish drug names: "St. John’s Wort" and "St Johns wort" are one herb."""
    return " ".join(text.casefold().translate(_APOSTROPHES).split())


# Where one line lists two medications ("omeprazole, zzfoo"), each part must name an entry: one
# recognised drug must not vouch for an unknown one beside it. "/" is not a separator: it joins a
# dose ("300/100 mg") or a combination's components, which the product entry covers.
_SPLIT = re.compile(r"[,;+&]|\b(?:and|plus)\b")
# Words that are dose, frequency, route, form or salt, not a drug (RxNorm's names spell the form
# out: "omeprazole 20 MG Delayed Release Oral Capsule"): a part made only of these (and of numbers)
# names no medication ("omeprazole 20 mg, daily"), nor does what a recognised name leaves of a part. Any other word makes an unmatched part
# a medication that is not recognised, so a gap here errs towards "unknown", never "not present".
_DOSE_WORDS = frozenset("""
    mg mcg µg μg ug g gram grams ml l iu unit units mmol meq percent %
    tab tabs tablet tablets cap caps capsule capsules pill pills liquid syrup solution suspension
    injection infusion inj patch patches spray puff puffs drop drops sachet sachets dose doses
    shampoo cream ointment lotion gel foam lozenge lozenges suppository suppositories nasal vaginal
    daily once twice thrice three four times a an day days week weeks weekly month monthly night
    nightly morning evening bedtime noon hourly hours hour hrs hr h x every each per other alternate
    bid bd tid tds qid qds qd od om on mane nocte prn stat sos as needed required when if
    po iv im sc sq subcut sl pr oral orally by mouth intravenous intravenously subcutaneous topical
    inhaled with without food meals meal before after at in the of for to then or until
    current currently regular regularly usual long term short course ongoing continue continued
    extended release er xr sr cr mr modified slow boosted regimen
    delayed chewable disintegrating dispersible effervescent enteric coated film buccal sublingual rectal
    ophthalmic otic transdermal system inhalation inhaler powder metered actuation actuat injectable
    prefilled syringe syringes pen injector auto vial vials kit pack granules
    hydrochloride dihydrochloride hcl sodium maleate mesylate besylate citrate sulfate sulphate succinate
    tartrate fumarate acetate phosphate bromide hydrobromide monohydrate trihydrate anhydrous hyclate
    one two five six seven eight half quarter up upto max maximum take taking use apply directed
    breakfast lunch dinner supper afternoon empty stomach water fortnightly
""".split())
_INDICATION = re.compile(r"\b(?:for|prn)\b.*$")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Entry:
    """One classified drug of the dictionary, with the source and confidence of its class."""

    name: str
    class_id: str
    source: SourceRef
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Dictionary:
    """The dictionary compiled once per criteria set: one pattern, longest names first."""

    pattern: re.Pattern[str]
    # folded name, brand or alias -> (entries it stands for, unclassified components, as listed)
    names: dict[str, tuple[tuple[Entry, ...], tuple[str, ...], str]]


@dataclass(frozen=True, slots=True)
class Hit:
    """A dictionary entry named on a medication line."""

    entry: Entry
    via: str  # the name, brand or alias as the dictionary lists it


@dataclass(slots=True)
class MedLine:
    index: int
    text: str  # as typed (stripped)
    hits: list[Hit] = field(default_factory=list)
    # parts of the line that name no entry, or a product's components the dictionary does not classify
    unrecognised: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return {h.entry.class_id for h in self.hits}


_CACHE: dict[str, Dictionary] = {}


def dictionary(criteria: Criteria) -> Dictionary:
    hit = _CACHE.get(criteria.sha256)
    if hit is None:
        hit = _CACHE[criteria.sha256] = _compile(criteria.medications)
    return hit


def _compile(meds: MedicationsFile) -> Dictionary:
    names: dict[str, tuple[tuple[Entry, ...], tuple[str, ...], str]] = {}
    by_drug: dict[str, Entry] = {}
    for g in meds.groups:
        for d in g.drugs:
            entry = Entry(name=d.name, class_id=g.class_, source=g.source, confidence=g.confidence)
            by_drug[fold_med(d.name)] = entry
            for n in (d.name, *d.brands, *d.aliases):
                names[fold_med(n)] = ((entry,), (), n)
    for p in meds.products:
        entries = tuple(by_drug[fold_med(c)] for c in p.contains)
        for n in (p.name, *p.aliases):
            names[fold_med(n)] = (entries, tuple(p.unclassified), n)
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return Dictionary(pattern=re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)"), names=names)


def _naming_words(part: str) -> list[str]:
    """The words of a part that are not dose, frequency or route text."""
    return [w for w in _WORD.findall(part) if len(w) > 1 and w not in _DOSE_WORDS]


def _names_something(part: str) -> bool:
    """Whether a part of a line holds a word that is not dose, frequency or route text."""
    return bool(_naming_words(part))


def classify(medications: list[str], criteria: Criteria) -> list[MedLine]:
    """Each medication line with the entries it names and what in it is not recognised."""
    d = dictionary(criteria)
    out: list[MedLine] = []
    for i, raw in enumerate(medications):
        text = raw.strip()
        line = MedLine(index=i, text=text)
        folded = fold_med(text)
        if not folded:
            continue
        seen: set[str] = set()
        for m in d.pattern.finditer(folded):
            entries, unclassified, via = d.names[m.group(0)]
            for e in entries:
                if e.name not in seen:
                    seen.add(e.name)
                    line.hits.append(Hit(entry=e, via=via))
            line.unrecognised += [f"{text} (its {u} is not classified)" for u in unclassified]
        if not line.hits:
            line.unrecognised.append(text)
        else:
            # What is left of each part once its dictionary names are taken out must be dose text
            # only: "metformin (ketoconazol)" or "omeprazole/posaconazol" name a drug beside the one
            # recognised, and the recognised one must not vouch for it.
            parts = [p for p in _SPLIT.split(folded) if p and p.strip()]
            for part in parts:
                # what follows "for" or "prn" beside a recognised name is what it is taken for
                # ("omeprazole (for reflux)", "ondansetron prn nausea"), not another medication
                rest = _INDICATION.sub(" ", d.pattern.sub(" ", part)) if d.pattern.search(part) else part
                if _names_something(rest):
                    shown = part if rest == part else " ".join(_naming_words(rest))
                    line.unrecognised.append(f"{text} (“{shown.strip(' ()/')}”)")
        out.append(line)
    return out


@dataclass(frozen=True, slots=True)
class ClassCheck:
    """One interaction class over the whole list: met (hits), unknown (unrecognised) or not met."""

    class_id: str
    hits: list[str]  # the lines naming a drug of the class, as shown: "Genvoya (cobicistat)"
    unrecognised: list[str]  # what leaves the check open when there is no hit
    unverified: list[str]  # classifications the result rests on that are unverified

    @property
    def state(self) -> bool | None:
        return True if self.hits else (None if self.unrecognised else False)


def check_class(lines: list[MedLine], class_id: str) -> ClassCheck:
    hits: list[str] = []
    firm = False
    weak: list[str] = []
    for ln in lines:
        mine = [h for h in ln.hits if h.entry.class_id == class_id]
        if not mine:
            continue
        names = ", ".join(dict.fromkeys(h.entry.name for h in mine))
        shown = ln.text if all(fold_med(h.entry.name) in fold_med(ln.text) for h in mine) else f"{ln.text} ({names})"
        hits.append(shown)
        if any(h.entry.confidence != "unverified" for h in mine):
            firm = True
        else:
            weak += [h.entry.name for h in mine]
    unrecognised = [u for ln in lines for u in ln.unrecognised]
    if hits:
        unverified = [] if firm else [f"{', '.join(dict.fromkeys(weak))}: class from the FDA classification summary, not the PI's examples"]
    else:
        # "not present" rests on every recognised line's classification; unverified unless all are the PI's
        weak_lines = [ln.text for ln in lines if ln.hits and all(h.entry.confidence == "unverified" for h in ln.hits)]
        unverified = ([f"classification of {', '.join(weak_lines)} (FDA classification summary)"]
                      if weak_lines and not unrecognised else [])
    return ClassCheck(class_id=class_id, hits=hits, unrecognised=unrecognised, unverified=unverified)


def unrecognised_label(items: list[str]) -> str:
    """The to-do line shown wherever the unrecognised medications leave a result open."""
    return f"{'; '.join(items)}: not recognised: check for CYP3A4 interaction"
