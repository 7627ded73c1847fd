"""Storage: records as files in a git repository, and nothing about what they mean.

The one owner of each shared thing: errors and problems (`errors`), text that may be shown
(`controls`), the on-disk layout and ids (`layout`), the private directory in .git and each file
in it (`private`), locks between processes (`locks`), YAML (`yamlio`), parsing a file into its
model (`store`), git (`gitrepo`), the one transaction every change goes through (`transaction`),
the JSON Schemas (`schema`) and format upgrades (`migrations`).

May import: rjc.model. Imported by everything above it.
"""
