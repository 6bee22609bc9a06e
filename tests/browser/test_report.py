"""The HTML report, opened in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.see import agreement_file, run, term_set
from tests.conftest import RECORD, ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "build" / "artifacts"
TERMS = [
    "agi.clause",
    "api.exclusivity",
    "cloud.azure_commitment",
    "cloud.exclusivity",
    "cloud.own_capacity",
    "cloud.third_party_capacity",
    "ip.rights",
    "revenue.share",
]


def unavailable(reason: str) -> None:
    """Under CI the browser tests must run: fail. Elsewhere, skip and say why."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, headless, with nothing that reaches for the network on its own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        unavailable(f"playwright is not installed ({e})")
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as e:  # any failure to start is the same answer: no browser
            unavailable(f"chromium does not start: {str(e).splitlines()[0]}")
        yield launched
        launched.close()


def report(db: str, folder: Path, *more: str) -> Path:
    """The report of the database's one agreement, written into `folder`."""
    path = folder / "report.html"
    result = run("report", "--output", str(path), "--db", db, *more)
    assert result.exit_code == 0, result.output
    return path


class Page:
    """A report opened in a fresh page, with every request it made."""

    def __init__(self, browser: Any, path: Path, width: int = 1200) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())

    def text(self, selector: str) -> str:
        return str(self.page.inner_text(selector))

    def pick(self, selector: str, day: str) -> None:
        self.page.fill(selector, day)


