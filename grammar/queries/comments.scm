; Comments that may hold `alchemy-ls-disable` / `alchemy-ls-disable-next-line` directives.
((comment) @comment
  (#match? @comment "alchemy-ls-disable"))
