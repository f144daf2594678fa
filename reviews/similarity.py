"""How alike two recommendations are, from their wording alone (docs/repeated-learning.md).

TF-IDF over words (stemmed lightly, with one- and two-word terms), and the cosine of two
recommendations' vectors. A short list of the field's synonyms and abbreviations puts
the usual ways of saying the same thing into the same words first ("CPA", "Care
Programme Approach"), and a list of the learning that recurs nationally (CONCEPTS) adds
a term for each one a text speaks of, so that "ask about abuse at booking" and "routine
enquiry in GP practices" meet. Character n-grams were tried and dropped: on the labelled
set they lowered precision@5 (bench/bench_similarity.py).

Nothing here touches the database: `similar_pairs` takes texts and the review each one
belongs to, and returns the best matches in other reviews. The service in
reviews/services.py stores them; the benchmark in bench/bench_similarity.py measures
them on a labelled set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Scores are cosines in [0, 1]. Pairs below STORE_THRESHOLD are never kept; the page
# shows those at or above SHOW_THRESHOLD; a recommendation "made before" and a group of
# repeated learning need MATCH_THRESHOLD. Chosen on the labelled set
# (tests/data/similar_recommendations.yaml, bench/bench_similarity.py).
STORE_THRESHOLD = 0.1
SHOW_THRESHOLD = 0.15
MATCH_THRESHOLD = 0.2
# Groups of repeated learning join two recommendations only when each is among the
# other's GROUP_NEIGHBOURS closest at GROUP_THRESHOLD or above: looser links chain
# unrelated learning into one group (on the labelled set, 0.2 and any neighbour gave one
# group of 18 mixing two kinds of learning; these settings keep 98% of each group one
# learning).
GROUP_THRESHOLD = 0.25
GROUP_NEIGHBOURS = 3
# The best matches kept per recommendation: the page shows five; the groups of repeated
# learning are built from the rest.
KEEP_PER_RECOMMENDATION = 12
# Rows of the similarity matrix worked on at once: 1,000 x 10,000 float32 is 40 MB.
CHUNK = 1000

# The same thing said in different words, as reviews say it. Each phrase on the left is
# rewritten to the words on the right before anything is counted.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"\bgeneral practi(?:ce|tioner)s?\b", "gp"),
    (r"\bprimary care\b", "gp"),
    (r"\bgps\b", "gp"),
    (r"\bdomestic violence\b", "domestic abuse"),
    (r"\bdva\b", "domestic abuse"),
    (
        r"\b(?:ask|asking|asked) (?:\w+ ){0,3}about domestic abuse\b",
        "routine enquiry domestic abuse",
    ),
    (r"\bselective enquiry\b", "routine enquiry"),
    (r"\bmental health trusts?\b", "mental health services"),
    (r"\bcmhts?\b", "community mental health team"),
    (r"\bcpa\b", "care programme approach"),
    (r"\bmca\b", "mental capacity"),
    (r"\bmarac\b", "multi agency risk assessment conference"),
    (r"\bmash\b", "multi agency safeguarding hub"),
    (r"\bidvas?\b", "independent domestic violence adviser"),
    (r"\bthink[- ]family\b", "think family whole family"),
    (r"\bwhole[- ]family\b", "think family whole family"),
    (r"\bcarers?'s?\b", "carer"),
    (r"\bunpaid carers?\b", "carer"),
    (r"\bmulti[- ]agency\b", "multiagency"),
    (r"\bsharing information\b", "information sharing"),
    (r"\bshare information\b", "information sharing"),
    (r"\bcamhs\b", "child adolescent mental health services"),
    (r"\bed\b", "emergency department"),
    (r"\ba&e\b", "emergency department"),
    (r"\bsafeguarding adults reviews?\b", "sar"),
)
_SYNONYMS = [(re.compile(pattern), words) for pattern, words in SYNONYMS]

# Words every recommendation uses, which say nothing about what it is about.
_STOP_WORDS = """
    a about above after again all also an and any are as at be been before being both but
    by can could did do does doing each every for from further had has have having he her
    here him his how i if in into is it its itself just may me more most must my no nor not
    now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up
    upon very was we were what when where which while who whom why will with within would
    you your
    ensure ensures ensuring review reviews recommendation recommendations recommend
    recommends agency agencies organisation organisations partner partners partnership
    board boards staff practitioners professionals practitioner professional consider
    considers make makes made take taken use used using need needs needed new way ways
    appropriate appropriately relevant provide provides provided including include
    includes place put across local area areas system systems service services work
    works working
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# The learning the national analyses of SARs and DHRs find again and again, each with the
# words reviews use for it. A text that speaks of one gets the concept's token as well as
# its own words, so "ask about abuse at booking" and "routine enquiry in GP practices"
# meet even though they share only "abuse". Each rule needs all of its parts (regular
# expressions over the normalised text). Written from the field's vocabulary, not from
# any one review; see docs/repeated-learning.md for how to add one.
CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("conceptroutineenquiry", (r"\babuse\b", r"\b(?:ask|asked|asking|enquir\w*|question\w*)\b")),
    ("conceptroutineenquiry", (r"\broutine enquiry\b",)),
    ("conceptcarerassessment", (r"\bcarer\b", r"\bassess\w*\b")),
    ("conceptcarerassessment", (r"\bcarer\b", r"\b(?:needs|identif\w+|recognis\w+)\b")),
    (
        "conceptmhgpsharing",
        (r"\bgp\b", r"\b(?:mental health|psychiatr\w+|community mental health team)\b"),
    ),
    (
        "conceptthinkfamily",
        (
            r"\b(?:children|child|family|household|dependants)\b",
            r"\b(?:adult|parent\w*|client|patient|person)\b",
            r"\b(?:ask\w*|consider\w*|record\w*|think|see|approach)\b",
        ),
    ),
    ("conceptmentalcapacity", (r"\b(?:capacity|incapacity)\b",)),
    ("conceptselfneglect", (r"\bself[- ]neglect\w*\b|\bhoard\w*\b|\bneglects? their own\b",)),
    ("conceptmarac", (r"\b(?:marac|multi agency risk assessment conference|dash)\b",)),
    ("conceptmarac", (r"\bhigh[- ]risk\b", r"\brefer\w*\b")),
    (
        "concepttransition",
        (r"\b(?:transition\w*|adulthood|18th|turns? 18|at 18|aged 1[678]|at 16)\b",),
    ),
    (
        "conceptescalation",
        (r"\b(?:escalat\w+|professional curiosity|challenge|disagree\w*)\b",),
    ),
    (
        "conceptmissedappointments",
        (
            r"\b(?:missed appointments?|not brought|did not attend|was not brought|non[- ]attendance|missed \w+ appointments?|not brought to)\b",
        ),
    ),
    ("conceptmissedappointments", (r"\bappointments?\b", r"\b(?:miss\w*|attend\w*|brought)\b")),
    (
        "conceptdischargefamily",
        (r"\bdischarg\w+\b", r"\b(?:family|families|relatives|carer|parents)\b"),
    ),
)
_CONCEPTS = [(token, [re.compile(part) for part in parts]) for token, parts in CONCEPTS]
# What each recurring learning is called when a group of recommendations is offered as a
# theme.
CONCEPT_NAMES = {
    "conceptroutineenquiry": "routine enquiry about domestic abuse",
    "conceptcarerassessment": "carers' assessments",
    "conceptmhgpsharing": "information sharing between mental health services and GPs",
    "conceptthinkfamily": "think family",
    "conceptmentalcapacity": "mental capacity",
    "conceptselfneglect": "self-neglect",
    "conceptmarac": "MARAC referral",
    "concepttransition": "transition to adult services",
    "conceptescalation": "professional curiosity and escalation",
    "conceptmissedappointments": "missed appointments",
    "conceptdischargefamily": "families in discharge planning",
}
# How many times a concept's token counts: enough to outweigh a word or two in common.
CONCEPT_WEIGHT = 4

