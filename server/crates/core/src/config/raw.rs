//! A TOML value tree that keeps the byte span of every key and value, so that validation
//! errors point at the offending line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
pub use toml::Spanned;

/// The key toml uses internally to pass datetimes through serde.
const DATETIME_MARKER: &str = "$__toml_private_datetime";

#[derive(Debug)]
pub enum SValue {
    Str(String),
    Array(Vec<Spanned<SValue>>),
    Table(BTreeMap<Spanned<String>, Spanned<SValue>>),
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

impl<'de> Deserialize<'de> for SValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SValueVisitor)
    }
}

struct SValueVisitor;

impl<'de> Visitor<'de> for SValueVisitor {
    type Value = SValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<SValue, E> {
        Ok(SValue::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<SValue, E> {
        Ok(SValue::Other("an integer"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<SValue, E> {
        Ok(SValue::Other("an integer"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<SValue, E> {
        Ok(SValue::Other("a float"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SValue, E> {
        Ok(SValue::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SValue, E> {
        Ok(SValue::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<SValue>>()? {
            items.push(item);
        }
        Ok(SValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SValue, A::Error> {
        let mut table = BTreeMap::new();
        loop {
            let key = match map.next_key::<Spanned<String>>() {
                Ok(Some(key)) => key,
                Ok(None) => break,
                // A datetime arrives as a one-entry map whose key cannot be spanned.
                Err(e) if e.to_string().contains(DATETIME_MARKER) => {
                    return Err(de::Error::custom("a datetime is not valid here"));
                }
                Err(e) => return Err(e),
            };
            let value = map.next_value::<Spanned<SValue>>()?;
            table.insert(key, value);
        }
        Ok(SValue::Table(table))
    }
}
