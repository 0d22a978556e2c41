"""Access hashes per Telegram account: each worker's account reads channels with its own.

Telegram issues a channel's access hash to one account; another account's is refused
(CHANNEL_INVALID / PEER_ID_INVALID). A worker stores the hash its account was given when it
first resolves the channel, and replaces it when Telegram refuses it. Account 0 holds a hash
kept before revision 0010, whose account nobody recorded: the first account it works for
claims it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from storage.models import ChannelAccess

UNKNOWN_ACCOUNT = 0  # the account of a hash stored before 0010
_access: Any = ChannelAccess.__table__  # type: ignore[attr-defined]


def access_hash(session: Session, channel_id: int, account_id: int) -> int | None:
    """This account's hash of the channel (None: it has none yet)."""
    return session.execute(
        select(_access.c.access_hash).where(
            _access.c.channel_id == channel_id, _access.c.account_id == account_id
        )
    ).scalar_one_or_none()


def has_access(session: Session, channel_id: int) -> bool:
    """Whether any account (or an unowned hash) can name the channel to Telegram."""
    found = session.execute(
        select(_access.c.account_id).where(_access.c.channel_id == channel_id).limit(1)
    ).first()
    return found is not None


def record_access(
    session: Session, channel_id: int, account_id: int, value: int, *, now: datetime
) -> None:
    """Store (or replace) this account's hash; an unowned hash equal to it is its, so it goes."""
    row = session.get(ChannelAccess, (channel_id, account_id))
    if row is None:
        session.add(
            ChannelAccess(
                channel_id=channel_id, account_id=account_id, access_hash=value, resolved_at=now
            )
        )
    else:
        row.access_hash = value
        row.resolved_at = now
    session.execute(
        delete(_access).where(
            _access.c.channel_id == channel_id,
            _access.c.account_id == UNKNOWN_ACCOUNT,
            _access.c.access_hash == value,
        )
    )
    session.flush()
