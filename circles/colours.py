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


def _darken(hex_colour: str, factor: float) -> str:
    digits = hex_colour.lstrip("#")
    r, g, b = (round(int(digits[i : i + 2], 16) * factor) for i in (0, 2, 4))
    return f"#{r:02X}{g:02X}{b:02X}"


def readable_pair(background: str) -> tuple[str, str]:
    """(background, text) for a badge: black or white text, whichever reads better; where
    neither reaches AA for normal text, the background is darkened just enough for white."""
    background = background.upper()
    best_text = max((BLACK, WHITE), key=lambda text: contrast_ratio(background, text))
    if contrast_ratio(background, best_text) >= AA_NORMAL_TEXT:
        return background, best_text
    factor = 1.0
    darker = background
    while contrast_ratio(darker, WHITE) < AA_NORMAL_TEXT:
        factor -= 0.02
        darker = _darken(background, factor)
    return darker, WHITE


def sdg_stylesheet(goals: list[dict]) -> str:
    """static/css/sdg.css: a badge class per goal, from the official colours in circles/data/sdgs.json."""
    lines = ["/* Generated from circles/data/sdgs.json by circles.colours.sdg_stylesheet; a test keeps it in step. */"]
    for goal in goals:
        background, text = readable_pair(goal["colour"])
        lines.append(f".sdg-{goal['number']} {{ background: {background}; color: {text}; }}")
    return "\n".join(lines) + "\n"
