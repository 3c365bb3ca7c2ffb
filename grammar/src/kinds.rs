//! Node kinds and field names, resolved once per language into numeric ids.
//!
//! `Node::kind()` reads the kind's name from the language and checks it is UTF-8, and
//! `Node::child_by_field_name` searches the field names by string comparison, both on every
//! call; the lowering asks millions of times per workspace. [`Syms`] maps each kind id to a
//! [`K`] (by name, so every id whose name matches counts, named or not, as the string
//! comparisons did) and holds the field ids, per dialect.

use std::sync::LazyLock;

use tree_sitter::{Language, Node, TreeCursor};

use crate::Dialect;
use crate::parse::language;

macro_rules! kinds {
    ($($variant:ident = $name:literal,)*) => {
        /// The node kinds the lowering distinguishes (`Unlisted` for every other kind).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum K {
            Unlisted,
            $($variant,)*
        }

        impl K {
            /// Every listed kind with its name.
            #[cfg(test)]
            const ALL: &[(K, &str)] = &[$((K::$variant, $name),)*];

            fn from_name(name: &str) -> K {
                match name {
                    $($name => K::$variant,)*
                    _ => K::Unlisted,
                }
            }
        }
    };
}

kinds! {
    // expressions (the `expression` and `primary_expression` supertypes of both grammars)
    AsExpression = "as_expression",
    AssignmentExpression = "assignment_expression",
    AugmentedAssignmentExpression = "augmented_assignment_expression",
    AwaitExpression = "await_expression",
    BinaryExpression = "binary_expression",
    InstantiationExpression = "instantiation_expression",
    NewExpression = "new_expression",
    SatisfiesExpression = "satisfies_expression",
    TernaryExpression = "ternary_expression",
    TypeAssertion = "type_assertion",
    UnaryExpression = "unary_expression",
    UpdateExpression = "update_expression",
    YieldExpression = "yield_expression",
    JsxElement = "jsx_element",
    JsxSelfClosingElement = "jsx_self_closing_element",
    Array = "array",
    ArrowFunction = "arrow_function",
    CallExpression = "call_expression",
    Class = "class",
    False = "false",
    FunctionExpression = "function_expression",
    Function = "function",
    GeneratorFunction = "generator_function",
    Identifier = "identifier",
    MemberExpression = "member_expression",
    MetaProperty = "meta_property",
    NonNullExpression = "non_null_expression",
    Null = "null",
    Number = "number",
    Object = "object",
    ParenthesizedExpression = "parenthesized_expression",
    Regex = "regex",
    String = "string",
    SubscriptExpression = "subscript_expression",
    Super = "super",
    TemplateString = "template_string",
    This = "this",
    True = "true",
    Undefined = "undefined",
    SequenceExpression = "sequence_expression",
    // declarations lowered as expressions
    FunctionDeclaration = "function_declaration",
    GeneratorFunctionDeclaration = "generator_function_declaration",
    ClassDeclaration = "class_declaration",
    AbstractClassDeclaration = "abstract_class_declaration",
    // opaque (besides every `*_type`)
    Comment = "comment",
    TypeAnnotation = "type_annotation",
    TypeArguments = "type_arguments",
    TypeParameters = "type_parameters",
    TypeIdentifier = "type_identifier",
    PropertyIdentifier = "property_identifier",
    PrivatePropertyIdentifier = "private_property_identifier",
    ShorthandPropertyIdentifier = "shorthand_property_identifier",
    FormalParameters = "formal_parameters",
    StringFragment = "string_fragment",
    EscapeSequence = "escape_sequence",
    HashBangLine = "hash_bang_line",
    StatementIdentifier = "statement_identifier",
    Decorator = "decorator",
    InterfaceDeclaration = "interface_declaration",
    TypeAliasDeclaration = "type_alias_declaration",
    ImportStatement = "import_statement",
    AmbientDeclaration = "ambient_declaration",
    ExportClause = "export_clause",
    NamespaceExport = "namespace_export",
    // the rest
    Arguments = "arguments",
    ArrayType = "array_type",
    CatchClause = "catch_clause",
    ClassBody = "class_body",
    ClassHeritage = "class_heritage",
    ClassStaticBlock = "class_static_block",
    ComputedPropertyName = "computed_property_name",
    Error = "ERROR",
    ExportSpecifier = "export_specifier",
    ExportStatement = "export_statement",
    ExtendsClause = "extends_clause",
    ExtendsTypeClause = "extends_type_clause",
    ForInStatement = "for_in_statement",
    GenericType = "generic_type",
    ImportClause = "import_clause",
    ImportRequireClause = "import_require_clause",
    ImportSpecifier = "import_specifier",
    IntersectionType = "intersection_type",
    LexicalDeclaration = "lexical_declaration",
    MethodDefinition = "method_definition",
    MethodSignature = "method_signature",
    NamedImports = "named_imports",
    NamespaceImport = "namespace_import",
    NestedIdentifier = "nested_identifier",
    NestedTypeIdentifier = "nested_type_identifier",
    ObjectAssignmentPattern = "object_assignment_pattern",
    ObjectPattern = "object_pattern",
    ObjectType = "object_type",
    OptionalParameter = "optional_parameter",
    Pair = "pair",
    PairPattern = "pair_pattern",
    ParenthesizedType = "parenthesized_type",
    PredefinedType = "predefined_type",
    PropertySignature = "property_signature",
    RequiredParameter = "required_parameter",
    ReturnStatement = "return_statement",
    ShorthandPropertyIdentifierPattern = "shorthand_property_identifier_pattern",
    SpreadElement = "spread_element",
    StatementBlock = "statement_block",
    TemplateSubstitution = "template_substitution",
    TupleType = "tuple_type",
    TypeQuery = "type_query",
    UnionType = "union_type",
    VariableDeclaration = "variable_declaration",
    VariableDeclarator = "variable_declarator",
    // tokens
    Const = "const",
    Default = "default",
    Star = "*",
    Type = "type",
}

