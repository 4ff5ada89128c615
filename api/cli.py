"""`thoracic-kg`: build, load, validate, stats, query, locate, propose, serve, render and export, from the command line.

Calls `graph` for the work; never imports rdflib and never writes SPARQL of its own.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from graph.build import Inputs, build, cached_build, check
from graph.changes import ChangeConflict, ChangeRefused, ChangeSyntaxError, open_content, sparql_update
from graph.evidence import read_source, span_turtle
from graph.problems import BuildRefused
from graph.settings import Settings
from graph.sources import DATA_DIR, SOURCE_DIR
from graph.store import QuerySyntaxError, Store, load_disk_store, prepared_store
from graph.workers import prepare_base

app = typer.Typer(help="Thoracic Tumor Center capability knowledge graph.", no_args_is_help=True,
                  add_completion=False)

DataDir = Annotated[Path | None, typer.Option(help="Folder of fact files (default: the shipped graph/data).")]
Extra = Annotated[list[Path] | None, typer.Option("--extra", help="Another Turtle file to add to the data.")]
WithDir = Annotated[Path | None, typer.Option("--with", help="A folder of departments (thoracic-kg synth -o DIR writes "
                                                             "synthetic ones) to build beside the shipped center "
                                                             "(default TKG_DEPARTMENTS_DIR for serve).")]


def _inputs(data_dir: Path | None, extra: list[Path] | None) -> Inputs:
    return Inputs.default(data_dir or DATA_DIR, extra=tuple(extra or ()))


@app.command("build")
def build_command(
    out: Annotated[Path, typer.Option(help="Where to write graph.nt and manifest.json.")] = Path("build"),
    store_path: Annotated[Path | None, typer.Option(help="Also load the graph into an on-disk Oxigraph store here.")]
    = None,
    data_dir: DataDir = None,
    extra: Extra = None,
    with_dir: WithDir = None,
) -> None:
    """Check everything, materialise the entailments, write the graph and its manifest; with --with DIR, the
    departments of DIR too, each checked against its own source."""
    from graph.departments import build_with

    try:
        built = build_with(with_dir, _inputs(data_dir, extra)) if with_dir else build(_inputs(data_dir, extra))
    except BuildRefused as refused:
        for problem in refused.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"build refused: {len(refused.problems)} problem(s)", err=True)
        raise typer.Exit(1) from None
    built.write(out)
    if store_path is not None:
        load_disk_store(store_path, built.ntriples, content_sha256=built.manifest["content_sha256"])
    typer.echo(f"built {built.manifest['triples']} triples, sha256 {built.manifest['content_sha256']} → {out}/")


@app.command("load")
def load_command(
    to: Annotated[str | None, typer.Option("--to", help="The server's SPARQL query URL (default TKG_SPARQL_QUERY_URL), "
                                                        "e.g. http://127.0.0.1:7878/query or http://host:8890/sparql.")]
    = None,
    update: Annotated[str | None, typer.Option(help="Its SPARQL Update URL (default TKG_SPARQL_UPDATE_URL; without "
                                                    "it or --graph-store, the query URL itself).")] = None,
    graph_store: Annotated[str | None, typer.Option(help="Its Graph Store Protocol URL (default "
                                                         "TKG_SPARQL_GRAPH_STORE_URL): one PUT instead of updates, "
                                                         "e.g. http://127.0.0.1:7878/store.")] = None,
    graph: Annotated[str | None, typer.Option(help="The named graph to hold the build (default TKG_SPARQL_GRAPH; "
                                                   "otherwise the server's default graph, on Virtuoso "
                                                   "urn:ttc-kg:graph).")] = None,
    user: Annotated[str | None, typer.Option(help="User name (default TKG_SPARQL_USER); the password is read from the "
                                                  "environment variable named by --password-env, never from the "
                                                  "command line.")] = None,
    secret_env: Annotated[str | None, typer.Option("--password-env", help="The environment variable holding the "
                                                   "password (default: TKG_SPARQL_PASSWORD, read as a setting).")]
    = None,
    graph_file: Annotated[Path | None, typer.Option(help="Load this N-Triples file as it is (default TKG_GRAPH_FILE, "
                                                         "otherwise the build of graph/data in TKG_BUILD_DIR).")]
    = None,
) -> None:
    """Push the build to a remote SPARQL 1.1 server, which a product started with TKG_STORE=remote then serves."""
    import os
    import time

    from graph.build import prebuilt
    from graph.store import StoreUnavailable, remote_store

    settings = Settings()
    source = graph_file or settings.graph_file
    ntriples, manifest = prebuilt(source) if source else cached_build(settings.build_dir)
    sha = manifest["content_sha256"]
    query_url = to or (str(settings.sparql_query_url) if settings.sparql_query_url else None)
    if query_url is None:
        typer.echo("load needs the server's SPARQL query URL: --to URL (or TKG_SPARQL_QUERY_URL)", err=True)
        raise typer.Exit(2)
    update_url = update or (str(settings.sparql_update_url) if settings.sparql_update_url else None)
    gsp_url = graph_store or (str(settings.sparql_graph_store_url) if settings.sparql_graph_store_url else None)
    guessed = update_url is None and gsp_url is None
    if guessed:
        update_url = query_url  # the SPARQL 1.1 Protocol lets one URL take both (Virtuoso's /sparql, Fuseki's dataset)
    secret = os.environ.get(secret_env) if secret_env else None
    if secret_env and secret is None:
        typer.echo(f"--password-env {secret_env}: that environment variable is not set", err=True)
        raise typer.Exit(2)
    started = time.monotonic()
    try:
        store = remote_store(settings, query_url=query_url, update_url=update_url, graph_store_url=gsp_url,
                             graph=graph, user=user, password=secret)
        where = f"{query_url} (graph {store.graph or 'default'})"
        typer.echo(f"loading {manifest['triples']:,} triples, sha256 {sha[:12]}… into {where}", err=True)
        with _progress("loading", "triples") as advance:
            store.replace(ntriples, content_sha256=sha, progress=advance)
        held = store.content_sha256()
        store.close()
    except StoreUnavailable as exc:
        hint = " (updates went to the query URL: give the update URL with --update, or --graph-store)" if guessed else ""
        typer.echo(f"load failed: {exc}{hint}", err=True)
        raise typer.Exit(1) from None
    if held != sha:
        typer.echo(f"load failed: the server holds build {held} after the load, not {sha}", err=True)
        raise typer.Exit(1)
    typer.echo(f"loaded {manifest['triples']:,} triples, sha256 {sha} into {where} in {time.monotonic() - started:.1f} s")


@app.command()
def validate(
    data_dir: DataDir = None,
    extra: Extra = None,
    with_dir: Annotated[Path | None, typer.Option("--with", help="A folder of synthetic departments (thoracic-kg synth "
                                                                 "-o DIR): check each too, against the ontology, the "
                                                                 "shared vocabulary and its own source.")] = None,
    together: Annotated[bool, typer.Option("--together/--one-at-a-time", help="With --with: check all departments "
                                                                              "in one run (faster) instead of one at a "
                                                                              "time.")] = False,
) -> None:
    """Run every check (syntax, evidence, ICD-10, plain relations, SHACL) without building; with --with DIR, on every
    synthetic department of DIR as well (nothing of DIR is built or served)."""
    inputs = _inputs(data_dir, extra)
    _, _, problems = check(inputs)
    checked = ""
    if with_dir is not None:
        from graph.synth import check_departments, department_folders

        count = len(department_folders(with_dir))
        with _progress("validating", "departments") as advance:
            problems += check_departments(with_dir, together=together, shipped=inputs, progress=advance)
        checked = f" (the shipped data and {count} synthetic department(s) of {with_dir})"
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"invalid: {len(problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo("valid" + checked)


@contextmanager
def _progress(verb: str, unit: str, every: float = 5.0) -> Iterator[Callable[[int, int], None]]:
    """A `(done, total)` callback: a rich progress bar with counts and rate on a terminal, otherwise a plain line
    every `every` seconds and the last one."""
    import time

    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn(f"{verb} {unit}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("[progress.data.speed]{task.fields[rate]}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            task = bar.add_task(verb, total=None, rate="")
            started = time.monotonic()

            def advance(done: int, total: int) -> None:
                rate = done / max(time.monotonic() - started, 1e-9)
                bar.update(task, completed=done, total=total, rate=f"{rate:,.1f} {unit}/s")

            yield advance
        return
    started = last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < every:
            return
        last = now
        typer.echo(f"{verb}: {done:,} / {total:,} {unit} ({100 * done // max(total, 1)}%), "
                   f"{done / max(now - started, 1e-9):,.1f} {unit}/s", err=True)

    yield report


@app.command()
def synth(
    departments: Annotated[int, typer.Option("--departments", "-n", min=1, help="How many departments.")] = 20,
    seed: Annotated[int, typer.Option(help="The seed: the same seed writes byte-identical files.")] = 1,
    out: Annotated[Path, typer.Option("-o", "--out", help="The folder to write the department folders into.")]
    = Path("build/synthetic"),
    overwrite: Annotated[bool, typer.Option(help="Replace the synthetic departments already in the folder.")] = False,
) -> None:
    """Write synthetic departments (about one hospital per three), each marked kg:synthetic true, with its own source
    text and evidence spans, for scale tests; check them with `validate --with DIR`, build and serve them beside the
    center with `build --with DIR` and `serve --with DIR` (or TKG_DEPARTMENTS_DIR=DIR)."""
    import shutil
    import time

    from graph.synth import department_folders, generate

    existing = department_folders(out) if out.exists() else []
    if existing and not overwrite:
        typer.echo(f"{out} already holds {len(existing)} department(s): pass --overwrite to replace them", err=True)
        raise typer.Exit(2)
    for folder in existing:
        shutil.rmtree(folder)
    started = time.monotonic()
    with _progress("writing", "departments") as advance:
        folders = generate(departments, seed, out, progress=advance)
    typer.echo(f"wrote {len(folders)} synthetic departments (seed {seed}) in {time.monotonic() - started:.1f} s → {out}/")


@app.command()
def stats(out: Annotated[Path, typer.Option(help="Build folder to read (built if stale).")] = Path("build")) -> None:
    """Counts of instances per class and of triples per property."""
    _, manifest = cached_build(out)
    typer.echo(f"triples\t{manifest['triples']}\nsha256\t{manifest['content_sha256']}\n")
    for section in ("classes", "properties", "claims_by_status"):
        typer.echo(f"# {section}")
        for name, count in manifest[section].items():
            typer.echo(f"{count:>6}  {name}")
        typer.echo("")


@app.command()
def query(
    file: Annotated[Path, typer.Argument(help="SPARQL file, or - for standard input.")] = Path("-"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Run a SPARQL query on the configured store (TKG_* settings) and print the result."""
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("--format is table, json or csv")
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    store = _current_store()
    wanted = "csv" if fmt == "csv" else "json"
    try:
        answer = store.answer(text, formats={"solutions": wanted, "boolean": "json", "graph": "turtle"})
    except QuerySyntaxError as exc:
        typer.echo(f"query does not parse: {exc}", err=True)
        raise typer.Exit(2) from None
    if answer.kind == "graph" or fmt != "table":
        sys.stdout.write(answer.body.decode("utf-8"))
        return
    _print_table(json.loads(answer.body))


