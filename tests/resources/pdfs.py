"""Small PDF 1.5 files made in code: objects written out or packed Flate-compressed in an object stream.

poppler's pdfinfo and pdftoppm read them without complaint, so the upload check is tried on the same
structure that Word, LibreOffice and pdfTeX write (object streams, xref streams, Flate everywhere).
"""

import zlib
from collections.abc import Callable

PAGE_TEXT = b"BT /F1 24 Tf 40 700 Td (Hej fra biblioteket) Tj ET"


def build(
    objects: dict[int, bytes],
    *,
    packed: dict[int, bytes] | None = None,
    packed_filter: bytes = b"/FlateDecode",
    packed_encode: Callable[[bytes], bytes] = zlib.compress,
) -> bytes:
    """The objects written out, `packed` ones in an object stream, and an xref stream; object 1 is the catalog.

    The object stream is Flate-compressed unless `packed_filter` (its /Filter, and /DecodeParms if any)
    and `packed_encode` say otherwise.
    """
    objects = dict(objects)
    packed = packed or {}
    object_stream = max([*objects, *packed]) + 1
    xref = object_stream + 1
    if packed:
        header, body = [], b""
        for number, source in packed.items():
            header.append(b"%d %d" % (number, len(body)))
            body += source + b"\n"
        prefix = b" ".join(header) + b"\n"
        data = packed_encode(prefix + body)
        objects[object_stream] = b"<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n%s\nendstream" % (
            len(packed),
            len(prefix),
            packed_filter,
            len(data),
            data,
        )
    output = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(output)
        output += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    offsets[xref] = len(output)
    rows = [b"\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref + 1):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00")
        elif number in packed:
            rows.append(b"\x02" + object_stream.to_bytes(4, "big") + list(packed).index(number).to_bytes(1, "big"))
        else:
            rows.append(b"\x00" * 6)
    table = zlib.compress(b"".join(rows))
    output += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (xref, xref + 1, len(table), table)
    )
    output += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(output)


def page(*, catalog: bytes = b"", page: bytes = b"", content: bytes = PAGE_TEXT) -> dict[int, bytes]:
    """A one-page document: catalog (1), pages (2), page (3), its Flate content stream (4), a font (5)."""
    data = zlib.compress(content)
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page + b">>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }


def clean_compressed() -> bytes:
    """An ordinary compressed PDF: objects in an object stream, opening at page 1, with a web link."""
    objects = page(catalog=b"/OpenAction [3 0 R /Fit] /PageMode /UseNone ", page=b"/Annots [6 0 R] ")
    objects[6] = b"<< /Type /Annot /Subtype /Link /Rect [40 690 300 730] /A << /S /URI /URI (https://www.un.org/) >> >>"
    return _pack(objects, 1, 2, 3, 5, 6)


def _pack(objects: dict[int, bytes], *numbers: int, **stream) -> bytes:
    rest = dict(objects)
    inside = {number: rest.pop(number) for number in numbers}
    return build(rest, packed=inside, **stream)


def hex_escaped_javascript() -> bytes:
    """Document-level JavaScript with its names written as #xx escapes (/J#61vaScript is /JavaScript)."""
    objects = page(catalog=b"/Names << /J#61vaScript 6 0 R >> ")
    objects[6] = b"<< /Names [(x) 7 0 R] >>"
    objects[7] = b"<< /S /J#61v#61Script /J#53 (app.alert\\(1\\)) >>"
    return build(objects)


def open_action_javascript() -> bytes:
    objects = page(catalog=b"/OpenAction 6 0 R ")
    objects[6] = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    return build(objects)


def open_action_submit_form() -> bytes:
    """Sends the form to a web address as soon as the file opens."""
    return build(page(catalog=b"/OpenAction << /S /SubmitForm /F (https://example.org/collect) >> "))


