"""Demo materials with real files, drawn in code: a poster for a circle, handouts shared between libraries,
a guide in its second version that people have downloaded, a photo of people who agreed, and a chat
message that links the guide.
"""

import io
import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from chat.models import Room
from chat.services import message_post
from circles.models import SDG, Circle
from libraries.models import Library

from .models import Licence, ResourceFormat, Visibility
from .services import resource_adopt, resource_create_file, resource_download_record, resource_version_upload

# Fixed, so the demo's chat message has the same client_id on every run.
DEMO_MATERIALS_NAMESPACE = uuid.UUID("0b7f5a8e-4a43-4f0e-9f55-2d1c6c3e8a21")
GUIDE_TITLE = "Guide: sådan starter I en læringscirkel"
PHOTO_TITLE = "Billeder fra klimacaféen"


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


def _photo() -> SimpleUploadedFile:
    """A drawn "photo" of four people around a table: stands in for a picture of real participants."""
    picture = Image.new("RGB", (800, 500), "#cfe3f1")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((120, 330, 680, 380), fill="#8a5a2b")
    for number, colour in enumerate(("#d9534f", "#5cb85c", "#f0ad4e", "#5bc0de")):
        left = 150 + number * 140
        draw.ellipse((left, 150, left + 80, 230), fill="#f2c9a0")
        draw.rectangle((left - 10, 230, left + 90, 330), fill=colour)
    draw.text((40, 30), "Klimacaféen", fill="black", font=_font(40))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("klimacafeen.jpg", buffer.getvalue())


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
    """File materials of every kind: a circle-only poster and photo of people who agreed, a handout for all
    libraries (adopted by another), a public guide in its second version; downloads; a chat link to the guide."""
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
    guide = resource_create_file(
        created_by=staff,
        owner_library=library,
        title=GUIDE_TITLE,
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
    guide = resource_version_upload(
        resource=guide,
        uploaded_by=staff,
        upload=_file(
            "guide-laeringscirkel-2.pdf",
            [
                "Sådan starter I en læringscirkel",
                "Find 4-8 deltagere",
                "Vælg et verdensmål",
                "Mødes hver uge eller hver anden uge",
                "Slut med en lille handling",
            ],
            kind="PDF",
        ),
    )
    # Downloads counted for Ballerup, for Herlev and for a visitor: "most used first" has something to sort.
    for person in (staff, other_staff, other_staff, AnonymousUser()):
        resource_download_record(resource=guide, user=person)
    resource_download_record(resource=checklist, user=other_staff)
    resource_create_file(
        created_by=facilitator,
        owner_library=library,
        circle=circle,
        title=PHOTO_TITLE,
        upload=_photo(),
        format=ResourceFormat.HANDOUT,
        sdgs=[goals[13]],
        description="Fra første møde. Alle på billedet har sagt ja til, at det deles med cirklen.",
        visibility=Visibility.CIRCLE,
        shows_people=True,
        people_consent=True,
    )
    message_post(
        room=Room.objects.get(circle=circle),
        author=facilitator,
        body=f"Her er guiden, vi talte om i dag: [{guide.title}]({guide.get_absolute_url()})",
        client_id=uuid.uuid5(DEMO_MATERIALS_NAMESPACE, "guide-link"),
    )
