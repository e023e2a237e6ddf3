"""A person in a real browser: one headless Chromium (Debian's), one browser context per person (its
own cookies, so its own Streamlit session; behind haproxy its own sticky worker).

Each action is timed from the click that commits it until the page is drawn: Streamlit's script
run that the action started has finished (``data-test-script-state`` went back to ``notRunning``:
counted by a MutationObserver, so a run that ends before we look is not missed), no skeleton or
running indicator (``stStatusWidget``) is left, the page title (h1) is there and every chart has
drawn its SVG. Errors: Python exceptions on the page (``stException``), timeouts, Playwright
failures; JavaScript errors are counted apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import time
import traceback
from pathlib import Path

from bench.load import OUT, scenario

CHROMIUM = os.environ.get("NQ71_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip
ACTION_TIMEOUT_MS = 60000
SELECT_ALL = re.compile(r"tất cả|select all", re.I)

# The run started by the action has finished and the page is drawn, and has stayed so for STABLE_MS
# (Streamlit may end one run and start another at once: a page's first run, a rerun it asks for).
# window.__nqOkAt is when the drawn state began (performance.now()): the action's end.
STABLE_MS = 250
# Is the page drawn for the first script run after the n-th finished one? Pure: reads the page only.
DRAWN_FN = """
(n) => {
  const app = document.querySelector("[data-testid='stApp']");
  const status = document.querySelector("[data-testid='stStatusWidget']");
  const h1 = document.querySelector("[data-testid='stMain'] h1");
  const cap = document.querySelector("[data-testid='stMain'] [data-testid='stCaptionContainer']");
  const sig = (h1 ? h1.innerText : '') + '|' + (cap ? cap.innerText : '');
  // the run the action started: counted when it ended, or seen in what it drew (a fast rerun may
  // go from notRunning to notRunning in one React render, which no observer sees)
  const ran = window.__nqDone > n || (window.__nqSig != null && sig !== window.__nqSig);
  return !!(app && ran && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector(
      "[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], [data-testid='stAppSkeleton'], [data-stale='true']")
    && !(status && /running|đang chạy/i.test(status.innerText || ''))
    && h1
    && [...document.querySelectorAll("[data-testid='stPlotlyChart']")].every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].every(c => c.querySelector('svg, canvas')));
}
"""
# In every page, before Streamlit's own scripts: count the finished script runs (each time stApp's
# data-test-script-state becomes notRunning), and while an action waits (window.__nqWant: the count it
# waits past), look again whether the page is drawn 16 ms after any change of the page (a
# MutationObserver), recording when the drawn state began. A page nobody waits on does nothing; the
# load test reads one variable a few times a second (READY_JS) instead of querying the whole page
# every 50 ms in each waiting browser, which cost the shared cores (about 16 ms of a renderer's CPU
# per second of waiting, and the driver's round trips) the server and the drawing needed.
INIT_JS = """
window.__nqDone = 0;
window.__nqWant = null;
window.__nqOkAt = null;
window.__nqDrawn = DRAWN_FN;
window.__nqCheck = () => {
  if (window.__nqWant == null) return;
  if (!window.__nqDrawn(window.__nqWant)) window.__nqOkAt = null;
  else if (window.__nqOkAt == null) window.__nqOkAt = performance.now();
};
new MutationObserver((ms) => {
  for (const m of ms) {
    if (m.target.getAttribute && m.target.getAttribute('data-test-script-state') === 'notRunning') window.__nqDone++;
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
let nqQueued = false;
new MutationObserver(() => {
  if (window.__nqWant == null || nqQueued) return;
  nqQueued = true;
  setTimeout(() => { nqQueued = false; window.__nqCheck(); }, 16);
}).observe(document, {attributes: true, childList: true, characterData: true, subtree: true});
""".replace("DRAWN_FN", DRAWN_FN.strip())
# Waiting for a page (polled; the actions, the warm-up, the publish check): start watching for run n on
# the first call; true once the page has been drawn for STABLE_MS.
READY_JS = """
(n) => {
  if (window.__nqWant !== n) { window.__nqWant = n; window.__nqOkAt = null; window.__nqCheck(); }
  return window.__nqOkAt != null && performance.now() - window.__nqOkAt >= STABLE_MS;
}
""".replace("STABLE_MS", str(STABLE_MS))
# Before an action: remember what the page shows (title and caption) and the time, and start
# watching for the run after the n-th (so a run drawn before the first poll is timed when drawn).
STAMP_JS = """
(n) => {
  const h1 = document.querySelector("[data-testid='stMain'] h1");
  const cap = document.querySelector("[data-testid='stMain'] [data-testid='stCaptionContainer']");
  window.__nqSig = (h1 ? h1.innerText : '') + '|' + (cap ? cap.innerText : '');
  window.__nqWant = n;
  window.__nqOkAt = null;
  return performance.now();
}
"""
# Why READY_JS is still false (for the error message of a timeout).
WHY_JS = """
(n) => {
  const app = document.querySelector("[data-testid='stApp']");
  const status = document.querySelector("[data-testid='stStatusWidget']");
  return JSON.stringify({done: window.__nqDone, n, state: app && app.getAttribute('data-test-script-state'),
    skeletons: document.querySelectorAll("[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], [data-testid='stAppSkeleton']").length,
    stale: document.querySelectorAll("[data-stale='true']").length,
    status: status && (status.innerText || '').slice(0, 40), h1: !!document.querySelector("[data-testid='stMain'] h1"),
    plotly: [...document.querySelectorAll("[data-testid='stPlotlyChart']")].map(c => !!c.querySelector('.main-svg')),
    vega: [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].map(c => !!c.querySelector('svg, canvas'))});
}
"""


# ---------------------------------------------------------------- one person


class Session:
    """Person ``i``: opens the overview after ``delay`` seconds, waits for ``all_open`` (everyone has
    opened) and for the monotonic time ``rounds_at`` (the ramp's end), then does ``args.rounds``
    rounds of bench/load/scenario.py, reading ``args.think`` seconds (±50 %) between actions."""

    def __init__(self, i: int, browser, url: str, facts: dict, args, results: dict, all_open: asyncio.Barrier,
                 delay: float = 0.0, rounds_at: float = 0.0, context=None):  # fmt: skip
        self.i, self.browser, self.url, self.facts, self.args, self.results = i, browser, url, facts, args, results
        self.all_open, self.delay, self.rounds_at = all_open, delay, rounds_at
        self.context = context  # a browser context to open the page in (a returning visitor: its cache), kept
        self.rng = random.Random(1000 + i)
        self.page = None
        self.js_errors = 0

    def record(self, action: str, seconds: float | None, error: str | None = None) -> None:
        r = self.results.setdefault(action, {"times": [], "errors": []})
        if seconds is not None:
            r["times"].append(seconds)
        if error:
            r["errors"].append(f"phiên {self.i + 1}: {error}")

    async def shot(self, action: str) -> None:
        """A screenshot of a failed action, for the report (bench/out/loadtest/)."""
        try:
            OUT.mkdir(parents=True, exist_ok=True)
            await self.page.screenshot(path=str(OUT / f"error-session{self.i + 1}-{action}.png"), timeout=10000)
        except Exception:
            pass

    async def think(self) -> None:
        if self.args.think > 0:
            await asyncio.sleep(self.args.think * self.rng.uniform(0.5, 1.5))

    async def done_count(self) -> int:
        return await self.page.evaluate("window.__nqDone || 0")

    async def drawn(self, n: int) -> None:
        await self.page.wait_for_function(READY_JS, arg=n, timeout=ACTION_TIMEOUT_MS, polling=100)

    async def timed(self, action: str, commit, prepare=None, navigates: bool = False, shows: str | None = None) -> bool:
        """``prepare()`` (opening a list: not timed), then ``commit()`` timed until drawn: from the
        browser's clock just before the click (or the navigation's start) to the moment the drawn
        state began (``window.__nqOkAt``, noted by the page itself 16 ms after the change that drew it), so
        neither the polling nor the stability wait is counted."""
        page = self.page
        n = 0
        try:
            if prepare is not None:
                await prepare()
            if not navigates:
                n = await self.done_count()
                t0 = await page.evaluate(STAMP_JS, n)
            await commit()
            await self.drawn(n)
            ok_at = await page.evaluate("() => { window.__nqWant = null; return window.__nqOkAt; }")
            seconds = (ok_at - (0 if navigates else t0)) / 1000
        except Exception as e:  # a timeout or a Playwright failure: the person saw no page
            why = ""
            with contextlib.suppress(Exception):
                why = " " + await page.evaluate(WHY_JS, n)
            self.record(action, None, f"{type(e).__name__}: {str(e).splitlines()[0][:160]}{why}")
            await self.shot(action)
            return False
        exc = page.locator("[data-testid='stException']")
        if await exc.count():
            text = (await exc.first.inner_text())[:200].replace("\n", " ")
            self.record(action, seconds, f"stException: {text}")
            return False
        if shows is not None:  # the choice took effect: the page's caption names it
            caption = await _caption_text(page)
            if shows not in caption:
                self.record(action, seconds, f"trang vẽ xong nhưng không theo lựa chọn «{shows}»: {caption[-120:]}")
                await self.shot(action)
                return False
        self.record(action, seconds)
        return True

    async def pick(self, label: str, option: str | None, typed: str | None = None, index: int = 0) -> tuple:
        """(prepare, commit) for choosing ``option`` (or the ``index``-th offered) in a sidebar list."""
        page = self.page
        box = page.get_by_label(label, exact=True)
        chosen = {}

        async def prepare():
            # a multiselect also offers «select all»: never that one
            opts = page.get_by_role("option").filter(has_not_text=SELECT_ALL)
            for attempt in range(4):  # a click landing while the previous list closes does not open this one
                await box.evaluate("e => e.scrollIntoView({block: 'center'})")
                await box.click()
                if typed:
                    await box.press_sequentially(typed, delay=20)
                try:
                    await opts.first.wait_for(timeout=2500 * (attempt + 1))
                    break
                except Exception:
                    if attempt == 3:
                        raise
                    await page.keyboard.press("Escape")
            if option is not None:
                chosen["loc"] = page.get_by_role("option", name=option, exact=True)
            else:
                # one of the first few: the list is virtual, an item scrolled into view may move under the click
                count = await opts.count()
                chosen["loc"] = opts.nth(index % max(min(count, 5), 1))

        async def commit():
            await chosen["loc"].click()

        return prepare, commit

    async def nav(self, title: str):
        """The sidebar's link by its title, or by its address («/theo-xa-phuong»: its title follows the level)."""
        nav = "[data-testid='stSidebarNav'] a"
        link = (self.page.locator(f"{nav}[href$='{title}']") if title.startswith("/") else
                self.page.locator(nav, has_text=title)).first  # fmt: skip

        async def commit():
            await link.click()

        return commit

    async def other_quarter(self, rnd: int) -> str | None:
        """A quarter other than the one shown (read from the page's caption)."""
        return scenario.quarter_for(self.i, rnd, self.facts["quarters"], await _caption_text(self.page))

    async def download(self) -> None:
        page = self.page
        button = page.get_by_role("button", name=scenario.CSV_LABEL).first
        try:
            await button.scroll_into_view_if_needed(timeout=10000)
            t = time.perf_counter()
            async with page.expect_download(timeout=ACTION_TIMEOUT_MS) as info:
                await button.click()
            dl = await info.value
            path = await dl.path()  # the whole file received
            seconds = time.perf_counter() - t
            raw = Path(path).read_bytes()
            if not raw.startswith(b"\xef\xbb\xbf") or len(raw) < 10:
                self.record("download_csv", seconds, f"tệp CSV lạ ({len(raw)} byte)")
                return
            self.record("download_csv", seconds)
        except Exception as e:
            self.record("download_csv", None, f"{type(e).__name__}: {str(e).splitlines()[0][:160]}")

    async def run(self) -> None:
        args, facts = self.args, self.facts
        await asyncio.sleep(self.delay)
        ctx = self.context or await self.browser.new_context(viewport={"width": 1366, "height": 900},
                                                             accept_downloads=True)  # fmt: skip
        if self.context is None:
            await ctx.add_init_script(INIT_JS)
        self.page = page = await ctx.new_page()
        page.on("pageerror", lambda e: setattr(self, "js_errors", self.js_errors + 1))
        arrived = False
        try:
            opened = await self.timed(
                "open_overview", lambda: page.goto(self.url + "/", timeout=ACTION_TIMEOUT_MS), navigates=True
            )
            arrived = True
            await self.all_open.wait()  # the rounds start once everyone has opened (or failed to)
            await asyncio.sleep(max(0.0, self.rounds_at - time.monotonic()))
            if not opened:
                return
            provinces = facts["provinces"]
            for rnd in range(args.rounds):
                await self.think()
                if len(provinces) > 1:
                    name = scenario.province_for(self.i, rnd, provinces)
                    if not await self.timed(
                        "filter_province",
                        *reversed(await self.pick(scenario.PROVINCE_LABEL, name, name[:5])),
                        shows=name,
                    ):
                        return
                    await self.think()
                prep, commit = await self.pick(scenario.UNIT_LABEL, None, index=scenario.unit_index(self.i, rnd))
                ok = await self.timed("filter_unit", commit, prep, shows=scenario.UNIT_SHOWS)
                await page.keyboard.press("Escape")
                if not ok:
                    return
                await self.think()
                quarter = await self.other_quarter(rnd)
                if quarter and not await self.timed(
                    "filter_quarter", *reversed(await self.pick(scenario.QUARTER_LABEL, quarter)), shows=quarter
                ):
                    return
                for path, action in scenario.PAGES:
                    await self.think()
                    if not await self.timed(action, await self.nav(NAV_LINKS[path])):
                        return
                await self.think()
                await self.download()
                await self.think()
                path, action = scenario.OVERVIEW
                if not await self.timed(action, await self.nav(NAV_LINKS[path])):
                    return
        except Exception as e:  # anything unexpected in the script itself is an error too
            self.record("session", None, f"{type(e).__name__}: {e}")
            traceback.print_exc()
        finally:
            if not arrived:  # never keep the others waiting
                await self.all_open.wait()
            self.results.setdefault("_js_errors", {"times": [], "errors": []})["times"].append(self.js_errors)
            await (self.page.close() if self.context is not None else ctx.close())


CAPTION = "[data-testid='stMain'] [data-testid='stCaptionContainer']"  # the page's first caption: what it shows
# the sidebar's link of each page of a round (by address: «Theo xã/phường»'s title follows the level)
NAV_LINKS = {"theo-xa-phuong": "/theo-xa-phuong", "theo-chi-tieu": "Theo chỉ tiêu", "": "Tổng quan"}


async def _caption_text(page) -> str:
    cap = page.locator(CAPTION).first
    return await cap.inner_text() if await cap.count() else ""


async def warm_up(browser, url: str) -> None:
    """One visit of each page, not measured: a server in service has run each page before."""
    ctx = await browser.new_context(viewport={"width": 1366, "height": 900})
    await ctx.add_init_script(INIT_JS)
    page = await ctx.new_page()
    for path in ("", "theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao"):
        await page.goto(f"{url}/{path}", timeout=120000)
        await page.wait_for_function(READY_JS, arg=0, timeout=120000, polling=100)
    await ctx.close()


async def people(browser, url: str, facts: dict, args, results: dict, first: int, count: int, spacing: float,
                 rounds_at: float = 0.0) -> None:  # fmt: skip
    """``count`` people (numbered from ``first``), one opening every ``spacing`` seconds; their rounds
    start once all of them have opened and not before the monotonic time ``rounds_at``."""
    all_open = asyncio.Barrier(count)
    await asyncio.gather(
        *(
            Session(first + k, browser, url, facts, args, results, all_open, k * spacing, rounds_at).run()
            for k in range(count)
        )
    )


@contextlib.asynccontextmanager
async def chromium():
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()