_WORD = re.compile(r"[a-z][a-z0-9]+")
_SUFFIXES = ("ments", "ment", "ings", "ing", "ions", "ion", "ies", "ed", "es", "s")


def normalise(text: str) -> str:
    """Lower case, with the field's synonyms and abbreviations written one way."""
    text = text.lower().replace("\u2019", "'")
    for pattern, words in _SYNONYMS:
        text = pattern.sub(words, text)
    return text


def _stem(word: str) -> str:
    """A light stem ("assessments" and "assessed" both "assess"), enough for short
    texts; no dictionary needed."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The content words of a text, stemmed: what the word vectors and group names count."""
    return [_stem(w) for w in _WORD.findall(normalise(text)) if w not in STOP_WORDS]


def concepts(text: str) -> list[str]:
    """The recurring learning (CONCEPTS) a text speaks of."""
    normal = normalise(text)
    return sorted(
        {token for token, parts in _CONCEPTS if all(part.search(normal) for part in parts)}
    )


def _analyse(text: str) -> list[str]:
    """Single words and adjacent pairs (after the stop words are gone), and the
    recurring learning the text speaks of."""
    found = words(text)
    return (
        found
        + [f"{a} {b}" for a, b in zip(found, found[1:], strict=False)]
        + concepts(text) * CONCEPT_WEIGHT
    )


