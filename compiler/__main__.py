"""`python -m slac` and the `slac` command: the command line."""

import sys


def run() -> None:
    """The command line, once it has loaded. Ctrl-C while it loads (its imports take some 0.2 s) ends
    as Ctrl-C during a command does (`cli._Slac`), not with a traceback of whatever was importing."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("\nslac: interrupted\n")
        raise SystemExit(130) from None  # cli._io.Exit.INTERRUPTED, not imported: it is what was loading
    main()


if __name__ == "__main__":
    run()
