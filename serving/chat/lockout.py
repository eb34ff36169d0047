"""Password tries, counted per persona and per requester on every channel.

A requester is whoever is guessing: an IP address on the web and the HTTP API,
the platform user on Messenger. The count lives in the database, so a new
session, another channel or another server process never starts it again; and
because it is per requester, the owner (from their own address) still gets in
while an attacker is locked out.

A try is charged *before* the password is checked, in one atomic UPDATE, so even
guesses sent all at once from many connections get no more than
`MAX_PASSWORD_ATTEMPTS` checks; a right password gives the charge back. The slow
argon2 check runs with no transaction open.
"""

from __future__ import annotations

import enum
import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, literal, or_, select, update

from serving.db import Database, insert_once
from serving.models import PasswordAttempts, Persona, UTCDateTime, utcnow
from serving.personas import check_password

log = logging.getLogger(__name__)

MAX_PASSWORD_ATTEMPTS = 5
# How long a lock-out lasts; wrong passwords older than this are forgotten too.
LOCKOUT = timedelta(minutes=15)


class Verdict(enum.StrEnum):
    """What became of one password try."""

    RIGHT = "right"
    WRONG = "wrong"
    WRONG_LOCKED = "wrong_locked"  # wrong, and it was the last try: now locked
    LOCKED = "locked"  # not checked: locked out until `retry_after_s` passes


@dataclass(frozen=True)
class PasswordTry:
    """The verdict, and how long to wait when locked."""

    verdict: Verdict
    retry_after_s: int = 0

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, at least one (for people)."""
        return max(1, math.ceil(self.retry_after_s / 60))


def try_password(
    db: Database, persona: Persona, requester: str, password: str
) -> PasswordTry:
    """Check a password unless this requester is locked out of this persona."""
    if not persona.protected:
        return PasswordTry(Verdict.RIGHT)
    charged = _charge(db, persona.id, requester)
    if charged.verdict == Verdict.LOCKED:
        return charged
    if check_password(persona, password):
        _give_back(db, persona.id, requester)
        return PasswordTry(Verdict.RIGHT)
    # The password itself is never logged.
    log.info("wrong password for persona %s from %s", persona.name, requester)
    return charged


def _charge(db: Database, persona_id: int, requester: str) -> PasswordTry:
    """Count one try as failed until proven right; LOCKED if none is left."""
    now = utcnow()
    key = (
        PasswordAttempts.persona_id == persona_id,
        PasswordAttempts.requester == requester,
    )
    stale = or_(
        PasswordAttempts.window_started.is_(None),
        PasswordAttempts.window_started <= now - LOCKOUT,
    )
    with db.session() as session:
        insert_once(
            session,
            PasswordAttempts,
            {"persona_id": persona_id, "requester": requester, "failures": 0},
        )
        # Both databases evaluate every SET expression on the old row, and the
        # row stays locked (PostgreSQL) or the file (SQLite) until commit.
        counted = session.execute(
            update(PasswordAttempts)
            .where(
                *key,
                or_(
                    PasswordAttempts.locked_until.is_(None),
                    PasswordAttempts.locked_until <= now,
                ),
            )
            .values(
                failures=case((stale, 1), else_=PasswordAttempts.failures + 1),
                window_started=case(
                    (stale, literal(now, UTCDateTime())),
                    else_=PasswordAttempts.window_started,
                ),
                locked_until=None,
            )
            .returning(PasswordAttempts.failures)
            .execution_options(synchronize_session=False)
        ).first()
        if counted is None:
            until = session.scalar(select(PasswordAttempts.locked_until).where(*key))
            wait = (until - now).total_seconds() if until is not None else 0
            return PasswordTry(Verdict.LOCKED, max(1, math.ceil(wait)))
        if counted[0] < MAX_PASSWORD_ATTEMPTS:
            return PasswordTry(Verdict.WRONG)
        session.execute(
            update(PasswordAttempts)
            .where(*key)
            .values(failures=0, window_started=None, locked_until=now + LOCKOUT)
            .execution_options(synchronize_session=False)
        )
        return PasswordTry(Verdict.WRONG_LOCKED, int(LOCKOUT.total_seconds()))


def _give_back(db: Database, persona_id: int, requester: str) -> None:
    """A right password: forget this requester's failures on this persona."""
    with db.session() as session:
        session.execute(
            update(PasswordAttempts)
            .where(
                PasswordAttempts.persona_id == persona_id,
                PasswordAttempts.requester == requester,
            )
            .values(failures=0, window_started=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )
