"""The language server behind `slac lsp` (pygls, stdio): `analysis` and `hover` answer, `server` speaks LSP.

pygls is imported only by `server`; `analysis` and `hover` need nothing beyond slac itself.
"""
