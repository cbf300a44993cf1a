"""The web app: a typed JSON API that mirrors the command line, and server-rendered pages.

FastAPI gives the API its OpenAPI schema from the same pydantic models that check the user's
files (:class:`~cellwright.spec.CellSpec` is the request's ``spec``); the pages are Jinja2
templates whose results are the HTML fragments of :mod:`cellwright.report.html`, fetched by a
small script of our own (no framework, nothing loaded from the network). Every number comes
from the same ``report`` functions the command line prints.

Limits: a request body of at most :data:`MAX_BODY_BYTES`; at most :data:`MAX_CONCURRENT` runs
at once; a run longer than :data:`RUN_SECONDS` is answered with an error (the work itself
finishes in the background). Errors are the command line's one-line messages,
``{"error": "<field> = <value>: <what is allowed>"}``, with status 422 (400 for a request the
API cannot read, 404 for an unknown name, 413 for a body too large).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from ..errors import SpecError
from ..report import html as report_html
from ..report.common import SVG_TEXT, figure_svg, plain
from ..spec import STRICT, CellSpec
from .jobs import Jobs
from .library import Library, default_library, link, parse_upload

#: Largest request body, bytes.
MAX_BODY_BYTES = 1024 * 1024
#: Runs computed at once (more wait their turn).
MAX_CONCURRENT = 2
#: Longest run the app waits for, seconds.
RUN_SECONDS = 60.0
#: C-rates one request may ask for.
MAX_RATES = 8
#: A stored study's or a new run's folder name.
FOLDER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

HERE = Path(__file__).parent
#: The request examples in the schema: the LFP 280 Ah storage cell of examples/.
EXAMPLE_SPEC: dict[str, Any] = {
    "name": "LFP 280 Ah storage cell",
    "chemistry": "lfp-graphite",
    "format": "prismatic",
    "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0},
}


def _example(**fields: Any) -> ConfigDict:
    return ConfigDict(**STRICT, json_schema_extra={"examples": [{"spec": EXAMPLE_SPEC, **fields}]})


Name = Annotated[str, Field(min_length=1, max_length=64)]


class PlantOptions(BaseModel):
    """The plant a cell is costed in: the default plant with these fields changed."""

    model_config = STRICT
    region: Name | None = None
    archetype: Name | None = None
    scenario: Name | None = None
    market_scenario: Name | None = None
    prices: Name | None = None
    start_year: int | None = Field(default=None, ge=2000, le=2100)
    year: int | None = Field(default=None, ge=1, le=50, description="year of operation, 1 = first full year")
    annual_GWh: float | None = Field(default=None, ge=0.01, le=1000)


class DesignRequest(BaseModel):
    model_config = _example()
    spec: CellSpec


class CostRequest(BaseModel):
    model_config = _example(plant={"region": "united-states", "archetype": "newcomer", "start_year": 2024, "year": 3})
    spec: CellSpec
    plant: PlantOptions = PlantOptions()
    lce_usd_per_kg: float | None = Field(default=None, gt=0, le=500, description="lithium carbonate price")
    trajectory_years: int = Field(default=0, ge=0, le=50)
    compare: bool = True


class SimulateRequest(BaseModel):
    model_config = _example(c_rates=[0.5, 1, 2])
    spec: CellSpec
    c_rates: list[Annotated[float, Field(gt=0, le=50)]] = Field(
        default=[0.5, 1.0, 2.0], min_length=1, max_length=MAX_RATES
    )
    thermal: bool = False
    model: Literal["spme", "dfn"] = "spme"


class LifeRequest(BaseModel):
    model_config = _example(protocol="1C/1C, 35degC, 100% DOD")
    spec: CellSpec
    protocol: str = Field(default="0.5C/0.5C, 25degC, 100% DOD", min_length=1, max_length=200)
    eol: float = Field(default=0.8, ge=0.3, lt=1.0)
    band: bool = False
    rated_cycles: float | None = Field(default=None, gt=0, le=1e6)
    rated_protocol: str | None = Field(default=None, min_length=1, max_length=200)
    anchor: bool = True


class StudyRunRequest(BaseModel):
    model_config = STRICT
    study: Name = Field(description="a study file of the library")
    out: str = Field(pattern=FOLDER_NAME, description="the results folder to write, under the app's studies folder")


class SizeLimit:
    """Refuse a request whose body is over ``limit`` bytes (413), by its Content-Length or as
    it arrives."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = JSONResponse(
            {"error": f"request body = more than {self.limit:,} bytes: at most {self.limit:,} bytes"}, 413
        )
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await too_big(scope, receive, send)
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooBig
            return message

        try:
            await self.app(scope, counted, send)
        except _TooBig:
            await too_big(scope, receive, send)


