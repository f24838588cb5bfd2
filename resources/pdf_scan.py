"""Active content in PDF files: scripts, launch and submit actions, automatic actions, attached
files, Flash and XFA forms. Used by resources.uploads for every PDF before it is stored.

The file is read by pikepdf (qpdf), which decodes filter chains, predictors and object streams and
un-escapes names, so every object is seen as a reader sees it. The reading runs in a short-lived child
process (`python -m resources.pdf_scan`) with a memory and CPU limit and a timeout: a decompression
bomb or a pathological file costs the child, not the web process, and is refused as too complex.
The child part imports nothing from Django, so it starts quickly; it answers one word on stdout.
"""

import resource
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from config.errors import ServiceError

# Dictionary keys and names that run something, send something, or carry another file.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/AA",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)
# Action types (/S) that run code, open or play another file, or send data. /GoTo and /URI (a web
# link, opened in the browser) are harmless.
PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/RichMediaExecute",
        "/Rendition",
        "/GoToE",
        "/GoToR",
    }
)
# Limits of the child process that reads the file.
PDF_SCAN_MEMORY_BYTES = 1024 * 1024 * 1024
PDF_SCAN_CPU_SECONDS = 20
PDF_SCAN_TIMEOUT_SECONDS = 30
# Nesting of direct objects deeper than this is not walked: the file is refused as too complex.
PDF_MAX_DEPTH = 100

# The child's one-word answers.
CLEAN, ACTIVE, ENCRYPTED, BROKEN, COMPLEX = "clean", "active", "encrypted", "broken", "complex"


def _refuse(code: str, message) -> ServiceError:
    return ServiceError(code, message)


def check_pdf(content: bytes) -> None:
    """Refuse a PDF with active content, or one that cannot be read within the child's limits."""
    from . import errors  # here, not at the top: the child process must not import Django

    try:
        finished = subprocess.run(  # noqa: S603  (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "resources.pdf_scan",
                str(PDF_SCAN_MEMORY_BYTES),
                str(PDF_SCAN_CPU_SECONDS),
            ],
            input=content,
            capture_output=True,
            timeout=PDF_SCAN_TIMEOUT_SECONDS,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired as slow:
        raise _refuse("file_too_complex", errors.PDF_TOO_COMPLEX) from slow
    verdict = finished.stdout.decode("ascii", "replace").strip() if finished.returncode == 0 else COMPLEX
    if verdict == CLEAN:
        return
    if verdict == ACTIVE:
        raise _refuse("file_active_content", errors.PDF_ACTIVE_CONTENT)
    if verdict == ENCRYPTED:
        raise _refuse("file_encrypted", errors.PDF_ENCRYPTED)
    if verdict == BROKEN:
        raise _refuse("file_broken", errors.FILE_BROKEN)
    # A limit hit, a crash, or an answer we do not know.
    raise _refuse("file_too_complex", errors.PDF_TOO_COMPLEX)


# The child: pure pikepdf from here on.


class _Active(Exception):
    pass


class _TooDeep(Exception):
    pass


def _harmless_open_action(value) -> bool:
    """An /OpenAction that only opens a page: a destination array, or a GoTo action."""
    import pikepdf

    if isinstance(value, pikepdf.Array):
        return True
    return isinstance(value, pikepdf.Dictionary) and value.get("/S") == pikepdf.Name.GoTo


def _direct(value) -> bool:
    """A PDF object written in place (not a reference); numbers and booleans come as Python values."""
    import pikepdf

    return isinstance(value, pikepdf.Object) and not value.is_indirect


def _check_object(value, depth: int = 0) -> None:
    """Raise _Active for active content in `value` and the direct objects nested in it."""
    import pikepdf

    if depth > PDF_MAX_DEPTH:
        raise _TooDeep
    if isinstance(value, pikepdf.Name):
        if str(value) in PDF_ACTIVE_NAMES:
            raise _Active
        return
    if isinstance(value, pikepdf.Stream):
        value = value.stream_dict
    if isinstance(value, pikepdf.Dictionary):
        for key in value.keys():  # noqa: SIM118  (a pikepdf Dictionary, not a dict)
            if key in PDF_ACTIVE_NAMES:
                raise _Active
            item = value.get(key)
            if key == "/S" and isinstance(item, pikepdf.Name) and str(item) in PDF_ACTIVE_ACTIONS:
                raise _Active
            if key == "/OpenAction" and not _harmless_open_action(item):
                raise _Active
            if _direct(item):  # indirect objects are checked on their own, from pdf.objects
                _check_object(item, depth + 1)
    elif isinstance(value, pikepdf.Array):
        for item in value:
            if _direct(item):
                _check_object(item, depth + 1)


def scan(data: bytes, memory: int = PDF_SCAN_MEMORY_BYTES) -> str:
    """The verdict for a PDF: CLEAN, ACTIVE, ENCRYPTED, BROKEN or COMPLEX."""
    import pikepdf

    try:
        with pikepdf.open(BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return ENCRYPTED
            _check_object(pdf.trailer)
            for value in pdf.objects:
                _check_object(value)
    except pikepdf.PasswordError:
        return ENCRYPTED
    except pikepdf.PdfError:
        # qpdf reports a stream it ran out of memory decoding as a damaged file: tell the two apart by
        # the memory used (ru_maxrss is in KiB), as no damaged file of upload size needs half the limit.
        return COMPLEX if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 > memory // 2 else BROKEN
    except _Active:
        return ACTIVE
    except (_TooDeep, RecursionError, MemoryError):
        return COMPLEX
    return CLEAN


def _main() -> None:
    memory, cpu = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    sys.stdout.write(scan(sys.stdin.buffer.read(), memory))


if __name__ == "__main__":
    _main()
