"""Render speed: the bilingual websoft9 PDF and the Markdown of every edition.

Run: .venv/bin/python bench/render.py
Prints medians and ratios against baselines measured in the same run:
- PDF: slac's path (CJK font pre-subset to the document's characters, memoised) against plain
  WeasyPrint `write_pdf` of the same HTML with the full Noto Serif SC font from its package file;
- Markdown: every edition of websoft9 (examples evaluated once beforehand, as `slac build` does),
  and the same including the evaluation of the examples.
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
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


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


def main() -> None:
    from slac import compile_policy
    from slac.render import BILINGUAL, editions, example_results, render_html, render_markdown
    from slac.render.pdf import html_to_pdf

    policy = compile_policy(CONTRACT.read_text(encoding="utf-8"), file=CONTRACT.name)
    results = example_results(policy)
    html = render_html(policy, BILINGUAL, results=results)

    # Warm both paths once: fonts loaded, subset memoised, WeasyPrint's caches filled.
    ours_pdf, base_pdf = html_to_pdf(html), plain_weasyprint(html)
    ours = median_s(lambda: html_to_pdf(html), 5)
    base = median_s(lambda: plain_weasyprint(html), 5)
    print(f"bilingual websoft9 PDF, warm, median of 5: {ours:.3f} s (goal ≤ 1.0 s: {ours / 1.0:.2f}× of the budget)")
    print(
        f"  baseline, plain WeasyPrint write_pdf with the full font: {base:.3f} s (slac is {base / ours:.2f}× faster; goal ≥ 4×)"
    )
    print(f"  sizes: slac {len(ours_pdf) / 1024:.0f} KiB, baseline {len(base_pdf) / 1024:.0f} KiB")

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


if __name__ == "__main__":
    main()
