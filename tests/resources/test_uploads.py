"""The bad-upload corpus and the good kinds: what is refused, what is cleaned, and that a refusal leaves nothing."""

import io
import resource

import pytest
from django.db import transaction
from PIL import Image

from config.errors import ServiceError
from resources import errors, pdf_scan
from resources.models import Resource, ResourceFormat, Visibility
from resources.services import resource_create_file
from resources.uploads import MAX_FILENAME_LENGTH, normalise_filename

from . import files, pdfs
from .conftest import stored_files


def _share(library_staff, library, upload, **extra) -> Resource:
    return resource_create_file(
        created_by=library_staff,
        owner_library=library,
        title="Handout",
        upload=upload,
        format=ResourceFormat.HANDOUT,
        visibility=Visibility.PUBLIC,
        **extra,
    )


REFUSED = [
    pytest.param("handout.pdf", files.executable(), "file_content_mismatch", id="executable-renamed-pdf"),
    pytest.param("billede.png", files.executable(), "file_content_mismatch", id="executable-renamed-png"),
    pytest.param("program.exe", files.executable(), "file_type_not_allowed", id="executable"),
    pytest.param("tegning.svg", files.SVG_WITH_SCRIPT, "file_type_not_allowed", id="svg-with-script"),
    pytest.param("tegning.png", files.SVG_WITH_SCRIPT, "file_active_content", id="svg-renamed-png"),
    pytest.param("side.html", files.HTML_PAGE, "file_type_not_allowed", id="html"),
    pytest.param("side.pdf", files.HTML_PAGE, "file_active_content", id="html-renamed-pdf"),
    pytest.param(
        "noter.txt",
        b"Noter om klima og affald.\n" * 10 + b"Se mere: <script>alert(1)</script>\n",
        "file_active_content",
        id="text-with-script",
    ),
    pytest.param(
        "plan.pdf",
        files.pdf()[:-20] + b"\n99 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n%%EOF\n",
        "file_active_content",
        id="pdf-js",
    ),
    pytest.param("plan.pdf", files.pdf() + b"<script>alert(1)</script>", "file_active_content", id="pdf-html-tail"),
    pytest.param("plan.pdf", pdfs.hex_escaped_javascript(), "file_active_content", id="pdf-hex-escaped-name"),
    pytest.param("plan.pdf", pdfs.open_action_javascript(), "file_active_content", id="pdf-open-action-js"),
    pytest.param("plan.pdf", pdfs.open_action_submit_form(), "file_active_content", id="pdf-open-action-submit"),
    pytest.param("plan.pdf", pdfs.page_additional_action(), "file_active_content", id="pdf-additional-action"),
    pytest.param("plan.pdf", pdfs.javascript_in_object_stream(), "file_active_content", id="pdf-js-in-object-stream"),
    pytest.param("plan.pdf", pdfs.embedded_file(), "file_active_content", id="pdf-embedded-file"),
    pytest.param(
        "plan.pdf",
        pdfs.javascript_in_object_stream_behind(b"[/FlateDecode /FlateDecode]", pdfs.flate_twice),
        "file_active_content",
        id="pdf-js-in-object-stream-flate-twice",
    ),
    pytest.param(
        "plan.pdf",
        pdfs.javascript_in_object_stream_behind(b"[/FlateDecode /ASCIIHexDecode]", pdfs.flate_of_hex),
        "file_active_content",
        id="pdf-js-in-object-stream-flate-of-hex",
    ),
    pytest.param(
        "plan.pdf",
        pdfs.javascript_in_object_stream_behind_png_predictor(),
        "file_active_content",
        id="pdf-js-predictor",
    ),
    pytest.param("plan.pdf", pdfs.stream_keyword_in_string(), "file_active_content", id="pdf-stream-keyword-in-string"),
    pytest.param("plan.pdf", pdfs.repeated_stream_keyword(1024 * 1024), "file_broken", id="pdf-only-stream-keywords"),
    pytest.param("plan.pdf", pdfs.encrypted(), "file_encrypted", id="pdf-encrypted"),
    pytest.param(
        "noter.txt",
        b"Noter om klima og affald.\n" * 200 + b"<script>alert(1)</script>\n" + b"Husk kaffe.\n" * 200,
        "file_active_content",
        id="text-with-html-in-the-middle",
    ),
    pytest.param("plan.docx", files.docx(with_macros=True), "file_active_content", id="docx-with-macros"),
    pytest.param("plan.docx", files.docx(main_part="other.xml"), "file_content_mismatch", id="zip-renamed-docx"),
    pytest.param("plan.odt", files.docx(), "file_content_mismatch", id="docx-renamed-odt"),
    pytest.param("foto.jpg", files.png(), "file_content_mismatch", id="png-renamed-jpg"),
    pytest.param("foto.png", files.png()[:40], "file_broken", id="truncated-png"),
    pytest.param("tom.pdf", b"", "file_empty", id="zero-bytes"),
    pytest.param("uden-endelse", files.pdf(), "file_type_not_allowed", id="no-extension"),
]