/// Node kinds that are expressions (the `expression` and `primary_expression` supertypes of
/// both grammars, plus `sequence_expression` and the declarations lowered as expressions).
fn is_expression_name(kind: &str) -> bool {
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
fn is_opaque_name(kind: &str) -> bool {
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
fn is_declaration_expression_name(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "abstract_class_declaration"
    )
}

const EXPRESSION: u8 = 1;
const OPAQUE: u8 = 2;
const DECLARATION_EXPRESSION: u8 = 4;

/// What the lowering knows of one kind id.
#[derive(Clone, Copy)]
struct Entry {
    kind: K,
    flags: u8,
}

impl Entry {
    fn of_name(name: &str) -> Entry {
        let mut flags = 0;
        if is_expression_name(name) {
            flags |= EXPRESSION;
        }
        if is_opaque_name(name) {
            flags |= OPAQUE;
        }
        if is_declaration_expression_name(name) {
            flags |= DECLARATION_EXPRESSION;
        }
        Entry {
            kind: K::from_name(name),
            flags,
        }
    }
}

macro_rules! fields {
    ($($field:ident,)*) => {
        /// Field ids of one language (0: the language has no such field).
        pub struct Fields {
            $(pub $field: u16,)*
        }

        impl Fields {
            /// Every field's name and id.
            #[cfg(test)]
            fn all(&self) -> Vec<(&'static str, u16)> {
                vec![$((stringify!($field), self.$field),)*]
            }

            fn of(lang: &Language) -> Fields {
                Fields {
                    $($field: lang.field_id_for_name(stringify!($field)).map_or(0, |id| id.get()),)*
                }
            }
        }
    };
}

fields! {
    alias,
    arguments,
    body,
    declaration,
    function,
    key,
    kind,
    left,
    name,
    object,
    parameter,
    parameters,
    pattern,
    property,
    right,
    source,
    type_arguments,
    value,
}

/// Kind and field ids of one dialect.
pub struct Syms {
    entries: Vec<Entry>,
    pub f: Fields,
    language: Language,
}

impl Syms {
    fn new(dialect: Dialect) -> Syms {
        let lang = language(dialect);
        let entries = (0..lang.node_kind_count())
            .map(|id| {
                Entry::of_name(
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| lang.node_kind_for_id(id))
                        .unwrap_or(""),
                )
            })
            .collect();
        Syms {
            entries,
            f: Fields::of(&lang),
            language: lang,
        }
    }

    /// The tree-sitter language of the dialect.
    pub fn language(&self) -> &Language {
        &self.language
    }

    fn entry(&self, node: Node) -> Entry {
        match self.entries.get(node.kind_id() as usize) {
            Some(entry) => *entry,
            // ERROR (`u16::MAX`) and anything else outside the symbol table.
            None => Entry::of_name(node.kind()),
        }
    }

    /// The kind of `node` (what `node.kind()` names).
    pub fn kind(&self, node: Node) -> K {
        self.entry(node).kind
    }

    pub fn is_expression(&self, node: Node) -> bool {
        self.entry(node).flags & EXPRESSION != 0
    }

    /// An expression or a declaration lowered as one.
    pub fn is_lowered(&self, node: Node) -> bool {
        self.entry(node).flags & (EXPRESSION | DECLARATION_EXPRESSION) != 0
    }

    pub fn is_opaque(&self, node: Node) -> bool {
        self.entry(node).flags & OPAQUE != 0
    }

    /// The child of `node` in field `field` (an id of [`Syms::f`]).
    pub fn field<'tree>(&self, node: Node<'tree>, field: u16) -> Option<Node<'tree>> {
        if field == 0 {
            return None;
        }
        node.child_by_field_id(field)
    }

    /// Named children except comments.
    pub fn named_children<'tree>(&'static self, node: Node<'tree>) -> NamedChildren<'tree> {
        let count = node.named_child_count();
        let walk = if count <= SMALL {
            Walk::Indexed { node, next: 0, count }
        } else {
            let mut cursor = node.walk();
            let done = !cursor.goto_first_child();
            Walk::Cursor { cursor, done }
        };
        NamedChildren { syms: self, walk }
    }

    /// The first named child except comments, and whether `node` has an anonymous child
    /// token of kind `token` (one pass over the children).
    pub fn first_named_and_token<'tree>(&self, node: Node<'tree>, token: K) -> (Option<Node<'tree>>, bool) {
        let (mut first, mut has) = (None, false);
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    if first.is_none() && self.kind(child) != K::Comment {
                        first = Some(child);
                    }
                } else if self.kind(child) == token {
                    has = true;
                }
                if (has && first.is_some()) || !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        (first, has)
    }

    /// Whether `node` has an anonymous child token of kind `token` (e.g. `*`, `type`, `default`).
    pub fn has_token(&self, node: Node, token: K) -> bool {
        let count = node.child_count();
        if count <= SMALL_TOKENS {
            return (0..count).any(|i| {
                node.child(i)
                    .is_some_and(|c| !c.is_named() && self.kind(c) == token)
            });
        }
        let mut cursor = node.walk();
        if !cursor.goto_first_child() {
            return false;
        }
        loop {
            let child = cursor.node();
            if !child.is_named() && self.kind(child) == token {
                return true;
            }
            if !cursor.goto_next_sibling() {
                return false;
            }
        }
    }
}