def _print_table(result: dict) -> None:
    if "boolean" in result:
        typer.echo(str(result["boolean"]).lower())
        return
    names = result["head"]["vars"]
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(names)
    for row in result["results"]["bindings"]:
        writer.writerow([row.get(n, {}).get("value", "") for n in names])


@app.command()
def locate(
    quote: Annotated[str, typer.Argument(help="Exact words of the source.")],
    span_id: Annotated[str, typer.Option("--id", help="Local name of the new span.")] = "new-span",
    occurrence: Annotated[int, typer.Option(help="Which occurrence, when the words occur more than once.")] = 1,
    source: Annotated[str, typer.Option(help="The source document: one of graph/data/source, or one uploaded to "
                                             "the update service (kept in TKG_STATE_DIR/sources).")]
    = "thoracic-tumor-center.txt",
) -> None:
    """Print the evidence-span Turtle for exact words of a source document, with their offsets."""
    from graph.changes import state_dir

    uploaded = state_dir(Settings()) / "sources"
    folder = uploaded if not (SOURCE_DIR / source).exists() and (uploaded / source).exists() else SOURCE_DIR
    try:
        text = read_source(source, folder)
    except (OSError, ValueError):
        typer.echo(f"no source document {source!r} in {SOURCE_DIR} or {uploaded}", err=True)
        raise typer.Exit(1) from None
    if source != "thoracic-tumor-center.txt":
        typer.echo(f"# quoted from {source}: set prov:wasQuotedFrom to the kg:SourceDocument whose dcterms:identifier "
                   f"is \"{source}\"")
    try:
        typer.echo(span_turtle(span_id, quote, text, occurrence), nl=False)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@app.command()
