"""A thin driver for the Agents Playground's web UI: what a person does in Teams, as Playwright calls.

Every step waits for something a person would see (a card with a given text, a button); no sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 20_000
CARD = ".ac-adaptiveCard"
MESSAGE_BOX = "[role=textbox][contenteditable]"


class TeamsClient:
    def __init__(self, page: Page, url: str, artifacts: Path, test_name: str):
        self.page, self.url, self.artifacts = page, url, artifacts
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)
        self.errors: list[str] = []  # the page's errors and console errors (kept when a test fails)
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)

    def open(self) -> None:
        self.page.goto(self.url)
        expect(self.page.locator(MESSAGE_BOX)).to_be_editable()
        hide_log = self.page.get_by_role("button", name="Hide log panel")
        if hide_log.count():
            hide_log.click()  # more room for the chat in screenshots
            expect(hide_log).to_have_count(0)

    # --- conversations ---------------------------------------------------------------------

    def open_chat(self, name: str) -> None:
        """Select a chat or channel in the left rail ('Personal Chat', 'Group Chat', a channel name)."""
        self.page.get_by_role("treeitem", name=re.compile(re.escape(name))).first.click()
        expect(self.page.locator(MESSAGE_BOX).first).to_be_editable()

    # --- messages --------------------------------------------------------------------------

    def send(self, text: str) -> None:
        box = self.page.locator(MESSAGE_BOX)
        box.click()
        box.fill(text)
        box.press("Enter")
        expect(box).to_have_text("")

    def mention_bot(self, text: str, bot_name: str = "Samarbeidsbot") -> None:
        """Type '@', pick the bot from the mention list, then the text (as a person does in a channel).

        In a channel the first message box is "Start a new post" (each thread below has its own reply
        box); a new post is sent with its Post button."""
        box = self.page.locator(MESSAGE_BOX).first
        box.click()
        box.press_sequentially("@" + bot_name[:4])
        self.page.get_by_role("menuitem", name=re.compile(bot_name)).first.click()  # the mention list
        box.press_sequentially(" " + text)
        post = self.page.get_by_role("button", name="Post", exact=True)
        if post.count():
            post.click()
        else:
            box.press("Enter")
        expect(box).to_have_text("")

    def cards(self, *texts: str) -> Locator:
        cards = self.page.locator(CARD)
        for text in texts:
            cards = cards.filter(has_text=text)
        return cards

    def wait_card(self, *texts: str) -> Locator:
        """The last card that shows every one of the texts (waits until one does)."""
        card = self.cards(*texts).last
        expect(card).to_be_visible()
        card.scroll_into_view_if_needed()
        return card

    def count_cards(self, *texts: str) -> int:
        return self.cards(*texts).count()

    def wait_text(self, text: str) -> Locator:
        found = self.page.get_by_text(text, exact=False).last
        expect(found).to_be_visible()
        return found

    def choose(self, card: Locator, label: str, option: str) -> None:
        """Pick an option of a compact Input.ChoiceSet (the Playground renders a Fluent combobox whose
        list opens outside the card)."""
        box = card.get_by_role("combobox", name=label)
        box.click()
        self.page.get_by_role("option", name=option, exact=True).click()
        expect(box).to_have_value(option)

    def click(self, card: Locator, button: str) -> None:
        card.get_by_role("button", name=button, exact=True).first.click()

    def screenshot(self, name: str, *, docs: str | None = None) -> Path:
        """Keep a screenshot as a test artefact; with E2E_UPDATE_DOCS=1 also as docs/screenshots/<docs>.png."""
        path = self.artifacts / f"{self.test_name}--{name}.png"
        self.page.screenshot(path=str(path))
        if docs and os.environ.get("E2E_UPDATE_DOCS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / f"{docs}.png")
        return path
