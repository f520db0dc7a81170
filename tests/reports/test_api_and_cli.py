"""`GET /v1/companies/{id}/report` and `tradecredit report company`: formats, languages, errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.builders import client_for, make_tenant
from reports.builders import build_portfolio
from tradecredit.cli.common import cli_actor
from tradecredit.cli.main import app as cli_app
from tradecredit.db.engine import engine_for, unit_of_work
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role

runner = CliRunner()


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    from tradecredit.api.app import create_app

    return create_app(engine, migrate=False)


def test_api_answers_html_and_pdf_and_hides_other_tenants(app: FastAPI, engine: Engine) -> None:
    owner, stranger = make_tenant(engine, (Role.VIEWER,)), make_tenant(engine, (Role.ADMIN,))
    built = build_portfolio(engine, org_service.system_actor(owner.org_id, "test"))
    path = f"/v1/companies/{built.acme}/report"
    with client_for(app, owner.keys[Role.VIEWER]) as client:
        html = client.get(path, params={"as_of": "2026-03-31", "lang": "zh"})
        assert html.status_code == 200, html.text
        assert html.headers["content-type"].startswith("text/html")
        assert "资产负债率" in html.text
        assert "Acme Metallwaren GmbH" in html.text
        pdf = client.get(path, params={"as_of": "2026-03-31", "format": "pdf", "lang": "en"})
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        assert len(pdfium.PdfDocument(pdf.content)) >= 3
        bad = client.get(path, params={"format": "docx"})
        assert bad.status_code == 422
        assert "format" in bad.text
        assert client.get(path, params={"lang": "fr"}).status_code == 422
        missing = client.get(f"/v1/companies/{uuid.uuid4()}/report")
        assert missing.status_code == 404
    with client_for(app, stranger.keys[Role.ADMIN]) as client:
        foreign = client.get(path, params={"as_of": "2026-03-31"})
        assert foreign.status_code == 404
        assert foreign.json()["error"]["code"] == "not_found"
        assert "Acme" not in foreign.text
    with client_for(app, None) as client:
        assert client.get(path).status_code == 401


def _seed(url: str) -> None:
    assert runner.invoke(cli_app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    engine = engine_for(url)
    with unit_of_work(engine) as s:
        actor = cli_actor(s, "acme")
    build_portfolio(engine, actor)


def test_cli_writes_pdf_and_html_and_refuses_bad_input(cli_database: str, tmp_path: Path) -> None:
    _seed(cli_database)
    pdf = tmp_path / "acme.pdf"
    done = runner.invoke(
        cli_app,
        [
            "report",
            "company",
            "ACME:DE",
            "--format",
            "pdf",
            "--lang",
            "zh",
            "--as-of",
            "2026-03-31",
            "--out",
            str(pdf),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "written to" in done.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf))
    assert "信用等级" in text
    html = tmp_path / "acme.html"
    done = runner.invoke(
        cli_app, ["report", "company", "ACME:DE", "--as-of", "2026-03-31", "--out", str(html)]
    )
    assert done.exit_code == 0, done.output
    assert "Credit report: Acme Metallwaren GmbH" in html.read_text(encoding="utf-8")

    unknown = runner.invoke(cli_app, ["report", "company", str(uuid.uuid4()), "--out", str(html)])
    assert unknown.exit_code == 2
    assert "not_found" in unknown.output
    assert "no company" in unknown.output
    malformed = runner.invoke(cli_app, ["report", "company", "ACME", "--out", str(html)])
    assert malformed.exit_code == 2
    assert "REGISTRATION_NUMBER:COUNTRY" in malformed.output
    bad_lang = runner.invoke(cli_app, ["report", "company", "ACME:DE", "--lang", "fr"])
    assert bad_lang.exit_code == 2
    assert "--lang" in bad_lang.output
    bad_format = runner.invoke(cli_app, ["report", "company", "ACME:DE", "--format", "docx"])
    assert bad_format.exit_code == 2
    assert "--format" in bad_format.output
