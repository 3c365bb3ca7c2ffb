; Import statements. Run with a maximal start depth of 1, so only module-level statements match
; (not those inside `declare module "…" {}` or namespaces).
; `import x = require("…")` is an `import_statement` with an `import_require_clause`; it is
; captured here and skipped when the statement is read.
(import_statement
  source: (string) @source) @import
