"""The site's HTML is well nested (issue 13): what the server sends is the tree a browser builds,
so no `<p>` is closed early by a `<details>` inside it, no phrasing element (a `<span>`, a link)
holds a block, every end tag closes the element it names and no id repeats. A validator-like
check with the standard library's tokenizer and the HTML content model's main rules."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# elements a <p> cannot hold: the parser closes the <p> before them (HTML, "in body" rules)
CLOSES_P = {
    "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
    "summary", "li", "dd", "dt",
}  # fmt: skip
FLOW_ONLY = (CLOSES_P | {"noscript"}) - {"summary"}
# elements whose content model is phrasing content only
PHRASING_ONLY = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "label",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "button", "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "legend", "dt", "summary",
}  # fmt: skip
# end tags the HTML syntax lets an author leave out (the next sibling or the parent's end closes)
OPTIONAL_END = {"li", "dt", "dd", "p", "option", "tr", "td", "th", "thead", "tbody"}
# SVG and MathML follow XML rules inside HTML; their children are not checked here
FOREIGN = {"svg", "math"}


class Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.foreign = 0

    def where(self) -> str:
        line, _ = self.getpos()
        return f"line {line}, in {'>'.join(self.stack[-4:]) or 'document'}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                if value in self.ids:
                    self.errors.append(f"id {value!r} repeated ({self.where()})")
                self.ids.add(value)
        if self.foreign:
            self.stack.append(tag)
            self.foreign += 1
            return
        if tag in FLOW_ONLY:
            holders = [t for t in self.stack if t in PHRASING_ONLY and t != "summary"]
            if holders and not (tag in {"li", "dd", "dt"} and holders[-1] == "p"):
                self.errors.append(f"<{tag}> inside <{holders[-1]}> ({self.where()})")
        if tag in {"li", "dd", "dt", "p"} and self.stack and self.stack[-1] == tag:
            self.stack.pop()  # an omitted end tag closed by its sibling
        if tag not in VOID:
            self.stack.append(tag)
            if tag in FOREIGN:
                self.foreign = 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"end tag </{tag}> for a void element ({self.where()})")
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
            self.foreign = max(0, self.foreign - 1) if self.foreign else 0
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"stray </{tag}> ({self.where()})")
            return
        self.stack.pop()
        if self.foreign:
            self.foreign -= 1


def nesting_errors(html: str) -> list[str]:
    """What a validator would say about the nesting of `html` (an empty list: none)."""
    checker = Nesting()
    checker.feed(html)
    checker.close()
    left = [t for t in checker.stack if t not in OPTIONAL_END | {"html", "body", "head"}]
    if left:
        checker.errors.append(f"never closed: {left}")
    return checker.errors


def test_the_checker_sees_a_details_closing_a_paragraph_and_a_block_in_a_span():
    assert nesting_errors("<p>a<details><summary>s</summary>b</details></p>")
    assert nesting_errors("<div><span>a<blockquote>b</blockquote></span></div>")
    assert nesting_errors("<div><a href=#>x<div>y</div></a></div>")
    assert nesting_errors('<p id="a">x</p><p id="a">y</p>')
    assert not nesting_errors(
        "<div><p>a <a href=#>[1]<span>pop</span></a></p><details><summary>s</summary>"
        "<blockquote>q</blockquote></details><ul><li>x<li>y</ul>"
        '<svg viewBox="0 0 1 1"><a href="#r"><circle r="1"/><text>t</text></a></svg></div>'
    )


def check(html: str) -> None:
    errors = nesting_errors(html)
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("audience", ["patient", "caregiver", "clinician"])
def test_the_question_page_is_well_nested_in_each_audience(client, approved_page, audience):
    response = client.get(approved_page.url, {"audience": audience})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section class="short-answer">' in html and '<details class="support">' in html
    check(html)


def test_the_follow_up_answer_is_well_nested(client, flares_page):
    response = client.post(
        flares_page.url, {"question": "How are they treated?"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "fu-ref-1" in html
    check(html)


def test_the_home_condition_and_editors_pages_are_well_nested(client, approved_page, people):
    from evimap.site.pages.models import PolicyPage

    policy = PolicyPage.objects.live().first().url
    paths = (
        "/",
        "/?q=flares",
        approved_page.get_parent().url,
        policy,
        "/login/",
        "/community/join/",
    )
    for path in paths:
        check(client.get(path).content.decode())
    check(client.get("/community/terms/").content.decode())
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "<main" in missing.content.decode()
    check(missing.content.decode())
    answered = client.post("/", {"question": "How are Glimmerfield syndrome flares treated?"})
    assert answered.status_code == 200 and 'class="followup-question"' in answered.content.decode()
    check(answered.content.decode())
    client.force_login(people["member"])
    check(client.get(f"/community/share/{approved_page.pk}/").content.decode())
    check(client.get("/community/me/").content.decode())
    client.force_login(people["moderator"])
    check(client.get("/community/queue/").content.decode())
    client.force_login(people["editor"])
    for path in (approved_page.url, "/review/due/", "/draft/asked/"):
        check(client.get(path).content.decode())