def propose(
    source: Annotated[Path, typer.Argument(help="The department's description: a UTF-8 text file, English and (where "
                                                "given) Chinese.")],
    department: Annotated[str, typer.Option("--department", help="The department's id (letters, digits, - and _): "
                                                                  "its nodes live under BASE/department/ID/.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The proposals file to write (Turtle), or - for standard "
                                                          "output.")] = Path("proposals.ttl"),
) -> None:
    """Read a department's description and write proposed claims in the curated files' own form, each kg:Proposed
    with its evidence span, what found it and a confidence, for a curator to accept, edit or refuse (the build
    refuses a proposal). The file is checked (evidence at its offsets, SHACL) before it is written."""
    from graph.propose import department_base, proposals_for

    try:
        department_base(department)
        text = read_source(source.name, source.parent)
    except ValueError as exc:
        typer.echo(f"--department: {exc}" if "department id" in str(exc) else f"{source} is not UTF-8 text: {exc}",
                   err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"cannot read {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    proposals = proposals_for(text, department=department, source_name=source.name)
    if proposals.problems:
        for problem in proposals.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"propose: the proposals failed their own check ({len(proposals.problems)} problem(s)); nothing "
                   "written", err=True)
        raise typer.Exit(1)
    if str(out) == "-":
        sys.stdout.write(proposals.turtle)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        temporary.write_bytes(proposals.turtle.encode("utf-8"))
        temporary.replace(out)
    where = "standard output" if str(out) == "-" else str(out)
    if not proposals.total:
        typer.echo(f"nothing to propose: no words of {source.name} match the vocabulary, the ICD-10 titles or the "
                   f"patterns; {where} holds the source text and no proposals\n"
                   f"没有可提出的建议：{source.name} 中没有与词表、ICD-10 标题或模式相符的内容；{where} 只含来源全文，没有建议",
                   err=True)
        return
    from api.texts import CURATE
    from graph.propose.assemble import KINDS

    kinds_zh = "，".join(f"{CURATE['zh']['kind.' + kind]} {proposals.kinds[kind]}" for kind in KINDS
                        if proposals.kinds[kind])
    typer.echo(f"proposed {proposals.total}: {proposals.summary()} → {where} (all kg:Proposed: review them; the build "
               f"refuses a proposal)\n已提出 {proposals.total} 条建议（{kinds_zh}）→ {where}（全部为 kg:Proposed：请逐条审阅；"
               "构建会拒绝未经审阅的建议）", err=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default TKG_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default TKG_PORT or 8000).")] = None,
    with_dir: WithDir = None,
) -> None:
    """Serve the API, the SPARQL endpoint and the pages on the configured store (with --with DIR: the shipped center
    and the departments of DIR)."""
    import os

    import uvicorn

    from api.app import check_front_end, create_app

    if with_dir is not None:  # a setting, so that every HTTP process reads it
        os.environ["TKG_DEPARTMENTS_DIR"] = str(with_dir.resolve())
    settings = Settings()
    check_front_end(settings)  # before any worker starts: one clear message, not a blank page or a traceback each
    host, port = host or settings.host, port or settings.port
    if settings.http_workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
        return
    _prepare_once(settings)
    uvicorn.run("api.app:app_from_environment", factory=True, workers=settings.http_workers, host=host, port=port,
                log_level="info", access_log=False)


