"""WCAG 2 contrast arithmetic for text on the official SDG colours."""

BLACK = "#000000"
WHITE = "#FFFFFF"
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """Relative luminance of a #RRGGBB colour as WCAG 2 defines it."""
    digits = hex_colour.lstrip("#")
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """Contrast ratio (1 to 21) between two #RRGGBB colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_pair(background: str) -> tuple[str, str]:
    """(background, text) for a badge: black or white text, whichever contrasts more.

    One of the two always reaches 4.5:1: black fails only below luminance 0.175, white
    only above 0.183, so no colour fails both."""
    background = background.upper()
    return background, max((BLACK, WHITE), key=lambda text: contrast_ratio(background, text))


def sdg_stylesheet(goals: list[dict]) -> str:
    """static/css/sdg.css: a badge class per goal, from the official colours in circles/data/sdgs.json."""
    lines = ["/* Generated from circles/data/sdgs.json by circles.colours.sdg_stylesheet; a test keeps it in step. */"]
    for goal in goals:
        background, text = readable_pair(goal["colour"])
        lines.append(f".sdg-{goal['number']} {{ background: {background}; color: {text}; }}")
    return "\n".join(lines) + "\n"
