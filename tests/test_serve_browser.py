"""`slac serve` in headless Chromium (selenium + Debian's chromium-driver): type, see, fix, break, save.

The screenshot of the page at 1280 px is kept in tests/artifacts/serve-desk.png (ignored by git); a
reviewed copy is docs/serve-desk.png.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from slac.serve.desk import Desk  # noqa: E402
from slac.serve.http import DeskServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "acme-crm.sla"
    shutil.copy(ROOT / "contracts" / "acme-crm.sla", path)
    return path


@pytest.fixture
def desk(contract: Path) -> Iterator[DeskServer]:
    server = DeskServer(Desk([contract]), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(DRIVER)), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def refreshed_after(browser, before: str | None, timeout: float = 20) -> str:
    """Wait until the page has shown a refresh newer than `before`; return its number."""

    def newer(d):
        value = d.find_element(By.TAG_NAME, "body").get_attribute("data-refreshed")
        return value if value and value != before else False

    return WebDriverWait(browser, timeout).until(newer)


def replace(browser, old: str, new: str, nth: int = 0) -> None:
    """Select the `nth` occurrence of `old` in the editor and type `new` over it, as an editor would."""
    area = browser.find_element(By.ID, "source")
    text = area.get_property("value")
    start = -1
    for _ in range(nth + 1):
        start = text.index(old, start + 1)
    # selectionStart counts UTF-16 units; the contract is BMP text, where they are Python's indexes.
    browser.execute_script(
        "arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);",
        area,
        start,
        start + len(old),
    )
    area.send_keys(new)


def preview(browser) -> str:
    return browser.find_element(By.ID, "preview").get_attribute("srcdoc")


def test_type_see_fix_break_save(browser, desk: DeskServer, contract: Path) -> None:
    browser.get(desk.url)
    seen = refreshed_after(browser, None)
    area = browser.find_element(By.ID, "source")
    assert area.get_property("value") == contract.read_text(encoding="utf-8")
    first_preview = preview(browser)
    assert "Acme" in first_preview  # the rendered document is in the preview

    # 1. a typo: the calendar `always` misspelt; the underline covers it, the hint says what was meant
    line = "respond high   within 4h  during always"
    replace(browser, line, line.replace("always", "alwyas"))
    seen = refreshed_after(browser, seen)
    marks = browser.find_elements(By.CSS_SELECTOR, "#overlay mark")
    assert [m.get_attribute("textContent") for m in marks] == ["alwyas"]
    items = browser.find_element(By.ID, "diagnostics").text
    assert "`alwyas`" in items and "did you mean `always`?" in items
    assert "(not updated" in browser.find_element(By.ID, "stale").text or preview(browser) == first_preview
    # the caret on the underlined word shows its message and hint
    assert "did you mean `always`?" in browser.find_element(By.ID, "here").text

    # 2. fix it with a different calendar: the error goes, the preview and the diff change
    replace(browser, "during alwyas", "during business")
    seen = refreshed_after(browser, seen)
    assert browser.find_elements(By.CSS_SELECTOR, "#overlay mark") == []
    assert preview(browser) != first_preview
    verdict = browser.find_element(By.ID, "verdict").text
    changes = browser.find_element(By.ID, "changes").text
    # Fewer hours count towards the response time (business hours instead of every hour): a reduction.
    assert verdict.startswith("reduction") and "4" in changes

    # 3. break an example: its expected credit no longer matches what the evaluator computes
    replace(browser, "expect credit 50 USD", "expect credit 60 USD")
    seen = refreshed_after(browser, seen)
    failed = browser.find_elements(By.CSS_SELECTOR, "#examples li.fail")
    assert len(failed) == 1
    assert "expect credit 60.00 USD ≠ actual 50.00 USD" in failed[0].text
    # clicking the diagnostic brings its line into view, underlined, with its message under the editor
    browser.find_element(By.CSS_SELECTOR, "#diagnostics li").click()
    assert "expects credit 60.00 USD" in browser.find_element(By.ID, "here").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "serve-desk.png"))
    assert browser.get_window_size()["width"] == 1280

    # 4. save: the file on disk is the text in the editor
    browser.find_element(By.ID, "save").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-saved"))
    assert contract.read_text(encoding="utf-8") == area.get_property("value")
    assert "expect credit 60 USD" in contract.read_text(encoding="utf-8")


def test_a_file_changed_on_disk_is_not_overwritten_silently(browser, desk: DeskServer, contract: Path) -> None:
    browser.get(desk.url)
    refreshed_after(browser, None)
    # Someone else edits the file after the page loaded it.
    theirs = contract.read_text(encoding="utf-8").replace('version   "3.0.0"', 'version   "3.0.1"')
    assert theirs != contract.read_text(encoding="utf-8")
    contract.write_text(theirs, encoding="utf-8")
    replace(browser, "expect credit 50 USD", "expect credit 50 USD ")
    browser.find_element(By.ID, "save").click()
    banner = WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "conflict").is_displayed() and d.find_element(By.ID, "conflict")
    )
    assert "changed on disk" in banner.text
    assert contract.read_text(encoding="utf-8") == theirs  # not overwritten
    browser.find_element(By.ID, "overwrite").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-saved"))
    assert contract.read_text(encoding="utf-8") == browser.find_element(By.ID, "source").get_property("value")
