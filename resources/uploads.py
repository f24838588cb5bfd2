"""Checking an uploaded file before it is stored.

Every upload is read whole (at most RESOURCE_MAX_UPLOAD_BYTES), its bytes sniffed with
libmagic and matched against the extension, and then:

- images are decoded and re-encoded by Pillow; only the re-encoded bytes are stored, so
  EXIF/GPS data, XMP, GIF and JPEG comments, PNG text chunks and anything appended to the file
  (a PNG+HTML polyglot) are gone;
- Office and OpenDocument files must be real ZIP packages with their main part (macros refused);
- plain text must hold no HTML or script anywhere, and PDFs must not start or end with them;
- PDFs must carry no active content (JavaScript, launch or submit actions, automatic actions,
  attached files, Flash, XFA forms): resources.pdf_scan reads every object with pikepdf, in a
  child process with memory and time limits.

Images get a thumbnail; so do PDFs (their first page) where poppler's pdftoppm is installed.
SVG, HTML, executables and everything else are refused. The name people see is normalised;
the stored name is random.
"""

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import magic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

from config.errors import ServiceError

from . import errors, pdf_scan

MAX_FILENAME_LENGTH = 100
MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_SIZE = (480, 480)
# Looked for in the whole of a plain text file, and at the start and the end of a PDF (its
# compressed binary parts would match by chance, and a PDF is served as a PDF, never sniffed).
HTML_MARKERS = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|link|img|a\s)|javascript:",
    re.IGNORECASE,
)
SCAN_BYTES = 1024

