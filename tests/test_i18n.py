"""Translations: Danish complete, English whole, compiled catalogues current, no string left unextracted."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ["da", "en"]
DANISH_PLURAL_FORMS = 2
MAKEMESSAGES_TIMEOUT_SECONDS = 300
# Left out of the temporary copy: at the top level only, so a nested folder of the same name stays.
TOP_LEVEL_SKIPPED = {".venv", ".git", "media", "staticfiles", ".pytest_cache", ".ruff_cache", "node_modules"}


def catalogue_path(language: str, extension: str = "po") -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"django.{extension}"


def po(language: str) -> polib.POFile:
    return polib.pofile(str(catalogue_path(language)))


def live_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete]


def entry_key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translations(entries) -> dict[tuple[str | None, str, str], str | tuple[str, ...]]:
    """(msgctxt, msgid, msgid_plural) -> msgstr, or the plural forms in order."""
    mapping = {}
    for entry in entries:
        if not entry.msgid:  # the header
            continue
        if entry.msgid_plural:
            mapping[entry_key(entry)] = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            mapping[entry_key(entry)] = entry.msgstr
    return mapping


def test_danish_catalogue_translates_every_entry_and_every_plural_form() -> None:
    missing = []
    for entry in live_entries(po("da")):
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(index, "") for index in range(DANISH_PLURAL_FORMS)]
            if not all(form.strip() for form in forms):
                missing.append(entry.msgid)
        elif not entry.msgstr.strip():
            missing.append(entry.msgid)
    assert missing == [], "Danish entries without a translation (locale/da/LC_MESSAGES/django.po)"


def test_danish_catalogue_has_no_fuzzy_entries() -> None:
    catalogue = po("da")
    assert not catalogue.metadata_is_fuzzy, "the Danish catalogue's header is marked fuzzy"
    assert [entry.msgid for entry in live_entries(catalogue) if "fuzzy" in entry.flags] == []


def test_danish_catalogue_has_no_obsolete_entries() -> None:
    assert [entry.msgid for entry in po("da").obsolete_entries()] == []


def test_english_catalogue_translates_every_entry_to_its_msgid() -> None:
    # config/i18n.py: an empty English msgstr would fall back to the Danish translation.
    wrong = []
    for entry in live_entries(po("en")):
        if entry.msgid_plural:
            if entry.msgstr_plural != {0: entry.msgid, 1: entry.msgid_plural}:
                wrong.append(entry.msgid)
        elif entry.msgstr != entry.msgid:
            wrong.append(entry.msgid)
    assert wrong == [], "English entries whose msgstr is not the msgid: run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_holds_the_same_entries_as_its_po_file(language: str) -> None:
    source = translations(po(language).translated_entries())
    compiled = translations(polib.mofile(str(catalogue_path(language, "mo"))))
    assert source, f"no translated entries in locale/{language}"
    assert compiled == source, f"locale/{language}/LC_MESSAGES/django.mo is stale: run `make messages`"


def makefile_makemessages_ignores() -> list[str]:
    """The --ignore options of the Makefile's `messages` target."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [line for line in makefile.splitlines() if "manage.py makemessages" in line]
    assert len(lines) == 1, "expected one makemessages command in the Makefile"
    ignores = re.findall(r"--ignore=\S+", lines[0])
    assert ignores, "the Makefile's makemessages command has no --ignore options"
    return ignores


def skip_top_level(root: Path):
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if ".sqlite3" in name or name == "__pycache__"}
        if Path(directory) == root:
            skipped |= TOP_LEVEL_SKIPPED & set(names)
        return skipped

    return ignore


def test_makemessages_finds_no_string_missing_from_the_danish_catalogue(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]
    if missing_tools:
        service_missing(request, f"needs gettext ({', '.join(missing_tools)} not found; apt-get install gettext)")
    committed_bytes = catalogue_path("da").read_bytes()
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=skip_top_level(ROOT))
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DJANGO_DEBUG": "1",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", *makefile_makemessages_ignores()],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=MAKEMESSAGES_TIMEOUT_SECONDS,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert catalogue_path("da").read_bytes() == committed_bytes, "makemessages wrote into the real project"
    regenerated = {
        entry_key(entry) for entry in live_entries(polib.pofile(str(project / "locale/da/LC_MESSAGES/django.po")))
    }
    committed = {entry_key(entry) for entry in live_entries(po("da"))}
    assert sorted(regenerated - committed, key=str) == [], "strings not yet in the catalogue: run `make messages`"
    assert sorted(committed - regenerated, key=str) == [], (
        "catalogue entries no longer in the code: run `make messages`"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Tilgængelighedserklæring"), ("en", "Accessibility statement")],
)
def test_django_translates_with_the_compiled_catalogues(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Accessibility statement") == expected
