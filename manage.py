#!/usr/bin/env python
"""Django's command-line utility; the installed ``nomadcloud`` command does the same."""

from nomadcloud.__main__ import main

if __name__ == "__main__":
    main()
