"""Status and RAG words of imported plans mapped to the scale of docs/domain.md.

Plans rate actions in colours (RAG, BRAG) or words; both are read here. The colours
follow the tracker's own scale: grey not started, green on track, amber at risk, red
off track, blue assured (blue outline is "completed"). What the importer then does with
an assured action is its own rule (imports/planning.py), not this table's.
"""

from __future__ import annotations

import re

from actions.choices import Status

STATUS_WORDS: dict[str, str] = {}


def _words(status: str, *words: str) -> None:
    for word in words:
        STATUS_WORDS[word] = status


_words(
    Status.NOT_STARTED,
    "not started",
    "not yet started",
    "not commenced",
    "not yet commenced",
    "not begun",
    "yet to start",
    "to start",
    "grey",
    "gray",
)
_words(
    Status.ON_TRACK,
    "on track",
    "green",
    "g",
    "in progress",
    "ongoing",
    "on going",
    "started",
    "underway",
    "under way",
    "progressing",
    "on target",
    "on schedule",
    "in hand",
)
_words(
    Status.AT_RISK,
    "at risk",
    "amber",
    "a",
    "some slippage",
    "slipping",
    "slippage",
    "partially complete",
    "partially completed",
    "partially met",
    "partially achieved",
    "minor delay",
    "delayed minor",
)
_words(
    Status.OFF_TRACK,
    "off track",
    "red",
    "r",
    "not on track",
    "behind",
    "behind schedule",
    "delayed",
    "overdue",
    "not achieved",
    "not met",
    "not completed",
    "not complete",
    "missed",
)
_words(
    Status.COMPLETED,
    "completed",
    "complete",
    "done",
    "achieved",
    "met",
    "implemented",
    "finished",
    "delivered",
    "blue outline",
    "completed awaiting assurance",
    "complete awaiting assurance",
    "completed awaiting evidence",
)
_words(
    Status.ASSURED,
    "assured",
    "blue",
    "b",
    "verified",
    "signed off",
    "completed and assured",
    "complete and assured",
    "completed and verified",
    "completed and signed off",
    "embedded",
    "completed and embedded",
)
_words(
    Status.CLOSED,
    "closed",
    "withdrawn",
    "superseded",
    "cancelled",
    "canceled",
    "no longer required",
    "no longer applicable",
    "grey struck",
    "merged",
)
# The tracker's own labels ("On track", "Not started" ...) always read back.
for _status in Status:
    STATUS_WORDS[_status.label.lower()] = _status.value


def normalise_status_word(word: object) -> str:
    text = str(word).lower().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[_\-/]+", " ", text)
    text = re.sub(r"[^a-z0-9 ()]", "", text)
    return " ".join(text.split())


def read_status(word: object) -> str | None:
    """The docs/domain.md status a plan's word or colour means, or None when unknown.

    Tries the whole cell, then the part before a bracket or a dash ("Completed (see
    audit)", "Amber - awaiting policy")."""
    if word is None or not str(word).strip():
        return None
    text = normalise_status_word(word)
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    head = re.split(r"\(|\s-\s|:|;|,", str(word).lower(), maxsplit=1)[0]
    head = normalise_status_word(head)
    if head in STATUS_WORDS:
        return STATUS_WORDS[head]
    stripped = text.replace("(", " ").replace(")", " ")
    stripped = " ".join(stripped.split())
    return STATUS_WORDS.get(stripped)


def accepted_words() -> str:
    """For messages: the words a person may use, one example per status."""
    return "; ".join(
        f"{label} ({', '.join(examples)})"
        for label, examples in (
            ("Not started", ["Grey", "Not started"]),
            ("On track", ["Green", "On track", "In progress"]),
            ("At risk", ["Amber", "At risk"]),
            ("Off track", ["Red", "Off track", "Delayed"]),
            ("Completed", ["Complete", "Completed"]),
            ("Assured", ["Blue", "Assured"]),
            ("Closed", ["Closed", "Withdrawn"]),
        )
    )
