"""Keeps the English catalogue whole: msgids are English, so each English msgstr is its msgid.

Without it, Django falls back from an empty English msgstr to the default language's
(Danish) translation, and English pages would show Danish text. Run by `make messages`.
"""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
ENGLISH_CATALOGUE = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"


def fill_english_catalogue(path: Path = ENGLISH_CATALOGUE) -> int:
    """Set every English msgstr to its msgid; returns how many entries changed."""
    catalogue = polib.pofile(str(path))
    changed = 0
    for entry in catalogue:
        if entry.msgid_plural:
            wanted = {0: entry.msgid, 1: entry.msgid_plural}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural, changed = wanted, changed + 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr, changed = entry.msgid, changed + 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.metadata_is_fuzzy = False
    catalogue.metadata.update(
        {"Language": "en", "Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    )
    catalogue.save()
    return changed


if __name__ == "__main__":
    print(f"English catalogue: {fill_english_catalogue()} entries filled", file=sys.stderr)
