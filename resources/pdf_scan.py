"""Active content in PDF files: scripts, launch and submit actions, automatic actions, attached
files, Flash and XFA forms.

Names are read with their #xx escapes decoded, and Flate-compressed streams (object streams
included, also behind ASCIIHex/ASCII85) are inflated, within a bound, and read too. Used by
resources.uploads for every PDF before it is stored.
"""

import base64
import binascii
import re
import zlib
from collections.abc import Iterator

from config.errors import ServiceError

from . import errors


def _refuse(code: str, message) -> ServiceError:
    return ServiceError(code, message)


# Names (after #xx escapes are decoded) that run something, send something, or carry another file.
PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"AA",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
    }
)
_PDF_DELIMITERS = rb"\x00\t\n\f\r ()<>\[\]{}/%"
# A name that is one of the above (or /OpenAction) as written, or any name with a #xx escape in it.
_PDF_NAME = re.compile(
    rb"/((?:"
    + b"|".join(sorted(PDF_ACTIVE_NAMES | {b"OpenAction"}, key=len, reverse=True))
    + rb")(?![^"
    + _PDF_DELIMITERS
    + rb"])|[^"
    + _PDF_DELIMITERS
    + rb"]*#[0-9A-Fa-f]{2}[^"
    + _PDF_DELIMITERS
    + rb"]*)"
)
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_PDF_REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R\b")
_PDF_OBJECT = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")
PDF_TEXT_FILTERS = {
    b"ASCIIHexDecode": b"ASCIIHexDecode",
    b"AHx": b"ASCIIHexDecode",
    b"ASCII85Decode": b"ASCII85Decode",
    b"A85": b"ASCII85Decode",
}
# Inflated bytes allowed per PDF: past this it is refused rather than read on (a "zip bomb").
PDF_MAX_INFLATED_BYTES = 128 * 1024 * 1024
PDF_CHUNK = 1024 * 1024
# Bytes of an inflated stream read again with the next chunk, so no name or /OpenAction value is cut.
PDF_OVERLAP = 4096
PDF_IMAGE_FILTERS = frozenset({b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode", b"JBIG2Decode"})


class _PdfObjects:
    """The objects written out in the file, by "number generation", to see what an /OpenAction refers to."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.starts = {found[1] + b" " + found[2]: found.end() for found in _PDF_OBJECT.finditer(content)}

    def find(self, key: bytes) -> bytes | None:
        start = self.starts.get(key)
        return None if start is None else self.content[start : start + 512]


def _pdf_unescape(name: bytes) -> bytes:
    return _PDF_ESCAPE.sub(lambda escape: bytes([int(escape[1], 16)]), name)


def _pdf_harmless_open_action(value: bytes) -> bool:
    """An /OpenAction that only opens a page: a destination array, or a GoTo action written in place."""
    value = _pdf_unescape(value.lstrip(b"\x00\t\n\f\r "))
    if value.startswith(b"["):
        return True
    if value.startswith(b"<<"):
        action = value[: value.find(b">>") + 2] if b">>" in value else value
        return re.search(rb"/S\s*/GoTo(?![A-Za-z])", action) is not None
    return False


def _pdf_check_names(text: bytes, *, upto: int, objects: _PdfObjects, short_names: bool = True) -> None:
    """Refuse active content among the names that start before `upto` in a piece of PDF syntax.

    Without short_names, /JS, /AA and /XFA are not looked for: in binary data (compressed bytes, fonts)
    they would match by chance, and only dictionaries (the file's own syntax, object streams) hold them.
    """
    for match in _PDF_NAME.finditer(text):
        if match.start() >= upto:
            return
        name = _pdf_unescape(match[1]) if b"#" in match[1] else match[1]
        if not short_names and len(name) < 5:
            continue
        if name in PDF_ACTIVE_NAMES:
            raise _refuse("file_active_content", errors.PDF_ACTIVE_CONTENT)
        if name == b"OpenAction":
            value = text[match.end() : match.end() + 512]
            reference = _PDF_REFERENCE.match(value.lstrip())
            # A reference to an object we cannot find here (one in an object stream) is let through:
            # every action that could do harm carries one of the names above, which are looked for everywhere.
            if reference is not None:
                target = objects.find(reference[1] + b" " + reference[2])
                if target is None or _pdf_harmless_open_action(target):
                    continue
                raise _refuse("file_active_content", errors.PDF_ACTIVE_CONTENT)
            if not _pdf_harmless_open_action(value):
                raise _refuse("file_active_content", errors.PDF_ACTIVE_CONTENT)


def _pdf_dictionary_before(content: bytes, stream_start: int) -> bytes:
    """The stream's dictionary: what lies between its object's "N G obj" and "stream", with names decoded."""
    window_start = max(0, stream_start - 4096)
    headers = list(_PDF_OBJECT.finditer(content, window_start, stream_start))
    return _pdf_unescape(content[headers[-1].end() if headers else window_start : stream_start])


def _pdf_filters(dictionary: bytes) -> list[bytes]:
    found = re.search(rb"/Filter\s*(\[[^\]]*\]|/[^" + _PDF_DELIMITERS + rb"]+)", dictionary)
    return re.findall(rb"/([^" + _PDF_DELIMITERS + rb"]+)", found[1]) if found else []


def _pdf_inflate(content: bytes, start: int, budget: list[int]) -> Iterator[bytes]:
    """Inflate the Flate data starting at `start` in chunks; Flate marks its own end. Yields the chunks."""
    inflater = zlib.decompressobj()
    position = start
    while not inflater.eof:
        if inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        else:
            data = content[position : position + PDF_CHUNK]
            position += len(data)
            if not data:
                return
        try:
            chunk = inflater.decompress(data, PDF_CHUNK)
        except zlib.error as broken:
            raise _refuse("file_broken", errors.FILE_BROKEN) from broken
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise _refuse("file_too_complex", errors.PDF_TOO_COMPLEX)
        if chunk:
            yield chunk


def _pdf_decode_text_filter(source: bytes, start: int, name: bytes) -> bytes:
    """The decoded bytes of ASCIIHex or ASCII85 data at `start`, up to its end marker."""
    marker = b">" if name == b"ASCIIHexDecode" else b"~>"
    end = source.find(marker, start)
    if end < 0:
        raise _refuse("file_broken", errors.FILE_BROKEN)
    encoded = source[start:end]
    try:
        if name == b"ASCIIHexDecode":
            digits = re.sub(rb"\s", b"", encoded)
            return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
        return base64.a85decode(encoded + b"~>", adobe=True)
    except ValueError as broken:
        raise _refuse("file_broken", errors.FILE_BROKEN) from broken


def _pdf_scan_inflated(chunks: Iterator[bytes], objects: _PdfObjects, *, short_names: bool) -> None:
    window = b""
    for chunk in chunks:
        window = window[-PDF_OVERLAP:] + chunk
        _pdf_check_names(window, upto=len(window) - PDF_OVERLAP, objects=objects, short_names=short_names)
    _pdf_check_names(window, upto=len(window), objects=objects, short_names=short_names)


def check_pdf(content: bytes) -> None:
    """Refuse a PDF with active content, looking inside its Flate-compressed streams as well."""
    objects = _PdfObjects(content)
    if re.search(rb"/Encrypt(?![A-Za-z])", content):
        raise _refuse("file_encrypted", errors.PDF_ENCRYPTED)
    budget = [PDF_MAX_INFLATED_BYTES]
    # The file's own syntax is read without its compressed data, where names would match by chance.
    plain: list[bytes] = []
    read_up_to = 0
    for stream in _PDF_STREAM.finditer(content):
        if stream.start() < read_up_to:
            continue
        dictionary = _pdf_dictionary_before(content, stream.start())
        filters = _pdf_filters(dictionary)
        if not dictionary.rstrip().endswith(b">>") or not filters:
            # Not a stream keyword, or an uncompressed stream: read as the file's own syntax.
            continue
        plain.append(content[read_up_to : stream.start()])
        end = content.find(b"endstream", stream.end())
        read_up_to = end if end >= 0 else len(content)
        body = content[stream.end() : read_up_to]
        # Whatever a reader might take for syntax in here: an action names its kind with a long name.
        _pdf_check_names(body, upto=len(body), objects=objects, short_names=False)
        holds_objects = b"/First" in dictionary or re.search(rb"/Type\s*/ObjStm", dictionary) is not None
        if not holds_objects and (
            filters[0] in PDF_IMAGE_FILTERS or re.search(rb"/Subtype\s*/Image(?![A-Za-z])", dictionary)
        ):
            continue  # pictures cannot run anything
        source, start = content, stream.end()
        while filters and filters[0] in PDF_TEXT_FILTERS:
            source, start = _pdf_decode_text_filter(source, start, PDF_TEXT_FILTERS[filters.pop(0)]), 0
        if filters and filters[0] in (b"FlateDecode", b"Fl"):
            _pdf_scan_inflated(_pdf_inflate(source, start, budget), objects, short_names=holds_objects)
        elif source is not content:
            _pdf_scan_inflated(iter([source]), objects, short_names=holds_objects)
        elif holds_objects:
            # Objects packed with a filter we cannot undo (LZW, RunLength, encryption) cannot be checked.
            raise _refuse("file_too_complex", errors.PDF_TOO_COMPLEX)
    plain.append(content[read_up_to:])
    for part in plain:
        _pdf_check_names(part, upto=len(part), objects=objects)