@pytest.fixture
def shipped(sqlite_url: str, tmp_path: Path) -> Path:
    """The report of the shipped record."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return report(sqlite_url, tmp_path)


def test_every_term_of_the_record_is_in_the_chart_and_explained(
    browser: Any, shipped: Path
) -> None:
    page = Page(browser, shipped)

    labels = page.page.locator("#timeline .chart.wide svg .label").all_text_contents()
    assert labels == TERMS
    for term in TERMS:
        assert term in page.text(f'[id="term-{term}"]')
    assert page.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "report.png"))


def test_picking_two_dates_shows_the_rofr_change(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped)

    page.pick("#diff-from", "2019-08-01")
    page.pick("#diff-to", "2023-01-22")
    unchanged = page.text("#diff-view")
    page.pick("#diff-from", "2025-01-20")
    page.pick("#diff-to", "2025-01-21")
    changed = page.text("#diff-view")

    assert "Nothing changed between these dates." in unchanged
    assert "changed\tcloud.exclusivity" in changed
    assert "value.model: exclusive → right_of_first_refusal" in changed
    assert "settled\tcloud.azure_commitment" in changed
    assert "agi.clause" not in changed


def test_picking_a_date_shows_the_terms_then(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped)

    page.pick("#state-date", "2025-01-20")
    before = page.text("#state-view")
    page.pick("#state-date", "2025-01-21")
    after = page.text("#state-view")

    assert "OpenAI's compute runs on Microsoft Azure, extended to Oracle capacity" in before
    assert "cloud.own_capacity" not in before
    assert "The OpenAI API is exclusive to Azure, through 2030" in before
    assert "Microsoft has a right of first refusal (ROFR) on OpenAI's new capacity" in after
    assert "OpenAI reportedly considering dropping the AGI clause" in after


def test_an_on_or_before_date_stays_on_one_line(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped)

    page.pick("#state-date", "2025-01-21")
    cells = page.page.eval_on_selector_all(
        "#state-view td",
        "tds => tds.filter(td => td.textContent === '../2025-01-20')"
        ".map(td => { const text = document.createRange(); text.selectNodeContents(td);"
        " return [getComputedStyle(td).whiteSpace, text.getClientRects().length]; })",
    )  # the text's line boxes: one when it does not wrap

    assert cells and all(cell == ["nowrap", 1] for cell in cells)


def test_the_page_makes_no_network_request(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped)
    page.pick("#diff-from", "2019-07-22")
    page.page.hover("#timeline svg .bar")

    assert page.requests == [shipped.as_uri()]


def test_the_page_fits_a_phone(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped, width=390)

    assert page.page.evaluate("document.documentElement.scrollWidth") <= 390


# The font size of each chart label shown, in CSS pixels: its own size scaled as its SVG is.
LABEL_SIZES = """() => [...document.querySelectorAll('#timeline .chart svg .label')]
  .filter(t => t.getClientRects().length)
  .map(t => { const svg = t.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(t).fontSize) * scale; })"""
SIDEWAYS = """() => [...document.querySelectorAll('.scroll, table')]
  .filter(n => n.scrollWidth > n.clientWidth + 1).length"""


def test_16_on_a_phone_the_chart_reads_and_no_table_scrolls_sideways(
    browser: Any, shipped: Path
) -> None:
    page = Page(browser, shipped, width=390)
    page.pick("#state-date", "2024-12-01")
    page.pick("#diff-from", "2019-01-01")
    page.pick("#diff-to", "2025-01-21")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=True)

    labels = page.page.locator("#timeline .chart.narrow svg .label").all_text_contents()
    sizes = page.page.evaluate(LABEL_SIZES)

    assert labels == TERMS
    assert len(sizes) == 8 and min(sizes) >= 10
    assert page.page.evaluate("document.documentElement.scrollWidth") == 390
    assert page.page.evaluate(SIDEWAYS) == 0
    assert "Hover, tap or focus a bar" in page.text("#timeline .hint")
    assert page.errors == []


def test_16_tapping_a_bar_on_a_phone_shows_its_details(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped, width=390)

    page.page.locator("#timeline .chart.narrow .period").first.click()

    assert page.text("#chart-detail") == (
        "Microsoft's access to post-AGI models can end; AGI = over $100B in profits — "
        "from ../2025-01-20, in force; reported"
    )


def test_16_a_period_of_imprecise_date_is_shaded_over_the_days_it_may_cover(
    browser: Any, shipped: Path
) -> None:
    page = Page(browser, shipped)

    row = page.page.locator('#timeline .chart.wide [data-term="ip.rights"]')
    shaded = row.locator("rect.maybe")

    assert shaded.count() == 1
    assert shaded.first.bounding_box()["width"] > 100
    assert "from ../2025-01-20" in row.locator(".period title").first.text_content()


def test_2_the_state_on_2024_12_01_lists_the_terms_possibly_set_by_then(
    browser: Any, shipped: Path
) -> None:
    page = Page(browser, shipped)

    page.pick("#state-date", "2024-12-01")

    possible = page.text("#state-view").split("Possible")[1]
    rows = [line.split("\t")[:4] for line in possible.splitlines() if "\t" in line]
    assert rows[1:] == [
        ["agi.clause", "../2025-01-20", "set", "reported"],
        ["cloud.azure_commitment", "../2025-01-21", "set", "confirmed"],
        ["ip.rights", "../2025-01-20", "set", "reported"],
        ["revenue.share", "../2025-01-20", "set", "reported"],
    ]


SCRIPT = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'


def test_markup_from_an_agreement_file_is_shown_as_text_never_run(
    browser: Any, sqlite_url: str, tmp_path: Path
) -> None:
    hostile = agreement_file(
        tmp_path,
        "hostile",
        [term_set("h-1", "bad.term", "2021-01-01", SCRIPT, value={"x": "</script><b>"})],
        title="</script><script>window.pwned = 3</script>",
        sources=[{"id": "evil", "title": SCRIPT, "url": "javascript:window.pwned = 4"}],
    )
    assert run("import", str(hostile), "--db", sqlite_url).exit_code == 0
    page = Page(browser, report(sqlite_url, tmp_path, "--as-of", "2021-06-01"))
    page.pick("#state-date", "2021-06-01")

    assert page.page.evaluate("typeof window.pwned") == "undefined"
    assert SCRIPT in page.text("#state-view")
    assert SCRIPT in page.text("#explanations")
    assert "</script><script>window.pwned = 3</script>" in page.text("h1")
    assert page.page.locator("#sources a").count() == 0
    assert page.requests == [page.page.url]


def test_printing_hides_the_date_controls_and_keeps_the_rest(browser: Any, shipped: Path) -> None:
    page = Page(browser, shipped)
    page.page.emulate_media(media="print")

    assert page.page.locator(".controls").first.is_hidden()
    assert page.page.locator("#timeline .chart.wide svg").is_visible()
    assert page.page.locator("#explanations").is_visible()


@pytest.fixture
def whole(sqlite_url: str, tmp_path: Path) -> Path:
    """The report of every file of the shipped record, its review of 2026-12-06 included."""
    files = [str(p) for p in sorted((ROOT / "events").glob("*.yaml"))]
    assert run("import", *files, "--db", sqlite_url).exit_code == 0
    return report(sqlite_url, tmp_path, "--as-of", "2027-03-01")


def test_the_days_beyond_the_review_are_shaded_and_said_under_the_state(
    browser: Any, whole: Path
) -> None:
    page = Page(browser, whole)
    note = "the record covers changes up to 2026-12-06; later ones are not recorded"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "report-whole.png"))

    band = page.page.locator("#timeline .chart.wide svg rect.beyond")
    beyond = page.text("#state-view")
    page.pick("#state-date", "2026-12-06")
    within = page.text("#state-view")

    assert band.count() == 1 and band.bounding_box()["width"] > 50
    assert page.text("#timeline .legend").endswith(note)
    assert beyond.endswith(note)
    assert note not in within
    assert page.errors == []
