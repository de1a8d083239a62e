from __future__ import annotations

import click
from ckanext.wepulse import demo as demo_catalogue

__all__ = ["wepulse"]


@click.group(short_help="WePulse portal commands")
def wepulse():
    """WePulse Open Data: portal administration."""


@wepulse.group()
def demo():
    """The demo catalogue a new installation starts with."""


@demo.command("seed")
@click.argument("catalogue", required=False)
def demo_seed(catalogue: str | None):
    """Create or update the demo authorities and datasets (idempotent).

    CATALOGUE defaults to the ckanext.wepulse.demo.catalogue setting.
    """
    for kind, name, outcome in demo_catalogue.seed(catalogue):
        click.echo(f"{kind} {name}: {outcome}")
