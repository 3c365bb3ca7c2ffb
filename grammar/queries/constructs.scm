; Syntactic candidates for Alchemy constructs. This file specifies the patterns; they are
; matched by a linear walk over the tree (src/constructs.rs: a query cursor was super-linear on
; deep nesting), and a unit test there checks that the walk finds what this query finds.
; Whether a candidate is really Alchemy is
; decided by the analysis through import resolution. Captures named after a construct kind
; are the construct's expression; captures starting with `_` only serve predicates and the
; Rust side (`_inner` marks the inner call of a curried class factory, which is not a
; value factory).
;
; The calls share one pattern rather than one per construct: a query cursor tracks every
; pattern at every node, and one pattern per method name made the scan cost more than the
; parse. `@call` is classified by the callee name the predicates admit (src/constructs.rs;
; a `#match?` on the capture the other callee shape leaves empty holds):
;   from → From · make → Make · provide, provideMerge, mergeAll, merge → Provide ·
;   bind, bindWorker, bindContainer, layerContainer, layer → Binder ·
;   a name starting with an upper-case letter → ValueFactory.

; ClassFactory: class X extends F<T>()(args) {} (also class expressions, `NS.F`, `F()(…)`).
(extends_clause
  value: (call_expression
    function: (call_expression
      arguments: (arguments)) @_inner
    arguments: (arguments)) @class_factory)

; X.from(…), X.make(…), Effect.provide(…), Layer.mergeAll(…), X.bind(…), NS.Worker(…),
; Worker(…), bindWorker(…), …: one pattern for both callee shapes.
((call_expression
   function: [
     (identifier) @_function
     (member_expression property: (property_identifier) @_method)
   ]
   arguments: (arguments)) @call
 (#match? @_method "^([A-Z]|from$|make$|provide$|provideMerge$|mergeAll$|merge$|bind$|bindWorker$|bindContainer$|layerContainer$|layer$)")
 (#match? @_function "^([A-Z]|bindWorker$|bindContainer$|layerContainer$)"))

; YieldStar: yield* e
(yield_expression "*") @yield_star
