"""Demo materials with real files, drawn in code: a poster for a circle, handouts shared between libraries."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from circles.models import SDG, Circle
from libraries.models import Library

from .models import Licence, ResourceFormat, Visibility
from .services import resource_adopt, resource_create_file


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where it is installed (it has æ, ø and å); Pillow's own font otherwise."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _page(lines: list[str], size: tuple[int, int], background: str) -> Image.Image:
    page = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((40, 40 + number * 48), line, fill="black", font=_font(28 if number else 40))
    return page


def _file(name: str, lines: list[str], *, kind: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    if kind == "PDF":
        _page(lines, (595, 842), "white").save(buffer, "PDF", resolution=72)
    else:
        _page(lines, (800, 500), "#f5e6a8").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


def seed_demo_materials(
    *,
    staff: User,
    facilitator: User,
    other_staff: User,
    library: Library,
    other_library: Library,
    circle: Circle,
    goals: dict[int, SDG],
) -> None:
    """Three file materials: a circle-only poster, a handout for all libraries (adopted by another), a public guide."""
    resource_create_file(
        created_by=facilitator,
        owner_library=library,
        circle=circle,
        title="Plakat: klimacaféen holder åbent",
        upload=_file("plakat-klimacafe.png", ["Klimacaféen", "Hver tirsdag kl. 10", "Alle er velkomne"], kind="PNG"),
        format=ResourceFormat.HANDOUT,
        sdgs=[goals[13]],
        visibility=Visibility.CIRCLE,
    )
    checklist = resource_create_file(
        created_by=staff,
        owner_library=library,
        title="Tjekliste: mindre madspild derhjemme",
        upload=_file(
            "tjekliste-madspild.pdf",
            ["Mindre madspild", "1. Se i køleskabet før du handler", "2. Frys rester", "3. Brug alt fra grøntsagen"],
            kind="PDF",
        ),
        format=ResourceFormat.HANDOUT,
        sdgs=[goals[2], goals[12]],
        description="En side til at hænge på køleskabet. Brugt i læringscirklen om madspild.",
        visibility=Visibility.STAFF,
        licence=Licence.CC_BY,
    )
    resource_adopt(resource=checklist, library=other_library, adopted_by=other_staff)
    resource_create_file(
        created_by=staff,
        owner_library=library,
        title="Guide: sådan starter I en læringscirkel",
        upload=_file(
            "guide-laeringscirkel.pdf",
            ["Sådan starter I en læringscirkel", "Find 4-8 deltagere", "Vælg et verdensmål", "Mødes hver uge"],
            kind="PDF",
        ),
        format=ResourceFormat.GUIDE,
        sdgs=[goals[4], goals[17]],
        visibility=Visibility.PUBLIC,
        licence=Licence.CC_BY_SA,
    )
