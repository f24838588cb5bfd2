import json

import pytest

from circles.colours import AA_NORMAL_TEXT, contrast_ratio, readable_pair, sdg_stylesheet
from circles.sdg_data import SDG_FILE, sdg_rows
from config.settings import BASE_DIR


@pytest.mark.parametrize("goal", sdg_rows(), ids=lambda goal: f"sdg-{goal['number']}")
def test_every_sdg_badge_passes_aa_contrast(goal):
    background, text = readable_pair(goal["colour"])
    assert contrast_ratio(background, text) >= AA_NORMAL_TEXT


def test_badge_keeps_the_official_colour_where_it_reads_well():
    assert readable_pair("#FCC30B") == ("#FCC30B", "#000000")
    assert readable_pair("#19486A") == ("#19486A", "#FFFFFF")


@pytest.mark.parametrize("grey", range(0, 256, 5))
def test_black_or_white_text_reaches_aa_on_any_grey(grey):
    background, text = readable_pair(f"#{grey:02X}{grey:02X}{grey:02X}")
    assert contrast_ratio(background, text) >= AA_NORMAL_TEXT


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_sdg_stylesheet_is_in_step_with_the_data():
    committed = (BASE_DIR / "static" / "css" / "sdg.css").read_text()
    assert committed == sdg_stylesheet(json.loads(SDG_FILE.read_text()))


def test_seventeen_goals_with_names_in_both_languages():
    rows = sdg_rows()
    assert [row["number"] for row in rows] == list(range(1, 18))
    assert all(row["name_da"] and row["name_en"] for row in rows)