@pytest.mark.parametrize(("name", "content", "code"), REFUSED)
def test_bad_upload_is_refused_and_leaves_nothing(library_staff, library, media_root, name, content, code):
    with pytest.raises(ServiceError) as refused:
        _share(library_staff, library, files.upload(name, content))
    assert refused.value.code == code
    assert Resource.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversize_upload_is_refused_with_the_limit_and_leaves_nothing(library_staff, library, media_root, settings):
    settings.RESOURCE_MAX_UPLOAD_BYTES = 2000
    with pytest.raises(ServiceError) as refused:
        _share(library_staff, library, files.upload("stor.pdf", files.pdf() + b"0" * 3000))
    assert refused.value.code == "file_too_large"
    # Danish number format; filesizeformat puts a no-break space before the unit.
    assert refused.value.message == errors.FILE_TOO_LARGE % {"limit": "2,0\xa0KB"}
    assert "2,0\xa0KB" in refused.value.message
    assert Resource.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_pdf_with_active_content_is_refused_with_a_plain_message(library_staff, library, media_root):
    with pytest.raises(ServiceError) as refused:
        _share(library_staff, library, files.upload("plan.pdf", pdfs.javascript_in_object_stream()))
    assert refused.value.message == str(errors.PDF_ACTIVE_CONTENT)


def test_a_pdf_decompression_bomb_is_refused_and_the_web_process_is_unharmed(library_staff, library, media_root):
    """An object stream of 2 MB that inflates to twice the reading child's memory limit."""
    bomb = pdfs.object_stream_inflating_to(2 * pdf_scan.PDF_SCAN_MEMORY_BYTES)
    with pytest.raises(ServiceError) as refused:
        _share(library_staff, library, files.upload("plan.pdf", bomb))
    assert refused.value.code == "file_too_complex"
    assert refused.value.message == str(errors.PDF_TOO_COMPLEX)
    assert Resource.objects.count() == 0
    # The inflating happened in the child: this process never held the inflated bytes (ru_maxrss is in KiB).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < pdf_scan.PDF_SCAN_MEMORY_BYTES
    # The same shape, small, is an ordinary file.
    _share(library_staff, library, files.upload("plan.pdf", pdfs.object_stream_inflating_to(3 * 1024 * 1024)))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdfs.clean_compressed(), id="object-stream-open-at-page-one-with-a-link"),
        pytest.param(pdfs.build(pdfs.page()), id="flate-content-stream"),
        pytest.param(files.pdf(), id="pillow"),
    ],
)
def test_ordinary_compressed_pdfs_pass(library_staff, library, media_root, content):
    resource = _share(library_staff, library, files.upload("plan.pdf", content))
    assert resource.content_type == "application/pdf" and resource.inline_ok


def _gif_with_comment(*, frames: int = 1) -> bytes:
    buffer = io.BytesIO()
    pictures = [Image.new("P", (40, 30), colour) for colour in (3, 90, 200)[:frames]]
    pictures[0].save(
        buffer,
        "GIF",
        comment=b"Karen Jensen, Lindevej 4, 2750 Ballerup",
        save_all=frames > 1,
        append_images=pictures[1:],
    )
    assert b"Lindevej" in buffer.getvalue()
    return buffer.getvalue()


def _png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Author", "Karen Jensen, Lindevej 4")
    text.add_text("Comment", "Lindevej 4 zTXt", zip=True)
    text.add_itxt("Description", "Karen på Lindevej 4", lang="da")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG", pnginfo=text)
    assert buffer.getvalue().count(b"Lindevej") == 2  # the zTXt one is compressed
    return buffer.getvalue()


def _jpeg_with_comment() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "JPEG", comment=b"Karen Jensen, Lindevej 4")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("kort.gif", _gif_with_comment(), id="gif-comment"),
        pytest.param("kort.gif", _gif_with_comment(frames=3), id="animated-gif-comment"),
        pytest.param("kort.jpg", _jpeg_with_comment(), id="jpeg-comment"),
        pytest.param("kort.png", _png_with_text(), id="png-text-chunks"),
    ],
)
def test_pictures_are_stored_without_comments_or_text(library_staff, library, media_root, name, content):
    resource = _share(library_staff, library, files.upload(name, content))
    stored = resource.file.read()
    assert b"Lindevej" not in stored and b"Karen" not in stored
    for chunk in (b"tEXt", b"iTXt", b"zTXt"):
        assert chunk not in stored
    with Image.open(io.BytesIO(stored)) as picture:
        assert "comment" not in picture.info
        assert not getattr(picture, "text", {})


