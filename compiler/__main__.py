"""`python -m slac`: the command line."""

from .cli import main

main()