def _prepare_once(settings: Settings) -> None:
    """Before several HTTP processes start: build (or read TKG_GRAPH_FILE) and load the store once, here, so they do
    not race to do it (two processes loading one on-disk store corrupt it). A function, so that the graph's bytes
    are not kept in the parent for the life of the service."""
    if settings.graph_file is not None and settings.store == "memory":
        return  # each query worker loads the file itself: nothing to build or load once, so the file is not read here
    content = open_content(settings)
    prepare_base(settings, ntriples=content.build_ntriples, content_sha256=content.build_sha)
    content.start()
    if settings.store == "remote":
        now = content.snapshot()
        prepared_store(settings, ntriples=now.ntriples, content_sha256=now.content_sha256).close()


def _current_store() -> Store:
    """The configured store at the latest version (staff changes included)."""
    return open_content(Settings()).reader()


_network_store = _current_store


NetworkEvidence = Annotated[bool, typer.Option("--evidence/--no-evidence", help="Evidence spans as nodes.")]
NetworkFigures = Annotated[bool, typer.Option("--figures/--no-figures", help="Figures and statements as nodes.")]
NetworkInferred = Annotated[bool, typer.Option("--inferred/--no-inferred",
                                               help="Include inferred and ambiguous relations (dotted).")]


@app.command()
def render(
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML file to write.")],
    focus: Annotated[str | None, typer.Option(help="An entity (IRI or prefixed name such as ttc:Mediastinoscope); "
                                                   "default: the whole center.")] = None,
    depth: Annotated[int, typer.Option(min=1, max=3, help="Relations away from the focus (1 to 3).")] = 1,
    max_nodes: Annotated[int, typer.Option(min=1, help="Most nodes drawn.")] = 500,
    base_url: Annotated[str, typer.Option(help="Where the node links (referral card, entity page) point.")]
    = "http://127.0.0.1:8000",
    evidence: NetworkEvidence = False,
    figures: NetworkFigures = False,
    inferred: NetworkInferred = True,
    lang: Annotated[str, typer.Option(help="The page's language: en or zh.")] = "en",
) -> None:
    """Write the network page as one standalone HTML file that loads nothing (vis-network and the page inlined)."""
    from api.routes.network import entity_view, page_html
    from graph.network.projection import ProjectionOptions, UnknownEntity, center_network
    from graph.network.views import whole
    from queries.params import InvalidParameter

    if lang not in ("en", "zh"):
        typer.echo(f"--lang must be en or zh, not {lang!r}", err=True)
        raise typer.Exit(2)
    options = ProjectionOptions(evidence=evidence, figures=figures, inferred=inferred)
    store = _network_store()
    try:
        if focus is None:
            view, reserve = whole(center_network(store, options), max_nodes=max_nodes), None
        else:
            view = entity_view(store, options, focus, depth, max_nodes)
            reserve = entity_view(store, options, focus, depth + 1, max_nodes)
    except (UnknownEntity, InvalidParameter) as exc:
        typer.echo(str(exc.args[0]), err=True)
        raise typer.Exit(1) from None
    html = page_html(view, options, standalone=True, base_url=base_url.rstrip("/"), reserve=reserve,
                     mode="entity" if focus else "graph", lang=lang)
    out.write_text(html, encoding="utf-8")
    capped = f" (capped: {view.note})" if view.capped else ""
    typer.echo(f"wrote {out}: {view.network.number_of_nodes()} nodes, {view.network.number_of_edges()} edges{capped}")


