"""The search query language: a pure parser to an AST, compiled to FTS5 MATCH or tsquery text.

    wagner                 a word, read as a watchlist reads a term (the search service
                           expands it: «Вагнер» finds «Вагнера», «вагнеровцы», "Wagner")
    =wagner                that word only (its own stem: inflections, no other forms)
    "колонна техники"      a phrase, its words in this order (each word expanded; ="…" not)
    a b   a AND b          both          a OR b     either
    NOT a   -a             exclude (needs a positive term beside it)
    беспилот*              prefix        ( … )      grouping
Precedence: NOT, then AND (also implied by a space), then OR. Operators are upper case;
lower-case "and"/"or"/"not" are ordinary words. Both compiled strings are passed to the
database as bound parameters; every term is quoted, so user input is never SQL or syntax.

A query is bounded (MAX_QUERY_CHARS, MAX_QUERY_WORDS, MAX_QUERY_DEPTH): a pasted article or
a thousand nested brackets is a QueryError in one line, not minutes of work or a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from monitor.core.errors import QueryError
from storage.stemming import stem, words

_OPERATORS = {"AND", "OR", "NOT"}
MAX_QUERY_CHARS = 2000
MAX_QUERY_WORDS = 64  # words of all terms and phrases together
MAX_QUERY_DEPTH = 20  # brackets inside brackets, plus NOTs in a row


# One more way to write a leaf: its index stems, and whether the last one is a prefix.
Alternative = tuple[tuple[str, ...], bool]


@dataclass(frozen=True)
class Leaf:
    """One word or a phrase (normalised words); `prefix` applies to the last word.

    `original` is the text as typed (case kept), which the search service reads to expand
    the leaf into `alternatives` (other forms, scripts and spellings); `literal` (`=word`)
    and prefix leaves are never expanded.
    """

    words: tuple[str, ...]
    prefix: bool = False
    literal: bool = False
    original: str = field(default="", compare=False)
    alternatives: tuple[Alternative, ...] = ()

    def stems(self) -> tuple[str, ...]:
        out = [stem(w) for w in self.words]
        if self.prefix:
            out[-1] = self.words[-1]  # a prefix is matched against stems as typed
        return tuple(out)

    def spellings(self) -> tuple[Alternative, ...]:
        """The leaf's own stems first, then each alternative: what the database looks up."""
        own: Alternative = (self.stems(), self.prefix)
        return tuple(dict.fromkeys((own, *self.alternatives)))


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Union[Leaf, Not, And, Or]  # noqa: UP007  (a runtime alias used before 3.12 syntax)


