"""Render speed: the bilingual websoft9 PDF and the Markdown of every edition.

Run: .venv/bin/python bench/render.py
Prints medians and ratios against baselines measured in the same run:
- PDF: slac's path (CJK font pre-subset to the document's characters, memoised) against plain
  WeasyPrint `write_pdf` of the same HTML with the full Noto Serif SC font from its package file;
- Markdown: every edition of websoft9 (examples evaluated once beforehand, as `slac build` does),
  and the same including the evaluation of the examples.
WeasyPrint subsets embedded fonts itself, with HarfBuzz when libharfbuzz-subset is installed and
with fontTools otherwise; the second baseline forces the fontTools way to show both situations.
Goals (issue 4): PDF warm median of 5 ≤ 1.0 s and ≥ 4× faster than the baseline; Markdown ≤ 50 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "websoft9.sla"


def median_s(fn: Callable[[], object], runs: int) -> float:
    """Median wall-clock seconds; the CPU seconds of the same runs are kept in CPU[-1]."""
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU.append(statistics.median(cpu))
    return statistics.median(times)


# On a shared machine wall time includes waiting for a core; CPU time (WeasyPrint is single-threaded)
# shows the work itself. Both are printed.
CPU: list[float] = []


def plain_weasyprint(html: str) -> bytes:
    """The baseline: WeasyPrint as documented, the full font referenced by @font-face from its file."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from slac.render.pdf import FONT_FAMILY, font_path

    config = FontConfiguration()
    face = CSS(
        string=f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_path().as_uri()}"); }}', font_config=config
    )
    return HTML(string=html).write_pdf(stylesheets=[face], font_config=config)


def without_harfbuzz_subset(fn: Callable[[str], bytes], html: str) -> bytes:
    """WeasyPrint subsets with HarfBuzz when the system library has hb-subset, else with fontTools
    (seconds for a CJK font); this runs `fn` the second way, as on a machine without it."""
    from weasyprint.pdf import fonts

    saved = fonts.harfbuzz_subset
    fonts.harfbuzz_subset = None
    try:
        return fn(html)
    finally:
        fonts.harfbuzz_subset = saved


def main() -> None:
    from slac import compile_policy
    from slac.render import BILINGUAL, editions, example_results, render_html, render_markdown
    from slac.render.pdf import html_to_pdf

    policy = compile_policy(CONTRACT.read_text(encoding="utf-8"), file=CONTRACT.name)
    results = example_results(policy)
    html = render_html(policy, BILINGUAL, results=results, embed_font=False)

    # Warm both paths once: fonts loaded, subset memoised, WeasyPrint's caches filled.
    ours_pdf, base_pdf = html_to_pdf(html), plain_weasyprint(html)
    ours = median_s(lambda: html_to_pdf(html), 5)
    ours_cpu = CPU[-1]
    base = median_s(lambda: plain_weasyprint(html), 5)
    base_cpu = CPU[-1]
    print(f"bilingual websoft9 PDF, warm, median of 5: {ours:.3f} s (goal ≤ 1.0 s: {ours / 1.0:.2f}× of the budget)")
    print(
        f"  baseline, plain WeasyPrint write_pdf with the full font: {base:.3f} s (slac is {base / ours:.2f}× faster; goal ≥ 4×)"
    )
    print(f"  CPU time: slac {ours_cpu:.3f} s, baseline {base_cpu:.3f} s ({base_cpu / ours_cpu:.2f}×)")
    print(f"  sizes: slac {len(ours_pdf) / 1024:.0f} KiB, baseline {len(base_pdf) / 1024:.0f} KiB")
    slow = median_s(lambda: without_harfbuzz_subset(plain_weasyprint, html), 3)
    print(
        f"  baseline without libharfbuzz-subset (WeasyPrint's fontTools fallback), median of 3: {slow:.3f} s "
        f"(slac is {slow / ours:.2f}× faster)"
    )

    names = editions(policy)
    md = median_s(lambda: [render_markdown(policy, e, results=results) for e in names], 20)
    md_eval = median_s(
        lambda: (
            [render_markdown(policy, e, results=example_results(policy)) for e in names[:1]]
            + [render_markdown(policy, e, results=results) for e in names[1:]]
        ),
        20,
    )
    print(
        f"Markdown, all {len(names)} editions, median of 20: {md * 1000:.1f} ms (goal ≤ 50 ms: {md / 0.05:.2f}× of the budget)"
    )
    print(f"  including one evaluation of the examples: {md_eval * 1000:.1f} ms")

    # The standalone HTML carries the document's font subset (WOFF2, base64); warm = subset cached.
    page = render_html(policy, BILINGUAL, results=results)
    warm = median_s(lambda: render_html(policy, BILINGUAL, results=results), 20)
    bare = median_s(lambda: render_html(policy, BILINGUAL, results=results, embed_font=False), 20)
    print(
        f"Standalone bilingual HTML with its font embedded, warm, median of 20: {warm * 1000:.1f} ms "
        f"({warm / bare:.2f}× the page without the font); {len(page.encode()) / 1024:.0f} KiB "
        f"({len(html.encode()) / 1024:.0f} KiB without it)"
    )


if __name__ == "__main__":
    main()
