//! Lowering of type syntax into [`TypeNode`]s.

use tree_sitter::Node;

use crate::facts::{TypeKind, TypeMember, TypeNode};
use crate::lower::{Lowerer, named_children, span, unquote};

/// Text with all whitespace removed (`NS . A` → `NS.A`).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Lowerer<'_> {
    pub fn lower_type(&mut self, node: Node) -> TypeNode {
        let kind = if self.enter() {
            self.lower_type_kind(node)
        } else {
            TypeKind::Other
        };
        self.leave();
        TypeNode {
            span: span(node),
            kind,
        }
    }

    fn lower_type_kind(&mut self, node: Node) -> TypeKind {
        match node.kind() {
            "type_identifier" | "nested_type_identifier" | "identifier" | "nested_identifier" => {
                TypeKind::Ref {
                    name: compact(self.text(node)),
                    args: Vec::new(),
                }
            }
            "generic_type" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| compact(self.text(n)))
                    .unwrap_or_default();
                let args = node
                    .child_by_field_name("type_arguments")
                    .map(|ta| named_children(ta).map(|t| self.lower_type(t)).collect())
                    .unwrap_or_default();
                TypeKind::Ref { name, args }
            }
            "union_type" => TypeKind::Union(self.flatten(node, "union_type")),
            "intersection_type" => TypeKind::Intersection(self.flatten(node, "intersection_type")),
            "predefined_type" => TypeKind::Keyword(self.text(node).to_string()),
            "object_type" => {
                let (members, opaque) = self.type_members(node);
                TypeKind::Object { members, opaque }
            }
            "tuple_type" => TypeKind::Tuple(named_children(node).map(|t| self.lower_type(t)).collect()),
            "array_type" => match named_children(node).next() {
                Some(elem) => TypeKind::Array(Box::new(self.lower_type(elem))),
                None => TypeKind::Other,
            },
            "type_query" => match named_children(node).next() {
                Some(target) => TypeKind::Typeof(compact(self.text(target))),
                None => TypeKind::Other,
            },
            "parenthesized_type" | "type_annotation" => match named_children(node).next() {
                Some(inner) => self.lower_type(inner).kind,
                None => TypeKind::Other,
            },
            _ => TypeKind::Other,
        }
    }

    /// The operands of a (left-nested) union or intersection, flattened.
    fn flatten(&mut self, node: Node, kind: &str) -> Vec<TypeNode> {
        let mut out = Vec::new();
        let mut pending = vec![node];
        // Explicit stack: unions of thousands of members nest thousands deep.
        let mut order = Vec::new();
        while let Some(n) = pending.pop() {
            let children: Vec<Node> = named_children(n).collect();
            for child in children.into_iter().rev() {
                if child.kind() == kind {
                    pending.push(child);
                } else {
                    order.push(child);
                }
            }
        }
        // `order` holds the operands right-to-left per level; restore source order.
        order.sort_by_key(|n| n.start_byte());
        for child in order {
            out.push(self.lower_type(child));
        }
        out
    }

    /// Names of the property and method signatures of an object type or interface body, and
    /// whether it has members that cannot be listed (index/call/construct signatures,
    /// computed keys).
    pub fn type_members(&mut self, node: Node) -> (Vec<TypeMember>, bool) {
        let mut members = Vec::new();
        let mut opaque = false;
        for child in named_children(node) {
            match child.kind() {
                "property_signature" | "method_signature" => match child.child_by_field_name("name") {
                    Some(name) if name.kind() == "computed_property_name" => opaque = true,
                    Some(name) => {
                        let text = self.text(name);
                        let text = if name.kind() == "string" {
                            unquote(text)
                        } else {
                            text
                        };
                        members.push(TypeMember {
                            name: text.to_string(),
                            span: span(name),
                        });
                    }
                    None => opaque = true,
                },
                _ => opaque = true,
            }
        }
        (members, opaque)
    }
}
