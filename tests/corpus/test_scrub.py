"""Scrubbing personal data: a table per kind, the numbers that stay, blocked phrases."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus import (
    PLACEHOLDERS,
    Message,
    PrivacySettings,
    PrivacySettingsError,
    build_corpus,
    read_block_file,
    render_placeholders,
    scrub_text,
    write_messages,
)
from serving.cli import main

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def scrubbed(text: str) -> tuple[str, Counter[str]]:
    """The text as a reply would show it after scrubbing, and what was replaced."""
    counts: Counter[str] = Counter()
    return render_placeholders(scrub_text(text, counts=counts)), counts


# One table per kind: (text, what a reply would show once it is scrubbed).
REPLACED = {
    "phone": [
        ("call me at (415) 555-2671", "call me at [phone number]"),
        ("415 555 2671", "[phone number]"),
        ("tel: +1 415 555 2671", "tel: [phone number]"),
        ("my number is 0171 1234567!", "my number is [phone number]!"),
        ("030/1234567", "[phone number]"),
        ("06 12 34 56 78", "[phone number]"),
        ("+44 20 7946 0958 anytime", "[phone number] anytime"),
        ("0044 20 7946 0958", "[phone number]"),
        ("+81 90-1234-5678", "[phone number]"),  # any country with its code
        ("ring +33 6 12 34 56 78 tonight", "ring [phone number] tonight"),
    ],
    "email": [
        ("mail me: jane.doe+x@example.co.uk.", "mail me: [e-mail]."),
        ("Bob.Smith@Mail.COM", "[e-mail]"),
        ("écris à zoé@exemple.fr", "écris à [e-mail]"),
    ],
    "url": [
        ("see https://example.com/a?b=1.", "see [link]."),
        ("(http://foo.org/x)", "([link])"),
        ("www.foo.org, ok", "[link], ok"),
        ("docs.google.com/d/xyz123", "[link]"),
        ("https://bob:pw@host.net/p?id=123456", "[link]"),
    ],
    "card": [  # Luhn-checked
        ("card 4111 1111 1111 1111 thanks", "card [card number] thanks"),
        ("4111-1111-1111-1111", "[card number]"),
        ("5500005555555559", "[card number]"),
        ("amex 3782 822463 10005", "amex [card number]"),
    ],
    "iban": [  # mod-97-checked
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [bank account] thanks"),
        ("GB82WEST12345698765432", "[bank account]"),
        ("BE68 5390 0754 7034 is mine", "[bank account] is mine"),
    ],
    "code": [
        ("the code is 482913", "the code is [number]"),
        ("order #12345678", "order #[number]"),
        ("passport AB1234567", "passport AB[number]"),
        ("ref 4111111111111112", "ref [number]"),  # fails Luhn: a long run
    ],
}


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [(kind, text, shown) for kind, rows in REPLACED.items() for text, shown in rows],
)
def test_personal_data_is_replaced_by_its_kind(
    kind: str, text: str, expected: str
) -> None:
    assert scrubbed(text) == (expected, Counter({kind: 1}))


@pytest.mark.parametrize(
    "text",
    [
        "at 10:30",
        "see you at 7pm",
        "it's $12.50",
        "3€ each",
        "1 500 € a month",
        "$1,000,000",
        "€1500000",
        "1500000 USD",
        "back in 1999",
        "2024 was long",
        "1999-2024",
        "2019 2020 2021",
        "on 15/01/2024",
        "on 2024-01-15 10:30",
        "born 12.03.1985",
        "12 cats and 3 dogs",
        "room 4521 floor 12",
        "we won 3-2",
        "final score 102-98",
        "pin 1234",
        "12345 steps",
        "pi is 3.14159265",
        "50% off",
        "5 6 7 8 9 10 11",
        "10 000 000 people",
        "version 2.0.1",
        "call 911",
        "4111 1111 1111 1112",  # grouped like a card, fails Luhn
        "user@localhost",
        "e.g. at 9 a.m.",
    ],
)
def test_numbers_people_chat_about_stay(text: str) -> None:
    assert scrubbed(text) == (text, Counter())


def messages_with(*texts: str) -> list[Message]:
    """A conversation: Bob says each text, Ana answers 'ok'."""
    out = []
    for n, text in enumerate(texts):
        when = T0 + timedelta(minutes=2 * n)
        out.append(Message("t1", "Bob", when, text))
        out.append(Message("t1", "Ana", when + timedelta(minutes=1), "ok"))
    return out


def test_corpus_reports_how_many_of_each_kind_were_replaced(tmp_path: Path) -> None:
    built = build_corpus(
        messages_with(
            "call me at (415) 555-2671",
            "or mail bob@example.com",
            "code 482913 and https://x.io/a",
        ),
        tmp_path,
        me="Ana",
    )
    report = json.loads((tmp_path / "corpus.json").read_text())["privacy"]
    assert report["personal_data"] == "replaced"
    assert report["replaced"] == {
        "url": 1,
        "email": 1,
        "iban": 0,
        "card": 0,
        "phone": 1,
        "code": 1,
    }
    assert "555" not in built.train_text + built.val_text
    assert "bob@" not in built.train_text + built.val_text
    text = built.train_text + built.val_text
    assert PLACEHOLDERS["phone"] in text and PLACEHOLDERS["code"] in text


def test_a_literal_placeholder_in_an_export_is_not_one(tmp_path: Path) -> None:
    raw = f"look {PLACEHOLDERS['phone']} here"
    built = build_corpus(messages_with(raw, "fine"), tmp_path, me="Ana")
    text = built.train_text + built.val_text
    assert "look here" in text
    assert not any(char in text for char in PLACEHOLDERS.values())


def test_keep_personal_data_keeps_it_and_says_so(tmp_path: Path) -> None:
    settings = PrivacySettings(keep_personal_data=True)
    built = build_corpus(
        messages_with("call me at (415) 555-2671", "ok"), tmp_path, me="Ana",
        privacy=settings,
    )  # fmt: skip
    assert "(415) 555-2671" in built.train_text + built.val_text
    report = json.loads((tmp_path / "corpus.json").read_text())["privacy"]
    assert report["personal_data"] == "kept" and "replaced" not in report


def test_messages_holding_a_blocked_phrase_are_left_out(tmp_path: Path) -> None:
    blocks = tmp_path / "blocked.txt"
    blocks.write_text("# my block list\n\nProject Falcon\nsecretword\n")
    phrases = read_block_file(blocks)
    assert phrases == ("Project Falcon", "secretword")
    built = build_corpus(
        messages_with(
            "the project  falcon launch is friday",
            "SECRETWORD is the answer",
            "secretwords are fine",
            "nothing to see",
        ),
        tmp_path / "corpus",
        me="Ana",
        privacy=PrivacySettings(blocked=phrases),
    )
    text = built.train_text + built.val_text
    assert "falcon" not in text.lower() and "SECRETWORD" not in text
    assert "secretwords are fine" in text and "nothing to see" in text
    manifest = json.loads((tmp_path / "corpus" / "corpus.json").read_text())
    assert manifest["privacy"]["blocked_messages"] == 2


def test_unknown_phone_region_is_a_named_error() -> None:
    with pytest.raises(PrivacySettingsError, match="XX"):
        PrivacySettings(phone_regions=("US", "XX"))


def test_corpus_command_prints_what_it_did_with_personal_data(tmp_path: Path) -> None:
    source = tmp_path / "messages.jsonl"
    with open(source, "w", encoding="utf-8") as out:
        write_messages(messages_with("mail bob@example.com", "code 482913"), out)
    (tmp_path / "block.txt").write_text("nothing here\n")
    runner = CliRunner()
    done = runner.invoke(
        main,
        ["corpus", str(source), "-o", str(tmp_path / "c"), "--me", "Ana",
         "--block-file", str(tmp_path / "block.txt"), "--phone-region", "jp"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert (
        "privacy: personal data replaced: 0 url, 1 email, 0 iban, 0 card, 0 phone, "
        "1 code; 0 messages blocked" in done.output
    )
    kept = runner.invoke(
        main,
        ["corpus", str(source), "-o", str(tmp_path / "k"), "--me", "Ana",
         "--keep-personal-data"],
    )  # fmt: skip
    assert "privacy: personal data KEPT as it is; 0 messages blocked" in kept.output
    bad = runner.invoke(
        main, ["corpus", str(source), "-o", str(tmp_path / "b"), "--phone-region", "XX"]
    )
    assert bad.exit_code == 2 and "unknown phone regions: XX" in bad.output
