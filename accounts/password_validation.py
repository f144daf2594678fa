"""A password validator for the patterns that breached-password lists are full of.

Django's CommonPasswordValidator refuses the 20,000 most common passwords exactly; people
get round it with a capital and a number ("Password123!", "Summer2026!"). These rules
refuse the pattern rather than the single string. They are deliberately few and
explained to the user; nothing is sent over the network.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Words that breached passwords are built on: the classics, seasons, months, days, and
# the names people here would reach for first.
COMMON_WORDS = [
    "password",
    "passwd",
    "pass",
    "welcome",
    "letmein",
    "login",
    "admin",
    "administrator",
    "changeme",
    "default",
    "secret",
    "iloveyou",
    "love",
    "monkey",
    "dragon",
    "football",
    "sunshine",
    "princess",
    "master",
    "hello",
    "trustno",
    "test",
    "temp",
    "guest",
    "user",
    "qwerty",
    "abc",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "nhs",
    "nhsmail",
    "mail",
    "england",
    "london",
    "safeguarding",
    "tracker",
    "review",
]

# Letters people swap for look-alike digits and symbols ("P@ssw0rd").
LOOK_ALIKES = {
    "a": "a@4",
    "e": "e3",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s$5",
    "t": "t7+",
}

# Rows and columns of a UK keyboard, the alphabet and the digits, each also read backwards.
SEQUENCES = [
    "`1234567890-=",
    "qwertyuiop[]",
    "asdfghjkl;'#",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "qazwsxedcrfvtgbyhnujmikolp",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
]
SEQUENCES += [sequence[::-1] for sequence in SEQUENCES]
LONGEST_SEQUENCE = max(len(sequence) for sequence in SEQUENCES)


_COMMON_WORD_PATTERNS = [
    re.compile("".join(f"[{re.escape(LOOK_ALIKES.get(c, c))}]" for c in word), re.IGNORECASE)
    for word in COMMON_WORDS
]
MINIMUM_DIFFERENT_CHARACTERS = 5
MINIMUM_RUN = 3


def _is_common_words_only(password: str) -> bool:
    """True if the password is nothing but common words with digits and symbols between
    them ("Password123!", "P@ssw0rd2026", "Summer2026Winter", "NHS12345678")."""
    # reachable[i]: the first i characters split into words and separators. Worked out
    # position by position rather than with one big regex, which could backtrack for
    # ever on a long password.
    reachable = [False] * (len(password) + 1)
    reachable[0] = True
    for start in range(len(password)):
        if not reachable[start]:
            continue
        if not password[start].isalpha():
            reachable[start + 1] = True
        for pattern in _COMMON_WORD_PATTERNS:
            found = pattern.match(password, start)
            if found:
                reachable[found.end()] = True
    return reachable[-1]


def _is_keyboard_walk(password: str) -> bool:
    """True if the password is nothing but runs of 3 or more characters taken in order
    from a keyboard row or column, the alphabet or the digits, with other digits and
    symbols between them, and the runs make up at least half of it ("qwerty2026!",
    "1qaz2wsx3edc", "123qweasdzxc")."""
    text = password.lower()
    # covered[i]: the most characters that runs can cover in a split of the first i
    # characters into runs and separators; -1 if there is no such split.
    covered = [-1] * (len(text) + 1)
    covered[0] = 0
    for start in range(len(text)):
        if covered[start] < 0:
            continue
        if not text[start].isalpha():
            covered[start + 1] = max(covered[start + 1], covered[start])
        for end in range(start + MINIMUM_RUN, min(len(text), start + LONGEST_SEQUENCE) + 1):
            if not any(text[start:end] in sequence for sequence in SEQUENCES):
                break
            covered[end] = max(covered[end], covered[start] + end - start)
    return covered[-1] * 2 >= len(text) > 0


def _is_repeated(password: str) -> bool:
    """True for few different characters, or one piece said twice or more ("abcabcabc")."""
    # A string is a repetition exactly when it occurs inside itself doubled, less the ends.
    return (
        len(set(password)) < MINIMUM_DIFFERENT_CHARACTERS or password in (password + password)[1:-1]
    )


class BreachedPatternValidator:
    """Refuses passwords that follow the patterns of breached-password lists: common words
    dressed up with digits and symbols, keyboard walks, and repetition."""

    def validate(self, password: str, user: object = None) -> None:
        if _is_repeated(password):
            raise ValidationError(
                "This password repeats the same few characters. Choose one that does not.",
                code="password_repeated",
            )
        if _is_common_words_only(password):
            raise ValidationError(
                "This password is a common word with numbers or symbols added, a pattern "
                "found in breached password lists. Try three or more random words instead.",
                code="password_common_pattern",
            )
        if _is_keyboard_walk(password):
            raise ValidationError(
                "This password follows a keyboard row or the alphabet, a pattern found in "
                "breached password lists. Try three or more random words instead.",
                code="password_keyboard_pattern",
            )

    def get_help_text(self) -> str:
        return (
            "Your password cannot be a common word with numbers or symbols added, a keyboard "
            "pattern or the same few characters repeated."
        )
