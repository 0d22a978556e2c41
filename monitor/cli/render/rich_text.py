"""Terminal styling of snippets: the hits of a core `Snippet` in reverse video."""

from __future__ import annotations

from rich.text import Text

from monitor.core.snippet import Snippet


def highlighted(snip: Snippet, style: str = "bold reverse yellow") -> Text:
    """The snippet as rich Text with every hit span styled."""
    text = Text(snip.text)
    for start, end in snip.spans:
        text.stylize(style, start, end)
    return text
