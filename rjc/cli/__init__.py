"""The command line: one module per noun, each registering its commands on the app.

A thin skin: a command resolves the records repository, calls one function of the layers below,
and prints what it returns. `main` holds the one error boundary.

May import: every layer. Nothing imports the CLI.
"""
