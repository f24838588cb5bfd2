import pytest

from circles.markdown import render_markdown


def test_markdown_renders_emphasis_lists_and_links():
    html = render_markdown("**Kaffe** og *kage*\n\n- en\n- to\n\n[Biblioteket](https://bibliotek.example)")
    assert "<strong>Kaffe</strong>" in html
    assert "<em>kage</em>" in html
    assert "<li>en</li>" in html
    assert 'href="https://bibliotek.example"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_strips_scripts_handlers_and_dangerous_links(payload):
    html = render_markdown(payload).lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert "onload" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "<svg" not in html
    assert "style=" not in html
