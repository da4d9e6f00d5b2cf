"""Documents: every document in every format for the bundled cases; what they say read back from
the PDF and DOCX matches the core; payer documents keep internal figures out; provenance."""

import io
import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from sca_rates.desk import Position, open_position
from sca_rates.export import DOCUMENTS, FORMATS, build_context, file_name, render
from sca_rates.export.context import DocumentContext
from sca_rates.files import load_case, load_terms
from sca_rates.market import load_market
from sca_rates.money import usd
from sca_rates.talking_points import ESTIMATE
from tests.conftest import PROJECT

CASES = sorted((PROJECT / "cases").glob("*.yaml"))
MARKET = load_market(PROJECT / "market_data")
TERMS = load_terms(PROJECT / "agreements" / "harborview-aetna-php.yaml")


def _position(path: Path, *offers: str) -> Position:
    """The bundled case's position after the payer's ``offers``."""
    case, model = load_case(path)
    position = open_position(case, model=model, market=MARKET)
    for offer in offers:
        position = position.with_call(position.answer(offer).state)
    return position


def _context(path: Path, **options: object) -> DocumentContext:
    return build_context(_position(path), **options)  # type: ignore[arg-type]


def _text(content: str | bytes, fmt: str) -> str:
    """What a reader sees: the text itself, or the text extracted back from PDF or DOCX."""
    if fmt == "pdf":
        assert isinstance(content, bytes)
        pages = PdfReader(io.BytesIO(content)).pages
        return " ".join(page.extract_text() for page in pages)
    if fmt == "docx":
        assert isinstance(content, bytes)
        document = docx.Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return " ".join([p.text for p in document.paragraphs] + cells)
    assert isinstance(content, str)
    return content


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_document_renders_in_every_format(case: Path) -> None:
    context = _context(case, terms=TERMS)
    for key in DOCUMENTS:
        for fmt in FORMATS:
            content = render(key, context, fmt)
            assert _text(content, fmt).strip(), (key, fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_justification_says_what_the_core_computed(fmt: str) -> None:
    # Harborview: our proposal $661.00 (the opening), the gap and the clinical points; the
    # saving against inpatient psychiatry rests on an illustrative per diem: left out, and the
    # caller's documents say so
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml")
    text = _flat(_text(render("justification", context, fmt), fmt))
    assert f"{usd(context.proposed.rate.per_unit_usd)} per day" in text
    assert "42 miles / 55 minutes from the patient" in text
    assert "Cost against the plan's alternative" not in text
    assert context.left_out == ("Cost against the plan's alternative",)
    sheet = _flat(_text(render("call-sheet", context, fmt), fmt))
    assert "Left out of the payer's documents (they rest on estimates)" in sheet
    # the caller's documents mark the line to say of that point wherever it is written
    cost = next(p for p in context.points if p.heading == "Cost against the plan's alternative")
    summary = _flat(_text(render("summary", context, fmt), fmt))
    assert f'Say: "{_flat(cost.spoken)}" ({ESTIMATE})' in summary
    assert summary.count(ESTIMATE) == sum(p.illustrative for p in context.points) == 1


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("key", [k for k, d in DOCUMENTS.items() if d.audience == "payer"])
def test_payer_documents_give_nothing_away(case: Path, key: str) -> None:
    # mid-call too: two offers just above the floor move our ask down from the opening
    start = _position(case)
    rec, unit = start.recommendation, start.unit
    offers = [f"${rec.floor.per_unit_usd * share:.0f}/{unit}" for share in (1.01, 1.05)]
    moved = _position(case, *offers)
    assert moved.standing_usd < rec.opening.per_unit_usd
    for context in (_context(case, terms=TERMS), build_context(moved)):
        rec = context.recommendation
        for fmt in FORMATS:
            text = _flat(_text(render(key, context, fmt), fmt))
            for secret in (rec.floor.per_unit_usd, rec.target.per_unit_usd):
                if round(secret, 2) != round(context.proposed.rate.per_unit_usd, 2):
                    assert usd(secret) not in text, (key, fmt)
            lowered = text.lower()
            for word in ("fully loaded", "margin", "illustrative", "sca-rates", "estimate"):
                assert word not in lowered, (key, fmt, word)


def test_sharing_the_cost_structure_adds_a_per_day_summary_only() -> None:
    # By choice only: this per-day cost is the floor whenever the floor is the fully loaded cost
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml", share_cost=True)
    text = str(render("justification", context, "md"))
    assert f"costs us {usd(context.facts.cost.fully_loaded_per_unit)} to deliver" in text
    assert usd(context.recommendation.target.per_unit_usd) not in text
    assert "salary" not in text.lower()


def test_internal_documents_carry_the_three_numbers() -> None:
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml")
    sheet = str(render("call-sheet", context, "md"))
    for figure in (context.recommendation.floor, context.recommendation.target):
        assert usd(figure.per_unit_usd) in sheet


def test_documents_cite_sources_and_their_fingerprint() -> None:
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml")
    summary = str(render("summary", context, "md"))
    assert "(sca-rates illustrative estimate, 2026, illustrative)" in summary  # internal only
    assert "Why: nearest in-network program 42 miles / 55 minutes" in summary
    text = str(render("justification", context, "md"))
    assert context.fingerprint in text
    assert context.generated_on.isoformat() in text


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_the_call_sheet_fits_one_page_and_opens_the_call(case: Path) -> None:
    context = _context(case, terms=TERMS)
    pdf = render("call-sheet", context, "pdf")
    assert isinstance(pdf, bytes)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _flat(_text(pdf, "pdf"))
    assert "The first minute" in text
    assert "[patient name], member ID [member ID]" in text
    assert len(context.strongest) <= 3
    for point in context.strongest:
        assert _flat(point.spoken)[:40] in text


def test_the_fingerprint_changes_with_an_input_and_only_then() -> None:
    path = PROJECT / "cases" / "harborview-aetna-php.yaml"
    first, again = _context(path), _context(path)
    assert first.fingerprint == again.fingerprint
    assert _context(path, terms=TERMS).fingerprint != first.fingerprint
    case, model = load_case(path)
    longer = case.model_copy(update={"expected_units": 19})
    position = open_position(longer, model=model, market=MARKET)
    assert build_context(position).fingerprint != first.fingerprint


def test_patient_identifiers_only_in_the_payer_documents_and_never_in_file_names() -> None:
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml", terms=TERMS)
    name = "Jordan Example"
    assert name in str(render("justification", context, "md"))
    assert name in str(render("terms-email", context, "txt"))
    assert name not in str(render("call-sheet", context, "md"))
    assert name not in str(render("summary", context, "md"))
    for key in DOCUMENTS:
        for fmt in FORMATS:
            assert "jordan" not in file_name(key, fmt).lower()
            assert "W123456789" not in file_name(key, fmt)


def test_the_terms_email_lists_every_term_and_the_due_dates() -> None:
    context = _context(PROJECT / "cases" / "harborview-aetna-php.yaml", terms=TERMS)
    email = str(render("terms-email", context, "txt"))
    for words in (
        "AUTH-2026-118844",
        "in network",
        "$598.00 per day",
        "S0201 (18 units)",
        "2026-12-16, 2026-12-29",
        "timely filing limit 90 days",
        "clean claims paid within 30 days",
        "held harmless: billed nothing beyond in-network cost-sharing\n",
        "NPI 1234567893, TIN 12-3456789, taxonomy 261QM0801X",
        # what Harborview's PHP day gives besides therapy (its cost model), stated inside the rate
        "including family sessions, prescriber visits, drug screens, meals and transportation\n",
    ):
        assert words in email


def test_the_terms_email_proposes_until_the_payer_agrees_then_confirms() -> None:
    path = PROJECT / "cases" / "harborview-aetna-php.yaml"
    # Mid-call ($540: we counter with the $661 opening): a proposal, no thanks for agreeing
    proposing = str(render("terms-email", build_context(_position(path, "$540/day")), "txt"))
    assert "We propose a single case agreement at $661.00 per day" in proposing
    assert "agreeing" not in proposing
    # $540, then $655 (within 1% of $661): agreed at $655, and the email says so
    agreed = build_context(_position(path, "$540/day", "$655/day"))
    assert agreed.agreed
    email = str(render("terms-email", agreed, "txt"))
    assert "Thank you for agreeing to a single case agreement at $655.00 per day" in email
    assert "confirm the terms we agreed" in email
    # with written terms at another rate, the email names the call's rate and asks about theirs
    written = build_context(_position(path, "$540/day", "$655/day"), terms=TERMS)
    assert written.written_rate_usd == 598
    email = _flat(str(render("terms-email", written, "txt")))
    assert (
        "3. Rate: $655.00 per day (the written terms we hold say $598.00 per day: please "
        "confirm which)"
    ) in email


def test_the_payers_words_qualifying_a_rate_are_restated_wherever_it_is_agreed() -> None:
    # Harborview's $661 opening: "$700/day excluding labs", confirmed, is accepted. Every
    # document states the rate with "excluding labs", and none says the rate covers all
    # services of the day; the email asks which services it covers instead. The bare "$700/day"
    # keeps the bundled per diem to confirm
    case, model = load_case(PROJECT / "cases" / "harborview-aetna-php.yaml")
    position = open_position(case, model=model, market=MARKET)
    answer = position.answer("$700/day excluding labs", confirmed=True)
    assert answer.line.startswith("We can accept $700 per day, excluding labs.")
    context = build_context(position.with_call(answer.state))
    assert context.agreed_limits == ("excluding labs",)
    said = {key: _flat(str(render(key, context, "txt"))) for key in DOCUMENTS}
    assert (
        "We agreed to a single case agreement at $700 per day, excluding labs."
        in said["call-sheet"]
    )
    assert "- $700 per day, excluding labs, as offered: $12,600.00" in said["justification"]
    email = said["terms-email"]
    thanks = "Thank you for agreeing to a single case agreement at $700 per day, excluding labs"
    assert thanks in email
    assert (
        "3. Rate: $700 per day, excluding labs, as you offered it: please state which of family "
        "sessions, prescriber visits, drug screens, meals and transportation it covers, and "
        "what pays for what it leaves out [to confirm]"
    ) in email
    assert all("all services of" not in text for text in said.values())
    # written terms that call it a bundled per diem: the call's words beside theirs, to settle
    written = build_context(position.with_call(answer.state), terms=TERMS)
    email = _flat(str(render("terms-email", written, "txt")))
    assert (
        "a bundled per diem for all services of the day (on the call: excluding labs: please "
        "confirm which)"
    ) in email
    bare = position.with_call(position.answer("$700/day").state)
    email = _flat(str(render("terms-email", build_context(bare), "txt")))
    assert "3. Rate: $700.00 per day, a bundled per diem for all services of the day" in email


def test_payer_documents_mid_call_show_our_ask_not_the_target() -> None:
    position = _position(PROJECT / "cases" / "harborview-aetna-php.yaml", "$540/day", "$560/day")
    rec = position.recommendation
    # $540 -> the $661 opening; $560 -> 661 - (661 - 560) / 4 = 635.75 -> $636
    assert position.standing_usd == 636
    text = str(render("justification", build_context(position), "md"))
    assert "$636.00 per day" in text
    assert usd(rec.target.per_unit_usd) not in text
    assert usd(rec.floor.per_unit_usd) not in text


def test_payer_charts_only_on_published_figures_and_the_patients_own_alternative() -> None:
    # With every figure published: the stay is drawn against the payer's alternative for this
    # patient alone (inpatient psychiatry for the Harborview step-down, not residential), and
    # the market only while our proposal lies within it
    position = _position(PROJECT / "cases" / "harborview-aetna-php.yaml")
    facts = position.facts
    assert facts.ceiling is not None
    assert facts.distribution is not None
    published = facts.model_copy(
        update={
            "ceiling": facts.ceiling.model_copy(
                update={
                    "provenance": facts.ceiling.provenance.model_copy(
                        update={"illustrative": False}
                    )
                }
            ),
            "distribution": facts.distribution.model_copy(update={"illustrative": False}),
        }
    )
    context = build_context(position.model_copy(update={"facts": published}))
    assert "episode" in context.payer_charts
    drawn = [row["what"] for row in context.payer_charts["episode"]["data"]["values"]]
    assert drawn == ["our proposal", "inpatient psych"]
    # $661 lies above the MA range (p75 $560 x 1.1 is the anchor): no market chart for the payer
    assert "market" not in context.payer_charts
