"""Small PDF 1.5 files made in code: objects written out or packed Flate-compressed in an object stream.

poppler's pdfinfo and pdftoppm read them without complaint, so the upload check is tried on the same
structure that Word, LibreOffice and pdfTeX write (object streams, xref streams, Flate everywhere).
"""

import zlib

PAGE_TEXT = b"BT /F1 24 Tf 40 700 Td (Hej fra biblioteket) Tj ET"


def build(objects: dict[int, bytes], *, packed: dict[int, bytes] | None = None) -> bytes:
    """The objects written out, `packed` ones in a Flate object stream, and an xref stream; object 1 is the catalog."""
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
        data = zlib.compress(prefix + body)
        objects[object_stream] = (
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (
                len(packed),
                len(prefix),
                len(data),
                data,
            )
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


def _pack(objects: dict[int, bytes], *numbers: int) -> bytes:
    rest = dict(objects)
    inside = {number: rest.pop(number) for number in numbers}
    return build(rest, packed=inside)


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


def inflating_to(size: int) -> bytes:
    """A page whose content stream inflates to `size` bytes (a "zip bomb" when size is large)."""
    return build(page(content=b" " * size))


def broken_flate() -> bytes:
    objects = page()
    objects[4] = b"<< /Length 12 /Filter /FlateDecode >>\nstream\nnot deflated\nendstream"
    return build(objects)


def encrypted() -> bytes:
    objects = page()
    objects[6] = b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"
    source = build(objects)
    return source.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 6 0 R")
