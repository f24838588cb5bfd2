"""The 17 SDGs from circles/data/sdgs.json; used by the data migration and by test set-up."""

import json
from pathlib import Path

SDG_FILE = Path(__file__).resolve().parent / "data" / "sdgs.json"


def sdg_rows() -> list[dict]:
    return json.loads(SDG_FILE.read_text(encoding="utf-8"))


def sdgs_load(sdg_model) -> int:
    """Create or update the 17 goals with the given model class (historical in migrations). Returns the count."""
    rows = sdg_rows()
    for row in rows:
        sdg_model.objects.update_or_create(
            number=row["number"],
            defaults={"name_da": row["name_da"], "name_en": row["name_en"], "colour": row["colour"]},
        )
    return len(rows)