PDF_THUMBNAIL_SECONDS = 15
# What libmagic calls web pages and scripts, whatever the file's name says.
ACTIVE_TYPES = frozenset(
    {"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "application/javascript", "text/xml"}
)


@dataclass(frozen=True)
class FileKind:
    """What an extension promises: the type we serve it as, the types libmagic may report, how to check it."""

    content_type: str
    sniffed: frozenset[str]
    check: str
    label: str
    zip_part: str = ""


_ZIP = frozenset({"application/zip"})
OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."

KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", frozenset({"application/pdf"}), "pdf", "PDF"),
    "docx": FileKind(
        f"{OOXML}wordprocessingml.document",
        _ZIP | {f"{OOXML}wordprocessingml.document"},
        "ooxml",
        "Word (.docx)",
        "word/document.xml",
    ),
    "xlsx": FileKind(
        f"{OOXML}spreadsheetml.sheet",
        _ZIP | {f"{OOXML}spreadsheetml.sheet"},
        "ooxml",
        "Excel (.xlsx)",
        "xl/workbook.xml",
    ),
    "pptx": FileKind(
        f"{OOXML}presentationml.presentation",
        _ZIP | {f"{OOXML}presentationml.presentation"},
        "ooxml",
        "PowerPoint (.pptx)",
        "ppt/presentation.xml",
    ),
    "odt": FileKind(f"{ODF}text", _ZIP | {f"{ODF}text"}, "odf", "OpenDocument (.odt)"),
    "ods": FileKind(f"{ODF}spreadsheet", _ZIP | {f"{ODF}spreadsheet"}, "odf", "OpenDocument (.ods)"),
    "odp": FileKind(f"{ODF}presentation", _ZIP | {f"{ODF}presentation"}, "odf", "OpenDocument (.odp)"),
    "jpg": FileKind("image/jpeg", frozenset({"image/jpeg"}), "image", "JPEG"),
    "jpeg": FileKind("image/jpeg", frozenset({"image/jpeg"}), "image", "JPEG"),
    "png": FileKind("image/png", frozenset({"image/png"}), "image", "PNG"),
    "webp": FileKind("image/webp", frozenset({"image/webp"}), "image", "WebP"),
    "gif": FileKind("image/gif", frozenset({"image/gif"}), "image", "GIF"),
    "txt": FileKind("text/plain", frozenset({"text/plain"}), "text", "plain text (.txt)"),
}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in KINDS)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: the bytes to store, the name to show, the type to serve it as."""

    content: bytes
    filename: str
    content_type: str
    inline_ok: bool
    thumbnail: bytes | None


def _refuse(code: str, message, **params) -> ServiceError:
    return ServiceError(code, message % params if params else message)


def normalise_filename(name: str) -> str:
    """A safe name to show and download as: NFKC, no folders or control characters, at most 100 characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(char).startswith(("C", "Z")) else char for char in name)
    name = re.sub(r'[<>:"|?*;]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension.lower()[:10]
    stem = stem.strip(" .") or "fil"
    room = MAX_FILENAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "fil"
    return f"{stem}.{extension}" if extension else stem


def extension_of(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower().lstrip(".")


def _check_size(size: int) -> None:
    if size == 0:
        raise _refuse("file_empty", errors.FILE_EMPTY)
    limit = settings.RESOURCE_MAX_UPLOAD_BYTES
    if size > limit:
        raise _refuse("file_too_large", errors.FILE_TOO_LARGE, limit=filesizeformat(limit))


def _no_html_at_the_edges(content: bytes) -> None:
    if HTML_MARKERS.search(content[:SCAN_BYTES]) or HTML_MARKERS.search(content[-SCAN_BYTES:]):
        raise _refuse("file_active_content", errors.FILE_ACTIVE_CONTENT)


def _no_html_anywhere(content: bytes) -> None:
    if HTML_MARKERS.search(content):
        raise _refuse("file_active_content", errors.FILE_ACTIVE_CONTENT)


def _reencode_image(content: bytes, kind: FileKind) -> tuple[bytes, bytes]:
    """(the image re-encoded without metadata, a thumbnail)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != PILLOW_FORMATS[kind.content_type]:
                raise _refuse("file_content_mismatch", errors.FILE_CONTENT_MISMATCH, kind=kind.label)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _refuse("image_too_large", errors.IMAGE_TOO_LARGE, megapixels=MAX_IMAGE_PIXELS // 1_000_000)
            image.load()
            animated = getattr(image, "n_frames", 1) > 1 and kind.content_type in ("image/gif", "image/webp")
            output = io.BytesIO()
            # Pillow carries a GIF's or JPEG's comment over unless told otherwise; an empty one writes none.
            no_comment = {"comment": b""} if kind.content_type in ("image/gif", "image/jpeg") else {}
            if animated:
                image.save(output, format=image.format, save_all=True, loop=image.info.get("loop", 0), **no_comment)
            else:
                upright = ImageOps.exif_transpose(image)
                if kind.content_type == "image/jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                options = {"quality": 88, "optimize": True} if kind.content_type == "image/jpeg" else {}
                # No exif=, xmp= or pnginfo=: Pillow writes none of the original metadata (PNG text chunks too).
                upright.save(output, format=PILLOW_FORMATS[kind.content_type], **options, **no_comment)
            image.seek(0)
            thumbnail = _thumbnail_of(image)
    except ServiceError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as broken:
        raise _refuse("file_broken", errors.FILE_BROKEN) from broken
    return output.getvalue(), thumbnail


def _thumbnail_of(picture: Image.Image) -> bytes:
    preview = ImageOps.exif_transpose(picture.convert("RGBA") if picture.mode in ("P", "LA") else picture)
    preview = preview.convert("RGBA" if preview.mode in ("RGBA", "LA") else "RGB")
    preview.thumbnail(THUMBNAIL_SIZE)
    thumbnail = io.BytesIO()
    preview.save(thumbnail, format="WEBP", quality=80)
    return thumbnail.getvalue()


def pdf_thumbnail(content: bytes) -> bytes | None:
    """The first page as a thumbnail, when poppler's pdftoppm is installed; None otherwise or if it fails."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cirkler-pdf-") as folder:
        source = Path(folder) / "upload.pdf"
        source.write_bytes(content)
        try:
            subprocess.run(  # noqa: S603  (a fixed program, our own temporary paths)
                [
                    pdftoppm,
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    "-png",
                    "-scale-to",
                    str(max(THUMBNAIL_SIZE)),
                    str(source),
                    str(Path(folder) / "page"),
                ],
                check=True,
                capture_output=True,
                timeout=PDF_THUMBNAIL_SECONDS,
            )
            with Image.open(Path(folder) / "page.png") as page:
                return _thumbnail_of(page)
        except (OSError, subprocess.SubprocessError, ValueError):
            return None


def _check_zip_package(content: bytes, kind: FileKind, extension: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
            if any(name.lower().endswith("vbaproject.bin") or name.lower().startswith("basic/") for name in names):
                raise _refuse("file_active_content", errors.FILE_ACTIVE_CONTENT)
            if kind.check == "ooxml":
                if "[Content_Types].xml" not in names or kind.zip_part not in names:
                    raise _refuse("file_content_mismatch", errors.FILE_CONTENT_MISMATCH, kind=kind.label)
            elif package.read("mimetype").decode("ascii", "replace").strip() != kind.content_type:
                raise _refuse("file_content_mismatch", errors.FILE_CONTENT_MISMATCH, kind=kind.label)
    except ServiceError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError) as broken:
        raise _refuse("file_broken", errors.FILE_BROKEN) from broken


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The checked file, or ServiceError saying plainly why it was refused."""
    _check_size(upload.size or 0)
    filename = normalise_filename(upload.name or "")
    extension = extension_of(filename)
    kind = KINDS.get(extension)
    if kind is None:
        raise _refuse("file_type_not_allowed", errors.FILE_TYPE_NOT_ALLOWED)
    upload.seek(0)
    # One byte past the limit is enough to know a file lied about its size.
    content = upload.read(settings.RESOURCE_MAX_UPLOAD_BYTES + 1)
    _check_size(len(content))
    sniffed = magic.from_buffer(content[:65536], mime=True)
    if sniffed in ACTIVE_TYPES:
        raise _refuse("file_active_content", errors.FILE_ACTIVE_CONTENT)
    if sniffed not in kind.sniffed:
        raise _refuse("file_content_mismatch", errors.FILE_CONTENT_MISMATCH, kind=kind.label)
    thumbnail = None
    inline_ok = False
    if kind.check == "image":
        content, thumbnail = _reencode_image(content, kind)
        inline_ok = True
    elif kind.check in ("ooxml", "odf"):
        _check_zip_package(content, kind, extension)
    elif kind.check == "pdf":
        _no_html_at_the_edges(content)
        pdf_scan.check_pdf(content)
        inline_ok = True
        thumbnail = pdf_thumbnail(content)
    elif kind.check == "text":
        if b"\x00" in content:
            raise _refuse("file_content_mismatch", errors.FILE_CONTENT_MISMATCH, kind=kind.label)
        _no_html_anywhere(content)
    return CheckedFile(
        content=content,
        filename=filename,
        content_type=kind.content_type,
        inline_ok=inline_ok,
        thumbnail=thumbnail,
    )
