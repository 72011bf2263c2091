"""The course website (``python -m cifar_tutorial site``), built from the committed
notebooks into a temporary folder, served on 127.0.0.1 and read in a real browser:
Debian's Chromium, driven headless by Playwright (``requirements-site.txt``).

Every page answers 200, has one ``h1`` and no console or page errors; no request leaves
127.0.0.1; every image loads and has a text alternative (not its file name), and each
lesson page shows at least as many images as its notebook stores figures; every same-site
link and ``#anchor`` resolves; previous/next walk the lessons in order; the search finds
the regularization lesson for "dropout"; the launch buttons point at Colab and Binder for
the right notebook. A screenshot of each lesson page goes to the test's temporary folder.

Outside CI (no ``CI`` variable) the tests skip, saying what is missing, when the site
requirements or Chromium are not installed; in CI (``.ci/run`` sets ``CI=1`` and installs
both) a missing piece fails them.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import os
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

from cifar_tutorial.config import REPO_ROOT, REPOSITORY

NOTEBOOKS = REPO_ROOT / "notebooks"
LESSONS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted(f"solutions/{p.stem}" for p in (NOTEBOOKS / "solutions").glob("*_solutions.ipynb"))
# The probe's flags for Chromium on these machines: without the background-networking ones it
# tries to reach Google's servers at start (and fails) on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FILE_NAME = re.compile(r"[\w./-]*\.(png|jpe?g|svg|gif)", re.IGNORECASE)


def _missing(what: str, fix: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed, and CI must test the site. Fix: {fix}")
    pytest.skip(f"{what} is not installed ({fix})")


def stored_figures(notebook: Path) -> int:
    """How many image outputs the committed notebook stores."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for cell in cells for output in cell.get("outputs", [])
               if any(k.startswith("image/") for k in output.get("data", {})))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no line per request in the test output
        pass


