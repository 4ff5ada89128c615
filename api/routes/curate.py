"""The curator's review page (/curate) and its three calls: read a proposals file, commit the accepted proposals,
or export them.

The page is public (it holds nothing); every call takes the update token, as /update does. The curator's browser
reads the proposals file from disk and sends its text in the JSON body: the server reads no path a user names.
The work is `graph.propose.review`'s (what a decision means, the build's checks) and `graph.changes`' (the
validated, versioned commit): a refusal answers 4xx in English and Chinese and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from rdflib import Graph

from api.auth import EditorDep
from api.deps import ContentDep
from api.i18n import request_lang
from api.pages import render
from api.texts import CURATE
from graph.changes import ChangeRefused, Content
from graph.ledger import canonical_lines
from graph.problems import Problem
from graph.propose import review

router = APIRouter(tags=["curation"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The proposals file does not parse as Turtle; nothing was changed.",
          "content": {"application/json": {}}},
    401: {"description": "No bearer token.", "content": {"text/plain": {}}},
    403: {"description": "A wrong token, or updates are disabled on this server.", "content": {"text/plain": {}}},
    409: {"description": "The source document is held already with other text.", "content": {"text/plain": {}}},
    413: {"description": "The body is larger than TKG_MAX_BODY_BYTES; nothing was read or changed.",
          "content": {"text/plain": {}}},
    422: {"description": "Not a proposals file, a decision that does not fit it, or accepted statements that break "
                         "a rule of the build (`violations`); nothing was changed. `message` has `en` and `zh` "
                         "(JSON). A body of the wrong shape: plain text.",
          "content": {"application/json": {}, "text/plain": {"schema": {"type": "string"}}}},
}
_MAX_FILE = 2_000_000


class Proposals(BaseModel):
    """A proposals file's text, as the page read it from the curator's disk."""

    proposals: Annotated[str, Field(max_length=_MAX_FILE, description="The proposals file (Turtle) of "
                                    "`thoracic-kg propose`.")]


class Decided(Proposals):
    """The proposals file and the curator's decisions."""

    decisions: Annotated[list[dict[str, Any]], Field(max_length=5000, description=(
        "One per decided proposal: `proposal` (its IRI), `action` (`accept` or `reject`) and, for an accepted one, "
        "optional edits: `status` (Stated, Implied, Ambiguous, Inferred), `target` (ttc:Name or an IRI: a "
        "relation's object, the entity a mention or slip is about, what a figure is about), `label_en`, "
        "`label_zh` (a new entity's or figure's labels, a slip's hidden label), `note_en`, `note_zh`. An undecided "
        "proposal is left out, as a rejected one is."))]
    message: Annotated[str, Field(max_length=2000, description="Why the change is made; kept with the version.")] = ""


class Exported(Decided):
    format: Annotated[Literal["zip", "turtle"], Field(description="`zip`: the files to unpack into graph/data/ "
                      "(`ID.ttl` with the accepted statements, `source/NAME.txt` with the text); `turtle`: the "
                      "accepted statements alone.")] = "zip"


@router.get("/curate", response_class=HTMLResponse, include_in_schema=False)
def curate_page(request: Request) -> HTMLResponse:
    """The review page: load a proposals file, decide each proposal, commit or export the accepted ones."""
    lang = request_lang(request)
    return HTMLResponse(render("curate.html", lang=lang, title=CURATE[lang]["title"], t=CURATE[lang]))


def _known(content: Content) -> Graph:
    """The ontology's and the curated statements' labels as served now (graph/data, the departments, every
    version's changes): what a proposal names and what an edited target may be."""
    return review.known(content.data_dir, frozenset(content.curated_lines()))


def _read(body: Proposals, content: Content) -> tuple[review.Review, Graph]:
    known = _known(content)
    return review.read(body.proposals, known), known


def _counts(decisions: list[review.Decision]) -> dict[str, list[str]]:
    return {"accepted": [d.proposal for d in decisions if d.action == "accept"],
            "rejected": [d.proposal for d in decisions if d.action == "reject"]}


@router.post("/api/curate/review", operation_id="curate_review", responses=_ERRORS)
def curate_review(body: Proposals, content: ContentDep, editor: EditorDep) -> dict[str, Any]:
    """The proposals file read for review (bearer token): its sentences, each with the pieces of text the
    proposals highlight, and every proposal (kind, what found it, confidence, proposed status, note, what it
    says). Changes nothing."""
    return {**_read(body, content)[0].as_dict(), "curator": editor}


@router.post("/api/curate/commit", operation_id="curate_commit", responses=_ERRORS, response_class=JSONResponse)
def curate_commit(body: Decided, content: ContentDep, editor: EditorDep) -> JSONResponse:
    """Write the accepted proposals as one change of the curated statements (bearer token), with the source text
    if the graph does not hold it yet: validated like a build and committed as a version (GET /api/versions)."""
    read, known = _read(body, content)
    decisions = review.decisions_from(body.decisions)
    accepted = review.apply(read, decisions, known)
    counts = _counts(decisions)
    message = body.message or (f"curation of {read.source_name}: {len(counts['accepted'])} proposal(s) accepted, "
                               f"{len(counts['rejected'])} rejected")
    version = content.curate(set(canonical_lines(accepted)), read.source_name, read.text.encode("utf-8"),
                             by=editor, message=message)
    return JSONResponse({"version": version.summary(), **counts})


@router.post("/api/curate/export", operation_id="curate_export", response_class=Response, responses={
    **_ERRORS, 200: {"description": "The accepted statements, checked by the build: a zip of the department folder, "
                     "or Turtle.", "content": {"application/zip": {}, "text/turtle": {}}}})
def curate_export(body: Exported, content: ContentDep, editor: EditorDep) -> Response:
    """The accepted proposals in the curated files' own form, checked by the build's own checks with graph/data
    (bearer token); nothing is written on the server."""
    read, known = _read(body, content)
    accepted = review.apply(read, review.decisions_from(body.decisions), known)
    problems = review.check_accepted(accepted, read.source_name, read.text, data_dir=content.data_dir,
                                     departments=content.departments)
    if problems:
        raise ChangeRefused([Problem(p.rule, p.message, focus=p.focus) for p in problems])
    ident = review.department_id(read)
    header = (f"# Accepted on the curator's review page (/curate) by {editor} from the proposals for "
              f"{read.source_name},\n# checked by the build with graph/data; its source text is "
              f"graph/data/source/{read.source_name}.\n")
    if body.format == "turtle":
        return Response(review.turtle(accepted, header), media_type="text/turtle; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{ident}.ttl"'})
    return Response(review.data_zip(read, accepted, header), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{ident}.zip"'})


def install(app: Any) -> None:
    """The refusals of a review, in both languages (JSON, as the change refusals are)."""

    @app.exception_handler(review.ReviewRefused)
    def _review_refused(_: Request, exc: review.ReviewRefused) -> JSONResponse:
        return JSONResponse({"message": {"en": f"{exc.en}; nothing was changed",
                                         "zh": f"{exc.zh}；未作任何改动"}}, status_code=exc.status)