#: The formats `export` writes as files into a folder (-o DIR), as /downloads serves them; the others are the network's.
FILE_FORMATS = ("ttl", "nt", "trig", "nq", "jsonld", "csv", "fhir")


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="The network: graphml, gexf or json (node-link), to -o FILE "
                                                            "or standard output. The downloads: ttl, nt, trig, nq, jsonld "
                                                            "(graph and ontology), csv (the zip of tables) or fhir (a "
                                                            "Bundle per resource type and the CapabilityStatement), "
                                                            "into -o DIR.")]
    = "graphml",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="File to write (network; default: standard output), "
                                                                 "or the folder for a download format.")] = None,
    evidence: NetworkEvidence = False,
    figures: NetworkFigures = False,
    inferred: NetworkInferred = True,
    base_url: Annotated[str, typer.Option(help="Where the service answers, for FHIR's fullUrl and links.")]
    = "http://127.0.0.1:8000",
) -> None:
    """Export the whole network (never capped) for Gephi, Cytoscape or scripts, or write the download files."""
    from graph.network.export import FORMATS, export

    if fmt in FILE_FORMATS:
        if out is None:
            raise typer.BadParameter(f"--format {fmt} writes files: give the folder with -o DIR")
        _write_files(fmt, out, base_url.rstrip("/"))
        return
    from graph.network.projection import ProjectionOptions, center_network

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format is graphml, gexf or json (the network), or {', '.join(FILE_FORMATS)}")
    options = ProjectionOptions(evidence=evidence, figures=figures, inferred=inferred)
    body = export(center_network(_network_store(), options), fmt)  # type: ignore[arg-type]
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        out.write_bytes(body)
        typer.echo(f"wrote {out} ({len(body):,} bytes, {fmt})", err=True)