def page_additional_action() -> bytes:
    """A page that opens a web page when it is shown (/AA, additional actions)."""
    return build(page(page=b"/AA << /O << /S /URI /URI (https://example.org/) >> >> "))


def javascript_in_object_stream() -> bytes:
    """The catalog and its JavaScript open action, packed in a Flate object stream: nothing shows in the raw bytes."""
    objects = page(catalog=b"/OpenAction 6 0 R ")
    objects[6] = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    return _pack(objects, 1, 6)


def embedded_file() -> bytes:
    objects = page(catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> ")
    objects[6] = b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>"
    objects[7] = b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"
    return build(objects)


def javascript_in_object_stream_behind(packed_filter: bytes, packed_encode: Callable[[bytes], bytes]) -> bytes:
    """As javascript_in_object_stream, with the object stream behind a filter chain or a predictor."""
    objects = page(catalog=b"/OpenAction 6 0 R ")
    objects[6] = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    return _pack(objects, 1, 6, packed_filter=packed_filter, packed_encode=packed_encode)


def flate_twice(data: bytes) -> bytes:
    return zlib.compress(zlib.compress(data))


def flate_of_hex(data: bytes) -> bytes:
    """For the filter chain [/FlateDecode /ASCIIHexDecode]: hex digits, then Flate."""
    return zlib.compress(data.hex().encode() + b">")


def flate_with_png_predictor(data: bytes) -> bytes:
    """For /DecodeParms << /Predictor 12 /Columns len(data) >>: one row, PNG "Sub" (each byte less the one before)."""
    row = bytes([1, data[0]]) + bytes((data[i] - data[i - 1]) & 255 for i in range(1, len(data)))
    return zlib.compress(row)


def javascript_in_object_stream_behind_png_predictor() -> bytes:
    """As javascript_in_object_stream, the object stream Flate-compressed after a PNG predictor."""
    columns = []

    def encode(data: bytes) -> bytes:
        columns.append(len(data))
        return flate_with_png_predictor(data)

    source = javascript_in_object_stream_behind(b"/FlateDecode /DecodeParms << /Predictor 12 /Columns ____ >>", encode)
    return source.replace(b"____", b"%-4d" % columns[0])


def stream_keyword_in_string() -> bytes:
    """A page's automatic action (/AA) after a string that looks like a stream: `(...>>stream` and `(endstream)`."""
    return build(
        page(
            page=b"/T (<</Filter/DCTDecode>>stream\n) /AA << /O << /S /Rendition /JS (app.alert\\(1\\)) >> >> "
            b"/U (endstream) "
        )
    )


def repeated_stream_keyword(size: int) -> bytes:
    """`stream` lines and nothing else: `size` bytes that are not a PDF but were slow to look through."""
    return b"%PDF-1.7\n" + b"stream\n" * (size // 7)


def object_stream_inflating_to(size: int) -> bytes:
    """A page whose objects sit in an object stream padded with spaces to `size` bytes when inflated: a
    decompression bomb of about size / 1000 bytes, made without inflating anything here.

    After a full flush deflate forgets what came before, so one compressed megabyte of spaces can be repeated.
    """
    objects = page()
    packed = {number: objects.pop(number) for number in (1, 2, 3, 5)}
    header, body = [], b""
    for number, source in packed.items():
        header.append(b"%d %d" % (number, len(body)))
        body += source + b"\n"
    prefix = b" ".join(header) + b"\n"
    megabyte = b" " * 2**20
    megabytes = size // len(megabyte)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(prefix + body) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(megabyte) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()
    checksum = zlib.adler32(prefix + body)
    for _ in range(megabytes):
        checksum = zlib.adler32(megabyte, checksum)
    data = b"\x78\xda" + start + block * megabytes + end + checksum.to_bytes(4, "big")
    return build(objects, packed=packed, packed_encode=lambda _: data)


def encrypted() -> bytes:
    objects = page()
    objects[6] = b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"
    source = build(objects)
    return source.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 6 0 R")
