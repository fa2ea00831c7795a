"""cg docs: the docs pages, shipped with cg, listed or printed as plain text."""

from __future__ import annotations

import click

from .options import EXIT_CODES, CgCommand


@click.command(
    "docs",
    cls=CgCommand,
    epilog=EXIT_CODES,
    short_help="List the docs pages, or print one (cg docs output).",
)
@click.argument("page", metavar="[PAGE]", required=False)
def docs_command(page):
    """List the pages of cg's docs, or print PAGE (its Markdown, plain text): cg docs
    output describes the output formats, cg docs language the language. The pages come
    with cg: no network, the same version as this cg."""
    from ..core.docs_pages import docs_page, docs_pages

    if page is not None:
        click.echo(docs_page(page), nl=False)
        return
    pages = docs_pages()
    width = max(len(name) for name, _ in pages)
    for name, title in pages:
        click.echo(f"{name.ljust(width)}  {title}".rstrip())
    click.echo("\ncg docs PAGE prints one, e.g. cg docs output")


command = docs_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
