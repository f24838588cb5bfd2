"""Files for upload tests, made in code: good ones of every kind, and the bad-upload corpus."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS_IFD = ExifTags.IFD.GPSInfo


def png(size=(64, 48), colour="seagreen") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo that says where it was taken (Ballerup) and with which camera."""
    image = Image.new("RGB", (80, 60), "orange")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kamerafabrikken"
    exif[ExifTags.Base.Model] = "Model 7"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (55.0, 43.0, 50.0), 3: "E", 4: (12.0, 21.0, 45.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pdf(text_colour="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), text_colour).save(buffer, "PDF")
    return buffer.getvalue()


def _zip(entries: list[tuple[str, bytes | str]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for number, (name, content) in enumerate(entries):
            if stored_first and number == 0:
                package.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_STORED)
            else:
                package.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)


def docx(*, with_macros: bool = False, main_part: str = "word/document.xml") -> bytes:
    entries = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", "<Relationships/>"),
        (main_part, "<w:document/>"),
    ]
    if with_macros:
        entries.append(("word/vbaProject.bin", b"\x00macro"))
    return _zip(entries)


def odt() -> bytes:
    return _zip(
        [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office:document-content/>")],
        stored_first=True,
    )


def executable() -> bytes:
    """The start of a Windows program (MZ header with a PE signature)."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    header[0x3C:0x40] = (64).to_bytes(4, "little")
    return bytes(header) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 300


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>'
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def polyglot_png_html() -> bytes:
    return png() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