def test_polyglot_png_is_stored_only_as_the_reencoded_picture(library_staff, library, media_root):
    resource = _share(library_staff, library, files.upload("plakat.png", files.polyglot_png_html()))
    stored = resource.file.read()
    assert b"<html" not in stored and b"script" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    assert resource.content_type == "image/png" and resource.inline_ok


def test_jpeg_is_stored_without_gps_or_camera_data(library_staff, library, media_root):
    original = files.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(files.GPS_IFD)
    resource = _share(library_staff, library, files.upload("tur.jpg", original))
    stored = resource.file.read()
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG"
    assert picture.getexif().get_ifd(files.GPS_IFD) == {}
    assert len(picture.getexif()) == 0
    assert b"Kamerafabrikken" not in stored
    assert resource.thumbnail, "images get a thumbnail"
    assert Image.open(resource.thumbnail).format == "WEBP"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "inline"),
    [
        ("plan.pdf", files.pdf(), "application/pdf", True),
        ("plan.docx", files.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
        ("plan.odt", files.odt(), "application/vnd.oasis.opendocument.text", False),
        ("noter.txt", "Husk kaffe og æblekage.\n".encode(), "text/plain", False),
        ("FOTO.PNG", files.png(), "image/png", True),
    ],
)
def test_good_files_are_stored_with_their_checked_type(
    library_staff, library, media_root, name, content, content_type, inline
):
    resource = _share(library_staff, library, files.upload(name, content, "text/html"))
    assert resource.content_type == content_type
    assert resource.inline_ok is inline
    assert resource.size == resource.file.size
    assert resource.file.name.startswith("resources/")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("C:\\Users\\Karen\\Skrivebord\\handout.PDF", "handout.pdf"),
        ("hand\x00out\r\n\x1b[31m.pdf", "hand out [31m.pdf"),
        ("ﬁlm＿plan.pdf", "film_plan.pdf"),
        ('a<b>"c|d?.txt', "a_b__c_d_.txt"),
        ("...pdf", "pdf"),
        ("", "fil"),
    ],
)
def test_filenames_are_normalised(given, expected):
    assert normalise_filename(given) == expected


def test_a_300_character_name_is_cut_keeping_the_extension():
    name = normalise_filename("å" * 300 + ".pdf")
    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith("å.pdf")


def test_traversal_name_never_reaches_the_stored_path(library_staff, library, media_root):
    resource = _share(library_staff, library, files.upload("../../../../tmp/evil.pdf", files.pdf()))
    assert resource.filename == "evil.pdf"
    assert ".." not in resource.file.name and "evil" not in resource.file.name
    assert stored_files(media_root)[0].is_relative_to(media_root)


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_stores_nothing(library_staff, library, media_root, sdgs):
    not_saved = type(sdgs[1])(number=99, name_da="x", name_en="x")
    with pytest.raises(ValueError):
        _share(library_staff, library, files.upload("plan.png", files.png()), sdgs=[not_saved])
    assert Resource.objects.count() == 0
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_consent_is_needed_when_people_are_shown(library_staff, library, media_root):
    with pytest.raises(ServiceError) as refused:
        _share(library_staff, library, files.upload("hold.jpg", files.jpeg_with_gps()), shows_people=True)
    assert refused.value.code == "consent_needed"
    assert stored_files(media_root) == []
    with transaction.atomic():
        resource = _share(
            library_staff,
            library,
            files.upload("hold.jpg", files.jpeg_with_gps()),
            shows_people=True,
            people_consent=True,
        )
    assert resource.shows_people and resource.people_consent


def test_a_pdf_gets_a_thumbnail_of_its_first_page(library_staff, library, media_root, request):
    import shutil

    from tests.conftest import service_missing

    if shutil.which("pdftoppm") is None:
        service_missing(request, "needs poppler's pdftoppm (apt-get install poppler-utils)")
    resource = _share(library_staff, library, files.upload("plan.pdf", files.pdf("darkred")))
    assert resource.thumbnail
    with Image.open(resource.thumbnail) as thumbnail:
        assert thumbnail.format == "WEBP"
        red, green, blue = thumbnail.convert("RGB").getpixel((thumbnail.width // 2, thumbnail.height // 2))
        assert red > 100 and green < 50 and blue < 50
