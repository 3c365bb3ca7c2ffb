//! Node-kind classification shared by the lowering passes.

/// Node kinds that are expressions (the `expression` and `primary_expression` supertypes of
/// both grammars, plus `sequence_expression` and the declarations lowered as expressions).
pub fn is_expression(kind: &str) -> bool {
    matches!(
        kind,
        "as_expression"
            | "assignment_expression"
            | "augmented_assignment_expression"
            | "await_expression"
            | "binary_expression"
            | "instantiation_expression"
            | "new_expression"
            | "satisfies_expression"
            | "ternary_expression"
            | "type_assertion"
            | "unary_expression"
            | "update_expression"
            | "yield_expression"
            | "jsx_element"
            | "jsx_self_closing_element"
            | "array"
            | "arrow_function"
            | "call_expression"
            | "class"
            | "false"
            | "function_expression"
            | "function"
            | "generator_function"
            | "identifier"
            | "member_expression"
            | "meta_property"
            | "non_null_expression"
            | "null"
            | "number"
            | "object"
            | "parenthesized_expression"
            | "regex"
            | "string"
            | "subscript_expression"
            | "super"
            | "template_string"
            | "this"
            | "true"
            | "undefined"
            | "sequence_expression"
    )
}

/// Node kinds never searched for nested expressions (types, comments, names, patterns).
pub fn is_opaque(kind: &str) -> bool {
    kind == "comment"
        || kind.ends_with("_type")
        || matches!(
            kind,
            "type_annotation"
                | "type_arguments"
                | "type_parameters"
                | "type_identifier"
                | "property_identifier"
                | "private_property_identifier"
                | "shorthand_property_identifier"
                | "formal_parameters"
                | "string_fragment"
                | "escape_sequence"
                | "hash_bang_line"
                | "statement_identifier"
                | "decorator"
                | "interface_declaration"
                | "type_alias_declaration"
                | "import_statement"
                | "ambient_declaration"
                | "export_clause"
                | "namespace_export"
        )
}

/// Functions, classes and other nodes the lowering turns into expression nodes although
/// they are statements.
pub fn is_declaration_expression(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "abstract_class_declaration"
    )
}
