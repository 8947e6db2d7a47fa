//! Deserialization errors that never quote the input.
//!
//! serde's own messages quote what they refuse (`invalid type: integer
//! `12345678`, expected a string`; `invalid type: string "hunter2",
//! expected a sequence`), and frameworks log deserialization rejections. So
//! every `Deserialize` impl in seckit replaces whatever error the
//! deserializer produced with text built only from seckit's own words: the
//! [`Error`](crate::Error) a parse step recorded (whose `Display` names a
//! field and a rule, never a value), or a fixed description of what was
//! expected.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// What a failed deserialization says when no parse step recorded a reason.
pub(crate) const WITHHELD: &str = "(the input is not shown)";

/// The reason a parse step gave, kept aside while the deserializer unwinds.
#[derive(Default)]
pub(crate) struct Failure(Cell<Option<crate::Error>>);

impl Failure {
    /// Records `error` and returns a placeholder for the deserializer to
    /// carry; [`Failure::finish`] replaces it.
    pub(crate) fn record<E: de::Error>(&self, error: crate::Error) -> E {
        self.0.set(Some(error));
        E::custom(WITHHELD)
    }

    /// `result` with its error, whatever it said, replaced by the recorded
    /// reason or by `expected` (a static description of the wanted input).
    pub(crate) fn finish<T, E: de::Error>(
        &self,
        result: Result<T, E>,
        expected: &'static str,
    ) -> Result<T, E> {
        result.map_err(|_| match self.0.take() {
            Some(reason) => E::custom(reason),
            None => E::custom(format_args!(
                "invalid value: expected {expected} {WITHHELD}"
            )),
        })
    }
}

/// Deserializes a string and parses it with `parse`; on any failure the
/// error is `parse`'s own (field and rule) or a fixed "expected …".
pub(crate) fn parse_str<'de, D, T, F>(d: D, expected: &'static str, parse: F) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    F: FnOnce(&str) -> crate::Result<T>,
{
    let failure = Failure::default();
    let visitor = StrVisitor {
        parse,
        expected,
        failure: &failure,
        out: std::marker::PhantomData,
    };
    failure.finish(d.deserialize_str(visitor), expected)
}

struct StrVisitor<'f, F, T> {
    parse: F,
    expected: &'static str,
    failure: &'f Failure,
    out: std::marker::PhantomData<T>,
}

impl<F, T> Visitor<'_> for StrVisitor<'_, F, T>
where
    F: FnOnce(&str) -> crate::Result<T>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.parse)(s).map_err(|e| self.failure.record(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_pos(s: &str) -> crate::Result<u8> {
        s.parse()
            .map_err(|_| crate::Error::invalid("digit", "not_digits"))
    }

    #[derive(Debug)]
    struct Digit(u8);
    impl<'de> serde::Deserialize<'de> for Digit {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            parse_str(d, "a digit string", parse_pos).map(Digit)
        }
    }

    #[test]
    fn errors_name_the_rule_or_what_was_expected_never_the_input() {
        assert_eq!(serde_json::from_str::<Digit>(r#""7""#).unwrap().0, 7);
        let bad_value = serde_json::from_str::<Digit>(r#""hunter2""#).unwrap_err();
        assert_eq!(bad_value.to_string(), "invalid input: digit.not_digits");
        for input in [
            "12345678",
            r#"["hunter2"]"#,
            r#"{"hunter2":1}"#,
            "true",
            "1.5",
        ] {
            let text = serde_json::from_str::<Digit>(input)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(
                text.starts_with("invalid value: expected a digit string (the input is not shown)"),
                "{input}: {text}"
            );
            assert!(
                !text.contains("hunter2") && !text.contains("12345678"),
                "{text}"
            );
        }
    }
}
