"""The first page of every document as PDF, for the default case after a short call, rendered
to PNG with pdftoppm (Debian's poppler-utils) into docs/examples/: `make examples`."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "src"))

from sca_rates.desk import open_position  # noqa: E402
from sca_rates.export import DOCUMENTS, build_context, file_name, render  # noqa: E402
from sca_rates.files import load_case, load_terms  # noqa: E402
from sca_rates.market import load_market  # noqa: E402
from sca_rates.settings import Settings  # noqa: E402

OUT = PROJECT / "docs" / "examples"


def main() -> None:
    settings = Settings()
    case, model = load_case(settings.cases_dir / settings.default_case)
    position = open_position(case, model=model, market=load_market(settings.market_data_dir))
    for offer in ("$540/day", "$560/day"):
        position = position.with_call(position.answer(offer).state)
    context = build_context(
        position, terms=load_terms(settings.agreements_dir / settings.default_case)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for key in DOCUMENTS:
            pdf = Path(scratch) / file_name(key, "pdf")
            pdf.write_bytes(bytes(render(key, context, "pdf")))
            stem = OUT / DOCUMENTS[key].file_stem
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(stem),
                ],
                check=True,
            )
    print(f"wrote {len(DOCUMENTS)} first pages to {OUT}")


if __name__ == "__main__":
    main()
