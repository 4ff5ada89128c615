"""`python -m api` runs the `thoracic-kg` command."""

from api.cli import main

main()
