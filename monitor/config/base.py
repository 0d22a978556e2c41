"""Building blocks every settings section shares: the strict Section base and durations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """Read '90', '90s', '5m', '24h', '7d', '2w' (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 24h, 7d)")
        number, unit = match.groups()
        seconds = float(number) * _UNIT_SECONDS[(unit or "s").lower()]
    if seconds != seconds:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 24h, 7d)")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # "99999999999d" or inf: past timedelta's range, not a crash
        raise ValueError(f"duration too long: {value!r}") from None


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Section(BaseModel):
    """A config table: unknown keys are errors (typos fail at load), defaults are validated."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
