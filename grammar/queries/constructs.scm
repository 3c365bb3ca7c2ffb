; Syntactic candidates for Alchemy constructs. Whether a candidate is really Alchemy is
; decided by the analysis through import resolution. Captures named after a construct kind
; are the construct's expression; captures starting with `_` only serve predicates and the
; Rust side (`_inner` marks the inner call of a curried class factory, which is not a
; value factory).

; ClassFactory: class X extends F<T>()(args) {} (also class expressions, `NS.F`, `F()(…)`).
(extends_clause
  value: (call_expression
    function: (call_expression
      arguments: (arguments)) @_inner
    arguments: (arguments)) @class_factory)

; ValueFactory: F(args) / NS.F(args) / NS.Sub.F(args) with an upper-case last name.
((call_expression
   function: [
     (identifier) @_callee
     (member_expression property: (property_identifier) @_callee)
   ]
   arguments: (arguments)) @value_factory
 (#match? @_callee "^[A-Z]"))

; From: X.from(args)
((call_expression
   function: (member_expression property: (property_identifier) @_method)
   arguments: (arguments)) @from
 (#eq? @_method "from"))

; Make: X.make(args)
((call_expression
   function: (member_expression property: (property_identifier) @_method)
   arguments: (arguments)) @make
 (#eq? @_method "make"))

; YieldStar: yield* e
(yield_expression "*") @yield_star

; Provide: Effect.provide(…), Layer.provide(…), Layer.provideMerge(…), Layer.mergeAll(…), Layer.merge(…)
((call_expression
   function: (member_expression property: (property_identifier) @_method)
   arguments: (arguments)) @provide
 (#any-of? @_method "provide" "provideMerge" "mergeAll" "merge"))

; Binder: X.bind(…), [NS.]bindWorker(…), [NS.]bindContainer(…), [NS.]layerContainer(…), NS.layer(…)
((call_expression
   function: (member_expression property: (property_identifier) @_method)
   arguments: (arguments)) @binder
 (#any-of? @_method "bind" "bindWorker" "bindContainer" "layerContainer" "layer"))

((call_expression
   function: (identifier) @_function
   arguments: (arguments)) @binder
 (#any-of? @_function "bindWorker" "bindContainer" "layerContainer"))