class _TooBig(Exception):
    pass


async def _content(file: UploadFile | None) -> bytes | None:
    """An upload's bytes (one more than the body limit at most: the parser says it is too big)."""
    return await file.read(MAX_BODY_BYTES + 1) if file is not None else None


def _one_line(exc: RequestValidationError) -> str:
    """The first problem FastAPI found in a request, as the command line words a file's."""
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
    field = ".".join(loc) or "request"
    value = err.get("input")
    shown = "{...}" if isinstance(value, dict) else value
    if err.get("type") == "missing":
        return str(SpecError(field, None, "required"))
    if err.get("type") == "extra_forbidden":
        return str(SpecError(field, shown, "unknown key"))
    if err.get("type") == "json_invalid":
        return str(SpecError("request", "not JSON", "a JSON object"))
    return str(SpecError(field, shown, str(err.get("msg", "not allowed")).removeprefix("Value error, ")))


def create_app(library: Path | None = None, studies: Path | None = None) -> FastAPI:
    """The app over the library folder ``library`` (built-in inputs; default: the checkout's
    examples) and the folder of stored studies ``studies`` (default: ``out/studies``)."""
    lib = Library(Path(library) if library is not None else default_library())
    store_dir = Path(studies) if studies is not None else Path("out") / "studies"
    jobs = Jobs()
    limiter = anyio.CapacityLimiter(MAX_CONCURRENT)

    app = FastAPI(
        title="cellwright",
        version=__version__,
        description="The lithium-ion value chain, LFP first: the JSON API mirrors the command line.",
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(SpecError)
    async def _spec_error(request: Request, exc: SpecError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _one_line(exc)}, 422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": f"unexpected failure: {' '.join(str(exc).split())[:300]}"}, 500)

    async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn`` in a worker thread, at most MAX_CONCURRENT at once, within RUN_SECONDS."""
        try:
            with anyio.fail_after(RUN_SECONDS):
                return await anyio.to_thread.run_sync(
                    functools.partial(fn, *args, **kwargs), limiter=limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise SpecError(
                "request", "a run", f"at most {RUN_SECONDS:g} s in the web app; ask for less, or use the command line"
            ) from None

    def page_html(section: Callable[..., str], *args: Any) -> str:
        """A result's HTML fragment, its figures' text in the browser's fonts (quick to write)."""
        token = SVG_TEXT.set("none")
        try:
            return section(*args)
        finally:
            SVG_TEXT.reset(token)

    def spec_dict(spec: CellSpec) -> dict:
        return spec.model_dump(exclude_none=True, exclude_defaults=True) | {
            "chemistry": spec.chemistry,
            "format": spec.format,
        }

    # --- computations: one per command, JSON-ready dicts ----------------------------------

    def design(body: DesignRequest) -> dict:
        from ..report.design import design_result

        return design_result(spec_dict(body.spec))

    def cost(body: CostRequest) -> dict:
        from ..report.cost import cost_result

        return cost_result(
            spec_dict(body.spec),
            lce=body.lce_usd_per_kg,
            trajectory_years=body.trajectory_years,
            compare=body.compare,
            **body.plant.model_dump(exclude_none=True),
        )

    def simulate(body: SimulateRequest) -> dict:
        from ..report.performance import rate_result

        return rate_result(spec_dict(body.spec), body.c_rates, thermal=body.thermal, model=body.model)

    def life(body: LifeRequest) -> dict:
        from ..report.life import life_result

        return life_result(
            spec_dict(body.spec),
            body.protocol,
            eol=body.eol,
            band=body.band,
            rated_cycles=body.rated_cycles,
            rated_protocol=body.rated_protocol,
            anchor=body.anchor,
        )

    def storage_input(kind: str, content: bytes | None, example: str | None) -> dict:
        if (content is None) == (example is None):
            raise SpecError("file/example", None, "give exactly one: an uploaded file or the name of a built-in one")
        if content is not None:
            return link(parse_upload(content), lib)
        assert example is not None
        return link(parse_upload(lib.pick(kind, example, "example").read_bytes(), "example"), lib)

    def lcos(content: bytes | None, example: str | None) -> dict:
        from ..storage.project import check_files, evaluate, parse_project

        project = parse_project(storage_input("project", content, example), lib.root)
        check_files(project)
        return evaluate(project).as_dict()

    def tender(content: bytes | None, example: str | None, sensitivity: bool) -> dict:
        from ..storage.tender import evaluate_tender

        return evaluate_tender(storage_input("bids", content, example), lib.root, sensitivity).as_dict()

    def stored(name: str) -> tuple[Any, dict, dict]:
        from ..report.study import load_results

        if not re.match(FOLDER_NAME, name) or not (store_dir / name).is_dir():
            raise SpecError("study", name, "a stored study: " + (", ".join(_stored_names()) or "none yet"))
        return load_results(store_dir / name)

    def _stored_names() -> list[str]:
        if not store_dir.is_dir():
            return []
        return sorted(p.name for p in store_dir.iterdir() if (p / "manifest.json").is_file())

    def study_list() -> list[dict]:
        from ..studies.store import StudyStore

        out = []
        for name in _stored_names():
            m = StudyStore(store_dir / name).manifest()
            out.append(
                {
                    "name": name,
                    "study": m.get("study", {}).get("name"),
                    "method": m.get("study", {}).get("method"),
                    "rows": m.get("n_total"),
                }
            )
        return out

    api = APIRouter(prefix="/api", tags=["api"])
    frag = APIRouter(prefix="/fragments", tags=["fragments"], default_response_class=HTMLResponse)

    @api.get("/options")
    def options() -> dict:
        """The choices the commands take: chemistry presets, formats, regions, archetypes,
        policy and market scenarios, price sets, and the library's files."""
        from ..factory.commodities import scenarios as markets
        from ..factory.plant_spec import _data, regions, scenarios
        from ..factory.prices import price_sets
        from ..presets import chemistries

        return {
            "chemistries": list(chemistries()),
            "formats": ["prismatic", "cylindrical", "pouch", "blade"],
            "regions": list(regions()),
            "archetypes": list(_data("plants.toml")["archetypes"]),
            "scenarios": list(scenarios()["scenarios"]),
            "market_scenarios": list(markets()),
            "prices": list(price_sets()),
            "library": {
                "cells": list(lib.cells()),
                "projects": list(lib.projects()),
                "bids": list(lib.bids()),
                "studies": list(lib.studies()),
            },
        }

    @api.get("/library/cells/{name}")
    def library_cell(name: str) -> dict:
        """A built-in cell spec as the ``spec`` of a request."""
        from ..spec import load_spec

        return load_spec(lib.pick("cell", name, "name")).model_dump(exclude_none=True)

    @api.post("/design")
    async def api_design(body: DesignRequest) -> dict:
        """``cellwright design --json``."""
        return plain(await run(design, body))

    @api.post("/cost")
    async def api_cost(body: CostRequest) -> dict:
        """``cellwright cost --json`` (with ``--compare`` unless ``compare`` is false)."""
        return plain(await run(cost, body))

    @api.post("/simulate")
    async def api_simulate(body: SimulateRequest) -> dict:
        """``cellwright simulate --json``."""
        return plain(await run(simulate, body))

    @api.post("/life")
    async def api_life(body: LifeRequest) -> dict:
        """``cellwright life --protocol ... --json``."""
        return plain(await run(life, body))

    @api.post("/lcos")
    async def api_lcos(
        file: Annotated[UploadFile | None, File()] = None, example: Annotated[str | None, Form(max_length=64)] = None
    ) -> dict:
        """``cellwright lcos --json`` of an uploaded project file or a built-in one."""
        content = await _content(file)
        return plain(await run(lcos, content, example))

    @api.post("/tender")
    async def api_tender(
        file: Annotated[UploadFile | None, File()] = None,
        example: Annotated[str | None, Form(max_length=64)] = None,
        sensitivity: Annotated[bool, Form()] = True,
    ) -> dict:
        """``cellwright tender --json`` of an uploaded bids file or a built-in one."""
        content = await _content(file)
        return plain(await run(tender, content, example, sensitivity))

    @api.get("/studies")
    def api_studies() -> list[dict]:
        """The stored studies: folder name, study name, method, rows."""
        return plain(study_list())

    @api.get("/studies/{name}")
    async def api_study(name: str) -> dict:
        """``cellwright study plot DIR --json``: percentiles of every output."""
        from ..report.study import summary_table

        study, table, _ = await run(stored, name)
        return plain({"name": name, "method": study.method, "summary": summary_table(study, table)})

    @api.get("/studies/{name}/figure.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
    async def api_study_figure(name: str, output: Annotated[str | None, Field(max_length=120)] = None) -> Response:
        """The study's figure (``cellwright study plot DIR --plot F.svg``)."""
        from ..report.study import study_figure

        def draw() -> str:
            study, table, _ = stored(name)
            if output is not None and output not in table:
                raise SpecError("output", output, "a column of the results: " + ", ".join(table))
            return page_html(lambda: figure_svg(study_figure(study, table, output)))

        return Response(await run(draw), media_type="image/svg+xml")

    @api.post("/studies/run")
    def api_study_run(body: StudyRunRequest) -> dict:
        """Run a library study into the studies folder; follow it with ``/api/jobs/{id}``."""
        path = lib.pick("study", body.study, "study")
        store_dir.mkdir(parents=True, exist_ok=True)
        return jobs.start(path, store_dir / body.out).as_dict()

    @api.get("/jobs/{job_id}")
    def api_job(job_id: str) -> dict:
        """A study run's state (running, done, failed), rows done of the total, its error."""
        job = jobs.jobs.get(job_id)
        if job is None:
            raise SpecError("job", job_id, "a job id returned by /api/studies/run")
        return job.as_dict()

    # --- fragments: the same runs as HTML, for the pages -----------------------------------

    @frag.post("/design")
    async def frag_design(body: DesignRequest) -> str:
        return await run(lambda: page_html(report_html.design_section, design(body)))

    @frag.post("/cost")
    async def frag_cost(body: CostRequest) -> str:
        d = await run(cost, body)
        return await run(page_html, report_html.cost_section, d)

    @frag.post("/simulate")
    async def frag_simulate(body: SimulateRequest) -> str:
        d = await run(simulate, body)
        return await run(page_html, report_html.rates_section, d)

    @frag.post("/life")
    async def frag_life(body: LifeRequest) -> str:
        d = await run(life, body)
        return await run(page_html, report_html.life_section, d)

    @frag.post("/lcos")
    async def frag_lcos(
        file: Annotated[UploadFile | None, File()] = None, example: Annotated[str | None, Form(max_length=64)] = None
    ) -> str:
        content = await _content(file)
        d = await run(lcos, content, example)
        return await run(page_html, report_html.project_section, d)

    @frag.post("/tender")
    async def frag_tender(
        file: Annotated[UploadFile | None, File()] = None,
        example: Annotated[str | None, Form(max_length=64)] = None,
        sensitivity: Annotated[bool, Form()] = True,
    ) -> str:
        content = await _content(file)
        d = await run(tender, content, example, sensitivity)
        return await run(page_html, report_html.tender_section, d)

    @frag.get("/studies/{name}")
    async def frag_study(name: str) -> str:
        study, table, _ = await run(stored, name)
        return await run(page_html, report_html.study_section, study, table)

    app.include_router(api)
    app.include_router(frag)

    # --- pages -------------------------------------------------------------------------

    pages = {
        "designer": "Cell designer",
        "cost": "Cost explorer",
        "life": "Life",
        "storage": "Storage project",
        "tender": "Tender",
        "studies": "Studies",
    }

    def page(name: str) -> Callable[[Request], Any]:
        def render(request: Request) -> Any:
            return templates.TemplateResponse(
                request,
                f"{name}.html",
                {
                    "pages": pages,
                    "current": name,
                    "title": pages.get(name, "cellwright"),
                    "options": options(),
                    "studies": study_list(),
                },
            )

        return render

    app.get("/", response_class=HTMLResponse, include_in_schema=False)(page("index"))
    for name in pages:
        app.get(f"/{name}", response_class=HTMLResponse, include_in_schema=False)(page(name))
    app.add_middleware(SizeLimit)
    return app
