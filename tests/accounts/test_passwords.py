"""Passwords: long ones welcome, short, common, numeric, personal and breached-pattern ones
refused, each with a reason (security issue, item 2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError

from tests import factories

pytestmark = pytest.mark.django_db

PASSPHRASE = "ruby kettle harbour spoon"


def refusals(password: str, user=None) -> set[str | None]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_it_accepts_a_passphrase_of_random_words():
    assert refusals(PASSPHRASE) == set()


@pytest.mark.parametrize("length", [64, 100, 128, 200])
def test_it_accepts_long_passwords(length):
    words = "plover marmalade tundra quince lantern brook "
    password = (words * 10)[:length]
    assert len(password) == length
    assert refusals(password) == set()


def test_a_100_character_password_can_be_set_and_used():
    person = factories.user("long.password")
    password = ("plover marmalade tundra quince lantern brook " * 3)[:100]
    form = SetPasswordForm(person, {"new_password1": password, "new_password2": password})
    assert form.is_valid(), form.errors
    form.save()
    person.refresh_from_db()
    assert person.check_password(password)


def test_it_refuses_a_password_shorter_than_12_characters():
    assert refusals("kettle-moss") == {"password_too_short"}
    assert refusals("kettle-moss!") == set()


def test_it_reads_the_minimum_length_from_settings(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 16},
        }
    ]
    assert refusals("kettle-moss-bay") == {"password_too_short"}


def test_it_refuses_a_common_password():
    assert "password_too_common" in refusals("international")


def test_it_refuses_an_entirely_numeric_password():
    assert "password_entirely_numeric" in refusals("839201748392")


def test_it_refuses_a_password_like_the_persons_own_details():
    person = factories.user("margaret.okonkwo", first_name="Margaret", last_name="Okonkwo")
    assert "password_too_similar" in refusals("margaret.okonkwo1", person)


@pytest.mark.parametrize(
    "password",
    [
        "Password123!",
        "P@ssw0rd2026!",
        "Summer2026!!",
        "Welcome1Friday!",
        "NHS123456789",
        "nhsmail2026!",
        "Winter2025Summer2026",
        "Safeguarding2026",
        "0ctober-2026!",
    ],
)
def test_it_refuses_a_common_word_with_digits_and_symbols_added(password):
    assert "password_common_pattern" in refusals(password)


@pytest.mark.parametrize(
    "password", ["qwertyuiop12", "1qaz2wsx3edc", "Asdfgh2026!!", "123qweasdzxc", "q1w2e3r4t5y6"]
)
def test_it_refuses_a_keyboard_walk(password):
    assert "password_keyboard_pattern" in refusals(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abcabcabcabc", "kettlemosskettlemoss"])
def test_it_refuses_repeated_characters(password):
    assert "password_repeated" in refusals(password)


@pytest.mark.parametrize(
    "password", ["xyz839201746", "Jabberwocky-Tuesday-Ostrich", "mango-lorry-kettle-42"]
)
def test_it_does_not_mistake_a_strong_password_for_a_pattern(password):
    assert refusals(password) == set()


def test_it_checks_a_very_long_password_quickly():
    import time

    started = time.perf_counter()
    for password in ["7357" * 2500 + "X", "a" * 9999 + "b", "qwer" * 2500 + "Z"]:
        refusals(password)
    assert time.perf_counter() - started < 2


def test_it_tells_people_the_rules_before_they_choose():
    help_text = " ".join(password_validators_help_texts())
    assert "at least 12 characters" in help_text
    assert "keyboard pattern" in help_text
