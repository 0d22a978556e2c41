"""Storage for tgmon: SQLModel tables, the Database, and the operations on posts."""

from storage.database import Database
from storage.models import Alert, Channel, Delivery, Match, Post, PostVersion, TranslationCache

__all__ = [
    "Alert",
    "Channel",
    "Database",
    "Delivery",
    "Match",
    "Post",
    "PostVersion",
    "TranslationCache",
]
