//! Lowering of type syntax into [`TypeNode`]s.

use tree_sitter::Node;

use crate::facts::{TypeKind, TypeMember, TypeNode};
use crate::kinds::K;
use crate::lower::{Lowerer, span, unquote};

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
        match self.syms.kind(node) {
            K::TypeIdentifier | K::NestedTypeIdentifier | K::Identifier | K::NestedIdentifier => {
                TypeKind::Ref {
                    name: compact(self.text(node)),
                    args: Vec::new(),
                }
            }
            K::GenericType => {
                let name = self
                    .syms
                    .field(node, self.syms.f.name)
                    .map(|n| compact(self.text(n)))
                    .unwrap_or_default();
                let args = self
                    .syms
                    .field(node, self.syms.f.type_arguments)
                    .map(|ta| self.syms.named_children(ta).map(|t| self.lower_type(t)).collect())
                    .unwrap_or_default();
                TypeKind::Ref { name, args }
            }
            K::UnionType => TypeKind::Union(self.flatten(node, K::UnionType)),
            K::IntersectionType => TypeKind::Intersection(self.flatten(node, K::IntersectionType)),
            K::PredefinedType => TypeKind::Keyword(self.text(node).to_string()),
            K::ObjectType => {
                let (members, opaque) = self.type_members(node);
                TypeKind::Object { members, opaque }
            }
            K::TupleType => TypeKind::Tuple(
                self.syms
                    .named_children(node)
                    .map(|t| self.lower_type(t))
                    .collect(),
            ),
            K::ArrayType => match self.syms.named_children(node).next() {
                Some(elem) => TypeKind::Array(Box::new(self.lower_type(elem))),
                None => TypeKind::Other,
            },
            K::TypeQuery => match self.syms.named_children(node).next() {
                Some(target) => TypeKind::Typeof(compact(self.text(target))),
                None => TypeKind::Other,
            },
            K::ParenthesizedType | K::TypeAnnotation => match self.syms.named_children(node).next() {
                Some(inner) => self.lower_type(inner).kind,
                None => TypeKind::Other,
            },
            _ => TypeKind::Other,
        }
    }

    /// The operands of a (left-nested) union or intersection, flattened.
    fn flatten(&mut self, node: Node, kind: K) -> Vec<TypeNode> {
        let mut out = Vec::new();
        let mut pending = vec![node];
        // Explicit stack: unions of thousands of members nest thousands deep.
        let mut order = Vec::new();
        while let Some(n) = pending.pop() {
            let children: Vec<Node> = self.syms.named_children(n).collect();
            for child in children.into_iter().rev() {
                if self.syms.kind(child) == kind {
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
        for child in self.syms.named_children(node) {
            match self.syms.kind(child) {
                K::PropertySignature | K::MethodSignature => match self.syms.field(child, self.syms.f.name) {
                    Some(name) if self.syms.kind(name) == K::ComputedPropertyName => opaque = true,
                    Some(name) => {
                        let text = self.text(name);
                        let text = if self.syms.kind(name) == K::String {
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