@dataclass(frozen=True)
class _Token:
    kind: str  # word | phrase | ( | ) | AND | OR | NOT
    text: str
    pos: int
    prefix: bool = False
    literal: bool = False


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    literal = False  # an `=` just before: the next word or phrase is taken as written
    while i < n:
        ch = query[i]
        if literal and (ch.isspace() or ch in "()=-"):
            raise QueryError(f"query: '=' at position {i} must be followed by a word or a phrase")
        if ch.isspace():
            i += 1
        elif ch == "=" and not literal:
            literal = True
            i += 1
            if i == n:
                raise QueryError(
                    f"query: '=' at position {i} must be followed by a word or a phrase"
                )
            continue
        elif ch in "()":
            tokens.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f"query: unclosed quote at position {i + 1}")
            prefix = query[end + 1 : end + 2] == "*"
            tokens.append(_Token("phrase", query[i + 1 : end], i + 1, prefix, literal))
            i = end + 2 if prefix else end + 1
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != "-":
            tokens.append(_Token("NOT", "-", i + 1))
            i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            raw = query[start:i]
            if raw in _OPERATORS and not literal:
                tokens.append(_Token(raw, raw, start + 1))
            elif words(raw):
                word = raw.rstrip("*")
                tokens.append(_Token("word", word, start + 1, raw.endswith("*"), literal))
            elif literal:
                raise QueryError(f"query: '=' at position {start} must be followed by a word")
            # a run of punctuation only (e.g. ';) has nothing to search for: it is skipped
        literal = False
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _lex(query)
        self.i = 0
        self.depth = 0
        self.words = 0

    def deeper(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryError(
                f"query: nested too deeply at position {token.pos} "
                f"(at most {MAX_QUERY_DEPTH} brackets and NOTs inside each other)"
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("query: empty (give at least one word)")
        node = self.or_expr()
        extra = self.peek()
        if extra is not None:
            raise QueryError(f"query: unexpected {extra.text!r} at position {extra.pos}")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self._operand_follows(token)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
                self._operand_follows(token)
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("query: ends where a word was expected")
        if token.kind == "NOT":
            self.take()
            self._operand_follows(token)
            self.deeper(token)
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "(":
            if (nxt := self.peek()) is not None and nxt.kind == ")":
                raise QueryError(f"query: empty parentheses at position {token.pos}")
            self.deeper(token)
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError(f"query: unclosed parenthesis at position {token.pos}")
            self.take()
            self.depth -= 1
            return node
        if token.kind in ("word", "phrase"):
            parts = tuple(words(token.text))
            if not parts:
                raise QueryError(f"query: empty phrase at position {token.pos}")
            self.words += len(parts)
            if self.words > MAX_QUERY_WORDS:
                raise QueryError(
                    f"query: too many words (more than {MAX_QUERY_WORDS}, "
                    f"the last at position {token.pos}); search for fewer"
                )
            return Leaf(parts, token.prefix, token.literal, token.text)
        if token.kind == ")":
            raise QueryError(f"query: unmatched ')' at position {token.pos}")
        raise QueryError(f"query: {token.text} at position {token.pos} has nothing before it")

    def _operand_follows(self, operator: _Token) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in (")", "OR", "AND"):
            raise QueryError(
                f"query: {operator.text} at position {operator.pos} has nothing after it"
            )


def _check_negations(node: Node, *, inside_and: bool = False) -> None:
    """NOT can only narrow a positive term (FTS5 has no 'everything except')."""
    if isinstance(node, Not):
        if not inside_and:
            raise QueryError(
                "query: NOT/- needs a positive term beside it (e.g. `wagner -prigozhin`)"
            )
        _check_negations(node.child)
    elif isinstance(node, And):
        if all(isinstance(c, Not) for c in node.children):
            raise QueryError("query: only excluded terms; add a word to search for")
        for child in node.children:
            _check_negations(child, inside_and=True)
    elif isinstance(node, Or):
        for child in node.children:
            _check_negations(child)


def parse_query(query: str) -> Node:
    """Parse a user's query; raise QueryError naming the position and the problem."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query: {len(query)} characters is too long (at most {MAX_QUERY_CHARS})")
    node = _Parser(query).parse()
    _check_negations(node)
    return node


def positive_leaves(node: Node) -> list[Leaf]:
    """The leaves a result must (or may) contain: what to highlight."""
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return []
    return [leaf for child in node.children for leaf in positive_leaves(child)]


def to_fts5(node: Node) -> str:
    """An FTS5 MATCH expression over the stemmed column; every term double-quoted."""
    if isinstance(node, Leaf):
        phrases = [
            '"' + " ".join(s.replace('"', '""') for s in stems) + '"' + (" *" if prefix else "")
            for stems, prefix in node.spellings()
        ]
        return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(c) for c in node.children) + ")"
    if isinstance(node, And):
        positive = [to_fts5(c) for c in node.children if not isinstance(c, Not)]
        out = "(" + " AND ".join(positive) + ")"
        for child in node.children:
            if isinstance(child, Not):
                out = f"({out} NOT {to_fts5(child.child)})"
        return out
    raise QueryError("query: NOT/- needs a positive term beside it")


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsquery(node: Node) -> str:
    """A PostgreSQL tsquery (for to_tsquery('simple', :q)) over the stemmed column."""
    if isinstance(node, Leaf):
        # spellings that differ only in their first word share the rest: («ми» | "mi") <-> 24,
        # so a prefix in the rest is looked up in the index once, not once per spelling
        firsts: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        for stems, prefix in node.spellings():
            firsts.setdefault((stems[1:], prefix), []).append(_lexeme(stems[0]))
        phrases = []
        for (rest, prefix), heads in firsts.items():
            tails = [_lexeme(s) for s in rest]
            if prefix and tails:
                tails[-1] += ":*"
            elif prefix:
                heads = [head + ":*" for head in heads]
            parts = [heads[0] if len(heads) == 1 else "(" + " | ".join(heads) + ")", *tails]
            phrases.append("(" + " <-> ".join(parts) + ")")
        return phrases[0] if len(phrases) == 1 else "(" + " | ".join(phrases) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.child)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(c) for c in node.children) + ")"