def _write_files(fmt: str, folder: Path, base_url: str) -> None:
    """The files /downloads (or /fhir) serves for one format, written into `folder`."""
    if fmt == "fhir":
        from queries.fhir import bundles

        files = {name: json.dumps(body, ensure_ascii=False, indent=1).encode()
                 for name, body in bundles(_network_store(), base_url).items()}
    else:
        from graph.exports import written

        ntriples, _ = cached_build(Settings().build_dir)
        files = written(ntriples, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_bytes(body)
        typer.echo(f"wrote {folder / name} ({len(body):,} bytes)", err=True)


@app.command()
def history() -> None:
    """The versions of the graph, newest first: id, time, who, kind, statements added/removed, message."""
    content = open_content(Settings())
    versions = content.ledger.all()
    if not versions:
        typer.echo("no versions: nobody has changed the graph since it was built (updates need TKG_UPDATE_TOKENS)")
        return
    head = content.head()
    for version in reversed(versions):
        mark = "*" if head is not None and version.id == head.id else " "
        typer.echo(f"{mark}{version.id:>5}  {version.at}  {version.by:<12} {version.kind:<11} "
                   f"+{len(version.added):<4} -{len(version.removed):<4} {version.content_sha256[:12]}  {version.message}")


def _changed(run: Callable[[], object]) -> None:
    try:
        version = run()
    except ChangeRefused as exc:
        typer.echo(f"refused, nothing changed: {len(exc.problems)} problem(s)", err=True)
        for problem in exc.problems:
            typer.echo(f"  [{problem.rule}] {problem.message}" + (f" (focus: {problem.focus})" if problem.focus else ""),
                       err=True)
        raise typer.Exit(1) from None
    except (ChangeConflict, ChangeSyntaxError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    summary = version.summary()  # type: ignore[attr-defined]
    typer.echo(f"version {summary['id']}: +{summary['added']} -{summary['removed']} statements, "
               f"content {summary['content_sha256'][:12]}")


Who = Annotated[str, typer.Option("--by", help="Who makes the change (kept with the version).")]
Message = Annotated[str, typer.Option("-m", "--message", help="Why (kept with the version).")]


@app.command()
def update(file: Annotated[Path, typer.Argument(help="A SPARQL 1.1 Update file (.ru), or - for standard input.")],
           by: Who = "cli", message: Message = "") -> None:
    """Apply a SPARQL Update to the curated statements, validated like a build, as a new version."""
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    content = open_content(Settings())
    prepare_base(content.settings, ntriples=content.build_ntriples, content_sha256=content.build_sha)
    _changed(lambda: content.change(sparql_update(text), by=by, message=message or file.name, kind="update"))


@app.command()
def rollback(version: Annotated[int, typer.Argument(help="The version whose content to return to.")],
             by: Who = "cli", message: Message = "") -> None:
    """Return the graph to exactly the content of VERSION; a new version records the rollback."""
    content = open_content(Settings())
    prepare_base(content.settings, ntriples=content.build_ntriples, content_sha256=content.build_sha)
    _changed(lambda: content.rollback(version, by=by, message=message))


@app.command("export-changes")
def export_changes(out: Annotated[Path, typer.Option("-o", "--out", help="Folder for added.ttl and removed.ttl.")],
                   build_sha: Annotated[str | None, typer.Option("--build", help="The run of changes that started on "
                                                                 "this build (a hash prefix); default: the current "
                                                                 "build's.")] = None) -> None:
    """Write the changes since the build as Turtle in the curated files' own form, to review and commit into
    graph/data: added.ttl (statements to add) and removed.ttl (statements to remove)."""
    content = open_content(Settings())
    try:
        added, removed, run = content.export_changes(build_sha)
    except ChangeConflict as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    (out / "added.ttl").write_bytes(added)
    (out / "removed.ttl").write_bytes(removed)
    sources = content.ledger.source_files(run[-1].sources)
    if sources:  # the uploaded documents the statements may quote: graph/data/source/ needs them too
        (out / "sources").mkdir(exist_ok=True)
        for path in sources:
            (out / "sources" / path.name).write_bytes(path.read_bytes())
    also = f", {len(sources)} source document(s) in {out}/sources/" if sources else ""
    typer.echo(f"versions {run[0].id}–{run[-1].id} of build {run[0].build[:12]} → {out}/added.ttl, "
               f"{out}/removed.ttl{also}")


def main() -> None:
    """Entry point of the `thoracic-kg` console script."""
    app()
