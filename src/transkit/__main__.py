"""``python -m transkit`` runs the command line."""

from transkit.cli import main

if __name__ == "__main__":
    main()
