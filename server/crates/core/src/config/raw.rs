//! A TOML value tree that keeps the byte span of every key and value, so that validation
//! errors point at the offending line and column. Read from `toml_edit`'s parsed document
//! (its public API keeps spans), so every TOML type — datetimes included — is a value here.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

/// A value and the byte range it was read from. Keys compare by value only.
#[derive(Debug)]
pub struct Spanned<T> {
    value: T,
    span: Range<usize>,
}

impl<T> Spanned<T> {
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl PartialEq for Spanned<String> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Spanned<String> {}
impl PartialOrd for Spanned<String> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Spanned<String> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

pub type STable = BTreeMap<Spanned<String>, Spanned<SValue>>;

#[derive(Debug)]
pub enum SValue {
    Str(String),
    Array(Vec<Spanned<SValue>>),
    Table(STable),
    /// Any other scalar; the payload names its type ("an integer", …).
    Other(&'static str),
}

impl SValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            SValue::Str(_) => "a string",
            SValue::Array(_) => "an array",
            SValue::Table(_) => "a table",
            SValue::Other(t) => t,
        }
    }
}

/// A TOML syntax error: its message and where.
pub struct SyntaxError {
    pub message: String,
    pub span: Option<Range<usize>>,
}

/// Parse a TOML document into its top-level table.
pub fn parse(text: &str) -> Result<STable, SyntaxError> {
    let doc = ImDocument::parse(text).map_err(|e| SyntaxError {
        message: e.message().to_string(),
        span: e.span(),
    })?;
    Ok(table(doc.as_table(), 0..0))
}

/// The entries of a table; `at`: where the table is, for entries whose own span is unknown.
fn table(t: &dyn TableLike, at: Range<usize>) -> STable {
    let mut out = BTreeMap::new();
    for (name, _) in t.iter() {
        let Some((key, item)) = t.get_key_value(name) else {
            continue;
        };
        let key_span = key.span().unwrap_or_else(|| at.clone());
        let value = self::item(item, key_span.clone());
        out.insert(
            Spanned {
                value: name.to_string(),
                span: key_span,
            },
            value,
        );
    }
    out
}

fn item(i: &Item, at: Range<usize>) -> Spanned<SValue> {
    let span = i.span().unwrap_or_else(|| at.clone());
    let value = match i {
        Item::Value(v) => return self::value(v, at),
        Item::Table(t) => SValue::Table(table(t, span.clone())),
        Item::ArrayOfTables(a) => SValue::Array(
            a.iter()
                .map(|t| {
                    let s = t.span().unwrap_or_else(|| span.clone());
                    Spanned {
                        value: SValue::Table(table(t, s.clone())),
                        span: s,
                    }
                })
                .collect(),
        ),
        Item::None => SValue::Other("nothing"),
    };
    Spanned { value, span }
}

fn value(v: &Value, at: Range<usize>) -> Spanned<SValue> {
    let span = v.span().unwrap_or(at);
    let value = match v {
        Value::String(s) => SValue::Str(s.value().clone()),
        Value::Integer(_) => SValue::Other("an integer"),
        Value::Float(_) => SValue::Other("a float"),
        Value::Boolean(_) => SValue::Other("a boolean"),
        Value::Datetime(_) => SValue::Other("a datetime"),
        Value::Array(a) => SValue::Array(a.iter().map(|x| self::value(x, span.clone())).collect()),
        Value::InlineTable(t) => SValue::Table(table(t, span.clone())),
    };
    Spanned { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(text: &str) -> STable {
        parse(text).unwrap_or_else(|e| panic!("{}", e.message))
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "baseline = \"main\"\n[rules]\nfrom-non-host = \"off\"\n";
        let t = top(text);
        let (k, v) = t.iter().next().unwrap();
        assert_eq!(&text[k.span()], "baseline");
        assert_eq!(&text[v.span()], "\"main\"");
        let (_, rules) = t.iter().nth(1).unwrap();
        let SValue::Table(rules) = rules.get_ref() else {
            panic!("rules is a table")
        };
        let (id, level) = rules.iter().next().unwrap();
        assert_eq!(&text[id.span()], "from-non-host");
        assert_eq!(&text[level.span()], "\"off\"");
    }

    #[test]
    fn every_toml_type_is_a_value() {
        let t =
            top("a = 1\nb = 1.5\nc = true\nd = 1979-05-27T07:32:00Z\ne = [1]\nf = { x = 1 }\n[[g]]\nx = 1\n");
        let kinds: Vec<&str> = t.values().map(|v| v.get_ref().type_name()).collect();
        assert_eq!(
            kinds,
            [
                "an integer",
                "a float",
                "a boolean",
                "a datetime",
                "an array",
                "a table",
                "an array"
            ]
        );
    }

    #[test]
    fn dotted_keys_make_tables_spanned_at_their_key() {
        let text = "rules.from-non-host = \"off\"\n";
        let t = top(text);
        let (k, v) = t.iter().next().unwrap();
        assert_eq!(k.get_ref(), "rules");
        let SValue::Table(rules) = v.get_ref() else {
            panic!("a table")
        };
        let (_, level) = rules.iter().next().unwrap();
        assert_eq!(&text[level.span()], "\"off\"");
    }

    #[test]
    fn syntax_errors_have_a_message_and_a_span() {
        let Err(e) = parse("rules = [\n") else {
            panic!("an error")
        };
        assert!(!e.message.is_empty());
        assert!(e.span.is_some());
    }
}