def _serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    try:
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
    except ImportError:
        _missing("Sphinx with MyST-NB and sphinx-book-theme", "pip install -r requirements-site.txt")
    from cifar_tutorial.tools import site

    return site.build_site(tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def served(built):
    server, base = _serve(built.path)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright", "pip install -r requirements-site.txt")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _missing("Chromium", "apt-get install chromium (Debian's package; playwright install cannot download here)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def read_page(browser, url: str, screenshot: Path | None = None) -> dict:
    """Open ``url`` in a fresh browser context and return what the checks need: the
    HTTP status, the number of ``h1`` (not counting the theme's print-only copy of the title,
    which the screen never shows), console errors, page errors, requests that tried to
    leave 127.0.0.1 (refused), every image (src, alt, natural width), every link, and the
    previous/next links."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external, console, errors = [], [], []

    def route(request_route):
        url_ = request_route.request.url
        if url_.startswith(("data:", "blob:")) or urllib.parse.urlsplit(url_).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            external.append(url_)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url, wait_until="networkidle")
    page.evaluate("""() => Promise.all(Array.from(document.images).map(img => {
        img.loading = "eager"; return img.decode().catch(() => null); }))""")
    info = page.evaluate("""() => ({
        h1: Array.from(document.querySelectorAll("h1")).filter(h => !h.closest(".onlyprint")).length,
        images: Array.from(document.images).map(img => ({src: img.currentSrc || img.src,
            alt: img.getAttribute("alt"), width: img.naturalWidth})),
        links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
        next: (document.querySelector("a.right-next") || {}).href || null,
        previous: (document.querySelector("a.left-prev") || {}).href || null,
    })""")
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    context.close()
    return {"status": response.status if response else None, "external": external, "console": console,
            "errors": errors, **info}


def page_problems(name: str, info: dict, figures: int = 0) -> list[str]:
    """Every failed check of one page, each naming the page."""
    problems = []
    if info["status"] != 200:
        problems.append(f"answered {info['status']}")
    if info["h1"] != 1:
        problems.append(f"has {info['h1']} h1 headings, not one")
    problems += [f"console error: {text}" for text in info["console"]]
    problems += [f"page error: {text}" for text in info["errors"]]
    problems += [f"requested {url} (outside 127.0.0.1)" for url in info["external"]]
    for image in info["images"]:
        if image["width"] == 0:
            problems.append(f"image did not load: {image['src']}")
        alt = (image["alt"] or "").strip()
        if not alt or FILE_NAME.fullmatch(alt):
            problems.append(f"image without a text alternative: {image['src']} (alt={image['alt']!r})")
    shown = sum(1 for image in info["images"] if "/_images/" in image["src"])
    if shown < figures:
        problems.append(f"shows {shown} output images; its notebook stores {figures}")
    return [f"{name}: {problem}" for problem in problems]


def _pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site).with_suffix("")) for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


def test_every_page_reads_whole_in_a_browser(built, served, browser, shots):
    pages = _pages(built.path)
    assert {*LESSONS, *SOLUTIONS, "index", "glossary", "data_provenance", "instructor_notes", "instructors", "project",
            "results"} <= set(pages)
    problems, links = [], {}
    for name in pages:
        notebook = NOTEBOOKS / f"{name}.ipynb"
        is_lesson = name in LESSONS
        info = read_page(browser, served + f"{name}.html",
                         shots / f"{name.replace('/', '_')}.png" if is_lesson or name == "index" else None)
        problems += page_problems(name, info, stored_figures(notebook) if notebook.exists() else 0)
        links[name] = info["links"]
    problems += broken_links(built.path, served, links)
    assert not problems, "\n".join(problems)


def broken_links(site: Path, base: str, links: dict[str, list[str]]) -> list[str]:
    """Same-site links whose file or ``#anchor`` does not exist, each naming its page."""
    problems, ids = [], {}
    for name, hrefs in links.items():
        for href in hrefs:
            if not href.startswith(base):
                continue
            parts = urllib.parse.urlsplit(href)
            path = site / urllib.parse.unquote(parts.path).lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                problems.append(f"{name}: link to a missing file: {href}")
                continue
            anchor = urllib.parse.unquote(parts.fragment)
            if anchor and path.suffix == ".html":
                if path not in ids:
                    ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
                if anchor not in ids[path]:
                    problems.append(f"{name}: link to a missing anchor: {href}")
    return problems


def test_previous_and_next_walk_the_lessons_in_order(built, served, browser):
    for earlier, later in itertools.pairwise(LESSONS):
        forward = read_page(browser, served + f"{earlier}.html")["next"]
        backward = read_page(browser, served + f"{later}.html")["previous"]
        assert forward == served + f"{later}.html", f"{earlier}: 'next' leads to {forward}, not {later}"
        assert backward == served + f"{earlier}.html", f"{later}: 'previous' leads to {backward}, not {earlier}"


def test_search_for_dropout_lists_the_regularization_lesson(served, browser):
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    page.goto(served + "search.html?q=dropout", wait_until="networkidle")
    page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
    found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    context.close()
    regularization = next(name for name in LESSONS if "regularization" in name)
    assert any(f"{regularization}.html" in href for href in found), found


def test_launch_buttons_point_at_colab_and_binder_for_the_notebook(served, browser):
    for name in LESSONS:
        links = read_page(browser, served + f"{name}.html")["links"]
        colab = [urllib.parse.urlsplit(h) for h in links if "colab.research.google.com" in h]
        binder = [urllib.parse.urlsplit(h) for h in links if "mybinder.org" in h]
        assert len(colab) == 1 and len(binder) == 1, f"{name}: {len(colab)} Colab and {len(binder)} Binder buttons"
        assert colab[0].scheme == "https" and colab[0].path == f"/github/{REPOSITORY}/blob/main/notebooks/{name}.ipynb"
        assert binder[0].scheme == "https" and binder[0].path == f"/v2/gh/{REPOSITORY}/main"
        assert urllib.parse.parse_qs(binder[0].query) == {"urlpath": [f"lab/tree/notebooks/{name}.ipynb"]}
        downloads = [h for h in links if h.endswith(f"_sources/{name}.ipynb")]
        assert downloads, f"{name}: no download link for its notebook"


def test_a_missing_image_fails_the_check_and_names_the_page(built, browser, tmp_path):
    """The checks above can fail: remove one figure of lesson 05's page from a copy of the site."""
    broken = tmp_path / "site"
    shutil.copytree(built.path, broken)
    regularization = next(name for name in LESSONS if "regularization" in name)
    html = (broken / f"{regularization}.html").read_text(encoding="utf-8")
    image = re.search(r'src="(_images/[^"]+\.png)"', html).group(1)
    (broken / image).unlink()
    server, base = _serve(broken)
    try:
        info = read_page(browser, base + f"{regularization}.html")
    finally:
        server.shutdown()
    problems = page_problems(regularization, info, stored_figures(NOTEBOOKS / f"{regularization}.ipynb"))
    assert any(p.startswith(f"{regularization}: image did not load") and image in p for p in problems), problems


def test_site_shows_the_course_version(built):
    from cifar_tutorial.config import __version__

    home = (built.path / "index.html").read_text(encoding="utf-8")
    assert f"cifar-tutorial {__version__}" in home


def test_build_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    from cifar_tutorial.tools import site

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("a user's file\n")
    with pytest.raises(site.SiteError, match="is not a site built by this command; nothing was written"):
        site.build_site(folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_home_page_parts_come_from_the_lessons_and_the_readme():
    from cifar_tutorial.tools import site

    lessons = site.read_lessons(NOTEBOOKS)
    assert [lesson.name.removesuffix(".ipynb") for lesson in lessons] == LESSONS
    assert all(lesson.minutes and lesson.solutions for lesson in lessons)
    table = site.lesson_table(lessons).splitlines()
    assert len(table) == 2 + len(LESSONS) and f"about {lessons[0].minutes} min" in table[2]
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert site.markdown_section(readme, "For instructors").startswith("## For instructors\n")
    with pytest.raises(site.SiteError, match="no '## No such heading' section"):
        site.markdown_section(readme, "No such heading")
    assert site._readme_links("[a](notebooks/glossary.md) [b](LICENSE) [c](https://x.org) [d](#set-up)") == (
        f"[a](glossary.md) [b](https://github.com/{REPOSITORY}/blob/main/LICENSE) [c](https://x.org) [d](#set-up)")
