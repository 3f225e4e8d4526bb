"""Score the importer's article text on saved real pages; see
articles/ingest/scoring.py for the sets and the measures."""

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.ingest import scoring


class Command(BaseCommand):
    help = (
        "Score the article text the importer extracts from saved web pages: a "
        "folder with evaldata.json (must/must-not snippets) or a folder of "
        "NAME.html pages with their known text in NAME.txt. Prints precision, "
        "recall and F1, rejections, crashes, CPU time, how often each piece of "
        "metadata was found, and the worst pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--trafilatura",
            action="store_true",
            help="Also score trafilatura's own extract() on the same pages.",
        )
        parser.add_argument("--worst", type=int, default=10)
        parser.add_argument(
            "--limit", type=int, default=0, help="Score only the first N pages."
        )

    def handle(self, *args, paths, trafilatura, worst, limit, **options):
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder.", returncode=2)
        pages = [page for path in paths for page in scoring.load_pages(path)]
        if limit:
            pages = pages[:limit]
        if not pages:
            raise CommandError("No pages found in the paths given.", returncode=2)
        load = os.getloadavg()[0]
        metadata = scoring.Metadata()
        started = time.perf_counter()
        ours = [scoring.run_importer(page, metadata) for page in pages]
        wall = time.perf_counter() - started
        results = [("importer", ours)]
        if trafilatura:
            results.append(
                ("trafilatura extract()", [scoring.run_trafilatura(p) for p in pages])
            )
        out = self.stdout.write
        out(f"{len(pages)} pages; load average {load:.2f} at the start")
        out(
            "| extractor | precision | recall | F1 | rejected | crashed | CPU ms/page |"
        )
        out("|---|---|---|---|---|---|---|")
        for label, scores in results:
            s = scoring.summarise(scores)
            out(
                f"| {label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
                f"| {s.rejected} | {s.crashed} | {1000 * s.seconds / s.pages:.0f} |"
            )
        out(
            f"Importer: {len(pages) / wall:.1f} pages/s in one process "
            f"({wall:.1f} s wall)"
        )
        m = metadata
        if m.pages:
            out(f"Metadata on the {m.pages} pages with text:")
            for label, found in [
                ("headline (not the site name)", m.headline),
                ("publication date", m.date),
                ("date with its time and zone", m.date_with_time),
                ("authors", m.authors),
                ("language", m.language),
                ("outlet", m.outlet),
            ]:
                out(f"  {label}: {found} ({100 * found / m.pages:.0f}%)")
        if worst:
            out(f"Worst {worst} pages for the importer:")
            for score in scoring.worst(ours, worst):
                reason = score.crashed or score.rejected
                out(
                    f"  {score.f1:.2f} {score.name}"
                    f" (missed {score.false_negatives}, unwanted "
                    f"{score.false_positives}){' ' + reason if reason else ''}"
                )
        for score in ours:
            if score.crashed:
                self.stderr.write(f"Crashed: {score.name}: {score.crashed}")