/// See [`Syms::named_children`].
pub struct NamedChildren<'tree> {
    syms: &'static Syms,
    walk: Walk<'tree>,
}

/// Nodes with at most this many named children are iterated by index (each `named_child(i)`
/// walks the children from the first, but allocates nothing), others with a cursor.
const SMALL: usize = 3;

/// [`Syms::has_token`] reads nodes with at most this many children by index.
const SMALL_TOKENS: usize = 6;

enum Walk<'tree> {
    Indexed {
        node: Node<'tree>,
        next: usize,
        count: usize,
    },
    Cursor {
        cursor: TreeCursor<'tree>,
        done: bool,
    },
}

impl<'tree> Iterator for NamedChildren<'tree> {
    type Item = Node<'tree>;

    fn next(&mut self) -> Option<Node<'tree>> {
        match &mut self.walk {
            Walk::Indexed { node, next, count } => {
                while *next < *count {
                    let child = node.named_child(*next);
                    *next += 1;
                    if let Some(child) = child
                        && self.syms.kind(child) != K::Comment
                    {
                        return Some(child);
                    }
                }
                None
            }
            Walk::Cursor { cursor, done } => {
                while !*done {
                    let node = cursor.node();
                    *done = !cursor.goto_next_sibling();
                    if node.is_named() && self.syms.kind(node) != K::Comment {
                        return Some(node);
                    }
                }
                None
            }
        }
    }
}

static TS_SYMS: LazyLock<Syms> = LazyLock::new(|| Syms::new(Dialect::TypeScript));
static TSX_SYMS: LazyLock<Syms> = LazyLock::new(|| Syms::new(Dialect::Tsx));

/// The ids of a dialect.
pub fn syms(dialect: Dialect) -> &'static Syms {
    match dialect {
        Dialect::TypeScript => &TS_SYMS,
        Dialect::Tsx => &TSX_SYMS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listed kind exists in one of the grammars or both (a misspelt name would never
    /// match); every field exists in both.
    #[test]
    fn listed_kinds_and_fields_exist() {
        let names = |dialect| {
            let lang = language(dialect);
            (0..lang.node_kind_count())
                .filter_map(|id| lang.node_kind_for_id(id as u16))
                .collect::<std::collections::HashSet<_>>()
        };
        let (ts, tsx) = (names(Dialect::TypeScript), names(Dialect::Tsx));
        for &(kind, name) in K::ALL {
            if kind == K::Error {
                continue;
            }
            assert!(ts.contains(name) || tsx.contains(name), "{name} is not a kind");
            assert_eq!(K::from_name(name), kind);
        }
        for dialect in [Dialect::TypeScript, Dialect::Tsx] {
            let syms = syms(dialect);
            for (name, id) in syms.f.all() {
                assert_ne!(id, 0, "{dialect:?}: field {name}");
            }
        }
    }

    /// The table classifies every kind id as the names do, and an ERROR node is `K::Error`.
    #[test]
    fn table_matches_names() {
        for dialect in [Dialect::TypeScript, Dialect::Tsx] {
            let tree = crate::parse("const x = ;; class { a(", dialect, None);
            let syms = syms(dialect);
            let mut cursor = tree.walk();
            let mut saw_error = false;
            loop {
                let node = cursor.node();
                let name = node.kind();
                assert_eq!(syms.kind(node), K::from_name(name), "{name}");
                assert_eq!(syms.is_expression(node), is_expression_name(name), "{name}");
                assert_eq!(syms.is_opaque(node), is_opaque_name(name), "{name}");
                saw_error |= syms.kind(node) == K::Error;
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                while cursor.goto_parent() && !cursor.goto_next_sibling() {}
                if cursor.depth() == 0 {
                    break;
                }
            }
            assert!(saw_error, "{dialect:?}");
        }
    }
}
