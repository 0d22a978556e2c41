"""Describe in words what one watchlist term matches, for `tgmon watchlist explain`.

Shows every form and ending rule per word of each spelling, the designation keys of a model
name (Ми-24), the spellings added in the other language and why, and where homographs block it.
"""

from __future__ import annotations

from pydantic import ValidationError

from monitor.core.errors import WatchlistError
from monitor.matching.matcher import Matcher
from monitor.matching.morphology import SUFFIXES
from monitor.matching.translit import latin_notes
from monitor.matching.watchlists import Rule, TermSpec, Watchlist


def explain_term(term: str | TermSpec) -> list[str]:
    """Describe what a term matches, one line per word of each spelling (for the CLI)."""
    try:
        spec = TermSpec(term=term) if isinstance(term, str) else term
    except ValidationError as exc:
        reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise WatchlistError(f"watchlist explain: {reason}") from None
    m = Matcher([Watchlist(name="explain", rules=(Rule(any=(spec,)),))])
    compiled = m._terms[0]
    lines = []
    for sequence in compiled.sequences:
        for number in sequence:
            pattern = m._patterns[number]
            line = ", ".join(sorted(pattern.forms))
            for stem, kind in sorted(pattern.stems):
                endings = ", ".join(sorted(e or "∅" for e in SUFFIXES[kind])[:12])
                line += f"; {stem}- + {{{endings}{', …' if len(SUFFIXES[kind]) > 12 else ''}}}"
            if pattern.homographs:
                other = ", ".join(f"{form} ({lang})" for form, lang in sorted(pattern.homographs))
                line += f"; not in posts in: {other}"
            if pattern.upper:
                line += "; only written in capitals"
            if pattern.capitalised:
                line += "; only capitalised"
            elif pattern.proper and pattern.context_start:
                line += (
                    "; only capitalised; as the first word of a sentence, only when the next "
                    "word is no lower-case noun or adjective (a common word of the same spelling)"
                )
            elif pattern.proper:
                line += "; only capitalised, not as the first word of a sentence"
            lines.append(line)
    if compiled.designations:
        keys = ", ".join(compiled.designations)
        lines.append(
            f"designation, matched as one unit (hyphen optional, never inflected): {keys}; "
            "also its variants with a letter suffix (Ми-24П)"
        )
    lines.extend(f"added: {reason}" for reason in compiled.added)
    if spec.translit and not spec.exact:
        lines.extend(f"added: {note}" for note in latin_notes(spec.spellings))
    return lines
