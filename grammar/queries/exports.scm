; Export statements. Run with a maximal start depth of 1, so only module-level statements match.
; The statement is read in `src/exports.rs`: declarations, `export default …`,
; `export { … } [from "m"]`, `export * [as ns] from "m"` and `export type * [as ns] from "m"`
; (an `ERROR(type)` node in tree-sitter-typescript 0.23).
(export_statement) @export