@dataclass(frozen=True)
class Pair:
    """`source` (an index into the input) is like `target` (another) with this score."""

    source: int
    target: int
    score: float


def similar_pairs(
    texts: Sequence[str],
    groups: Sequence[int],
    *,
    keep: int = KEEP_PER_RECOMMENDATION,
    threshold: float = STORE_THRESHOLD,
) -> list[Pair]:
    """For each text, its `keep` most similar texts of another group (another review)
    scoring at least `threshold`, best first. A text is never paired with one of its own
    group: repetition within one review is not learning that came back."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return []
    vectors = TfidfVectorizer(
        analyzer=_analyse, sublinear_tf=True, min_df=1, dtype=np.float32
    ).fit_transform(texts)
    group_of = np.asarray(groups)
    pairs: list[Pair] = []
    for start in range(0, len(texts), CHUNK):
        stop = min(start + CHUNK, len(texts))
        scores = (vectors[start:stop] @ vectors.T).toarray()
        scores[group_of[start:stop, None] == group_of[None, :]] = 0
        count = min(keep, scores.shape[1] - 1)
        if count <= 0:
            continue
        best = np.argpartition(-scores, count, axis=1)[:, :count]
        for offset, row in enumerate(best):
            source = start + offset
            for target in sorted(row, key=lambda t: -scores[offset, t]):
                score = float(scores[offset, target])
                if score < threshold:
                    break
                pairs.append(Pair(source, int(target), round(score, 4)))
    return pairs


def group_name(texts: Sequence[str]) -> str:
    """A theme name for a group of similar recommendations: the recurring learning
    (CONCEPTS) most of them speak of; else the pair of content words most of them share,
    as the first one words it ("risk of harm"); else "similar recommendations"."""
    half = max(2, (len(texts) + 1) // 2)
    shared = Counter(token for text in texts for token in concepts(text))
    order = list(CONCEPT_NAMES)
    for token, count in sorted(shared.items(), key=lambda kv: (-kv[1], order.index(kv[0]))):
        if count >= half:
            return CONCEPT_NAMES[token]
    # Content-word pairs of each text (stop words between them skipped), stemmed.
    first = normalise(texts[0])
    spans: list[tuple[str, int, int]] = [
        (_stem(m.group()), m.start(), m.end())
        for m in _WORD.finditer(first)
        if m.group() not in STOP_WORDS
    ]
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        found = words(text)
        counts.update(set(zip(found, found[1:], strict=False)))
    best: tuple[int, int, str] | None = None
    for position, (a, b) in enumerate(zip(spans, spans[1:], strict=False)):
        count = counts[(a[0], b[0])]
        if count >= half and (best is None or count > best[0]):
            best = (count, position, first[a[1] : b[2]])
    return best[2] if best else "similar recommendations"
